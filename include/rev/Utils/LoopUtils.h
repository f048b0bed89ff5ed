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

/// Fuses the top-level scf.parallel loops of `region`'s blocks that have
/// the same iteration space and follow each other (upstream's
/// naivelyFuseParallelOps: a loop that reads a buffer the first one writes
/// must read it at the same indices; two allocations do not alias, function
/// arguments may; and, which upstream does not check, a loop that writes a
/// buffer the first one writes must write the same elements, or a subview
/// of it that shares no element with the first one's). Allocations
/// and frees between two such loops are moved
/// out of the way first (an allocation before the first, a free after the
/// second: the buffer lives one loop longer), and constant bounds become
/// one value each (fusion compares values). Repeats until nothing fuses.
void fuseParallelLoops(mlir::Region &region);

/// The buffer `v` is a view of (through subviews, reshapes, casts).
mlir::Value rootOf(mlir::Value v);

/// Whether `v` is an out-parameter of its function: an argument after those
/// its rev.abi lists (a result buffer, which the ABI's callers allocate
/// apart from the arguments and from each other).
bool isOutParam(mlir::Value v);

/// Whether two buffers may share memory: views of one buffer do; a fresh
/// allocation shares none with another buffer, nor does an out-parameter;
/// two other function arguments may, and so may a root that is neither (a
/// call's result, say) with anything.
bool mayAlias(mlir::Value a, mlir::Value b);

} // namespace rev

#endif // REV_UTILS_LOOPUTILS_H
