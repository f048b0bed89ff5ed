//===- LoopUtils.cpp - helpers for loops on buffers -----------------------===//

#include "rev/Utils/LoopUtils.h"
#include "rev/Dialect/Rev/IR/RevContract.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;

namespace rev {

scf::ParallelOp copyToParallelLoop(OpBuilder &b, memref::CopyOp copy) {
  auto type = cast<MemRefType>(copy.getSource().getType());
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(copy);
  Location loc = copy.getLoc();
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> lbs, ubs, steps;
  for (int64_t d = 0, e = type.getRank(); d < e; ++d) {
    lbs.push_back(zero);
    steps.push_back(one);
    ubs.push_back(
        type.isDynamicDim(d)
            ? memref::DimOp::create(b, loc, copy.getSource(), d).getResult()
            : arith::ConstantIndexOp::create(b, loc, type.getDimSize(d))
                  .getResult());
  }
  if (type.getRank() == 0) {
    lbs.push_back(zero);
    ubs.push_back(one);
    steps.push_back(one);
  }
  Value source = copy.getSource(), target = copy.getTarget();
  int64_t rank = type.getRank();
  auto loop = scf::ParallelOp::create(
      b, loc, lbs, ubs, steps,
      [&](OpBuilder &nb, Location nloc, ValueRange ivs) {
        ValueRange indices = rank == 0 ? ValueRange() : ivs;
        Value v = memref::LoadOp::create(nb, nloc, source, indices);
        memref::StoreOp::create(nb, nloc, v, target, indices);
      });
  copy.erase();
  return loop;
}

} // namespace rev

/// The buffer `v` is a view of.
Value rev::rootOf(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

/// Whether `v` is an out-parameter of its function: an argument after those
/// its rev.abi lists (a result buffer, which the ABI's callers allocate
/// apart from the arguments and from each other: rev-run, the AOT wrappers,
/// @train_step's calls).
bool rev::isOutParam(Value v) {
  auto arg = dyn_cast<BlockArgument>(v);
  if (!arg)
    return false;
  auto func = dyn_cast_or_null<func::FuncOp>(arg.getOwner()->getParentOp());
  if (!func || arg.getOwner() != &func.getBody().front())
    return false;
  auto abi = func->getAttrOfType<DictionaryAttr>(rev::kABIAttr);
  auto args = abi ? abi.getAs<ArrayAttr>("args") : ArrayAttr();
  return args && arg.getArgNumber() >= args.size();
}

/// Whether two buffers may share memory: views of one buffer do; a fresh
/// allocation shares none with another buffer, nor does an out-parameter;
/// two other function arguments may.
bool rev::mayAlias(Value a, Value b) {
  Value ra = rev::rootOf(a), rb = rev::rootOf(b);
  if (ra == rb)
    return true;
  if (rev::isOutParam(ra) || rev::isOutParam(rb))
    return false;
  // (a root that is neither an allocation nor an argument is an unknown
  // view: it may be of anything)
  auto fresh = [](Value r) {
    return r.getDefiningOp<gpu::AllocOp>() ||
           r.getDefiningOp<memref::AllocOp>();
  };
  auto known = [&](Value r) { return fresh(r) || isa<BlockArgument>(r); };
  return !(known(ra) && known(rb) && (fresh(ra) || fresh(rb)));
}

namespace {

bool sameIterationSpace(scf::ParallelOp a, scf::ParallelOp b) {
  return llvm::equal(a.getLowerBound(), b.getLowerBound()) &&
         llvm::equal(a.getUpperBound(), b.getUpperBound()) &&
         llvm::equal(a.getStep(), b.getStep());
}

/// Ops that do not keep two parallel loops from being adjacent (upstream's
/// fusion looks past ops without memory effects).
bool isPureOp(Operation *op) {
  return isMemoryEffectFree(op) && op->getNumRegions() == 0;
}

/// Whether `op` allocates (1) or frees (2) a buffer synchronously
/// (memref.alloc/dealloc, or gpu.alloc/dealloc without a token); else 0.
int allocOrFree(Operation *op) {
  if (isa<memref::AllocOp>(op) ||
      (isa<gpu::AllocOp>(op) && !cast<gpu::AllocOp>(op).getAsyncToken()))
    return 1;
  if (isa<memref::DeallocOp>(op) ||
      (isa<gpu::DeallocOp>(op) && !cast<gpu::DeallocOp>(op).getAsyncToken()))
    return 2;
  return 0;
}

/// The nearest parallel loop before (`forward` false) or after `op` in its
/// block past pure ops, allocations and frees; null if another op is first.
scf::ParallelOp neighbourLoop(Operation *op, bool forward) {
  for (Operation *o = forward ? op->getNextNode() : op->getPrevNode(); o;
       o = forward ? o->getNextNode() : o->getPrevNode()) {
    if (auto loop = dyn_cast<scf::ParallelOp>(o))
      return loop;
    if (!isPureOp(o) && !allocOrFree(o))
      return nullptr;
  }
  return nullptr;
}

/// Whether `a` and `b` are subviews of one buffer with constant offsets,
/// sizes and strides that share no element (the two halves of a
/// concatenation).
bool disjointViews(Value a, Value b) {
  auto va = a.getDefiningOp<memref::SubViewOp>();
  auto vb = b.getDefiningOp<memref::SubViewOp>();
  if (!va || !vb || va.getSource() != vb.getSource())
    return false;
  ArrayRef<int64_t> oa = va.getStaticOffsets(), ob = vb.getStaticOffsets();
  ArrayRef<int64_t> sa = va.getStaticSizes(), sb = vb.getStaticSizes();
  ArrayRef<int64_t> ta = va.getStaticStrides(), tb = vb.getStaticStrides();
  for (size_t d = 0; d < oa.size(); ++d) {
    if (ShapedType::isDynamic(oa[d]) || ShapedType::isDynamic(ob[d]) ||
        ShapedType::isDynamic(sa[d]) || ShapedType::isDynamic(sb[d]) ||
        ShapedType::isDynamic(ta[d]) || ShapedType::isDynamic(tb[d]) ||
        sa[d] == 0 || sb[d] == 0)
      continue;
    // (the index ranges of dimension d; disjoint ranges in one dimension
    // make the views disjoint)
    int64_t endA = oa[d] + (sa[d] - 1) * ta[d];
    int64_t endB = ob[d] + (sb[d] - 1) * tb[d];
    if (endA < ob[d] || endB < oa[d])
      return true;
  }
  return false;
}

/// Whether `second` writes a buffer that `first` writes too (or may share
/// memory with one it writes) at other indices than `first` does: fused,
/// the two writes of one element would come from different iterations, in
/// no set order. (Upstream's fusion checks reads after writes and writes
/// after reads, not writes after writes.)
bool writesElsewhere(scf::ParallelOp first, scf::ParallelOp second) {
  SmallVector<memref::StoreOp> firstStores;
  first.getBody()->walk([&](memref::StoreOp s) { firstStores.push_back(s); });
  auto mapped = [&](Value v) -> Value {
    for (auto [a, b] :
         llvm::zip(first.getInductionVars(), second.getInductionVars()))
      if (v == a)
        return b;
    return v;
  };
  WalkResult result = second.getBody()->walk([&](memref::StoreOp store) {
    for (memref::StoreOp other : firstStores) {
      if (!rev::mayAlias(other.getMemRef(), store.getMemRef()) ||
          disjointViews(other.getMemRef(), store.getMemRef()))
        continue;
      bool sameElement =
          other.getMemRef() == store.getMemRef() &&
          llvm::equal(llvm::map_range(other.getIndices(), mapped),
                      store.getIndices());
      if (!sameElement)
        return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return result.wasInterrupted();
}

/// Puts an empty scf.execute_region (an op with a region, which ends
/// upstream's chains of fusable loops) before each loop of `block` that
/// writesElsewhere() keeps apart from a loop earlier in its chain (not only
/// the one just before: upstream fuses a chain's loops one into the next, so
/// the first loop's writes end up in the loop the third is fused with);
/// returns them, to erase after.
SmallVector<Operation *> separateConflictingWrites(OpBuilder &b, Block &block) {
  SmallVector<Operation *> barriers;
  SmallVector<scf::ParallelOp> chain;
  for (Operation &op : llvm::make_early_inc_range(block)) {
    auto loop = dyn_cast<scf::ParallelOp>(op);
    if (!loop) {
      if (!isPureOp(&op))
        chain.clear();
      continue;
    }
    if (llvm::any_of(chain, [&](scf::ParallelOp earlier) {
          return sameIterationSpace(earlier, loop) &&
                 writesElsewhere(earlier, loop);
        })) {
      b.setInsertionPoint(loop);
      auto barrier =
          scf::ExecuteRegionOp::create(b, loop.getLoc(), TypeRange{});
      Block *body = b.createBlock(&barrier.getRegion());
      b.setInsertionPointToEnd(body);
      scf::YieldOp::create(b, loop.getLoc());
      barriers.push_back(barrier);
      chain.clear();
    }
    chain.push_back(loop);
  }
  return barriers;
}

} // namespace

void rev::fuseParallelLoops(Region &region) {
  if (region.empty()) // (a function declaration)
    return;
  // One constant per bound value, at the region's entry.
  OpBuilder b(region.getContext());
  b.setInsertionPointToStart(&region.front());
  llvm::DenseMap<int64_t, Value> constants;
  region.walk([&](scf::ParallelOp loop) {
    if (loop->getParentOfType<scf::ParallelOp>())
      return;
    for (OpOperand &bound : loop->getOpOperands()) {
      auto c = bound.get().getDefiningOp<arith::ConstantIndexOp>();
      if (!c)
        continue;
      Value &unique = constants[c.value()];
      if (!unique)
        unique = arith::ConstantIndexOp::create(b, c.getLoc(), c.value());
      bound.set(unique);
    }
  });
  for (int round = 0; round < 16; ++round) {
    unsigned before = 0, after = 0;
    for (Block &block : region) {
      SmallVector<Operation *> movable;
      for (Operation &op : block)
        if (allocOrFree(&op))
          movable.push_back(&op);
      for (Operation *op : movable) {
        scf::ParallelOp prev = neighbourLoop(op, false);
        scf::ParallelOp next = neighbourLoop(op, true);
        if (!prev || !next || !sameIterationSpace(prev, next))
          continue;
        if (allocOrFree(op) == 2) {
          op->moveAfter(next);
          continue;
        }
        if (llvm::all_of(op->getOperands(), [&](Value v) {
              Operation *def = v.getDefiningOp();
              return !def || def->getBlock() != &block ||
                     def->isBeforeInBlock(prev);
            }))
          op->moveBefore(prev);
      }
      before += llvm::count_if(block, [](Operation &op) {
        return isa<scf::ParallelOp>(op);
      });
    }
    SmallVector<Operation *> barriers;
    for (Block &block : region)
      llvm::append_range(barriers, separateConflictingWrites(b, block));
    scf::naivelyFuseParallelOps(region, rev::mayAlias);
    for (Operation *barrier : barriers)
      barrier->erase();
    for (Block &block : region)
      after += llvm::count_if(block, [](Operation &op) {
        return isa<scf::ParallelOp>(op);
      });
    if (after == before)
      break;
  }
}
