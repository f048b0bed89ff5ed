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
