//===- TrainPipeline.cpp - the rev-train pipeline -------------------------===//

#include "rev/Conversion/Passes.h"
#include "rev/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

#include <optional>

using namespace mlir;

namespace rev {

void buildTrainStepPipeline(
    OpPassManager &pm, const RevDifferentiateOptions &diff,
    const std::optional<RevReconstructActivationsOptions> &reconstruct,
    bool expandMarked) {
  if (expandMarked) {
    RevLowerCouplingsOptions lower;
    lower.onlyMarked = true;
    pm.addPass(createRevLowerCouplings(lower));
  }
  pm.addPass(createRevDifferentiate(diff));
  if (reconstruct)
    pm.addPass(createRevReconstructActivations(*reconstruct));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void buildTrainPipeline(OpPassManager &pm, const TrainOptions &options) {
  bool planned = !options.memoryBudget.empty();
  if (options.invertMatrices)
    pm.addPass(createRevInvertMatrices());
  if (options.mode == TrainOptions::Mode::Store && !planned) {
    // Flatten couplings: every activation is on the tape.
    pm.addPass(createRevLowerCouplings());
  } else {
    // Couplings written as ordinary graphs (imported models) become rev ops.
    RevFormCouplingsOptions form;
    form.explain = options.explain;
    pm.addNestedPass<func::FuncOp>(createRevFormCouplings(form));
  }
  if (planned) {
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
  }
  RevDifferentiateOptions diff;
  diff.loss = options.loss;
  diff.function = options.function;
  diff.recomputeElementwise = options.recomputeElementwise;
  diff.recomputeSegments = options.recomputeSegments;
  diff.wrt.assign(options.wrt.begin(), options.wrt.end());
  std::optional<RevReconstructActivationsOptions> reconstruct;
  if (options.mode == TrainOptions::Mode::Reversible) {
    reconstruct.emplace();
    reconstruct->checkpointEvery = options.checkpointEvery;
    reconstruct->numerics = options.numerics;
    reconstruct->checkDrift = options.checkDrift;
    reconstruct->recomputeElementwise = options.recomputeElementwise;
    reconstruct->explain = options.explain;
  }
  buildTrainStepPipeline(pm, diff, reconstruct, /*expandMarked=*/planned);
}

func::FuncOp findTrainedFunction(ModuleOp module, StringRef function,
                                 StringRef pass) {
  if (!function.empty()) {
    auto f = module.lookupSymbol<func::FuncOp>(function);
    if (f && !f.isExternal())
      return f;
    // (At the module's location, without printing the module.)
    emitError(module.getLoc()) << pass << ": no function named @" << function;
    return {};
  }
  SmallVector<func::FuncOp> candidates;
  for (auto f : module.getOps<func::FuncOp>())
    if (f.isPublic() && !f.isExternal())
      candidates.push_back(f);
  if (candidates.size() == 1)
    return candidates.front();
  emitError(module.getLoc()) << pass << ": the module has " << candidates.size()
                             << " public functions; choose one with function=";
  return {};
}

void registerTrainPipeline() {
  PassPipelineRegistration<TrainOptions>(
      "rev-train",
      "Build a training step (@train_step, with @<f>_forward and "
      "@<f>_backward) in mode store, checkpoint or reversible",
      buildTrainPipeline);
}

} // namespace rev
