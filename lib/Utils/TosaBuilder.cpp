//===- TosaBuilder.cpp - building statically shaped TOSA ------------------===//

#include "rev/Utils/TosaBuilder.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;

namespace rev {

FailureOr<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> a,
                                                ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> out(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return failure();
    out[i] = da == 1 ? db : da;
  }
  return out;
}

static RankedTensorType withShape(Value like, ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, TosaBuilder::typeOf(like).getElementType());
}

Value TosaBuilder::constant(DenseElementsAttr attr) {
  return tosa::ConstOp::create(b, loc, attr.getType(), attr);
}

Value TosaBuilder::splat(Type elementType, ArrayRef<int64_t> shape,
                         double value) {
  auto type = RankedTensorType::get(shape, elementType);
  Attribute element;
  if (auto ft = dyn_cast<FloatType>(elementType))
    element = FloatAttr::get(ft, value);
  else if (elementType.isInteger(1))
    element = BoolAttr::get(b.getContext(), value != 0.0);
  else
    element = IntegerAttr::get(elementType, static_cast<int64_t>(value));
  return constant(DenseElementsAttr::get(type, element));
}

Value TosaBuilder::scalarLike(Value like, double value) {
  SmallVector<int64_t> ones(typeOf(like).getRank(), 1);
  return splat(typeOf(like).getElementType(), ones, value);
}

Value TosaBuilder::splatLike(Value like, double value) {
  return splat(typeOf(like).getElementType(), typeOf(like).getShape(), value);
}

Value TosaBuilder::constShape(ArrayRef<int64_t> values) {
  auto type = tosa::shapeType::get(b.getContext(), values.size());
  auto attrType = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                        b.getIndexType());
  auto attr = DenseIntElementsAttr::get(attrType, values);
  return tosa::ConstShapeOp::create(b, loc, type, attr);
}

Value TosaBuilder::zeroPoint(Type elementType) {
  return splat(elementType, {1}, 0.0);
}

void TosaBuilder::equalizeRanks(Value &x, Value &y) {
  int64_t rx = typeOf(x).getRank(), ry = typeOf(y).getRank();
  if (rx == ry)
    return;
  Value &low = rx < ry ? x : y;
  int64_t target = std::max(rx, ry);
  SmallVector<int64_t> shape(target - typeOf(low).getRank(), 1);
  llvm::append_range(shape, typeOf(low).getShape());
  low = reshape(low, shape);
}

template <typename OpTy>
Value TosaBuilder::binary(Value x, Value y, Type elementType) {
  equalizeRanks(x, y);
  auto shape = broadcastShapes(typeOf(x).getShape(), typeOf(y).getShape());
  assert(succeeded(shape) && "operands do not broadcast");
  auto type = RankedTensorType::get(*shape, elementType);
  return OpTy::create(b, loc, type, x, y);
}

template <typename OpTy> Value TosaBuilder::unary(Value x) {
  return OpTy::create(b, loc, x.getType(), x);
}

Value TosaBuilder::add(Value x, Value y) {
  return binary<tosa::AddOp>(x, y, typeOf(x).getElementType());
}
Value TosaBuilder::sub(Value x, Value y) {
  return binary<tosa::SubOp>(x, y, typeOf(x).getElementType());
}
Value TosaBuilder::pow(Value x, Value y) {
  return binary<tosa::PowOp>(x, y, typeOf(x).getElementType());
}
Value TosaBuilder::maximum(Value x, Value y) {
  return binary<tosa::MaximumOp>(x, y, typeOf(x).getElementType());
}
Value TosaBuilder::minimum(Value x, Value y) {
  return binary<tosa::MinimumOp>(x, y, typeOf(x).getElementType());
}
Value TosaBuilder::greater(Value x, Value y) {
  return binary<tosa::GreaterOp>(x, y, b.getI1Type());
}
Value TosaBuilder::greaterEqual(Value x, Value y) {
  return binary<tosa::GreaterEqualOp>(x, y, b.getI1Type());
}
Value TosaBuilder::equal(Value x, Value y) {
  return binary<tosa::EqualOp>(x, y, b.getI1Type());
}

Value TosaBuilder::mul(Value x, Value y) {
  equalizeRanks(x, y);
  auto shape = broadcastShapes(typeOf(x).getShape(), typeOf(y).getShape());
  assert(succeeded(shape) && "operands do not broadcast");
  Value shift = splat(b.getI8Type(), {1}, 0.0);
  return tosa::MulOp::create(b, loc, withShape(x, *shape), x, y, shift);
}

Value TosaBuilder::div(Value x, Value y) { return mul(x, reciprocal(y)); }

Value TosaBuilder::select(Value cond, Value x, Value y) {
  equalizeRanks(x, y);
  equalizeRanks(cond, x);
  equalizeRanks(cond, y);
  auto shape = broadcastShapes(typeOf(x).getShape(), typeOf(y).getShape());
  assert(succeeded(shape) && "operands do not broadcast");
  shape = broadcastShapes(*shape, typeOf(cond).getShape());
  assert(succeeded(shape) && "condition does not broadcast");
  return tosa::SelectOp::create(b, loc, withShape(x, *shape), cond, x, y);
}

Value TosaBuilder::neg(Value x) {
  Type et = typeOf(x).getElementType();
  return tosa::NegateOp::create(b, loc, x.getType(), x, zeroPoint(et),
                                zeroPoint(et));
}

Value TosaBuilder::reciprocal(Value x) { return unary<tosa::ReciprocalOp>(x); }
Value TosaBuilder::rsqrt(Value x) { return unary<tosa::RsqrtOp>(x); }
Value TosaBuilder::sqrt(Value x) { return pow(x, scalarLike(x, 0.5)); }
Value TosaBuilder::exp(Value x) { return unary<tosa::ExpOp>(x); }
Value TosaBuilder::log(Value x) { return unary<tosa::LogOp>(x); }
Value TosaBuilder::abs(Value x) { return unary<tosa::AbsOp>(x); }
Value TosaBuilder::tanh(Value x) { return unary<tosa::TanhOp>(x); }
Value TosaBuilder::sigmoid(Value x) { return unary<tosa::SigmoidOp>(x); }
Value TosaBuilder::erf(Value x) { return unary<tosa::ErfOp>(x); }
Value TosaBuilder::logicalNot(Value x) { return unary<tosa::LogicalNotOp>(x); }

Value TosaBuilder::clamp(Value x, double lo, double hi) {
  Type et = typeOf(x).getElementType();
  Attribute loAttr, hiAttr;
  if (auto ft = dyn_cast<FloatType>(et)) {
    loAttr = FloatAttr::get(ft, lo);
    hiAttr = FloatAttr::get(ft, hi);
  } else {
    loAttr = IntegerAttr::get(et, static_cast<int64_t>(lo));
    hiAttr = IntegerAttr::get(et, static_cast<int64_t>(hi));
  }
  return tosa::ClampOp::create(b, loc, x.getType(), x, loAttr, hiAttr);
}

Value TosaBuilder::cast(Value x, Type elementType) {
  if (typeOf(x).getElementType() == elementType)
    return x;
  return tosa::CastOp::create(b, loc, withShape(x, typeOf(x).getShape()).clone(elementType), x);
}

Value TosaBuilder::reshape(Value x, ArrayRef<int64_t> shape) {
  if (typeOf(x).getShape() == shape && typeOf(x).getRank() == (int64_t)shape.size())
    return x;
  return tosa::ReshapeOp::create(b, loc, withShape(x, shape), x,
                                 constShape(shape));
}

Value TosaBuilder::transpose(Value x, ArrayRef<int32_t> perms) {
  if (llvm::equal(perms, llvm::seq<int32_t>(0, perms.size())))
    return x;
  SmallVector<int64_t> shape;
  for (int32_t p : perms)
    shape.push_back(typeOf(x).getDimSize(p));
  return tosa::TransposeOp::create(b, loc, withShape(x, shape), x,
                                   b.getDenseI32ArrayAttr(perms));
}

Value TosaBuilder::slice(Value x, ArrayRef<int64_t> start,
                         ArrayRef<int64_t> size) {
  if (typeOf(x).getShape() == size)
    return x;
  return tosa::SliceOp::create(b, loc, withShape(x, size), x,
                               constShape(start), constShape(size));
}

Value TosaBuilder::concat(ValueRange xs, int64_t axis) {
  if (xs.size() == 1)
    return xs.front();
  SmallVector<int64_t> shape(typeOf(xs.front()).getShape());
  shape[axis] = 0;
  for (Value x : xs)
    shape[axis] += typeOf(x).getDimSize(axis);
  return tosa::ConcatOp::create(b, loc, withShape(xs.front(), shape), xs,
                                static_cast<uint32_t>(axis));
}

Value TosaBuilder::tile(Value x, ArrayRef<int64_t> multiples) {
  if (llvm::all_of(multiples, [](int64_t m) { return m == 1; }))
    return x;
  SmallVector<int64_t> shape;
  for (auto [d, m] : llvm::zip_equal(typeOf(x).getShape(), multiples))
    shape.push_back(d * m);
  return tosa::TileOp::create(b, loc, withShape(x, shape), x,
                              constShape(multiples));
}

Value TosaBuilder::pad(Value x, ArrayRef<int64_t> padding, double value) {
  if (llvm::all_of(padding, [](int64_t p) { return p == 0; }))
    return x;
  SmallVector<int64_t> shape(typeOf(x).getShape());
  for (size_t i = 0; i < shape.size(); ++i)
    shape[i] += padding[2 * i] + padding[2 * i + 1];
  Value padConst = splat(typeOf(x).getElementType(), {1}, value);
  return tosa::PadOp::create(b, loc, withShape(x, shape), x,
                             constShape(padding), padConst);
}

Value TosaBuilder::broadcastTo(Value x, ArrayRef<int64_t> shape) {
  if (typeOf(x).getShape() == shape)
    return x;
  SmallVector<int64_t> padded(shape.size() - typeOf(x).getRank(), 1);
  llvm::append_range(padded, typeOf(x).getShape());
  x = reshape(x, padded);
  SmallVector<int64_t> multiples;
  for (auto [have, want] : llvm::zip_equal(padded, shape))
    multiples.push_back(have == want ? 1 : want);
  return tile(x, multiples);
}

Value TosaBuilder::sumToShape(Value x, ArrayRef<int64_t> shape) {
  ArrayRef<int64_t> have = typeOf(x).getShape();
  if (have == shape)
    return x;
  int64_t lead = have.size() - shape.size();
  for (int64_t i = 0; i < static_cast<int64_t>(have.size()); ++i) {
    int64_t want = i < lead ? 1 : shape[i - lead];
    if (have[i] != want) {
      assert(want == 1 && "not a broadcast of the target shape");
      x = reduceSum(x, i);
    }
  }
  return reshape(x, shape);
}

Value TosaBuilder::reduceSum(Value x, int64_t axis) {
  SmallVector<int64_t> shape(typeOf(x).getShape());
  if (shape[axis] == 1)
    return x;
  shape[axis] = 1;
  return tosa::ReduceSumOp::create(b, loc, withShape(x, shape), x,
                                   b.getI32IntegerAttr(axis));
}

Value TosaBuilder::reduceMax(Value x, int64_t axis) {
  SmallVector<int64_t> shape(typeOf(x).getShape());
  if (shape[axis] == 1)
    return x;
  shape[axis] = 1;
  return tosa::ReduceMaxOp::create(b, loc, withShape(x, shape), x,
                                   b.getI32IntegerAttr(axis));
}

Value TosaBuilder::reduceSum(Value x, ArrayRef<int64_t> axes) {
  for (int64_t a : axes)
    x = reduceSum(x, a);
  return x;
}

Value TosaBuilder::reduceMax(Value x, ArrayRef<int64_t> axes) {
  for (int64_t a : axes)
    x = reduceMax(x, a);
  return x;
}

Value TosaBuilder::matmul(Value a, Value m) {
  auto ta = typeOf(a), tm = typeOf(m);
  SmallVector<int64_t> shape = {ta.getDimSize(0), ta.getDimSize(1),
                                tm.getDimSize(2)};
  Type et = ta.getElementType();
  return tosa::MatMulOp::create(b, loc, withShape(a, shape), a, m,
                                zeroPoint(et), zeroPoint(et));
}

Value TosaBuilder::reverse(Value x, int64_t axis) {
  if (typeOf(x).getDimSize(axis) == 1)
    return x;
  return tosa::ReverseOp::create(b, loc, x.getType(), x,
                                 b.getI32IntegerAttr(axis));
}

Value TosaBuilder::logicalAnd(Value x, Value y) {
  return binary<tosa::LogicalAndOp>(x, y, b.getI1Type());
}

Value TosaBuilder::logicalOr(Value x, Value y) {
  return binary<tosa::LogicalOrOp>(x, y, b.getI1Type());
}

Value TosaBuilder::padOrCrop(Value x, ArrayRef<int64_t> loHi) {
  auto type = typeOf(x);
  int64_t rank = type.getRank();
  SmallVector<int64_t> padding(2 * rank), starts(rank), sizes(rank);
  bool crop = false;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t lo = loHi[2 * d], hi = loHi[2 * d + 1];
    padding[2 * d] = std::max<int64_t>(lo, 0);
    padding[2 * d + 1] = std::max<int64_t>(hi, 0);
    starts[d] = std::max<int64_t>(-lo, 0);
    sizes[d] = type.getDimSize(d) + lo + hi;
    crop |= lo < 0 || hi < 0;
  }
  x = pad(x, padding);
  if (crop)
    x = slice(x, starts, sizes);
  return x;
}

Value TosaBuilder::zeroStuff(Value x, int64_t axis, int64_t step) {
  if (step == 1)
    return x;
  auto type = typeOf(x);
  int64_t n = type.getDimSize(axis);
  // [.., n, ..] -> [.., n, 1, ..] -> pad to [.., n, step, ..] -> [.., n*step, ..]
  SmallVector<int64_t> shape(type.getShape());
  shape.insert(shape.begin() + axis + 1, 1);
  x = reshape(x, shape);
  SmallVector<int64_t> padding(2 * shape.size(), 0);
  padding[2 * (axis + 1) + 1] = step - 1;
  x = pad(x, padding);
  SmallVector<int64_t> merged(type.getShape());
  merged[axis] = n * step;
  x = reshape(x, merged);
  SmallVector<int64_t> starts(merged.size(), 0), sizes(merged);
  sizes[axis] = (n - 1) * step + 1;
  return slice(x, starts, sizes);
}

Value TosaBuilder::spreadForTransposedWindow(Value g, ArrayRef<int64_t> stride,
                                             ArrayRef<int64_t> effective,
                                             ArrayRef<int64_t> pad) {
  g = zeroStuff(g, 1, stride[0]);
  g = zeroStuff(g, 2, stride[1]);
  return padOrCrop(g, {0, 0, effective[0] - 1 - pad[0],
                       effective[0] - 1 - pad[1], effective[1] - 1 - pad[2],
                       effective[1] - 1 - pad[3], 0, 0});
}

Value TosaBuilder::stridedSlice(Value x, int64_t axis, int64_t start,
                                int64_t count, int64_t step) {
  auto type = typeOf(x);
  SmallVector<int64_t> starts(type.getRank(), 0), sizes(type.getShape());
  if (step == 1) {
    starts[axis] = start;
    sizes[axis] = count;
    return slice(x, starts, sizes);
  }
  int64_t span = count * step, avail = type.getDimSize(axis) - start;
  starts[axis] = start;
  sizes[axis] = std::min(span, avail);
  x = slice(x, starts, sizes);
  if (span > avail) {
    SmallVector<int64_t> padding(2 * type.getRank(), 0);
    padding[2 * axis + 1] = span - avail;
    x = pad(x, padding);
  }
  SmallVector<int64_t> grouped(typeOf(x).getShape());
  grouped[axis] = count;
  grouped.insert(grouped.begin() + axis + 1, step);
  x = reshape(x, grouped);
  SmallVector<int64_t> gStarts(grouped.size(), 0), gSizes(grouped);
  gSizes[axis + 1] = 1;
  x = slice(x, gStarts, gSizes);
  grouped.erase(grouped.begin() + axis + 1);
  return reshape(x, grouped);
}

int64_t convOutputSize(int64_t in, int64_t k, int64_t lo, int64_t hi,
                       int64_t stride, int64_t dilation, bool *exact) {
  int64_t span = in + lo + hi - ((k - 1) * dilation + 1);
  if (exact)
    *exact = span >= 0 && span % stride == 0;
  return span / stride + 1;
}

static int64_t convOut(int64_t in, int64_t k, int64_t lo, int64_t hi,
                       int64_t stride, int64_t dilation) {
  bool exact;
  int64_t size = convOutputSize(in, k, lo, hi, stride, dilation, &exact);
  assert(exact && "inexact convolution size");
  (void)exact;
  return size;
}

Value TosaBuilder::conv2d(Value x, Value w, Value bias, ArrayRef<int64_t> pad,
                          ArrayRef<int64_t> stride,
                          ArrayRef<int64_t> dilation) {
  auto xt = typeOf(x), wt = typeOf(w);
  int64_t oh = convOut(xt.getDimSize(1), wt.getDimSize(1), pad[0], pad[1],
                       stride[0], dilation[0]);
  int64_t ow = convOut(xt.getDimSize(2), wt.getDimSize(2), pad[2], pad[3],
                       stride[1], dilation[1]);
  auto type = RankedTensorType::get({xt.getDimSize(0), oh, ow, wt.getDimSize(0)},
                                    xt.getElementType());
  Value zp = zeroPoint(xt.getElementType());
  return tosa::Conv2DOp::create(b, loc, type, x, w, bias, zp, zp,
                                b.getDenseI64ArrayAttr(pad),
                                b.getDenseI64ArrayAttr(stride),
                                b.getDenseI64ArrayAttr(dilation),
                                TypeAttr::get(b.getF32Type()));
}

Value TosaBuilder::depthwiseConv2d(Value x, Value w, Value bias,
                                   ArrayRef<int64_t> pad,
                                   ArrayRef<int64_t> stride,
                                   ArrayRef<int64_t> dilation) {
  auto xt = typeOf(x), wt = typeOf(w);
  int64_t oh = convOut(xt.getDimSize(1), wt.getDimSize(0), pad[0], pad[1],
                       stride[0], dilation[0]);
  int64_t ow = convOut(xt.getDimSize(2), wt.getDimSize(1), pad[2], pad[3],
                       stride[1], dilation[1]);
  auto type = RankedTensorType::get(
      {xt.getDimSize(0), oh, ow, wt.getDimSize(2) * wt.getDimSize(3)},
      xt.getElementType());
  Value zp = zeroPoint(xt.getElementType());
  return tosa::DepthwiseConv2DOp::create(b, loc, type, x, w, bias, zp, zp,
                                         b.getDenseI64ArrayAttr(pad),
                                         b.getDenseI64ArrayAttr(stride),
                                         b.getDenseI64ArrayAttr(dilation),
                                         TypeAttr::get(b.getF32Type()));
}

} // namespace rev
