//===- FuseParallelLoops.cpp - rev-fuse-parallel-loops --------------------===//
//
// Fuses parallel loops with the same iteration space that follow each other
// (rev::fuseParallelLoops). rev-gpu-prepare does it on every function before
// collapsing the loops (fewer kernels); this pass does the same on its own,
// for the CPU pipeline (rev-lower-cpu fuse-loops) and tests.
//
//===----------------------------------------------------------------------===//

#include "rev/Conversion/Passes.h"
#include "rev/Utils/LoopUtils.h"

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVFUSEPARALLELLOOPS
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

struct RevFuseParallelLoopsPass
    : public rev::impl::RevFuseParallelLoopsBase<RevFuseParallelLoopsPass> {
  void runOnOperation() override {
    rev::fuseParallelLoops(getOperation().getBody());
  }
};

} // namespace
