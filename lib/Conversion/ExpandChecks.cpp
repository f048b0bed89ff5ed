//===- ExpandChecks.cpp - run-time range checks to code -------------------===//
//
// rev-expand-checks: rev.check_range %x in [lo, hi) becomes min and max of %x
// (one reduction), a rev.report_range of them, and %x clamped to the range,
// which is what the op returns.
// rev-lower-check-reports (CPU, on buffers): rev.report_range becomes a call
// of rev_check_failed(id, offending value) when either lies outside.
//
//===----------------------------------------------------------------------===//

#include "LinalgBuilders.h"
#include "rev/Conversion/Passes.h"
#include "rev/Dialect/Rev/IR/RevOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVEXPANDCHECKS
#define GEN_PASS_DEF_REVLOWERCHECKREPORTS
#include "rev/Conversion/Passes.h.inc"

} // namespace rev

namespace {

/// Provided by the caller: rev-run's JIT, the ahead-of-time runtime.
constexpr llvm::StringLiteral kCheckFailedFunction = "rev_check_failed";

/// rev.report_range of the smallest and largest element of `input`.
void reportMinMax(OpBuilder &b, Location loc, Value input, rev::CheckRangeOp op,
                  int64_t id) {
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
  rev::ReportRangeOp::create(b, loc, minMax.getResult(0), minMax.getResult(1),
                             op.getLowerAttr(), op.getUpperAttr(),
                             b.getI64IntegerAttr(id));
}

void expand(rev::CheckRangeOp op, bool report) {
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
    reportMinMax(b, loc, input, op, idAttr.getInt());
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
    // Numbered already by rev-annotate-abi (the lowering pipelines' first
    // step); numbered here when the pass runs on its own (or a check came
    // later).
    if (llvm::any_of(checks, [](rev::CheckRangeOp op) {
          return !op->hasAttr(rev::kCheckIdAttr);
        }))
      rev::numberRuntimeChecks(module);
    for (rev::CheckRangeOp op : checks)
      expand(op, report);
  }
};

/// if (min < lower || max >= upper)
///   rev_check_failed(check, min < lower ? min : max)
void lowerReport(rev::ReportRangeOp op, func::FuncOp callee) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value mn = memref::LoadOp::create(b, loc, op.getMin());
  Value mx = memref::LoadOp::create(b, loc, op.getMax());
  auto et = cast<IntegerType>(mn.getType());
  Value lo = arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(et, op.getLowerBound()));
  Value hiIncl = arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(et, op.getUpperBound() - 1));
  Value below =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, mn, lo);
  Value above =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, mx, hiIncl);
  Value bad = arith::OrIOp::create(b, loc, below, above);
  auto ifOp = scf::IfOp::create(b, loc, bad, /*withElseRegion=*/false);
  OpBuilder tb = ifOp.getThenBodyBuilder();
  Value value = arith::SelectOp::create(tb, loc, below, mn, mx);
  if (et.getWidth() < 64)
    value = arith::ExtSIOp::create(tb, loc, tb.getI64Type(), value);
  Value id = arith::ConstantOp::create(tb, loc, op.getCheckAttr());
  func::CallOp::create(tb, loc, callee, ValueRange{id, value});
  op.erase();
}

struct RevLowerCheckReportsPass
    : public rev::impl::RevLowerCheckReportsBase<RevLowerCheckReportsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<rev::ReportRangeOp> reports;
    bool onTensors = false;
    module.walk([&](rev::ReportRangeOp op) {
      if (isa<TensorType>(op.getMin().getType())) {
        op.emitOpError("on tensors: bufferize before rev-lower-check-reports");
        onTensors = true;
      }
      reports.push_back(op);
    });
    if (onTensors)
      return signalPassFailure();
    if (reports.empty())
      return;
    auto callee = module.lookupSymbol<func::FuncOp>(kCheckFailedFunction);
    if (!callee) {
      OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
      Type i64 = b.getI64Type();
      callee = func::FuncOp::create(b, module.getLoc(), kCheckFailedFunction,
                                    b.getFunctionType({i64, i64}, {}));
      callee.setPrivate();
    }
    for (rev::ReportRangeOp op : reports)
      lowerReport(op, callee);
  }
};

} // namespace
