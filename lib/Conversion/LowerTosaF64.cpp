//===- LowerTosaF64.cpp - f64 convolutions and pools to linalg ------------===//

#include "rev/Conversion/Passes.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <limits>

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVLOWERTOSAF64
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

bool isF64(Value v) {
  return cast<ShapedType>(v.getType()).getElementType().isF64();
}

/// Pads the H and W dims of an NHWC tensor with `value`.
Value padHW(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> pad,
            double value) {
  if (llvm::all_of(pad, [](int64_t p) { return p == 0; }))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape[1] += pad[0] + pad[1];
  shape[2] += pad[2] + pad[3];
  Value pv = arith::ConstantOp::create(
      b, loc, b.getFloatAttr(type.getElementType(), value));
  SmallVector<OpFoldResult> low = {b.getIndexAttr(0), b.getIndexAttr(pad[0]),
                                   b.getIndexAttr(pad[2]), b.getIndexAttr(0)};
  SmallVector<OpFoldResult> high = {b.getIndexAttr(0), b.getIndexAttr(pad[1]),
                                    b.getIndexAttr(pad[3]), b.getIndexAttr(0)};
  return tensor::PadOp::create(b, loc, type.clone(shape), input, low, high, pv);
}

/// A tensor of `type` holding `bias` (shape [C] or [1]) along the last dim.
Value broadcastLastDim(OpBuilder &b, Location loc, Value bias,
                       RankedTensorType type) {
  int64_t rank = type.getRank();
  Value init = tensor::EmptyOp::create(b, loc, type.getShape(),
                                       type.getElementType());
  auto biasType = cast<RankedTensorType>(bias.getType());
  AffineExpr last = biasType.getDimSize(0) == 1
                        ? b.getAffineConstantExpr(0)
                        : b.getAffineDimExpr(rank - 1);
  SmallVector<AffineMap> maps = {
      AffineMap::get(rank, 0, {last}, b.getContext()),
      b.getMultiDimIdentityMap(rank)};
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, type, ValueRange{bias}, ValueRange{init}, maps, iters,
             [](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(nb, nl, args[0]);
             })
      .getResult(0);
}

struct Conv2DF64 : public OpRewritePattern<tosa::Conv2DOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::Conv2DOp op,
                                PatternRewriter &rewriter) const override {
    if (!isF64(op.getInput()))
      return rewriter.notifyMatchFailure(op, "not f64");
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Value input = padHW(rewriter, loc, op.getInput(), op.getPad(), 0.0);
    Value init = broadcastLastDim(rewriter, loc, op.getBias(), type);
    auto conv = linalg::Conv2DNhwcFhwcOp::create(
        rewriter, loc, type, ValueRange{input, op.getWeight()},
        ValueRange{init}, rewriter.getI64TensorAttr(op.getStride()),
        rewriter.getI64TensorAttr(op.getDilation()));
    rewriter.replaceOp(op, conv.getResult(0));
    return success();
  }
};

struct DepthwiseConv2DF64 : public OpRewritePattern<tosa::DepthwiseConv2DOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::DepthwiseConv2DOp op,
                                PatternRewriter &rewriter) const override {
    if (!isF64(op.getInput()))
      return rewriter.notifyMatchFailure(op, "not f64");
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    auto wType = cast<RankedTensorType>(op.getWeight().getType());
    int64_t c = wType.getDimSize(2), m = wType.getDimSize(3);
    Value input = padHW(rewriter, loc, op.getInput(), op.getPad(), 0.0);
    // [N, H, W, C, M], zero-initialized, then bias added after collapsing.
    SmallVector<int64_t> wideShape(type.getShape().drop_back());
    wideShape.append({c, m});
    auto wideType = type.clone(wideShape);
    Value zero = arith::ConstantOp::create(
        rewriter, loc, rewriter.getFloatAttr(type.getElementType(), 0.0));
    Value empty = tensor::EmptyOp::create(rewriter, loc, wideShape,
                                          type.getElementType());
    Value init = linalg::FillOp::create(rewriter, loc, zero, empty).getResult(0);
    Value wide = linalg::DepthwiseConv2DNhwcHwcmOp::create(
                     rewriter, loc, wideType, ValueRange{input, op.getWeight()},
                     ValueRange{init}, rewriter.getI64TensorAttr(op.getStride()),
                     rewriter.getI64TensorAttr(op.getDilation()))
                     .getResult(0);
    Value collapsed = tensor::CollapseShapeOp::create(
        rewriter, loc, type, wide,
        SmallVector<ReassociationIndices>{{0}, {1}, {2}, {3, 4}});
    Value bias = broadcastLastDim(rewriter, loc, op.getBias(), type);
    Value sum = linalg::AddOp::create(rewriter, loc, type,
                                      ValueRange{collapsed, bias},
                                      ValueRange{bias})
                    .getResult(0);
    rewriter.replaceOp(op, sum);
    return success();
  }
};

struct AvgPool2DF64 : public OpRewritePattern<tosa::AvgPool2dOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::AvgPool2dOp op,
                                PatternRewriter &rewriter) const override {
    if (!isF64(op.getInput()))
      return rewriter.notifyMatchFailure(op, "not f64");
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    Type et = type.getElementType();
    Value zero =
        arith::ConstantOp::create(rewriter, loc, rewriter.getFloatAttr(et, 0.0));
    auto sumPool = [&](Value in, RankedTensorType outType) {
      Value empty = tensor::EmptyOp::create(rewriter, loc, outType.getShape(), et);
      Value init = linalg::FillOp::create(rewriter, loc, zero, empty).getResult(0);
      Value window = tensor::EmptyOp::create(rewriter, loc, op.getKernel(), et);
      return linalg::PoolingNhwcSumOp::create(
                 rewriter, loc, outType, ValueRange{in, window},
                 ValueRange{init}, rewriter.getI64TensorAttr(op.getStride()),
                 rewriter.getI64TensorAttr({1, 1}))
          .getResult(0);
    };
    Value sum = sumPool(padHW(rewriter, loc, op.getInput(), op.getPad(), 0.0),
                        type);
    // The divisor counts the input elements under each window (padding
    // excluded): the same pool over padded ones.
    auto onesType =
        RankedTensorType::get({1, inType.getDimSize(1), inType.getDimSize(2), 1}, et);
    Value ones = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(onesType, rewriter.getFloatAttr(et, 1.0)));
    auto countType = RankedTensorType::get(
        {1, type.getDimSize(1), type.getDimSize(2), 1}, et);
    Value count = sumPool(padHW(rewriter, loc, ones, op.getPad(), 0.0), countType);
    int64_t rank = 4;
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr d1 = getAffineDimExpr(1, ctx), d2 = getAffineDimExpr(2, ctx);
    AffineExpr c0 = getAffineConstantExpr(0, ctx);
    SmallVector<AffineMap> maps = {
        rewriter.getMultiDimIdentityMap(rank),
        AffineMap::get(rank, 0, {c0, d1, d2, c0}, ctx),
        rewriter.getMultiDimIdentityMap(rank)};
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    Value out = tensor::EmptyOp::create(rewriter, loc, type.getShape(), et);
    Value avg = linalg::GenericOp::create(
                    rewriter, loc, type, ValueRange{sum, count}, ValueRange{out},
                    maps, iters,
                    [](OpBuilder &nb, Location nl, ValueRange args) {
                      Value q = arith::DivFOp::create(nb, nl, args[0], args[1]);
                      linalg::YieldOp::create(nb, nl, q);
                    })
                    .getResult(0);
    rewriter.replaceOp(op, avg);
    return success();
  }
};

struct MaxPool2DF64 : public OpRewritePattern<tosa::MaxPool2dOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::MaxPool2dOp op,
                                PatternRewriter &rewriter) const override {
    if (!isF64(op.getInput()))
      return rewriter.notifyMatchFailure(op, "not f64");
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Type et = type.getElementType();
    double lowest = -std::numeric_limits<double>::infinity();
    Value input = padHW(rewriter, loc, op.getInput(), op.getPad(), lowest);
    Value init = arith::ConstantOp::create(rewriter, loc,
                                           rewriter.getFloatAttr(et, lowest));
    Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(), et);
    Value filled = linalg::FillOp::create(rewriter, loc, init, empty).getResult(0);
    Value window = tensor::EmptyOp::create(rewriter, loc, op.getKernel(), et);
    Value r = linalg::PoolingNhwcMaxOp::create(
                  rewriter, loc, type, ValueRange{input, window},
                  ValueRange{filled}, rewriter.getI64TensorAttr(op.getStride()),
                  rewriter.getI64TensorAttr({1, 1}))
                  .getResult(0);
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct RevLowerTosaF64Pass
    : public rev::impl::RevLowerTosaF64Base<RevLowerTosaF64Pass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<Conv2DF64, DepthwiseConv2DF64, AvgPool2DF64, MaxPool2DF64>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
