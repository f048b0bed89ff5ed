//===- InvertibleOpInterface.cpp - ops that can be inverted ---------------===//

#include "rev/Interfaces/InvertibleOpInterface.h"

#include "rev/Utils/TosaBuilder.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Tosa/Utils/ConversionUtils.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <map>

using namespace mlir;

#include "rev/Interfaces/InvertibleOpInterface.cpp.inc"

namespace rev {
namespace {

/// How a value relates to the data flowing through a function, for deciding
/// which operand of a binary op is the one to invert.
enum class Origin {
  Data = 0,     // computed from the function's data
  Argument = 1, // a function argument, or a pure computation of arguments
                // and constants (a weight, a reshaped bias)
  Constant = 2, // a constant, or a pure computation of constants
};

Origin classify(Value v, int depth = 0) {
  if (auto arg = dyn_cast<BlockArgument>(v))
    return isa<FunctionOpInterface>(arg.getOwner()->getParentOp())
               ? Origin::Argument
               : Origin::Data;
  Operation *def = v.getDefiningOp();
  if (def->hasTrait<OpTrait::ConstantLike>())
    return Origin::Constant;
  if (depth > 8 || !isPure(def) || def->getNumRegions() != 0 ||
      def->getNumOperands() == 0)
    return Origin::Data;
  Origin origin = Origin::Constant;
  for (Value operand : def->getOperands()) {
    if (isa<tosa::shapeType>(operand.getType()))
      continue;
    origin = std::min(origin, classify(operand, depth + 1));
  }
  return origin;
}

/// Provably nonzero: a constant without a zero element, or an exponential
/// or a sigmoid (ActNorm's exp(logs), a learned gate), seen through views.
/// (exp and sigmoid underflow to 0 only for arguments below about -87 in
/// float32, the rule the affine coupling's scale follows too.)
bool hasNoZeroElement(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (isa<tosa::ExpOp, tosa::SigmoidOp>(def))
      return true;
    if (!isa<tosa::ReshapeOp, tosa::TransposeOp, tosa::IdentityOp>(def))
      break;
    v = def->getOperand(0);
  }
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return false;
  if (!isa<FloatType>(attr.getElementType()))
    return false;
  return llvm::none_of(attr.getValues<APFloat>(),
                       [](const APFloat &f) { return f.isZero(); });
}

/// The operand of a binary elementwise op that can be recomputed from the
/// result and the other operand, or -1: the one closer to the data (a
/// computed value before an argument before a constant; the first of two
/// arguments), provided it has the result's type (is not broadcast).
int pickInvertedOperand(Operation *op) {
  Value a = op->getOperand(0), b = op->getOperand(1);
  Origin oa = classify(a), ob = classify(b);
  Type resultType = op->getResult(0).getType();
  int idx = -1;
  if (oa < ob || (oa == Origin::Argument && ob == Origin::Argument))
    idx = 0;
  else if (ob < oa)
    idx = 1;
  if (idx < 0 || op->getOperand(idx).getType() != resultType)
    return -1;
  return idx;
}

struct ReshapeInvertible
    : public InvertibleOpInterface::ExternalModel<ReshapeInvertible,
                                                  tosa::ReshapeOp> {
  SmallVector<unsigned> getInvertedOperands(Operation *) const { return {0}; }
  FailureOr<SmallVector<Value>> buildInverse(Operation *op, OpBuilder &b,
                                             ValueRange results,
                                             IRMapping &) const {
    auto reshape = cast<tosa::ReshapeOp>(op);
    TosaBuilder tb(b, op->getLoc());
    auto inType = TosaBuilder::typeOf(reshape.getInput1());
    if (!inType.hasStaticShape())
      return op->emitError("cannot invert a reshape of a dynamic shape");
    return SmallVector<Value>{tb.reshape(results[0], inType.getShape())};
  }
};

struct TransposeInvertible
    : public InvertibleOpInterface::ExternalModel<TransposeInvertible,
                                                  tosa::TransposeOp> {
  SmallVector<unsigned> getInvertedOperands(Operation *) const { return {0}; }
  FailureOr<SmallVector<Value>> buildInverse(Operation *op, OpBuilder &b,
                                             ValueRange results,
                                             IRMapping &) const {
    auto transpose = cast<tosa::TransposeOp>(op);
    ArrayRef<int32_t> perms = transpose.getPerms();
    SmallVector<int32_t> inverse(perms.size());
    for (auto [i, p] : llvm::enumerate(perms))
      inverse[p] = i;
    TosaBuilder tb(b, op->getLoc());
    return SmallVector<Value>{tb.transpose(results[0], inverse)};
  }
};

struct ConcatInvertible
    : public InvertibleOpInterface::ExternalModel<ConcatInvertible,
                                                  tosa::ConcatOp> {
  SmallVector<unsigned> getInvertedOperands(Operation *op) const {
    return llvm::to_vector(llvm::seq<unsigned>(0, op->getNumOperands()));
  }
  FailureOr<SmallVector<Value>> buildInverse(Operation *op, OpBuilder &b,
                                             ValueRange results,
                                             IRMapping &) const {
    auto concat = cast<tosa::ConcatOp>(op);
    int64_t axis = concat.getAxis();
    TosaBuilder tb(b, op->getLoc());
    SmallVector<Value> pieces;
    int64_t offset = 0;
    for (Value input : concat.getInput1()) {
      auto type = TosaBuilder::typeOf(input);
      SmallVector<int64_t> start(type.getRank(), 0);
      start[axis] = offset;
      pieces.push_back(tb.slice(results[0], start, type.getShape()));
      offset += type.getDimSize(axis);
    }
    return pieces;
  }
};

/// add, sub and mul with one context operand; `Kind` selects the inverse.
enum class Arith { Add, Sub, Mul };
template <typename OpTy, Arith Kind>
struct ArithInvertible
    : public InvertibleOpInterface::ExternalModel<ArithInvertible<OpTy, Kind>,
                                                  OpTy> {
  SmallVector<unsigned> getInvertedOperands(Operation *op) const {
    int idx = pickInvertedOperand(op);
    if (idx < 0)
      return {};
    if (Kind == Arith::Mul && !hasNoZeroElement(op->getOperand(1 - idx)))
      return {};
    return {static_cast<unsigned>(idx)};
  }
  FailureOr<SmallVector<Value>> buildInverse(Operation *op, OpBuilder &b,
                                             ValueRange results,
                                             IRMapping &mapping) const {
    SmallVector<unsigned> inverted = getInvertedOperands(op);
    if (inverted.empty())
      return op->emitError("not invertible here: needs one operand that is a "
                           "constant or function argument")
             << (Kind == Arith::Mul ? " with no zero element" : "");
    unsigned idx = inverted.front();
    Value other = mapping.lookupOrDefault(op->getOperand(1 - idx));
    TosaBuilder tb(b, op->getLoc());
    Value y = results[0], x;
    switch (Kind) {
    case Arith::Add: // y = x + c
      x = tb.sub(y, other);
      break;
    case Arith::Sub: // y = x - c, or y = c - x
      x = idx == 0 ? tb.add(y, other) : tb.sub(other, y);
      break;
    case Arith::Mul: // y = x * c
      x = tb.div(y, other);
      break;
    }
    return SmallVector<Value>{x};
  }
};

/// Newton-Schulz iteration for the inverse of the [1, C, C] matrix `a`:
/// X0 = a^T / (|a|_1 |a|_inf), X <- 2X - X a X. It converges for every
/// invertible `a` (|I - a X0| < 1) and quadratically once |I - a X| < 1/2;
/// kNewtonSchulzSteps leave about 6 steps of the quadratic phase while
/// C cond(a)^2 < 2^34 (C = 16: cond < 3e4). Matrix products only, so that
/// every backend runs it (cuBLAS on a GPU). With the refinement step of
/// ConvInvertible, measured on 16 channels in float32: within 1.3-3x of
/// LAPACK's float32 solve up to cond 1e4, 4.6x at 1e5 (docs/reversible.md).
constexpr int kNewtonSchulzSteps = 40;
Value newtonSchulzInverse(TosaBuilder &tb, Value a) {
  Value absA = tb.abs(a);
  Value norm1 = tb.reduceMax(tb.reduceSum(absA, 1), 2);   // column sums
  Value normInf = tb.reduceMax(tb.reduceSum(absA, 2), 1); // row sums
  Value alpha = tb.reciprocal(tb.mul(norm1, normInf));
  Value x = tb.mul(tb.transpose(a, {0, 2, 1}), alpha);
  Value two = tb.scalarLike(x, 2.0);
  for (int k = 0; k < kNewtonSchulzSteps; ++k)
    x = tb.sub(tb.mul(x, two), tb.matmul(x, tb.matmul(a, x)));
  return x;
}

bool matrixInversionEnabled(Operation *op) {
  auto module = op->getParentOfType<ModuleOp>();
  return module && module->hasAttr(kInvertMatricesAttr);
}

/// tosa.conv2d by a square channel matrix W (isSquareChannelMatrix), when
/// the module allows it: x = W^-1 (y - b), W^-1 by Newton-Schulz, then one
/// step of iterative refinement (x += W^-1 ((y - b) - W x)), which brings
/// the reconstruction to about cond(W) times the rounding of the product.
struct ConvInvertible
    : public InvertibleOpInterface::ExternalModel<ConvInvertible,
                                                  tosa::Conv2DOp> {
  SmallVector<unsigned> getInvertedOperands(Operation *op) const {
    if (!matrixInversionEnabled(op) || !isSquareChannelMatrix(op))
      return {};
    return {0};
  }
  FailureOr<SmallVector<Value>> buildInverse(Operation *op, OpBuilder &b,
                                             ValueRange results,
                                             IRMapping &mapping) const {
    if (getInvertedOperands(op).empty())
      return op->emitError("not invertible here: only a square 1x1 "
                           "convolution by a learned matrix is, with ")
             << kInvertMatricesAttr << " on the module";
    auto conv = cast<tosa::Conv2DOp>(op);
    TosaBuilder tb(b, op->getLoc());
    Value w = mapping.lookupOrDefault(conv.getWeight());
    Value bias = mapping.lookupOrDefault(conv.getBias());
    auto wType = TosaBuilder::typeOf(w);
    int64_t c = wType.getDimSize(0);
    Value inverse = tb.reshape(
        newtonSchulzInverse(tb, tb.reshape(w, {1, c, c})), {c, 1, 1, c});
    Value zero = tb.splat(wType.getElementType(), {c}, 0.0);
    auto apply = [&](Value x, Value m) {
      return tb.conv2d(x, m, zero, {0, 0, 0, 0}, {1, 1}, {1, 1});
    };
    int64_t biasSize = TosaBuilder::typeOf(bias).getDimSize(0);
    Value centered = tb.sub(results[0], tb.reshape(bias, {1, 1, 1, biasSize}));
    Value x = apply(centered, inverse);
    Value residual = tb.sub(centered, apply(x, w));
    return SmallVector<Value>{tb.add(x, apply(residual, inverse))};
  }
};

/// tosa.reverse: its own inverse.
struct ReverseInvertible
    : public InvertibleOpInterface::ExternalModel<ReverseInvertible,
                                                  tosa::ReverseOp> {
  SmallVector<unsigned> getInvertedOperands(Operation *) const { return {0}; }
  FailureOr<SmallVector<Value>> buildInverse(Operation *op, OpBuilder &b,
                                             ValueRange results,
                                             IRMapping &) const {
    auto rev = cast<tosa::ReverseOp>(op);
    Value x = tosa::ReverseOp::create(b, op->getLoc(), rev.getType(),
                                      results[0], rev.getAxisAttr());
    return SmallVector<Value>{x};
  }
};

/// The inverse permutation of each row of a constant [N, K] index table
/// of a tosa.gather over K values, or failure if a row is not a
/// permutation of 0..K-1.
FailureOr<SmallVector<int32_t>> inversePermutation(tosa::GatherOp op) {
  DenseElementsAttr attr;
  if (!matchPattern(op.getIndices(), m_Constant(&attr)))
    return failure();
  auto values = cast<RankedTensorType>(op.getValues().getType());
  auto indices = cast<RankedTensorType>(op.getIndices().getType());
  if (!values.hasStaticShape() || !indices.hasStaticShape())
    return failure();
  int64_t n = indices.getDimSize(0), k = values.getDimSize(1);
  if (indices.getDimSize(1) != k)
    return failure();
  SmallVector<int32_t> inverse(n * k, -1);
  int64_t pos = 0;
  for (APInt index : attr.getValues<APInt>()) {
    int64_t row = pos / k, i = index.getSExtValue();
    if (i < 0 || i >= k || inverse[row * k + i] >= 0)
      return failure();
    inverse[row * k + i] = static_cast<int32_t>(pos % k);
    ++pos;
  }
  return inverse;
}

/// tosa.gather with a constant permutation (x[:, perm], a channel
/// shuffle): a gather with the inverse permutation.
struct GatherInvertible
    : public InvertibleOpInterface::ExternalModel<GatherInvertible,
                                                  tosa::GatherOp> {
  SmallVector<unsigned> getInvertedOperands(Operation *op) const {
    if (failed(inversePermutation(cast<tosa::GatherOp>(op))))
      return {};
    return {0};
  }
  FailureOr<SmallVector<Value>> buildInverse(Operation *op, OpBuilder &b,
                                             ValueRange results,
                                             IRMapping &) const {
    auto gather = cast<tosa::GatherOp>(op);
    FailureOr<SmallVector<int32_t>> inverse = inversePermutation(gather);
    if (failed(inverse))
      return op->emitError("not invertible: the indices are not a constant "
                           "permutation");
    auto idxType = cast<RankedTensorType>(gather.getIndices().getType());
    auto type = RankedTensorType::get(idxType.getShape(), b.getI32Type());
    TosaBuilder tb(b, op->getLoc());
    Value idx = tb.constant(DenseElementsAttr::get(type, ArrayRef(*inverse)));
    if (idxType.getElementType() != b.getI32Type())
      idx = tb.cast(idx, idxType.getElementType());
    Value x = tosa::GatherOp::create(b, op->getLoc(),
                                     gather.getValues().getType(), results[0],
                                     idx);
    return SmallVector<Value>{x};
  }
};

struct NegateInvertible
    : public InvertibleOpInterface::ExternalModel<NegateInvertible,
                                                  tosa::NegateOp> {
  SmallVector<unsigned> getInvertedOperands(Operation *) const { return {0}; }
  FailureOr<SmallVector<Value>> buildInverse(Operation *op, OpBuilder &b,
                                             ValueRange results,
                                             IRMapping &) const {
    TosaBuilder tb(b, op->getLoc());
    return SmallVector<Value>{tb.neg(results[0])};
  }
};

struct IdentityInvertible
    : public InvertibleOpInterface::ExternalModel<IdentityInvertible,
                                                  tosa::IdentityOp> {
  SmallVector<unsigned> getInvertedOperands(Operation *) const { return {0}; }
  FailureOr<SmallVector<Value>> buildInverse(Operation *, OpBuilder &,
                                             ValueRange results,
                                             IRMapping &) const {
    return SmallVector<Value>{results[0]};
  }
};

} // namespace

bool isSquareChannelMatrix(Operation *op) {
  auto conv = dyn_cast<tosa::Conv2DOp>(op);
  if (!conv)
    return false;
  auto in = dyn_cast<RankedTensorType>(conv.getInput().getType());
  auto w = dyn_cast<RankedTensorType>(conv.getWeight().getType());
  auto bias = dyn_cast<RankedTensorType>(conv.getBias().getType());
  if (!in || !w || !bias || !in.hasStaticShape() || !w.hasStaticShape() ||
      !bias.hasStaticShape() || !isa<FloatType>(in.getElementType()) ||
      in != conv.getType() || w.getRank() != 4 || bias.getRank() != 1)
    return false;
  int64_t c = in.getDimSize(3);
  if (w.getShape() != ArrayRef<int64_t>{c, 1, 1, c} ||
      (bias.getDimSize(0) != c && bias.getDimSize(0) != 1))
    return false;
  if (llvm::any_of(conv.getPad(), [](int64_t p) { return p != 0; }) ||
      llvm::any_of(conv.getStride(), [](int64_t s) { return s != 1; }) ||
      llvm::any_of(conv.getDilation(), [](int64_t d) { return d != 1; }))
    return false;
  return classify(conv.getWeight()) != Origin::Data &&
         classify(conv.getBias()) != Origin::Data;
}

void registerInvertibleOpInterfaceExternalModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, tosa::TosaDialect *) {
    tosa::ReshapeOp::attachInterface<ReshapeInvertible>(*ctx);
    tosa::TransposeOp::attachInterface<TransposeInvertible>(*ctx);
    tosa::ConcatOp::attachInterface<ConcatInvertible>(*ctx);
    tosa::AddOp::attachInterface<ArithInvertible<tosa::AddOp, Arith::Add>>(
        *ctx);
    tosa::SubOp::attachInterface<ArithInvertible<tosa::SubOp, Arith::Sub>>(
        *ctx);
    tosa::MulOp::attachInterface<ArithInvertible<tosa::MulOp, Arith::Mul>>(
        *ctx);
    tosa::NegateOp::attachInterface<NegateInvertible>(*ctx);
    tosa::IdentityOp::attachInterface<IdentityInvertible>(*ctx);
    tosa::ReverseOp::attachInterface<ReverseInvertible>(*ctx);
    tosa::GatherOp::attachInterface<GatherInvertible>(*ctx);
    tosa::Conv2DOp::attachInterface<ConvInvertible>(*ctx);
  });
}

//===----------------------------------------------------------------------===//
// Slice partitions
//===----------------------------------------------------------------------===//

FailureOr<SlicePartition> findSlicePartition(Value source) {
  auto type = dyn_cast<RankedTensorType>(source.getType());
  if (!type || !type.hasStaticShape())
    return failure();
  // axis -> start -> slice
  std::map<int64_t, std::map<int64_t, Operation *>> byAxis;
  for (Operation *user : source.getUsers()) {
    auto slice = dyn_cast<tosa::SliceOp>(user);
    if (!slice || slice.getInput1() != source)
      continue;
    SmallVector<int64_t> start, size;
    if (!tosa::getConstShapeValues(slice.getStart().getDefiningOp(), start) ||
        !tosa::getConstShapeValues(slice.getSize().getDefiningOp(), size))
      continue;
    int64_t axis = -1;
    bool valid = true;
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (size[d] == type.getDimSize(d) && start[d] == 0)
        continue;
      if (axis >= 0) {
        valid = false; // cut along two axes
        break;
      }
      axis = d;
    }
    if (!valid || axis < 0)
      continue;
    byAxis[axis].try_emplace(start[axis], slice);
  }
  for (auto &[axis, starts] : byAxis) {
    SlicePartition partition{source, axis, {}};
    int64_t covered = 0;
    for (auto &[start, op] : starts) {
      if (start != covered)
        continue; // overlapping or out-of-order alternatives are skipped
      auto sliceType = cast<RankedTensorType>(op->getResult(0).getType());
      covered += sliceType.getDimSize(axis);
      partition.slices.push_back(op);
    }
    if (covered == type.getDimSize(axis) && partition.slices.size() > 1)
      return partition;
  }
  return failure();
}

Value buildPartitionInverse(OpBuilder &builder, Location loc,
                            const SlicePartition &partition,
                            ValueRange pieces) {
  TosaBuilder tb(builder, loc);
  return tb.concat(pieces, partition.axis);
}

} // namespace rev
