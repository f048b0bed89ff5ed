//===- GPULowerLibraryCalls.cpp - cuDNN/cuBLAS calls on the stream --------===//
//
// rev-gpu-lower-library-calls, after gpu-async-region: each
// rev.gpu_library_call becomes a call of rev_cuda_<callee> (rev's CUDA
// runtime) that receives the stream of its dependency (and, for a check's
// report, its number among the module's reports). gpu-to-llvm turns the
// token into that stream; the call's own token is its dependency's, since
// the library runs in stream order.
//
//===----------------------------------------------------------------------===//

#include "LibraryCallLowering.h"
#include "rev/Conversion/Passes.h"
#include "rev/Dialect/Rev/IR/RevOps.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVGPULOWERLIBRARYCALLS
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

struct RevGPULowerLibraryCallsPass
    : public rev::impl::RevGPULowerLibraryCallsBase<
          RevGPULowerLibraryCallsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<rev::GPULibraryCallOp> calls;
    getOperation().walk(
        [&](rev::GPULibraryCallOp call) { calls.push_back(call); });
    MLIRContext *context = &getContext();
    IRRewriter rewriter(context);
    auto tokenType = gpu::AsyncTokenType::get(context);
    auto streamType = LLVM::LLVMPointerType::get(context);
    int64_t reportSites = 0;
    for (rev::GPULibraryCallOp call : calls) {
      Location loc = call.getLoc();
      rewriter.setInsertionPoint(call);
      // The stream: the one dependency's, or a new one (joining several).
      ValueRange deps = call.getAsyncDependencies();
      Value token = deps.size() == 1
                        ? deps.front()
                        : gpu::WaitOp::create(rewriter, loc, tokenType, deps)
                              .getAsyncToken();
      Value stream =
          UnrealizedConversionCastOp::create(rewriter, loc, streamType, token)
              .getResult(0);
      SmallVector<int64_t> params(call.getParams());
      // (a check's report: which of the module's reports it is, so that
      // copies of one check, say in a recomputed forward, keep their
      // values apart in the runtime)
      if (call.getCallee().starts_with(rev::kCheckRangeCallee))
        params.push_back(reportSites++);
      params.push_back(allowTF32 ? 1 : 0);
      SmallVector<Value> args{stream};
      llvm::append_range(args, rev::libraryCallArguments(
                                   rewriter, loc,
                                   llvm::to_vector(llvm::concat<Value>(
                                       call.getInputs(), call.getOutputs())),
                                   params));
      FailureOr<func::FuncOp> callee = rev::declareLibraryFunction(
          rewriter, call, ("rev_cuda_" + call.getCallee()).str(),
          ValueRange(args).getTypes());
      if (failed(callee))
        return signalPassFailure();
      func::CallOp::create(rewriter, loc, *callee, args);
      if (Value done = call.getAsyncToken())
        done.replaceAllUsesWith(token);
      else // (synchronous: the host waits for the stream)
        gpu::WaitOp::create(rewriter, loc, Type(), ValueRange{token});
      rewriter.eraseOp(call);
    }
  }
};

} // namespace
