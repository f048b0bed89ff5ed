//===- TrainPipeline.cpp - the rev-train pipeline -------------------------===//

#include "rev/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace rev {

void buildTrainPipeline(OpPassManager &pm, const TrainOptions &options) {
  RevDifferentiateOptions diff;
  diff.loss = options.loss;
  diff.function = options.function;
  diff.recomputeElementwise = options.recomputeElementwise;
  diff.recomputeSegments = options.recomputeSegments;
  diff.wrt.assign(options.wrt.begin(), options.wrt.end());
  if (!options.memoryBudget.empty()) {
    RevFormCouplingsOptions form;
    form.explain = options.explain;
    pm.addNestedPass<func::FuncOp>(createRevFormCouplings(form));
    RevPlanMemoryOptions plan;
    plan.budget = options.memoryBudget;
    plan.loss = options.loss;
    plan.function = options.function;
    plan.wrt.assign(options.wrt.begin(), options.wrt.end());
    plan.recomputeElementwise = options.recomputeElementwise;
    plan.checkpointEvery = options.checkpointEvery;
    plan.explain = options.explain;
    plan.mode = options.mode == TrainOptions::Mode::Reversible ? "reversible"
                : options.mode == TrainOptions::Mode::Store    ? "store"
                                                               : "checkpoint";
    pm.addPass(createRevPlanMemory(plan));
    RevLowerCouplingsOptions lower;
    lower.onlyMarked = true;
    pm.addPass(createRevLowerCouplings(lower));
  } else if (options.mode == TrainOptions::Mode::Store) {
    // Flatten couplings: every activation is on the tape.
    pm.addPass(createRevLowerCouplings());
  } else {
    // Couplings written as ordinary graphs (imported models) become rev ops.
    RevFormCouplingsOptions form;
    form.explain = options.explain;
    pm.addNestedPass<func::FuncOp>(createRevFormCouplings(form));
  }
  pm.addPass(createRevDifferentiate(diff));
  if (options.mode == TrainOptions::Mode::Reversible) {
    RevReconstructActivationsOptions reconstruct;
    reconstruct.checkpointEvery = options.checkpointEvery;
    reconstruct.numerics = options.numerics;
    reconstruct.explain = options.explain;
    pm.addPass(createRevReconstructActivations(reconstruct));
  }
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void registerTrainPipeline() {
  PassPipelineRegistration<TrainOptions>(
      "rev-train",
      "Build a training step (@train_step, with @<f>_forward and "
      "@<f>_backward) in mode store, checkpoint or reversible",
      buildTrainPipeline);
}

} // namespace rev
