//===- TosaVJPs.cpp - VJP rules of TOSA and rev ops -----------------------===//
//
// One rule per op, attached as external models of VJPOpInterface from
// registerVJPOpInterfaceExternalModels. Broadcast operands get their
// cotangent summed back to their shape.
//
//===----------------------------------------------------------------------===//

#include "rev/Autodiff/VJPOpInterface.h"

#include "rev/Dialect/Rev/IR/RevOps.h"
#include "rev/Utils/TosaBuilder.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Tosa/Utils/ConversionUtils.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/Matchers.h"

#include <cmath>
#include <limits>

using namespace mlir;

#include "rev/Autodiff/VJPOpInterface.cpp.inc"

namespace rev {
namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// Accumulates `grad` into `operand`, summing over broadcast dimensions.
void give(VJPContext &ctx, TosaBuilder &tb, Value operand, Value grad) {
  if (!grad || !ctx.needsGradient(operand))
    return;
  grad = tb.sumToShape(grad, typeOf(operand).getShape());
  if (grad.getType() != operand.getType())
    grad = tb.cast(grad, typeOf(operand).getElementType());
  ctx.accumulate(operand, grad);
}

SmallVector<int64_t> constShape(Value shape) {
  SmallVector<int64_t> values;
  bool ok = tosa::getConstShapeValues(shape.getDefiningOp(), values);
  assert(ok && "shape operands are tosa.const_shape");
  (void)ok;
  return values;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

LogicalResult vjpAdd(tosa::AddOp op, VJPContext &ctx, TosaBuilder &tb) {
  Value g = ctx.cotangent(0);
  give(ctx, tb, op.getInput1(), g);
  give(ctx, tb, op.getInput2(), g);
  return success();
}

LogicalResult vjpSub(tosa::SubOp op, VJPContext &ctx, TosaBuilder &tb) {
  Value g = ctx.cotangent(0);
  give(ctx, tb, op.getInput1(), g);
  if (ctx.needsGradient(op.getInput2()))
    give(ctx, tb, op.getInput2(), tb.neg(g));
  return success();
}

LogicalResult vjpMul(tosa::MulOp op, VJPContext &ctx, TosaBuilder &tb) {
  Value g = ctx.cotangent(0);
  if (ctx.needsGradient(op.getInput1()))
    give(ctx, tb, op.getInput1(), tb.mul(g, ctx.primal(op.getInput2())));
  if (ctx.needsGradient(op.getInput2()))
    give(ctx, tb, op.getInput2(), tb.mul(g, ctx.primal(op.getInput1())));
  return success();
}

LogicalResult vjpNegate(tosa::NegateOp op, VJPContext &ctx, TosaBuilder &tb) {
  give(ctx, tb, op.getInput1(), tb.neg(ctx.cotangent(0)));
  return success();
}

LogicalResult vjpReciprocal(tosa::ReciprocalOp op, VJPContext &ctx,
                            TosaBuilder &tb) {
  // d(1/x) = -1/x^2 = -y^2
  Value y = ctx.primal(op.getResult());
  give(ctx, tb, op.getInput1(), tb.neg(tb.mul(ctx.cotangent(0), tb.mul(y, y))));
  return success();
}

LogicalResult vjpRsqrt(tosa::RsqrtOp op, VJPContext &ctx, TosaBuilder &tb) {
  // d(x^-1/2) = -1/2 x^-3/2 = -1/2 y^3
  Value y = ctx.primal(op.getResult());
  Value y3 = tb.mul(tb.mul(y, y), y);
  give(ctx, tb, op.getInput1(),
       tb.mul(ctx.cotangent(0), tb.mul(y3, tb.scalarLike(y, -0.5))));
  return success();
}

LogicalResult vjpExp(tosa::ExpOp op, VJPContext &ctx, TosaBuilder &tb) {
  give(ctx, tb, op.getInput1(),
       tb.mul(ctx.cotangent(0), ctx.primal(op.getResult())));
  return success();
}

LogicalResult vjpLog(tosa::LogOp op, VJPContext &ctx, TosaBuilder &tb) {
  give(ctx, tb, op.getInput1(),
       tb.div(ctx.cotangent(0), ctx.primal(op.getInput1())));
  return success();
}

LogicalResult vjpSigmoid(tosa::SigmoidOp op, VJPContext &ctx,
                         TosaBuilder &tb) {
  Value y = ctx.primal(op.getResult());
  Value dy = tb.mul(y, tb.sub(tb.scalarLike(y, 1.0), y));
  give(ctx, tb, op.getInput(), tb.mul(ctx.cotangent(0), dy));
  return success();
}

LogicalResult vjpTanh(tosa::TanhOp op, VJPContext &ctx, TosaBuilder &tb) {
  Value y = ctx.primal(op.getResult());
  Value dy = tb.sub(tb.scalarLike(y, 1.0), tb.mul(y, y));
  give(ctx, tb, op.getInput(), tb.mul(ctx.cotangent(0), dy));
  return success();
}

LogicalResult vjpErf(tosa::ErfOp op, VJPContext &ctx, TosaBuilder &tb) {
  // d erf(x) = 2/sqrt(pi) exp(-x^2)
  Value x = ctx.primal(op.getInput());
  Value e = tb.exp(tb.neg(tb.mul(x, x)));
  Value d = tb.mul(e, tb.scalarLike(x, 2.0 / std::sqrt(M_PI)));
  give(ctx, tb, op.getInput(), tb.mul(ctx.cotangent(0), d));
  return success();
}

LogicalResult vjpAbs(tosa::AbsOp op, VJPContext &ctx, TosaBuilder &tb) {
  // sign(x), with sign(0) = 0 as in PyTorch.
  Value x = ctx.primal(op.getInput1());
  Value g = ctx.cotangent(0);
  Value zero = tb.scalarLike(x, 0.0);
  Value pos = tb.greater(x, zero), neg = tb.greater(zero, x);
  Value zeros = tb.splatLike(g, 0.0);
  Value r = tb.select(pos, g, tb.select(neg, tb.neg(g), zeros));
  give(ctx, tb, op.getInput1(), r);
  return success();
}

LogicalResult vjpPow(tosa::PowOp op, VJPContext &ctx, TosaBuilder &tb) {
  Value g = ctx.cotangent(0);
  Value a = ctx.primal(op.getInput1()), e = ctx.primal(op.getInput2());
  if (ctx.needsGradient(op.getInput1())) {
    // d a^e / da = e a^(e-1)
    Value d = tb.mul(e, tb.pow(a, tb.sub(e, tb.scalarLike(e, 1.0))));
    give(ctx, tb, op.getInput1(), tb.mul(g, d));
  }
  if (ctx.needsGradient(op.getInput2())) {
    // d a^e / de = a^e log(a)
    Value y = ctx.primal(op.getResult());
    give(ctx, tb, op.getInput2(), tb.mul(g, tb.mul(y, tb.log(a))));
  }
  return success();
}

LogicalResult vjpClamp(tosa::ClampOp op, VJPContext &ctx, TosaBuilder &tb) {
  auto minAttr = dyn_cast<FloatAttr>(op.getMinValAttr());
  auto maxAttr = dyn_cast<FloatAttr>(op.getMaxValAttr());
  // Integer values get no cotangent, so no integer clamp reaches its VJP.
  if (!minAttr || !maxAttr)
    llvm_unreachable("the VJP of an integer clamp");
  Value x = ctx.primal(op.getInput());
  Value g = ctx.cotangent(0);
  double lo = minAttr.getValueAsDouble(), hi = maxAttr.getValueAsDouble();
  Type et = typeOf(x).getElementType();
  bool isRelu = hi >= (et.isF64() ? std::numeric_limits<double>::max()
                                  : std::numeric_limits<float>::max());
  Value pass;
  if (isRelu) {
    // PyTorch's ReLU passes the gradient where x > 0. (Not where the output
    // y > 0: y is often the input of a reversible block and rebuilt by
    // inversion, and a rebuilt zero is +-1e-8, which would flip the mask.)
    pass = tb.greater(x, tb.scalarLike(x, lo));
  } else {
    // (one statement each: the ops' order must not depend on the order in
    // which a compiler evaluates arguments)
    Value belowHigh = tb.greaterEqual(tb.scalarLike(x, hi), x);
    Value aboveLow = tb.greaterEqual(x, tb.scalarLike(x, lo));
    pass = tb.logicalAnd(aboveLow, belowHigh);
  }
  give(ctx, tb, op.getInput(), tb.select(pass, g, tb.splatLike(g, 0.0)));
  return success();
}

template <typename OpTy, bool IsMax>
LogicalResult vjpMinMax(OpTy op, VJPContext &ctx, TosaBuilder &tb) {
  Value a = ctx.primal(op.getInput1()), b = ctx.primal(op.getInput2());
  Value g = ctx.cotangent(0);
  Value firstWins = IsMax ? tb.greaterEqual(a, b) : tb.greaterEqual(b, a);
  Value zeros = tb.splatLike(g, 0.0);
  give(ctx, tb, op.getInput1(), tb.select(firstWins, g, zeros));
  give(ctx, tb, op.getInput2(), tb.select(firstWins, zeros, g));
  return success();
}

LogicalResult vjpSelect(tosa::SelectOp op, VJPContext &ctx, TosaBuilder &tb) {
  Value c = ctx.primal(op.getInput1());
  Value g = ctx.cotangent(0);
  Value zeros = tb.splatLike(g, 0.0);
  if (ctx.needsGradient(op.getInput2()))
    give(ctx, tb, op.getInput2(), tb.select(c, g, zeros));
  if (ctx.needsGradient(op.getInput3()))
    give(ctx, tb, op.getInput3(), tb.select(c, zeros, g));
  return success();
}

LogicalResult vjpCast(tosa::CastOp op, VJPContext &ctx, TosaBuilder &tb) {
  if (!isa<FloatType>(typeOf(op.getInput()).getElementType()))
    return success();
  give(ctx, tb, op.getInput(), ctx.cotangent(0));
  return success();
}

LogicalResult vjpIdentity(tosa::IdentityOp op, VJPContext &ctx,
                          TosaBuilder &tb) {
  give(ctx, tb, op.getInput1(), ctx.cotangent(0));
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions and data movement
//===----------------------------------------------------------------------===//

LogicalResult vjpReduceSum(tosa::ReduceSumOp op, VJPContext &ctx,
                           TosaBuilder &tb) {
  give(ctx, tb, op.getInput(),
       tb.broadcastTo(ctx.cotangent(0), typeOf(op.getInput()).getShape()));
  return success();
}

LogicalResult vjpReduceMax(tosa::ReduceMaxOp op, VJPContext &ctx,
                           TosaBuilder &tb) {
  Value x = ctx.primal(op.getInput()), y = ctx.primal(op.getResult());
  Value hit = tb.equal(x, y);
  Value g = tb.broadcastTo(ctx.cotangent(0), typeOf(x).getShape());
  give(ctx, tb, op.getInput(), tb.select(hit, g, tb.splatLike(g, 0.0)));
  return success();
}

LogicalResult vjpReshape(tosa::ReshapeOp op, VJPContext &ctx,
                         TosaBuilder &tb) {
  give(ctx, tb, op.getInput1(),
       tb.reshape(ctx.cotangent(0), typeOf(op.getInput1()).getShape()));
  return success();
}

LogicalResult vjpTranspose(tosa::TransposeOp op, VJPContext &ctx,
                           TosaBuilder &tb) {
  ArrayRef<int32_t> perms = op.getPerms();
  SmallVector<int32_t> inverse(perms.size());
  for (auto [i, p] : llvm::enumerate(perms))
    inverse[p] = i;
  give(ctx, tb, op.getInput1(), tb.transpose(ctx.cotangent(0), inverse));
  return success();
}

LogicalResult vjpSlice(tosa::SliceOp op, VJPContext &ctx, TosaBuilder &tb) {
  SmallVector<int64_t> start = constShape(op.getStart());
  auto in = typeOf(op.getInput1()), out = typeOf(op.getResult());
  SmallVector<int64_t> padding;
  for (int64_t d = 0; d < in.getRank(); ++d) {
    padding.push_back(start[d]);
    padding.push_back(in.getDimSize(d) - start[d] - out.getDimSize(d));
  }
  give(ctx, tb, op.getInput1(), tb.pad(ctx.cotangent(0), padding));
  return success();
}

LogicalResult vjpPad(tosa::PadOp op, VJPContext &ctx, TosaBuilder &tb) {
  SmallVector<int64_t> padding = constShape(op.getPadding());
  auto in = typeOf(op.getInput1());
  SmallVector<int64_t> start;
  for (int64_t d = 0; d < in.getRank(); ++d)
    start.push_back(padding[2 * d]);
  give(ctx, tb, op.getInput1(),
       tb.slice(ctx.cotangent(0), start, in.getShape()));
  return success();
}

LogicalResult vjpConcat(tosa::ConcatOp op, VJPContext &ctx, TosaBuilder &tb) {
  int64_t axis = op.getAxis(), offset = 0;
  Value g = ctx.cotangent(0);
  for (Value in : op.getInput1()) {
    auto type = typeOf(in);
    if (ctx.needsGradient(in)) {
      SmallVector<int64_t> start(type.getRank(), 0);
      start[axis] = offset;
      give(ctx, tb, in, tb.slice(g, start, type.getShape()));
    }
    offset += type.getDimSize(axis);
  }
  return success();
}

LogicalResult vjpTile(tosa::TileOp op, VJPContext &ctx, TosaBuilder &tb) {
  SmallVector<int64_t> multiples = constShape(op.getMultiples());
  auto in = typeOf(op.getInput1());
  // [m0*d0, m1*d1, ...] -> [m0, d0, m1, d1, ...], summed over the m's.
  SmallVector<int64_t> split, axes;
  for (int64_t d = 0; d < in.getRank(); ++d) {
    split.push_back(multiples[d]);
    split.push_back(in.getDimSize(d));
    axes.push_back(2 * d);
  }
  Value g = tb.reduceSum(tb.reshape(ctx.cotangent(0), split), axes);
  give(ctx, tb, op.getInput1(), tb.reshape(g, in.getShape()));
  return success();
}

LogicalResult vjpReverse(tosa::ReverseOp op, VJPContext &ctx,
                         TosaBuilder &tb) {
  give(ctx, tb, op.getInput1(), tb.reverse(ctx.cotangent(0), op.getAxis()));
  return success();
}

LogicalResult vjpGather(tosa::GatherOp op, VJPContext &ctx, TosaBuilder &tb) {
  // d values[n, k, c] = sum_w [indices[n, w] == k] g[n, w, c]: a product with
  // the transposed one-hot matrix of the indices.
  auto values = typeOf(op.getValues());
  auto idxType = typeOf(op.getIndices());
  int64_t n = values.getDimSize(0), k = values.getDimSize(1);
  int64_t w = idxType.getDimSize(1);
  Value idx = tb.reshape(ctx.primal(op.getIndices()), {n, 1, w});
  SmallVector<int32_t> iota;
  for (int64_t i = 0; i < k; ++i)
    iota.push_back(i);
  auto iotaType = RankedTensorType::get({1, k, 1}, idxType.getElementType());
  Value ks = tb.constant(DenseElementsAttr::get(iotaType, ArrayRef(iota)));
  Value oneHot = tb.cast(tb.equal(idx, ks), values.getElementType()); // [n,k,w]
  give(ctx, tb, op.getValues(), tb.matmul(oneHot, ctx.cotangent(0)));
  return success();
}

LogicalResult vjpMatMul(tosa::MatMulOp op, VJPContext &ctx, TosaBuilder &tb) {
  Value g = ctx.cotangent(0);
  if (ctx.needsGradient(op.getA())) {
    Value bT = tb.transpose(ctx.primal(op.getB()), {0, 2, 1});
    give(ctx, tb, op.getA(), tb.matmul(g, bT));
  }
  if (ctx.needsGradient(op.getB())) {
    Value aT = tb.transpose(ctx.primal(op.getA()), {0, 2, 1});
    give(ctx, tb, op.getB(), tb.matmul(aT, g));
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Convolutions and pooling (NHWC)
//===----------------------------------------------------------------------===//

/// The bias cotangent: the sum of g over all but the channel dim.
void giveBias(VJPContext &ctx, TosaBuilder &tb, Value bias, Value g) {
  if (!ctx.needsGradient(bias))
    return;
  Value s = tb.reduceSum(g, ArrayRef<int64_t>{0, 1, 2});
  int64_t c = typeOf(s).getDimSize(3);
  s = tb.reshape(s, {c});
  if (typeOf(bias).getDimSize(0) == 1 && c != 1)
    s = tb.reshape(tb.reduceSum(s, 0), {1});
  give(ctx, tb, bias, s);
}

LogicalResult vjpConv2D(tosa::Conv2DOp op, VJPContext &ctx, TosaBuilder &tb) {
  Value g = ctx.cotangent(0);
  ArrayRef<int64_t> pad = op.getPad(), stride = op.getStride(),
                    dilation = op.getDilation();
  auto xType = typeOf(op.getInput()), wType = typeOf(op.getWeight());
  giveBias(ctx, tb, op.getBias(), g);
  // (rev ops, so that targets with a convolution library call its backward
  // kernels; rev-decompose-conv-gradients writes them as TOSA)
  OpBuilder &b = tb.builder();
  if (ctx.needsGradient(op.getInput()))
    give(ctx, tb, op.getInput(),
         rev::Conv2DBackwardDataOp::create(b, op.getLoc(), xType, g,
                                           ctx.primal(op.getWeight()), pad,
                                           stride, dilation));
  if (ctx.needsGradient(op.getWeight()))
    give(ctx, tb, op.getWeight(),
         rev::Conv2DBackwardFilterOp::create(b, op.getLoc(), wType,
                                             ctx.primal(op.getInput()), g, pad,
                                             stride, dilation));
  return success();
}

LogicalResult vjpDepthwiseConv2D(tosa::DepthwiseConv2DOp op, VJPContext &ctx,
                                 TosaBuilder &tb) {
  Value g = ctx.cotangent(0);
  ArrayRef<int64_t> pad = op.getPad(), stride = op.getStride(),
                    dilation = op.getDilation();
  auto xType = typeOf(op.getInput()), wType = typeOf(op.getWeight());
  Type et = xType.getElementType();
  int64_t n = xType.getDimSize(0), c = xType.getDimSize(3);
  int64_t kh = wType.getDimSize(0), kw = wType.getDimSize(1),
          m = wType.getDimSize(3);
  auto gType = typeOf(g);
  int64_t oh = gType.getDimSize(1), ow = gType.getDimSize(2);
  SmallVector<int64_t> eff = {(kh - 1) * dilation[0] + 1,
                              (kw - 1) * dilation[1] + 1};
  giveBias(ctx, tb, op.getBias(), g);
  Value g5 = tb.reshape(g, {n, oh, ow, c, m});
  if (ctx.needsGradient(op.getInput())) {
    Value w = ctx.primal(op.getWeight());
    Value flipped = tb.reverse(tb.reverse(w, 0), 1);
    Value zeroBias = tb.splat(et, {c}, 0.0);
    Value dx;
    for (int64_t k = 0; k < m; ++k) {
      Value gk = tb.reshape(tb.slice(g5, {0, 0, 0, 0, k}, {n, oh, ow, c, 1}),
                            {n, oh, ow, c});
      Value wk = tb.slice(flipped, {0, 0, 0, k}, {kh, kw, c, 1});
      Value spread = tb.spreadForTransposedWindow(gk, stride, eff, pad);
      Value part = tb.depthwiseConv2d(spread, wk, zeroBias, {0, 0, 0, 0},
                                      {1, 1}, dilation);
      dx = dx ? tb.add(dx, part) : part;
    }
    give(ctx, tb, op.getInput(), dx);
  }
  if (ctx.needsGradient(op.getWeight())) {
    // Channels (c, n) side by side: image [1, H', W', C*N], kernel
    // [OH, OW, C*N, M]; then sum over n.
    Value x = ctx.primal(op.getInput());
    Value xp = tb.padOrCrop(x, {0, 0, pad[0], pad[1], pad[2], pad[3], 0, 0});
    SmallVector<int64_t> need = {(oh - 1) * stride[0] + eff[0],
                                 (ow - 1) * stride[1] + eff[1]};
    xp = tb.slice(xp, {0, 0, 0, 0}, {n, need[0], need[1], c});
    Value image = tb.reshape(tb.transpose(xp, {1, 2, 3, 0}),
                             {1, need[0], need[1], c * n});
    Value kernel = tb.reshape(tb.transpose(g5, {1, 2, 3, 0, 4}),
                              {oh, ow, c * n, m});
    Value zeroBias = tb.splat(et, {c * n * m}, 0.0);
    Value dw = tb.depthwiseConv2d(image, kernel, zeroBias, {0, 0, 0, 0},
                                  dilation, stride); // [1, kH, kW, C*N*M]
    dw = tb.reduceSum(tb.reshape(dw, {kh, kw, c, n, m}), 3);
    give(ctx, tb, op.getWeight(), tb.reshape(dw, {kh, kw, c, m}));
  }
  return success();
}

LogicalResult vjpTransposeConv2D(tosa::TransposeConv2DOp op, VJPContext &ctx,
                                 TosaBuilder &tb) {
  Value g = ctx.cotangent(0);
  ArrayRef<int64_t> outPad = op.getOutPad(), stride = op.getStride();
  auto xType = typeOf(op.getInput()), wType = typeOf(op.getWeight());
  Type et = xType.getElementType();
  giveBias(ctx, tb, op.getBias(), g);
  // g without the out_pad: exactly (IH-1)*s + kH rows.
  Value gp = tb.padOrCrop(g, {0, 0, -outPad[0], -outPad[1], -outPad[2],
                              -outPad[3], 0, 0});
  if (ctx.needsGradient(op.getInput())) {
    // dx = conv(g, w^T) with the forward's stride.
    Value wT = tb.transpose(ctx.primal(op.getWeight()), {3, 1, 2, 0});
    Value zeroBias = tb.splat(et, {xType.getDimSize(3)}, 0.0);
    give(ctx, tb, op.getInput(),
         tb.conv2d(gp, wT, zeroBias, {0, 0, 0, 0}, stride, {1, 1}));
  }
  if (ctx.needsGradient(op.getWeight())) {
    Value image = tb.transpose(gp, {3, 1, 2, 0});                   // [OC,..,N]
    Value kernel = tb.transpose(ctx.primal(op.getInput()), {3, 1, 2, 0}); // [IC,..,N]
    Value zeroBias = tb.splat(et, {xType.getDimSize(3)}, 0.0);
    Value dw = tb.conv2d(image, kernel, zeroBias, {0, 0, 0, 0}, {1, 1}, stride);
    give(ctx, tb, op.getWeight(), dw); // [OC, kH, kW, IC]
    (void)wType;
  }
  return success();
}

LogicalResult vjpAvgPool2D(tosa::AvgPool2dOp op, VJPContext &ctx,
                           TosaBuilder &tb) {
  Value g = ctx.cotangent(0);
  ArrayRef<int64_t> kernel = op.getKernel(), stride = op.getStride(),
                    pad = op.getPad();
  auto xType = typeOf(op.getInput());
  auto gType = typeOf(g);
  Type et = xType.getElementType();
  int64_t h = xType.getDimSize(1), w = xType.getDimSize(2),
          c = xType.getDimSize(3);
  int64_t oh = gType.getDimSize(1), ow = gType.getDimSize(2);
  // 1 / (number of input elements under each window), padding excluded.
  std::vector<double> inv(oh * ow);
  for (int64_t y = 0; y < oh; ++y)
    for (int64_t x = 0; x < ow; ++x) {
      int64_t y0 = y * stride[0] - pad[0], x0 = x * stride[1] - pad[2];
      int64_t ny = std::min(y0 + kernel[0], h) - std::max<int64_t>(y0, 0);
      int64_t nx = std::min(x0 + kernel[1], w) - std::max<int64_t>(x0, 0);
      inv[y * ow + x] = 1.0 / std::max<int64_t>(ny * nx, 1);
    }
  auto invType = RankedTensorType::get({1, oh, ow, 1}, et);
  DenseElementsAttr invAttr =
      et.isF64() ? DenseElementsAttr::get(invType, ArrayRef(inv))
                 : DenseElementsAttr::get(
                       invType, ArrayRef(std::vector<float>(inv.begin(), inv.end())));
  Value scaled = tb.mul(g, tb.constant(invAttr));
  Value spread = tb.spreadForTransposedWindow(scaled, stride, kernel, pad);
  Value ones = tb.splat(et, {kernel[0], kernel[1], c, 1}, 1.0);
  Value zeroBias = tb.splat(et, {c}, 0.0);
  give(ctx, tb, op.getInput(),
       tb.depthwiseConv2d(spread, ones, zeroBias, {0, 0, 0, 0}, {1, 1},
                          {1, 1}));
  return success();
}

LogicalResult vjpMaxPool2D(tosa::MaxPool2dOp op, VJPContext &ctx,
                           TosaBuilder &tb) {
  // Each window's gradient goes to its first maximum (row-major), as in
  // PyTorch.
  Value g = ctx.cotangent(0);
  ArrayRef<int64_t> kernel = op.getKernel(), stride = op.getStride(),
                    pad = op.getPad();
  Value x = ctx.primal(op.getInput()), y = ctx.primal(op.getResult());
  auto xType = typeOf(x);
  auto gType = typeOf(g);
  int64_t oh = gType.getDimSize(1), ow = gType.getDimSize(2);
  Type et = xType.getElementType();
  double lowest = et.isF64() ? -std::numeric_limits<double>::infinity()
                             : -std::numeric_limits<float>::infinity();
  SmallVector<int64_t> padding = {0, 0, pad[0], pad[1], pad[2], pad[3], 0, 0};
  Value xp = tb.pad(x, padding, lowest);
  auto xpType = typeOf(xp);
  Value taken = tb.splat(tb.builder().getI1Type(), gType.getShape(), 0);
  Value zeros = tb.splatLike(g, 0.0);
  Value dxp;
  for (int64_t i = 0; i < kernel[0]; ++i) {
    for (int64_t j = 0; j < kernel[1]; ++j) {
      Value xs = tb.stridedSlice(xp, 1, i, oh, stride[0]);
      xs = tb.stridedSlice(xs, 2, j, ow, stride[1]);
      Value hit = tb.logicalAnd(tb.equal(xs, y), tb.logicalNot(taken));
      taken = tb.logicalOr(taken, hit);
      Value part = tb.select(hit, g, zeros);
      part = tb.zeroStuff(tb.zeroStuff(part, 1, stride[0]), 2, stride[1]);
      auto pt = typeOf(part);
      part = tb.pad(part, {0, 0, i, xpType.getDimSize(1) - i - pt.getDimSize(1),
                           j, xpType.getDimSize(2) - j - pt.getDimSize(2), 0, 0});
      dxp = dxp ? tb.add(dxp, part) : part;
    }
  }
  give(ctx, tb, op.getInput(),
       tb.slice(dxp, {0, pad[0], pad[2], 0}, xType.getShape()));
  return success();
}

//===----------------------------------------------------------------------===//
// rev.dropout: y = mask * x * scale, so dx = mask * dy * scale, the same op
// (same stream, same positions) applied to the cotangent.
//===----------------------------------------------------------------------===//

LogicalResult vjpDropout(DropoutOp op, VJPContext &ctx, TosaBuilder &tb) {
  Value dy = ctx.cotangent(0);
  if (!dy || !ctx.needsGradient(op.getInput()))
    return success();
  Value dx = DropoutOp::create(tb.builder(), op.getLoc(), dy,
                               ctx.primal(op.getStream()),
                               op.getRatio().convertToDouble());
  give(ctx, tb, op.getInput(), dx);
  return success();
}

//===----------------------------------------------------------------------===//
// rev couplings: recompute F and G from the block's inputs (checkpointing at
// block granularity), then back-propagate through them.
//===----------------------------------------------------------------------===//

LogicalResult vjpCoupling(CouplingOp op, VJPContext &ctx, TosaBuilder &tb) {
  Value dy1 = ctx.cotangent(0), dy2 = ctx.cotangent(1);
  Value x1 = ctx.primal(op.getX1()), x2 = ctx.primal(op.getX2());
  // Recompute y1 = x1 + F(x2) (F's internals are kept for its VJP below).
  SmallVector<Value> fYield = ctx.recomputeRegion(op.getF(), {x2});
  Value y1 = tb.add(x1, fYield[0]);
  // dz1 = dy1 + dG(y1)^T dy2
  SmallVector<Value> gArgCot, gYield;
  if (failed(ctx.differentiateRegion(op.getG(), {y1}, {dy2}, gArgCot, gYield)))
    return failure();
  Value dz1 = dy1;
  if (gArgCot[0])
    dz1 = dz1 ? tb.add(dz1, gArgCot[0]) : gArgCot[0];
  // dx2 = dy2 + dF(x2)^T dz1, dx1 = dz1
  SmallVector<Value> fArgCot, fYield2;
  if (failed(ctx.differentiateRegion(op.getF(), {x2}, {dz1}, fArgCot, fYield2)))
    return failure();
  Value dx2 = dy2;
  if (fArgCot[0])
    dx2 = dx2 ? tb.add(dx2, fArgCot[0]) : fArgCot[0];
  give(ctx, tb, op.getX1(), dz1);
  give(ctx, tb, op.getX2(), dx2);
  return success();
}

LogicalResult vjpAffineCoupling(AffineCouplingOp op, VJPContext &ctx,
                                TosaBuilder &tb) {
  // y1 = x1, y2 = x2 * S(x1) + T(x1)
  Value dy1 = ctx.cotangent(0), dy2 = ctx.cotangent(1);
  Value x2 = ctx.primal(op.getX2()), x1 = ctx.primal(op.getX1());
  SmallVector<Value> argCot, st;
  Value ds = dy2 ? tb.mul(dy2, x2) : Value();
  if (failed(ctx.differentiateRegion(op.getSt(), {x1}, {ds, dy2}, argCot, st)))
    return failure();
  if (dy2)
    give(ctx, tb, op.getX2(), tb.mul(dy2, st[0]));
  Value dx1 = dy1;
  if (argCot[0])
    dx1 = dx1 ? tb.add(dx1, argCot[0]) : argCot[0];
  give(ctx, tb, op.getX1(), dx1);
  return success();
}

//===----------------------------------------------------------------------===//
// Registration
//===----------------------------------------------------------------------===//

template <typename OpTy,
          LogicalResult (*Rule)(OpTy, VJPContext &, TosaBuilder &)>
struct VJPModel
    : public VJPOpInterface::ExternalModel<VJPModel<OpTy, Rule>, OpTy> {
  LogicalResult buildVJP(Operation *op, VJPContext &ctx) const {
    TosaBuilder tb(ctx.builder(), op->getLoc());
    return Rule(cast<OpTy>(op), ctx, tb);
  }
};

template <typename OpTy,
          LogicalResult (*Rule)(OpTy, VJPContext &, TosaBuilder &)>
void attach(MLIRContext *ctx) {
  OpTy::template attachInterface<VJPModel<OpTy, Rule>>(*ctx);
}

} // namespace

void registerVJPOpInterfaceExternalModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, tosa::TosaDialect *) {
    attach<tosa::AddOp, vjpAdd>(ctx);
    attach<tosa::SubOp, vjpSub>(ctx);
    attach<tosa::MulOp, vjpMul>(ctx);
    attach<tosa::NegateOp, vjpNegate>(ctx);
    attach<tosa::ReciprocalOp, vjpReciprocal>(ctx);
    attach<tosa::RsqrtOp, vjpRsqrt>(ctx);
    attach<tosa::ExpOp, vjpExp>(ctx);
    attach<tosa::LogOp, vjpLog>(ctx);
    attach<tosa::SigmoidOp, vjpSigmoid>(ctx);
    attach<tosa::TanhOp, vjpTanh>(ctx);
    attach<tosa::ErfOp, vjpErf>(ctx);
    attach<tosa::AbsOp, vjpAbs>(ctx);
    attach<tosa::PowOp, vjpPow>(ctx);
    attach<tosa::ClampOp, vjpClamp>(ctx);
    attach<tosa::MaximumOp, vjpMinMax<tosa::MaximumOp, true>>(ctx);
    attach<tosa::MinimumOp, vjpMinMax<tosa::MinimumOp, false>>(ctx);
    attach<tosa::SelectOp, vjpSelect>(ctx);
    attach<tosa::CastOp, vjpCast>(ctx);
    attach<tosa::IdentityOp, vjpIdentity>(ctx);
    attach<tosa::ReduceSumOp, vjpReduceSum>(ctx);
    attach<tosa::ReduceMaxOp, vjpReduceMax>(ctx);
    attach<tosa::ReshapeOp, vjpReshape>(ctx);
    attach<tosa::TransposeOp, vjpTranspose>(ctx);
    attach<tosa::SliceOp, vjpSlice>(ctx);
    attach<tosa::PadOp, vjpPad>(ctx);
    attach<tosa::ConcatOp, vjpConcat>(ctx);
    attach<tosa::TileOp, vjpTile>(ctx);
    attach<tosa::ReverseOp, vjpReverse>(ctx);
    attach<tosa::GatherOp, vjpGather>(ctx);
    attach<tosa::MatMulOp, vjpMatMul>(ctx);
    attach<tosa::Conv2DOp, vjpConv2D>(ctx);
    attach<tosa::DepthwiseConv2DOp, vjpDepthwiseConv2D>(ctx);
    attach<tosa::TransposeConv2DOp, vjpTransposeConv2D>(ctx);
    attach<tosa::AvgPool2dOp, vjpAvgPool2D>(ctx);
    attach<tosa::MaxPool2dOp, vjpMaxPool2D>(ctx);
  });
  registry.addExtension(+[](MLIRContext *ctx, RevDialect *) {
    attach<CouplingOp, vjpCoupling>(ctx);
    attach<AffineCouplingOp, vjpAffineCoupling>(ctx);
    attach<DropoutOp, vjpDropout>(ctx);
  });
}

} // namespace rev
