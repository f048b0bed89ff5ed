//===- OpsNN.cpp - ONNX convolution, pooling and normalization ops --------===//
//
// Conv, ConvTranspose, MaxPool, AveragePool, GlobalAveragePool and
// BatchNormalization. They work on NHWC values (TOSA's layout) and leave
// their results NHWC, so that layout conversions stay at the graph's edges.
//
//===----------------------------------------------------------------------===//

#include "OpUtils.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "rev/Dialect/Rev/IR/RevContract.h"

using namespace mlir;

namespace rev::onnx_import {
namespace {

/// Spatial attributes shared by Conv and the pools.
struct Window {
  std::vector<int64_t> kernel, strides, dilations, padBegin, padEnd;
};

/// Reads kernel/strides/dilations/pads/auto_pad for `spatial` spatial dims
/// of `inShape` (spatial part only).
LogicalResult readWindow(NodeContext &ctx, ArrayRef<int64_t> inSpatial,
                         std::vector<int64_t> kernel, Window &w,
                         bool transposed = false) {
  size_t n = inSpatial.size();
  FailureOr<std::vector<int64_t>> ks = ctx.intsAttr("kernel_shape", kernel);
  FailureOr<std::vector<int64_t>> st =
      ctx.intsAttr("strides", std::vector<int64_t>(n, 1));
  FailureOr<std::vector<int64_t>> dl =
      ctx.intsAttr("dilations", std::vector<int64_t>(n, 1));
  FailureOr<std::vector<int64_t>> pads =
      ctx.intsAttr("pads", std::vector<int64_t>(2 * n, 0));
  FailureOr<std::string> autoPad = ctx.stringAttr("auto_pad", std::string("NOTSET"));
  if (failed(ks) || failed(st) || failed(dl) || failed(pads) || failed(autoPad))
    return failure();
  if (ks->size() != n || st->size() != n || dl->size() != n ||
      pads->size() != 2 * n)
    return ctx.fail("kernel_shape, strides, dilations or pads do not match "
                    "the " + std::to_string(n) + " spatial dimensions");
  for (size_t d = 0; d < n; ++d) {
    if ((*ks)[d] <= 0 || (*st)[d] <= 0 || (*dl)[d] <= 0)
      return ctx.fail("kernel_shape, strides and dilations must be positive");
    if ((*pads)[d] < 0 || (*pads)[d + n] < 0)
      return ctx.fail("pads must not be negative");
  }
  w.kernel = *ks;
  w.strides = *st;
  w.dilations = *dl;
  w.padBegin.assign(pads->begin(), pads->begin() + n);
  w.padEnd.assign(pads->begin() + n, pads->end());
  if (*autoPad == "NOTSET")
    return success();
  if (*autoPad == "VALID") {
    std::fill(w.padBegin.begin(), w.padBegin.end(), 0);
    std::fill(w.padEnd.begin(), w.padEnd.end(), 0);
    return success();
  }
  if (*autoPad != "SAME_UPPER" && *autoPad != "SAME_LOWER")
    return ctx.fail("auto_pad '" + *autoPad + "' is not supported");
  if (transposed)
    return ctx.fail("auto_pad SAME with ConvTranspose is not supported; use "
                    "explicit pads or output_shape");
  for (size_t d = 0; d < n; ++d) {
    int64_t out = (inSpatial[d] + w.strides[d] - 1) / w.strides[d];
    int64_t eff = (w.kernel[d] - 1) * w.dilations[d] + 1;
    int64_t total =
        std::max<int64_t>(0, (out - 1) * w.strides[d] + eff - inSpatial[d]);
    int64_t small = total / 2, large = total - small;
    bool upper = *autoPad == "SAME_UPPER";
    w.padBegin[d] = upper ? small : large;
    w.padEnd[d] = upper ? large : small;
  }
  return success();
}

/// TOSA requires (in + pads - effective kernel) to be a multiple of the
/// stride. Trailing padding (or input) that no window reaches changes
/// nothing, so drop it: returns the input rows to crop at the end (when the
/// padding alone is not enough).
int64_t fitTrailingPad(int64_t in, int64_t eff, int64_t stride, int64_t padBegin,
                       int64_t &padEnd) {
  int64_t rem = (in + padBegin + padEnd - eff) % stride;
  if (rem < 0)
    return 0;
  padEnd -= rem;
  if (padEnd >= 0)
    return 0;
  int64_t crop = -padEnd;
  padEnd = 0;
  return crop;
}

int64_t outSize(int64_t in, int64_t eff, int64_t stride, int64_t pb,
                int64_t pe) {
  return (in + pb + pe - eff) / stride + 1;
}

/// Crops `crop[d]` trailing elements of the spatial dims of NHWC `v`.
Value cropSpatial(TosaBuilder &tb, Value v, ArrayRef<int64_t> crop) {
  if (llvm::all_of(crop, [](int64_t c) { return c == 0; }))
    return v;
  SmallVector<int64_t> sizes(TosaBuilder::typeOf(v).getShape());
  sizes[1] -= crop[0];
  sizes[2] -= crop[1];
  return tb.slice(v, {0, 0, 0, 0}, sizes);
}

/// Brings a 3-D [N,C,L] or 4-D [N,C,H,W] input to NHWC 4-D. 1-D signals
/// become images of height 1.
FailureOr<Value> imageInput(NodeContext &ctx, Tensor &x, bool &oneD) {
  oneD = x.rank() == 3;
  if (x.rank() == 4)
    return ctx.nhwc(x);
  if (!oneD) {
    (void)ctx.fail("expects a 3-D or 4-D input, got rank " +
                   std::to_string(x.rank()));
    return failure();
  }
  Value v = ctx.native(x);
  // [N,C,L] -> [N,1,L,C]
  v = ctx.tosa().transpose(v, {0, 2, 1});
  return ctx.tosa().reshape(v, {x.shape[0], 1, x.shape[2], x.shape[1]});
}

/// Sets the NHWC 4-D result, or the [N,C,L] result for 1-D inputs.
void setImageOutput(NodeContext &ctx, unsigned i, Value v, ElemKind kind,
                    bool oneD) {
  auto s = TosaBuilder::typeOf(v).getShape();
  if (!oneD) {
    ctx.setOutput(i, v, kind, {s[0], s[3], s[1], s[2]}, Layout::NHWC);
    return;
  }
  Value r = ctx.tosa().reshape(v, {s[0], s[2], s[3]});
  r = ctx.tosa().transpose(r, {0, 2, 1});
  ctx.setOutput(i, r, kind, {s[0], s[3], s[2]});
}

Value zeroPoint(NodeContext &ctx, Value like) {
  return ctx.tosa().zeroPoint(TosaBuilder::typeOf(like).getElementType());
}

LogicalResult convertConv(NodeContext &ctx) {
  Tensor &x = ctx.input(0), &wt = ctx.input(1);
  if (!isFloat(x.kind) || x.kind != wt.kind)
    return ctx.fail("expects float input and weight of one element type");
  if (wt.rank() != x.rank())
    return ctx.fail("the weight's rank differs from the input's");
  bool oneD = false;
  FailureOr<Value> in = imageInput(ctx, x, oneD);
  if (failed(in))
    return failure();
  std::vector<int64_t> spatial(x.shape.begin() + 2, x.shape.end());
  std::vector<int64_t> kernel(wt.shape.begin() + 2, wt.shape.end());
  Window w;
  if (failed(readWindow(ctx, spatial, kernel, w)))
    return failure();
  if (w.kernel != kernel)
    return ctx.fail("kernel_shape does not match the weight's shape");
  FailureOr<int64_t> group = ctx.intAttr("group", 1);
  if (failed(group))
    return failure();
  int64_t c = x.shape[1], m = wt.shape[0], g = *group;
  if (g <= 0 || c % g || m % g || wt.shape[1] != c / g)
    return ctx.fail("group " + std::to_string(g) + " does not fit " +
                    std::to_string(c) + " input and " + std::to_string(m) +
                    " output channels with weight channels " +
                    std::to_string(wt.shape[1]));
  if (oneD) {
    spatial.insert(spatial.begin(), 1);
    kernel.insert(kernel.begin(), 1);
    w.kernel.insert(w.kernel.begin(), 1);
    w.strides.insert(w.strides.begin(), 1);
    w.dilations.insert(w.dilations.begin(), 1);
    w.padBegin.insert(w.padBegin.begin(), 0);
    w.padEnd.insert(w.padEnd.begin(), 0);
  }
  TosaBuilder &tb = ctx.tosa();
  std::vector<int64_t> crop(2, 0), outHW(2);
  for (int d = 0; d < 2; ++d) {
    int64_t eff = (w.kernel[d] - 1) * w.dilations[d] + 1;
    if (spatial[d] + w.padBegin[d] + w.padEnd[d] < eff)
      return ctx.fail("the kernel is larger than the padded input");
    crop[d] = fitTrailingPad(spatial[d], eff, w.strides[d], w.padBegin[d],
                             w.padEnd[d]);
    outHW[d] = outSize(spatial[d] - crop[d], eff, w.strides[d], w.padBegin[d],
                       w.padEnd[d]);
  }
  Value input = cropSpatial(tb, *in, crop);
  int64_t n = x.shape[0];
  Type et = ctx.elementType(x.kind);
  Value bias = ctx.hasInput(2) ? ctx.native(2) : tb.splat(et, {m}, 0.0);
  // The weight as 4-D [M, C/g, kH, kW].
  Value weight = ctx.native(wt);
  if (oneD)
    weight = tb.reshape(weight, {m, c / g, 1, kernel[1]});
  auto pad = ctx.builder().getDenseI64ArrayAttr(
      {w.padBegin[0], w.padEnd[0], w.padBegin[1], w.padEnd[1]});
  auto stride = ctx.builder().getDenseI64ArrayAttr(w.strides);
  auto dilation = ctx.builder().getDenseI64ArrayAttr(w.dilations);
  auto accType = TypeAttr::get(ctx.builder().getF32Type());
  Value result;
  if (g == 1) {
    Value wNHWC = oneD ? tb.transpose(weight, {0, 2, 3, 1}) : ctx.nhwc(wt);
    auto type = RankedTensorType::get({n, outHW[0], outHW[1], m}, et);
    result = tosa::Conv2DOp::create(ctx.builder(), ctx.loc(), type, input,
                                    wNHWC, bias, zeroPoint(ctx, input),
                                    zeroPoint(ctx, input), pad, stride,
                                    dilation, accType);
  } else if (g == c) {
    // Depthwise: [C*mult, 1, kH, kW] -> [kH, kW, C, mult].
    int64_t mult = m / c;
    Value dw = tb.reshape(weight, {c, mult, kernel[0], kernel[1]});
    dw = tb.transpose(dw, {2, 3, 0, 1});
    auto type = RankedTensorType::get({n, outHW[0], outHW[1], m}, et);
    result = tosa::DepthwiseConv2DOp::create(
        ctx.builder(), ctx.loc(), type, input, dw, bias, zeroPoint(ctx, input),
        zeroPoint(ctx, input), pad, stride, dilation, accType);
  } else {
    // Grouped: one convolution per group, concatenated.
    SmallVector<Value> parts;
    int64_t ic = c / g, oc = m / g;
    Value wFull = tb.transpose(weight, {0, 2, 3, 1}); // [M, kH, kW, C/g]
    for (int64_t k = 0; k < g; ++k) {
      auto inShape = TosaBuilder::typeOf(input).getShape();
      Value xs = tb.slice(input, {0, 0, 0, k * ic},
                          {inShape[0], inShape[1], inShape[2], ic});
      Value ws = tb.slice(wFull, {k * oc, 0, 0, 0},
                          {oc, kernel[0], kernel[1], ic});
      Value bs = tb.slice(bias, {k * oc}, {oc});
      auto type = RankedTensorType::get({n, outHW[0], outHW[1], oc}, et);
      parts.push_back(tosa::Conv2DOp::create(
          ctx.builder(), ctx.loc(), type, xs, ws, bs, zeroPoint(ctx, input),
          zeroPoint(ctx, input), pad, stride, dilation, accType));
    }
    result = tb.concat(parts, 3);
  }
  setImageOutput(ctx, 0, result, x.kind, oneD);
  return success();
}

LogicalResult convertConvTranspose(NodeContext &ctx) {
  Tensor &x = ctx.input(0), &wt = ctx.input(1);
  if (!isFloat(x.kind) || x.kind != wt.kind)
    return ctx.fail("expects float input and weight of one element type");
  if (x.rank() != 4 || wt.rank() != 4)
    return ctx.fail(std::to_string(x.rank() - 2) +
                    "-D ConvTranspose is not supported (only 2-D)");
  FailureOr<int64_t> group = ctx.intAttr("group", 1);
  if (failed(group))
    return failure();
  if (*group != 1)
    return ctx.fail("ConvTranspose with group " + std::to_string(*group) +
                    " is not supported");
  std::vector<int64_t> spatial = {x.shape[2], x.shape[3]};
  std::vector<int64_t> kernel = {wt.shape[2], wt.shape[3]};
  Window w;
  if (failed(readWindow(ctx, spatial, kernel, w, /*transposed=*/true)))
    return failure();
  if (w.kernel != kernel)
    return ctx.fail("kernel_shape does not match the weight's shape");
  if (w.dilations != std::vector<int64_t>{1, 1})
    return ctx.fail("ConvTranspose with dilations is not supported");
  FailureOr<std::vector<int64_t>> outPadding =
      ctx.intsAttr("output_padding", std::vector<int64_t>{0, 0});
  if (failed(outPadding))
    return failure();
  if (outPadding->size() != 2)
    return ctx.fail("output_padding must have 2 entries");
  if (const onnx::AttributeProto *os = ctx.attr("output_shape")) {
    FailureOr<std::vector<int64_t>> shape = ctx.intsAttr("output_shape");
    if (failed(shape))
      return failure();
    if (shape->size() != 2 && shape->size() != 4)
      return ctx.fail("output_shape must have 2 (spatial) or 4 entries, has " +
                      std::to_string(shape->size()));
    std::vector<int64_t> target(shape->end() - 2, shape->end());
    FailureOr<std::string> autoPad =
        ctx.stringAttr("auto_pad", std::string("NOTSET"));
    if (failed(autoPad))
      return failure();
    for (int d = 0; d < 2; ++d) {
      int64_t total = w.strides[d] * (spatial[d] - 1) + (*outPadding)[d] +
                      kernel[d] - target[d];
      if (total < 0) {
        // A larger output: the extra rows/columns come after, like
        // output_padding.
        w.padBegin[d] = 0;
        w.padEnd[d] = total;
        continue;
      }
      int64_t half = total / 2;
      w.padBegin[d] = *autoPad == "SAME_UPPER" ? half : total - half;
      w.padEnd[d] = total - w.padBegin[d];
    }
    (void)os;
  }
  int64_t ic = x.shape[1], oc = wt.shape[1];
  if (wt.shape[0] != ic)
    return ctx.fail("the weight's first dimension must be the input channels");
  std::vector<int64_t> outHW(2);
  SmallVector<int64_t> outPad(4);
  for (int d = 0; d < 2; ++d) {
    outHW[d] = w.strides[d] * (spatial[d] - 1) + (*outPadding)[d] + kernel[d] -
               w.padBegin[d] - w.padEnd[d];
    if (outHW[d] <= 0)
      return ctx.fail("the output of ConvTranspose would be empty");
    outPad[2 * d] = -w.padBegin[d];
    outPad[2 * d + 1] = -w.padEnd[d] + (*outPadding)[d];
    if (outPad[2 * d] <= -kernel[d] || outPad[2 * d + 1] <= -kernel[d])
      return ctx.fail("ConvTranspose pads as large as the kernel are not "
                      "supported");
  }
  TosaBuilder &tb = ctx.tosa();
  Type et = ctx.elementType(x.kind);
  Value bias = ctx.hasInput(2) ? ctx.native(2) : tb.splat(et, {oc}, 0.0);
  // [IC, OC, kH, kW] -> [OC, kH, kW, IC]
  Value weight = tb.transpose(ctx.native(wt), {1, 2, 3, 0});
  Value input = ctx.nhwc(x);
  auto type = RankedTensorType::get({x.shape[0], outHW[0], outHW[1], oc}, et);
  Value r = tosa::TransposeConv2DOp::create(
      ctx.builder(), ctx.loc(), type, input, weight, bias,
      zeroPoint(ctx, input), zeroPoint(ctx, input),
      ctx.builder().getDenseI64ArrayAttr(outPad),
      ctx.builder().getDenseI64ArrayAttr(w.strides),
      TypeAttr::get(ctx.builder().getF32Type()));
  setImageOutput(ctx, 0, r, x.kind, false);
  return success();
}

LogicalResult convertPool(NodeContext &ctx, bool isMax) {
  Tensor &x = ctx.input(0);
  if (!isFloat(x.kind))
    return ctx.fail("expects a float input");
  if (x.rank() != 4 && x.rank() != 3)
    return ctx.fail(std::to_string(x.rank() - 2) +
                    "-D pooling is not supported (only 1-D and 2-D)");
  if (ctx.outputUsed(1))
    return ctx.fail("MaxPool's Indices output is not supported");
  bool oneD = false;
  FailureOr<Value> image = imageInput(ctx, x, oneD);
  if (failed(image))
    return failure();
  std::vector<int64_t> spatial(x.shape.begin() + 2, x.shape.end());
  Window w;
  if (failed(readWindow(ctx, spatial, {}, w)))
    return failure();
  if (oneD) {
    spatial.insert(spatial.begin(), 1);
    w.kernel.insert(w.kernel.begin(), 1);
    w.strides.insert(w.strides.begin(), 1);
    w.dilations.insert(w.dilations.begin(), 1);
    w.padBegin.insert(w.padBegin.begin(), 0);
    w.padEnd.insert(w.padEnd.begin(), 0);
  }
  if (w.dilations != std::vector<int64_t>{1, 1})
    return ctx.fail("pooling with dilations is not supported");
  FailureOr<int64_t> ceilMode = ctx.intAttr("ceil_mode", 0);
  FailureOr<int64_t> includePad = ctx.intAttr("count_include_pad", 0);
  FailureOr<int64_t> storage = ctx.intAttr("storage_order", 0);
  if (failed(ceilMode) || failed(includePad) || failed(storage))
    return failure();
  if (*storage != 0)
    return ctx.fail("storage_order 1 is not supported");
  TosaBuilder &tb = ctx.tosa();
  Value input = *image;
  if (!isMax && *includePad) {
    if (*ceilMode)
      return ctx.fail("AveragePool with ceil_mode and count_include_pad is "
                      "not supported");
    // Padding counts: pad with zeros explicitly, then pool without padding.
    input = tb.pad(input, {0, 0, w.padBegin[0], w.padEnd[0], w.padBegin[1],
                           w.padEnd[1], 0, 0});
    spatial = {spatial[0] + w.padBegin[0] + w.padEnd[0],
               spatial[1] + w.padBegin[1] + w.padEnd[1]};
    w.padBegin = {0, 0};
    w.padEnd = {0, 0};
  }
  std::vector<int64_t> crop(2, 0), outHW(2);
  for (int d = 0; d < 2; ++d) {
    int64_t k = w.kernel[d], s = w.strides[d];
    if (w.padBegin[d] >= k || w.padEnd[d] >= k)
      return ctx.fail("pads must be smaller than the kernel");
    if (*ceilMode) {
      int64_t span = spatial[d] + w.padBegin[d] + w.padEnd[d] - k;
      int64_t out = (span + s - 1) / s + 1;
      // The last window must start inside the input or the leading pad.
      if ((out - 1) * s >= spatial[d] + w.padBegin[d])
        --out;
      w.padEnd[d] += std::max<int64_t>(0, (out - 1) * s + k - (spatial[d] + w.padBegin[d] + w.padEnd[d]));
    }
    crop[d] = fitTrailingPad(spatial[d], k, s, w.padBegin[d], w.padEnd[d]);
    outHW[d] = outSize(spatial[d] - crop[d], k, s, w.padBegin[d], w.padEnd[d]);
  }
  input = cropSpatial(tb, input, crop);
  Type et = ctx.elementType(x.kind);
  auto type =
      RankedTensorType::get({x.shape[0], outHW[0], outHW[1], x.shape[1]}, et);
  auto kernel = ctx.builder().getDenseI64ArrayAttr(w.kernel);
  auto stride = ctx.builder().getDenseI64ArrayAttr(w.strides);
  auto pad = ctx.builder().getDenseI64ArrayAttr(
      {w.padBegin[0], w.padEnd[0], w.padBegin[1], w.padEnd[1]});
  Value r;
  if (isMax) {
    r = tosa::MaxPool2dOp::create(ctx.builder(), ctx.loc(), type, input, kernel,
                                  stride, pad);
  } else {
    r = tosa::AvgPool2dOp::create(ctx.builder(), ctx.loc(), type, input,
                                  zeroPoint(ctx, input), zeroPoint(ctx, input),
                                  kernel, stride, pad,
                                  TypeAttr::get(ctx.builder().getF32Type()));
  }
  setImageOutput(ctx, 0, r, x.kind, oneD);
  return success();
}

LogicalResult convertGlobalAveragePool(NodeContext &ctx) {
  Tensor &x = ctx.input(0);
  if (!isFloat(x.kind))
    return ctx.fail("expects a float input");
  if (x.rank() < 3)
    return ctx.fail("expects an input of rank 3 or more");
  TosaBuilder &tb = ctx.tosa();
  int64_t count = numElements(ArrayRef(x.shape).drop_front(2));
  std::vector<int64_t> shape = x.shape;
  for (size_t d = 2; d < shape.size(); ++d)
    shape[d] = 1;
  if (x.rank() == 4) {
    Value v = tb.reduceSum(ctx.nhwc(x), ArrayRef<int64_t>{1, 2});
    v = tb.mul(v, tb.scalarLike(v, 1.0 / count));
    ctx.setOutput(0, v, x.kind, shape, Layout::NHWC);
    return success();
  }
  std::vector<int64_t> axes;
  for (int64_t d = 2; d < x.rank(); ++d)
    axes.push_back(d);
  Value v = tb.reduceSum(ctx.native(x), axes);
  v = tb.mul(v, tb.scalarLike(v, 1.0 / count));
  ctx.setOutput(0, v, x.kind, shape);
  return success();
}

/// Checks a normalization's input (float, rank >= minRank) and its
/// per-channel parameters (inputs 1..numParams, each of shape [C]).
LogicalResult checkNormInputs(NodeContext &ctx, int64_t minRank,
                              unsigned numParams, StringRef op) {
  Tensor &x = ctx.input(0);
  if (!isFloat(x.kind))
    return ctx.fail("expects a float input");
  if (x.rank() < minRank)
    return ctx.fail("expects an input of rank " + std::to_string(minRank) +
                    " or more" + (minRank == 3 ? " (N, C, D1, ...)" : ""));
  for (unsigned k = 1; k <= numParams; ++k) {
    if (!ctx.hasInput(k))
      return ctx.fail(op.str() + " needs " + std::to_string(numParams + 1) +
                      " inputs");
    Tensor &p = ctx.input(k);
    if (p.rank() != 1 || p.shape[0] != x.shape[1])
      return ctx.fail("input " + std::to_string(k) + " must have shape [" +
                      std::to_string(x.shape[1]) + "]");
  }
  return success();
}

/// A normalization's input in its layout (NHWC for rank 4), the channel
/// axis there, and the shape per-channel parameters broadcast from.
struct NormInput {
  Layout layout;
  Value v;
  int64_t channelAxis;
  SmallVector<int64_t> paramShape;
  /// Input k, a per-channel parameter, shaped to broadcast against v.
  Value param(NodeContext &ctx, unsigned k) const {
    return ctx.tosa().reshape(ctx.native(k), paramShape);
  }
  /// The axes other than the channel's, from `first` on.
  std::vector<int64_t> otherAxes(int64_t first) const {
    std::vector<int64_t> axes;
    int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
    for (int64_t d = first; d < rank; ++d)
      if (d != channelAxis)
        axes.push_back(d);
    return axes;
  }
};
NormInput normInput(NodeContext &ctx) {
  Tensor &x = ctx.input(0);
  Layout layout = x.rank() == 4 ? Layout::NHWC : Layout::Native;
  int64_t channelAxis = physicalAxis(1, layout);
  SmallVector<int64_t> paramShape(x.rank(), 1);
  paramShape[channelAxis] = x.shape[1];
  return {layout, layout == Layout::NHWC ? ctx.nhwc(x) : ctx.native(x),
          channelAxis, paramShape};
}

LogicalResult convertBatchNorm(NodeContext &ctx) {
  Tensor &x = ctx.input(0);
  if (failed(checkNormInputs(ctx, 2, 4, "BatchNormalization")))
    return failure();
  FailureOr<double> eps = ctx.floatAttr("epsilon", 1e-5);
  FailureOr<double> momentum = ctx.floatAttr("momentum", 0.9);
  if (failed(eps) || failed(momentum))
    return failure();
  // Training mode: an attribute since opset 14; before, more than one output.
  bool training = false;
  if (ctx.opset() >= 14) {
    FailureOr<int64_t> mode = ctx.intAttr("training_mode", 0);
    if (failed(mode))
      return failure();
    training = *mode != 0;
  } else {
    for (unsigned k = 1; k < ctx.numOutputs(); ++k)
      training |= !ctx.node().output(k).empty();
  }
  TosaBuilder &tb = ctx.tosa();
  NormInput in = normInput(ctx);
  Layout layout = in.layout;
  Value v = in.v;
  auto param = [&](unsigned k) { return in.param(ctx, k); };
  Value scale = param(1), bias = param(2);
  std::vector<int64_t> reduceAxes = in.otherAxes(0);
  int64_t count = numElements(x.shape) / x.shape[1];

  if (!training) {
    // y = x * a + b with a = scale / sqrt(var + eps), b = bias - mean * a.
    Value a = tb.mul(scale, tb.rsqrt(tb.add(param(4), tb.scalarLike(scale, *eps))));
    Value b = tb.sub(bias, tb.mul(param(3), a));
    ctx.setOutput(0, tb.add(tb.mul(v, a), b), x.kind, x.shape, layout);
    return success();
  }
  // Batch statistics (biased variance for normalizing).
  auto [mean, centered, var, inv] = computeMoments(tb, v, reduceAxes, *eps);
  Value y = tb.add(tb.mul(tb.mul(centered, inv), scale), bias);
  ctx.setOutput(0, y, x.kind, x.shape, layout);

  // Running statistics: running * momentum + batch * (1 - momentum). ONNX
  // specifies the batch variance as computed (biased); PyTorch updates with
  // the unbiased one (--onnx-bn-running-var=unbiased).
  int64_t c = x.shape[1];
  Value meanC = tb.reshape(mean, {c});
  double unbias = count > 1 && ctx.unbiasedRunningVar()
                      ? static_cast<double>(count) / (count - 1)
                      : 1.0;
  Value varC = tb.reshape(unbias == 1.0 ? var : tb.mul(var, tb.scalarLike(var, unbias)), {c});
  // A statistic several nodes update (a BatchNorm applied more than once:
  // shared weights) is updated in turn, as PyTorch updates its buffer on
  // each call: each update starts from the previous one's result.
  auto auxName = [&](unsigned k) {
    return (k == 3 ? rev::kRunningMeanPrefix : rev::kRunningVarPrefix).str() +
           ctx.node().input(k);
  };
  auto update = [&](unsigned k, Value batch) {
    Value running = ctx.auxResult(auxName(k));
    if (!running)
      running = ctx.native(k);
    // (one statement each: the ops' order must not depend on the order in
    // which a compiler evaluates arguments)
    Value fresh = tb.mul(batch, tb.scalarLike(batch, 1.0 - *momentum));
    Value kept = tb.mul(running, tb.scalarLike(running, *momentum));
    return tb.add(kept, fresh);
  };
  Value runningMean = update(3, meanC), runningVar = update(4, varC);
  ctx.setOutput(1, runningMean, x.kind, {c});
  ctx.setOutput(2, runningVar, x.kind, {c});
  if (ctx.opset() < 14) {
    ctx.setOutput(3, meanC, x.kind, {c});
    ctx.setOutput(4, tb.reshape(inv, {c}), x.kind, {c});
  }
  // A training step must return the updated statistics even when the
  // exported graph drops them (torch.onnx.export does).
  for (unsigned k : {1u, 2u}) {
    bool exported = static_cast<int>(k) < ctx.node().output_size() &&
                    ctx.outputUsed(k);
    Tensor &in = ctx.input(k + 2);
    if (!exported && in.value && isa<BlockArgument>(in.value))
      ctx.addAuxResult(auxName(k + 2), k == 1 ? runningMean : runningVar);
  }
  return success();
}

/// InstanceNormalization: per sample and channel, normalized over the
/// remaining axes, then scaled and shifted per channel. PyTorch exports
/// GroupNorm as reshape (N, G, -1), InstanceNormalization (scale ones, bias
/// zeros), reshape back, and the per-channel affine map.
LogicalResult convertInstanceNorm(NodeContext &ctx) {
  Tensor &x = ctx.input(0);
  if (failed(checkNormInputs(ctx, 3, 2, "InstanceNormalization")))
    return failure();
  FailureOr<double> eps = ctx.floatAttr("epsilon", 1e-5);
  if (failed(eps))
    return failure();
  TosaBuilder &tb = ctx.tosa();
  NormInput in = normInput(ctx);
  // (per sample: axis 0 is not reduced)
  Moments m = computeMoments(tb, in.v, in.otherAxes(1), *eps);
  Value y = tb.add(tb.mul(tb.mul(m.centered, m.inv), in.param(ctx, 1)),
                   in.param(ctx, 2));
  ctx.setOutput(0, y, x.kind, x.shape, in.layout);
  return success();
}

} // namespace

void registerNNOps(OpRegistry &r) {
  r.add("Conv", 13, convertConv);
  r.add("ConvTranspose", 13, convertConvTranspose);
  r.add("MaxPool", 13, [](NodeContext &c) { return convertPool(c, true); });
  r.add("AveragePool", 13, [](NodeContext &c) { return convertPool(c, false); });
  r.add("GlobalAveragePool", 13, convertGlobalAveragePool);
  r.add("BatchNormalization", 13, convertBatchNorm);
  r.add("InstanceNormalization", 13, convertInstanceNorm);
}

} // namespace rev::onnx_import
