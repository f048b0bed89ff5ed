//===- LoopUtils.h - helpers for loops on buffers ---------------*- C++ -*-===//

#ifndef REV_UTILS_LOOPUTILS_H
#define REV_UTILS_LOOPUTILS_H

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace rev {

/// Replaces `copy` by an scf.parallel loop nest of element loads and stores
/// over the copied shape (one iteration for rank 0). Used where MLIR's
/// runtime `memrefCopy` (a serial, host-only library call for strided
/// copies) must not be called.
mlir::scf::ParallelOp copyToParallelLoop(mlir::OpBuilder &b,
                                         mlir::memref::CopyOp copy);

} // namespace rev

#endif // REV_UTILS_LOOPUTILS_H
