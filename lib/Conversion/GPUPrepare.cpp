//===- GPUPrepare.cpp - buffers and serial loops for GPU execution --------===//
//
// rev-gpu-prepare, between convert-linalg-to-parallel-loops and the mapping
// of parallel loops to GPU kernels:
//  - every buffer becomes a host-shared (managed) GPU allocation:
//    memref.alloc -> gpu.alloc host_shared, memref.dealloc -> gpu.dealloc.
//    Kernels and the few host-side accesses (copies, scalars) then read the
//    same memory, and the runtime counts device bytes;
//  - loops left serial at the top level of a function (full reductions)
//    are wrapped in a one-iteration scf.parallel, so that they run in a
//    kernel (one thread) instead of on the host.
//
// rev-gpu-kernel-math, on the gpu.launch bodies before outlining: math
// functions become arithmetic (rsqrt -> 1/sqrt, polynomial approximations
// of exp, log, erf, tanh...) and PTX's own instructions (sqrt.rn, fma.rn,
// abs...), so that kernels need no libdevice (`__nv_*` functions) and their
// PTX assembles without the CUDA toolkit's bitcode.
//
//===----------------------------------------------------------------------===//

#include "rev/Conversion/Passes.h"
#include "rev/Dialect/Rev/IR/RevContract.h"
#include "rev/Utils/LoopUtils.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/TypeSwitch.h"

#include <numeric>

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVGPULOOPORDER
#define GEN_PASS_DEF_REVGPUPREPARE
#define GEN_PASS_DEF_REVGPUSYNCSHAREDALLOCS
#define GEN_PASS_DEF_REVGPUKERNELMATH
#define GEN_PASS_DEF_REVGPUDEVICEBUFFERS
#define GEN_PASS_DEF_REVGPUDEVICEARGUMENTS
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

struct RevGPULoopOrderPass
    : public rev::impl::RevGPULoopOrderBase<RevGPULoopOrderPass> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> generics;
    getOperation().walk([&](linalg::GenericOp g) { generics.push_back(g); });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp generic : generics) {
      // Parallel loops first, reductions last, each in their order.
      SmallVector<unsigned> order;
      auto iterators = generic.getIteratorTypesArray();
      for (auto [i, it] : llvm::enumerate(iterators))
        if (it == utils::IteratorType::parallel)
          order.push_back(i);
      for (auto [i, it] : llvm::enumerate(iterators))
        if (it != utils::IteratorType::parallel)
          order.push_back(i);
      if (llvm::equal(order, llvm::seq<unsigned>(0, order.size())))
        continue;
      rewriter.setInsertionPoint(generic);
      if (failed(linalg::interchangeGenericOp(rewriter, generic, order))) {
        generic.emitError("rev-gpu-loop-order: cannot interchange its loops");
        return signalPassFailure();
      }
    }
  }
};

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
        token = gpu::WaitOp::create(b, alloc.getLoc(),
                                    gpu::AsyncTokenType::get(&getContext()),
                                    deps)
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

struct RevGPUPreparePass
    : public rev::impl::RevGPUPrepareBase<RevGPUPreparePass> {
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

    // Copies (from bufferized slices and concatenations) become parallel
    // loops, so that they run in kernels instead of in the host's
    // memrefCopy (a runtime function of MLIR's, which the GPU programs do
    // not link, and which would move managed pages to the host).
    SmallVector<memref::CopyOp> copies;
    func.walk([&](memref::CopyOp copy) { copies.push_back(copy); });
    for (memref::CopyOp copy : copies)
      if (isa<MemRefType>(copy.getSource().getType()))
        rev::copyToParallelLoop(b, copy);

    // Serial loops at the top level.
    SmallVector<scf::ForOp> serial;
    for (Block &block : func.getBody())
      for (Operation &op : block)
        if (auto loop = dyn_cast<scf::ForOp>(&op))
          serial.push_back(loop);
    for (scf::ForOp loop : serial) {
      if (loop.getNumResults() != 0)
        continue; // (loop-carried values)
      b.setInsertionPoint(loop);
      Location loc = loop.getLoc();
      Value zero = arith::ConstantIndexOp::create(b, loc, 0);
      Value one = arith::ConstantIndexOp::create(b, loc, 1);
      auto wrapper = scf::ParallelOp::create(b, loc, ValueRange{zero},
                                             ValueRange{one}, ValueRange{one});
      Block *body = wrapper.getBody();
      loop->moveBefore(body->getTerminator());
    }

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

struct RevGPUKernelMathPass
    : public rev::impl::RevGPUKernelMathBase<RevGPUKernelMathPass> {
  /// Built once, applied to every launch (a model has a thousand).
  FrozenRewritePatternSet patterns;

  LogicalResult initialize(MLIRContext *context) override {
    RewritePatternSet set(context);
    math::populateExpansionPatterns(set, {"rsqrt"});
    populateMathPolynomialApproximationPatterns(set);
    patterns = FrozenRewritePatternSet(std::move(set));
    return success();
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    OpBuilder b(func.getContext());
    SmallVector<gpu::LaunchOp> launches;
    func.walk([&](gpu::LaunchOp launch) { launches.push_back(launch); });
    for (gpu::LaunchOp launch : launches) {
      if (failed(applyPatternsGreedily(launch, patterns)))
        return signalPassFailure();
      // In kernels, the NVVM lowering would call libdevice for what is
      // left (__nv_sqrtf, __nv_fmaf, __nv_fabsf...) and makes LLVM's
      // intrinsics illegal: PTX's own IEEE-exact instructions instead.
      SmallVector<Operation *> rest;
      launch.walk([&](Operation *op) {
        if (isa<math::SqrtOp, math::FmaOp, math::AbsFOp, math::FloorOp,
                math::CeilOp, math::TruncOp, math::RoundEvenOp>(op) &&
            (op->getResult(0).getType().isF32() ||
             op->getResult(0).getType().isF64()))
          rest.push_back(op);
      });
      for (Operation *op : rest) {
        b.setInsertionPoint(op);
        Type type = op->getResult(0).getType();
        bool f32 = type.isF32();
        std::string suffix = f32 ? ".f32" : ".f64";
        std::string instr =
            TypeSwitch<Operation *, std::string>(op)
                .Case([&](math::SqrtOp) { return "sqrt.rn" + suffix; })
                .Case([&](math::FmaOp) { return "fma.rn" + suffix; })
                .Case([&](math::AbsFOp) { return "abs" + suffix; })
                .Case([&](math::FloorOp) { return "cvt.rmi" + suffix + suffix; })
                .Case([&](math::CeilOp) { return "cvt.rpi" + suffix + suffix; })
                .Case([&](math::TruncOp) { return "cvt.rzi" + suffix + suffix; })
                .Case([&](math::RoundEvenOp) {
                  return "cvt.rni" + suffix + suffix;
                });
        std::string text = instr + " $0";
        std::string constraints = f32 ? "=f" : "=d";
        for (unsigned i = 0, e = op->getNumOperands(); i < e; ++i) {
          text += ", $" + std::to_string(i + 1);
          constraints += f32 ? ",f" : ",d";
        }
        text += ";";
        auto asmOp = LLVM::InlineAsmOp::create(
            b, op->getLoc(), type, op->getOperands(), text, constraints,
            /*has_side_effects=*/false, /*is_align_stack=*/false,
            LLVM::tailcallkind::TailCallKind::None, LLVM::AsmDialectAttr(),
            ArrayAttr());
        op->getResult(0).replaceAllUsesWith(asmOp.getRes());
        op->erase();
      }
    }
  }
};

/// Whether every use of `value` (and of its views) is inside a gpu.launch
/// or is accepted by `otherUse`.
bool onlyKernelsTouch(Value value,
                      llvm::function_ref<bool(OpOperand &)> otherUse) {
  SmallVector<Value> worklist{value};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (user->getParentOfType<gpu::LaunchOp>())
        continue;
      if (auto view = dyn_cast<ViewLikeOpInterface>(user)) {
        if (view.getViewSource() == v && user->getNumResults() == 1) {
          worklist.push_back(user->getResult(0));
          continue;
        }
      }
      if (!otherUse(use))
        return false;
    }
  }
  return true;
}

struct RevGPUDeviceBuffersPass
    : public rev::impl::RevGPUDeviceBuffersBase<RevGPUDeviceBuffersPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    SmallVector<gpu::AllocOp> candidates;
    func.walk([&](gpu::AllocOp alloc) {
      if (!alloc.getHostShared() || alloc.getAsyncToken())
        return; // (already asynchronous: left as it is)
      // (its free, and a gpu.memcpy, which the driver does, are the host
      // uses it may have)
      if (onlyKernelsTouch(alloc.getMemref(), [](OpOperand &use) {
            return isa<gpu::DeallocOp, gpu::MemcpyOp>(use.getOwner());
          }))
        candidates.push_back(alloc);
      else
        ++numManaged;
    });
    // Synchronous here; gpu-async-region (rev-lower-gpu) makes them
    // stream-ordered like the launches.
    OpBuilder b(func.getContext());
    for (gpu::AllocOp alloc : candidates) {
      b.setInsertionPoint(alloc);
      auto device = gpu::AllocOp::create(
          b, alloc.getLoc(), alloc.getMemref().getType(), /*asyncToken=*/Type(),
          ValueRange(), alloc.getDynamicSizes(),
          alloc.getSymbolOperands(), /*hostShared=*/false);
      alloc.getMemref().replaceAllUsesWith(device.getMemref());
      alloc.erase();
      ++numDevice;
    }
  }
};

/// Whether only kernels touch the memref `arg`: its uses, through views and
/// calls into `module`'s functions (whose arguments are checked the same
/// way), are all in a gpu.launch. `known` memoizes function arguments.
bool argumentOnlyKernelsTouch(ModuleOp module, BlockArgument arg,
                              llvm::DenseMap<BlockArgument, bool> &known) {
  // (true while it is being checked: the call graph of a lowered training
  // step has no cycles)
  if (!known.try_emplace(arg, true).second)
    return known[arg];
  bool result = onlyKernelsTouch(arg, [&](OpOperand &use) {
    auto call = dyn_cast<func::CallOp>(use.getOwner());
    auto callee =
        call ? module.lookupSymbol<func::FuncOp>(call.getCallee()) : nullptr;
    return callee && !callee.isExternal() &&
           argumentOnlyKernelsTouch(
               module, callee.getArgument(use.getOperandNumber()), known);
  });
  known[arg] = result;
  return result;
}

struct RevGPUDeviceArgumentsPass
    : public rev::impl::RevGPUDeviceArgumentsBase<RevGPUDeviceArgumentsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::DenseMap<BlockArgument, bool> known;
    Builder b(module.getContext());
    for (auto func : module.getOps<func::FuncOp>()) {
      auto abi = func->getAttrOfType<DictionaryAttr>(rev::kABIAttr);
      if (!abi || func.isExternal() || !func.isPublic())
        continue;
      auto args = abi.getAs<ArrayAttr>("args");
      auto results = abi.getAs<ArrayAttr>("results");
      if (!args || !results ||
          args.size() + results.size() != func.getNumArguments())
        continue;
      SmallVector<Attribute> entries(args.begin(), args.end());
      entries.append(results.begin(), results.end());
      for (auto [k, entry] : llvm::enumerate(entries)) {
        auto dict = dyn_cast<DictionaryAttr>(entry);
        BlockArgument arg = func.getArgument(k);
        if (!dict || !isa<MemRefType>(arg.getType()))
          continue;
        if (!argumentOnlyKernelsTouch(module, arg, known))
          continue;
        NamedAttrList attrs(dict);
        attrs.set("device", b.getBoolAttr(true));
        entry = attrs.getDictionary(module.getContext());
      }
      NamedAttrList newAbi(abi);
      newAbi.set("args", b.getArrayAttr(ArrayRef(entries).take_front(args.size())));
      newAbi.set("results",
                 b.getArrayAttr(ArrayRef(entries).drop_front(args.size())));
      func->setAttr(rev::kABIAttr, newAbi.getDictionary(module.getContext()));
    }
  }
};

} // namespace
