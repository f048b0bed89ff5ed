//===- ForwardOutParams.cpp - compute results in their out-parameters ----===//
//
// buffer-results-to-out-params ends a function with copies of its results
// into the caller's buffers; with hoist-static-allocs it writes a result
// straight into the out-parameter when the returned value is an allocation
// made for it, but not when it is a view of one (a reshape:
// memref.collapse_shape or expand_shape, as the tape values of our training
// steps often are), nor when the allocation is filled by a call (the step
// calling its forward and backward functions). This pass handles those: the
// allocation becomes the out-parameter (or its inverse reshape), and the
// copy goes.
//
//===----------------------------------------------------------------------===//

#include "rev/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVFORWARDOUTPARAMS
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

bool isPlain(MemRefType type) {
  return type.hasStaticShape() && type.getLayout().isIdentity();
}

/// Rewrites `copy` (src a reshape chain of an allocation, dst an
/// out-parameter) so that the allocation is a view of the out-parameter.
bool forward(memref::CopyOp copy) {
  auto dst = dyn_cast<BlockArgument>(copy.getTarget());
  auto dstType = dyn_cast<MemRefType>(copy.getTarget().getType());
  if (!dst || !dstType || !isPlain(dstType) || !dst.hasOneUse() ||
      copy.getSource().getType() != dstType)
    return false;
  // The reshapes from the allocation to the copied value.
  SmallVector<Operation *> chain;
  Value v = copy.getSource();
  while (Operation *def = v.getDefiningOp()) {
    if (auto collapse = dyn_cast<memref::CollapseShapeOp>(def))
      v = collapse.getSrc();
    else if (auto expand = dyn_cast<memref::ExpandShapeOp>(def))
      v = expand.getSrc();
    else
      break;
    chain.push_back(def);
  }
  auto alloc = v.getDefiningOp<memref::AllocOp>();
  if (!alloc || alloc->getBlock() != copy->getBlock() ||
      !isPlain(alloc.getType()))
    return false;
  // Only copies into other out-parameters, and a return without memrefs,
  // may follow: nothing writes the allocation after the copy.
  for (Operation *op = copy->getNextNode(); op; op = op->getNextNode()) {
    if (auto later = dyn_cast<memref::CopyOp>(op)) {
      if (!isa<BlockArgument>(later.getTarget()))
        return false;
      continue;
    }
    if (isa<func::ReturnOp>(op) &&
        llvm::none_of(op->getOperandTypes(), llvm::IsaPred<BaseMemRefType>))
      continue;
    return false;
  }
  // The inverse views, from the out-parameter back to the allocation's type.
  OpBuilder b(alloc);
  SmallVector<Operation *> created;
  Value view = dst;
  for (Operation *op : chain) { // (from the copied value back)
    Location loc = op->getLoc();
    if (auto collapse = dyn_cast<memref::CollapseShapeOp>(op))
      view = memref::ExpandShapeOp::create(
          b, loc, collapse.getSrcType().getShape(), view,
          collapse.getReassociationIndices());
    else {
      auto expand = cast<memref::ExpandShapeOp>(op);
      view = memref::CollapseShapeOp::create(b, loc, view,
                                             expand.getReassociationIndices());
    }
    created.push_back(view.getDefiningOp());
  }
  if (view.getType() != alloc.getType()) {
    for (Operation *op : llvm::reverse(created))
      op->erase();
    return false;
  }
  alloc.getResult().replaceAllUsesWith(view);
  alloc.erase();
  copy.erase();
  return true;
}

struct RevForwardOutParamsPass
    : public rev::impl::RevForwardOutParamsBase<RevForwardOutParamsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal() || !func.getBody().hasOneBlock())
      return;
    SmallVector<memref::CopyOp> copies;
    for (Operation &op : func.getBody().front())
      if (auto copy = dyn_cast<memref::CopyOp>(&op))
        copies.push_back(copy);
    for (memref::CopyOp copy : copies)
      if (forward(copy))
        ++numForwarded;
  }
};

} // namespace
