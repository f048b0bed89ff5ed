//===- GPULoopOrder.cpp - rev-gpu-loop-order ------------------------------===//
//
// rev-gpu-loop-order (see its description in Passes.td).
//
//===----------------------------------------------------------------------===//

#include "rev/Conversion/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"


using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVGPULOOPORDER
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

struct RevGPULoopOrderPass
    : public rev::impl::RevGPULoopOrderBase<RevGPULoopOrderPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    // Named ops with a reduction before a parallel loop (linalg.reduce over
    // the batch: a bias gradient) become generic ops first.
    SmallVector<linalg::LinalgOp> named;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isa<linalg::GenericOp>(op) || !op.hasPureBufferSemantics())
        return;
      auto iterators = op.getIteratorTypesArray();
      auto firstReduction =
          llvm::find_if(iterators, [](utils::IteratorType it) {
            return it != utils::IteratorType::parallel;
          });
      if (std::find(firstReduction, iterators.end(),
                    utils::IteratorType::parallel) != iterators.end())
        named.push_back(op);
    });
    for (linalg::LinalgOp op : named) {
      rewriter.setInsertionPoint(op);
      if (failed(linalg::generalizeNamedOp(rewriter, op)))
        ++numKept;
    }
    SmallVector<linalg::GenericOp> generics;
    getOperation().walk([&](linalg::GenericOp g) { generics.push_back(g); });
    for (linalg::GenericOp generic : generics) {
      // Parallel loops first, reductions last, each in their order.
      SmallVector<unsigned> order;
      auto iterators = generic.getIteratorTypesArray();
      for (auto [i, it] : llvm::enumerate(iterators))
        if (it == utils::IteratorType::parallel)
          order.push_back(i);
      for (auto [i, it] : llvm::enumerate(iterators))
        if (it != utils::IteratorType::parallel)
          order.push_back(i);
      if (llvm::equal(order, llvm::seq<unsigned>(0, order.size())))
        continue;
      rewriter.setInsertionPoint(generic);
      // `order` is a permutation of all the loops, which is all that
      // interchangeGenericOp's precondition asks: it cannot fail.
      FailureOr<linalg::GenericOp> interchanged =
          linalg::interchangeGenericOp(rewriter, generic, order);
      assert(succeeded(interchanged) && "a permutation of all loops");
      (void)interchanged;
    }
  }
};

} // namespace
