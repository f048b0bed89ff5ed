//===- RevOps.cpp - rev dialect operations --------------------------------===//

#include "rev/Dialect/Rev/IR/RevOps.h"

#include "rev/Utils/RegionUtils.h"
#include "rev/Utils/TosaBuilder.h"
#include "rev/Utils/TypeUtils.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Transforms/RegionUtils.h"

using namespace mlir;
using namespace rev;

//===----------------------------------------------------------------------===//
// Shared verification
//===----------------------------------------------------------------------===//

/// Index of the operand of `op` that `v` is computed from (in `op`'s block,
/// through any chain of ops), or -1. Only ops after the first operand's
/// definition are visited, so that parameters and constants computed
/// earlier cost nothing.
static int dependsOnOperand(Operation *op, Value v) {
  Block *block = op->getBlock();
  if (!block)
    return -1;
  // The earliest definition of an operand in the block; null if one is an
  // argument of the block (then the whole block before `op` is searched).
  Operation *earliest = op;
  for (Value input : op->getOperands()) {
    Operation *def = input.getDefiningOp();
    if (!def || def->getBlock() != block) {
      if (auto arg = dyn_cast<BlockArgument>(input);
          arg && arg.getOwner() == block)
        earliest = nullptr;
      continue;
    }
    if (earliest && def->isBeforeInBlock(earliest))
      earliest = def;
  }
  auto isOperand = [&](Value cur) {
    return llvm::is_contained(op->getOperands(), cur);
  };
  auto follow = [&](Operation *def) {
    return def->getBlock() == block &&
           !(earliest && (def == earliest || def->isBeforeInBlock(earliest)));
  };
  Value source = findSource(v, isOperand, follow);
  if (!source)
    return -1;
  return llvm::find(op->getOperands(), source) - op->getOperands().begin();
}

/// The values a region reads from above must not be computed from the
/// op's inputs either (F reading tanh(x1) computed before the coupling):
/// the inverse has only the outputs.
static LogicalResult verifyCaptures(Operation *op, Region &region,
                                    StringRef name) {
  llvm::SetVector<Value> captures;
  getUsedValuesDefinedAbove(region, captures);
  for (Value captured : captures) {
    if (llvm::is_contained(op->getOperands(), captured))
      continue; // reported as a direct read
    int idx = dependsOnOperand(op, captured);
    if (idx < 0)
      continue;
    InFlightDiagnostic diag = op->emitOpError()
                              << "the " << name << " region reads a value "
                              << "computed from x" << idx + 1
                              << " outside the op; it may depend on the "
                                 "block's inputs only through its argument";
    diag.attachNote(captured.getLoc()) << "the value is defined here";
    return diag;
  }
  return success();
}

/// Checks that `region` has one block taking one argument of type `argType`
/// and yielding values of `yieldTypes`. `name` and `argRole` are used in the
/// messages ("F", "x2").
static LogicalResult verifyBody(Operation *op, Region &region, StringRef name,
                                Type argType, StringRef argRole,
                                ArrayRef<Type> yieldTypes,
                                StringRef yieldRole) {
  Block &body = region.front();
  if (body.getNumArguments() != 1)
    return op->emitOpError() << name << " region must take exactly one argument ("
                             << argRole << "), but takes "
                             << body.getNumArguments();
  if (body.getArgument(0).getType() != argType)
    return op->emitOpError()
           << name << " region argument must have the type of " << argRole
           << " (" << argType << "), but has type "
           << body.getArgument(0).getType();
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield)
    return op->emitOpError() << name << " region must end in 'rev.yield'";
  if (yield->getNumOperands() != yieldTypes.size())
    return yield.emitOpError() << "in the " << name << " region must yield "
                               << yieldTypes.size() << " value(s) ("
                               << yieldRole << "), but yields "
                               << yield->getNumOperands();
  for (auto [i, pair] :
       llvm::enumerate(llvm::zip_equal(yield->getOperandTypes(), yieldTypes))) {
    auto [have, want] = pair;
    if (have != want)
      return yield.emitOpError()
             << "in the " << name << " region: yielded value #" << i
             << " must have type " << want << " (" << yieldRole
             << "), but has type " << have;
  }
  // A region that reads the coupling's own inputs directly would break the
  // inverse (e.g. F reading x1): it may only see them through its argument.
  WalkResult walk = region.walk([&](Operation *inner) {
    for (Value operand : inner->getOperands()) {
      for (auto [idx, input] : llvm::enumerate(op->getOperands())) {
        if (operand == input) {
          inner->emitError() << "the " << name << " region of '"
                             << op->getName() << "' reads x" << idx + 1
                             << " directly; it may depend on the block's "
                                "inputs only through its argument";
          return WalkResult::interrupt();
        }
      }
    }
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();
  return verifyCaptures(op, region, name);
}

static LogicalResult verifyElementTypes(Operation *op, Value x1, Value x2) {
  auto t1 = cast<RankedTensorType>(x1.getType());
  auto t2 = cast<RankedTensorType>(x2.getType());
  if (t1.getElementType() != t2.getElementType())
    return op->emitOpError() << "x1 and x2 must have the same element type, "
                                "but have "
                             << t1.getElementType() << " and "
                             << t2.getElementType();
  if (!t1.hasStaticShape() || !t2.hasStaticShape())
    return op->emitOpError() << "x1 and x2 must have static shapes";
  return success();
}

//===----------------------------------------------------------------------===//
// CouplingOp
//===----------------------------------------------------------------------===//

LogicalResult CouplingOp::verify() {
  return verifyElementTypes(*this, getX1(), getX2());
}

LogicalResult CouplingOp::verifyRegions() {
  Type t1 = getX1().getType(), t2 = getX2().getType();
  if (failed(verifyBody(*this, getF(), "F", t2, "x2", {t1},
                        "F(x2) has the type of x1")))
    return failure();
  return verifyBody(*this, getG(), "G", t1, "y1", {t2},
                    "G(y1) has the type of x2");
}

Value CouplingOp::getFResult() {
  return getF().front().getTerminator()->getOperand(0);
}

Value CouplingOp::getGResult() {
  return getG().front().getTerminator()->getOperand(0);
}

void CouplingOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  setNameFn(getY1(), "y1");
  setNameFn(getY2(), "y2");
}

SmallVector<unsigned> CouplingOp::getInvertedOperands() { return {0, 1}; }

FailureOr<SmallVector<Value>>
CouplingOp::buildInverse(OpBuilder &builder, ValueRange results,
                         IRMapping &mapping) {
  assert(results.size() == 2 && "a coupling has two results");
  TosaBuilder tb(builder, getLoc());
  Value y1 = results[0], y2 = results[1];
  // x2 = y2 - G(y1), then x1 = y1 - F(x2).
  Value g = inlineRegion(builder, getG(), {y1}, mapping).front();
  Value x2 = tb.sub(y2, g);
  Value f = inlineRegion(builder, getF(), {x2}, mapping).front();
  Value x1 = tb.sub(y1, f);
  return SmallVector<Value>{x1, x2};
}

//===----------------------------------------------------------------------===//
// AffineCouplingOp
//===----------------------------------------------------------------------===//

LogicalResult AffineCouplingOp::verify() {
  return verifyElementTypes(*this, getX1(), getX2());
}

LogicalResult AffineCouplingOp::verifyRegions() {
  Type t1 = getX1().getType(), t2 = getX2().getType();
  return verifyBody(*this, getSt(), "S/T", t1, "x1", {t2, t2},
                    "S(x1) and T(x1) have the type of x2");
}

Value AffineCouplingOp::getScale() {
  return getSt().front().getTerminator()->getOperand(0);
}

Value AffineCouplingOp::getShift() {
  return getSt().front().getTerminator()->getOperand(1);
}

void AffineCouplingOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  setNameFn(getY1(), "y1");
  setNameFn(getY2(), "y2");
}

SmallVector<unsigned> AffineCouplingOp::getInvertedOperands() {
  return {0, 1};
}

FailureOr<SmallVector<Value>>
AffineCouplingOp::buildInverse(OpBuilder &builder, ValueRange results,
                               IRMapping &mapping) {
  assert(results.size() == 2 && "a coupling has two results");
  TosaBuilder tb(builder, getLoc());
  Value y1 = results[0], y2 = results[1];
  // x1 = y1, x2 = (y2 - T(y1)) / S(y1).
  SmallVector<Value> st = inlineRegion(builder, getSt(), {y1}, mapping);
  Value x2 = tb.div(tb.sub(y2, st[1]), st[0]);
  return SmallVector<Value>{y1, x2};
}

#define GET_OP_CLASSES
#include "rev/Dialect/Rev/IR/RevOps.cpp.inc"

//===----------------------------------------------------------------------===//
// CheckRangeOp
//===----------------------------------------------------------------------===//

/// A range [lower, upper) of checked indices of `width` bits: not empty,
/// and every index in it representable.
static LogicalResult verifyIndexRange(Operation *op, int64_t lower,
                                      int64_t upper, unsigned width) {
  if (lower >= upper)
    return op->emitOpError()
           << "needs lower < upper, got [" << lower << ", " << upper << ")";
  if (width < 64 && (lower < -(int64_t(1) << (width - 1)) ||
                     upper > (int64_t(1) << (width - 1))))
    return op->emitOpError() << "range [" << lower << ", " << upper
                             << ") does not fit i" << width;
  return success();
}

LogicalResult CheckRangeOp::verify() {
  return verifyIndexRange(*this, getLowerBound(), getUpperBound(),
                          getInput().getType().getElementTypeBitWidth());
}

//===----------------------------------------------------------------------===//
// ReportRangeOp
//===----------------------------------------------------------------------===//

LogicalResult ReportRangeOp::verify() {
  if (failed(verifyIndexRange(
          *this, getLowerBound(), getUpperBound(),
          cast<ShapedType>(getMin().getType()).getElementTypeBitWidth())))
    return failure();
  if (getCheckAttr().getInt() < 0)
    return emitOpError() << "check number " << getCheckAttr().getInt()
                         << " is negative";
  return success();
}

void ReportRangeOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  for (OpOperand &operand : getOperation()->getOpOperands())
    if (isa<MemRefType>(operand.get().getType()))
      effects.emplace_back(MemoryEffects::Read::get(), &operand,
                           SideEffects::DefaultResource::get());
  // (the report: state of the runtime, which nothing else in the IR reads;
  // keeps the op alive)
  effects.emplace_back(MemoryEffects::Write::get(),
                       SideEffects::DefaultResource::get());
}

bool ReportRangeOp::bufferizesToMemoryRead(
    OpOperand &, const bufferization::AnalysisState &) {
  return true;
}

bool ReportRangeOp::bufferizesToMemoryWrite(
    OpOperand &, const bufferization::AnalysisState &) {
  return false;
}

bufferization::AliasingValueList
ReportRangeOp::getAliasingValues(OpOperand &,
                                 const bufferization::AnalysisState &) {
  return {};
}

LogicalResult
ReportRangeOp::bufferize(RewriterBase &rewriter,
                         const bufferization::BufferizationOptions &options,
                         bufferization::BufferizationState &state) {
  FailureOr<Value> min =
      bufferization::getBuffer(rewriter, getMin(), options, state);
  FailureOr<Value> max =
      bufferization::getBuffer(rewriter, getMax(), options, state);
  if (failed(min) || failed(max))
    return failure();
  // (both from one reduction: the same layout)
  if (min->getType() != max->getType())
    return emitOpError() << "bufferized to two types, " << min->getType()
                         << " and " << max->getType();
  rewriter.setInsertionPoint(*this);
  ReportRangeOp::create(rewriter, getLoc(), *min, *max, getLowerAttr(),
                        getUpperAttr(), getCheckAttr());
  rewriter.eraseOp(*this);
  return success();
}

//===----------------------------------------------------------------------===//
// RandomStreamOp, DropoutOp
//===----------------------------------------------------------------------===//

void RandomStreamOp::build(OpBuilder &builder, OperationState &state,
                           Value seed, int64_t stream) {
  build(builder, state, RankedTensorType::get({2}, builder.getI64Type()), seed,
        builder.getI64IntegerAttr(stream));
}

/// The `[seed, stream]` pair of rev.random_stream.
static LogicalResult verifyStreamType(Operation *op, Type type) {
  auto tensor = cast<RankedTensorType>(type);
  if (tensor.getDimSize(0) != 2)
    return op->emitOpError() << "needs a stream of type tensor<2xi64> (seed, "
                                "stream), got "
                             << type;
  return success();
}

LogicalResult RandomStreamOp::verify() {
  if (getStreamAttr().getInt() < 0)
    return emitOpError() << "needs a stream number >= 0, got "
                         << getStreamAttr().getInt();
  return verifyStreamType(*this, getResult().getType());
}

LogicalResult DropoutOp::verify() {
  double ratio = getRatio().convertToDouble();
  if (!(ratio >= 0.0 && ratio < 1.0))
    return emitOpError() << "needs a ratio in [0, 1), got " << ratio;
  return verifyStreamType(*this, getStream().getType());
}

OpFoldResult DropoutOp::fold(FoldAdaptor) {
  if (getRatio().isZero())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// Conv2DBackwardDataOp, Conv2DBackwardFilterOp
//===----------------------------------------------------------------------===//

/// Checks the attributes and that input [N, H, W, C], weight [F, KH, KW, C]
/// and output [N, OH, OW, F] are the shapes of a tosa.conv2d with them
/// (the windows must tile the padded input exactly, as TOSA requires).
static LogicalResult
verifyConvShapes(Operation *op, RankedTensorType input, RankedTensorType weight,
                 RankedTensorType output, ArrayRef<int64_t> pad,
                 ArrayRef<int64_t> stride, ArrayRef<int64_t> dilation) {
  if (pad.size() != 4 || stride.size() != 2 || dilation.size() != 2)
    return op->emitOpError("needs 4 pads, 2 strides and 2 dilations");
  if (llvm::any_of(pad, [](int64_t p) { return p < 0; }) ||
      llvm::any_of(stride, [](int64_t s) { return s < 1; }) ||
      llvm::any_of(dilation, [](int64_t d) { return d < 1; }))
    return op->emitOpError("needs pads >= 0, strides >= 1 and dilations >= 1");
  if (input.getRank() != 4 || weight.getRank() != 4 || output.getRank() != 4)
    return op->emitOpError("needs rank-4 tensors (NHWC, [F, KH, KW, C])");
  if (!input.hasStaticShape() || !weight.hasStaticShape() ||
      !output.hasStaticShape())
    return op->emitOpError("needs static shapes");
  if (input.getElementType() != weight.getElementType() ||
      input.getElementType() != output.getElementType())
    return op->emitOpError("needs one element type");
  auto in = input.getShape(), w = weight.getShape(), out = output.getShape();
  if (in[0] != out[0] || in[3] != w[3] || w[0] != out[3])
    return op->emitOpError()
           << "input " << formatShape(in) << ", weight " << formatShape(w)
           << " and output " << formatShape(out)
           << " are not the shapes of one convolution";
  for (int d = 0; d < 2; ++d) {
    bool exact;
    int64_t size =
        convOutputSize(in[1 + d], w[1 + d], pad[2 * d], pad[2 * d + 1],
                       stride[d], dilation[d], &exact);
    if (!exact || size != out[1 + d])
      return op->emitOpError()
             << "output size " << out[1 + d] << " in dimension " << 1 + d
             << " does not follow from input " << in[1 + d] << ", kernel "
             << w[1 + d] << ", pads " << pad[2 * d] << "+" << pad[2 * d + 1]
             << ", stride " << stride[d] << ", dilation " << dilation[d]
             << " (the windows must tile the padded input exactly)";
  }
  return success();
}

LogicalResult Conv2DBackwardDataOp::verify() {
  return verifyConvShapes(*this, getResult().getType(), getWeight().getType(),
                          getGrad().getType(), getPad(), getStride(),
                          getDilation());
}

LogicalResult Conv2DBackwardFilterOp::verify() {
  return verifyConvShapes(*this, getInput().getType(), getResult().getType(),
                          getGrad().getType(), getPad(), getStride(),
                          getDilation());
}

/// The effective window size (KH, KW with dilation) of a [F, KH, KW, C]
/// weight.
static SmallVector<int64_t> effectiveWindow(RankedTensorType weight,
                                            ArrayRef<int64_t> dilation) {
  return {(weight.getDimSize(1) - 1) * dilation[0] + 1,
          (weight.getDimSize(2) - 1) * dilation[1] + 1};
}

Value Conv2DBackwardDataOp::decompose(OpBuilder &builder) {
  // dx = conv(stuffed and padded g, flipped kernel with in/out swapped).
  TosaBuilder tb(builder, getLoc());
  auto xType = getResult().getType();
  Value flipped = tb.reverse(tb.reverse(getWeight(), 1), 2);
  Value wT = tb.transpose(flipped, {3, 1, 2, 0}); // [C, kH, kW, F]
  Value spread = tb.spreadForTransposedWindow(
      getGrad(), getStride(),
      effectiveWindow(getWeight().getType(), getDilation()), getPad());
  Value zeroBias = tb.splat(xType.getElementType(), {xType.getDimSize(3)}, 0.0);
  return tb.conv2d(spread, wT, zeroBias, {0, 0, 0, 0}, {1, 1}, getDilation());
}

Value Conv2DBackwardFilterOp::decompose(OpBuilder &builder) {
  // dw[f, i, j, c] = sum_{n, y, x} g[n, y, x, f] xpad[n, y*s + i*d, ..., c]:
  // a convolution over the batch, with the padded input as the image
  // ([C, H', W', N]) and g as the kernel ([F, OH, OW, N]), whose stride is
  // the forward's dilation and whose dilation is the forward's stride.
  TosaBuilder tb(builder, getLoc());
  ArrayRef<int64_t> pad = getPad(), stride = getStride();
  auto xType = getInput().getType(), gType = getGrad().getType(),
       wType = getResult().getType();
  SmallVector<int64_t> eff = effectiveWindow(wType, getDilation());
  Value xp =
      tb.padOrCrop(getInput(), {0, 0, pad[0], pad[1], pad[2], pad[3], 0, 0});
  // Keep exactly the rows the forward's windows reach.
  SmallVector<int64_t> need = {(gType.getDimSize(1) - 1) * stride[0] + eff[0],
                               (gType.getDimSize(2) - 1) * stride[1] + eff[1]};
  xp = tb.slice(xp, {0, 0, 0, 0},
                {xType.getDimSize(0), need[0], need[1], xType.getDimSize(3)});
  Value image = tb.transpose(xp, {3, 1, 2, 0});         // [C, H', W', N]
  Value kernel = tb.transpose(getGrad(), {3, 1, 2, 0}); // [F, OH, OW, N]
  Value zeroBias = tb.splat(wType.getElementType(), {wType.getDimSize(0)}, 0.0);
  Value dw = tb.conv2d(image, kernel, zeroBias, {0, 0, 0, 0}, getDilation(),
                       stride); // [C, kH, kW, F]
  return tb.transpose(dw, {3, 1, 2, 0});
}

//===----------------------------------------------------------------------===//
// LibraryCallOp
//===----------------------------------------------------------------------===//

/// Whether a callee name can end a C symbol (rev_<callee>).
static bool isCIdentifierTail(StringRef callee) {
  return !callee.empty() && llvm::all_of(callee, [](char c) {
    return llvm::isAlnum(c) || c == '_';
  });
}

LogicalResult LibraryCallOp::verify() {
  bool onTensors = !getResults().empty();
  if (onTensors == !getOutputs().empty())
    return emitOpError("has results (on tensors) or outputs (on buffers), "
                       "not both nor neither");
  // (the callee becomes the C symbol rev_<callee>)
  if (!isCIdentifierTail(getCallee()))
    return emitOpError() << "callee '" << getCallee()
                         << "' is not a C identifier's tail ([A-Za-z0-9_]+)";
  for (Value input : getInputs())
    if (!isa<RankedTensorType, MemRefType>(input.getType()))
      return emitOpError() << "takes ranked tensors or memrefs, got "
                           << input.getType();
  for (Value input : getInputs())
    if (isa<TensorType>(input.getType()) != onTensors)
      return emitOpError() << "takes " << (onTensors ? "tensors" : "buffers")
                           << " only, got an input of type " << input.getType();
  return success();
}

void LibraryCallOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  // (on tensors the op is pure)
  for (OpOperand &input : getInputsMutable())
    if (isa<MemRefType>(input.get().getType()))
      effects.emplace_back(MemoryEffects::Read::get(), &input,
                           SideEffects::DefaultResource::get());
  for (OpOperand &output : getOutputsMutable())
    effects.emplace_back(MemoryEffects::Write::get(), &output,
                         SideEffects::DefaultResource::get());
}

//===----------------------------------------------------------------------===//
// GPULibraryCallOp
//===----------------------------------------------------------------------===//

LogicalResult GPULibraryCallOp::verify() {
  if (!isCIdentifierTail(getCallee()))
    return emitOpError() << "callee '" << getCallee()
                         << "' is not a C identifier's tail ([A-Za-z0-9_]+)";
  return success();
}

void GPULibraryCallOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  for (OpOperand &input : getInputsMutable())
    effects.emplace_back(MemoryEffects::Read::get(), &input,
                         SideEffects::DefaultResource::get());
  for (OpOperand &output : getOutputsMutable())
    effects.emplace_back(MemoryEffects::Write::get(), &output,
                         SideEffects::DefaultResource::get());
  // (a call without outputs reports to the runtime: a run-time check)
  if (getOutputs().empty())
    effects.emplace_back(MemoryEffects::Write::get(),
                         SideEffects::DefaultResource::get());
}

bool LibraryCallOp::bufferizesToMemoryRead(
    OpOperand &, const bufferization::AnalysisState &) {
  return true;
}

bool LibraryCallOp::bufferizesToMemoryWrite(
    OpOperand &, const bufferization::AnalysisState &) {
  return false;
}

bufferization::AliasingValueList
LibraryCallOp::getAliasingValues(OpOperand &,
                                 const bufferization::AnalysisState &) {
  return {};
}

LogicalResult
LibraryCallOp::bufferize(RewriterBase &rewriter,
                         const bufferization::BufferizationOptions &options,
                         bufferization::BufferizationState &state) {
  SmallVector<Value> inputs, outputs;
  for (Value input : getInputs()) {
    FailureOr<Value> buffer =
        bufferization::getBuffer(rewriter, input, options, state);
    if (failed(buffer))
      return failure();
    inputs.push_back(*buffer);
  }
  // Each result in a new buffer (aligned for vector loads, like the
  // buffers of bufferized tensor.empty).
  for (Type type : getResultTypes()) {
    auto tensor = cast<RankedTensorType>(type);
    outputs.push_back(memref::AllocOp::create(
        rewriter, getLoc(),
        MemRefType::get(tensor.getShape(), tensor.getElementType()),
        ValueRange{}, rewriter.getI64IntegerAttr(64)));
  }
  LibraryCallOp::create(rewriter, getLoc(), TypeRange{}, getCallee(), inputs,
                        outputs, getParams());
  bufferization::replaceOpWithBufferizedValues(rewriter, *this, outputs);
  return success();
}

namespace rev {

llvm::SmallVector<CheckRangeOp> numberRuntimeChecks(ModuleOp module) {
  SmallVector<CheckRangeOp> checks;
  module.walk([&](CheckRangeOp op) { checks.push_back(op); });
  Builder b(module.getContext());
  SmallVector<Attribute> messages;
  for (auto [id, op] : llvm::enumerate(checks)) {
    op->setAttr(kCheckIdAttr, b.getI64IntegerAttr(id));
    messages.push_back(b.getStringAttr(
        op.getWhat() + " must lie in [" + Twine(op.getLowerBound()) + ", " +
        Twine(op.getUpperBound()) + ")"));
  }
  if (!checks.empty())
    module->setAttr(kChecksAttr, b.getArrayAttr(messages));
  return checks;
}

} // namespace rev
