//===- MemoryEstimate.cpp - peak of live tensor bytes ---------------------===//

#include "rev/Analysis/MemoryEstimate.h"
#include "rev/Utils/TypeUtils.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"

using namespace mlir;

namespace {

/// Sizes are checked for overflow by the callers (rev-memory-report).
int64_t bytesOf(Type type) { return rev::staticByteSize(type).value_or(0); }

/// Whether `op`'s result is a view of its first operand once bufferized (a
/// reshape of a contiguous tensor): it adds no bytes and keeps its source
/// alive.
bool isView(Operation *op) {
  return isa<tosa::ReshapeOp, tensor::ExpandShapeOp, tensor::CollapseShapeOp,
             tensor::ReshapeOp>(op);
}

/// Which arguments a callee owns: the lowering passes a buffer the caller
/// reads last in a call to the callee, which frees it after its own last use
/// (rev-pass-ownership). An argument the callee returns stays alive.
using OwnedMask = SmallVector<bool>;

/// The operands of `call` whose root is defined in the caller's block, is
/// read last by this call, once, and is not returned by the callee.
template <typename RootFn, typename HereFn>
OwnedMask ownedByCallee(func::CallOp call, func::FuncOp callee, RootFn root,
                        const DenseMap<Value, Operation *> &lastUse,
                        HereFn isHere) {
  OwnedMask mask(call.getNumOperands(), false);
  if (callee.isExternal())
    return mask;
  Block &body = callee.getBody().front();
  DenseMap<Value, unsigned> slots;
  for (Value v : call.getOperands())
    ++slots[root(v)];
  for (auto [i, v] : llvm::enumerate(call.getOperands())) {
    Value r = root(v);
    if (isa<BlockArgument>(r) || !isHere(r) || slots[r] != 1 ||
        r.getDefiningOp()->hasTrait<OpTrait::ConstantLike>() ||
        lastUse.lookup(r) != call.getOperation())
      continue;
    bool returned =
        llvm::any_of(body.getArgument(i).getUsers(),
                     [](Operation *user) { return isa<func::ReturnOp>(user); });
    mask[i] = !returned;
  }
  return mask;
}

} // namespace

/// Peak of live bytes of the values defined in `block` (and below), plus the
/// arguments of `block` marked in `owned`, which are live on entry and die
/// at their last use.
int64_t rev::PeakEstimator::peakOfBlock(Block &block, ArrayRef<bool> owned) {
  // Each value defined here belongs to a root: itself, or for a view the
  // root of its source. Bytes are counted per root, which lives until the
  // last use of any of its aliases (as an op of this block).
  DenseMap<Value, Value> rootOf;
  auto root = [&](Value v) {
    auto it = rootOf.find(v);
    return it == rootOf.end() ? v : it->second;
  };
  auto isHere = [&](Value v) {
    if (auto arg = dyn_cast<BlockArgument>(v))
      return arg.getOwner() == &block;
    return v.getDefiningOp()->getBlock() == &block;
  };
  for (Operation &op : block)
    if (isView(&op) && isHere(op.getOperand(0)))
      rootOf[op.getResult(0)] = root(op.getOperand(0));
  DenseMap<Value, Operation *> lastUse;
  for (Operation &op : block) {
    op.walk([&](Operation *nested) {
      for (Value v : nested->getOperands())
        if (isHere(v))
          lastUse[root(v)] = &op;
    });
  }
  auto isOwnedArg = [&](Value v) {
    auto arg = dyn_cast<BlockArgument>(v);
    return arg && arg.getArgNumber() < owned.size() &&
           owned[arg.getArgNumber()];
  };
  auto isConstantOrView = [&](Operation *op) {
    return op->hasTrait<OpTrait::ConstantLike>() ||
           (isView(op) && isHere(op->getOperand(0)));
  };
  DenseMap<Operation *, SmallVector<Value>> dying;
  for (auto [v, op] : lastUse)
    if ((!v.getDefiningOp() || !isConstantOrView(v.getDefiningOp())) &&
        (!isa<BlockArgument>(v) || isOwnedArg(v)) && !isa<func::ReturnOp>(op))
      dying[op].push_back(v);
  int64_t live = 0, peak = 0;
  for (BlockArgument arg : block.getArguments())
    if (isOwnedArg(arg)) {
      live += bytesOf(arg.getType());
      if (arg.use_empty())
        live -= bytesOf(arg.getType());
    }
  peak = live;
  for (Operation &op : block) {
    int64_t inner = 0;
    for (Region &region : op.getRegions())
      for (Block &b : region)
        inner = std::max(inner, peakOfBlock(b));
    // What the callee frees is no longer the caller's.
    SmallVector<Value> given;
    if (auto call = dyn_cast<func::CallOp>(&op))
      if (auto callee = symbols.lookup<func::FuncOp>(call.getCallee())) {
        OwnedMask mask = ownedByCallee(call, callee, root, lastUse, isHere);
        for (auto [i, give] : llvm::enumerate(mask))
          if (give) {
            given.push_back(root(call.getOperand(i)));
            live -= bytesOf(given.back().getType());
          }
        inner = std::max(inner, peakOfFunction(callee, mask));
      }
    int64_t results = 0;
    if (!isConstantOrView(&op))
      for (Value r : op.getResults())
        results += bytesOf(r.getType());
    // A call's callee peak already includes its results being built.
    peak = std::max(peak, live + std::max(inner, results));
    live += results;
    for (Value v : dying.lookup(&op))
      if (!llvm::is_contained(given, v))
        live -= bytesOf(v.getType());
    // Results nobody reads die at once.
    for (Value r : op.getResults())
      if (r.use_empty() && root(r) == r && !isConstantOrView(&op))
        live -= bytesOf(r.getType());
    peak = std::max(peak, live);
  }
  return peak;
}

int64_t rev::PeakEstimator::peakOfFunction(func::FuncOp func,
                                           ArrayRef<bool> owned) {
  if (func.isExternal())
    return 0;
  std::pair<Operation *, std::vector<bool>> key{
      func, std::vector<bool>(owned.begin(), owned.end())};
  auto it = cache.find(key);
  if (it != cache.end())
    return it->second;
  cache[key] = 0; // (recursion)
  int64_t peak = peakOfBlock(func.getBody().front(), owned);
  cache[key] = peak;
  return peak;
}
