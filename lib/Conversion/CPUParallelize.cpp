//===- CPUParallelize.cpp - choose the loops that run on several threads --===//

#include "rev/Conversion/Passes.h"
#include "rev/Utils/LoopUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVCPUPARALLELIZE
#define GEN_PASS_DEF_REVHOISTOMPCAPTURES
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

/// Trip count of a loop dimension with constant bounds (1 if unknown).
uint64_t tripCount(Value lb, Value ub, Value step) {
  std::optional<int64_t> l = getConstantIntValue(lb);
  std::optional<int64_t> u = getConstantIntValue(ub);
  std::optional<int64_t> s = getConstantIntValue(step);
  if (!l || !u || !s || *s <= 0 || *u <= *l)
    return 1;
  return static_cast<uint64_t>((*u - *l + *s - 1) / *s);
}

/// Copies with fewer elements stay memref.copy.
constexpr int64_t kMinCopyElements = 32768;

uint64_t saturatingMul(uint64_t a, uint64_t b) {
  if (a != 0 && b > UINT64_MAX / a)
    return UINT64_MAX;
  return a * b;
}

uint64_t saturatingAdd(uint64_t a, uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

uint64_t regionWork(Region &region);

/// Estimated ops executed by one execution of `op`.
uint64_t opWork(Operation *op) {
  uint64_t trips = 1;
  if (auto loop = dyn_cast<scf::ForOp>(op)) {
    trips = tripCount(loop.getLowerBound(), loop.getUpperBound(),
                      loop.getStep());
  } else if (auto loop = dyn_cast<scf::ParallelOp>(op)) {
    for (auto [lb, ub, step] : llvm::zip(loop.getLowerBound(),
                                         loop.getUpperBound(),
                                         loop.getStep()))
      trips = saturatingMul(trips, tripCount(lb, ub, step));
  }
  uint64_t body = 0;
  for (Region &region : op->getRegions())
    body = saturatingAdd(body, regionWork(region));
  return saturatingAdd(1, saturatingMul(trips, body));
}

uint64_t regionWork(Region &region) {
  uint64_t work = 0;
  for (Block &block : region)
    for (Operation &op : block)
      work = saturatingAdd(work, opWork(&op));
  return work;
}

/// Replaces `loop` by serial scf.for loops, one per dimension, the first
/// outermost; reductions become iteration arguments combined in iteration
/// order.
void makeSerial(RewriterBase &rewriter, scf::ParallelOp loop) {
  rewriter.setInsertionPoint(loop);
  auto reduce = cast<scf::ReduceOp>(loop.getBody()->getTerminator());
  scf::LoopNest nest = scf::buildLoopNest(
      rewriter, loop.getLoc(), loop.getLowerBound(), loop.getUpperBound(),
      loop.getStep(), loop.getInitVals(),
      [&](OpBuilder &b, Location, ValueRange ivs,
          ValueRange partial) -> scf::ValueVector {
        IRMapping map;
        map.map(loop.getInductionVars(), ivs);
        for (Operation &op : loop.getBody()->without_terminator())
          b.clone(op, map);
        scf::ValueVector combined;
        for (auto [i, region] : llvm::enumerate(reduce.getReductions())) {
          Block &combiner = region.front();
          IRMapping args;
          args.map(combiner.getArgument(0), partial[i]);
          args.map(combiner.getArgument(1),
                   map.lookupOrDefault(reduce.getOperands()[i]));
          for (Operation &op : combiner.without_terminator())
            b.clone(op, args);
          auto ret = cast<scf::ReduceReturnOp>(combiner.getTerminator());
          combined.push_back(args.lookupOrDefault(ret.getResult()));
        }
        return combined;
      });
  rewriter.replaceOp(loop, nest.results);
}

/// Keeps the outer dimensions of `loop` parallel, as few as give at least
/// `minTasks` iterations, and makes the others serial loops inside. The
/// OpenMP lowering collapses all dimensions of a loop into one iteration
/// space and recomputes every index with divisions in each iteration, which
/// also keeps LLVM from vectorizing the innermost loop (measured: a
/// transpose 6x slower than the serial code).
void keepOuterDimsParallel(RewriterBase &rewriter, scf::ParallelOp loop,
                           uint64_t minTasks) {
  unsigned rank = loop.getNumLoops(), keep = 0;
  uint64_t tasks = 1;
  while (keep < rank && tasks < minTasks) {
    tasks = saturatingMul(tasks, tripCount(loop.getLowerBound()[keep],
                                           loop.getUpperBound()[keep],
                                           loop.getStep()[keep]));
    ++keep;
  }
  if (keep == rank)
    return;
  ValueRange lbs = loop.getLowerBound(), ubs = loop.getUpperBound(),
             steps = loop.getStep();
  Block *body = loop.getBody();
  SmallVector<Value> ivs = loop.getInductionVars();
  rewriter.setInsertionPoint(loop);
  scf::ParallelOp::create(
      rewriter, loop.getLoc(), lbs.take_front(keep), ubs.take_front(keep),
      steps.take_front(keep),
      [&](OpBuilder &b, Location loc, ValueRange outerIvs) {
        scf::buildLoopNest(
            b, loc, lbs.drop_front(keep), ubs.drop_front(keep),
            steps.drop_front(keep),
            [&](OpBuilder &ib, Location, ValueRange innerIvs) {
              IRMapping map;
              map.map(ValueRange(ivs).take_front(keep), outerIvs);
              map.map(ValueRange(ivs).drop_front(keep), innerIvs);
              for (Operation &op : body->without_terminator())
                ib.clone(op, map);
            });
      });
  rewriter.eraseOp(loop);
}

/// Clones the constants that `loop` uses from outside into its body. The
/// OpenMP lowering outlines the body into a function that receives every
/// value from outside through memory, where LLVM no longer sees constant
/// trip counts, strides and vectors (measured: twice the time of the serial
/// code for the 3x3 convolution on one thread).
void sinkConstants(scf::ParallelOp loop) {
  OpBuilder b = OpBuilder::atBlockBegin(loop.getBody());
  DenseMap<Operation *, Operation *> clones;
  loop.getBody()->walk([&](Operation *op) {
    for (OpOperand &use : op->getOpOperands()) {
      Operation *def = use.get().getDefiningOp();
      if (!def || !def->hasTrait<OpTrait::ConstantLike>() ||
          loop->isAncestor(def))
        continue;
      Operation *&clone = clones[def];
      if (!clone)
        clone = b.clone(*def);
      use.set(clone->getResult(cast<OpResult>(use.get()).getResultNumber()));
    }
  });
}

struct RevCPUParallelizePass
    : public rev::impl::RevCPUParallelizeBase<RevCPUParallelizePass> {
  using Base::Base;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<scf::ForallOp> foralls;
    getOperation().walk([&](scf::ForallOp op) { foralls.push_back(op); });
    for (scf::ForallOp forall : foralls) {
      rewriter.setInsertionPoint(forall);
      if (failed(scf::forallToParallelLoop(rewriter, forall))) {
        forall.emitError("rev-cpu-parallelize: cannot turn this scf.forall "
                         "into a parallel loop (it has results: run the "
                         "pass after bufferization)");
        return signalPassFailure();
      }
    }

    // Large copies (of slices into padded buffers, of concatenated parts)
    // become loops too, instead of calls of MLIR's generic memrefCopy
    // (measured on the 3x3 convolution layer, one thread: 5.0 -> 3.7 ms).
    // Small ones stay calls: as loops, each would become a function of its
    // own in rev-outline-loops (measured on the depth-32 RevNet's training
    // step: 60% more functions, 50% longer lowering).
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp copy) {
      auto type = dyn_cast<MemRefType>(copy.getSource().getType());
      if (type && type.hasStaticShape() &&
          type.getNumElements() >= kMinCopyElements)
        copies.push_back(copy);
    });
    for (memref::CopyOp copy : copies)
      rev::copyToParallelLoop(rewriter, copy);

    // Outermost first: a loop nested in a kept one is always made serial.
    SmallVector<scf::ParallelOp> serial;
    getOperation().walk<WalkOrder::PreOrder>([&](scf::ParallelOp loop) {
      bool nested = loop->getParentOfType<scf::ParallelOp>() != nullptr;
      if (nested || minWork == 0 || loop.getNumResults() != 0 ||
          opWork(loop) < minWork)
        serial.push_back(loop);
    });
    // Innermost first: each loop's body is final when it is cloned.
    for (scf::ParallelOp loop : llvm::reverse(serial))
      makeSerial(rewriter, loop);
    SmallVector<scf::ParallelOp> kept;
    getOperation().walk([&](scf::ParallelOp loop) { kept.push_back(loop); });
    for (scf::ParallelOp loop : kept)
      keepOuterDimsParallel(rewriter, loop, /*minTasks=*/32);
    getOperation().walk([](scf::ParallelOp loop) { sinkConstants(loop); });
  }
};

struct RevHoistOMPCapturesPass
    : public rev::impl::RevHoistOMPCapturesBase<RevHoistOMPCapturesPass> {
  void runOnOperation() override {
    getOperation().walk([](omp::ParallelOp region) {
      // Pre-order: an extract from a hoisted extract is hoisted after it.
      SmallVector<LLVM::ExtractValueOp> extracts;
      region.getRegion().walk<WalkOrder::PreOrder>(
          [&](LLVM::ExtractValueOp op) { extracts.push_back(op); });
      for (LLVM::ExtractValueOp op : extracts)
        if (!region.getRegion().isAncestor(
                op.getContainer().getParentRegion()))
          op->moveBefore(region);
    });
  }
};

} // namespace
