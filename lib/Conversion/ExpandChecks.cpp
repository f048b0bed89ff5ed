//===- ExpandChecks.cpp - run-time range checks to code -------------------===//
//
// rev.check_range %x in [lo, hi) becomes: min and max of %x (one reduction),
// a call of rev_check_failed(id, offending value) when either lies outside,
// and %x clamped to the range, which is what the op returns.
//
//===----------------------------------------------------------------------===//

#include "LinalgBuilders.h"
#include "rev/Conversion/Passes.h"
#include "rev/Dialect/Rev/IR/RevOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVEXPANDCHECKS
#include "rev/Conversion/Passes.h.inc"

} // namespace rev

namespace {

/// Provided by the caller: rev-run's JIT, the ahead-of-time runtime.
constexpr llvm::StringLiteral kCheckFailedFunction = "rev_check_failed";

/// Calls `callee(id, value)` when an element of `input` lies outside [lo,
/// hiIncl], with the smallest element if it is below, else the largest.
void reportIfOutside(OpBuilder &b, Location loc, Value input, Value lo,
                     Value hiIncl, int64_t id, func::FuncOp callee) {
  auto et = cast<IntegerType>(
      cast<RankedTensorType>(input.getType()).getElementType());
  unsigned width = et.getWidth();
  int64_t maxValue = width >= 64 ? INT64_MAX : (int64_t(1) << (width - 1)) - 1;
  int64_t minValue = width >= 64 ? INT64_MIN : -(int64_t(1) << (width - 1));
  auto filled = [&](int64_t v) {
    Value empty = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{}, et);
    Value c = arith::ConstantOp::create(b, loc, b.getIntegerAttr(et, v));
    return linalg::FillOp::create(b, loc, ValueRange{c}, ValueRange{empty})
        .getResult(0);
  };
  auto minMax = rev::overAll(
      b, loc, input, {filled(maxValue), filled(minValue)}, /*reduce=*/true,
      [](OpBuilder &nb, Location nl, ValueRange args) {
        Value mn = arith::MinSIOp::create(nb, nl, args[0], args[1]);
        Value mx = arith::MaxSIOp::create(nb, nl, args[0], args[2]);
        linalg::YieldOp::create(nb, nl, ValueRange{mn, mx});
      });
  Value mn = tensor::ExtractOp::create(b, loc, minMax.getResult(0));
  Value mx = tensor::ExtractOp::create(b, loc, minMax.getResult(1));
  Value below =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, mn, lo);
  Value above =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, mx, hiIncl);
  Value bad = arith::OrIOp::create(b, loc, below, above);
  auto ifOp = scf::IfOp::create(b, loc, bad, /*withElseRegion=*/false);
  OpBuilder tb = ifOp.getThenBodyBuilder();
  Value value = arith::SelectOp::create(tb, loc, below, mn, mx);
  if (width < 64)
    value = arith::ExtSIOp::create(tb, loc, tb.getI64Type(), value);
  Value idValue = arith::ConstantOp::create(tb, loc, tb.getI64IntegerAttr(id));
  func::CallOp::create(tb, loc, callee, ValueRange{idValue, value});
}

void expand(rev::CheckRangeOp op, bool report, func::FuncOp callee) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value input = op.getInput();
  auto type = cast<RankedTensorType>(input.getType());
  auto et = cast<IntegerType>(type.getElementType());
  auto constant = [&](int64_t v) {
    return arith::ConstantOp::create(b, loc, b.getIntegerAttr(et, v));
  };
  Value lo = constant(op.getLowerBound());
  Value hiIncl = constant(op.getUpperBound() - 1);
  if (report) {
    auto idAttr = op->getAttrOfType<IntegerAttr>(rev::kCheckIdAttr);
    reportIfOutside(b, loc, input, lo, hiIncl, idAttr ? idAttr.getInt() : -1,
                    callee);
  }
  Value empty =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  auto clamp = rev::overAll(b, loc, input, {empty}, /*reduce=*/false,
                            [&](OpBuilder &nb, Location nl, ValueRange args) {
                              Value v =
                                  arith::MaxSIOp::create(nb, nl, args[0], lo);
                              v = arith::MinSIOp::create(nb, nl, v, hiIncl);
                              linalg::YieldOp::create(nb, nl, v);
                            });
  op.replaceAllUsesWith(clamp.getResult(0));
  op.erase();
}

struct RevExpandChecksPass
    : public rev::impl::RevExpandChecksBase<RevExpandChecksPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<rev::CheckRangeOp> checks;
    module.walk([&](rev::CheckRangeOp op) { checks.push_back(op); });
    if (checks.empty())
      return;
    if (!enable) {
      for (rev::CheckRangeOp op : checks) {
        op.replaceAllUsesWith(op.getInput());
        op.erase();
      }
      module->removeAttr(rev::kChecksAttr);
      return;
    }
    // Numbered already by rev-annotate-abi (rev-lower-cpu's first step);
    // number them here when the pass runs on its own.
    if (!checks.front()->hasAttr(rev::kCheckIdAttr))
      rev::numberRuntimeChecks(module);
    func::FuncOp callee;
    if (report) {
      callee = module.lookupSymbol<func::FuncOp>(kCheckFailedFunction);
      if (!callee) {
        OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
        Type i64 = b.getI64Type();
        callee = func::FuncOp::create(b, module.getLoc(),
                                      kCheckFailedFunction,
                                      b.getFunctionType({i64, i64}, {}));
        callee.setPrivate();
      }
    }
    for (rev::CheckRangeOp op : checks)
      expand(op, report, callee);
  }
};

} // namespace
