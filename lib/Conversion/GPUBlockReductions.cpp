//===- GPUBlockReductions.cpp - a block of threads per reduced element ----===//
//
// rev-gpu-block-reductions (see its description in Passes.td): a
// linalg.generic on buffers that reduces many elements into each result
// element (a sum over N, H and W per channel) becomes a gpu.launch with one
// block per result element: each thread accumulates a strided share of the
// reduced elements, the block combines the shares (gpu.all_reduce: warp
// shuffles and shared memory), and its first thread stores the result. The
// fill that initializes the result buffer just before is folded in.
//
//===----------------------------------------------------------------------===//

#include "rev/Conversion/Passes.h"
#include "rev/Utils/LoopUtils.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVGPUBLOCKREDUCTIONS
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

/// How a reduction's body combines a new value with the accumulator.
struct Combiner {
  gpu::AllReduceOperation kind;
  Operation *op; // the body's combining op (its other operand is the value)
  Value value;   // the combined value, computed from the inputs only
};

/// The combiner of `generic`'s body if it is `yield combine(v, out)` (or
/// `combine(out, v)`) with `out` used nowhere else and an associative,
/// commutative float `combine`.
std::optional<Combiner> matchCombiner(linalg::GenericOp generic) {
  Block &body = generic.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (yield.getNumOperands() != 1)
    return std::nullopt;
  Operation *op = yield.getOperand(0).getDefiningOp();
  if (!op || op->getBlock() != &body || op->getNumOperands() != 2)
    return std::nullopt;
  std::optional<gpu::AllReduceOperation> kind;
  if (isa<arith::AddFOp>(op))
    kind = gpu::AllReduceOperation::ADD;
  else if (isa<arith::MaximumFOp>(op))
    kind = gpu::AllReduceOperation::MAXIMUMF;
  else if (isa<arith::MinimumFOp>(op))
    kind = gpu::AllReduceOperation::MINIMUMF;
  else if (isa<arith::MaxNumFOp>(op))
    kind = gpu::AllReduceOperation::MAXNUMF;
  else if (isa<arith::MinNumFOp>(op))
    kind = gpu::AllReduceOperation::MINNUMF;
  if (!kind)
    return std::nullopt;
  Value out = body.getArguments().back();
  if (!out.hasOneUse())
    return std::nullopt;
  Value value;
  if (op->getOperand(0) == out)
    value = op->getOperand(1);
  else if (op->getOperand(1) == out)
    value = op->getOperand(0);
  else
    return std::nullopt;
  return Combiner{*kind, op, value};
}

/// The combining op's identity.
TypedAttr identity(OpBuilder &b, gpu::AllReduceOperation kind, FloatType type) {
  const llvm::fltSemantics &sem = type.getFloatSemantics();
  switch (kind) {
  case gpu::AllReduceOperation::MAXIMUMF:
  case gpu::AllReduceOperation::MAXNUMF:
    return b.getFloatAttr(type, APFloat::getInf(sem, /*Negative=*/true));
  case gpu::AllReduceOperation::MINIMUMF:
  case gpu::AllReduceOperation::MINNUMF:
    return b.getFloatAttr(type, APFloat::getInf(sem, /*Negative=*/false));
  default:
    return b.getFloatAttr(type, APFloat::getZero(sem));
  }
}

/// Which buffers an op reads and writes, by the key of their root: an
/// allocation and an out-parameter (which the ABI's callers allocate apart
/// from everything else) stand for themselves; every other root (the
/// function's other arguments, constants) is the null key, as they may
/// alias each other.
struct Accesses {
  llvm::SmallPtrSet<void *, 8> reads, writes;
  bool known = true;

  static void *key(Value v) {
    Value root = rev::rootOf(v);
    return root.getDefiningOp<memref::AllocOp>() || rev::isOutParam(root)
               ? root.getAsOpaquePointer()
               : nullptr;
  }
  void add(Operation *op) {
    if (!known || isMemoryEffectFree(op) ||
        isa<gpu::AllReduceOp, gpu::BarrierOp, memref::AllocOp>(op))
      return;
    if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
      writes.insert(key(dealloc.getMemref()));
      return;
    }
    if (auto iface = dyn_cast<MemoryEffectOpInterface>(op)) {
      SmallVector<MemoryEffects::EffectInstance> effects;
      iface.getEffects(effects);
      for (MemoryEffects::EffectInstance &e : effects) {
        if (isa<MemoryEffects::Allocate>(e.getEffect()))
          continue;
        Value v = e.getValue();
        if (!v || !isa<MemRefType>(v.getType())) {
          known = false;
          return;
        }
        (isa<MemoryEffects::Read>(e.getEffect()) ? reads : writes)
            .insert(key(v));
      }
    } else if (!op->hasTrait<OpTrait::HasRecursiveMemoryEffects>()) {
      known = false;
      return;
    }
    for (Region &region : op->getRegions())
      for (Operation &inner : region.getOps())
        add(&inner);
  }
  /// Whether running `other` before these accesses could change what either
  /// reads or leaves written.
  bool conflictsWith(const Accesses &other) const {
    if (!known || !other.known)
      return true;
    auto overlap = [](const llvm::SmallPtrSet<void *, 8> &a,
                      const llvm::SmallPtrSet<void *, 8> &b) {
      for (void *x : a)
        for (void *y : b)
          if (x == y)
            return true;
      return false;
    };
    return overlap(writes, other.reads) || overlap(writes, other.writes) ||
           overlap(reads, other.writes);
  }
};

/// The `linalg.fill` of a scalar that last wrote `buffer` before `op` in its
/// block, with nothing that may touch the buffer between them, or null.
linalg::FillOp fillBefore(Operation *op, Value buffer) {
  void *key = Accesses::key(buffer);
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
    if (auto fill = dyn_cast<linalg::FillOp>(prev))
      if (fill.hasPureBufferSemantics() &&
          fill.getDpsInitOperand(0)->get() == buffer)
        return fill;
    Accesses accesses;
    accesses.add(prev);
    if (!accesses.known || accesses.writes.contains(key) ||
        accesses.reads.contains(key))
      return nullptr;
  }
  return nullptr;
}

/// An output element of a block-reduction kernel: `buffer` at `map` of the
/// loop indices `iv` (the block's, computed at the kernel's top), which the
/// block's first thread stores.
struct Output {
  Value buffer;
  AffineMap map;
  SmallVector<Value> iv;
  /// How the block id maps to the element: for each parallel loop (in
  /// order, the block id split row-major), its size and the buffer
  /// dimension it indexes. Outputs with the same layout store the same
  /// element in a block.
  SmallVector<std::pair<int64_t, int64_t>> layout;
};

/// A block-reduction kernel and its outputs. `op` is its gpu.launch, or
/// with `emulate` the scf.for over its blocks (one thread each, in turn);
/// null once merged into another kernel.
struct Kernel {
  Operation *op;
  Value threadId;    // (0 for fused ops when emulated)
  Value threadCount; // the block size for fused ops (1 when emulated)
  int64_t blocks, threads;
  SmallVector<Output> outputs;

  Block &body() const { return op->getRegion(0).front(); }
};

/// Index values for the results of `map` applied to `iv`.
SmallVector<Value> applyMap(OpBuilder &b, Location loc, AffineMap map,
                            ArrayRef<Value> iv) {
  SmallVector<Value> result;
  for (AffineExpr e : map.getResults()) {
    if (auto dim = dyn_cast<AffineDimExpr>(e))
      result.push_back(iv[dim.getPosition()]);
    else if (auto c = dyn_cast<AffineConstantExpr>(e))
      result.push_back(arith::ConstantIndexOp::create(b, loc, c.getValue()));
    else
      result.push_back(affine::AffineApplyOp::create(
          b, loc, AffineMap::get(map.getNumDims(), 0, e), iv));
  }
  return result;
}

/// Moves before `before` the ops after it in its block that define the
/// values `op` uses (from outside `op`): views, allocations and constants
/// whose own operands allow it. False, moving nothing, if another op does.
bool hoistOperands(Operation *op, Operation *before) {
  Block *block = before->getBlock();
  llvm::SetVector<Operation *> toMove;
  SmallVector<Value> worklist;
  auto visit = [&](Value v) { worklist.push_back(v); };
  op->walk([&](Operation *inner) {
    for (Value v : inner->getOperands())
      visit(v);
  });
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    Operation *def = v.getDefiningOp();
    if (!def || def->getBlock() != block || def->isBeforeInBlock(before) ||
        def == before || op->isAncestor(def) || toMove.contains(def))
      continue;
    if (!isa<ViewLikeOpInterface, memref::AllocOp, arith::ConstantOp>(def) ||
        def->getNumRegions() != 0)
      return false;
    toMove.insert(def);
    for (Value operand : def->getOperands())
      visit(operand);
  }
  SmallVector<Operation *> ordered(toMove.begin(), toMove.end());
  llvm::sort(ordered,
             [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  for (Operation *def : ordered)
    def->moveBefore(before);
  return true;
}

struct RevGPUBlockReductionsPass
    : public rev::impl::RevGPUBlockReductionsBase<RevGPUBlockReductionsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<linalg::GenericOp> generics;
    getOperation().walk([&](linalg::GenericOp g) { generics.push_back(g); });
    SmallVector<Kernel> kernels;
    for (linalg::GenericOp generic : generics)
      if (std::optional<Kernel> kernel = lower(generic)) {
        kernels.push_back(*kernel);
        ++numLowered;
      }
    if (!fuse)
      return;
    // (a kernel merged into an earlier one has a null op)
    for (Kernel &kernel : kernels)
      if (kernel.op)
        fuseAfter(kernel, kernels);
  }

  /// Takes into `kernel` the ops after it that can run in it: elementwise
  /// ops over its outputs' elements (in the first thread of each block,
  /// after the output is stored) and block reductions over the same grid
  /// (their code after its own), as long as the ops they move past touch
  /// none of their buffers.
  void fuseAfter(Kernel &kernel, MutableArrayRef<Kernel> kernels) {
    Accesses between;
    unsigned scanned = 0;
    Operation *next = kernel.op->getNextNode();
    while (next && scanned++ < window && between.known) {
      Operation *op = next;
      next = op->getNextNode();
      if (auto generic = dyn_cast<linalg::GenericOp>(op))
        if (succeeded(absorbEpilogue(kernel, generic, between)))
          continue;
      Kernel *sibling =
          llvm::find_if(kernels, [&](Kernel &k) { return k.op == op; });
      if (sibling != kernels.end() &&
          succeeded(absorbSibling(kernel, *sibling, between)))
        continue;
      between.add(op);
    }
  }

  /// Moves the elementwise `generic` into `kernel` if its iterations split
  /// by the kernel's blocks: it reads one of the kernel's outputs, at
  /// indices that are its loop indices or 0 (where the output's dimension
  /// is 1), so that the block of each output element runs the iterations
  /// that read it. With no other loop (a mean from a sum, a running
  /// statistic's update) the block's first thread runs its one iteration
  /// after storing the element; otherwise (a BatchNorm's normalization of
  /// the channel whose statistics the block computed) the block's threads
  /// share the other loops' iterations after a barrier. The kernel must not
  /// touch what it writes, nor write anything else it reads, and the ops it
  /// moves past must touch none of its buffers.
  LogicalResult absorbEpilogue(Kernel &kernel, linalg::GenericOp generic,
                               const Accesses &between) {
    if (!generic.hasPureBufferSemantics() || generic.getNumDpsInits() != 1 ||
        generic.getNumParallelLoops() != generic.getNumLoops())
      return failure();
    std::optional<SmallVector<int64_t>> ranges = generic.getStaticLoopRanges();
    if (!ranges || llvm::any_of(*ranges, ShapedType::isDynamic))
      return failure();
    Accesses kernelAccesses, own;
    kernelAccesses.add(kernel.op);
    own.add(generic);
    if (!kernelAccesses.known || !own.known)
      return failure();
    // The output it reads, and which of its loops that binds to the
    // output element's indices (-1: the output's index is 0).
    const Output *source = nullptr;
    SmallVector<int64_t> bound;
    for (OpOperand *input : generic.getDpsInputOperands()) {
      if (!isa<MemRefType>(input->get().getType()))
        continue;
      const Output *match = llvm::find_if(kernel.outputs, [&](const Output &o) {
        return o.buffer == input->get();
      });
      if (match == kernel.outputs.end()) {
        if (kernelAccesses.writes.contains(Accesses::key(input->get())))
          return failure();
        continue;
      }
      // (several outputs: of one element per block)
      if (source && source->layout != match->layout)
        return failure();
      AffineMap map = generic.getMatchingIndexingMap(input);
      ArrayRef<int64_t> shape =
          cast<MemRefType>(match->buffer.getType()).getShape();
      SmallVector<int64_t> dims;
      for (auto [j, e] : llvm::enumerate(map.getResults())) {
        if (auto c = dyn_cast<AffineConstantExpr>(e)) {
          if (c.getValue() != 0 || shape[j] != 1)
            return failure();
          dims.push_back(-1);
          continue;
        }
        auto d = dyn_cast<AffineDimExpr>(e);
        if (!d || (*ranges)[d.getPosition()] != shape[j] ||
            llvm::is_contained(dims, d.getPosition()))
          return failure();
        dims.push_back(d.getPosition());
      }
      if (source && dims != bound)
        return failure();
      source = match;
      bound = dims;
    }
    OpOperand *init = generic.getDpsInitOperand(0);
    if (!source || !generic.getMatchingIndexingMap(init).isPermutation())
      return failure();
    for (void *w : own.writes)
      if (kernelAccesses.reads.contains(w) || kernelAccesses.writes.contains(w))
        return failure();
    if (own.conflictsWith(between) || !hoistOperands(generic, kernel.op))
      return failure();

    Location loc = generic.getLoc();
    OpBuilder b(kernel.body().getTerminator());
    auto cst = [&](OpBuilder &ib, int64_t v) -> Value {
      return arith::ConstantIndexOp::create(ib, loc, v);
    };
    SmallVector<Value> at = applyMap(b, loc, source->map, source->iv);
    SmallVector<unsigned> free;
    for (unsigned d = 0; d < ranges->size(); ++d)
      if (!llvm::is_contained(bound, static_cast<int64_t>(d)))
        free.push_back(d);
    int64_t count = 1;
    for (unsigned d : free)
      count *= (*ranges)[d];

    // The body at loop indices `iv` (the bound ones from `at`, the free
    // ones set by the caller), built with `ib`.
    SmallVector<Value> iv(ranges->size());
    for (auto [j, d] : llvm::enumerate(bound))
      if (d >= 0)
        iv[d] = at[j];
    auto emitBody = [&](OpBuilder &ib) {
      Block &body = generic.getRegion().front();
      IRMapping mapping;
      for (OpOperand *input : generic.getDpsInputOperands()) {
        Value arg = body.getArgument(input->getOperandNumber());
        Value value = input->get();
        if (isa<MemRefType>(value.getType()))
          value = memref::LoadOp::create(
              ib, loc, value,
              applyMap(ib, loc, generic.getMatchingIndexingMap(input), iv));
        mapping.map(arg, value);
      }
      Value outArg = body.getArgument(init->getOperandNumber());
      SmallVector<Value> to =
          applyMap(ib, loc, generic.getMatchingIndexingMap(init), iv);
      if (!outArg.use_empty())
        mapping.map(outArg, memref::LoadOp::create(ib, loc, init->get(), to));
      for (Operation &op : body.without_terminator()) {
        if (auto index = dyn_cast<linalg::IndexOp>(op)) {
          mapping.map(index.getResult(), iv[index.getDim()]);
          continue;
        }
        ib.clone(op, mapping);
      }
      Value result =
          mapping.lookupOrDefault(body.getTerminator()->getOperand(0));
      memref::StoreOp::create(ib, loc, result, init->get(), to);
    };

    if (free.empty()) {
      Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                          kernel.threadId, cst(b, 0));
      auto ifFirst = scf::IfOp::create(b, loc, first, /*withElseRegion=*/false);
      OpBuilder tb = ifFirst.getThenBodyBuilder();
      emitBody(tb);
    } else {
      // (the first thread stored the output element: all threads read it)
      if (!emulate)
        gpu::BarrierOp::create(b, loc);
      auto loop = scf::ForOp::create(b, loc, kernel.threadId, cst(b, count),
                                     kernel.threadCount);
      OpBuilder lb = OpBuilder::atBlockBegin(loop.getBody());
      Value index = loop.getInductionVar();
      for (unsigned d : llvm::reverse(free)) {
        Value size = cst(lb, (*ranges)[d]);
        iv[d] = arith::RemUIOp::create(lb, loc, index, size);
        index = arith::DivUIOp::create(lb, loc, index, size);
      }
      emitBody(lb);
    }
    generic.erase();
    ++numEpilogues;
    return success();
  }

  /// Moves the block reduction `other` into `kernel` if both have the same
  /// grid, neither reads what the other writes, and no op between touches
  /// its buffers.
  LogicalResult absorbSibling(Kernel &kernel, Kernel &other,
                              const Accesses &between) {
    if (kernel.blocks != other.blocks || kernel.threads != other.threads)
      return failure();
    Accesses own, theirs;
    own.add(kernel.op);
    theirs.add(other.op);
    if (theirs.conflictsWith(between) || theirs.conflictsWith(own) ||
        !hoistOperands(other.op, kernel.op))
      return failure();
    // The other's body after this one's, on this one's block and thread
    // ids.
    Block &from = other.body(), &into = kernel.body();
    for (auto [x, y] : llvm::zip(from.getArguments(), into.getArguments()))
      x.replaceAllUsesWith(y);
    from.getTerminator()->erase();
    into.getOperations().splice(into.getTerminator()->getIterator(),
                                from.getOperations());
    llvm::append_range(kernel.outputs, other.outputs);
    other.op->erase();
    other.op = nullptr;
    ++numSiblings;
    return success();
  }

  std::optional<Kernel> lower(linalg::GenericOp generic) {
    if (!generic.hasPureBufferSemantics() || generic.getNumDpsInits() != 1 ||
        generic.getNumReductionLoops() == 0 ||
        isa<gpu::LaunchOp, scf::ParallelOp>(generic->getParentOp()))
      return std::nullopt;
    std::optional<SmallVector<int64_t>> ranges = generic.getStaticLoopRanges();
    if (!ranges || llvm::any_of(*ranges, [](int64_t r) {
          return ShapedType::isDynamic(r);
        }))
      return std::nullopt;
    Value output = generic.getDpsInitOperand(0)->get();
    auto elementType = dyn_cast<FloatType>(
        cast<MemRefType>(output.getType()).getElementType());
    if (!elementType || !elementType.isF32())
      return std::nullopt;
    std::optional<Combiner> combiner = matchCombiner(generic);
    if (!combiner)
      return std::nullopt;
    // Each result element must be one block's: the output indexed by the
    // parallel loops only, each once.
    AffineMap outMap =
        generic.getMatchingIndexingMap(generic.getDpsInitOperand(0));
    if (!outMap.isProjectedPermutation())
      return std::nullopt;
    SmallVector<unsigned> parallel, reduction;
    for (auto [i, it] : llvm::enumerate(generic.getIteratorTypesArray()))
      (it == utils::IteratorType::parallel ? parallel : reduction).push_back(i);
    for (AffineExpr e : outMap.getResults())
      if (llvm::is_contained(reduction, cast<AffineDimExpr>(e).getPosition()))
        return std::nullopt;
    // (a parallel loop that the output does not vary with would have
    // several blocks store one element)
    for (unsigned d : parallel)
      if (!outMap.getResultPosition(getAffineDimExpr(d, generic.getContext())))
        return std::nullopt;
    int64_t blocks = 1, reduced = 1;
    for (unsigned i : parallel)
      blocks *= (*ranges)[i];
    for (unsigned i : reduction)
      reduced *= (*ranges)[i];
    if (reduced < static_cast<int64_t>(minReduced))
      return std::nullopt;
    // Threads: whole warps, at most `threads`.
    int64_t threadCount = std::min<int64_t>(threads, (reduced + 31) / 32 * 32);

    Location loc = generic.getLoc();
    OpBuilder b(generic);
    linalg::FillOp fill = fillBefore(generic, output);
    Value init = fill ? fill.getDpsInputOperand(0)->get() : Value();
    auto cst = [&](OpBuilder &ib, int64_t v) -> Value {
      return arith::ConstantIndexOp::create(ib, loc, v);
    };
    Value one = cst(b, 1);
    Operation *container;
    Value blockId, threadId, threadSize;
    if (emulate) {
      auto blockLoop =
          scf::ForOp::create(b, loc, cst(b, 0), cst(b, blocks), one);
      container = blockLoop;
      blockId = blockLoop.getInductionVar();
    } else {
      auto launch = gpu::LaunchOp::create(b, loc, cst(b, blocks), one, one,
                                          cst(b, threadCount), one, one);
      container = launch;
      blockId = launch.getBlockIds().x;
      threadId = launch.getThreadIds().x;
      threadSize = launch.getBlockSize().x;
      OpBuilder tb = OpBuilder::atBlockEnd(&launch.getBody().front());
      gpu::TerminatorOp::create(tb, loc);
    }
    Block &body = container->getRegion(0).front();
    OpBuilder kb(body.getTerminator());
    if (emulate) {
      threadId = cst(kb, 0);
      threadSize = cst(kb, 1);
    }

    // Loop indices: `index` split into the loops `dims` (row-major).
    SmallVector<Value> iv(ranges->size());
    auto delinearize = [&](OpBuilder &ib, Value index,
                           ArrayRef<unsigned> dims) {
      for (unsigned d : llvm::reverse(dims)) {
        Value size = cst(ib, (*ranges)[d]);
        iv[d] = arith::RemUIOp::create(ib, loc, index, size);
        index = arith::DivUIOp::create(ib, loc, index, size);
      }
    };
    delinearize(kb, blockId, parallel);
    auto indices = [&](OpBuilder &ib, AffineMap map) {
      SmallVector<Value> result;
      for (AffineExpr e : map.getResults()) {
        if (auto dim = dyn_cast<AffineDimExpr>(e))
          result.push_back(iv[dim.getPosition()]);
        else if (auto c = dyn_cast<AffineConstantExpr>(e))
          result.push_back(cst(ib, c.getValue()));
        else
          result.push_back(affine::AffineApplyOp::create(
              ib, loc, AffineMap::get(map.getNumDims(), 0, e), iv));
      }
      return result;
    };

    Value identityValue = arith::ConstantOp::create(
        kb, loc, identity(kb, combiner->kind, elementType));
    // Each thread's share: elements thread, thread + threadCount, ... (when
    // emulated, a loop over the threads runs the shares in turn and
    // combines them in order, where the GPU combines them as a tree).
    scf::ForOp threadLoop;
    OpBuilder tb = kb;
    Value shareStart = threadId;
    if (emulate) {
      threadLoop = scf::ForOp::create(kb, loc, cst(kb, 0), cst(kb, threadCount),
                                      cst(kb, 1), ValueRange{identityValue});
      tb = OpBuilder::atBlockBegin(threadLoop.getBody());
      shareStart = threadLoop.getInductionVar();
    }
    auto loop =
        scf::ForOp::create(tb, loc, shareStart, cst(tb, reduced),
                           cst(tb, threadCount), ValueRange{identityValue});
    {
      OpBuilder lb = OpBuilder::atBlockBegin(loop.getBody());
      delinearize(lb, loop.getInductionVar(), reduction);
      Block &genericBody = generic.getRegion().front();
      IRMapping mapping;
      for (OpOperand *input : generic.getDpsInputOperands()) {
        Value arg = genericBody.getArgument(input->getOperandNumber());
        if (arg.use_empty())
          continue;
        AffineMap map = generic.getMatchingIndexingMap(input);
        Value value = input->get();
        if (isa<MemRefType>(value.getType()))
          value = memref::LoadOp::create(lb, loc, value, indices(lb, map));
        mapping.map(arg, value);
      }
      for (Operation &op : genericBody.without_terminator()) {
        if (&op == combiner->op)
          break;
        if (auto index = dyn_cast<linalg::IndexOp>(op)) {
          mapping.map(index.getResult(), iv[index.getDim()]);
          continue;
        }
        lb.clone(op, mapping);
      }
      Value value = mapping.lookupOrDefault(combiner->value);
      IRMapping combine;
      Value acc = loop.getRegionIterArg(0);
      combine.map(combiner->op->getOperands(), ValueRange{acc, value});
      Value next = lb.clone(*combiner->op, combine)->getResult(0);
      scf::YieldOp::create(lb, loc, next);
    }
    Value total = loop.getResult(0);
    if (emulate) {
      IRMapping combine;
      combine.map(combiner->op->getOperands(),
                  ValueRange{threadLoop.getRegionIterArg(0), total});
      scf::YieldOp::create(tb, loc,
                           tb.clone(*combiner->op, combine)->getResult(0));
      total = threadLoop.getResult(0);
    } else {
      total = gpu::AllReduceOp::create(
          kb, loc, total,
          gpu::AllReduceOperationAttr::get(kb.getContext(), combiner->kind),
          kb.getUnitAttr());
    }
    Value first = arith::CmpIOp::create(kb, loc, arith::CmpIPredicate::eq,
                                        threadId, cst(kb, 0));
    auto ifFirst = scf::IfOp::create(kb, loc, first, /*withElseRegion=*/false);
    {
      OpBuilder sb = ifFirst.getThenBodyBuilder();
      SmallVector<Value> at = indices(sb, outMap);
      Value start = init ? init : memref::LoadOp::create(sb, loc, output, at);
      IRMapping combine;
      combine.map(combiner->op->getOperands(), ValueRange{start, total});
      Value result = sb.clone(*combiner->op, combine)->getResult(0);
      memref::StoreOp::create(sb, loc, result, output, at);
    }
    generic.erase();
    if (fill) {
      fill.erase();
      ++numFills;
    }
    Output out{output, outMap, iv, {}};
    for (unsigned d : reduction)
      out.iv[d] = Value(); // (the loop's, inside it)
    for (unsigned d : parallel)
      out.layout.push_back(
          {(*ranges)[d],
           *outMap.getResultPosition(getAffineDimExpr(d, kb.getContext()))});
    return Kernel{container, threadId, threadSize, blocks, threadCount, {out}};
  }
};

} // namespace
