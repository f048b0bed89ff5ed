//===- Differentiate.cpp - the rev-differentiate pass ---------------------===//

#include "rev/Autodiff/Differentiate.h"
#include "rev/Dialect/Rev/IR/RevContract.h"
#include "rev/Transforms/Passes.h"

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVDIFFERENTIATE
#include "rev/Transforms/Passes.h.inc"
} // namespace rev

namespace {

struct RevDifferentiatePass
    : public rev::impl::RevDifferentiateBase<RevDifferentiatePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    rev::DifferentiateOptions options;
    options.loss = loss;
    options.wrt.assign(wrt.begin(), wrt.end());
    options.recomputeElementwise = recomputeElementwise;
    options.recomputeSegments = recomputeSegments;

    func::FuncOp target =
        rev::findTrainedFunction(module, function, "rev-differentiate");
    if (!target)
      return signalPassFailure();
    // A memory plan may ask for the segments' recomputation.
    if (auto plan = target->getAttrOfType<DictionaryAttr>(rev::kMemoryPlanAttr))
      if (auto flag = plan.getAs<IntegerAttr>(rev::kRecomputeSegmentsKey))
        options.recomputeSegments |= flag.getInt() != 0;
    if (failed(rev::differentiate(target, options)))
      return signalPassFailure();
  }
};

} // namespace
