//===- RecomputeTape.h - recompute cheap tape entries -----------*- C++ -*-===//
//
// The step of rev-differentiate that drops tape entries a few cheap ops
// rebuild from others (lib/Autodiff/RecomputeTape.cpp), also run by
// rev-reconstruct-activations once the tops of the reversible runs are on
// the tape.
//
//===----------------------------------------------------------------------===//

#ifndef REV_AUTODIFF_RECOMPUTETAPE_H
#define REV_AUTODIFF_RECOMPUTETAPE_H

#include "rev/Analysis/Availability.h"

#include "mlir/IR/Block.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

namespace rev {

/// What may be recomputed besides cheap elementwise ops.
struct RecomputeTapeOptions {
  /// Entries of 4 KiB or more may be rebuilt through convolutions, matmuls,
  /// pooling and reductions (a non-invertible segment, within 32 ops, each
  /// counted once; the rebuilds of a segment share what they compute).
  bool segments = false;
  /// Any entry may be rebuilt through reductions and concatenations (the
  /// statistics of a normalization over stored values).
  bool reductions = false;
  /// Erase the backward block's arguments of the dropped entries (false:
  /// leave them unused, for a caller that updates the function's type).
  bool eraseArguments = true;
};

/// Removes from the tape (`tapeValues`, forward values, and `tapeArgs`, the
/// backward's arguments for them) the entries that a few cheap elementwise
/// ops rebuild from entries that stay, the forward's arguments (for which
/// `forwardArgument` gives the backward's value, passing it through if
/// needed) and recomputable values; rebuilds them in `backward`
/// before their first use. Returns how many entries it removed.
unsigned recomputeCheapTapeEntries(
    mlir::Block &forward, mlir::Block &backward, ValueClassifier &classes,
    llvm::SmallVectorImpl<mlir::Value> &tapeValues,
    llvm::SmallVectorImpl<mlir::BlockArgument> &tapeArgs,
    llvm::function_ref<mlir::Value(mlir::BlockArgument)> forwardArgument,
    const RecomputeTapeOptions &options = {});

/// Removes the entries `drop` selects from the tape (`tapeValues` and the
/// parallel `tapeArgs`), erasing their backward arguments from `backward`
/// when `eraseArguments`. Returns how many it removed.
unsigned
dropTapeEntries(mlir::Block &backward,
                llvm::SmallVectorImpl<mlir::Value> &tapeValues,
                llvm::SmallVectorImpl<mlir::BlockArgument> &tapeArgs,
                llvm::function_ref<bool(mlir::Value, mlir::BlockArgument)> drop,
                bool eraseArguments = true);

} // namespace rev

#endif // REV_AUTODIFF_RECOMPUTETAPE_H
