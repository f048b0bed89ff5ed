//===- GPUFuseElementwise.cpp - recompute cheap elementwise ops -----------===//
//
// rev-gpu-fuse-elementwise (see its description in Passes.td): elementwise
// linalg ops with several users are fused into each of them when their body
// is a few arithmetic ops, so that they take no kernel of their own.
//
//===----------------------------------------------------------------------===//

#include "rev/Conversion/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVGPUFUSEELEMENTWISE
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

struct RevGPUFuseElementwisePass
    : public rev::impl::RevGPUFuseElementwiseBase<RevGPUFuseElementwisePass> {
  using Base::Base;

  /// Whether `op` is elementwise arithmetic cheap enough to recompute in
  /// each of its users.
  bool isCheap(Operation *op) const {
    auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
    if (!generic || !generic.hasPureTensorSemantics() ||
        generic.getNumResults() != 1 ||
        generic.getNumParallelLoops() != generic.getNumLoops())
      return false;
    unsigned count = 0;
    for (Operation &inner : generic.getRegion().front().without_terminator()) {
      if (!isa<arith::ArithDialect>(inner.getDialect()))
        return false;
      ++count;
    }
    return count <= maxOps;
  }

  void runOnOperation() override {
    MLIRContext *context = &getContext();
    linalg::ControlFusionFn control = [this](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      if (!producer)
        return false;
      if (producer->hasOneUse())
        return true;
      // Several users: only if the producer is cheap and every user is a
      // linalg.generic that can take it in, so that it goes away.
      return isCheap(producer) &&
             llvm::all_of(producer->getUsers(), [](Operation *user) {
               return isa<linalg::GenericOp>(user);
             });
    };
    RewritePatternSet patterns(context);
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, context);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, context);
    if (failed(applyPatternsGreedily(
            getOperation(), std::move(patterns),
            GreedyRewriteConfig().setUseTopDownTraversal(true))))
      return signalPassFailure();
  }
};

} // namespace
