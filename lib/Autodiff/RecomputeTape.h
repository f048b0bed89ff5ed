//===- RecomputeTape.h - recompute cheap tape entries -----------*- C++ -*-===//
//
// Internal to rev-differentiate: see RecomputeTape.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef REV_LIB_AUTODIFF_RECOMPUTETAPE_H
#define REV_LIB_AUTODIFF_RECOMPUTETAPE_H

#include "rev/Analysis/Availability.h"

#include "mlir/IR/Block.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

namespace rev {

/// Removes from the tape (`tapeValues`, forward values, and `tapeArgs`, the
/// backward's arguments for them) the entries that a few cheap elementwise
/// ops rebuild from entries that stay, the forward's arguments (for which
/// `forwardArgument` gives the backward's value) and recomputable values;
/// rebuilds them in `backward` before their first use. Returns how many
/// entries it removed.
unsigned recomputeCheapTapeEntries(
    mlir::Block &forward, mlir::Block &backward, ValueClassifier &classes,
    llvm::SmallVectorImpl<mlir::Value> &tapeValues,
    llvm::SmallVectorImpl<mlir::BlockArgument> &tapeArgs,
    llvm::function_ref<mlir::Value(mlir::BlockArgument)> forwardArgument,
    bool segments = false);

} // namespace rev

#endif // REV_LIB_AUTODIFF_RECOMPUTETAPE_H
