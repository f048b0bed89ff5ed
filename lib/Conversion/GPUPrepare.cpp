//===- GPUPrepare.cpp - buffers, library calls and loops for GPUs ---------===//
//
// rev-gpu-prepare, between convert-linalg-to-parallel-loops and the mapping
// of parallel loops to GPU kernels:
//  - every buffer becomes a host-shared (managed) GPU allocation:
//    memref.alloc -> gpu.alloc host_shared, memref.dealloc -> gpu.dealloc.
//    Kernels and the few host-side accesses (copies, scalars) then read the
//    same memory, and the runtime counts device bytes;
//  - library calls (cuDNN, cuBLAS) on buffers go on the stream with the
//    kernels: rev.library_call -> rev.gpu_library_call;
//  - each outermost parallel loop is collapsed into one dimension.
//
//===----------------------------------------------------------------------===//

#include "LibraryCallLowering.h"
#include "rev/Conversion/Passes.h"
#include "rev/Dialect/Rev/IR/RevOps.h"
#include "rev/Utils/LoopUtils.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/Builders.h"

#include <numeric>

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVGPUPREPARE
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

struct RevGPUPreparePass
    : public rev::impl::RevGPUPrepareBase<RevGPUPreparePass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    OpBuilder b(func.getContext());

    // Constants (memref.global) are host memory, which kernels cannot read:
    // each one a function uses is copied (gpu.memcpy: the driver copies
    // from host memory) at the function's entry into a buffer that becomes
    // GPU memory below, and freed before the function returns.
    SmallVector<memref::GetGlobalOp> globals;
    func.walk([&](memref::GetGlobalOp g) { globals.push_back(g); });
    for (memref::GetGlobalOp global : globals) {
      auto type = global.getType();
      if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
          global->getParentOp() != func)
        continue;
      Location loc = global.getLoc();
      b.setInsertionPointAfter(global);
      auto copy = memref::AllocOp::create(b, loc, type);
      global.getResult().replaceAllUsesWith(copy.getResult());
      gpu::MemcpyOp::create(b, loc, /*asyncToken=*/Type(), ValueRange(),
                            copy.getResult(), global.getResult());
      func.walk([&](func::ReturnOp ret) {
        OpBuilder rb(ret);
        memref::DeallocOp::create(rb, ret.getLoc(), copy.getResult());
      });
    }

    // Buffers.
    SmallVector<memref::AllocOp> allocs;
    func.walk([&](memref::AllocOp a) { allocs.push_back(a); });
    for (memref::AllocOp alloc : allocs) {
      b.setInsertionPoint(alloc);
      auto shared = gpu::AllocOp::create(
          b, alloc.getLoc(), alloc.getType(), /*asyncToken=*/Type(),
          /*asyncDependencies=*/ValueRange(), alloc.getDynamicSizes(),
          alloc.getSymbolOperands(), /*hostShared=*/true);
      alloc.getResult().replaceAllUsesWith(shared.getMemref());
      alloc.erase();
    }
    // Frees: gpu.dealloc, synchronous here; rev-lower-gpu's
    // gpu-async-region makes them asynchronous on the function's stream
    // (the only form upstream's gpu-to-llvm lowers), like the launches.
    SmallVector<memref::DeallocOp> deallocs;
    func.walk([&](memref::DeallocOp d) {
      if (d.getMemref().getDefiningOp<gpu::AllocOp>())
        deallocs.push_back(d);
    });
    for (memref::DeallocOp dealloc : deallocs) {
      b.setInsertionPoint(dealloc);
      gpu::DeallocOp::create(b, dealloc.getLoc(), /*asyncToken=*/Type(),
                             ValueRange(), dealloc.getMemref());
      dealloc.erase();
    }

    // Library calls: asynchronous GPU operations, which gpu-async-region
    // chains on the stream token like the launches.
    SmallVector<rev::LibraryCallOp> calls;
    func.walk([&](rev::LibraryCallOp call) { calls.push_back(call); });
    for (rev::LibraryCallOp call : calls) {
      if (!call.getResults().empty()) {
        call.emitOpError("on tensors: bufferize before rev-gpu-prepare");
        return signalPassFailure();
      }
      b.setInsertionPoint(call);
      rev::GPULibraryCallOp::create(b, call.getLoc(), /*asyncToken=*/Type(),
                                    /*asyncDependencies=*/ValueRange(),
                                    call.getCallee(), call.getInputs(),
                                    call.getOutputs(), call.getParams());
      call.erase();
    }

    // Reports of run-time checks: a call on the stream that copies the two
    // values to the host (rev_cuda_check_range_i<N>); the runtime compares
    // them once the step is done, so the host does not wait for them here.
    SmallVector<rev::ReportRangeOp> reports;
    func.walk([&](rev::ReportRangeOp op) { reports.push_back(op); });
    for (rev::ReportRangeOp op : reports) {
      auto type = dyn_cast<MemRefType>(op.getMin().getType());
      if (!type) {
        op.emitOpError("on tensors: bufferize before rev-gpu-prepare");
        return signalPassFailure();
      }
      unsigned width = type.getElementTypeBitWidth();
      if (width != 8 && width != 16 && width != 32 && width != 64) {
        op.emitOpError() << "checks i" << width
                         << " indices: the GPU runtime reports i8, i16, i32 "
                            "and i64";
        return signalPassFailure();
      }
      b.setInsertionPoint(op);
      rev::GPULibraryCallOp::create(
          b, op.getLoc(), /*asyncToken=*/Type(),
          /*asyncDependencies=*/ValueRange(),
          (rev::kCheckRangeCallee + Twine(width)).str(),
          ValueRange{op.getMin(), op.getMax()}, /*outputs=*/ValueRange(),
          b.getDenseI64ArrayAttr({op.getCheckAttr().getInt(),
                                  op.getLowerBound(), op.getUpperBound()}));
      op.erase();
    }

    // Copies (from bufferized slices and concatenations) become parallel
    // loops, so that they run in kernels instead of in the host's
    // memrefCopy (a runtime function of MLIR's, which the GPU programs do
    // not link, and which would move managed pages to the host).
    SmallVector<memref::CopyOp> copies;
    func.walk([&](memref::CopyOp copy) { copies.push_back(copy); });
    for (memref::CopyOp copy : copies)
      if (isa<MemRefType>(copy.getSource().getType()))
        rev::copyToParallelLoop(b, copy);

    // Parallel loops with the same iteration space, one after the other,
    // fused (fewer kernels).
    if (fuse)
      rev::fuseParallelLoops(func.getBody());

    // Outermost parallel loops: all dimensions in one.
    SmallVector<scf::ParallelOp> outermost;
    func.walk([&](scf::ParallelOp loop) {
      if (loop.getNumLoops() > 1 && !loop->getParentOfType<scf::ParallelOp>())
        outermost.push_back(loop);
    });
    IRRewriter rewriter(func.getContext());
    for (scf::ParallelOp loop : outermost) {
      std::vector<unsigned> all(loop.getNumLoops());
      std::iota(all.begin(), all.end(), 0u);
      rewriter.setInsertionPoint(loop);
      collapseParallelLoops(rewriter, loop, {all});
    }
  }
};

} // namespace
