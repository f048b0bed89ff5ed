//===- UnshareDestinations.cpp - one initial value per destination use ----===//

#include "rev/Conversion/Passes.h"

#include "mlir/Interfaces/DestinationStyleOpInterface.h"

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVUNSHAREDESTINATIONS
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

/// Producers that are cheap to duplicate: an empty tensor, or a fill of one.
bool isCheapInit(Operation *op) {
  if (isa<tensor::EmptyOp>(op))
    return true;
  if (auto fill = dyn_cast<linalg::FillOp>(op))
    return fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>() != nullptr;
  return false;
}

struct RevUnshareDestinationsPass
    : public rev::impl::RevUnshareDestinationsBase<RevUnshareDestinationsPass> {
  void runOnOperation() override {
    OpBuilder b(&getContext());
    auto unshare = [&](Operation *user, OpOperand &init) {
      Operation *def = init.get().getDefiningOp();
      if (!def || !isCheapInit(def))
        return;
      b.setInsertionPoint(user);
      IRMapping mapping;
      if (auto fill = dyn_cast<linalg::FillOp>(def)) {
        Operation *empty = fill.getOutputs()[0].getDefiningOp();
        mapping.map(empty->getResult(0), b.clone(*empty)->getResult(0));
      }
      init.set(b.clone(*def, mapping)->getResult(0));
      // The clone sits right before its user (so its buffer is allocated
      // when needed); the original goes once nothing uses it.
      if (def->use_empty()) {
        Operation *empty = nullptr;
        if (auto fill = dyn_cast<linalg::FillOp>(def))
          empty = fill.getOutputs()[0].getDefiningOp();
        def->erase();
        if (empty && empty->use_empty())
          empty->erase();
      }
    };
    getOperation().walk([&](Operation *op) {
      // Values written into: destination operands, and the initial values
      // of loop-carried tensors (tiled loops write into them).
      if (auto dps = dyn_cast<DestinationStyleOpInterface>(op))
        for (OpOperand &init : dps.getDpsInitsMutable())
          unshare(op, init);
      if (auto loop = dyn_cast<scf::ForOp>(op))
        for (OpOperand &init : loop.getInitArgsMutable())
          unshare(op, init);
    });
  }
};

} // namespace
