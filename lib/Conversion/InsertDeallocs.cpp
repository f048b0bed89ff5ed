//===- InsertDeallocs.cpp - free each buffer after its last use -----------===//
//
// After bufferization (and buffer-results-to-out-params), our functions are
// straight-line sequences of ops on buffers, with loops inside. Each
// memref.alloc whose aliases do not escape (returned, stored, yielded out of
// the function) is freed right after the last op of its block that uses one
// of its aliases. This is what upstream's ownership-based deallocation
// followed by optimize-allocation-liveness computes for such code, in time
// linear in the IR (their general analyses take minutes on deep models).
//
// Aliases: results of any op that takes an alias and returns memrefs (views,
// casts, and region ops whose results may be the operand, like scf.for with
// memref iteration arguments), and the region arguments those ops bind.
//
//===----------------------------------------------------------------------===//

#include "rev/Conversion/Passes.h"
#include "BufferOwnership.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVINSERTDEALLOCS
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

/// The op of `block` that `op` is nested in (or `op`), null if none.
Operation *ancestorIn(Block *block, Operation *op) {
  while (op && op->getBlock() != block)
    op = op->getParentOp();
  return op;
}

} // namespace

namespace rev {

FailureOr<Operation *> lastUseOfAliases(Value root, Block *block) {
  SmallVector<Value> worklist{root};
  DenseSet<Value> aliases{root};
  Operation *last = nullptr;
  auto addAlias = [&](Value v) {
    if (isa<BaseMemRefType>(v.getType()) && aliases.insert(v).second)
      worklist.push_back(v);
  };
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (isa<memref::DeallocOp>(user))
        return failure(); // already freed by someone else
      if (isa<func::ReturnOp>(user))
        return failure();
      if (auto store = dyn_cast<memref::StoreOp>(user))
        if (store.getValueToStore() == v)
          return failure();
      // A call that takes ownership of the buffer frees it.
      if (auto call = dyn_cast<func::CallOp>(user))
        if (auto owned = call->getAttrOfType<DenseI64ArrayAttr>(
                kOwnedOperandsAttrName))
          if (llvm::is_contained(owned.asArrayRef(),
                                 int64_t(use.getOperandNumber())))
            return failure();
      Operation *at = ancestorIn(block, user);
      if (!at)
        return failure(); // used outside its block: not straight-line
      if (!last || last->isBeforeInBlock(at))
        last = at;
      // Terminators forward into the parent's results (scf.yield) or into
      // successor blocks (not expected here: be conservative).
      if (user->hasTrait<OpTrait::IsTerminator>()) {
        if (isa<BranchOpInterface>(user))
          return failure();
        if (Operation *parent = user->getParentOp())
          for (Value r : parent->getResults())
            addAlias(r);
        continue;
      }
      // (results a call hands over are fresh buffers, not aliases)
      auto handedOver =
          user->getAttrOfType<DenseI64ArrayAttr>(kOwnedResultsAttrName);
      for (OpResult r : user->getResults())
        if (!handedOver || !llvm::is_contained(handedOver.asArrayRef(),
                                               int64_t(r.getResultNumber())))
          addAlias(r);
      for (Region &region : user->getRegions())
        for (Block &b : region)
          for (BlockArgument arg : b.getArguments())
            addAlias(arg);
    }
  }
  return last;
}

Value ownedRoot(Value v, Block *block) {
  while (v) {
    Operation *def = v.getDefiningOp();
    if (!def || def->getBlock() != block)
      return {};
    if (isa<memref::AllocOp>(def))
      return v;
    if (auto call = dyn_cast<func::CallOp>(def)) {
      auto owned =
          call->getAttrOfType<DenseI64ArrayAttr>(kOwnedResultsAttrName);
      int64_t number = cast<OpResult>(v).getResultNumber();
      return owned && llvm::is_contained(owned.asArrayRef(), number)
                 ? v
                 : Value();
    }
    auto view = dyn_cast<ViewLikeOpInterface>(def);
    v = view ? view.getViewSource() : Value();
  }
  return {};
}

} // namespace rev

namespace {

/// Frees `buffer` (allocated or handed over by `def`) after the last use of
/// its aliases in its block (nothing if an alias escapes or another owner
/// frees it).
void insertDealloc(Value buffer, Operation *def) {
  FailureOr<Operation *> lastUse =
      rev::lastUseOfAliases(buffer, def->getBlock());
  if (failed(lastUse))
    return;
  Operation *last = *lastUse ? *lastUse : def;
  OpBuilder b(def->getContext());
  b.setInsertionPointAfter(last);
  memref::DeallocOp::create(b, def->getLoc(), buffer);
}

struct RevInsertDeallocsPass
    : public rev::impl::RevInsertDeallocsBase<RevInsertDeallocsPass> {
  void runOnOperation() override {
    // Allocations, and buffers that calls hand over (rev.owned_results).
    SmallVector<Value> owned;
    getOperation().walk([&](Operation *op) {
      if (auto alloc = dyn_cast<memref::AllocOp>(op))
        owned.push_back(alloc.getResult());
      if (auto results = op->getAttrOfType<DenseI64ArrayAttr>(
              rev::kOwnedResultsAttrName))
        for (int64_t i : results.asArrayRef())
          owned.push_back(op->getResult(i));
    });
    for (Value buffer : owned)
      insertDealloc(buffer, buffer.getDefiningOp());
  }
};

} // namespace
