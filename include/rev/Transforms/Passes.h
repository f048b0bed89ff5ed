//===- Passes.h - rev transformation passes ---------------------*- C++ -*-===//

#ifndef REV_TRANSFORMS_PASSES_H
#define REV_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassOptions.h"

#include "rev/Dialect/Rev/IR/RevDialect.h"

namespace rev {

#define GEN_PASS_DECL
#include "rev/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "rev/Transforms/Passes.h.inc"

/// Options of the `rev-train` pipeline.
struct TrainOptions : public mlir::PassPipelineOptions<TrainOptions> {
  Option<std::string> mode{
      *this, "mode",
      llvm::cl::desc("store (every activation on the tape, as PyTorch "
                     "autograd), checkpoint (coupling inputs on the tape, F "
                     "and G recomputed) or reversible (activations "
                     "reconstructed by inverting the couplings)"),
      llvm::cl::init("reversible")};
  Option<std::string> loss{*this, "loss",
                           llvm::cl::desc("mse, cross-entropy or vjp"),
                           llvm::cl::init("mse")};
  Option<std::string> function{
      *this, "function",
      llvm::cl::desc("Function to train (default: the only public one)"),
      llvm::cl::init("")};
  Option<unsigned> checkpointEvery{
      *this, "checkpoint-every",
      llvm::cl::desc("reversible: keep every K-th block's input on the tape "
                     "(0: only what cannot be reconstructed)"),
      llvm::cl::init(0)};
};

/// import -> (form couplings) -> differentiate -> (reconstruct) -> clean up.
void buildTrainPipeline(mlir::OpPassManager &pm, const TrainOptions &options);
void registerTrainPipeline();

} // namespace rev

#endif // REV_TRANSFORMS_PASSES_H
