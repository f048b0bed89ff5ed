//===- ReconstructExplain.cpp - reconstruction errors and explanations ----===//
//
// Part of rev-reconstruct-activations (Reconstructor.h).
//
//===----------------------------------------------------------------------===//

#include "Reconstructor.h"
#include "rev/Dialect/Rev/IR/RevContract.h"

namespace rev::reconstruct {

/// The model block of a coupling ("/stage1/stage1.0" for an op named
/// "/stage1/stage1.0/Add_2 (Add)"), or "coupling<index>".
static std::string blockName(Operation *op, unsigned index) {
  if (auto name = dyn_cast<NameLoc>(op->getLoc())) {
    StringRef s = name.getName().getValue().split(" (").first;
    if (s.contains('/'))
      return s.rsplit('/').first.str();
    return s.str();
  }
  return "coupling" + std::to_string(index);
}

LogicalResult Reconstructor::addReconstructionErrors(
    ArrayRef<std::pair<unsigned, Value>> derivedArgs) {
  Block &bb = backward.getBody().front();
  // Per coupling whose inputs were rebuilt: max over its inputs of
  // max |stored - reconstructed|, a 0-d tensor.
  llvm::MapVector<Operation *, Value> perCoupling;
  for (auto [i, v] : derivedArgs) {
    Value rebuilt = toBackward.lookupOrNull(v);
    Node *node = producer.lookup(v);
    if (!rebuilt || !node)
      continue;
    Operation *def = rebuilt.getDefiningOp();
    OpBuilder b(ctx);
    if (def)
      b.setInsertionPointAfter(def);
    else
      b.setInsertionPointToStart(&bb);
    // (a partition's error goes with the coupling that rebuilt its slices)
    Operation *by = node->op ? node->op : node->partition->slices.front();
    if (!node->op)
      if (Node *first = producer.lookup(by->getResult(0)); first && first->op)
        by = first->op;
    rev::TosaBuilder tb(b, by->getLoc());
    Value diff = tb.abs(tb.sub(bb.getArgument(i), rebuilt));
    auto type = cast<RankedTensorType>(diff.getType());
    Value m = tb.reduceMax(diff, llvm::to_vector(
                                     llvm::seq<int64_t>(0, type.getRank())));
    m = tb.reshape(m, {});
    Value &acc = perCoupling[by];
    if (acc) {
      // (combined at the end, where both are defined)
      OpBuilder eb(bb.getTerminator());
      acc = rev::TosaBuilder(eb, by->getLoc()).maximum(acc, m);
    } else {
      acc = m;
    }
  }
  auto ret = cast<func::ReturnOp>(bb.getTerminator());
  SmallVector<Value> results(ret.getOperands());
  SmallVector<DictionaryAttr> attrs;
  for (unsigned k = 0; k < backward.getNumResults(); ++k)
    attrs.push_back(backward.getResultAttrDict(k));
  unsigned index = 0;
  llvm::StringSet<> used;
  for (auto &[op, err] : perCoupling) {
    std::string name =
        (rev::kReconstructionErrorPrefix + blockName(op, index++)).str();
    while (!used.insert(name).second)
      name += "'";
    results.push_back(err);
    attrs.push_back(named(ctx, name));
  }
  OpBuilder rb(ret);
  func::ReturnOp::create(rb, ret.getLoc(), results);
  ret.erase();
  rev::setResults(backward, ValueRange(results).getTypes(), attrs);
  return success();
}

/// The fingerprint of `v` that check-drift stores: [sum(v * r), sum(v * v)]
/// (a tensor<2xT>), r a fixed pattern of +1 and -1 over v's last two dims,
/// repeated over the others. A change d of `v` moves the first by about
/// |d|_2 wherever it lies (r makes the changes of different entries
/// unlikely to cancel), against |v|_2, the square root of the second.
static Value fingerprint(rev::TosaBuilder &tb, Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> shape(rank, 1);
  for (int64_t d = std::max<int64_t>(0, rank - 2); d < rank; ++d)
    shape[d] = type.getDimSize(d);
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  SmallVector<Attribute> values;
  uint64_t state = 0x9E3779B97F4A7C15ull; // (a fixed LCG: same every build)
  for (int64_t k = 0; k < count; ++k) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    values.push_back(
        FloatAttr::get(type.getElementType(), (state >> 63) ? 1.0 : -1.0));
  }
  auto patternType = RankedTensorType::get(shape, type.getElementType());
  Value r = tb.constant(DenseElementsAttr::get(patternType, values));
  auto all = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  Value projection = tb.reshape(tb.reduceSum(tb.mul(v, r), all), {1});
  Value energy = tb.reshape(tb.reduceSum(tb.mul(v, v), all), {1});
  return tb.concat({projection, energy}, 0);
}

void Reconstructor::addDriftChecks(ArrayRef<Value> replaced) {
  constexpr int64_t kMaxDriftPpm = 1000;
  Block &bb = backward.getBody().front();
  unsigned index = 0;
  for (Value v : replaced) {
    Value rebuilt = toBackward.lookupOrNull(v);
    Node *node = producer.lookup(v);
    auto type = dyn_cast<RankedTensorType>(v.getType());
    // (the inputs of the inverted couplings at the bottom of their runs,
    // where the drift has accumulated: not an input that another inverted
    // coupling computes)
    if (!rebuilt || !node || !node->op || !isCoupling(node->op) || !type ||
        !type.hasStaticShape() || !isa<FloatType>(type.getElementType()) ||
        type.getRank() == 0 || isa<BlockArgument>(v))
      continue;
    if (Operation *def = v.getDefiningOp();
        def && isCoupling(def) && nodeOfOp.count(def))
      continue;
    // The forward stores the fingerprint: a new tape entry of two numbers.
    OpBuilder fb(ctx);
    fb.setInsertionPointAfterValue(v);
    rev::TosaBuilder ftb(fb, v.getLoc());
    Value print = fingerprint(ftb, v);
    driftSamples.insert(print);
    unsigned k = addTapeResult(print);
    Value stored = addBackwardArg(print.getType(), fwdResultAttrs[k],
                                  {Source::FwdResult, k, {}});
    // The backward compares the rebuilt value's fingerprint with it:
    // |projection' - projection| / |v|_2, in millionths.
    // (before the last reader of the rebuilt value, not after it is built:
    // rev-lower-cpu's rematerialization may move cheap rebuilds after the
    // backward's peak, toward their readers)
    OpBuilder b(ctx);
    Operation *last = nullptr;
    for (Operation *user : rebuilt.getUsers())
      if (Operation *top = bb.findAncestorOpInBlock(*user);
          top && (!last || last->isBeforeInBlock(top)))
        last = top;
    if (last)
      b.setInsertionPoint(last);
    else if (isa<BlockArgument>(rebuilt))
      b.setInsertionPointToStart(&bb);
    else
      b.setInsertionPointAfterValue(rebuilt);
    Location loc = node->op->getLoc();
    rev::TosaBuilder tb(b, loc);
    Value again = fingerprint(tb, rebuilt);
    Value moved =
        tb.abs(tb.sub(tb.slice(again, {0}, {1}), tb.slice(stored, {0}, {1})));
    Value norm = tb.sqrt(
        tb.maximum(tb.slice(stored, {1}, {1}), tb.scalarLike(moved, 1e-30)));
    Value ppm =
        tb.mul(tb.mul(moved, tb.reciprocal(norm)), tb.scalarLike(moved, 1e6));
    // (NaN and huge drifts are reported as 1e9)
    Value huge = tb.scalarLike(ppm, 1e9);
    ppm = tb.select(tb.equal(ppm, ppm), tb.minimum(ppm, huge), huge);
    Value q = tb.cast(ppm, b.getI64Type());
    std::string what =
        "the drift of the inputs of " + blockName(node->op, index++) +
        " rebuilt by inversion, in millionths of their norm (a larger one "
        "means that inverting the network amplifies rounding: train it "
        "with mode=checkpoint, or see where with numerics=true)";
    rev::CheckRangeOp::create(b, loc, q, 0, kMaxDriftPpm, what);
  }
}

std::string Reconstructor::whyStored(Value v) {
  Block &body = forward.getBody().front();
  Operation *def = v.getDefiningOp();
  if (def && isCoupling(def))
    return "the output of the last coupling of a reversible run (its top: "
           "the blocks below are rebuilt from it)";
  SmallVector<std::string> reasons;
  auto add = [&](std::string r) {
    if (!llvm::is_contained(reasons, r))
      reasons.push_back(std::move(r));
  };
  for (OpOperand &use : v.getUses()) {
    Operation *user = use.getOwner();
    if (isa<func::ReturnOp>(user))
      continue;
    while (user->getBlock() != &body)
      user = user->getParentOp();
    std::string name = user->getName().getStringRef().str();
    auto inv = dyn_cast<rev::InvertibleOpInterface>(user);
    if (keepInputs.contains(user)) {
      add("its reader " + name + " keeps its inputs (checkpoint-every)");
    } else if (!inv || inv.getInvertedOperands().empty()) {
      add("read by " + name + ", which is not invertible" +
          (rev::isSquareChannelMatrix(user)
               ? std::string(" (a square 1x1 convolution by a learned "
                             "matrix: invert-matrices=true inverts it)")
               : std::string()));
    } else if (!llvm::is_contained(inv.getInvertedOperands(),
                                   use.getOperandNumber())) {
      add("a context operand of " + name + " (not rebuilt by its inverse)");
    } else if (const char *blocker = inverseBlocker(user)) {
      add("read by " + name + ", whose inverse needs " + blocker +
          ", neither stored nor rebuilt");
    }
  }
  if (reasons.empty())
    return "no op reads it in the forward (a result kept as it is)";
  std::string out;
  for (auto [i, r] : llvm::enumerate(reasons)) {
    if (i == 3) {
      out += "; ...";
      break;
    }
    out += (i ? "; " : "") + r;
  }
  return out;
}

} // namespace rev::reconstruct
