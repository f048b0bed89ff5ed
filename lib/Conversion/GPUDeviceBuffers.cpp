//===- GPUDeviceBuffers.cpp - rev-gpu-device-buffers ----------------------===//
//
// rev-gpu-device-buffers: buffers only kernels touch become device memory
// (see its description in Passes.td).
//
//===----------------------------------------------------------------------===//

#include "GPUKernelUses.h"

#include "rev/Conversion/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"


using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVGPUDEVICEBUFFERS
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

struct RevGPUDeviceBuffersPass
    : public rev::impl::RevGPUDeviceBuffersBase<RevGPUDeviceBuffersPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::DenseMap<BlockArgument, bool> known;
    SmallVector<gpu::AllocOp> candidates;
    module.walk([&](gpu::AllocOp alloc) {
      if (!alloc.getHostShared() || alloc.getAsyncToken())
        return; // (already asynchronous: left as it is)
      // (its free, and a gpu.memcpy, which the driver does, are the host
      // uses it may have; a call passes it to kernels if the callee's
      // argument is only touched by them)
      if (rev::onlyKernelsTouchThroughCalls(
              module, alloc.getMemref(), known, [](OpOperand &use) {
                return isa<gpu::DeallocOp, gpu::MemcpyOp>(use.getOwner());
              }))
        candidates.push_back(alloc);
      else
        ++numManaged;
    });
    // Synchronous here; gpu-async-region (rev-lower-gpu) makes them
    // stream-ordered like the launches.
    OpBuilder b(module.getContext());
    for (gpu::AllocOp alloc : candidates) {
      b.setInsertionPoint(alloc);
      auto device = gpu::AllocOp::create(
          b, alloc.getLoc(), alloc.getMemref().getType(), /*asyncToken=*/Type(),
          ValueRange(), alloc.getDynamicSizes(), alloc.getSymbolOperands(),
          /*hostShared=*/false);
      alloc.getMemref().replaceAllUsesWith(device.getMemref());
      alloc.erase();
      ++numDevice;
    }
  }
};

} // namespace
