//===- GPUHostKernels.cpp - host code that touches memory into kernels ----===//
//
// rev-gpu-host-kernels, after rev-gpu-prepare and the canonicalization that
// folds its loops' bounds (which would also inline a one-iteration loop made
// earlier), before the tiling and mapping of parallel loops: the code left
// on the host that reads or writes buffers (serial loops of full
// reductions; 0-d linalg ops, which become plain loads and stores) is
// wrapped in one-iteration scf.parallel loops, one-thread kernels later.
// The host then touches no memory between launches: it waits for none of
// them, and a step can be captured into a CUDA graph.
//
//===----------------------------------------------------------------------===//

#include "rev/Conversion/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVGPUHOSTKERNELS
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

/// Whether `op` is a serial loop of scalar code: no parallel loop, GPU op
/// or allocation inside, and only scalars carried.
bool isScalarLoop(Operation *op) {
  auto loop = dyn_cast<scf::ForOp>(op);
  if (!loop || !llvm::all_of(loop.getResultTypes(),
                             [](Type t) { return t.isIntOrIndexOrFloat(); }))
    return false;
  WalkResult result = loop.getBody()->walk([](Operation *inner) {
    return isa<scf::ParallelOp, memref::AllocOp, memref::DeallocOp>(inner) ||
                   isa<gpu::GPUDialect>(inner->getDialect())
               ? WalkResult::interrupt()
               : WalkResult::advance();
  });
  return !result.wasInterrupted();
}

/// Whether `op` belongs to a run of host scalar code: a load or store, a
/// scalar arith or math op, or a serial loop of such code. (Constants are
/// left where they are: other code uses them too.)
bool isScalarCode(Operation *op) {
  if (isa<memref::LoadOp, memref::StoreOp>(op) || isScalarLoop(op))
    return true;
  if (!isa<arith::ArithDialect, math::MathDialect>(op->getDialect()) ||
      isa<arith::ConstantOp>(op) || op->getNumRegions() != 0)
    return false;
  return llvm::all_of(op->getResultTypes(),
                      [](Type t) { return t.isIntOrIndexOrFloat(); });
}

struct RevGPUHostKernelsPass
    : public rev::impl::RevGPUHostKernelsBase<RevGPUHostKernelsPass> {
  void runOnOperation() override {
    OpBuilder b(&getContext());
    for (Block &block : getOperation().getBody())
      wrapScalarRuns(b, block);
  }

  /// Moves each run of consecutive top-level scalar code of `block` that
  /// touches memory, and whose values nothing after it uses, into a
  /// one-iteration scf.parallel. The loop goes after the run's last op, so
  /// that constants defined between its ops still dominate it.
  void wrapScalarRuns(OpBuilder &b, Block &block) {
    SmallVector<SmallVector<Operation *>> runs;
    SmallVector<Operation *> run;
    auto flush = [&] {
      bool touchesMemory = llvm::any_of(run, [](Operation *op) {
        return isa<memref::LoadOp, memref::StoreOp, scf::ForOp>(op);
      });
      llvm::SmallPtrSet<Operation *, 8> inRun(run.begin(), run.end());
      bool usedAfter = llvm::any_of(run, [&](Operation *op) {
        return llvm::any_of(op->getUsers(), [&](Operation *user) {
          return !inRun.contains(block.findAncestorOpInBlock(*user));
        });
      });
      if (touchesMemory && !usedAfter)
        runs.push_back(run);
      else if (touchesMemory)
        ++numLeft;
      run.clear();
    };
    for (Operation &op : block) {
      if (isScalarCode(&op))
        run.push_back(&op);
      else if (!isa<arith::ConstantOp>(op))
        flush();
    }
    flush();
    for (ArrayRef<Operation *> ops : runs) {
      Location loc = ops.front()->getLoc();
      b.setInsertionPointAfter(ops.back());
      Value zero = arith::ConstantIndexOp::create(b, loc, 0);
      Value one = arith::ConstantIndexOp::create(b, loc, 1);
      auto wrapper = scf::ParallelOp::create(b, loc, ValueRange{zero},
                                             ValueRange{one}, ValueRange{one});
      for (Operation *op : ops)
        op->moveBefore(wrapper.getBody()->getTerminator());
      ++numWrapped;
    }
  }
};

} // namespace
