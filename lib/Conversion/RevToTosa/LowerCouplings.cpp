//===- LowerCouplings.cpp - expand rev couplings into TOSA ----------------===//

#include "rev/Conversion/Passes.h"
#include "rev/Dialect/Rev/IR/RevContract.h"
#include "rev/Dialect/Rev/IR/RevOps.h"
#include "rev/Utils/RegionUtils.h"
#include "rev/Utils/TosaBuilder.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVLOWERCOUPLINGS
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

struct RevLowerCouplingsPass
    : public rev::impl::RevLowerCouplingsBase<RevLowerCouplingsPass> {
  using Base::Base;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    // Post-order, so that couplings nested in F or G are expanded first and
    // the regions being inlined contain plain TOSA only.
    getOperation()->walk([&](Operation *op) {
      if (!isa<rev::CouplingOp, rev::AffineCouplingOp>(op) ||
          (onlyMarked && !op->hasAttr(rev::kStoreAttr)))
        return;
      rewriter.setInsertionPoint(op);
      rev::TosaBuilder tb(rewriter, op->getLoc());
      IRMapping mapping;
      SmallVector<Value> results;
      if (auto coupling = dyn_cast<rev::CouplingOp>(op)) {
        // y1 = x1 + F(x2); y2 = x2 + G(y1)
        Value f = rev::inlineRegion(rewriter, coupling.getF(),
                                    {coupling.getX2()}, mapping)[0];
        Value y1 = tb.add(coupling.getX1(), f);
        Value g =
            rev::inlineRegion(rewriter, coupling.getG(), {y1}, mapping)[0];
        Value y2 = tb.add(coupling.getX2(), g);
        results = {y1, y2};
      } else {
        // y1 = x1; y2 = x2 * S(x1) + T(x1)
        auto affine = cast<rev::AffineCouplingOp>(op);
        SmallVector<Value> st = rev::inlineRegion(rewriter, affine.getSt(),
                                                  {affine.getX1()}, mapping);
        Value y2 = tb.add(tb.mul(affine.getX2(), st[0]), st[1]);
        results = {affine.getX1(), y2};
      }
      rewriter.replaceOp(op, results);
    });
  }
};

} // namespace
