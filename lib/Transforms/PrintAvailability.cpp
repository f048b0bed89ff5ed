//===- PrintAvailability.cpp - remark the availability of values ----------===//

#include "rev/Analysis/Availability.h"
#include "rev/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"

namespace rev {
#define GEN_PASS_DEF_REVPRINTAVAILABILITY
#include "rev/Transforms/Passes.h.inc"
} // namespace rev

using namespace mlir;

namespace {

const char *className(rev::ValueClass c) {
  switch (c) {
  case rev::ValueClass::Argument:
    return "argument";
  case rev::ValueClass::Parameter:
    return "parameter-derived";
  case rev::ValueClass::View:
    return "view";
  case rev::ValueClass::Activation:
    return "activation";
  }
  return "?";
}

struct RevPrintAvailabilityPass
    : public rev::impl::RevPrintAvailabilityBase<RevPrintAvailabilityPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    Block &body = func.getBody().front();
    rev::ValueClassifier classes(body);
    for (BlockArgument arg : body.getArguments())
      if (isa<RankedTensorType>(arg.getType()))
        emitRemark(func.getLoc()) << "argument #" << arg.getArgNumber() << ": "
                                  << className(classes.classify(arg));
    for (Operation &op : body)
      for (OpResult result : op.getResults()) {
        if (!isa<RankedTensorType>(result.getType()))
          continue;
        InFlightDiagnostic remark = op.emitRemark();
        if (op.getNumResults() > 1)
          remark << "result #" << result.getResultNumber() << ": ";
        remark << className(classes.classify(result));
        if (rev::isCheapElementwise(&op))
          remark << ", cheap elementwise";
      }
  }
};

} // namespace
