//===- PassOwnership.cpp - callees free what their callers no longer need -===//

#include "rev/Conversion/Passes.h"
#include "BufferOwnership.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/MapVector.h"

#include <map>

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVPASSOWNERSHIP
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

using Mask = llvm::SmallVector<bool>;

/// Which operands of `call` (in the body of its function) are buffers the
/// caller allocated (or views of them) and uses last in this call. (Freeing
/// a view frees its allocation: memref.dealloc releases the descriptor's
/// allocated pointer, which views keep.)
Mask giveable(func::CallOp call) {
  Mask mask(call.getNumOperands(), false);
  Block *block = call->getBlock();
  llvm::DenseMap<Value, unsigned> operandsPerBuffer;
  SmallVector<Value> roots;
  for (Value operand : call.getOperands()) {
    roots.push_back(rev::ownedRoot(operand, block));
    if (roots.back())
      ++operandsPerBuffer[roots.back()];
  }
  for (auto [i, root] : llvm::enumerate(roots)) {
    if (!root || operandsPerBuffer[root] != 1)
      continue;
    FailureOr<Operation *> last = rev::lastUseOfAliases(root, block);
    if (succeeded(last) && *last == call.getOperation())
      mask[i] = true;
  }
  return mask;
}

/// Which arguments of `fn` could be freed inside it (none escapes).
Mask ownable(func::FuncOp fn) {
  Block &body = fn.getBody().front();
  Mask mask(fn.getNumArguments(), false);
  for (BlockArgument arg : body.getArguments())
    mask[arg.getArgNumber()] = isa<MemRefType>(arg.getType()) &&
                               succeeded(rev::lastUseOfAliases(arg, &body));
  return mask;
}

/// Marks the arguments in `mask` owned by `fn` and frees each after its last
/// use.
void takeOwnership(func::FuncOp fn, const Mask &mask) {
  Block &body = fn.getBody().front();
  OpBuilder b(fn.getContext());
  for (BlockArgument arg : body.getArguments()) {
    if (!mask[arg.getArgNumber()])
      continue;
    fn.setArgAttr(arg.getArgNumber(), rev::kOwnedArgAttrName, b.getUnitAttr());
    FailureOr<Operation *> last = rev::lastUseOfAliases(arg, &body);
    assert(succeeded(last) && "ownable() checked the argument");
    if (*last)
      b.setInsertionPointAfter(*last);
    else
      b.setInsertionPointToStart(&body);
    memref::DeallocOp::create(b, fn.getLoc(), arg);
  }
}

struct RevPassOwnershipPass
    : public rev::impl::RevPassOwnershipBase<RevPassOwnershipPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    // The calls of each private function that calls nothing, when all its
    // uses are calls from the entry blocks of functions.
    llvm::MapVector<func::FuncOp, SmallVector<func::CallOp>> calls;
    llvm::DenseSet<func::FuncOp> excluded;
    module.walk([&](Operation *op) {
      auto call = dyn_cast<func::CallOp>(op);
      if (!call) {
        // Any other reference to a function keeps it as it is.
        op->getAttrDictionary().walk([&](SymbolRefAttr ref) {
          if (auto fn =
                  symbols.lookup<func::FuncOp>(ref.getRootReference()))
            excluded.insert(fn);
        });
        return;
      }
      auto fn = symbols.lookup<func::FuncOp>(call.getCallee());
      if (!fn)
        return;
      auto caller = call->getParentOfType<func::FuncOp>();
      // Only functions that call nothing change: a clone of a caller would
      // copy calls that this pass does not see (and may have changed the
      // callee of).
      excluded.insert(caller);
      if (!fn.isPrivate() || fn.isExternal() || !fn.getBody().hasOneBlock() ||
          call->getBlock() != &caller.getBody().front())
        excluded.insert(fn);
      else
        calls[fn].push_back(call);
    });

    for (auto &[fn, sites] : calls) {
      if (excluded.contains(fn))
        continue;
      Mask canOwn = ownable(fn);
      // The calls by the arguments they can give.
      std::map<Mask, SmallVector<func::CallOp>> byMask;
      for (func::CallOp call : sites) {
        Mask mask = giveable(call);
        for (auto [give, own] : llvm::zip(mask, canOwn))
          give = give && own;
        byMask[mask].push_back(call);
      }
      // Calls that give nothing keep the original; each set of owned
      // arguments gets a version of its own (the original if it is free).
      // The clones are made before any version is changed.
      bool originalTaken = llvm::any_of(byMask, [](auto &entry) {
        return llvm::none_of(entry.first, [](bool b) { return b; });
      });
      SmallVector<std::tuple<func::FuncOp, Mask, SmallVector<func::CallOp>>>
          versions;
      for (auto &[mask, group] : byMask) {
        if (llvm::none_of(mask, [](bool b) { return b; }))
          continue;
        func::FuncOp version = fn;
        if (originalTaken) {
          OpBuilder b(fn);
          version = cast<func::FuncOp>(b.clone(*fn));
          symbols.insert(version); // (renamed to be unique)
          ++numClones;
        }
        originalTaken = true;
        versions.push_back({version, mask, group});
      }
      for (auto &[version, mask, group] : versions) {
        takeOwnership(version, mask);
        SmallVector<int64_t> owned;
        for (auto [i, own] : llvm::enumerate(mask))
          if (own)
            owned.push_back(i);
        numOwned += owned.size();
        for (func::CallOp call : group) {
          call.setCallee(version.getSymName());
          call->setAttr(rev::kOwnedOperandsAttrName,
                        DenseI64ArrayAttr::get(call.getContext(), owned));
        }
      }
    }
  }
};

} // namespace
