//===- FormCouplings.cpp - find reversible blocks in TOSA graphs ----------===//
//
// Matches y2 = x2 + G(y1), y1 = x1 + F(x2) (additive) and
// y2 = x2 * S(x1) + T(x1) (affine, S a sigmoid or an exponential) in a
// function's body, where F, G, S, T are subgraphs whose only inputs besides
// weights and constants are their block input. The subgraphs are found as
// "cones": the ops reached walking up from an output through non-static
// values, stopping at a given input.
//
//===----------------------------------------------------------------------===//

#include "rev/Analysis/Availability.h"
#include "rev/Dialect/Rev/IR/RevOps.h"
#include "rev/Interfaces/InvertibleOpInterface.h"
#include "rev/Transforms/Passes.h"
#include "rev/Utils/TosaBuilder.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

#include <map>

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVFORMCOUPLINGS
#include "rev/Transforms/Passes.h.inc"
} // namespace rev

namespace {

/// The ops of a subgraph and the non-static values it reads from outside.
struct Cone {
  llvm::SetVector<Operation *> ops;
  llvm::SetVector<Value> frontier;
};

class CouplingFinder {
public:
  /// `negated`: the adds x + (-y) that stand for subtractions x - y
  /// (negateSubtractions); those no coupling takes become subtractions again.
  CouplingFinder(func::FuncOp func, bool explain,
                 ArrayRef<std::pair<tosa::AddOp, tosa::NegateOp>> negated)
      : func(func), explain(explain), classes(func.getBody().front()),
        negated(negated) {}

  void run();

  unsigned numAdditive = 0, numAffine = 0, numRejected = 0;

private:
  bool isStatic(Value v);
  Cone cone(ArrayRef<Value> roots, ArrayRef<Value> stops);
  /// Each sets `why` when it rejects the candidate.
  bool tryAdditive(tosa::AddOp add, std::string &why);
  bool tryAffine(tosa::AddOp add, std::string &why);
  /// Non-static values among the ancestors of `roots`, nearest first.
  SmallVector<Value> nearbyAncestors(ArrayRef<Value> roots, unsigned limit);
  void reject(Operation *at, const Twine &why);
  /// Makes the users of the old y1 and of G's values use the coupling's y1.
  void rewireEscapingUses(Operation *coupling, Operation *add2,
                          const Cone &gCone, Value oldY1, Value newY1);
  void describeGlue();

  func::FuncOp func;
  bool explain;
  /// Built before any rewrite; the values this pass creates (couplings,
  /// their clones) are activations.
  rev::ValueClassifier classes;
  ArrayRef<std::pair<tosa::AddOp, tosa::NegateOp>> negated;
  SmallVector<Operation *> couplings;
  /// Adds that became part of a coupling.
  llvm::DenseSet<Operation *> absorbed;
};

/// Weights (arguments marked rev.param), constants and what is computed
/// from them alone: the shared classification.
bool CouplingFinder::isStatic(Value v) {
  return classes.isParameterDerived(v);
}

Cone CouplingFinder::cone(ArrayRef<Value> roots, ArrayRef<Value> stops) {
  Cone c;
  SmallVector<Value> stack(roots.begin(), roots.end());
  llvm::DenseSet<Value> seen;
  while (!stack.empty()) {
    Value v = stack.pop_back_val();
    if (!seen.insert(v).second || isStatic(v))
      continue;
    if (llvm::is_contained(stops, v) || isa<BlockArgument>(v)) {
      c.frontier.insert(v);
      continue;
    }
    Operation *def = v.getDefiningOp();
    if (!isPure(def) || def->getNumRegions() != 0 ||
        def->getBlock() != &func.getBody().front()) {
      c.frontier.insert(v);
      continue;
    }
    if (c.ops.insert(def))
      for (Value o : def->getOperands())
        stack.push_back(o);
  }
  return c;
}

SmallVector<Value> CouplingFinder::nearbyAncestors(ArrayRef<Value> roots,
                                                   unsigned limit) {
  SmallVector<Value> stack(roots.begin(), roots.end()), found;
  llvm::DenseSet<Value> seen;
  while (!stack.empty() && found.size() < limit) {
    Value v = stack.pop_back_val();
    if (!seen.insert(v).second || isStatic(v))
      continue;
    found.push_back(v);
    if (Operation *def = v.getDefiningOp())
      for (Value o : def->getOperands())
        stack.push_back(o);
  }
  // Nearest (latest in the block) first.
  auto position = [](Value v) -> Operation * {
    if (Operation *d = v.getDefiningOp())
      return d;
    return nullptr;
  };
  llvm::stable_sort(found, [&](Value a, Value b) {
    Operation *pa = position(a), *pb = position(b);
    if (!pa || !pb)
      return pa != nullptr;
    return pb->isBeforeInBlock(pa);
  });
  return found;
}

void CouplingFinder::reject(Operation *at, const Twine &why) {
  ++numRejected;
  if (explain)
    emitRemark(at->getLoc()) << "not a coupling: " << why;
}

static bool sameType(Value a, Value b) { return a.getType() == b.getType(); }

/// Clones the cone's ops (in block order) into a new single-block region
/// whose argument stands for `input`, yielding `outputs`.
static void buildRegion(OpBuilder &b, Region &region, Location loc,
                        const Cone &c, Value input, ValueRange outputs) {
  Block *block = new Block();
  region.push_back(block);
  IRMapping mapping;
  mapping.map(input, block->addArgument(input.getType(), loc));
  SmallVector<Operation *> ops(c.ops.begin(), c.ops.end());
  llvm::sort(ops, [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  OpBuilder rb = OpBuilder::atBlockEnd(block);
  for (Operation *op : ops)
    rb.clone(*op, mapping);
  SmallVector<Value> yielded;
  for (Value v : outputs)
    yielded.push_back(mapping.lookupOrDefault(v));
  rev::YieldOp::create(rb, loc, yielded);
}

bool CouplingFinder::tryAdditive(tosa::AddOp add2, std::string &why) {
  Value y2 = add2.getResult();
  why = "no y1 = x1 + F(x2) that G depends on";
  for (int order = 0; order < 2; ++order) {
    Value x2 = add2->getOperand(order), g = add2->getOperand(1 - order);
    if (isStatic(x2) || isStatic(g) || !sameType(x2, y2) || !sameType(g, y2))
      continue;
    // G reading only x2 is a residual connection y = x + F(x), unless it is
    // the second half of a pair made from one value, x1 = x2 = x (Reformer,
    // RevViT): y1 = x + F(x), passed on, and y2 = x + G(y1).
    Cone residual = cone({g}, {x2});
    bool residualLike =
        residual.frontier.size() == 1 && residual.frontier[0] == x2;
    if (residualLike)
      why = "a residual connection y = x + F(x) (F reads the x it is added "
            "to), not a coupling";
    // y1: the nearest x1 + f (two non-static operands) that G hangs from.
    for (Value candidate : nearbyAncestors({g}, 256)) {
      auto add1 = candidate.getDefiningOp<tosa::AddOp>();
      if (!add1 || add1 == add2 || isStatic(add1.getInput1()) ||
          isStatic(add1.getInput2()))
        continue;
      Value y1 = add1.getResult();
      Cone gCone = cone({g}, {y1});
      if (gCone.frontier.size() != 1 || gCone.frontier[0] != y1) {
        if (gCone.frontier.contains(x2))
          why = "G reads x2";
        continue;
      }
      for (int order1 = 0; order1 < 2; ++order1) {
        Value x1 = add1->getOperand(order1), f = add1->getOperand(1 - order1);
        if (!sameType(x1, y1) || !sameType(f, y1))
          continue;
        // Where G reads nothing but x2 (a pair from one value), y1 must be
        // an output of the block (read outside G): else this is a residual
        // connection with an add inside.
        if (residualLike && llvm::all_of(y1.getUsers(), [&](Operation *user) {
              return gCone.ops.contains(user);
            }))
          continue;
        Cone fCone = cone({f}, {x2});
        if (fCone.frontier.size() != 1 || fCone.frontier[0] != x2) {
          if (fCone.frontier.contains(x1))
            why = "F reads x1";
          else if (why != "F reads x1")
            why = "F depends on more than x2";
          continue;
        }
        if (gCone.ops.contains(add1) || fCone.ops.contains(add2))
          continue;
        // Form the coupling right after y2.
        OpBuilder b(add2);
        b.setInsertionPointAfter(add2);
        Location loc = add2.getLoc();
        auto coupling = rev::CouplingOp::create(b, loc, x1.getType(),
                                                x2.getType(), x1, x2);
        buildRegion(b, coupling.getF(), loc, fCone, x2, {f});
        buildRegion(b, coupling.getG(), loc, gCone, y1, {g});
        rewireEscapingUses(coupling, add2, gCone, y1, coupling.getY1());
        y2.replaceAllUsesWith(coupling.getY2());
        couplings.push_back(coupling);
        absorbed.insert(add1);
        absorbed.insert(add2);
        ++numAdditive;
        if (explain)
          emitRemark(coupling.getLoc())
              << "formed an additive coupling: F has " << fCone.ops.size()
              << " ops, G has " << gCone.ops.size() << " ops";
        return true;
      }
    }
  }
  return false;
}

bool CouplingFinder::tryAffine(tosa::AddOp add, std::string &why) {
  Value y2 = add.getResult();
  for (int order = 0; order < 2; ++order) {
    auto mul = add->getOperand(order).getDefiningOp<tosa::MulOp>();
    Value t = add->getOperand(1 - order);
    if (!mul || isStatic(t) || !sameType(t, y2) || !sameType(mul, y2))
      continue;
    for (int order1 = 0; order1 < 2; ++order1) {
      Value x2 = mul->getOperand(order1), s = mul->getOperand(1 - order1);
      if (isStatic(x2) || isStatic(s) || !sameType(x2, y2) || !sameType(s, y2))
        continue;
      Operation *sDef = s.getDefiningOp();
      if (!sDef || !isa<tosa::SigmoidOp, tosa::ExpOp>(sDef)) {
        if (why.empty())
          why = "S is not provably nonzero (not a sigmoid or an exp)";
        continue;
      }
      // x1: the nearest value both S and T hang from that the block also
      // passes through (read outside S and T: y1 = x1). Glow's S and T
      // come from one network h = NN(x1) split in two; h itself hangs
      // alone from x1 and is only read by S and T. Without such a value,
      // the nearest one.
      std::optional<std::pair<Value, Cone>> found;
      for (Value x1 : nearbyAncestors({s, t}, 256)) {
        if (x1 == x2 || x1 == s || x1 == t || x1 == mul.getResult())
          continue;
        Cone st = cone({s, t}, {x1});
        if (st.frontier.size() != 1 || st.frontier[0] != x1)
          continue;
        if (st.ops.contains(mul) || st.ops.contains(add))
          continue;
        bool passedOn = llvm::any_of(x1.getUsers(), [&](Operation *user) {
          return !st.ops.contains(user);
        });
        if (passedOn || !found)
          found.emplace(x1, std::move(st));
        if (passedOn)
          break;
      }
      if (found) {
        auto &[x1, st] = *found;
        OpBuilder b(add);
        b.setInsertionPointAfter(add);
        Location loc = add.getLoc();
        auto coupling = rev::AffineCouplingOp::create(
            b, loc, x1.getType(), x2.getType(), x1, x2);
        buildRegion(b, coupling.getSt(), loc, st, x1, {s, t});
        y2.replaceAllUsesWith(coupling.getY2());
        // y1 = x1: later users see the coupling's result (so that the
        // coupling's outputs are what the next block or concat reads).
        x1.replaceUsesWithIf(coupling.getY1(), [&](OpOperand &use) {
          Operation *user = use.getOwner();
          while (user->getBlock() != coupling->getBlock())
            user = user->getParentOp();
          return user != coupling && coupling->isBeforeInBlock(user);
        });
        couplings.push_back(coupling);
        absorbed.insert(add);
        ++numAffine;
        if (explain)
          emitRemark(coupling.getLoc()) << "formed an affine coupling: S/T has "
                                << st.ops.size() << " ops, S is a "
                                << sDef->getName().stripDialect();
        return true;
      }
      why = "S and T do not depend on a single x1";
    }
  }
  return false;
}

void CouplingFinder::rewireEscapingUses(Operation *coupling, Operation *add2,
                                        const Cone &gCone, Value oldY1,
                                        Value newY1) {
  // Ops before the coupling, outside G, that read y1 or G's values (the
  // running statistics of a BatchNorm in G), and their users: they move
  // after the coupling and read recomputations from the coupling's y1, so
  // that the original y1 = x1 + F(x2) (and F) is not computed twice.
  llvm::DenseSet<Value> gValues;
  gValues.insert(oldY1);
  for (Operation *op : gCone.ops)
    for (Value r : op->getResults())
      gValues.insert(r);
  SmallVector<Operation *> toMove;
  llvm::DenseSet<Operation *> moving;
  for (Operation *op = oldY1.getDefiningOp()->getNextNode(); op != coupling;
       op = op->getNextNode()) {
    if (op == add2 || gCone.ops.contains(op))
      continue;
    bool reads = llvm::any_of(op->getOperands(), [&](Value v) {
      Operation *def = v.getDefiningOp();
      return gValues.contains(v) || (def && moving.contains(def));
    });
    if (reads) {
      toMove.push_back(op);
      moving.insert(op);
    }
  }
  IRMapping mapping;
  mapping.map(oldY1, newY1);
  OpBuilder b(coupling->getContext());
  b.setInsertionPointAfter(coupling);
  std::function<Value(Value)> recompute = [&](Value v) -> Value {
    if (Value m = mapping.lookupOrNull(v))
      return m;
    Operation *def = v.getDefiningOp();
    if (!def || !gCone.ops.contains(def))
      return v;
    for (Value o : def->getOperands())
      recompute(o);
    b.clone(*def, mapping);
    return mapping.lookup(v);
  };
  // Readers of G's values: the moved ops and those after the coupling. The
  // recomputations go right after the coupling, the moved ops after them.
  SmallVector<OpOperand *> uses;
  for (Value v : gValues)
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      while (user->getBlock() != coupling->getBlock())
        user = user->getParentOp();
      if (moving.contains(user) ||
          (user != coupling && coupling->isBeforeInBlock(user)))
        uses.push_back(&use);
    }
  for (OpOperand *use : uses)
    use->set(recompute(use->get()));
  for (Operation *op : toMove)
    op->moveBefore(b.getInsertionBlock(), b.getInsertionPoint());
  // Anything else reading the old y1 comes after the coupling.
  oldY1.replaceUsesWithIf(newY1, [&](OpOperand &use) {
    Operation *user = use.getOwner();
    while (user->getBlock() != coupling->getBlock())
      user = user->getParentOp();
    return user != coupling && coupling->isBeforeInBlock(user);
  });
}

void CouplingFinder::describeGlue() {
  if (!explain || couplings.empty())
    return;
  // Invertible ops on paths from a coupling's outputs to another
  // coupling's inputs.
  llvm::DenseSet<Operation *> forward, backward;
  auto isGlue = [](Operation *op) {
    if (isa<tosa::SliceOp>(op))
      return true;
    auto inv = dyn_cast<rev::InvertibleOpInterface>(op);
    return inv && !isa<rev::CouplingOp, rev::AffineCouplingOp>(op) &&
           !inv.getInvertedOperands().empty();
  };
  SmallVector<Operation *> stack;
  for (Operation *c : couplings)
    for (Operation *user : c->getUsers())
      stack.push_back(user);
  while (!stack.empty()) {
    Operation *op = stack.pop_back_val();
    if (!isGlue(op) || !forward.insert(op).second)
      continue;
    for (Operation *user : op->getUsers())
      stack.push_back(user);
  }
  for (Operation *c : couplings)
    for (Value v : c->getOperands())
      if (Operation *def = v.getDefiningOp())
        stack.push_back(def);
  while (!stack.empty()) {
    Operation *op = stack.pop_back_val();
    if (!isGlue(op) || !backward.insert(op).second)
      continue;
    for (Value v : op->getOperands())
      if (Operation *def = v.getDefiningOp())
        stack.push_back(def);
  }
  // Between couplings: reached both ways; splits: only walking up from
  // inputs; joins: only walking down from outputs.
  std::map<std::string, unsigned> between, splits, joins;
  for (Operation *op : forward)
    ++(backward.contains(op) ? between : joins)[op->getName().getStringRef().str()];
  for (Operation *op : backward)
    if (!forward.contains(op))
      ++splits[op->getName().getStringRef().str()];
  auto list = [](const std::map<std::string, unsigned> &counts) {
    std::string text;
    for (auto &[name, n] : counts)
      text += (text.empty() ? "" : ", ") + std::to_string(n) + " " + name;
    return text.empty() ? std::string("none") : text;
  };
  emitRemark(func.getLoc()) << "rev-form-couplings: invertible glue: before the "
                       "couplings (splits, reshapes): "
                    << list(splits) << "; between couplings: " << list(between)
                    << "; after them (joins): " << list(joins);
}

void CouplingFinder::run() {
  // Adds, in block order (a formed coupling's results feed later matches).
  SmallVector<tosa::AddOp> adds;
  func.walk([&](tosa::AddOp add) {
    if (add->getBlock() == &func.getBody().front())
      adds.push_back(add);
  });
  SmallVector<std::pair<tosa::AddOp, std::string>> rejected;
  for (tosa::AddOp add : adds) {
    if (absorbed.contains(add))
      continue;
    // Candidates add two computed values (x + c is a bias).
    if (isStatic(add.getInput1()) || isStatic(add.getInput2()))
      continue;
    std::string additiveWhy, affineWhy;
    if (tryAdditive(add, additiveWhy) || tryAffine(add, affineWhy))
      continue;
    // Report the affine reason for x * s + t shapes, the additive one else.
    rejected.push_back({add, affineWhy.empty() ? additiveWhy : affineWhy});
  }
  // An add rejected as the second half of a coupling can still be the first
  // half (y1 = x1 + F(x2)) of a later one.
  for (auto &[add, why] : rejected)
    if (!absorbed.contains(add))
      reject(add, why);
  for (auto [add, neg] : negated) {
    if (absorbed.contains(add))
      continue;
    OpBuilder b(add);
    auto sub = tosa::SubOp::create(b, add.getLoc(), add.getType(),
                                   add.getInput1(), neg.getInput1());
    add.replaceAllUsesWith(sub.getResult());
    add.erase();
  }
  // The replaced subgraphs are dead now (all ops are pure).
  SmallVector<Operation *> ops;
  for (Operation &op : func.getBody().front())
    ops.push_back(&op);
  for (Operation *op : llvm::reverse(ops))
    if (op->use_empty() && isPure(op) &&
        !op->hasTrait<OpTrait::IsTerminator>())
      op->erase();
  describeGlue();
}

/// Subtractive couplings (y1 = x1 - F(x2), y2 = x2 - G(y1)): each
/// subtraction of two computed values of one type becomes x + (-y), exact
/// in floating point, so that the coupling's F yields -F(x2). Returns the
/// new adds and negations.
static SmallVector<std::pair<tosa::AddOp, tosa::NegateOp>>
negateSubtractions(func::FuncOp func) {
  Block &body = func.getBody().front();
  rev::ValueClassifier classes(body);
  SmallVector<tosa::SubOp> subs;
  for (auto sub : body.getOps<tosa::SubOp>()) {
    Type t = sub.getType();
    if (isa<FloatType>(getElementTypeOrSelf(t)) &&
        sub.getInput1().getType() == t && sub.getInput2().getType() == t &&
        !classes.isParameterDerived(sub.getInput1()) &&
        !classes.isParameterDerived(sub.getInput2()))
      subs.push_back(sub);
  }
  SmallVector<std::pair<tosa::AddOp, tosa::NegateOp>> negated;
  for (tosa::SubOp sub : subs) {
    OpBuilder b(sub);
    rev::TosaBuilder tb(b, sub.getLoc());
    auto neg = cast<tosa::NegateOp>(tb.neg(sub.getInput2()).getDefiningOp());
    auto add = tosa::AddOp::create(b, sub.getLoc(), sub.getType(),
                                   sub.getInput1(), neg.getResult());
    sub.replaceAllUsesWith(add.getResult());
    sub.erase();
    negated.push_back({add, neg});
  }
  return negated;
}

struct RevFormCouplingsPass
    : public rev::impl::RevFormCouplingsBase<RevFormCouplingsPass> {
  using Base::Base;
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal() || !func.getBody().hasOneBlock())
      return;
    SmallVector<std::pair<tosa::AddOp, tosa::NegateOp>> negated =
        negateSubtractions(func);
    CouplingFinder finder(func, explain, negated);
    finder.run();
    numAdditive += finder.numAdditive;
    numAffine += finder.numAffine;
    numRejected += finder.numRejected;
    if (explain)
      emitRemark(func.getLoc()) << "rev-form-couplings: formed "
                        << finder.numAdditive << " additive and "
                        << finder.numAffine << " affine coupling(s); "
                        << finder.numRejected << " candidate(s) rejected";
  }
};

} // namespace
