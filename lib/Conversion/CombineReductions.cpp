//===- CombineReductions.cpp - one reduction for a chain of reduce_sums ---===//
//
// rev-combine-reductions: TOSA reduces one axis at a time, so a sum over
// several axes (BatchNorm's statistics: batch, height, width) is a chain of
// tosa.reduce_sum ops, each a pass over memory and, on a GPU, a kernel. A
// chain whose intermediate results have no other use becomes one
// linalg.reduce over all its axes, reshaped to the chain's result.
//
//===----------------------------------------------------------------------===//

#include "rev/Conversion/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVCOMBINEREDUCTIONS
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

struct RevCombineReductionsPass
    : public rev::impl::RevCombineReductionsBase<RevCombineReductionsPass> {
  void runOnOperation() override {
    // The last reduce_sum of each chain: its input is a reduce_sum with no
    // other use, and its result is not such an input.
    auto chainInput = [](tosa::ReduceSumOp op) -> tosa::ReduceSumOp {
      auto in = op.getInput().getDefiningOp<tosa::ReduceSumOp>();
      return in && in->hasOneUse() ? in : nullptr;
    };
    SmallVector<tosa::ReduceSumOp> lasts;
    getOperation().walk([&](tosa::ReduceSumOp op) {
      bool feedsChain =
          op->hasOneUse() && isa<tosa::ReduceSumOp>(*op->user_begin());
      if (chainInput(op) && !feedsChain)
        lasts.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (tosa::ReduceSumOp last : lasts) {
      SmallVector<int64_t> axes;
      SmallVector<tosa::ReduceSumOp> chain; // (last first)
      for (tosa::ReduceSumOp op = last; op; op = chainInput(op)) {
        axes.push_back(op.getAxis());
        chain.push_back(op);
      }
      tosa::ReduceSumOp first = chain.back();
      llvm::sort(axes);
      Value input = first.getInput();
      auto inType = dyn_cast<RankedTensorType>(input.getType());
      auto outType = dyn_cast<RankedTensorType>(last.getType());
      if (!inType || !outType || !inType.hasStaticShape() ||
          !outType.hasStaticShape() ||
          std::adjacent_find(axes.begin(), axes.end()) != axes.end())
        continue;
      Type element = inType.getElementType();
      if (!isa<FloatType, IntegerType>(element))
        continue;
      SmallVector<int64_t> kept;
      for (int64_t d = 0; d < inType.getRank(); ++d)
        if (!llvm::is_contained(axes, d))
          kept.push_back(inType.getDimSize(d));
      auto reducedType = RankedTensorType::get(kept, element);
      auto reassociation =
          getReassociationIndicesForReshape(reducedType, outType);
      if (!reassociation)
        continue;
      Location loc = last.getLoc();
      rewriter.setInsertionPoint(last);
      Value init = tensor::EmptyOp::create(rewriter, loc, kept, element);
      Value zero = arith::ConstantOp::create(rewriter, loc, element,
                                             rewriter.getZeroAttr(element));
      Value filled =
          linalg::FillOp::create(rewriter, loc, zero, init).getResult(0);
      auto reduce = linalg::ReduceOp::create(
          rewriter, loc, ValueRange{input}, ValueRange{filled}, axes,
          [&](OpBuilder &b, Location l, ValueRange args) {
            Value sum =
                isa<FloatType>(element)
                    ? arith::AddFOp::create(b, l, args[0], args[1]).getResult()
                    : arith::AddIOp::create(b, l, args[0], args[1]).getResult();
            linalg::YieldOp::create(b, l, sum);
          });
      Value result = tensor::ExpandShapeOp::create(
          rewriter, loc, outType, reduce.getResult(0), *reassociation);
      rewriter.replaceOp(last, result);
      // (the rest of the chain, each now unused once the one after it is
      // gone)
      for (tosa::ReduceSumOp op : ArrayRef(chain).drop_front())
        rewriter.eraseOp(op);
      ++numCombined;
    }
  }
};

} // namespace
