//===- GPUMergeReductions.cpp - one reduction for a chain of them ---------===//
//
// rev-gpu-merge-reductions (see its description in Passes.td): a chain of
// TOSA reductions of one kind over neighbouring axes (BatchNorm's statistics
// are three `tosa.reduce_sum`s, over N, H and W) becomes one reduction over
// the axes collapsed into one, which rev-gpu-block-reductions then computes
// in one kernel with a block of threads per result.
//
//===----------------------------------------------------------------------===//

#include "rev/Conversion/Passes.h"
#include "rev/Utils/TosaBuilder.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Builders.h"

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVGPUMERGEREDUCTIONS
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

/// The axis of a TOSA reduction of a kind we merge, or -1.
int64_t reductionAxis(Operation *op) {
  if (auto sum = dyn_cast<tosa::ReduceSumOp>(op))
    return sum.getAxis();
  if (auto max = dyn_cast<tosa::ReduceMaxOp>(op))
    return max.getAxis();
  if (auto min = dyn_cast<tosa::ReduceMinOp>(op))
    return min.getAxis();
  return -1;
}

/// Whether `op` is one of a chain of reductions of its kind whose input is
/// that chain's previous link, used by it only.
Operation *previousLink(Operation *op) {
  Operation *input = op->getOperand(0).getDefiningOp();
  if (!input || input->getName() != op->getName() || !input->hasOneUse() ||
      reductionAxis(input) < 0)
    return nullptr;
  // (max/min: the NaN propagation mode must agree)
  if (input->getAttr("nan_mode") != op->getAttr("nan_mode"))
    return nullptr;
  return input;
}

struct RevGPUMergeReductionsPass
    : public rev::impl::RevGPUMergeReductionsBase<RevGPUMergeReductionsPass> {
  void runOnOperation() override {
    // The chains' last links: reductions that no reduction of their kind
    // continues.
    SmallVector<Operation *> lasts;
    getOperation().walk([&](Operation *op) {
      if (reductionAxis(op) < 0)
        return;
      bool continued = op->hasOneUse() && previousLink(*op->user_begin());
      if (!continued && previousLink(op))
        lasts.push_back(op);
    });
    OpBuilder b(&getContext());
    for (Operation *last : lasts) {
      SmallVector<Operation *> chain{last};
      while (Operation *previous = previousLink(chain.back()))
        chain.push_back(previous);
      Value input = chain.back()->getOperand(0);
      auto inputType = cast<RankedTensorType>(input.getType());
      auto resultType = cast<RankedTensorType>(last->getResult(0).getType());
      if (!inputType.hasStaticShape())
        continue;
      llvm::SmallDenseSet<int64_t> axes;
      for (Operation *link : chain)
        axes.insert(reductionAxis(link));
      int64_t lo = *llvm::min_element(axes), hi = *llvm::max_element(axes);
      // Axes that are not neighbours would need a transposition (a copy):
      // left as they are.
      if (hi - lo + 1 != static_cast<int64_t>(axes.size()))
        continue;
      ArrayRef<int64_t> shape = inputType.getShape();
      SmallVector<int64_t> collapsed(shape.take_front(lo));
      int64_t size = 1;
      for (int64_t axis = lo; axis <= hi; ++axis)
        size *= shape[axis];
      collapsed.push_back(size);
      llvm::append_range(collapsed, shape.drop_front(hi + 1));

      b.setInsertionPoint(last);
      rev::TosaBuilder t(b, last->getLoc());
      Value reshaped = t.reshape(input, collapsed);
      collapsed[lo] = 1;
      auto reducedType =
          RankedTensorType::get(collapsed, inputType.getElementType());
      OperationState state(last->getLoc(), last->getName());
      state.addOperands(reshaped);
      state.addTypes(reducedType);
      state.addAttributes(last->getAttrs());
      state.attributes.set("axis", b.getI32IntegerAttr(lo));
      Operation *merged = b.create(state);
      Value result = t.reshape(merged->getResult(0), resultType.getShape());
      last->getResult(0).replaceAllUsesWith(result);
      for (Operation *link : chain)
        link->erase();
      ++numMerged;
    }
  }
};

} // namespace
