//===- GPUKernelMath.cpp - math without libdevice -------------------------===//
//
// rev-gpu-kernel-math, on the gpu.launch bodies before outlining: math
// functions become arithmetic (rsqrt -> 1/sqrt, polynomial approximations
// of exp, log, erf, tanh...) and PTX's own instructions (sqrt.rn, fma.rn,
// abs...), so that kernels need no libdevice (`__nv_*` functions) and their
// PTX assembles without the CUDA toolkit's bitcode.
//
//===----------------------------------------------------------------------===//

#include "rev/Conversion/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/Builders.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/TypeSwitch.h"


using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVGPUKERNELMATH
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

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
                .Case(
                    [&](math::FloorOp) { return "cvt.rmi" + suffix + suffix; })
                .Case([&](math::CeilOp) { return "cvt.rpi" + suffix + suffix; })
                .Case(
                    [&](math::TruncOp) { return "cvt.rzi" + suffix + suffix; })
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

} // namespace
