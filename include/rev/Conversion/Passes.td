//===- Passes.td - rev lowering passes ---------------------*- tablegen -*-===//

#ifndef REV_CONVERSION_PASSES_TD
#define REV_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def RevAnnotateABI : Pass<"rev-annotate-abi", "::mlir::ModuleOp"> {
  let summary = "Record the tensor-level signature of entry points";
  let description = [{
    Attaches to every public function with ranked tensor (or memref)
    arguments and results a `rev.abi` attribute that records, for each
    argument and result, its `rev.name`, element type and shape, and marks
    the function `llvm.emit_c_interface`. The attribute survives lowering to
    the LLVM dialect, so that `rev-run` (and ahead-of-time users) can call
    the compiled `_mlir_ciface_<name>` function with memref descriptors even
    when given LLVM-level IR. Results become trailing out-parameters (the
    caller allocates them) during bufferization.
  }];
}

def RevLowerTosaF64 : Pass<"rev-lower-tosa-f64", "::mlir::func::FuncOp"> {
  let summary = "Lower f64 convolutions and average pools to linalg";
  let description = [{
    Upstream `tosa-to-linalg(-named)` assumes an f32 (or integer)
    accumulator for `tosa.conv2d`, `tosa.depthwise_conv2d` and
    `tosa.avg_pool2d`, and cannot lower `tosa.max_pool2d`, on f64 tensors. This pass lowers those ops on
    f64 tensors directly to `tensor.pad` + linalg named ops accumulating in
    f64, so that whole training steps can run in float64 (the
    finite-difference checks of the VJP rules do).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

def RevOutlineLoops : Pass<"rev-outline-loops", "::mlir::ModuleOp"> {
  let summary = "Outline each top-level loop nest into a function of its own";
  let description = [{
    After linalg is lowered to loops, a training step is one function with a
    thousand loop nests, and some of LLVM's loop passes (IndVarSimplify,
    LoopRotate) take time superlinear in the number of loops in a function
    (measured: 48 s of `opt -O3` for the RevNet's training step, 28 s of it
    in IndVarSimplify). This pass moves each top-level `scf.for` /
    `scf.parallel` of a function into a private `noinline` function of its
    own (constants are cloned into it, other values used from above become
    arguments), so that each function LLVM optimizes is small.
  }];
  let options = [
    Option<"minOps", "min-ops", "unsigned", /*default=*/"8",
           "Do not outline loop nests with fewer ops than this">,
  ];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

#endif // REV_CONVERSION_PASSES_TD
