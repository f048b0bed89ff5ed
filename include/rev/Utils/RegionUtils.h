//===- RegionUtils.h - helpers for rev regions ------------------*- C++ -*-===//

#ifndef REV_UTILS_REGIONUTILS_H
#define REV_UTILS_REGIONUTILS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Region.h"

namespace rev {

/// Clones the body of the single-block `region` at the builder's insertion
/// point with its arguments replaced by `args`, and returns the values its
/// terminator yields. Values used from above are looked up in `mapping`
/// (used as they are when absent); the clones are recorded in `mapping`.
llvm::SmallVector<mlir::Value> inlineRegion(mlir::OpBuilder &builder,
                                            mlir::Region &region,
                                            mlir::ValueRange args,
                                            mlir::IRMapping &mapping);

/// The first value `v` is computed from (`v` included) for which `isSource`
/// holds, or null: follows the operands of defining ops that `follow`
/// accepts, and the values their nested regions read from outside them.
mlir::Value findSource(mlir::Value v,
                       llvm::function_ref<bool(mlir::Value)> isSource,
                       llvm::function_ref<bool(mlir::Operation *)> follow);

} // namespace rev

#endif // REV_UTILS_REGIONUTILS_H
