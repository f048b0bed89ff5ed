//===- GPUSyncSharedAllocs.cpp - rev-gpu-sync-shared-allocs ---------------===//
//
// rev-gpu-sync-shared-allocs (see its description in Passes.td).
//
//===----------------------------------------------------------------------===//

#include "rev/Conversion/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"


using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVGPUSYNCSHAREDALLOCS
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

struct RevGPUSyncSharedAllocsPass
    : public rev::impl::RevGPUSyncSharedAllocsBase<RevGPUSyncSharedAllocsPass> {
  void runOnOperation() override {
    SmallVector<gpu::AllocOp> allocs;
    getOperation().walk([&](gpu::AllocOp a) {
      if (a.getHostShared() && a.getAsyncToken())
        allocs.push_back(a);
    });
    OpBuilder b(&getContext());
    for (gpu::AllocOp alloc : allocs) {
      b.setInsertionPoint(alloc);
      ValueRange deps = alloc.getAsyncDependencies();
      Value token;
      if (deps.size() == 1)
        token = deps.front();
      else // (none, or several to join)
        token =
            gpu::WaitOp::create(b, alloc.getLoc(),
                                gpu::AsyncTokenType::get(&getContext()), deps)
                .getAsyncToken();
      auto sync = gpu::AllocOp::create(
          b, alloc.getLoc(), alloc.getMemref().getType(), /*asyncToken=*/Type(),
          ValueRange(), alloc.getDynamicSizes(), alloc.getSymbolOperands(),
          /*hostShared=*/true);
      alloc.getMemref().replaceAllUsesWith(sync.getMemref());
      alloc.getAsyncToken().replaceAllUsesWith(token);
      alloc.erase();
    }
  }
};

} // namespace
