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

    func::FuncOp target;
    if (!function.empty()) {
      target = module.lookupSymbol<func::FuncOp>(function);
      if (!target) {
        module.emitError() << "rev-differentiate: no function named @"
                           << function;
        return signalPassFailure();
      }
    } else {
      SmallVector<func::FuncOp> candidates;
      for (auto f : module.getOps<func::FuncOp>())
        if (f.isPublic() && !f.isExternal())
          candidates.push_back(f);
      if (candidates.size() != 1) {
        module.emitError() << "rev-differentiate: the module has "
                           << candidates.size()
                           << " public functions; choose one with function=";
        return signalPassFailure();
      }
      target = candidates.front();
    }
    // A memory plan may ask for the segments' recomputation.
    if (auto plan = target->getAttrOfType<DictionaryAttr>(rev::kMemoryPlanAttr))
      if (auto flag = plan.getAs<IntegerAttr>(rev::kRecomputeSegmentsKey))
        options.recomputeSegments |= flag.getInt() != 0;
    if (failed(rev::differentiate(target, options)))
      return signalPassFailure();
  }
};

} // namespace
