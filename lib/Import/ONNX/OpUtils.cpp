//===- OpUtils.cpp - helpers shared by the ONNX op handlers ---------------===//

#include "OpUtils.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

#include <limits>

using namespace mlir;

namespace rev::onnx_import {

std::vector<int64_t> physicalShape(ArrayRef<int64_t> logical, Layout layout) {
  if (layout == Layout::Native)
    return logical.vec();
  return {logical[0], logical[2], logical[3], logical[1]};
}

int64_t physicalAxis(int64_t axis, Layout layout) {
  if (layout == Layout::Native)
    return axis;
  static const int64_t map[4] = {0, 3, 1, 2};
  return map[axis];
}

Value broadcastOperand(NodeContext &ctx, Tensor &t, int64_t rank,
                       Layout layout) {
  if (layout == Layout::NHWC && t.rank() == 4)
    return ctx.nhwc(t);
  if (layout == Layout::Native || rank != 4)
    return ctx.native(t);
  // A lower-rank operand broadcast against an NHWC tensor: give it rank 4
  // (leading 1s), then permute it like the tensor.
  std::vector<int64_t> padded(rank - t.rank(), 1);
  padded.insert(padded.end(), t.shape.begin(), t.shape.end());
  Tensor reshaped;
  reshaped.kind = t.kind;
  reshaped.shape = padded;
  if (t.host && !t.value) {
    reshaped.host = *t.host;
    reshaped.host->shape = padded;
  } else {
    reshaped.value = ctx.tosa().reshape(ctx.native(t), padded);
  }
  return ctx.nhwc(reshaped);
}

FailureOr<ElementwiseOperands>
prepareElementwise(NodeContext &ctx, ArrayRef<Tensor *> inputs) {
  ElementwiseOperands ops;
  std::vector<int64_t> shape;
  for (Tensor *t : inputs) {
    auto s = rev::broadcastShapes(shape, t->shape);
    if (failed(s)) {
      (void)ctx.fail("operand shapes do not broadcast");
      return failure();
    }
    shape.assign(s->begin(), s->end());
  }
  ops.shape = shape;
  bool nhwc = shape.size() == 4 && llvm::any_of(inputs, [](Tensor *t) {
                return t->rank() == 4 && t->layout == Layout::NHWC;
              });
  ops.layout = nhwc ? Layout::NHWC : Layout::Native;
  for (Tensor *t : inputs)
    ops.values.push_back(broadcastOperand(ctx, *t, shape.size(), ops.layout));
  return ops;
}

bool allConstant(NodeContext &ctx) {
  int64_t total = 0;
  for (unsigned k = 0; k < ctx.numInputs(); ++k) {
    if (!ctx.hasInput(k))
      continue;
    Tensor &t = ctx.input(k);
    if (!t.isConstant())
      return false;
    total += t.host->size();
  }
  return total <= (1 << 16);
}

double largestFinite(Type elementType) {
  if (elementType.isF64())
    return std::numeric_limits<double>::max();
  return std::numeric_limits<float>::max();
}

Moments computeMoments(rev::TosaBuilder &tb, Value v, ArrayRef<int64_t> axes,
                       double eps) {
  auto type = cast<RankedTensorType>(v.getType());
  int64_t count = 1;
  for (int64_t d : axes)
    count *= type.getDimSize(d);
  Moments m;
  m.mean = tb.mul(tb.reduceSum(v, axes), tb.scalarLike(v, 1.0 / count));
  m.centered = tb.sub(v, m.mean);
  m.var = tb.mul(tb.reduceSum(tb.mul(m.centered, m.centered), axes),
                 tb.scalarLike(v, 1.0 / count));
  m.inv = tb.rsqrt(tb.add(m.var, tb.scalarLike(m.var, eps)));
  return m;
}

} // namespace rev::onnx_import
