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

/// The buffers an op reads and writes (views, as their roots), compared by
/// rev::mayAlias, the model of the loop fusion: allocations and
/// out-parameters (which the ABI's callers allocate apart from everything
/// else) alias nothing else; other arguments may alias each other.
struct Accesses {
  llvm::SetVector<Value> reads, writes;
  bool known = true;

  void add(Operation *op) {
    if (!known || isMemoryEffectFree(op) ||
        isa<gpu::AllReduceOp, gpu::BarrierOp, memref::AllocOp>(op))
      return;
    if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
      writes.insert(rev::rootOf(dealloc.getMemref()));
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
            .insert(rev::rootOf(v));
      }
    } else if (!op->hasTrait<OpTrait::HasRecursiveMemoryEffects>()) {
      known = false;
      return;
    }
    for (Region &region : op->getRegions())
      for (Operation &inner : region.getOps())
        add(&inner);
  }
  void add(const Accesses &other) {
    known &= other.known;
    reads.insert_range(other.reads);
    writes.insert_range(other.writes);
  }
  static bool anyAlias(const llvm::SetVector<Value> &buffers, Value v) {
    return llvm::any_of(buffers, [&](Value b) { return rev::mayAlias(b, v); });
  }
  bool mayRead(Value v) const { return !known || anyAlias(reads, v); }
  bool mayWrite(Value v) const { return !known || anyAlias(writes, v); }
  bool mayTouch(Value v) const { return mayRead(v) || mayWrite(v); }
  /// Whether running `other` before these accesses could change what either
  /// reads or leaves written.
  bool conflictsWith(const Accesses &other) const {
    if (!known || !other.known)
      return true;
    return llvm::any_of(writes, [&](Value w) { return other.mayTouch(w); }) ||
           llvm::any_of(reads, [&](Value r) { return other.mayWrite(r); });
  }
};

/// The `linalg.fill` of a scalar that last wrote `buffer` before `op` in its
/// block, with nothing that may touch the buffer between them, or null.
linalg::FillOp fillBefore(Operation *op, Value buffer) {
  Operation *allocation = rev::rootOf(buffer).getDefiningOp();
  for (Operation *prev = op->getPrevNode(); prev && prev != allocation;
       prev = prev->getPrevNode()) {
    if (auto fill = dyn_cast<linalg::FillOp>(prev))
      if (fill.hasPureBufferSemantics() &&
          fill.getDpsInitOperand(0)->get() == buffer)
        return fill;
    Accesses accesses;
    accesses.add(prev);
    if (accesses.mayTouch(buffer))
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
  Accesses accesses; // (kept up to date as ops move in)

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

Value indexConstant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

/// Sets `iv` of the loops `dims` (row-major, sizes from `ranges`) from the
/// linear `index`.
void delinearize(OpBuilder &b, Location loc, Value index,
                 ArrayRef<unsigned> dims, ArrayRef<int64_t> ranges,
                 MutableArrayRef<Value> iv) {
  for (unsigned d : llvm::reverse(dims)) {
    Value size = indexConstant(b, loc, ranges[d]);
    iv[d] = arith::RemUIOp::create(b, loc, index, size);
    index = arith::DivUIOp::create(b, loc, index, size);
  }
}

/// The combiner's op applied to `x` and `y`.
Value combine(OpBuilder &b, const Combiner &combiner, Value x, Value y) {
  IRMapping mapping;
  mapping.map(combiner.op->getOperands(), ValueRange{x, y});
  return b.clone(*combiner.op, mapping)->getResult(0);
}

/// Clones `generic`'s body at the loop indices `iv` into `mapping`: its
/// inputs that the body reads loaded at their indices, linalg.index as
/// `iv`, the ops before `stop` (all of them when null). The caller maps the
/// output's block argument if the cloned ops read it.
void cloneBody(OpBuilder &b, Location loc, linalg::GenericOp generic,
               ArrayRef<Value> iv, Operation *stop, IRMapping &mapping) {
  Block &body = generic.getRegion().front();
  for (OpOperand *input : generic.getDpsInputOperands()) {
    Value arg = body.getArgument(input->getOperandNumber());
    if (arg.use_empty())
      continue;
    Value value = input->get();
    if (isa<MemRefType>(value.getType()))
      value = memref::LoadOp::create(
          b, loc, value,
          applyMap(b, loc, generic.getMatchingIndexingMap(input), iv));
    mapping.map(arg, value);
  }
  for (Operation &op : body.without_terminator()) {
    if (&op == stop)
      break;
    if (auto index = dyn_cast<linalg::IndexOp>(op))
      mapping.map(index.getResult(), iv[index.getDim()]);
    else
      b.clone(op, mapping);
  }
}

/// A builder into a new `scf.if` that only the thread `threadId` 0 runs.
OpBuilder inFirstThread(OpBuilder &b, Location loc, Value threadId) {
  Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                      threadId, indexConstant(b, loc, 0));
  auto ifFirst = scf::IfOp::create(b, loc, first, /*withElseRegion=*/false);
  return ifFirst.getThenBodyBuilder();
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
    std::vector<Kernel> kernels;
    for (linalg::GenericOp generic : generics)
      if (std::optional<Kernel> kernel = lower(generic)) {
        kernels.push_back(std::move(*kernel));
        ++numLowered;
      }
    if (!fuse)
      return;
    llvm::DenseMap<Operation *, Kernel *> kernelOf;
    for (Kernel &kernel : kernels)
      kernelOf[kernel.op] = &kernel;
    // (a kernel merged into an earlier one has a null op)
    for (Kernel &kernel : kernels)
      if (kernel.op)
        fuseAfter(kernel, kernelOf);
  }

  /// Takes into `kernel` the ops after it that can run in it: elementwise
  /// ops over its outputs' elements (in the first thread of each block,
  /// after the output is stored) and block reductions over the same grid
  /// (their code after its own), as long as the ops they move past touch
  /// none of their buffers.
  void fuseAfter(Kernel &kernel,
                 llvm::DenseMap<Operation *, Kernel *> &kernelOf) {
    Accesses between;
    unsigned scanned = 0;
    Operation *next = kernel.op->getNextNode();
    while (next && scanned++ < window && between.known) {
      Operation *op = next;
      next = op->getNextNode();
      if (auto generic = dyn_cast<linalg::GenericOp>(op))
        if (succeeded(absorbEpilogue(kernel, generic, between)))
          continue;
      if (Kernel *sibling = kernelOf.lookup(op))
        if (succeeded(absorbSibling(kernel, *sibling, between))) {
          kernelOf.erase(op);
          continue;
        }
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
    Accesses own;
    own.add(generic);
    if (!kernel.accesses.known || !own.known)
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
        if (kernel.accesses.mayWrite(input->get()))
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
    if (llvm::any_of(own.writes,
                     [&](Value w) { return kernel.accesses.mayTouch(w); }))
      return failure();
    if (own.conflictsWith(between) || !hoistOperands(generic, kernel.op))
      return failure();

    Location loc = generic.getLoc();
    OpBuilder b(kernel.body().getTerminator());
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
      SmallVector<Value> to =
          applyMap(ib, loc, generic.getMatchingIndexingMap(init), iv);
      IRMapping mapping;
      Value outArg = body.getArgument(init->getOperandNumber());
      if (!outArg.use_empty())
        mapping.map(outArg, memref::LoadOp::create(ib, loc, init->get(), to));
      cloneBody(ib, loc, generic, iv, /*stop=*/nullptr, mapping);
      Value result =
          mapping.lookupOrDefault(body.getTerminator()->getOperand(0));
      memref::StoreOp::create(ib, loc, result, init->get(), to);
    };

    if (free.empty()) {
      OpBuilder tb = inFirstThread(b, loc, kernel.threadId);
      emitBody(tb);
    } else {
      // (the first thread stored the output element: all threads read it)
      if (!emulate)
        gpu::BarrierOp::create(b, loc);
      auto loop =
          scf::ForOp::create(b, loc, kernel.threadId,
                             indexConstant(b, loc, count), kernel.threadCount);
      OpBuilder lb = OpBuilder::atBlockBegin(loop.getBody());
      delinearize(lb, loc, loop.getInductionVar(), free, *ranges, iv);
      emitBody(lb);
    }
    generic.erase();
    kernel.accesses.add(own);
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
    if (other.accesses.conflictsWith(between) ||
        other.accesses.conflictsWith(kernel.accesses) ||
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
    kernel.accesses.add(other.accesses);
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
    if (!ranges || llvm::any_of(*ranges, ShapedType::isDynamic))
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
    MLIRContext *ctx = generic.getContext();
    for (unsigned d : parallel)
      if (!outMap.getResultPosition(getAffineDimExpr(d, ctx)))
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
    auto cst = [&](OpBuilder &ib, int64_t v) {
      return indexConstant(ib, loc, v);
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

    // Loop indices: the parallel ones from the block id.
    SmallVector<Value> iv(ranges->size());
    delinearize(kb, loc, blockId, parallel, *ranges, iv);

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
      delinearize(lb, loc, loop.getInductionVar(), reduction, *ranges, iv);
      IRMapping mapping;
      cloneBody(lb, loc, generic, iv, /*stop=*/combiner->op, mapping);
      Value value = mapping.lookupOrDefault(combiner->value);
      scf::YieldOp::create(
          lb, loc, combine(lb, *combiner, loop.getRegionIterArg(0), value));
    }
    Value total = loop.getResult(0);
    if (emulate) {
      scf::YieldOp::create(
          tb, loc,
          combine(tb, *combiner, threadLoop.getRegionIterArg(0), total));
      total = threadLoop.getResult(0);
    } else {
      total = gpu::AllReduceOp::create(
          kb, loc, total, gpu::AllReduceOperationAttr::get(ctx, combiner->kind),
          kb.getUnitAttr());
    }
    {
      OpBuilder sb = inFirstThread(kb, loc, threadId);
      SmallVector<Value> at = applyMap(sb, loc, outMap, iv);
      Value start = init ? init : memref::LoadOp::create(sb, loc, output, at);
      memref::StoreOp::create(sb, loc, combine(sb, *combiner, start, total),
                              output, at);
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
          {(*ranges)[d], *outMap.getResultPosition(getAffineDimExpr(d, ctx))});
    Kernel kernel{container,   threadId, threadSize, blocks,
                  threadCount, {out},    {}};
    kernel.accesses.add(container);
    return kernel;
  }
};

} // namespace
