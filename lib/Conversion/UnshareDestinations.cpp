//===- UnshareDestinations.cpp - one initial value per destination use ----===//

#include "rev/Conversion/Passes.h"

#include "mlir/Interfaces/DestinationStyleOpInterface.h"

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVUNSHAREDESTINATIONS
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

/// The ops that make a cheap initial value, the last one producing it: an
/// empty tensor, or a fill of one (or of a reshape of one); empty if `op`
/// is not such a value.
SmallVector<Operation *> cheapInit(Operation *op) {
  SmallVector<Operation *> chain;
  if (isa<tensor::EmptyOp>(op))
    return {op};
  auto fill = dyn_cast<linalg::FillOp>(op);
  if (!fill)
    return {};
  chain.push_back(fill);
  Operation *def = fill.getOutputs()[0].getDefiningOp();
  while (def && isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(def)) {
    chain.push_back(def);
    def = def->getOperand(0).getDefiningOp();
  }
  if (!def || !isa<tensor::EmptyOp>(def))
    return {};
  chain.push_back(def);
  std::reverse(chain.begin(), chain.end());
  return chain;
}

struct RevUnshareDestinationsPass
    : public rev::impl::RevUnshareDestinationsBase<RevUnshareDestinationsPass> {
  void runOnOperation() override {
    OpBuilder b(&getContext());
    auto unshare = [&](Operation *user, OpOperand &init) {
      Operation *def = init.get().getDefiningOp();
      SmallVector<Operation *> chain;
      if (def)
        chain = cheapInit(def);
      if (chain.empty())
        return;
      b.setInsertionPoint(user);
      IRMapping mapping;
      for (Operation *op : chain)
        b.clone(*op, mapping);
      init.set(mapping.lookup(def->getResult(0)));
      // The clone sits right before its user (so its buffer is allocated
      // when needed); the original goes once nothing uses it.
      for (Operation *op : llvm::reverse(chain)) {
        if (!op->use_empty())
          break;
        op->erase();
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
