//===- OpsShape.cpp - ONNX shape and data-movement ops --------------------===//
//
// Reshape, Flatten, Squeeze/Unsqueeze, Transpose, Expand, Shape, Constant,
// ConstantOfShape, SpaceToDepth and DepthToSpace (Concat, Split, Slice,
// Gather and Pad: OpsDataMovement.cpp). When their inputs are constants (the shape computations that
// PyTorch exports) they are evaluated at import time.
//
//===----------------------------------------------------------------------===//

#include "OpUtils.h"

#include "rev/Dialect/Rev/IR/RevOps.h"
#include "rev/Utils/TypeUtils.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "llvm/Support/CheckedArithmetic.h"

using namespace mlir;

namespace rev::onnx_import {
namespace {

/// Sets output `i` to `x` reshaped to `shape` (folded for constants).
LogicalResult setReshaped(NodeContext &ctx, unsigned i, Tensor &x,
                          std::vector<int64_t> shape) {
  if (numElements(shape) != numElements(x.shape))
    return ctx.fail("cannot reshape " + formatShape(x.shape) + " to " +
                    formatShape(shape));
  if (x.isConstant()) {
    HostTensor h = *x.host;
    h.shape = shape;
    ctx.setConstantOutput(i, h);
    return success();
  }
  Value v = ctx.tosa().reshape(ctx.native(x), shape);
  ctx.setOutput(i, v, x.kind, shape);
  return success();
}

LogicalResult convertReshape(NodeContext &ctx) {
  Tensor &x = ctx.input(0);
  FailureOr<std::vector<int64_t>> target = ctx.intsInput(1, "shape");
  if (failed(target))
    return failure();
  FailureOr<int64_t> allowZero = ctx.intAttr("allowzero", 0);
  if (failed(allowZero))
    return failure();
  std::vector<int64_t> shape = *target;
  int64_t inferred = -1, known = 1;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 0 && !*allowZero) {
      if (d >= x.shape.size())
        return ctx.fail("shape entry 0 at " + std::to_string(d) +
                        " copies a dimension the input does not have");
      shape[d] = x.shape[d];
    }
    if (shape[d] == -1) {
      if (inferred >= 0)
        return ctx.fail("shape has more than one -1");
      inferred = d;
      continue;
    }
    if (shape[d] < 0)
      return ctx.fail("invalid shape entry " + std::to_string(shape[d]));
    std::optional<int64_t> product = llvm::checkedMul(known, shape[d]);
    if (!product)
      return ctx.fail("shape " + formatShape(*target) +
                      " has more elements than fit in 64 bits");
    known = *product;
  }
  if (inferred >= 0) {
    if (known == 0 || numElements(x.shape) % known)
      return ctx.fail("cannot infer the -1 in shape " + formatShape(*target) +
                      " for an input of shape " + formatShape(x.shape));
    shape[inferred] = numElements(x.shape) / known;
  }
  return setReshaped(ctx, 0, x, shape);
}

LogicalResult convertFlatten(NodeContext &ctx) {
  Tensor &x = ctx.input(0);
  FailureOr<int64_t> axisAttr = ctx.intAttr("axis", 1);
  if (failed(axisAttr))
    return failure();
  int64_t axis = *axisAttr < 0 ? *axisAttr + x.rank() : *axisAttr;
  if (axis < 0 || axis > x.rank())
    return ctx.fail("axis " + std::to_string(*axisAttr) +
                    " is out of range for rank " + std::to_string(x.rank()));
  int64_t outer = numElements(ArrayRef(x.shape).take_front(axis));
  return setReshaped(ctx, 0, x, {outer, numElements(x.shape) / std::max<int64_t>(outer, 1)});
}

/// Axes from the attribute (opset < 13) or the input (opset >= 13).
FailureOr<std::optional<std::vector<int64_t>>> axesOperand(NodeContext &ctx,
                                                           unsigned input) {
  if (ctx.attr("axes")) {
    FailureOr<std::vector<int64_t>> a = ctx.intsAttr("axes");
    if (failed(a))
      return failure();
    return std::optional<std::vector<int64_t>>(*a);
  }
  if (ctx.hasInput(input)) {
    FailureOr<std::vector<int64_t>> a = ctx.intsInput(input, "axes");
    if (failed(a))
      return failure();
    return std::optional<std::vector<int64_t>>(*a);
  }
  return std::optional<std::vector<int64_t>>();
}

LogicalResult convertSqueeze(NodeContext &ctx) {
  Tensor &x = ctx.input(0);
  auto axes = axesOperand(ctx, 1);
  if (failed(axes))
    return failure();
  std::vector<bool> drop(x.rank(), false);
  if (*axes) {
    for (int64_t a : **axes) {
      FailureOr<int64_t> n = ctx.normalizeAxis(a, x.rank());
      if (failed(n))
        return failure();
      if (x.shape[*n] != 1)
        return ctx.fail("cannot squeeze axis " + std::to_string(a) +
                        " of size " + std::to_string(x.shape[*n]));
      drop[*n] = true;
    }
  } else {
    for (int64_t d = 0; d < x.rank(); ++d)
      drop[d] = x.shape[d] == 1;
  }
  std::vector<int64_t> shape;
  for (int64_t d = 0; d < x.rank(); ++d)
    if (!drop[d])
      shape.push_back(x.shape[d]);
  return setReshaped(ctx, 0, x, shape);
}

LogicalResult convertUnsqueeze(NodeContext &ctx) {
  Tensor &x = ctx.input(0);
  auto axes = axesOperand(ctx, 1);
  if (failed(axes))
    return failure();
  if (!*axes)
    return ctx.fail("Unsqueeze needs axes");
  int64_t rank = x.rank() + (*axes)->size();
  std::vector<bool> inserted(rank, false);
  for (int64_t a : **axes) {
    FailureOr<int64_t> n = ctx.normalizeAxis(a, rank);
    if (failed(n))
      return failure();
    if (inserted[*n])
      return ctx.fail("axis " + std::to_string(a) + " is repeated");
    inserted[*n] = true;
  }
  std::vector<int64_t> shape;
  size_t src = 0;
  for (int64_t d = 0; d < rank; ++d)
    shape.push_back(inserted[d] ? 1 : x.shape[src++]);
  return setReshaped(ctx, 0, x, shape);
}

LogicalResult convertTranspose(NodeContext &ctx) {
  Tensor &x = ctx.input(0);
  std::vector<int64_t> reversed;
  for (int64_t d = x.rank() - 1; d >= 0; --d)
    reversed.push_back(d);
  FailureOr<std::vector<int64_t>> perm = ctx.intsAttr("perm", reversed);
  if (failed(perm))
    return failure();
  if (static_cast<int64_t>(perm->size()) != x.rank())
    return ctx.fail("perm has " + std::to_string(perm->size()) +
                    " entries for a tensor of rank " + std::to_string(x.rank()));
  std::vector<bool> seen(x.rank(), false);
  std::vector<int64_t> shape;
  for (int64_t p : *perm) {
    if (p < 0 || p >= x.rank() || seen[p])
      return ctx.fail("perm " + formatShape(*perm) + " is not a permutation");
    seen[p] = true;
    shape.push_back(x.shape[p]);
  }
  if (x.isConstant()) {
    HostTensor out;
    hostTranspose(*x.host, *perm, out);
    ctx.setConstantOutput(0, out);
    return success();
  }
  // From NHWC, compose with the layout permutation: one transpose.
  SmallVector<int32_t> physical;
  Value v;
  if (x.layout == Layout::NHWC) {
    static const int32_t toLogical[4] = {0, 3, 1, 2};
    for (int64_t p : *perm)
      physical.push_back(toLogical[p]);
    v = ctx.nhwc(x);
  } else {
    for (int64_t p : *perm)
      physical.push_back(p);
    v = ctx.native(x);
  }
  ctx.setOutput(0, ctx.tosa().transpose(v, physical), x.kind, shape);
  return success();
}

LogicalResult convertShape(NodeContext &ctx) {
  Tensor &x = ctx.input(0);
  FailureOr<int64_t> start = ctx.intAttr("start", 0);
  FailureOr<int64_t> end = ctx.intAttr("end", x.rank());
  if (failed(start) || failed(end))
    return failure();
  int64_t r = x.rank();
  int64_t s = std::clamp<int64_t>(*start < 0 ? *start + r : *start, 0, r);
  int64_t e = std::clamp<int64_t>(*end < 0 ? *end + r : *end, 0, r);
  std::vector<int64_t> dims(x.shape.begin() + s,
                            x.shape.begin() + std::max(s, e));
  int64_t n = dims.size();
  ctx.setConstantOutput(0, HostTensor::ints(std::move(dims), {n}));
  return success();
}

LogicalResult convertConstant(NodeContext &ctx) {
  const onnx::NodeProto &node = ctx.node();
  if (node.attribute_size() != 1)
    return ctx.fail("Constant needs exactly one value attribute");
  const onnx::AttributeProto &a = node.attribute(0);
  HostTensor h;
  std::string error;
  if (a.name() == "value") {
    if (!tensorFromProto(a.t(), h, error))
      return ctx.fail("the constant " + error);
  } else if (a.name() == "value_float") {
    h = HostTensor::splat(ElemKind::F32, {}, a.f());
  } else if (a.name() == "value_int") {
    h = HostTensor::ints({a.i()}, {});
  } else if (a.name() == "value_floats") {
    h.kind = ElemKind::F32;
    h.shape = {static_cast<int64_t>(a.floats_size())};
    h.f.assign(a.floats().begin(), a.floats().end());
  } else if (a.name() == "value_ints") {
    h = HostTensor::ints(std::vector<int64_t>(a.ints().begin(), a.ints().end()),
                         {static_cast<int64_t>(a.ints_size())});
  } else {
    return ctx.fail("Constant attribute '" + a.name() + "' is not supported");
  }
  ctx.setConstantOutput(0, std::move(h));
  return success();
}

LogicalResult convertConstantOfShape(NodeContext &ctx) {
  FailureOr<std::vector<int64_t>> shape = ctx.intsInput(0, "shape");
  if (failed(shape))
    return failure();
  for (int64_t d : *shape)
    if (d < 0)
      return ctx.fail("negative dimension in shape " + formatShape(*shape));
  HostTensor value = HostTensor::splat(ElemKind::F32, {1}, 0.0);
  if (const onnx::AttributeProto *a = ctx.attr("value")) {
    std::string error;
    if (!tensorFromProto(a->t(), value, error))
      return ctx.fail("the value " + error);
    if (value.size() != 1)
      return ctx.fail("value must hold one element");
  }
  double v = value.getDouble(0);
  if (numElements(*shape) <= (1 << 16)) {
    ctx.setConstantOutput(0, HostTensor::splat(value.kind, *shape, v));
    return success();
  }
  Value c = ctx.tosa().splat(ctx.elementType(value.kind), *shape, v);
  ctx.setOutput(0, c, value.kind, *shape);
  return success();
}

/// SpaceToDepth / DepthToSpace on NHWC values.
LogicalResult convertSpaceToDepth(NodeContext &ctx) {
  Tensor &x = ctx.input(0);
  FailureOr<int64_t> bs = ctx.intAttr("blocksize");
  if (failed(bs))
    return failure();
  int64_t b = *bs;
  if (x.rank() != 4)
    return ctx.fail("SpaceToDepth needs a 4-D input");
  int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
  if (b <= 0 || h % b || w % b)
    return ctx.fail("blocksize " + std::to_string(b) +
                    " does not divide the spatial dimensions");
  TosaBuilder &tb = ctx.tosa();
  // [N,H,W,C] -> [N,H/b,b,W/b,b,C] -> [N,H/b,W/b,b,b,C] -> [N,H/b,W/b,b*b*C]
  Value v = tb.reshape(ctx.nhwc(x), {n, h / b, b, w / b, b, c});
  v = tb.transpose(v, {0, 1, 3, 2, 4, 5});
  v = tb.reshape(v, {n, h / b, w / b, b * b * c});
  ctx.setOutput(0, v, x.kind, {n, b * b * c, h / b, w / b}, Layout::NHWC);
  return success();
}

LogicalResult convertDepthToSpace(NodeContext &ctx) {
  Tensor &x = ctx.input(0);
  FailureOr<int64_t> bs = ctx.intAttr("blocksize");
  FailureOr<std::string> mode = ctx.stringAttr("mode", std::string("DCR"));
  if (failed(bs) || failed(mode))
    return failure();
  int64_t b = *bs;
  if (x.rank() != 4)
    return ctx.fail("DepthToSpace needs a 4-D input");
  int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
  if (b <= 0 || c % (b * b))
    return ctx.fail("blocksize " + std::to_string(b) +
                    " squared does not divide the channels");
  int64_t oc = c / (b * b);
  TosaBuilder &tb = ctx.tosa();
  Value v = ctx.nhwc(x);
  if (*mode == "DCR") {
    // channel = (bh*b + bw)*oc + c: [N,H,W,b,b,oc] -> [N,H,b,W,b,oc]
    v = tb.reshape(v, {n, h, w, b, b, oc});
    v = tb.transpose(v, {0, 1, 3, 2, 4, 5});
  } else if (*mode == "CRD") {
    // channel = c*b*b + bh*b + bw: [N,H,W,oc,b,b] -> [N,H,b,W,b,oc]
    v = tb.reshape(v, {n, h, w, oc, b, b});
    v = tb.transpose(v, {0, 1, 4, 2, 5, 3});
  } else {
    return ctx.fail("DepthToSpace mode '" + *mode + "' is not supported");
  }
  v = tb.reshape(v, {n, h * b, w * b, oc});
  ctx.setOutput(0, v, x.kind, {n, oc, h * b, w * b}, Layout::NHWC);
  return success();
}

LogicalResult convertExpand(NodeContext &ctx) {
  Tensor &x = ctx.input(0);
  FailureOr<std::vector<int64_t>> shape = ctx.intsInput(1, "shape");
  if (failed(shape))
    return failure();
  auto target = rev::broadcastShapes(x.shape, *shape);
  if (failed(target))
    return ctx.fail("cannot expand " + formatShape(x.shape) + " to " +
                    formatShape(*shape));
  std::vector<int64_t> out(target->begin(), target->end());
  if (x.isConstant() && numElements(out) <= (1 << 16)) {
    HostTensor h;
    std::string error;
    if (!hostExpand(*x.host, out, h, error))
      return ctx.fail(error);
    ctx.setConstantOutput(0, h);
    return success();
  }
  ctx.setOutput(0, ctx.tosa().broadcastTo(ctx.native(x), out), x.kind, out);
  return success();
}

} // namespace

void registerShapeOps(OpRegistry &r) {
  r.add("Reshape", 13, convertReshape);
  r.add("Flatten", 13, convertFlatten);
  r.add("Squeeze", 13, convertSqueeze);
  r.add("Unsqueeze", 13, convertUnsqueeze);
  r.add("Transpose", 13, convertTranspose);
  r.add("Expand", 13, convertExpand);
  r.add("Shape", 13, convertShape);
  r.add("Constant", 13, convertConstant);
  r.add("ConstantOfShape", 13, convertConstantOfShape);
  r.add("SpaceToDepth", 13, convertSpaceToDepth);
  r.add("DepthToSpace", 13, convertDepthToSpace);
}

} // namespace rev::onnx_import
