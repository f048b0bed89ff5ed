//===- Outline.h - move a run of ops into a function ------------*- C++ -*-===//

#ifndef REV_UTILS_OUTLINE_H
#define REV_UTILS_OUTLINE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"

namespace rev {

/// Moves the contiguous ops `ops` of the body of `parent` into a new private
/// function `name` (made unique in `symbols`), inserted before `parent`, and
/// replaces them with a call: values they use from before become arguments
/// (in order of first use; constant-like ops are cloned instead, so that the
/// new function sees the constants), values used after become results.
mlir::func::FuncOp outlineOps(mlir::func::FuncOp parent,
                              llvm::ArrayRef<mlir::Operation *> ops,
                              llvm::StringRef name, mlir::SymbolTable &symbols);

} // namespace rev

#endif // REV_UTILS_OUTLINE_H
