//===- GPUGraphEntries.cpp - entries a CUDA graph can replay --------------===//
//
// rev-gpu-graph-entries, after rev-gpu-lower-library-calls: an entry whose
// host code only enqueues work on the stream (launches, stream-ordered
// allocations and frees, copies, library calls, calls of such functions)
// does the same thing at every call with the same buffers, so a CUDA graph
// captured from one call can replay it. Such entries get `graph = true` in
// their rev.abi; rev's runtime captures only those.
//
//===----------------------------------------------------------------------===//

#include "rev/Conversion/Passes.h"
#include "rev/Dialect/Rev/IR/RevContract.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVGPUGRAPHENTRIES
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

/// Whether the host code of functions only enqueues work, memoized per
/// function for one run of the pass.
struct Replayability {
  explicit Replayability(ModuleOp module) : module(module) {}

  ModuleOp module;
  llvm::DenseMap<Operation *, bool> known;

  /// Whether `op`, host code, only enqueues work (or computes addresses and
  /// sizes).
  bool onlyEnqueues(Operation *op) {
    if (auto alloc = dyn_cast<gpu::AllocOp>(op))
      // (managed memory is allocated and freed synchronously)
      return !alloc.getHostShared();
    if (isa<gpu::LaunchFuncOp, gpu::WaitOp, gpu::DeallocOp, gpu::MemcpyOp,
            gpu::MemsetOp, UnrealizedConversionCastOp, memref::GetGlobalOp>(
            op) ||
        isa<ViewLikeOpInterface>(op) || op->hasTrait<OpTrait::ReturnLike>())
      return true;
    if (auto call = dyn_cast<func::CallOp>(op)) {
      auto callee = module.lookupSymbol<func::FuncOp>(call.getCallee());
      if (!callee)
        return false;
      // (library calls: rev-gpu-lower-library-calls gave them the stream)
      if (callee.isExternal())
        return callee.getName().starts_with("rev_cuda_");
      return replayable(callee);
    }
    if (auto loop = dyn_cast<scf::ForOp>(op))
      return llvm::all_of(
          loop.getBody()->without_terminator(),
          [&](Operation &inner) { return onlyEnqueues(&inner); });
    // Scalar code (constants, index arithmetic): no memory touched.
    return isMemoryEffectFree(op) && op->getNumRegions() == 0;
  }

  bool replayable(func::FuncOp func) {
    // (false while it is being checked: a recursive call is not replayed)
    auto [it, inserted] = known.try_emplace(func, false);
    if (!inserted)
      return it->second;
    bool result = llvm::all_of(func.getBody().getOps(), [&](Operation &op) {
      return onlyEnqueues(&op);
    });
    known[func] = result;
    return result;
  }
};

struct RevGPUGraphEntriesPass
    : public rev::impl::RevGPUGraphEntriesBase<RevGPUGraphEntriesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    Replayability entries(module);
    Builder b(module.getContext());
    for (auto func : module.getOps<func::FuncOp>()) {
      auto abi = func->getAttrOfType<DictionaryAttr>(rev::kABIAttr);
      if (!abi || func.isExternal() || !func.isPublic())
        continue;
      if (!entries.replayable(func)) {
        ++numHostCode;
        continue;
      }
      NamedAttrList attrs(abi);
      attrs.set("graph", b.getBoolAttr(true));
      func->setAttr(rev::kABIAttr, attrs.getDictionary(module.getContext()));
      ++numGraphs;
    }
  }
};

} // namespace
