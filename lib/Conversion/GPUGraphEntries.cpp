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

struct RevGPUGraphEntriesPass
    : public rev::impl::RevGPUGraphEntriesBase<RevGPUGraphEntriesPass> {
  llvm::DenseMap<Operation *, bool> known;

  /// Why `op`, host code, keeps its function from being replayed; null if
  /// it only enqueues work (or computes addresses and sizes).
  Operation *blocker(ModuleOp module, Operation *op) {
    if (auto alloc = dyn_cast<gpu::AllocOp>(op))
      // (managed memory is allocated and freed synchronously)
      return alloc.getHostShared() ? op : nullptr;
    if (isa<gpu::LaunchFuncOp, gpu::WaitOp, gpu::DeallocOp, gpu::MemcpyOp,
            gpu::MemsetOp, UnrealizedConversionCastOp, memref::GetGlobalOp>(
            op) ||
        isa<ViewLikeOpInterface>(op) || op->hasTrait<OpTrait::ReturnLike>())
      return nullptr;
    if (auto call = dyn_cast<func::CallOp>(op)) {
      auto callee = module.lookupSymbol<func::FuncOp>(call.getCallee());
      if (!callee)
        return op;
      // (library calls: rev-gpu-lower-library-calls gave them the stream)
      if (callee.isExternal())
        return callee.getName().starts_with("rev_cuda_") ? nullptr : op;
      return replayable(module, callee) ? nullptr : op;
    }
    if (auto loop = dyn_cast<scf::ForOp>(op)) {
      for (Operation &inner : loop.getBody()->without_terminator())
        if (Operation *b = blocker(module, &inner))
          return b;
      return nullptr;
    }
    // Scalar code (constants, index arithmetic): no memory touched.
    return isMemoryEffectFree(op) && op->getNumRegions() == 0 ? nullptr : op;
  }

  bool replayable(ModuleOp module, func::FuncOp func) {
    auto [it, inserted] = known.try_emplace(func, false);
    if (!inserted)
      return it->second;
    bool result = true;
    for (Block &block : func.getBody())
      for (Operation &op : block)
        if (blocker(module, &op)) {
          result = false;
          break;
        }
    known[func] = result;
    return result;
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    Builder b(module.getContext());
    for (auto func : module.getOps<func::FuncOp>()) {
      auto abi = func->getAttrOfType<DictionaryAttr>(rev::kABIAttr);
      if (!abi || func.isExternal() || !func.isPublic())
        continue;
      if (!replayable(module, func)) {
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
