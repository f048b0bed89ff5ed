//===- ReconstructActivations.cpp - RevNet's backward as a rewrite --------===//
//
// Rewrites a `_forward`/`_backward` pair built by rev-differentiate so that
// the tape entries that can be computed again by inverting later values are
// no longer stored: the backward reconstructs them, block by block from the
// top, right before their first use (Algorithm 1 of Gomez et al. 2017).
//
// A forward value v is *derived* when it is an inverted operand of an
// invertible op O (InvertibleOpInterface: a coupling; glue such as reshape,
// transpose, concat, reverse, a constant permutation; an add or a
// multiplication by a parameter, the latter provably nonzero) whose results
// are all available in the backward, or when slices of v partition it
// (torch.chunk) and each slice is derived. Views invert exactly; couplings,
// adds and multiplications invert up to the rounding of one operation per
// element (x = y - b, x = y / s: the rule of a coupling's own inverse
// x1 = y1 - F(x2)); numerics=true measures what that costs. Values are
// *available* when they
// are function arguments, recomputable (rev::ValueClassifier: constants,
// parameter-derived values, views of arguments), forward results (outputs
// and kept tape entries), or the results of a coupling that the rewrite
// stores instead (the top of each reversible run).
//
// With the tops on the tape, the entries that cheap elementwise ops,
// reductions and concatenations rebuild from the entries that stay leave it
// too (rev::recomputeCheapTapeEntries, as rev-differentiate's own step: a
// final LayerNorm's `x - mean` from the tops).
//
// After the rewrite, the backward recomputes F(x2) and G(y1) in both the
// inverse and the couplings' VJPs; CSE shares them, once y1 = x1 + F(x2) with
// x1 = y1 - F(x2) folds back to y1.
//
//===----------------------------------------------------------------------===//

#include "Reconstructor.h"

#include "rev/Autodiff/RecomputeTape.h"

#include "rev/Transforms/Passes.h"

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVRECONSTRUCTACTIVATIONS
#include "rev/Transforms/Passes.h.inc"
} // namespace rev

namespace rev::reconstruct {
namespace {

/// x1 + F(x2) where x1 = y1 - F(x2) is y1 again. Not a valid rewrite in
/// general floating point (so not a canonicalization); here it restores the
/// value the forward computed, of which x1 is the reconstruction.
struct FoldReconstructedSum : public OpRewritePattern<tosa::AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::AddOp add,
                                PatternRewriter &rewriter) const override {
    for (int i = 0; i < 2; ++i) {
      auto sub = add->getOperand(i).getDefiningOp<tosa::SubOp>();
      Value other = add->getOperand(1 - i);
      if (!sub || sub.getInput2() != other ||
          sub.getInput1().getType() != add.getType())
        continue;
      rewriter.replaceOp(add, sub.getInput1());
      return success();
    }
    return failure();
  }
};

} // namespace

/// Constants, parameter-derived values and cheap views of arguments (the
/// shared classification): recomputed in the backward.
bool Reconstructor::isStatic(Value v) {
  return !isa<BlockArgument>(v) && classes.isRecomputable(v);
}

const char *Reconstructor::inverseBlocker(Operation *user) {
  auto inv = cast<rev::InvertibleOpInterface>(user);
  const char *blocker = nullptr;
  for (Value r : user->getResults())
    if (availability(r) == Avail::None && !isCoupling(user))
      blocker = "its results";
  for (auto [i, operand] : llvm::enumerate(user->getOperands()))
    if (!llvm::is_contained(inv.getInvertedOperands(), i) &&
        (availability(operand) == Avail::None ||
         availability(operand) == Avail::Top))
      blocker = "its context operands";
  // Values the regions use from above: weights and constants.
  llvm::SetVector<Value> above;
  for (Region &region : user->getRegions())
    getUsedValuesDefinedAbove(region, above);
  for (Value a : above)
    if (!isa<BlockArgument>(a) && !isStatic(a))
      blocker = "values its regions read from above";
  return blocker;
}

Avail Reconstructor::availability(Value v) {
  auto it = avail.find(v);
  if (it != avail.end())
    return it->second;
  Avail result = Avail::None;
  Block &body = forward.getBody().front();
  bool stored = llvm::is_contained(fwdResults, v);
  bool tapeEntry = false;
  for (auto [k, r] : llvm::enumerate(fwdResults))
    if (r == v) {
      bool tape = static_cast<bool>(tapeNameAt(k));
      tapeEntry |= tape;
      stored &= !tape;
    }
  if (isa<BlockArgument>(v)) {
    result = Avail::Arg;
  } else if (isStatic(v)) {
    result = Avail::Static;
  } else if (stored) {
    result = Avail::Stored; // an output or running statistic: free
  } else {
    // Derivable from a later op?
    auto isKept = [&](Operation *user) { return keepInputs.contains(user); };
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      auto inv = dyn_cast<rev::InvertibleOpInterface>(user);
      if (user->getBlock() != &body || !inv || isKept(user) ||
          !llvm::is_contained(inv.getInvertedOperands(),
                              use.getOperandNumber()) ||
          inverseBlocker(user))
        continue;
      Node *&node = nodeOfOp[user];
      if (!node) {
        nodes.push_back(std::make_unique<Node>());
        node = nodes.back().get();
        node->op = user;
      }
      producer[v] = node;
      result = Avail::Derived;
      break;
    }
    if (result == Avail::None) {
      FailureOr<rev::SlicePartition> partition = rev::findSlicePartition(v);
      if (succeeded(partition) &&
          llvm::all_of(partition->slices, [&](Operation *slice) {
            Avail a = availability(slice->getResult(0));
            return a != Avail::None && a != Avail::Top;
          })) {
        nodes.push_back(std::make_unique<Node>());
        nodes.back()->partition = *partition;
        producer[v] = nodes.back().get();
        result = Avail::Derived;
      }
    }
    if (result == Avail::None && tapeEntry)
      result = Avail::Stored;
    if (result == Avail::None && v.getDefiningOp() &&
        isCoupling(v.getDefiningOp()))
      result = Avail::Top;
  }
  avail[v] = result;
  return result;
}

Value Reconstructor::materializeStatic(Value v, Operation *at,
                                       IRMapping &local) {
  if (Value m = local.lookupOrNull(v))
    return m;
  if (auto arg = dyn_cast<BlockArgument>(v))
    return backwardValueOf(arg, at);
  // Cloned right where it is needed (a weight in TOSA's layout lives only
  // while its block is processed; CSE shares it with the VJP's copy).
  Operation *def = v.getDefiningOp();
  for (Value o : def->getOperands())
    local.map(o, materializeStatic(o, at, local));
  OpBuilder b(at);
  b.clone(*def, local);
  return local.lookup(v);
}

Value Reconstructor::backwardValueOf(Value v, Operation *at) {
  if (Value m = toBackward.lookupOrNull(v))
    return m;
  Block &bb = backward.getBody().front();
  if (auto arg = dyn_cast<BlockArgument>(v)) {
    for (auto [i, s] : llvm::enumerate(sources))
      if (s.kind == Source::FwdArg && s.index == arg.getArgNumber())
        return bb.getArgument(i);
    Value a = addBackwardArg(arg.getType(),
                             forward.getArgAttrDict(arg.getArgNumber()),
                             {Source::FwdArg, arg.getArgNumber(), {}});
    toBackward.map(v, a);
    return a;
  }
  Avail a = availability(v);
  if (a == Avail::Static) {
    IRMapping local;
    return materializeStatic(v, at, local);
  }
  assert((a == Avail::Stored || a == Avail::Top) && "not available");
  // A forward result (an output or kept tape entry), or a new one.
  auto it = llvm::find(fwdResults, v);
  unsigned index =
      it == fwdResults.end() ? addTapeResult(v) : it - fwdResults.begin();
  for (auto [i, s] : llvm::enumerate(sources))
    if (s.kind == Source::FwdResult && s.index == index) {
      toBackward.map(v, bb.getArgument(i));
      return bb.getArgument(i);
    }
  Value arg = addBackwardArg(v.getType(), fwdResultAttrs[index],
                             {Source::FwdResult, index, {}});
  toBackward.map(v, arg);
  return arg;
}

unsigned Reconstructor::addTapeResult(Value v) {
  fwdResults.push_back(v);
  fwdResultAttrs.push_back(named(ctx, rev::tapeName(nextTape++)));
  fwdResultOld.push_back(-1);
  return fwdResults.size() - 1;
}

Value Reconstructor::addBackwardArg(Type type, DictionaryAttr attrs,
                                    Source source) {
  unsigned index = backward.getNumArguments();
  (void)backward.insertArgument(index, type, attrs, forward.getLoc());
  sources.push_back(source);
  return backward.getBody().front().getArgument(index);
}

void Reconstructor::require(Value v, Operation *point) {
  Avail a = availability(v);
  if (a != Avail::Derived)
    return;
  Node *node = producer.lookup(v);
  if (node->needAt && node->needAt->isBeforeInBlock(point))
    return;
  if (node->needAt == point)
    return;
  node->needAt = point;
  if (node->op) {
    for (Value r : node->op->getResults())
      require(r, point);
  } else {
    for (Operation *slice : node->partition->slices)
      require(slice->getResult(0), point);
  }
}

LogicalResult Reconstructor::materialize(Node &node) {
  OpBuilder b(node.needAt);
  if (node.partition) {
    SmallVector<Value> pieces;
    for (Operation *slice : node.partition->slices) {
      Value r = slice->getResult(0);
      pieces.push_back(toBackward.lookupOrNull(r) ? toBackward.lookup(r)
                                                  : backwardValueOf(r, node.needAt));
    }
    Value whole = rev::buildPartitionInverse(b, node.partition->source.getLoc(),
                                             *node.partition, pieces);
    toBackward.map(node.partition->source, whole);
    return success();
  }
  Operation *op = node.op;
  SmallVector<Value> results;
  for (Value r : op->getResults())
    results.push_back(toBackward.lookupOrNull(r) ? toBackward.lookup(r)
                                                 : backwardValueOf(r, node.needAt));
  auto inv = cast<rev::InvertibleOpInterface>(op);
  SmallVector<unsigned> inverted = inv.getInvertedOperands();
  IRMapping mapping;
  for (auto [i, operand] : llvm::enumerate(op->getOperands()))
    if (!llvm::is_contained(inverted, i))
      mapping.map(operand, toBackward.lookupOrNull(operand)
                               ? toBackward.lookup(operand)
                               : backwardValueOf(operand, node.needAt));
  llvm::SetVector<Value> above;
  for (Region &region : op->getRegions())
    getUsedValuesDefinedAbove(region, above);
  IRMapping local;
  for (Value a : above)
    mapping.map(a, materializeStatic(a, node.needAt, local));
  b.setInsertionPoint(node.needAt);
  FailureOr<SmallVector<Value>> operands = inv.buildInverse(b, results, mapping);
  if (failed(operands))
    return failure();
  for (auto [i, value] : llvm::zip_equal(inverted, *operands))
    if (!toBackward.contains(op->getOperand(i)))
      toBackward.map(op->getOperand(i), value);
  return success();
}

StringAttr Reconstructor::tapeNameAt(unsigned k) {
  StringAttr n = nameOf(fwdResultAttrs[k]);
  return n && rev::isTapeName(n.getValue()) ? n : StringAttr();
}

StringAttr Reconstructor::tapeNameOf(const Source &s) {
  return s.kind == Source::FwdResult ? tapeNameAt(s.index) : StringAttr();
}

DictionaryAttr Reconstructor::withKeptBecause(DictionaryAttr attrs, Value v) {
  std::string why =
      driftSamples.contains(v)
          ? "a fingerprint of a coupling's input rebuilt by inversion, to "
            "check its drift (check-drift)"
      : availability(v) == Avail::Derived
          ? "rebuilt by an inverse; kept to measure the reconstruction "
            "(numerics=true)"
          : whyStored(v);
  NamedAttrList list(attrs);
  list.set(rev::kKeptBecauseAttr, StringAttr::get(ctx, why));
  return list.getDictionary(ctx);
}

LogicalResult
Reconstructor::eraseBackwardArguments(const llvm::BitVector &erase) {
  if (failed(backward.eraseArguments(erase)))
    return failure();
  SmallVector<Source> kept;
  for (auto [i, s] : llvm::enumerate(sources))
    if (!erase.test(i))
      kept.push_back(s);
  sources = std::move(kept);
  return success();
}

FailureOr<DenseSet<Value>> Reconstructor::recomputeFromStored() {
  Block &bb = backward.getBody().front();
  SmallVector<Value> tapeValues;
  SmallVector<BlockArgument> tapeArgs;
  for (auto [i, s] : llvm::enumerate(sources))
    if (tapeNameOf(s)) {
      tapeValues.push_back(fwdResults[s.index]);
      tapeArgs.push_back(bb.getArgument(i));
    }
  DenseSet<Value> rebuilt(tapeValues.begin(), tapeValues.end());
  rev::RecomputeTapeOptions options;
  options.reductions = true;
  options.eraseArguments = false;
  rev::recomputeCheapTapeEntries(
      forward.getBody().front(), bb, classes, tapeValues, tapeArgs,
      [&](BlockArgument arg) { return backwardValueOf(arg, nullptr); },
      options);
  // What stays on the tape is left in tapeValues.
  for (Value v : tapeValues)
    rebuilt.erase(v);
  // The rebuilt entries' backward arguments are unused now.
  llvm::BitVector erase(backward.getNumArguments());
  for (auto [i, s] : llvm::enumerate(sources))
    if (tapeNameOf(s) && rebuilt.contains(fwdResults[s.index]) &&
        bb.getArgument(i).use_empty())
      erase.set(i);
  if (failed(eraseBackwardArguments(erase)))
    return failure();
  stats.recomputed += rebuilt.size();
  return rebuilt;
}

LogicalResult Reconstructor::run(ModuleOp module) {
  if (failed(findCalls(module)))
    return failure();
  Block &fb = forward.getBody().front();
  Block &bb = backward.getBody().front();
  auto fwdReturn = cast<func::ReturnOp>(fb.getTerminator());
  for (auto [k, v] : llvm::enumerate(fwdReturn.getOperands())) {
    fwdResults.push_back(v);
    fwdResultAttrs.push_back(forward.getResultAttrDict(k));
    fwdResultOld.push_back(k);
    StringAttr n = tapeNameAt(k);
    unsigned index;
    if (n && !n.getValue()
                  .drop_front(rev::kTapePrefix.size())
                  .getAsInteger(10, index))
      nextTape = std::max(nextTape, index + 1);
  }
  // Where the backward's arguments come from.
  for (unsigned i = 0; i < backward.getNumArguments(); ++i) {
    Source s{Source::Other, 0, {}};
    if (bwdCall) {
      Value operand = bwdCall.getOperand(i);
      if (auto r = dyn_cast<OpResult>(operand); r && r.getOwner() == fwdCall)
        s = {Source::FwdResult, r.getResultNumber(), {}};
      else if (auto it = llvm::find(fwdCall.getOperands(), operand);
               it != fwdCall.getOperands().end())
        s = {Source::FwdArg,
             static_cast<unsigned>(it - fwdCall.getOperands().begin()), {}};
      else
        s.external = operand;
    } else {
      // Without a caller, the tape's names tell.
      StringAttr n = nameOf(backward.getArgAttrDict(i));
      for (auto [k, attrs] : llvm::enumerate(fwdResultAttrs))
        if (n && nameOf(attrs) == n)
          s = {Source::FwdResult, static_cast<unsigned>(k), {}};
      if (s.kind == Source::Other)
        for (unsigned m = 0; m < forward.getNumArguments(); ++m)
          if (n && nameOf(forward.getArgAttrDict(m)) == n)
            s = {Source::FwdArg, m, {}};
      if (s.kind == Source::Other)
        return backward.emitError()
               << "rev-reconstruct-activations: cannot tell where argument #"
               << i << " of @" << backward.getSymName()
               << " comes from (no call and no matching rev.name)";
    }
    sources.push_back(s);
    if (s.kind == Source::FwdArg)
      toBackward.map(forward.getArgument(s.index), bb.getArgument(i));
  }

  // checkpoint-every=K: every K-th coupling keeps its inputs stored.
  if (checkpointEvery > 0) {
    unsigned k = 0;
    for (Operation &op : fb)
      if (isCoupling(&op) && ++k % checkpointEvery == 0)
        keepInputs.insert(&op);
  }

  // The tape entries the backward reads that can be derived.
  SmallVector<std::pair<unsigned, Value>> derivedArgs; // backward arg, value
  int64_t removedBytes = 0;
  for (auto [i, s] : llvm::enumerate(sources)) {
    if (!tapeNameOf(s))
      continue;
    Value v = fwdResults[s.index];
    if (availability(v) != Avail::Derived)
      continue;
    derivedArgs.push_back({static_cast<unsigned>(i), v});
    removedBytes += bytesOf(v.getType());
  }
  // Explanations: every entry that stays, and why (`rebuilt`: entries the
  // recompute step below takes off the tape).
  unsigned numCouplings = 0;
  for (Operation &op : fb)
    numCouplings += isCoupling(&op);
  SmallVector<std::pair<StringAttr, Value>> entries;
  for (const Source &s : sources)
    if (StringAttr n = tapeNameOf(s))
      entries.push_back({n, fwdResults[s.index]});
  auto explainStays = [&](const DenseSet<Value> &rebuilt) {
    if (!explain)
      return;
    for (auto [n, v] : entries) {
      if (availability(v) == Avail::Derived)
        continue;
      Location loc = v.getDefiningOp() ? v.getDefiningOp()->getLoc()
                                       : forward.getLoc();
      InFlightDiagnostic remark = emitRemark(loc);
      remark << "rev-reconstruct-activations: " << n.getValue() << " ("
             << v.getType() << ", " << bytesOf(v.getType()) << " bytes) ";
      if (rebuilt.contains(v))
        remark << "leaves the tape: rebuilt from the entries that stay by "
                  "cheap ops and reductions";
      else
        remark << "stays on the tape: " << whyStored(v);
    }
  };
  if (derivedArgs.empty()) {
    explainStays({});
    for (auto [k, v] : llvm::enumerate(fwdResults))
      if (tapeNameAt(k))
        forward.setResultAttrs(k, withKeptBecause(fwdResultAttrs[k], v));
    if (numCouplings > 0)
      emitWarning(forward.getLoc())
          << "rev-reconstruct-activations: @" << forward.getSymName()
          << " has " << numCouplings
          << " coupling(s), but no tape entry can be rebuilt by inverting "
             "them; reversible mode stores what checkpoint mode does (run "
             "with explain=true for each entry's reason)";
    else
      emitRemark(forward.getLoc())
          << "rev-reconstruct-activations: nothing in @"
          << forward.getSymName()
          << " can be reconstructed by inversion (no couplings on the tape); "
             "the tape is left as it is";
    return success();
  }

  // Where each derived value is needed first.
  for (auto [i, v] : derivedArgs) {
    Operation *first = nullptr;
    for (Operation *user : bb.getArgument(i).getUsers()) {
      while (user->getBlock() != &bb)
        user = user->getParentOp();
      if (!first || user->isBeforeInBlock(first))
        first = user;
    }
    if (first)
      require(v, first);
  }
  // Build the inverses: by need, and for equal needs, later forward ops
  // first (their results are the inputs of earlier ones).
  SmallVector<Node *> order;
  for (auto &node : nodes)
    if (node->needAt)
      order.push_back(node.get());
  auto forwardPos = [](Node *n) -> Operation * {
    return n->op ? n->op : n->partition->slices.front();
  };
  llvm::stable_sort(order, [&](Node *a, Node *b) {
    if (a->needAt != b->needAt)
      return a->needAt->isBeforeInBlock(b->needAt);
    return forwardPos(b)->isBeforeInBlock(forwardPos(a));
  });
  unsigned couplingsInverted = 0;
  int64_t topBytesBefore = 0;
  for (Value v : fwdResults)
    topBytesBefore += bytesOf(v.getType());
  for (Node *node : order) {
    if (failed(materialize(*node)))
      return failure();
    couplingsInverted += node->op && isCoupling(node->op);
  }
  int64_t addedBytes = -topBytesBefore;
  for (Value v : fwdResults)
    addedBytes += bytesOf(v.getType());

  // The backward reads the reconstructions instead of the tape entries.
  llvm::BitVector erase(backward.getNumArguments());
  SmallVector<Value> replaced; // (the derived values that left the tape)
  for (auto [i, v] : derivedArgs) {
    Value rebuilt = toBackward.lookupOrNull(v);
    BlockArgument entry = bb.getArgument(i);
    if (!entry.use_empty() && !rebuilt)
      return forward.emitError()
             << "rev-reconstruct-activations: internal error: tape entry "
             << i << " was not rebuilt";
    // A reconstruction computed from the entry itself (possible when the
    // glue around a coupling reads one value twice) replaces nothing: the
    // entry stays on the tape.
    if (rebuilt && rev::findSource(
                       rebuilt, [&](Value u) { return u == entry; },
                       [](Operation *) { return true; }))
      continue;
    if (rebuilt) {
      entry.replaceAllUsesWith(rebuilt);
      replaced.push_back(v);
    }
    if (!numerics)
      erase.set(i);
  }
  // numerics: the stored entries stay, to measure the reconstructions.
  if (numerics && failed(addReconstructionErrors(derivedArgs)))
    return failure();
  if (failed(eraseBackwardArguments(erase)))
    return failure();
  if (checkDrift > 0 && couplingsInverted >= checkDrift && !numerics)
    addDriftChecks(replaced);

  // With the tops on the tape, entries that cheap ops and reductions rebuild
  // from them (a final LayerNorm's `x - mean`) leave it.
  DenseSet<Value> rebuilt;
  if (recompute) {
    FailureOr<DenseSet<Value>> recomputed = recomputeFromStored();
    if (failed(recomputed))
      return failure();
    rebuilt = std::move(*recomputed);
  }
  explainStays(rebuilt);

  // The forward no longer returns tape entries nobody reads.
  llvm::DenseSet<unsigned> read;
  for (const Source &s : sources)
    if (s.kind == Source::FwdResult)
      read.insert(s.index);
  SmallVector<Value> results;
  SmallVector<DictionaryAttr> attrs;
  SmallVector<int> old;
  SmallVector<int> newIndex(fwdResults.size(), -1);
  for (auto [k, v] : llvm::enumerate(fwdResults)) {
    bool tapeOnly = static_cast<bool>(tapeNameAt(k));
    bool readElsewhere = fwdResultOld[k] >= 0 && fwdCall &&
                         llvm::any_of(fwdCall.getResult(fwdResultOld[k]).getUsers(),
                                      [&](Operation *u) { return u != bwdCall; });
    if (tapeOnly && !read.contains(k) && !readElsewhere)
      continue;
    newIndex[k] = results.size();
    results.push_back(v);
    attrs.push_back(tapeOnly ? withKeptBecause(fwdResultAttrs[k], v)
                             : fwdResultAttrs[k]);
    old.push_back(fwdResultOld[k]);
  }
  for (Source &s : sources)
    if (s.kind == Source::FwdResult)
      s.index = newIndex[s.index];
  fwdResults = std::move(results);
  fwdResultAttrs = std::move(attrs);
  fwdResultOld = std::move(old);
  OpBuilder rb(fwdReturn);
  func::ReturnOp::create(rb, fwdReturn.getLoc(), fwdResults);
  fwdReturn.erase();
  rev::setResults(forward, ValueRange(fwdResults).getTypes(), fwdResultAttrs);
  rewriteCalls();

  // Share F and G between the inverses and the VJPs.
  IRRewriter rewriter(ctx);
  DominanceInfo dom(backward);
  eliminateCommonSubExpressions(rewriter, dom, backward);
  RewritePatternSet patterns(ctx);
  patterns.add<FoldReconstructedSum>(ctx);
  // (Not converging within the driver's iterations leaves correct IR that
  // shares less: nothing to fail for.)
  (void)applyPatternsGreedily(backward, std::move(patterns));
  DominanceInfo dom2(backward);
  eliminateCommonSubExpressions(rewriter, dom2, backward);

  stats.entries = derivedArgs.size();
  stats.bytes = removedBytes;
  stats.inverses = couplingsInverted;
  if (explain)
    emitRemark(forward.getLoc())
        << "rev-reconstruct-activations: @" << forward.getSymName() << ": "
        << derivedArgs.size() << " tape entries (" << removedBytes
        << " bytes) reconstructed in @" << backward.getSymName() << " by "
        << couplingsInverted << " coupling inverse(s); " << addedBytes
        << " bytes of coupling outputs stored instead";
  return success();
}

} // namespace rev::reconstruct

namespace {

using rev::reconstruct::Reconstructor;

struct RevReconstructActivationsPass
    : public rev::impl::RevReconstructActivationsBase<
          RevReconstructActivationsPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<std::pair<func::FuncOp, func::FuncOp>> pairs;
    for (auto func : module.getOps<func::FuncOp>()) {
      auto ref = func->getAttrOfType<FlatSymbolRefAttr>(rev::kBackwardAttr);
      if (!ref)
        continue;
      auto backward = module.lookupSymbol<func::FuncOp>(ref);
      if (!backward) {
        func.emitError() << "rev.backward names no function: " << ref;
        return signalPassFailure();
      }
      pairs.push_back({func, backward});
    }
    for (auto [forward, backward] : pairs) {
      Reconstructor r(forward, backward, checkpointEvery, explain, numerics,
                      recomputeElementwise, checkDrift);
      if (failed(r.run(module)))
        return signalPassFailure();
      numEntries += r.stats.entries;
      numBytes += r.stats.bytes;
      numInverses += r.stats.inverses;
      numRecomputed += r.stats.recomputed;
    }
  }
};

} // namespace
