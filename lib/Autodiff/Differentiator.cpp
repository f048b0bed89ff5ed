//===- Differentiator.cpp - build training steps -------------------------===//
//
// Reverse-mode differentiation with an explicit tape. The function is cloned
// into @<f>_forward (with the loss appended), then its ops are visited in
// reverse order and each op's VJP rule (VJPOpInterface) builds into
// @<f>_backward. When a rule needs a forward value, the value is
//  - cloned into the backward if it is a constant,
//  - passed through as a backward argument if it is a function argument,
//  - recomputed if it is parameter-derived or a cheap view of arguments
//    (rev::ValueClassifier: a weight in TOSA's layout, BatchNorm's eval-mode
//    scale and shift),
//  - otherwise appended to the forward's results and taken by the backward
//    as an argument: that is the tape (`tape.<n>`).
//
//===----------------------------------------------------------------------===//

#include "rev/Autodiff/Differentiate.h"

#include "Losses.h"

#include "rev/Analysis/Availability.h"
#include "rev/Autodiff/RecomputeTape.h"
#include "rev/Autodiff/VJPOpInterface.h"
#include "rev/Dialect/Rev/IR/RevOps.h"
#include "rev/Utils/RegionUtils.h"
#include "rev/Utils/TosaBuilder.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;

namespace rev {

namespace {

/// `attrs`, or an empty dictionary carrying `fallback` as rev.name.
DictionaryAttr withName(MLIRContext *ctx, DictionaryAttr attrs,
                        StringRef fallback) {
  if (attrs && attrs.get(kNameAttr))
    return attrs;
  SmallVector<NamedAttribute> list;
  if (attrs)
    list.append(attrs.begin(), attrs.end());
  list.push_back(nameAttr(ctx, fallback));
  return DictionaryAttr::get(ctx, list);
}

bool isFloatTensor(Type t) {
  auto tensor = dyn_cast<RankedTensorType>(t);
  return tensor && isa<FloatType>(tensor.getElementType());
}

//===----------------------------------------------------------------------===//
// The reverse sweep
//===----------------------------------------------------------------------===//

class Differentiator : public VJPContext {
public:
  Differentiator(func::FuncOp forward, func::FuncOp backward,
                 DenseSet<Value> active)
      : forward(forward), backward(backward), b(backward.getContext()),
        active(std::move(active)) {
    b.setInsertionPointToEnd(&backward.getBody().front());
  }

  // VJPContext
  OpBuilder &builder() override { return b; }
  Value primal(Value v) override;
  Value cotangent(unsigned i) override {
    return cotangents.lookup(currentOp->getResult(i));
  }
  void accumulate(Value v, Value grad) override;
  bool needsGradient(Value v) override;
  LogicalResult differentiateRegion(Region &region, ValueRange args,
                                    ValueRange seeds,
                                    SmallVectorImpl<Value> &argCotangents,
                                    SmallVectorImpl<Value> &yielded) override;
  SmallVector<Value> recomputeRegion(Region &region, ValueRange args) override;

  void seed(Value v, Value cotangent) { accumulate(v, cotangent); }
  Value cotangentOf(Value v) { return cotangents.lookup(v); }
  /// Differentiates `ops` (in forward order) in reverse.
  LogicalResult sweep(ArrayRef<Operation *> ops);

  /// Forward values put on the tape, in order.
  ArrayRef<Value> getTape() const { return tapeValues; }
  /// Forward arguments the backward reads, and the backward's arguments for
  /// them, in order.
  ArrayRef<std::pair<BlockArgument, BlockArgument>> getPassThrough() const {
    return passThrough;
  }
  /// Backward arguments for tape entries (parallel to getTape()).
  ArrayRef<BlockArgument> getTapeArgs() const { return tapeArgs; }
  /// Drops the tape entries that cheap elementwise ops rebuild from other
  /// entries, rebuilding them in the backward; returns how many.
  unsigned recomputeCheapEntries(bool segments) {
    if (!classes)
      classes.emplace(forward.getBody().front());
    RecomputeTapeOptions options;
    options.segments = segments;
    return recomputeCheapTapeEntries(
        forward.getBody().front(), backward.getBody().front(), *classes,
        tapeValues, tapeArgs,
        [&](BlockArgument arg) { return topLevelPrimal(arg); }, options);
  }

  /// Drops the tape entries the backward no longer reads once its dead ops
  /// are gone (a coupling's x1 when its G is the identity: nothing
  /// recomputes y1); returns how many.
  unsigned dropUnreadEntries() {
    Block &body = backward.getBody().front();
    SmallVector<Operation *> ops;
    for (Operation &op : body.without_terminator())
      ops.push_back(&op);
    for (Operation *op : llvm::reverse(ops))
      if (isOpTriviallyDead(op))
        op->erase();
    return dropTapeEntries(
        body, tapeValues, tapeArgs,
        [](Value, BlockArgument arg) { return arg.use_empty(); });
  }

private:
  LogicalResult visit(Operation *op);
  Value topLevelPrimal(Value v);
  bool canRecompute(Value v);

  func::FuncOp forward, backward;
  OpBuilder b;
  DenseSet<Value> active;
  Operation *currentOp = nullptr;
  DenseMap<Value, Value> cotangents;
  /// Region clones being differentiated, innermost last.
  SmallVector<IRMapping *> layers;
  DenseMap<Value, Value> primalCache;
  SmallVector<Value> tapeValues;
  SmallVector<BlockArgument> tapeArgs;
  SmallVector<std::pair<BlockArgument, BlockArgument>> passThrough;
  std::optional<ValueClassifier> classes; // of the forward, built on demand
};

bool Differentiator::needsGradient(Value v) {
  if (!isFloatTensor(v.getType()))
    return false;
  if (active.contains(v))
    return true;
  // Values inside regions (of couplings) are conservatively active.
  Operation *owner = isa<BlockArgument>(v)
                         ? cast<BlockArgument>(v).getOwner()->getParentOp()
                         : v.getDefiningOp()->getParentOp();
  return owner != forward.getOperation();
}

void Differentiator::accumulate(Value v, Value grad) {
  if (!grad || !needsGradient(v))
    return;
  assert(grad.getType() == v.getType() && "cotangent type mismatch");
  Value &slot = cotangents[v];
  if (!slot) {
    slot = grad;
    return;
  }
  TosaBuilder tb(b, grad.getLoc());
  slot = tb.add(slot, grad);
}

bool Differentiator::canRecompute(Value v) {
  if (isa<BlockArgument>(v))
    return cast<BlockArgument>(v).getOwner() == &forward.getBody().front();
  if (!classes)
    classes.emplace(forward.getBody().front());
  return classes->isRecomputable(v);
}

Value Differentiator::topLevelPrimal(Value v) {
  if (Value cached = primalCache.lookup(v))
    return cached;
  Block *entry = &backward.getBody().front();
  Value result;
  if (auto arg = dyn_cast<BlockArgument>(v)) {
    assert(arg.getOwner() == &forward.getBody().front() &&
           "region arguments come from a layer");
    BlockArgument in = entry->addArgument(arg.getType(), arg.getLoc());
    passThrough.emplace_back(arg, in);
    result = in;
  } else if (canRecompute(v)) {
    Operation *def = v.getDefiningOp();
    IRMapping mapping;
    for (Value operand : def->getOperands())
      mapping.map(operand, topLevelPrimal(operand));
    // Constants go to the top of the backward so that every later use is
    // dominated, and so do random streams (16 bytes each: blocks that
    // differ only in their streams stay alike for rev-outline-segments);
    // views go where they are first needed.
    OpBuilder::InsertionGuard guard(b);
    if (def->hasTrait<OpTrait::ConstantLike>())
      b.setInsertionPointToStart(entry);
    else if (isa<RandomStreamOp>(def))
      b.setInsertionPointAfterValue(mapping.lookup(def->getOperand(0)));
    Operation *clone = b.clone(*def, mapping);
    for (auto [orig, copy] : llvm::zip(def->getResults(), clone->getResults()))
      primalCache[orig] = copy;
    return primalCache.lookup(v);
  } else {
    BlockArgument in = entry->addArgument(v.getType(), v.getLoc());
    tapeValues.push_back(v);
    tapeArgs.push_back(in);
    result = in;
  }
  primalCache[v] = result;
  return result;
}

Value Differentiator::primal(Value v) {
  for (IRMapping *layer : llvm::reverse(layers))
    if (Value mapped = layer->lookupOrNull(v))
      return mapped;
  return topLevelPrimal(v);
}

SmallVector<Value> Differentiator::recomputeRegion(Region &region,
                                                   ValueRange args) {
  // The region's body inlined, with the values it captures from above
  // mapped to their primals in the backward.
  IRMapping mapping;
  llvm::SetVector<Value> captured;
  getUsedValuesDefinedAbove(region, captured);
  for (Value v : captured)
    mapping.map(v, primal(v));
  return inlineRegion(b, region, args, mapping);
}

LogicalResult
Differentiator::differentiateRegion(Region &region, ValueRange args,
                                    ValueRange seeds,
                                    SmallVectorImpl<Value> &argCotangents,
                                    SmallVectorImpl<Value> &yielded) {
  Block &body = region.front();
  IRMapping mapping;
  for (auto [arg, value] : llvm::zip_equal(body.getArguments(), args))
    mapping.map(arg, value);
  // Recompute the region's internals in the backward (checkpointing).
  layers.push_back(&mapping);
  for (Operation &op : body.without_terminator()) {
    IRMapping local;
    for (Value operand : op.getOperands())
      local.map(operand, primal(operand));
    llvm::SetVector<Value> captured;
    getUsedValuesDefinedAbove(op.getRegions(), captured);
    for (Value v : captured)
      local.map(v, primal(v));
    Operation *clone = b.clone(op, local);
    mapping.map(op.getResults(), clone->getResults());
  }
  Operation *terminator = body.getTerminator();
  yielded.clear();
  for (Value v : terminator->getOperands())
    yielded.push_back(primal(v));
  for (auto [v, seedValue] : llvm::zip_equal(terminator->getOperands(), seeds))
    accumulate(v, seedValue);
  SmallVector<Operation *> ops;
  for (Operation &op : body.without_terminator())
    ops.push_back(&op);
  LogicalResult result = sweep(ops);
  layers.pop_back();
  argCotangents.clear();
  for (BlockArgument arg : body.getArguments())
    argCotangents.push_back(cotangents.lookup(arg));
  // Forget the region's own cotangents: a later differentiation of the same
  // region (another use) starts afresh.
  for (BlockArgument arg : body.getArguments())
    cotangents.erase(arg);
  for (Operation &op : body)
    for (Value r : op.getResults())
      cotangents.erase(r);
  return result;
}

LogicalResult Differentiator::visit(Operation *op) {
  if (op->hasTrait<OpTrait::ConstantLike>())
    return success();
  bool hasCotangent = llvm::any_of(
      op->getResults(), [&](Value r) { return cotangents.lookup(r); });
  if (!hasCotangent)
    return success();
  auto rule = dyn_cast<VJPOpInterface>(op);
  if (!rule)
    return op->emitError() << "cannot differentiate '" << op->getName()
                           << "': no VJP rule (VJPOpInterface)";
  Operation *saved = currentOp;
  currentOp = op;
  b.setInsertionPointToEnd(&backward.getBody().front());
  LogicalResult result = rule.buildVJP(*this);
  currentOp = saved;
  if (failed(result))
    return op->emitError() << "building the VJP of '" << op->getName()
                           << "' failed";
  return success();
}

LogicalResult Differentiator::sweep(ArrayRef<Operation *> ops) {
  for (Operation *op : llvm::reverse(ops))
    if (failed(visit(op)))
      return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// Building the three functions
//===----------------------------------------------------------------------===//

/// Values of `func` that depend on the arguments in `wrt`.
DenseSet<Value> activeValues(func::FuncOp func, ArrayRef<unsigned> wrt) {
  DenseSet<Value> active;
  for (unsigned i : wrt)
    active.insert(func.getArgument(i));
  for (Operation &op : func.getBody().front().without_terminator()) {
    bool isActive = llvm::any_of(op.getOperands(),
                                 [&](Value v) { return active.contains(v); });
    if (!isActive && op.getNumRegions()) {
      llvm::SetVector<Value> captured;
      getUsedValuesDefinedAbove(op.getRegions(), captured);
      isActive = llvm::any_of(captured,
                              [&](Value v) { return active.contains(v); });
    }
    if (isActive)
      for (Value r : op.getResults())
        if (isFloatTensor(r.getType()))
          active.insert(r);
  }
  return active;
}

} // namespace

FailureOr<TrainingStep> differentiate(func::FuncOp func,
                                      const DifferentiateOptions &options) {
  MLIRContext *ctx = func.getContext();
  ModuleOp module = func->getParentOfType<ModuleOp>();
  SymbolTable symbols(module);
  std::string base = func.getName().str();
  for (std::string name : {base + "_forward", base + "_backward",
                           options.trainStepName})
    if (symbols.lookup(name)) {
      func.emitError() << "cannot differentiate @" << base << ": @" << name
                       << " exists";
      return failure();
    }
  if (func.isExternal() || !func.getBody().hasOneBlock()) {
    func.emitError() << "can only differentiate a function with one block";
    return failure();
  }
  OpBuilder mb(ctx);
  mb.setInsertionPointAfter(func);
  Location loc = func.getLoc();

  // Which arguments are parameters (differentiated with respect to).
  auto argName = [&](unsigned i) -> std::string {
    StringAttr n = nameOf(func.getArgAttrDict(i));
    return n ? n.str() : "arg" + std::to_string(i);
  };
  bool anyMarked = false;
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    anyMarked |= isParam(func, i);
  SmallVector<unsigned> wrt;
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    if (!isFloatTensor(func.getArgument(i).getType()))
      continue;
    if (!options.wrt.empty()) {
      if (llvm::is_contained(options.wrt, argName(i)))
        wrt.push_back(i);
      continue;
    }
    if (isUntrainable(func, i))
      continue;
    if (anyMarked && !isParam(func, i))
      continue;
    wrt.push_back(i);
  }
  for (const std::string &name : options.wrt) {
    bool found = false;
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      found |= argName(i) == name;
    if (!found) {
      func.emitError() << "wrt names '" << name << "', which is not an "
                       << "argument of @" << base;
      return failure();
    }
  }

  // Outputs: the differentiated ones, and auxiliary results passed through
  // (BatchNorm's running statistics).
  SmallVector<unsigned> outputs, aux;
  for (unsigned i = 0; i < func.getNumResults(); ++i) {
    StringAttr n = nameOf(func.getResultAttrDict(i));
    if (n && isRunningStatName(n.getValue()))
      aux.push_back(i);
    else
      outputs.push_back(i);
  }
  if (options.loss != LossKind::VJP && outputs.size() != 1) {
    func.emitError() << "a loss needs exactly one model output, but @" << base
                     << " has " << outputs.size()
                     << "; use loss=vjp for several";
    return failure();
  }
  for (unsigned i : outputs)
    if (!isFloatTensor(func.getResultTypes()[i])) {
      func.emitError() << "output #" << i << " is not a float tensor";
      return failure();
    }

  // 1. The forward: a clone of the function, with the loss appended. Every
  // argument and result gets a rev.name (arg<i>, result<i> by default).
  auto forward = cast<func::FuncOp>(mb.clone(*func));
  for (unsigned i = 0; i < forward.getNumArguments(); ++i)
    forward.setArgAttrs(i, withName(ctx, forward.getArgAttrDict(i), argName(i)));
  for (unsigned i = 0; i < forward.getNumResults(); ++i)
    forward.setResultAttrs(
        i, withName(ctx, forward.getResultAttrDict(i),
                    "result" + std::to_string(i)));
  forward.setName(base + "_forward");
  Block &fwdBody = forward.getBody().front();
  auto fwdReturn = cast<func::ReturnOp>(fwdBody.getTerminator());
  SmallVector<Value> fwdResults;        // the forward's results before the tape
  SmallVector<DictionaryAttr> fwdResultAttrs;
  Value loss;
  if (options.loss != LossKind::VJP) {
    Value y = fwdReturn.getOperand(outputs.front());
    auto yType = cast<RankedTensorType>(y.getType());
    Type lossInputType;
    std::string lossInputName;
    if (options.loss == LossKind::MSE) {
      lossInputType = yType;
      lossInputName = "target";
    } else {
      if (yType.getRank() != 2) {
        func.emitError() << "cross-entropy needs logits of shape [N, C], got "
                         << yType;
        return failure();
      }
      lossInputType = RankedTensorType::get({yType.getDimSize(0)},
                                            IntegerType::get(ctx, 64));
      lossInputName = "labels";
    }
    for (unsigned i = 0; i < forward.getNumArguments(); ++i)
      if (StringAttr name = nameOf(forward.getArgAttrDict(i));
          name && name.getValue() == lossInputName) {
        forward.erase();
        return func.emitError()
               << "argument #" << i << " is already named '" << lossInputName
               << "', the name of the loss's "
               << (options.loss == LossKind::MSE ? "target" : "labels")
               << " argument; rename the model's input";
      }
    unsigned idx = forward.getNumArguments();
    if (failed(forward.insertArgument(idx, lossInputType,
                                      namedAttrs(ctx, lossInputName), loc)))
      return failure();
    OpBuilder fb(fwdReturn);
    TosaBuilder tb(fb, loc);
    Value lossInput = forward.getArgument(idx);
    loss = options.loss == LossKind::MSE ? buildMSE(tb, y, lossInput)
                                         : buildCrossEntropy(tb, y, lossInput);
    // A 0-d loss, like PyTorch's.
    loss = tb.reshape(loss, {});
    fwdResults.push_back(loss);
    fwdResultAttrs.push_back(namedAttrs(ctx, "loss"));
  } else {
    for (unsigned i : outputs) {
      fwdResults.push_back(fwdReturn.getOperand(i));
      fwdResultAttrs.push_back(forward.getResultAttrDict(i));
    }
  }
  for (unsigned i : aux) {
    fwdResults.push_back(fwdReturn.getOperand(i));
    fwdResultAttrs.push_back(forward.getResultAttrDict(i));
  }

  // 2. The backward, built by the reverse sweep.
  auto backward = func::FuncOp::create(mb, loc, base + "_backward",
                                       mb.getFunctionType({}, {}));
  backward.addEntryBlock();
  DenseSet<Value> active = activeValues(forward, wrt);
  Differentiator diff(forward, backward, active);
  OpBuilder &bb = diff.builder();
  TosaBuilder btb(bb, loc);
  SmallVector<BlockArgument> cotangentArgs;
  if (options.loss != LossKind::VJP) {
    diff.seed(loss, btb.splat(cast<RankedTensorType>(loss.getType())
                                  .getElementType(),
                              {}, 1.0));
  } else {
    for (unsigned i : outputs) {
      Value out = fwdReturn.getOperand(i);
      BlockArgument g =
          backward.getBody().front().addArgument(out.getType(), loc);
      cotangentArgs.push_back(g);
      diff.seed(out, g);
    }
  }
  SmallVector<Operation *> ops;
  for (Operation &op : fwdBody.without_terminator())
    ops.push_back(&op);
  if (failed(diff.sweep(ops))) {
    forward.erase();
    backward.erase();
    return failure();
  }
  // Gradients, zero where a parameter does not affect the loss.
  SmallVector<Value> grads;
  SmallVector<DictionaryAttr> gradAttrs;
  bb.setInsertionPointToEnd(&backward.getBody().front());
  for (unsigned i : wrt) {
    Value g = diff.cotangentOf(forward.getArgument(i));
    if (!g)
      g = btb.splatLike(forward.getArgument(i), 0.0);
    grads.push_back(g);
    gradAttrs.push_back(namedAttrs(ctx, gradName(argName(i))));
  }
  func::ReturnOp::create(bb, loc, grads);
  if (options.recomputeElementwise || options.recomputeSegments)
    diff.recomputeCheapEntries(options.recomputeSegments);
  diff.dropUnreadEntries();
  SmallVector<Type> gradTypes(ValueRange(grads).getTypes());
  grads.clear(); // (may name arguments of the block replaced below)

  // Order the backward's arguments: tape, forward arguments, cotangents.
  Block &bwdBody = backward.getBody().front();
  SmallVector<Type> bwdTypes;
  SmallVector<DictionaryAttr> bwdAttrs;
  SmallVector<BlockArgument> order;
  auto named = [&](StringRef n) { return namedAttrs(ctx, n); };
  for (auto [k, arg] : llvm::enumerate(diff.getTapeArgs())) {
    order.push_back(arg);
    bwdAttrs.push_back(named(tapeName(k)));
  }
  for (auto [fwdArg, arg] : diff.getPassThrough()) {
    order.push_back(arg);
    bwdAttrs.push_back(forward.getArgAttrDict(fwdArg.getArgNumber()));
  }
  for (auto [k, arg] : llvm::enumerate(cotangentArgs)) {
    order.push_back(arg);
    StringAttr n = nameOf(forward.getResultAttrDict(outputs[k]));
    bwdAttrs.push_back(named(gradName(n.getValue())));
  }
  Block *ordered = new Block();
  backward.getBody().push_front(ordered);
  for (BlockArgument arg : order) {
    BlockArgument replacement = ordered->addArgument(arg.getType(), arg.getLoc());
    arg.replaceAllUsesWith(replacement);
    bwdTypes.push_back(arg.getType());
  }
  ordered->getOperations().splice(ordered->end(), bwdBody.getOperations());
  bwdBody.erase();
  // (The old block's arguments are gone: only counts and types remain.)
  size_t numCotangents = cotangentArgs.size();
  cotangentArgs.clear();
  backward.setType(FunctionType::get(ctx, bwdTypes, gradTypes));
  backward.setAllArgAttrs(bwdAttrs);
  backward.setAllResultAttrs(gradAttrs);

  // The forward returns its results and the tape. A tape entry that is
  // already a result (an output the backward reads) is not returned twice:
  // train_step passes that result.
  SmallVector<Value> allResults(fwdResults);
  SmallVector<unsigned> tapeResultIndex;
  for (auto [k, v] : llvm::enumerate(diff.getTape())) {
    auto it = llvm::find(allResults, v);
    if (it != allResults.end()) {
      tapeResultIndex.push_back(it - allResults.begin());
      continue;
    }
    tapeResultIndex.push_back(allResults.size());
    allResults.push_back(v);
    fwdResultAttrs.push_back(named(tapeName(k)));
  }
  OpBuilder rb(fwdReturn);
  func::ReturnOp::create(rb, fwdReturn.getLoc(), allResults);
  fwdReturn.erase();
  setResults(forward, ValueRange(allResults).getTypes(), fwdResultAttrs);
  forward->setAttr(kBackwardAttr, FlatSymbolRefAttr::get(backward));
  backward->setAttr(kForwardAttr, FlatSymbolRefAttr::get(forward));

  // 3. train_step: forward, then backward.
  SmallVector<Type> stepInputs(forward.getArgumentTypes());
  SmallVector<DictionaryAttr> stepArgAttrs;
  for (unsigned i = 0; i < forward.getNumArguments(); ++i)
    stepArgAttrs.push_back(forward.getArgAttrDict(i));
  for (size_t k = 0; k < numCotangents; ++k) {
    stepInputs.push_back(bwdTypes[order.size() - numCotangents + k]);
    stepArgAttrs.push_back(bwdAttrs[order.size() - numCotangents + k]);
  }
  mb.setInsertionPointAfter(backward);
  auto step = func::FuncOp::create(mb, loc, options.trainStepName,
                                   mb.getFunctionType(stepInputs, {}));
  Block *stepBody = step.addEntryBlock();
  OpBuilder sb = OpBuilder::atBlockBegin(stepBody);
  auto callFwd = func::CallOp::create(
      sb, loc, forward,
      stepBody->getArguments().take_front(forward.getNumArguments()));
  SmallVector<Value> bwdOperands;
  size_t numFwdResults = fwdResults.size();
  for (unsigned index : tapeResultIndex)
    bwdOperands.push_back(callFwd.getResult(index));
  for (auto [fwdArg, arg] : diff.getPassThrough())
    bwdOperands.push_back(stepBody->getArgument(fwdArg.getArgNumber()));
  for (size_t k = 0; k < numCotangents; ++k)
    bwdOperands.push_back(
        stepBody->getArgument(forward.getNumArguments() + k));
  auto callBwd = func::CallOp::create(sb, loc, backward, bwdOperands);
  SmallVector<Value> stepResults;
  SmallVector<DictionaryAttr> stepResultAttrs;
  size_t numPrimary = options.loss == LossKind::VJP ? outputs.size() : 1;
  for (size_t k = 0; k < numPrimary; ++k) {
    stepResults.push_back(callFwd.getResult(k));
    stepResultAttrs.push_back(fwdResultAttrs[k]);
  }
  for (auto [k, g] : llvm::enumerate(callBwd.getResults())) {
    stepResults.push_back(g);
    stepResultAttrs.push_back(gradAttrs[k]);
  }
  for (size_t k = numPrimary; k < numFwdResults; ++k) {
    stepResults.push_back(callFwd.getResult(k));
    stepResultAttrs.push_back(fwdResultAttrs[k]);
  }
  func::ReturnOp::create(sb, loc, stepResults);
  step.setType(FunctionType::get(ctx, stepInputs,
                                 ValueRange(stepResults).getTypes()));
  step.setAllArgAttrs(stepArgAttrs);
  step.setAllResultAttrs(stepResultAttrs);

  symbols.insert(forward);
  symbols.insert(backward);
  symbols.insert(step);
  return TrainingStep{forward, backward, step};
}

} // namespace rev
