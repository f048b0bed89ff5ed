//===- OpsElementwise.cpp - ONNX elementwise ops --------------------------===//
//
// Unary and binary elementwise ops with numpy broadcasting. They keep the
// layout of their operands (so chains of conv -> add -> relu stay NHWC) and
// fold when every input is a constant (shape arithmetic).
//
//===----------------------------------------------------------------------===//

#include "OpUtils.h"

#include "rev/Dialect/Rev/IR/RevOps.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

#include <cmath>

using namespace mlir;

namespace rev::onnx_import {
namespace {

/// The result of a unary op on `x`, keeping its layout.
LogicalResult setUnary(NodeContext &ctx, Value result, Tensor &x) {
  ctx.setOutput(0, result, x.kind, x.shape, x.layout);
  return success();
}

/// The value of input 0 in its own layout.
Value own(NodeContext &ctx, Tensor &x) {
  return x.layout == Layout::NHWC ? ctx.nhwc(x) : ctx.native(x);
}

LogicalResult requireFloat(NodeContext &ctx, Tensor &x) {
  if (!isFloat(x.kind))
    return ctx.fail(std::string(elemKindName(x.kind)) + " input is not supported "
                    "(this op needs a float tensor)");
  return success();
}

/// Max/Min of one or more inputs, folded pairwise.
OpHandler variadic(BinaryKind kind, bool isMax) {
  return [=](NodeContext &ctx) -> LogicalResult {
    std::vector<Tensor *> inputs;
    for (unsigned k = 0; k < ctx.numInputs(); ++k)
      if (ctx.hasInput(k))
        inputs.push_back(&ctx.input(k));
    if (inputs.empty())
      return ctx.fail("needs at least one input");
    for (Tensor *t : inputs)
      if (t->kind != inputs.front()->kind)
        return ctx.fail("inputs have different element types");
    if (allConstant(ctx)) {
      HostTensor acc = *inputs.front()->host;
      std::string error;
      for (size_t k = 1; k < inputs.size(); ++k) {
        HostTensor next;
        if (!hostBinary(kind, acc, *inputs[k]->host, next, error))
          return ctx.fail(error);
        acc = std::move(next);
      }
      ctx.setConstantOutput(0, acc);
      return success();
    }
    FailureOr<ElementwiseOperands> ops = prepareElementwise(ctx, inputs);
    if (failed(ops))
      return failure();
    Value r = ops->values.front();
    for (size_t k = 1; k < ops->values.size(); ++k)
      r = isMax ? ctx.tosa().maximum(r, ops->values[k])
                : ctx.tosa().minimum(r, ops->values[k]);
    ctx.setOutput(0, r, inputs.front()->kind, ops->shape, ops->layout);
    return success();
  };
}

template <typename Build>
OpHandler unaryFloat(double (*fold)(double), Build build) {
  return [fold, build](NodeContext &ctx) -> LogicalResult {
    Tensor &x = ctx.input(0);
    if (fold && allConstant(ctx)) {
      HostTensor out;
      hostUnary(*x.host, fold, out);
      ctx.setConstantOutput(0, out);
      return success();
    }
    if (failed(requireFloat(ctx, x)))
      return failure();
    return setUnary(ctx, build(ctx, own(ctx, x)), x);
  };
}

OpHandler binary(BinaryKind foldKind,
                 std::function<Value(NodeContext &, Value, Value)> build,
                 bool resultIsBool = false) {
  return [=](NodeContext &ctx) -> LogicalResult {
    Tensor &a = ctx.input(0), &b = ctx.input(1);
    if (a.kind != b.kind)
      return ctx.fail(std::string("operands have different element types (") +
                      elemKindName(a.kind) + " and " + elemKindName(b.kind) +
                      ")");
    if (allConstant(ctx)) {
      HostTensor out;
      std::string error;
      if (!hostBinary(foldKind, *a.host, *b.host, out, error))
        return ctx.fail(error);
      if (out.kind == ElemKind::F32)
        hostCast(out, ElemKind::F32, out); // round like float32 arithmetic
      ctx.setConstantOutput(0, out);
      return success();
    }
    FailureOr<ElementwiseOperands> ops = prepareElementwise(ctx, {&a, &b});
    if (failed(ops))
      return failure();
    Value r = build(ctx, ops->values[0], ops->values[1]);
    ctx.setOutput(0, r, resultIsBool ? ElemKind::Bool : a.kind, ops->shape,
                  ops->layout);
    return success();
  };
}

LogicalResult convertRelu(NodeContext &ctx) {
  Tensor &x = ctx.input(0);
  if (failed(requireFloat(ctx, x)))
    return failure();
  Value v = own(ctx, x);
  double hi = largestFinite(TosaBuilder::typeOf(v).getElementType());
  return setUnary(ctx, ctx.tosa().clamp(v, 0.0, hi), x);
}

LogicalResult convertLeakyRelu(NodeContext &ctx) {
  Tensor &x = ctx.input(0);
  if (failed(requireFloat(ctx, x)))
    return failure();
  FailureOr<double> alpha = ctx.floatAttr("alpha", 0.01);
  if (failed(alpha))
    return failure();
  TosaBuilder &tb = ctx.tosa();
  Value v = own(ctx, x);
  // x >= 0 ? x : alpha * x
  Value positive = tb.greaterEqual(v, tb.scalarLike(v, 0.0));
  Value scaled = tb.mul(v, tb.scalarLike(v, *alpha));
  return setUnary(ctx, tb.select(positive, v, scaled), x);
}

/// A scalar bound of Clip (input `i`): its constant value (`dflt` when
/// absent), or, computed at run time (a weight), `runtime`: a value
/// broadcastable against `like`.
struct ClipBound {
  bool present;
  double value;
  Value runtime;
};

FailureOr<ClipBound> clipBound(NodeContext &ctx, unsigned i, Value like,
                               double dflt) {
  ClipBound bound{ctx.hasInput(i), dflt, {}};
  if (!bound.present)
    return bound;
  Tensor &b = ctx.input(i);
  if (numElements(b.shape) != 1)
    return ctx.fail(std::string(i == 1 ? "min" : "max") + " must be a scalar");
  if (b.kind != ctx.input(0).kind)
    return ctx.fail(std::string(i == 1 ? "min" : "max") +
                    " has another element type than the input");
  if (b.isConstant()) {
    bound.value = b.host->getDouble(0);
  } else {
    SmallVector<int64_t> ones(TosaBuilder::typeOf(like).getRank(), 1);
    bound.runtime = ctx.tosa().reshape(ctx.native(b), ones);
  }
  return bound;
}

/// Clip (ReLU6, hardtanh, clamp): constant bounds make one tosa.clamp, bounds
/// computed at run time a maximum and a minimum.
LogicalResult convertClip(NodeContext &ctx) {
  Tensor &x = ctx.input(0);
  if (failed(requireFloat(ctx, x)))
    return failure();
  TosaBuilder &tb = ctx.tosa();
  Value v = own(ctx, x);
  double big = largestFinite(TosaBuilder::typeOf(v).getElementType());
  FailureOr<ClipBound> lo = clipBound(ctx, 1, v, -big);
  if (failed(lo))
    return failure();
  FailureOr<ClipBound> hi = clipBound(ctx, 2, v, big);
  if (failed(hi))
    return failure();
  if (!lo->runtime && !hi->runtime) {
    // ONNX: min(max(x, lo), hi), so hi wins where lo > hi.
    double l = std::min(lo->value, hi->value);
    return setUnary(ctx, tb.clamp(v, l, hi->value), x);
  }
  Value r = v;
  if (lo->present)
    r = lo->runtime ? tb.maximum(r, lo->runtime) : tb.clamp(r, lo->value, big);
  if (hi->present)
    r = hi->runtime ? tb.minimum(r, hi->runtime) : tb.clamp(r, -big, hi->value);
  return setUnary(ctx, r, x);
}

/// max(0, min(1, alpha * x + beta)).
Value hardSigmoid(TosaBuilder &tb, Value v, double alpha, double beta) {
  return tb.clamp(
      tb.add(tb.mul(v, tb.scalarLike(v, alpha)), tb.scalarLike(v, beta)), 0.0,
      1.0);
}

/// x > 0 ? x : alpha * (exp(x) - 1), the exponential taken of min(x, 0)
/// (it cannot overflow, and a discarded inf would make the select's
/// derivative 0 * inf).
Value expLinear(TosaBuilder &tb, Value v, double alpha, double inner = 1.0) {
  Value zero = tb.scalarLike(v, 0.0);
  Value e = tb.exp(tb.mul(tb.minimum(v, zero), tb.scalarLike(v, inner)));
  Value negative =
      tb.mul(tb.sub(e, tb.scalarLike(v, 1.0)), tb.scalarLike(v, alpha));
  return tb.select(tb.greater(v, zero), v, negative);
}

/// A float activation whose float attributes (name and default) `build`
/// reads, in order.
OpHandler activation(
    std::vector<std::pair<const char *, double>> attrs,
    std::function<FailureOr<Value>(NodeContext &, Value, ArrayRef<double>)>
        build) {
  return [=](NodeContext &ctx) -> LogicalResult {
    Tensor &x = ctx.input(0);
    if (failed(requireFloat(ctx, x)))
      return failure();
    SmallVector<double> values;
    for (auto [name, dflt] : attrs) {
      FailureOr<double> v = ctx.floatAttr(name, dflt);
      if (failed(v))
        return failure();
      values.push_back(*v);
    }
    FailureOr<Value> y = build(ctx, own(ctx, x), values);
    if (failed(y))
      return failure();
    return setUnary(ctx, *y, x);
  };
}

/// The activations of ONNX that are compositions of TOSA ops (their
/// derivatives are those of the compositions).
void registerActivations(OpRegistry &r) {
  r.add("Clip", 13, convertClip);
  r.add("HardSigmoid", 6,
        activation({{"alpha", 0.2}, {"beta", 0.5}},
                   [](NodeContext &c, Value v, ArrayRef<double> a) {
                     return hardSigmoid(c.tosa(), v, a[0], a[1]);
                   }));
  r.add("HardSwish", 14,
        activation({}, [](NodeContext &c, Value v, ArrayRef<double>) {
          return c.tosa().mul(v, hardSigmoid(c.tosa(), v, 1.0 / 6.0, 0.5));
        }));
  r.add("Elu", 6,
        activation({{"alpha", 1.0}},
                   [](NodeContext &c, Value v, ArrayRef<double> a) {
                     return expLinear(c.tosa(), v, a[0]);
                   }));
  r.add("Selu", 6,
        activation({{"alpha", 1.67326319217681884765625},
                    {"gamma", 1.05070102214813232421875}},
                   [](NodeContext &c, Value v, ArrayRef<double> a) {
                     TosaBuilder &tb = c.tosa();
                     return tb.mul(expLinear(tb, v, a[0]),
                                   tb.scalarLike(v, a[1]));
                   }));
  r.add("Celu", 12,
        activation({{"alpha", 1.0}},
                   [](NodeContext &c, Value v,
                      ArrayRef<double> a) -> FailureOr<Value> {
                     if (a[0] == 0.0)
                       return c.fail("alpha must not be 0");
                     return expLinear(c.tosa(), v, a[0], 1.0 / a[0]);
                   }));
  r.add("ThresholdedRelu", 10,
        activation({{"alpha", 1.0}},
                   [](NodeContext &c, Value v, ArrayRef<double> a) {
                     TosaBuilder &tb = c.tosa();
                     return tb.select(tb.greater(v, tb.scalarLike(v, a[0])), v,
                                      tb.splatLike(v, 0.0));
                   }));
  // log(1 + exp(x)) as max(x, 0) + log(1 + exp(-|x|)): no overflow.
  r.add("Softplus", 1, unaryFloat(nullptr, [](NodeContext &c, Value v) {
          TosaBuilder &tb = c.tosa();
          Value e = tb.exp(tb.neg(tb.abs(v)));
          return tb.add(tb.maximum(v, tb.scalarLike(v, 0.0)),
                        tb.log(tb.add(e, tb.scalarLike(v, 1.0))));
        }));
  r.add("Softsign", 1, unaryFloat(nullptr, [](NodeContext &c, Value v) {
          TosaBuilder &tb = c.tosa();
          return tb.mul(
              v, tb.reciprocal(tb.add(tb.abs(v), tb.scalarLike(v, 1.0))));
        }));
  // x < 0 ? slope * x : x, the slope broadcast to x (unidirectionally).
  r.add("PRelu", 9, [](NodeContext &ctx) -> LogicalResult {
    Tensor &x = ctx.input(0), &slope = ctx.input(1);
    if (failed(requireFloat(ctx, x)))
      return failure();
    if (slope.kind != x.kind)
      return ctx.fail("slope has another element type than the input");
    FailureOr<ElementwiseOperands> ops = prepareElementwise(ctx, {&x, &slope});
    if (failed(ops))
      return failure();
    if (ops->shape != x.shape)
      return ctx.fail("slope does not broadcast to the input's shape");
    TosaBuilder &tb = ctx.tosa();
    Value v = ops->values[0], s = ops->values[1];
    Value r = tb.select(tb.greater(tb.scalarLike(v, 0.0), v), tb.mul(s, v), v);
    ctx.setOutput(0, r, x.kind, ops->shape, ops->layout);
    return success();
  });
}

LogicalResult convertPow(NodeContext &ctx) {
  Tensor &x = ctx.input(0), &y = ctx.input(1);
  if (allConstant(ctx)) {
    HostTensor out;
    std::string error;
    if (!hostBinary(BinaryKind::Pow, *x.host, *y.host, out, error))
      return ctx.fail(error);
    ctx.setConstantOutput(0, out);
    return success();
  }
  if (failed(requireFloat(ctx, x)))
    return failure();
  TosaBuilder &tb = ctx.tosa();
  // Small integral constant exponents become products: exact, and defined
  // for negative bases (GELU's tanh approximation uses x^3).
  if (y.isConstant() && y.host->size() == 1) {
    double e = y.host->getDouble(0);
    Value v = own(ctx, x);
    if (e == 1.0)
      return setUnary(ctx, v, x);
    if (e == 2.0)
      return setUnary(ctx, tb.mul(v, v), x);
    if (e == 3.0)
      return setUnary(ctx, tb.mul(tb.mul(v, v), v), x);
    if (e == 0.5)
      return setUnary(ctx, tb.sqrt(v), x);
  }
  Tensor yCast = y;
  if (y.kind != x.kind) {
    // ONNX allows an exponent of another type; TOSA needs one type.
    if (y.isConstant()) {
      HostTensor h;
      hostCast(*y.host, x.kind, h);
      yCast.host = h;
      yCast.kind = x.kind;
      yCast.value = nullptr;
    } else {
      yCast.value = tb.cast(ctx.native(y), ctx.elementType(x.kind));
      yCast.kind = x.kind;
      yCast.layout = Layout::Native;
      yCast.nativeCache = yCast.nhwcCache = nullptr;
    }
  }
  FailureOr<ElementwiseOperands> ops = prepareElementwise(ctx, {&x, &yCast});
  if (failed(ops))
    return failure();
  ctx.setOutput(0, tb.pow(ops->values[0], ops->values[1]), x.kind, ops->shape,
                ops->layout);
  return success();
}

LogicalResult convertWhere(NodeContext &ctx) {
  Tensor &c = ctx.input(0), &a = ctx.input(1), &b = ctx.input(2);
  if (c.kind != ElemKind::Bool)
    return ctx.fail("the condition must be a bool tensor");
  if (a.kind != b.kind)
    return ctx.fail("the two branches have different element types");
  if (allConstant(ctx)) {
    HostTensor out;
    std::string error;
    if (!hostWhere(*c.host, *a.host, *b.host, out, error))
      return ctx.fail(error);
    ctx.setConstantOutput(0, out);
    return success();
  }
  FailureOr<ElementwiseOperands> ops = prepareElementwise(ctx, {&c, &a, &b});
  if (failed(ops))
    return failure();
  Value r = ctx.tosa().select(ops->values[0], ops->values[1], ops->values[2]);
  ctx.setOutput(0, r, a.kind, ops->shape, ops->layout);
  return success();
}

LogicalResult convertCast(NodeContext &ctx) {
  FailureOr<int64_t> to = ctx.intAttr("to");
  if (failed(to))
    return failure();
  ElemKind kind;
  if (!elemKindFromONNX(*to, kind))
    return ctx.fail(std::string("cannot cast to unsupported element type ") +
                    onnxTypeName(*to));
  Tensor &x = ctx.input(0);
  if (x.host && (x.foldable || !x.value)) {
    HostTensor out;
    hostCast(*x.host, kind, out);
    ctx.setConstantOutput(0, out);
    return success();
  }
  Value v = own(ctx, x);
  ctx.setOutput(0, ctx.tosa().cast(v, ctx.elementType(kind)), kind, x.shape,
                x.layout);
  return success();
}

LogicalResult convertIdentity(NodeContext &ctx) {
  Tensor t = ctx.input(0);
  ctx.setOutput(0, std::move(t));
  return success();
}

LogicalResult convertDropout(NodeContext &ctx) {
  // ratio and training_mode (inputs since opset 12): constant scalars,
  // by default 0.5 and false (inference).
  auto scalar = [&](unsigned i, StringRef role,
                    double dflt) -> FailureOr<double> {
    if (!ctx.hasInput(i))
      return dflt;
    FailureOr<const HostTensor *> t = ctx.constantInput(i, role);
    if (failed(t))
      return failure();
    if ((*t)->size() != 1)
      return ctx.fail("Dropout's " + role + " must be a scalar");
    return (*t)->getDouble(0);
  };
  FailureOr<double> ratio = scalar(1, "ratio", 0.5);
  FailureOr<double> mode = scalar(2, "training_mode", 0.0);
  if (failed(ratio) || failed(mode))
    return failure();
  bool training = *mode != 0.0;
  if (ctx.outputUsed(1))
    return ctx.fail("Dropout's mask output is not supported");
  Tensor &x = ctx.input(0);
  // (ratio 0 drops nothing: the identity, in training mode too)
  if (!training || *ratio == 0.0) {
    Tensor t = x;
    ctx.setOutput(0, std::move(t));
    return success();
  }
  if (!(*ratio > 0.0 && *ratio < 1.0))
    return ctx.fail("Dropout's ratio must lie in [0, 1), got " +
                    std::to_string(*ratio));
  if (!isFloat(x.kind))
    return ctx.fail("Dropout in training mode needs a floating-point input");
  // Training mode: a mask from Philox keyed by the function's dropout_seed
  // and this node's stream, so that the backward regenerates it.
  FailureOr<Value> stream = ctx.randomStream();
  if (failed(stream))
    return failure();
  Value y = rev::DropoutOp::create(ctx.builder(), ctx.loc(), ctx.native(x),
                                   *stream, *ratio);
  ctx.setOutput(0, y, x.kind, x.shape);
  return success();
}

} // namespace

void registerElementwiseOps(OpRegistry &r) {
  registerActivations(r);
  auto tanhFn = [](double v) { return std::tanh(v); };
  r.add("Relu", 13, convertRelu);
  r.add("LeakyRelu", 13, convertLeakyRelu);
  r.add("Sigmoid", 13, unaryFloat(nullptr, [](NodeContext &c, Value v) {
          return c.tosa().sigmoid(v);
        }));
  r.add("Tanh", 13, unaryFloat(+tanhFn, [](NodeContext &c, Value v) {
          return c.tosa().tanh(v);
        }));
  r.add("Erf", 13, unaryFloat(nullptr, [](NodeContext &c, Value v) {
          return c.tosa().erf(v);
        }));
  r.add("Exp", 13, unaryFloat(nullptr, [](NodeContext &c, Value v) {
          return c.tosa().exp(v);
        }));
  r.add("Log", 13, unaryFloat(nullptr, [](NodeContext &c, Value v) {
          return c.tosa().log(v);
        }));
  r.add("Sqrt", 13, unaryFloat(+[](double v) { return std::sqrt(v); },
                               [](NodeContext &c, Value v) {
                                 return c.tosa().sqrt(v);
                               }));
  r.add("Reciprocal", 13, unaryFloat(nullptr, [](NodeContext &c, Value v) {
          return c.tosa().reciprocal(v);
        }));
  r.add("Neg", 13, [](NodeContext &ctx) -> LogicalResult {
    Tensor &x = ctx.input(0);
    if (allConstant(ctx)) {
      HostTensor out;
      hostUnary(*x.host, +[](double v) { return -v; }, out);
      ctx.setConstantOutput(0, out);
      return success();
    }
    return setUnary(ctx, ctx.tosa().neg(own(ctx, x)), x);
  });
  r.add("Abs", 13, [](NodeContext &ctx) -> LogicalResult {
    Tensor &x = ctx.input(0);
    if (allConstant(ctx)) {
      HostTensor out;
      hostUnary(*x.host, +[](double v) { return std::fabs(v); }, out);
      ctx.setConstantOutput(0, out);
      return success();
    }
    return setUnary(ctx, ctx.tosa().abs(own(ctx, x)), x);
  });

  r.add("Add", 13, binary(BinaryKind::Add, [](NodeContext &c, Value a, Value b) {
          return c.tosa().add(a, b);
        }));
  r.add("Sub", 13, binary(BinaryKind::Sub, [](NodeContext &c, Value a, Value b) {
          return c.tosa().sub(a, b);
        }));
  r.add("Mul", 13, binary(BinaryKind::Mul, [](NodeContext &c, Value a, Value b) {
          return c.tosa().mul(a, b);
        }));
  r.add("Div", 13, [](NodeContext &ctx) -> LogicalResult {
    // TOSA has no float division: a / b = a * reciprocal(b).
    return binary(BinaryKind::Div, [](NodeContext &c, Value a, Value b) -> Value {
      auto et = TosaBuilder::typeOf(a).getElementType();
      if (isa<FloatType>(et))
        return c.tosa().div(a, b);
      auto type = RankedTensorType::get(
          *rev::broadcastShapes(TosaBuilder::typeOf(a).getShape(),
                                TosaBuilder::typeOf(b).getShape()),
          et);
      return tosa::IntDivOp::create(c.builder(), c.loc(), type, a, b);
    })(ctx);
  });
  r.add("Max", 13, variadic(BinaryKind::Max, /*isMax=*/true));
  r.add("Min", 13, variadic(BinaryKind::Min, /*isMax=*/false));
  r.add("Equal", 13,
        binary(BinaryKind::Equal,
               [](NodeContext &c, Value a, Value b) {
                 return c.tosa().equal(a, b);
               },
               /*resultIsBool=*/true));
  r.add("Greater", 13,
        binary(BinaryKind::Greater,
               [](NodeContext &c, Value a, Value b) {
                 return c.tosa().greater(a, b);
               },
               /*resultIsBool=*/true));
  r.add("Less", 13,
        binary(BinaryKind::Less,
               [](NodeContext &c, Value a, Value b) {
                 return c.tosa().greater(b, a);
               },
               /*resultIsBool=*/true));
  r.add("Pow", 13, convertPow);
  r.add("Where", 13, convertWhere);
  r.add("Cast", 13, convertCast);
  r.add("Identity", 13, convertIdentity);
  r.add("Dropout", 13, convertDropout);
}

} // namespace rev::onnx_import
