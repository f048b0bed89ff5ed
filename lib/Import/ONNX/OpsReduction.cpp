//===- OpsReduction.cpp - ONNX reductions, softmax, norms, products -------===//

#include "OpUtils.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

using namespace mlir;

namespace rev::onnx_import {
namespace {

enum class Reduce { Sum, Mean, Max };

/// Reduces `x` over logical `axes` (normalized, non-empty) and sets output 0,
/// keeping the dims or not.
void setReduced(NodeContext &ctx, Tensor &x, ArrayRef<int64_t> axes,
                bool keepDims, Reduce kind) {
  TosaBuilder &tb = ctx.tosa();
  Layout layout = x.layout;
  Value v = layout == Layout::NHWC ? ctx.nhwc(x) : ctx.native(x);
  SmallVector<int64_t> physical;
  int64_t count = 1;
  for (int64_t a : axes) {
    physical.push_back(physicalAxis(a, layout));
    count *= x.shape[a];
  }
  Value r = kind == Reduce::Max ? tb.reduceMax(v, physical)
                                : tb.reduceSum(v, physical);
  if (kind == Reduce::Mean)
    r = tb.mul(r, tb.scalarLike(r, 1.0 / count));
  std::vector<int64_t> kept = x.shape;
  for (int64_t a : axes)
    kept[a] = 1;
  if (keepDims) {
    ctx.setOutput(0, r, x.kind, kept, layout);
    return;
  }
  Tensor keptTensor;
  keptTensor.kind = x.kind;
  keptTensor.shape = kept;
  keptTensor.value = r;
  keptTensor.layout = layout;
  Value n = ctx.native(keptTensor);
  std::vector<int64_t> shape;
  for (int64_t d = 0; d < x.rank(); ++d)
    if (!llvm::is_contained(axes, d))
      shape.push_back(x.shape[d]);
  ctx.setOutput(0, tb.reshape(n, shape), x.kind, shape);
}

LogicalResult convertReduce(NodeContext &ctx, Reduce kind) {
  Tensor &x = ctx.input(0);
  if (!isFloat(x.kind))
    return ctx.fail("expects a float input");
  FailureOr<int64_t> keepDims = ctx.intAttr("keepdims", 1);
  FailureOr<int64_t> noop = ctx.intAttr("noop_with_empty_axes", 0);
  if (failed(keepDims) || failed(noop))
    return failure();
  std::vector<int64_t> axes;
  if (ctx.attr("axes")) {
    FailureOr<std::vector<int64_t>> a = ctx.intsAttr("axes");
    if (failed(a))
      return failure();
    axes = *a;
  } else if (ctx.hasInput(1)) {
    FailureOr<std::vector<int64_t>> a = ctx.intsInput(1, "axes");
    if (failed(a))
      return failure();
    axes = *a;
  }
  if (axes.empty()) {
    if (*noop) {
      Tensor t = x;
      ctx.setOutput(0, std::move(t));
      return success();
    }
    for (int64_t d = 0; d < x.rank(); ++d)
      axes.push_back(d);
  }
  std::vector<int64_t> normalized;
  for (int64_t a : axes) {
    FailureOr<int64_t> n = ctx.normalizeAxis(a, x.rank());
    if (failed(n))
      return failure();
    if (llvm::is_contained(normalized, *n))
      return ctx.fail("axis " + std::to_string(a) + " is repeated");
    normalized.push_back(*n);
  }
  llvm::sort(normalized);
  setReduced(ctx, x, normalized, *keepDims != 0, kind);
  return success();
}

LogicalResult convertSoftmax(NodeContext &ctx, bool log) {
  Tensor &x = ctx.input(0);
  if (!isFloat(x.kind))
    return ctx.fail("expects a float input");
  FailureOr<int64_t> axisAttr = ctx.intAttr("axis", -1);
  if (failed(axisAttr))
    return failure();
  FailureOr<int64_t> axis = ctx.normalizeAxis(*axisAttr, x.rank());
  if (failed(axis))
    return failure();
  TosaBuilder &tb = ctx.tosa();
  Layout layout = x.layout;
  Value v = layout == Layout::NHWC ? ctx.nhwc(x) : ctx.native(x);
  int64_t pa = physicalAxis(*axis, layout);
  // Subtract the max for stability.
  Value shifted = tb.sub(v, tb.reduceMax(v, pa));
  Value e = tb.exp(shifted);
  Value sum = tb.reduceSum(e, pa);
  Value r = log ? tb.sub(shifted, tb.log(sum)) : tb.mul(e, tb.reciprocal(sum));
  ctx.setOutput(0, r, x.kind, x.shape, layout);
  return success();
}

LogicalResult convertLayerNorm(NodeContext &ctx) {
  Tensor &x = ctx.input(0);
  if (!isFloat(x.kind))
    return ctx.fail("expects a float input");
  FailureOr<int64_t> axisAttr = ctx.intAttr("axis", -1);
  FailureOr<double> eps = ctx.floatAttr("epsilon", 1e-5);
  if (failed(axisAttr) || failed(eps))
    return failure();
  FailureOr<int64_t> axis = ctx.normalizeAxis(*axisAttr, x.rank());
  if (failed(axis))
    return failure();
  TosaBuilder &tb = ctx.tosa();
  Value v = ctx.native(x);
  std::vector<int64_t> axes;
  for (int64_t d = *axis; d < x.rank(); ++d)
    axes.push_back(d);
  std::vector<int64_t> normShape(x.shape.begin() + *axis, x.shape.end());
  Moments m = computeMoments(tb, v, axes, *eps);
  Value y = tb.mul(m.centered, m.inv);
  for (unsigned k : {1u, 2u}) {
    if (!ctx.hasInput(k))
      continue;
    Tensor &p = ctx.input(k);
    if (failed(rev::broadcastShapes(normShape, p.shape)) ||
        p.rank() > static_cast<int64_t>(normShape.size()))
      return ctx.fail("Scale and B must broadcast to the normalized shape");
    y = k == 1 ? tb.mul(y, ctx.native(p)) : tb.add(y, ctx.native(p));
  }
  ctx.setOutput(0, y, x.kind, x.shape);
  std::vector<int64_t> statShape = x.shape;
  for (int64_t d : axes)
    statShape[d] = 1;
  ctx.setOutput(1, m.mean, x.kind, statShape);
  ctx.setOutput(2, m.inv, x.kind, statShape);
  return success();
}

/// Batched matrix product with numpy semantics of `a` [.., M, K] and
/// `b` [.., K, N] (native values, rank >= 2).
Value matmulND(NodeContext &ctx, Value a, Value b) {
  TosaBuilder &tb = ctx.tosa();
  auto sa = TosaBuilder::typeOf(a).getShape(), sb = TosaBuilder::typeOf(b).getShape();
  int64_t m = sa[sa.size() - 2], k = sa.back(), n = sb.back();
  SmallVector<int64_t> batchA(sa.drop_back(2)), batchB(sb.drop_back(2));
  bool bShared = llvm::all_of(batchB, [](int64_t d) { return d == 1; });
  if (bShared) {
    // The common Linear case: fold A's batch into M, no copies of B.
    int64_t rows = numElements(batchA) * m;
    Value r = tb.matmul(tb.reshape(a, {1, rows, k}), tb.reshape(b, {1, k, n}));
    SmallVector<int64_t> shape(batchA);
    if (batchB.size() > batchA.size())
      shape.insert(shape.begin(), batchB.size() - batchA.size(), 1);
    shape.push_back(m);
    shape.push_back(n);
    return tb.reshape(r, shape);
  }
  auto batch = *rev::broadcastShapes(batchA, batchB);
  SmallVector<int64_t> fullA(batch), fullB(batch);
  fullA.append({m, k});
  fullB.append({k, n});
  int64_t bt = numElements(batch);
  Value a3 = tb.reshape(tb.broadcastTo(a, fullA), {bt, m, k});
  Value b3 = tb.reshape(tb.broadcastTo(b, fullB), {bt, k, n});
  SmallVector<int64_t> shape(batch);
  shape.append({m, n});
  return tb.reshape(tb.matmul(a3, b3), shape);
}

LogicalResult convertMatMul(NodeContext &ctx) {
  Tensor &a = ctx.input(0), &b = ctx.input(1);
  if (!isFloat(a.kind) || a.kind != b.kind)
    return ctx.fail("expects float operands of one element type");
  if (a.rank() == 0 || b.rank() == 0)
    return ctx.fail("MatMul operands must not be scalars");
  TosaBuilder &tb = ctx.tosa();
  Value va = ctx.native(a), vb = ctx.native(b);
  std::vector<int64_t> sa = a.shape, sb = b.shape;
  if (a.rank() == 1)
    sa.insert(sa.begin(), 1);
  if (b.rank() == 1)
    sb.push_back(1);
  va = tb.reshape(va, sa);
  vb = tb.reshape(vb, sb);
  if (sa.back() != sb[sb.size() - 2])
    return ctx.fail("inner dimensions differ: " + std::to_string(sa.back()) +
                    " and " + std::to_string(sb[sb.size() - 2]));
  if (failed(rev::broadcastShapes(ArrayRef(sa).drop_back(2),
                                  ArrayRef(sb).drop_back(2))))
    return ctx.fail("batch dimensions do not broadcast");
  Value r = matmulND(ctx, va, vb);
  std::vector<int64_t> shape(TosaBuilder::typeOf(r).getShape());
  if (a.rank() == 1)
    shape.erase(shape.end() - 2);
  if (b.rank() == 1)
    shape.pop_back();
  ctx.setOutput(0, tb.reshape(r, shape), a.kind, shape);
  return success();
}

LogicalResult convertGemm(NodeContext &ctx) {
  Tensor &a = ctx.input(0), &b = ctx.input(1);
  if (a.rank() != 2 || b.rank() != 2)
    return ctx.fail("Gemm expects 2-D A and B");
  if (!isFloat(a.kind) || a.kind != b.kind)
    return ctx.fail("expects float operands of one element type");
  FailureOr<double> alpha = ctx.floatAttr("alpha", 1.0);
  FailureOr<double> beta = ctx.floatAttr("beta", 1.0);
  FailureOr<int64_t> transA = ctx.intAttr("transA", 0);
  FailureOr<int64_t> transB = ctx.intAttr("transB", 0);
  if (failed(alpha) || failed(beta) || failed(transA) || failed(transB))
    return failure();
  TosaBuilder &tb = ctx.tosa();
  Value va = ctx.native(a), vb = ctx.native(b);
  if (*transA)
    va = tb.transpose(va, {1, 0});
  if (*transB)
    vb = tb.transpose(vb, {1, 0});
  auto sa = TosaBuilder::typeOf(va).getShape(), sb = TosaBuilder::typeOf(vb).getShape();
  int64_t m = sa[0], k = sa[1], n = sb[1];
  if (sb[0] != k)
    return ctx.fail("inner dimensions differ: " + std::to_string(k) + " and " +
                    std::to_string(sb[0]));
  Value y = tb.reshape(tb.matmul(tb.reshape(va, {1, m, k}), tb.reshape(vb, {1, k, n})),
                       {m, n});
  if (*alpha != 1.0)
    y = tb.mul(y, tb.scalarLike(y, *alpha));
  if (ctx.hasInput(2)) {
    Tensor &c = ctx.input(2);
    if (failed(rev::broadcastShapes({m, n}, c.shape)) || c.rank() > 2)
      return ctx.fail("C does not broadcast to [M, N]");
    Value vc = ctx.native(c);
    if (*beta != 1.0)
      vc = tb.mul(vc, tb.scalarLike(vc, *beta));
    if (*beta != 0.0)
      y = tb.add(y, vc);
  }
  ctx.setOutput(0, y, a.kind, {m, n});
  return success();
}

} // namespace

void registerReductionOps(OpRegistry &r) {
  r.add("ReduceSum", 13, [](NodeContext &c) { return convertReduce(c, Reduce::Sum); });
  r.add("ReduceMean", 13, [](NodeContext &c) { return convertReduce(c, Reduce::Mean); });
  r.add("ReduceMax", 13, [](NodeContext &c) { return convertReduce(c, Reduce::Max); });
  r.add("Softmax", 13, [](NodeContext &c) { return convertSoftmax(c, false); });
  r.add("LogSoftmax", 13, [](NodeContext &c) { return convertSoftmax(c, true); });
  r.add("LayerNormalization", 17, convertLayerNorm);
  r.add("MatMul", 13, convertMatMul);
  r.add("Gemm", 13, convertGemm);
}

} // namespace rev::onnx_import
