//===- Passes.h - rev transformation passes ---------------------*- C++ -*-===//

#ifndef REV_TRANSFORMS_PASSES_H
#define REV_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassOptions.h"

#include "rev/Autodiff/Differentiate.h"
#include "rev/Dialect/Rev/IR/RevDialect.h"

#include <optional>

namespace rev {

#define GEN_PASS_DECL
#include "rev/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "rev/Transforms/Passes.h.inc"

/// Options of the `rev-train` pipeline.
struct TrainOptions : public mlir::PassPipelineOptions<TrainOptions> {
  enum class Mode { Store, Checkpoint, Reversible };
  Option<Mode> mode{
      *this, "mode", llvm::cl::desc("What the training step keeps on its tape"),
      llvm::cl::values(
          clEnumValN(Mode::Store, "store",
                     "every activation (what PyTorch autograd does); "
                     "couplings are flattened first"),
          clEnumValN(Mode::Checkpoint, "checkpoint",
                     "couplings' inputs; F and G recomputed in the backward"),
          clEnumValN(Mode::Reversible, "reversible",
                     "only what cannot be reconstructed by inverting the "
                     "couplings (RevNet)")),
      llvm::cl::init(Mode::Reversible)};
  Option<LossKind> loss{
      *this, "loss",
      llvm::cl::desc(
          "The loss the step differentiates: mse, cross-entropy or vjp"),
      llvm::cl::values(
          clEnumValN(LossKind::MSE, "mse",
                     "mean squared error against `target` (PyTorch's "
                     "mse_loss)"),
          clEnumValN(LossKind::CrossEntropy, "cross-entropy",
                     "softmax cross-entropy against int64 `labels`, mean "
                     "over the batch"),
          clEnumValN(LossKind::VJP, "vjp",
                     "none: the backward takes the outputs' cotangents "
                     "`grad.<output>`")),
      llvm::cl::init(LossKind::MSE)};
  Option<std::string> function{
      *this, "function",
      llvm::cl::desc("Function to train (default: the only public one)"),
      llvm::cl::init("")};
  Option<unsigned> checkpointEvery{
      *this, "checkpoint-every",
      llvm::cl::desc("reversible: keep every K-th block's input on the tape "
                     "(0: only what cannot be reconstructed)"),
      llvm::cl::init(0)};
  Option<bool> explain{
      *this, "explain",
      llvm::cl::desc("Remarks: the couplings formed and rejected, and in "
                     "reversible mode every tape entry kept with the op "
                     "that stops its inversion"),
      llvm::cl::init(false)};
  Option<bool> recomputeElementwise{
      *this, "recompute-elementwise",
      llvm::cl::desc("Recompute in the backward the tape entries that a few "
                     "cheap elementwise ops rebuild from other entries "
                     "(a BatchNorm's normalized and affine results, a ReLU's "
                     "output) instead of storing them"),
      llvm::cl::init(true)};
  Option<bool> recomputeSegments{
      *this, "recompute-segments",
      llvm::cl::desc("Also recompute tape entries of 4 KiB or more through "
                     "convolutions, matmuls, pooling and reductions: the "
                     "non-invertible segments (a stem, strided transitions, "
                     "ordinary residual blocks) are checkpointed at their "
                     "inputs (memory-budget turns "
                     "it on by itself when the budget needs it)"),
      llvm::cl::init(false)};
  Option<bool> invertMatrices{
      *this, "invert-matrices",
      llvm::cl::desc("Invert square 1x1 convolutions by learned matrices "
                     "(Glow's invertible 1x1 convolution) like other glue: "
                     "Newton-Schulz and one refinement step, exact up to "
                     "the matrix's conditioning (rev-invert-matrices)"),
      llvm::cl::init(false)};
  Option<unsigned> checkDrift{
      *this, "check-drift",
      llvm::cl::desc("reversible: where at least this many couplings are "
                     "inverted (0: never), check at run time that the inputs "
                     "rebuilt at the bottom of each reversible run agree "
                     "with a stored fingerprint within 0.1% of their norm "
                     "(rev-reconstruct-activations check-drift; a "
                     "diagnostic)"),
      llvm::cl::init(0)};
  Option<bool> numerics{
      *this, "numerics",
      llvm::cl::desc("reversible: also return, per coupling, "
                     "reconstruction_error.<block> = max |stored - "
                     "reconstructed| of its inputs (keeps the stored "
                     "activations: for checking, not for saving memory)"),
      llvm::cl::init(false)};
  Option<std::string> memoryBudget{
      *this, "memory-budget",
      llvm::cl::desc("Plan the reversible step for this peak (bytes, with "
                     "K/M/G/KiB/MiB/GiB, or auto: the memory available "
                     "now): couplings are stored, most recomputation saved "
                     "per byte first, while the estimated peak fits; the "
                     "rest are inverted (rev-plan-memory). An error gives "
                     "the smallest feasible budget"),
      llvm::cl::init("")};
  ListOption<std::string> wrt{
      *this, "wrt",
      llvm::cl::desc("rev.names of the arguments to differentiate with "
                     "respect to (default: the trainable parameters); name a "
                     "model input to get its gradient too (loss=vjp inside a "
                     "larger program)")};
};

/// import -> (form couplings) -> differentiate -> (reconstruct) -> clean up.
void buildTrainPipeline(mlir::OpPassManager &pm, const TrainOptions &options);

/// rev-train once the couplings are formed (and planned): the couplings
/// marked rev.store expanded (`expandMarked`), differentiation,
/// reconstruction (reversible mode), clean-up. rev-plan-memory builds its
/// candidates with it.
void buildTrainStepPipeline(
    mlir::OpPassManager &pm, const RevDifferentiateOptions &diff,
    const std::optional<RevReconstructActivationsOptions> &reconstruct,
    bool expandMarked);
void registerTrainPipeline();

/// The function to train: `function`, or else the module's only public
/// function with a body (rev-differentiate's and rev-plan-memory's rule).
/// Null after an error at the module's location, prefixed with `pass`.
mlir::func::FuncOp findTrainedFunction(mlir::ModuleOp module,
                                       llvm::StringRef function,
                                       llvm::StringRef pass);

/// rev-rematerialize on one block: returns the number of values recomputed.
unsigned rematerialize(mlir::Block &body, unsigned maxOps);

/// The estimated peak of live tensor bytes of each function of `module`
/// (rev::PeakEstimator). With `modelLowering`, the estimate is taken on a
/// copy in which rev-rematerialize ran on every function, as the CPU
/// lowering runs it (with more ops per recomputation, standing for the
/// lowering's fusion of elementwise chains).
llvm::StringMap<int64_t> estimatePeaks(mlir::ModuleOp module,
                                       bool modelLowering);

} // namespace rev

#endif // REV_TRANSFORMS_PASSES_H
