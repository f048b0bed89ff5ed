//===- OpsDataMovement.cpp - ONNX ops that select and join data ----------===//
//
// Concat, Split, Slice, Gather and Pad. When their inputs are constants (the
// shape computations that PyTorch exports) they are evaluated at import
// time.
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

LogicalResult convertConcat(NodeContext &ctx) {
  FailureOr<int64_t> axisAttr = ctx.intAttr("axis");
  if (failed(axisAttr))
    return failure();
  std::vector<Tensor *> inputs;
  for (unsigned k = 0; k < ctx.numInputs(); ++k)
    if (ctx.hasInput(k))
      inputs.push_back(&ctx.input(k));
  if (inputs.empty())
    return ctx.fail("Concat needs at least one input");
  int64_t rank = inputs.front()->rank();
  FailureOr<int64_t> axis = ctx.normalizeAxis(*axisAttr, rank);
  if (failed(axis))
    return failure();
  std::vector<int64_t> shape = inputs.front()->shape;
  shape[*axis] = 0;
  for (Tensor *t : inputs) {
    if (t->rank() != rank || t->kind != inputs.front()->kind)
      return ctx.fail("Concat inputs differ in rank or element type");
    for (int64_t d = 0; d < rank; ++d)
      if (d != *axis && t->shape[d] != inputs.front()->shape[d])
        return ctx.fail("Concat inputs differ in dimension " +
                        std::to_string(d));
    shape[*axis] += t->shape[*axis];
  }
  if (allConstant(ctx)) {
    std::vector<const HostTensor *> hosts;
    for (Tensor *t : inputs)
      hosts.push_back(&*t->host);
    HostTensor out;
    std::string error;
    if (!hostConcat(hosts, *axis, out, error))
      return ctx.fail(error);
    ctx.setConstantOutput(0, out);
    return success();
  }
  bool nhwc = rank == 4 && llvm::any_of(inputs, [](Tensor *t) {
                return t->layout == Layout::NHWC;
              });
  Layout layout = nhwc ? Layout::NHWC : Layout::Native;
  SmallVector<Value> values;
  for (Tensor *t : inputs)
    values.push_back(nhwc ? ctx.nhwc(*t) : ctx.native(*t));
  Value r = ctx.tosa().concat(values, physicalAxis(*axis, layout));
  ctx.setOutput(0, r, inputs.front()->kind, shape, layout);
  return success();
}

/// Output `i` = x[start : start + size] along logical `axis` (step 1),
/// keeping x's layout.
void setSlice(NodeContext &ctx, unsigned i, Tensor &x, int64_t axis,
              int64_t start, int64_t size) {
  std::vector<int64_t> starts(x.rank(), 0), sizes = x.shape;
  starts[axis] = start;
  sizes[axis] = size;
  if (x.isConstant()) {
    HostTensor out;
    std::vector<int64_t> steps(x.rank(), 1);
    hostSlice(*x.host, starts, steps, sizes, out);
    ctx.setConstantOutput(i, out);
    return;
  }
  Layout layout = x.layout;
  Value v = layout == Layout::NHWC ? ctx.nhwc(x) : ctx.native(x);
  Value r = ctx.tosa().slice(v, physicalShape(starts, layout),
                             physicalShape(sizes, layout));
  ctx.setOutput(i, r, x.kind, sizes, layout);
}

LogicalResult convertSplit(NodeContext &ctx) {
  Tensor &x = ctx.input(0);
  FailureOr<int64_t> axisAttr = ctx.intAttr("axis", 0);
  if (failed(axisAttr))
    return failure();
  FailureOr<int64_t> axis = ctx.normalizeAxis(*axisAttr, x.rank());
  if (failed(axis))
    return failure();
  std::vector<int64_t> sizes;
  if (ctx.hasInput(1)) {
    FailureOr<std::vector<int64_t>> s = ctx.intsInput(1, "split");
    if (failed(s))
      return failure();
    sizes = *s;
  } else if (ctx.attr("split")) {
    FailureOr<std::vector<int64_t>> s = ctx.intsAttr("split");
    if (failed(s))
      return failure();
    sizes = *s;
  } else {
    int64_t n = ctx.numOutputs(), dim = x.shape[*axis];
    if (dim % n)
      return ctx.fail("cannot split a dimension of size " +
                      std::to_string(dim) + " into " + std::to_string(n) +
                      " equal parts");
    sizes.assign(n, dim / n);
  }
  if (static_cast<int64_t>(sizes.size()) != ctx.numOutputs())
    return ctx.fail("split has " + std::to_string(sizes.size()) +
                    " sizes for " + std::to_string(ctx.numOutputs()) +
                    " outputs");
  int64_t total = 0;
  for (int64_t s : sizes) {
    if (s < 0)
      return ctx.fail("split sizes must not be negative");
    if (s == 0)
      return ctx.fail("a split of size 0 is an empty tensor; empty tensors "
                      "are not supported");
    total += s;
  }
  if (total != x.shape[*axis])
    return ctx.fail("split sizes add up to " + std::to_string(total) +
                    ", not to the dimension's " +
                    std::to_string(x.shape[*axis]));
  int64_t offset = 0;
  for (auto [k, s] : llvm::enumerate(sizes)) {
    if (ctx.outputUsed(k))
      setSlice(ctx, k, x, *axis, offset, s);
    offset += s;
  }
  return success();
}

LogicalResult convertSlice(NodeContext &ctx) {
  Tensor &x = ctx.input(0);
  FailureOr<std::vector<int64_t>> starts = ctx.intsInput(1, "starts");
  FailureOr<std::vector<int64_t>> ends = ctx.intsInput(2, "ends");
  if (failed(starts) || failed(ends))
    return failure();
  std::vector<int64_t> axes, steps;
  if (ctx.hasInput(3)) {
    FailureOr<std::vector<int64_t>> a = ctx.intsInput(3, "axes");
    if (failed(a))
      return failure();
    axes = *a;
  } else {
    for (size_t k = 0; k < starts->size(); ++k)
      axes.push_back(k);
  }
  if (ctx.hasInput(4)) {
    FailureOr<std::vector<int64_t>> s = ctx.intsInput(4, "steps");
    if (failed(s))
      return failure();
    steps = *s;
  } else {
    steps.assign(starts->size(), 1);
  }
  if (ends->size() != starts->size() || axes.size() != starts->size() ||
      steps.size() != starts->size())
    return ctx.fail("starts, ends, axes and steps have different lengths");

  int64_t rank = x.rank();
  std::vector<int64_t> begin(rank, 0), step(rank, 1), size = x.shape;
  std::vector<bool> seen(rank, false);
  for (size_t k = 0; k < axes.size(); ++k) {
    FailureOr<int64_t> axis = ctx.normalizeAxis(axes[k], rank);
    if (failed(axis))
      return failure();
    if (seen[*axis])
      return ctx.fail("axis " + std::to_string(axes[k]) + " is repeated");
    seen[*axis] = true;
    int64_t dim = x.shape[*axis], s = steps[k];
    if (s == 0)
      return ctx.fail("steps must not be 0");
    int64_t st = (*starts)[k], en = (*ends)[k];
    if (st < 0)
      st += dim;
    if (en < 0)
      en += dim;
    if (s > 0) {
      st = std::clamp<int64_t>(st, 0, dim);
      en = std::clamp<int64_t>(en, 0, dim);
      size[*axis] = std::max<int64_t>(0, (en - st + s - 1) / s);
    } else {
      st = std::clamp<int64_t>(st, 0, dim - 1);
      en = std::clamp<int64_t>(en, -1, dim - 1);
      size[*axis] = std::max<int64_t>(0, (st - en + (-s) - 1) / (-s));
    }
    begin[*axis] = st;
    step[*axis] = s;
  }
  if (x.isConstant()) {
    HostTensor out;
    hostSlice(*x.host, begin, step, size, out);
    ctx.setConstantOutput(0, out);
    return success();
  }
  for (int64_t d : size)
    if (d == 0)
      return ctx.fail("the slice is empty; empty tensors are not supported");

  Layout layout = x.layout;
  Value v = layout == Layout::NHWC ? ctx.nhwc(x) : ctx.native(x);
  TosaBuilder &tb = ctx.tosa();
  // Per axis: reverse for negative steps, then take every step-th element
  // with slice + reshape + slice.
  for (int64_t d = 0; d < rank; ++d) {
    int64_t pd = physicalAxis(d, layout);
    auto type = TosaBuilder::typeOf(v);
    int64_t dim = type.getDimSize(pd);
    int64_t st = begin[d], s = step[d], n = size[d];
    if (s < 0) {
      v = tosa::ReverseOp::create(ctx.builder(), ctx.loc(), type, v,
                                  ctx.builder().getI32IntegerAttr(pd));
      st = dim - 1 - st;
      s = -s;
    }
    if (s == 1 && st == 0 && n == dim)
      continue;
    SmallVector<int64_t> starts(type.getRank(), 0), sizes(type.getShape());
    if (s == 1) {
      starts[pd] = st;
      sizes[pd] = n;
      v = tb.slice(v, starts, sizes);
      continue;
    }
    // Take [st, st + n*s), padding past the end if needed, view it as
    // [n, s] and keep the first of each group.
    int64_t span = n * s, avail = dim - st;
    starts[pd] = st;
    sizes[pd] = std::min(span, avail);
    v = tb.slice(v, starts, sizes);
    if (span > avail) {
      SmallVector<int64_t> padding(2 * type.getRank(), 0);
      padding[2 * pd + 1] = span - avail;
      v = tb.pad(v, padding);
    }
    SmallVector<int64_t> grouped(TosaBuilder::typeOf(v).getShape());
    grouped[pd] = n;
    grouped.insert(grouped.begin() + pd + 1, s);
    v = tb.reshape(v, grouped);
    SmallVector<int64_t> gStarts(grouped.size(), 0), gSizes = grouped;
    gSizes[pd + 1] = 1;
    v = tb.slice(v, gStarts, gSizes);
    grouped.erase(grouped.begin() + pd + 1);
    v = tb.reshape(v, grouped);
  }
  ctx.setOutput(0, v, x.kind, size, layout);
  return success();
}

LogicalResult convertGather(NodeContext &ctx) {
  Tensor &data = ctx.input(0), &indices = ctx.input(1);
  FailureOr<int64_t> axisAttr = ctx.intAttr("axis", 0);
  if (failed(axisAttr))
    return failure();
  FailureOr<int64_t> axis = ctx.normalizeAxis(*axisAttr, data.rank());
  if (failed(axis))
    return failure();
  if (isFloat(indices.kind))
    return ctx.fail("indices must be integers");
  if (data.isConstant() && indices.isConstant()) {
    HostTensor out;
    std::string error;
    if (!hostGather(*data.host, *indices.host, *axis, out, error))
      return ctx.fail(error);
    ctx.setConstantOutput(0, out);
    return success();
  }
  int64_t dim = data.shape[*axis];
  std::vector<int64_t> outShape(data.shape.begin(), data.shape.begin() + *axis);
  outShape.insert(outShape.end(), indices.shape.begin(), indices.shape.end());
  outShape.insert(outShape.end(), data.shape.begin() + *axis + 1,
                  data.shape.end());
  TosaBuilder &tb = ctx.tosa();
  // A constant scalar index: a slice.
  if (indices.isConstant() && indices.host->size() == 1 &&
      indices.shape.empty()) {
    int64_t idx = indices.host->getInt(0);
    if (idx < -dim || idx >= dim)
      return ctx.fail("index " + std::to_string(idx) +
                      " is out of range for a dimension of size " +
                      std::to_string(dim));
    if (idx < 0)
      idx += dim;
    std::vector<int64_t> starts(data.rank(), 0), sizes = data.shape;
    starts[*axis] = idx;
    sizes[*axis] = 1;
    Value v = tb.slice(ctx.native(data), starts, sizes);
    ctx.setOutput(0, tb.reshape(v, outShape), data.kind, outShape);
    return success();
  }
  // General case with tosa.gather: values [outer, K, inner], indices
  // [outer, W] (the same W indices for each outer row).
  int64_t outer = numElements(ArrayRef(data.shape).take_front(*axis));
  int64_t inner = numElements(ArrayRef(data.shape).drop_front(*axis + 1));
  int64_t w = numElements(indices.shape);
  Value values = tb.reshape(ctx.native(data), {outer, dim, inner});
  auto type = RankedTensorType::get(
      {outer, w, inner}, TosaBuilder::typeOf(values).getElementType());
  if (indices.isConstant()) {
    // Constant indices (a channel permutation x[:, perm], say): normalized
    // here, one constant the gather's inverse can read.
    SmallVector<int32_t> table;
    for (int64_t r = 0; r < outer; ++r)
      for (int64_t k = 0; k < w; ++k) {
        int64_t i = indices.host->getInt(k);
        if (i < -dim || i >= dim)
          return ctx.fail("index " + std::to_string(i) +
                          " is out of range for a dimension of size " +
                          std::to_string(dim));
        table.push_back(static_cast<int32_t>(i < 0 ? i + dim : i));
      }
    auto idxType =
        RankedTensorType::get({outer, w}, ctx.builder().getI32Type());
    Value idx = tb.constant(DenseElementsAttr::get(idxType, ArrayRef(table)));
    Value g =
        tosa::GatherOp::create(ctx.builder(), ctx.loc(), type, values, idx);
    ctx.setOutput(0, tb.reshape(g, outShape), data.kind, outShape);
    return success();
  }
  // Indices known only at run time are checked there (an index outside
  // [-dim, dim) would read out of bounds).
  Value checked = rev::CheckRangeOp::create(
      ctx.builder(), ctx.loc(), ctx.native(indices), -dim, dim,
      "indices of node " + ctx.nodeName() + " (axis " + std::to_string(*axis) +
          ")");
  Value idx = tb.cast(tb.reshape(checked, {1, w}), ctx.builder().getI32Type());
  // Negative indices count from the end.
  Value negative =
      tb.greater(tb.splat(ctx.builder().getI32Type(), {1, 1}, 0), idx);
  idx = tb.select(
      negative, tb.add(idx, tb.splat(ctx.builder().getI32Type(), {1, 1}, dim)),
      idx);
  idx = tb.tile(idx, {outer, 1});
  Value g = tosa::GatherOp::create(ctx.builder(), ctx.loc(), type, values, idx);
  ctx.setOutput(0, tb.reshape(g, outShape), data.kind, outShape);
  return success();
}

LogicalResult convertPad(NodeContext &ctx) {
  Tensor &x = ctx.input(0);
  FailureOr<std::string> mode = ctx.stringAttr("mode", std::string("constant"));
  if (failed(mode))
    return failure();
  if (*mode != "constant" && *mode != "edge" && *mode != "reflect")
    return ctx.fail("Pad mode '" + *mode + "' is not supported");
  FailureOr<std::vector<int64_t>> pads = ctx.intsInput(1, "pads");
  if (failed(pads))
    return failure();
  int64_t rank = x.rank();
  if (static_cast<int64_t>(pads->size()) != 2 * rank)
    return ctx.fail("pads has " + std::to_string(pads->size()) +
                    " entries for a tensor of rank " + std::to_string(rank));
  double value = 0.0;
  Value runtimeValue;
  if (ctx.hasInput(2)) {
    Tensor &c = ctx.input(2);
    if (numElements(c.shape) != 1)
      return ctx.fail("constant_value must be a scalar");
    if (c.host)
      value = c.host->getDouble(0);
    else
      runtimeValue = ctx.tosa().reshape(ctx.native(c), {1});
  }
  if (ctx.hasInput(3))
    return ctx.fail("the axes input of Pad is not supported");
  Layout layout = x.layout;
  Value v = layout == Layout::NHWC ? ctx.nhwc(x) : ctx.native(x);
  TosaBuilder &tb = ctx.tosa();
  std::vector<int64_t> shape = x.shape;
  SmallVector<int64_t> padding(2 * rank, 0), cropStart(rank, 0);
  bool crop = false;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t lo = (*pads)[d], hi = (*pads)[d + rank];
    int64_t pd = physicalAxis(d, layout);
    padding[2 * pd] = std::max<int64_t>(lo, 0);
    padding[2 * pd + 1] = std::max<int64_t>(hi, 0);
    if (lo < 0 || hi < 0)
      crop = true;
    shape[d] += lo + hi;
    if (shape[d] <= 0)
      return ctx.fail("negative pads remove the whole dimension " +
                      std::to_string(d));
  }
  if (*mode == "constant" && runtimeValue) {
    SmallVector<int64_t> padded(TosaBuilder::typeOf(v).getShape());
    for (size_t i = 0; i < padded.size(); ++i)
      padded[i] += padding[2 * i] + padding[2 * i + 1];
    v = tosa::PadOp::create(ctx.builder(), ctx.loc(),
                            TosaBuilder::typeOf(v).clone(padded), v,
                            tb.constShape(padding), runtimeValue);
  } else if (*mode == "constant") {
    v = tb.pad(v, padding, value);
  } else {
    // edge / reflect: per axis, concatenate copies of the border (edge) or
    // of the mirrored inner rows (reflect) on each side.
    for (int64_t d = 0; d < rank; ++d) {
      int64_t pd = physicalAxis(d, layout);
      int64_t lo = padding[2 * pd], hi = padding[2 * pd + 1];
      if (!lo && !hi)
        continue;
      auto type = TosaBuilder::typeOf(v);
      int64_t n = type.getDimSize(pd);
      if (*mode == "reflect" && (lo >= n || hi >= n))
        return ctx.fail("reflect pads must be smaller than the dimension");
      auto part = [&](int64_t start, int64_t size) {
        SmallVector<int64_t> starts(type.getRank(), 0), sizes(type.getShape());
        starts[pd] = start;
        sizes[pd] = size;
        return tb.slice(v, starts, sizes);
      };
      auto reversed = [&](Value x) {
        return tosa::ReverseOp::create(ctx.builder(), ctx.loc(), x.getType(), x,
                                       ctx.builder().getI32IntegerAttr(pd))
            .getResult();
      };
      auto repeated = [&](Value x, int64_t times) {
        SmallVector<int64_t> multiples(type.getRank(), 1);
        multiples[pd] = times;
        return tb.tile(x, multiples);
      };
      SmallVector<Value> parts;
      if (lo)
        parts.push_back(*mode == "edge" ? repeated(part(0, 1), lo)
                                        : reversed(part(1, lo)));
      parts.push_back(v);
      if (hi)
        parts.push_back(*mode == "edge" ? repeated(part(n - 1, 1), hi)
                                        : reversed(part(n - 1 - hi, hi)));
      v = tb.concat(parts, pd);
    }
  }
  if (crop) {
    // Negative pads remove elements.
    SmallVector<int64_t> starts(rank, 0);
    for (int64_t d = 0; d < rank; ++d)
      starts[physicalAxis(d, layout)] = std::max<int64_t>(-(*pads)[d], 0);
    v = tb.slice(v, starts, physicalShape(shape, layout));
  }
  ctx.setOutput(0, v, x.kind, shape, layout);
  return success();
}

} // namespace

void registerDataMovementOps(OpRegistry &r) {
  r.add("Concat", 13, convertConcat);
  r.add("Split", 13, convertSplit);
  r.add("Slice", 13, convertSlice);
  r.add("Gather", 13, convertGather);
  r.add("Pad", 13, convertPad);
}

} // namespace rev::onnx_import
