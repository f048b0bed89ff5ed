//===- LibraryCallLowering.h - calls of the runtime's kernels ---*- C++ -*-===//
//
// What rev-lower-library-calls (CPU) and rev-gpu-lower-library-calls share:
// the arguments of a call of a runtime kernel and its declaration.
//
//===----------------------------------------------------------------------===//

#ifndef REV_LIB_CONVERSION_LIBRARYCALLLOWERING_H
#define REV_LIB_CONVERSION_LIBRARYCALLLOWERING_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

namespace rev {

/// The callee of a run-time check's report on the GPU (rev-gpu-prepare),
/// followed by the indices' width: check_range_i64 (rev_cuda_check_range_i64
/// in rev's CUDA runtime).
inline constexpr llvm::StringLiteral kCheckRangeCallee = "check_range_i";

/// Each buffer cast to a memref of its rank with dynamic sizes, strides and
/// offset (one declaration serves every shape; a static layout restated with
/// constants), then `params` as i64 constants.
llvm::SmallVector<mlir::Value>
libraryCallArguments(mlir::OpBuilder &builder, mlir::Location loc,
                     llvm::ArrayRef<mlir::Value> buffers,
                     llvm::ArrayRef<int64_t> params);

/// The private function `name` of `call`'s module taking `argTypes` (C
/// interface), declared at the module's start if missing; an error on
/// `call` if it exists with other types.
mlir::FailureOr<mlir::func::FuncOp>
declareLibraryFunction(mlir::OpBuilder &builder, mlir::Operation *call,
                       llvm::StringRef name, mlir::TypeRange argTypes);

} // namespace rev

#endif // REV_LIB_CONVERSION_LIBRARYCALLLOWERING_H
