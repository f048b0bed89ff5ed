//===- DecomposeConvGradients.cpp - convolution gradients as TOSA ---------===//

#include "rev/Conversion/Passes.h"
#include "rev/Dialect/Rev/IR/RevOps.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVDECOMPOSECONVGRADIENTS
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

struct RevDecomposeConvGradientsPass
    : public rev::impl::RevDecomposeConvGradientsBase<
          RevDecomposeConvGradientsPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation()->walk([&](Operation *op) {
      rewriter.setInsertionPoint(op);
      Value replacement;
      if (auto data = dyn_cast<rev::Conv2DBackwardDataOp>(op))
        replacement = data.decompose(rewriter);
      else if (auto filter = dyn_cast<rev::Conv2DBackwardFilterOp>(op))
        replacement = filter.decompose(rewriter);
      else
        return;
      rewriter.replaceOp(op, replacement);
    });
  }
};

} // namespace
