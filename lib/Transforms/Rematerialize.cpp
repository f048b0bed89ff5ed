//===- Rematerialize.cpp - shorten the live ranges of cheap values --------===//
//
// Lowers the peak of live tensor bytes of a function by recomputation: a
// value of a cheap elementwise op alive across the peak and read again
// after it is recomputed before its first use after the peak, from values
// alive there anyway. In a training step this is the rule: a coupling's F,
// recomputed in the backward, produces its internals (a BatchNorm's affine
// result, the ReLU after it) in forward order and F's VJP reads them in
// reverse order, the first ones last. See the pass's description.
//
//===----------------------------------------------------------------------===//

#include "rev/Analysis/Availability.h"
#include "rev/Transforms/Passes.h"
#include "rev/Utils/TypeUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

namespace rev {
#define GEN_PASS_DEF_REVREMATERIALIZE
#include "rev/Transforms/Passes.h.inc"
} // namespace rev

using namespace mlir;

namespace {

/// A linalg.generic on tensors computing one elementwise result (parallel
/// loops, projected-permutation maps, the init not read) with a few ops.
bool isCheapGeneric(Operation *op) {
  auto generic = dyn_cast<linalg::GenericOp>(op);
  if (!generic || !generic.hasPureTensorSemantics() ||
      generic.getNumResults() != 1 ||
      generic.getNumLoops() != generic.getNumParallelLoops() ||
      generic.getDpsInputs().size() > 3 ||
      generic.payloadUsesValueFromOperand(generic.getDpsInitOperand(0)) ||
      generic.getBody()->getOperations().size() > 16)
    return false;
  return llvm::all_of(generic.getIndexingMapsArray(), [](AffineMap map) {
    return map.isProjectedPermutation(/*allowZeroInResults=*/true);
  });
}

/// The loop nest rev-cpu-codegen made of an elementwise op.
bool isElementwiseLoop(Operation *op) {
  auto forall = dyn_cast<scf::ForallOp>(op);
  return forall && forall->hasAttr(rev::kElementwiseAttrName) &&
         forall.getNumResults() == 1;
}

bool isCheap(Operation *op) {
  return rev::isCheapElementwise(op) || isCheapGeneric(op) ||
         isElementwiseLoop(op);
}

/// What `op` reads: its operands and the values its regions capture.
SmallVector<Value> inputsOf(Operation *op) {
  SmallVector<Value> inputs(op->getOperands());
  if (op->getNumRegions() != 0) {
    llvm::SetVector<Value> captured;
    getUsedValuesDefinedAbove(op->getRegions(), captured);
    inputs.append(captured.begin(), captured.end());
  }
  return inputs;
}

/// Values whose result shares its operand's buffer.
bool isView(Operation *op) {
  return isa<tensor::ExtractSliceOp, tensor::ExpandShapeOp,
             tensor::CollapseShapeOp, tosa::ReshapeOp, tosa::SliceOp>(op);
}

int64_t bytesOf(Value v) {
  return rev::staticByteSize(v.getType()).value_or(0);
}

class Rematerializer {
public:
  Rematerializer(Block &block, unsigned maxOps)
      : block(block), maxOps(maxOps) {}

  /// Returns the number of values rematerialized.
  unsigned run();

private:
  void number() {
    position.clear();
    unsigned i = 0;
    for (Operation &op : block)
      position[&op] = i++;
  }
  /// The position of the op of `block` that holds `use`.
  unsigned positionOf(OpOperand &use) {
    Operation *top = block.findAncestorOpInBlock(*use.getOwner());
    return top ? position.lookup(top) : ~0u;
  }
  /// True if `w` is alive at position `at` without help: read there or
  /// later (other than by `except`), an argument, a constant, or small
  /// against `big` bytes.
  bool aliveAt(Value w, unsigned at, Operation *except, int64_t big);
  /// Ops to clone for `v` at `at`, or false if more than `budget`.
  bool plan(Value v, unsigned at, Operation *except, int64_t big,
            unsigned &budget, SmallVectorImpl<Operation *> &chain);

  /// Live tensor bytes at each position of the block (views count as
  /// their source, constants and tensor.empty as nothing), its peak and
  /// where it is first reached, and the source of every view.
  struct Profile {
    SmallVector<int64_t> live;
    int64_t peak = 0;
    unsigned at = 0, count = 0; // (count: positions at the peak)
    DenseMap<Value, Value> root;
  };
  Profile profile();
  /// Recomputes `def`'s value (a cheap op before the peak) before its
  /// first use after the peak of `before`, if that lowers the peak or the
  /// number of places that reach it; else leaves the block as it was.
  bool tryAt(const Profile &before, Operation *def);

  static constexpr unsigned kMaxRounds = 1000;
  Block &block;
  unsigned maxOps;
  DenseMap<Operation *, unsigned> position;
};

bool Rematerializer::aliveAt(Value w, unsigned at, Operation *except,
                             int64_t big) {
  if (isa<BlockArgument>(w))
    return true;
  Operation *def = w.getDefiningOp();
  if (def->hasTrait<OpTrait::ConstantLike>() || bytesOf(w) * 8 <= big)
    return true;
  // (read there or later, directly or through a view)
  SmallVector<Value> aliases{w};
  while (!aliases.empty()) {
    Value a = aliases.pop_back_val();
    for (OpOperand &use : a.getUses()) {
      if (use.getOwner() == except)
        continue;
      unsigned p = positionOf(use);
      if (p != ~0u && p >= at)
        return true;
      if (isView(use.getOwner()) && use.getOperandNumber() == 0)
        aliases.push_back(use.getOwner()->getResult(0));
    }
  }
  return false;
}

bool Rematerializer::plan(Value v, unsigned at, Operation *except, int64_t big,
                          unsigned &budget,
                          SmallVectorImpl<Operation *> &chain) {
  Operation *def = v.getDefiningOp();
  if (!def || def->getBlock() != &block)
    return false;
  // Views (of arguments, or of values alive there) are free to repeat.
  if (isView(def)) {
    Value source = def->getOperand(0);
    if (!aliveAt(source, at, def, big) &&
        !plan(source, at, def, big, budget, chain))
      return false;
    if (!llvm::is_contained(chain, def))
      chain.push_back(def);
    return true;
  }
  if (!isCheap(def) || budget == 0)
    return false;
  --budget;
  for (Value operand : inputsOf(def)) {
    // (a generic's init: a fresh tensor.empty for the copy)
    if (Operation *empty = operand.getDefiningOp<tensor::EmptyOp>()) {
      if (!llvm::is_contained(chain, empty))
        chain.push_back(empty);
      continue;
    }
    if (!aliveAt(operand, at, def, big) &&
        !plan(operand, at, def, big, budget, chain)) {
      return false;
    }
  }
  if (!llvm::is_contained(chain, def))
    chain.push_back(def);
  return true;
}

Rematerializer::Profile Rematerializer::profile() {
  number();
  Profile p;
  p.live.assign(position.size() + 1, 0);
  DenseMap<Value, Value> root;
  DenseMap<Value, unsigned> begin, end;
  auto rootOf = [&](Value v) { return root.lookup(v) ? root.lookup(v) : v; };
  for (BlockArgument arg : block.getArguments())
    if (bytesOf(arg))
      begin[arg] = 0;
  for (Operation &op : block) {
    unsigned at = position.lookup(&op);
    for (Value input : inputsOf(&op))
      if (begin.count(rootOf(input)))
        end[rootOf(input)] = std::max(end.lookup(rootOf(input)), at);
    if (isView(&op)) {
      root[op.getResult(0)] = rootOf(op.getOperand(0));
      continue;
    }
    if (op.hasTrait<OpTrait::ConstantLike>() || isa<tensor::EmptyOp>(op))
      continue;
    for (Value result : op.getResults())
      if (bytesOf(result))
        begin[result] = at;
  }
  SmallVector<int64_t> delta(position.size() + 2, 0);
  for (auto [v, from] : begin) {
    unsigned to = std::max(from, end.lookup(v));
    delta[from] += bytesOf(v);
    delta[to + 1] -= bytesOf(v);
  }
  int64_t live = 0;
  for (size_t i = 0; i < p.live.size(); ++i) {
    live += delta[i];
    p.live[i] = live;
    if (live > p.peak) {
      p.peak = live;
      p.at = i;
      p.count = 0;
    }
    p.count += live == p.peak;
  }
  p.root = std::move(root);
  return p;
}

bool Rematerializer::tryAt(const Profile &before, Operation *def) {
  unsigned peakAt = before.at;
  Value v = def->getResult(0);
  int64_t bytes = bytesOf(v);
  // The uses after the peak move to a copy made before the first of them;
  // none may be at the peak, nor go through a view made before it.
  SmallVector<OpOperand *> moved;
  unsigned at = ~0u;
  for (OpOperand &use : v.getUses()) {
    unsigned p = positionOf(use);
    if (p == peakAt)
      return false;
    if (p > peakAt) {
      moved.push_back(&use);
      at = std::min(at, p);
    }
  }
  if (moved.empty())
    return false;
  for (auto [alias, source] : before.root)
    if (source == v && alias.getDefiningOp() &&
        position.lookup(alias.getDefiningOp()) < peakAt)
      for (OpOperand &use : alias.getUses())
        if (positionOf(use) >= peakAt)
          return false;
  SmallVector<Operation *> chain;
  unsigned budget = maxOps;
  if (!plan(v, at, /*except=*/nullptr, bytes, budget, chain))
    return false;
  Operation *insertBefore = nullptr;
  for (OpOperand *use : moved) {
    Operation *top = block.findAncestorOpInBlock(*use->getOwner());
    if (!insertBefore || top->isBeforeInBlock(insertBefore))
      insertBefore = top;
  }
  OpBuilder b(insertBefore);
  IRMapping mapping;
  SmallVector<Operation *> clones;
  for (Operation *op : chain)
    clones.push_back(b.clone(*op, mapping));
  Value copy = mapping.lookup(v);
  for (OpOperand *use : moved)
    use->set(copy);
  // Keep it if the peak went down, or stayed but is reached at fewer
  // places (identical blocks have identical peaks).
  Profile after = profile();
  if (after.peak < before.peak ||
      (after.peak == before.peak && after.count < before.count))
    return true;
  for (OpOperand *use : moved)
    use->set(v);
  for (Operation *clone : llvm::reverse(clones))
    clone->erase();
  number();
  return false;
}

unsigned Rematerializer::run() {
  unsigned count = 0;
  for (unsigned round = 0; round < kMaxRounds; ++round) {
    Profile now = profile();
    if (now.peak == 0)
      break;
    // The largest cheap values defined before the peak first (values under
    // 4 KiB are left alone).
    SmallVector<Operation *> candidates;
    for (Operation &op : block)
      if (isCheap(&op) && position.lookup(&op) < now.at &&
          bytesOf(op.getResult(0)) >= 4096)
        candidates.push_back(&op);
    llvm::stable_sort(candidates, [](Operation *a, Operation *b) {
      return bytesOf(a->getResult(0)) > bytesOf(b->getResult(0));
    });
    bool progress = false;
    for (Operation *def : candidates)
      if (tryAt(now, def)) {
        progress = true;
        ++count;
        break;
      }
    if (!progress)
      break;
  }
  return count;
}

} // namespace

unsigned rev::rematerialize(Block &body, unsigned maxOps) {
  return Rematerializer(body, maxOps).run();
}

namespace {

struct RevRematerializePass
    : public rev::impl::RevRematerializeBase<RevRematerializePass> {
  using Base::Base;
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    numRematerialized += rev::rematerialize(func.getBody().front(), maxOps);
  }
};

} // namespace
