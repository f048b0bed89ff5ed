//===- Availability.cpp - what the backward has of a forward value -------===//

#include "rev/Analysis/Availability.h"
#include "rev/Dialect/Rev/IR/RevContract.h"
#include "rev/Dialect/Rev/IR/RevOps.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace rev {

/// Views and data movement cheaper to recompute in the backward than to
/// store: one pass over their operands, no arithmetic. (Concatenation, tiling
/// and padding copy; recomputed from arguments they are exact, where an
/// inverse would rebuild them up to rounding: i-RevNet's injective padding
/// gives its first coupling input channels that are exactly zero.)
static bool isCheapView(Operation *op) {
  return isa<tosa::ReshapeOp, tosa::TransposeOp, tosa::CastOp, tosa::SliceOp,
             tosa::ReverseOp, tosa::ConstShapeOp, tosa::IdentityOp,
             tosa::ConcatOp, tosa::PadOp, tosa::TileOp, tosa::GatherOp>(op);
}

bool isCheapElementwise(Operation *op) {
  return isa<tosa::AddOp, tosa::SubOp, tosa::MulOp, tosa::NegateOp,
             tosa::ClampOp, tosa::MaximumOp, tosa::MinimumOp, tosa::RsqrtOp,
             tosa::ReciprocalOp, tosa::ExpOp, tosa::AbsOp, tosa::CastOp,
             tosa::ReshapeOp, tosa::GreaterOp, tosa::GreaterEqualOp,
             tosa::EqualOp, tosa::SelectOp, tosa::SigmoidOp, tosa::TanhOp,
             rev::DropoutOp>(op) &&
         op->getNumResults() == 1 && isPure(op);
}

ValueClassifier::ValueClassifier(Block &body) {
  auto func = dyn_cast_or_null<FunctionOpInterface>(body.getParentOp());
  for (BlockArgument arg : body.getArguments()) {
    // (The dropout seed is fixed for the step like a weight: the random
    // streams drawn from it are recomputed, never inverted.)
    bool param = func && &func.getFunctionBody().front() == &body &&
                 (rev::isParam(func, arg.getArgNumber()) ||
                  rev::isDropoutSeed(func, arg.getArgNumber()));
    cache[arg] = param ? ValueClass::Parameter : ValueClass::Argument;
  }
  // One sweep in block order: operands are classified before their users.
  for (Operation &op : body) {
    ValueClass c = ValueClass::Activation;
    if (op.hasTrait<OpTrait::ConstantLike>()) {
      c = ValueClass::Parameter;
    } else if (op.getNumRegions() == 0 && isPure(&op) &&
               op.getNumResults() > 0) {
      bool allParams = true, allRecomputable = true;
      for (Value o : op.getOperands()) {
        ValueClass oc = classify(o);
        allParams &= oc == ValueClass::Parameter;
        allRecomputable &= oc != ValueClass::Activation;
      }
      if (allParams)
        c = ValueClass::Parameter;
      else if (allRecomputable && isCheapView(&op))
        c = ValueClass::View;
    }
    for (Value r : op.getResults())
      cache[r] = c;
  }
}

ValueClass ValueClassifier::classify(Value v) {
  auto it = cache.find(v);
  // Values of nested regions (a coupling's F) and of other blocks.
  return it == cache.end() ? ValueClass::Activation : it->second;
}

} // namespace rev
