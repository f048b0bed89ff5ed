//===- RecomputeTape.cpp - recompute cheap tape entries in the backward ---===//
//
// A VJP rule asks for the forward values it needs, and each becomes a tape
// entry unless it can be recomputed from nothing stored. Many entries are
// one elementwise op away from another entry: a BatchNorm stores x - mean,
// (x - mean) * rstd, the affine result and the ReLU after it, where PyTorch
// keeps the input and the ReLU output, and all of them follow from
// x - mean and rstd. This step keeps one and recomputes the rest in the
// backward, right before their first use, from
//  - tape entries that stay,
//  - the forward's arguments (passed to the backward),
//  - constants, parameter-derived values and views (rev::ValueClassifier),
//  - more cheap elementwise results of these,
// within kMaxOps ops per entry. With `segments` (DifferentiateOptions::
// recomputeSegments), entries of kMinSegmentBytes or more may also be rebuilt
// through convolutions, matmuls, pooling and reductions, within
// kMaxSegmentOps (each op counted once, however many paths reach it): a
// stem's or a strided transition's BatchNorm input is recomputed from the
// segment's input, an ordinary residual block's activations from the
// block's input, each op of the block once (the segment's rebuilds share
// what they compute). Entries are decided in forward order,
// so an entry recomputed from an earlier one never needs a later decision; the
// tape only shrinks (nothing is added to it). The recomputed values are the
// same ops on the same inputs: the gradients do not change.
//
//===----------------------------------------------------------------------===//

#include "rev/Autodiff/RecomputeTape.h"
#include "rev/Utils/TypeUtils.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/DenseSet.h"

using namespace mlir;

namespace rev {

namespace {
class TapeRecomputer {
public:
  TapeRecomputer(Block &forward, Block &backward, ValueClassifier &classes,
                 SmallVectorImpl<Value> &tapeValues,
                 SmallVectorImpl<BlockArgument> &tapeArgs,
                 function_ref<Value(BlockArgument)> forwardArgument,
                 const RecomputeTapeOptions &options)
      : forward(forward), backward(backward), classes(classes),
        tapeValues(tapeValues), tapeArgs(tapeArgs),
        forwardArgument(forwardArgument), options(options) {}

  unsigned run();

private:
  /// Ops to clone to rebuild `v` in the backward (0 for what the backward
  /// has, or what `counted` holds already), or nullopt if it cannot be
  /// rebuilt within `budget` ops.
  std::optional<unsigned> cost(Value v, unsigned budget);
  /// Ops to clone to rebuild `def`'s results: `def` and what its operands
  /// cost, or nullopt if more than `budget`. Each op counts once however
  /// many paths reach it (a BatchNorm reads its input twice, for the mean
  /// and for x - mean), as it is cloned once.
  std::optional<unsigned> opCost(Operation *def, unsigned budget);
  /// Rebuilds `v` at the builder's insertion point.
  Value rebuild(Value v, OpBuilder &b, IRMapping &built);
  /// Clones `def` at the builder's insertion point, its operands rebuilt.
  Operation *rebuildOp(Operation *def, OpBuilder &b, IRMapping &built);
  bool isKept(Value v) const {
    return entryArg.count(v) && !recomputed.contains(v);
  }

  /// Whether `op` may be recomputed: cheap elementwise ops, and for an
  /// entry rebuilt through a segment the single-result ops a non-invertible
  /// segment is made of.
  bool isRebuildable(Operation *op, bool throughSegment) const {
    if (isCheapElementwise(op))
      return true;
    if (options.reductions &&
        isa<tosa::ReduceSumOp, tosa::ReduceMaxOp, tosa::ConcatOp>(op))
      return true;
    return throughSegment && op->getNumResults() == 1 &&
           op->getNumRegions() == 0 &&
           isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp,
               tosa::AvgPool2dOp, tosa::MaxPool2dOp, tosa::ReduceSumOp,
               tosa::ReduceMaxOp, tosa::TransposeOp>(op);
  }

  /// Whether entry `v` may be rebuilt through a segment: with `segments`,
  /// from kMinSegmentBytes on, and not a result of the forward (alive
  /// anyway: rebuilding it would cost the recomputation for nothing).
  bool worthASegment(Value v) const {
    return options.segments &&
           staticByteSize(v.getType()).value_or(0) >= kMinSegmentBytes &&
           !llvm::is_contained(v.getUsers(), forward.getTerminator());
  }

  static constexpr unsigned kMaxOps = 8;
  static constexpr unsigned kMaxSegmentOps = 32;
  /// Without a segment, through reductions (rev-reconstruct-activations):
  /// such a rebuild is not shared, and its buffers are alive at its first
  /// use in the backward, which a longer chain would push up.
  static constexpr unsigned kMaxReductionOps = 16;
  static constexpr int64_t kMinSegmentBytes = 4 * 1024;
  Block &forward, &backward;
  ValueClassifier &classes;
  SmallVectorImpl<Value> &tapeValues;
  SmallVectorImpl<BlockArgument> &tapeArgs;
  function_ref<Value(BlockArgument)> forwardArgument;
  RecomputeTapeOptions options;
  /// Whether the entry being decided may be rebuilt through a segment.
  bool throughSegment = false;
  /// The ops the entry being decided has counted.
  DenseSet<Operation *> counted;
  DenseMap<Value, BlockArgument> entryArg;
  DenseSet<Value> recomputed;
};
} // namespace

std::optional<unsigned> TapeRecomputer::cost(Value v, unsigned budget) {
  if (isKept(v) || isa<BlockArgument>(v))
    return 0;
  Operation *def = v.getDefiningOp();
  if (def->getBlock() != &forward)
    return std::nullopt;
  if (def->hasTrait<OpTrait::ConstantLike>() || counted.contains(def))
    return 0;
  if (!isRebuildable(def, throughSegment) && !classes.isRecomputable(v))
    return std::nullopt;
  return opCost(def, budget);
}

std::optional<unsigned> TapeRecomputer::opCost(Operation *def,
                                               unsigned budget) {
  if (budget == 0)
    return std::nullopt;
  counted.insert(def);
  unsigned total = 1;
  for (Value operand : def->getOperands()) {
    std::optional<unsigned> c = cost(operand, budget - total);
    if (!c || total + *c > budget)
      return std::nullopt;
    total += *c;
  }
  return total;
}

Value TapeRecomputer::rebuild(Value v, OpBuilder &b, IRMapping &built) {
  if (Value done = built.lookupOrNull(v))
    return done;
  Value result;
  if (isKept(v)) {
    result = entryArg.lookup(v);
  } else if (auto arg = dyn_cast<BlockArgument>(v)) {
    result = forwardArgument(arg);
  } else {
    result = rebuildOp(v.getDefiningOp(), b, built)
                 ->getResult(cast<OpResult>(v).getResultNumber());
  }
  built.map(v, result);
  return result;
}

Operation *TapeRecomputer::rebuildOp(Operation *def, OpBuilder &b,
                                     IRMapping &built) {
  for (Value operand : def->getOperands())
    built.map(operand, rebuild(operand, b, built));
  return b.clone(*def, built);
}

unsigned TapeRecomputer::run() {
  for (auto [v, arg] : llvm::zip_equal(tapeValues, tapeArgs))
    entryArg[v] = arg;
  // Decide in forward order.
  SmallVector<Value> order;
  for (Value v : tapeValues) {
    Operation *def = v.getDefiningOp();
    if (def && def->getBlock() == &forward &&
        isRebuildable(def, worthASegment(v)))
      order.push_back(v);
  }
  llvm::sort(order, [](Value a, Value b) {
    return a.getDefiningOp()->isBeforeInBlock(b.getDefiningOp());
  });
  // (the entry's own op, not the entry it is: an entry costs nothing to
  // its readers while it stays)
  for (Value v : order) {
    throughSegment = worthASegment(v);
    counted.clear();
    unsigned budget = throughSegment       ? kMaxSegmentOps
                      : options.reductions ? kMaxReductionOps
                                           : kMaxOps;
    if (opCost(v.getDefiningOp(), budget))
      recomputed.insert(v);
  }
  if (recomputed.empty())
    return 0;

  // Rebuild each right before the first backward op that reads it, in the
  // backward's order. What a segment's rebuild computes is shared with the
  // later rebuilds that need it (a residual block's second BatchNorm input
  // is rebuilt through its first one, which the backward reads later): a
  // value built earlier in the backward's block dominates every later
  // insertion point. Cheap elementwise rebuilds stay local to their entry,
  // so that sharing never stretches a value across the backward's peak.
  SmallVector<std::pair<Operation *, Value>> firstUses;
  for (Value v : tapeValues) {
    if (!recomputed.contains(v))
      continue;
    Operation *first = nullptr;
    for (Operation *user : entryArg.lookup(v).getUsers()) {
      Operation *top = backward.findAncestorOpInBlock(*user);
      if (top && (!first || top->isBeforeInBlock(first)))
        first = top;
    }
    if (first)
      firstUses.push_back({first, v});
  }
  llvm::stable_sort(firstUses, [](const auto &a, const auto &b) {
    return a.first != b.first && a.first->isBeforeInBlock(b.first);
  });
  IRMapping shared;
  for (auto [first, v] : firstUses) {
    OpBuilder b(first);
    IRMapping local;
    IRMapping &built = worthASegment(v) ? shared : local;
    entryArg.lookup(v).replaceAllUsesWith(
        rebuildOp(v.getDefiningOp(), b, built)->getResult(0));
  }
  // Drop the entries (their backward arguments are unused now).
  return dropTapeEntries(
      backward, tapeValues, tapeArgs,
      [&](Value v, BlockArgument) { return recomputed.contains(v); },
      options.eraseArguments);
}

unsigned dropTapeEntries(Block &backward, SmallVectorImpl<Value> &tapeValues,
                         SmallVectorImpl<BlockArgument> &tapeArgs,
                         function_ref<bool(Value, BlockArgument)> drop,
                         bool eraseArguments) {
  SmallVector<Value> keptValues;
  SmallVector<BlockArgument> keptArgs;
  unsigned dropped = 0;
  for (auto [v, arg] : llvm::zip_equal(tapeValues, tapeArgs)) {
    if (drop(v, arg)) {
      if (eraseArguments)
        backward.eraseArgument(arg.getArgNumber());
      ++dropped;
      continue;
    }
    keptValues.push_back(v);
    keptArgs.push_back(arg);
  }
  tapeValues.assign(keptValues.begin(), keptValues.end());
  tapeArgs.assign(keptArgs.begin(), keptArgs.end());
  return dropped;
}

unsigned
recomputeCheapTapeEntries(Block &forward, Block &backward,
                          ValueClassifier &classes,
                          SmallVectorImpl<Value> &tapeValues,
                          SmallVectorImpl<BlockArgument> &tapeArgs,
                          function_ref<Value(BlockArgument)> forwardArgument,
                          const RecomputeTapeOptions &options) {
  return TapeRecomputer(forward, backward, classes, tapeValues, tapeArgs,
                        forwardArgument, options)
      .run();
}

} // namespace rev
