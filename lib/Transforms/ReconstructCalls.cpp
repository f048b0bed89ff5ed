//===- ReconstructCalls.cpp - the train_step calls of a rewritten pair ----===//
//
// Part of rev-reconstruct-activations (Reconstructor.h).
//
//===----------------------------------------------------------------------===//

#include "Reconstructor.h"
#include "rev/Dialect/Rev/IR/RevContract.h"

namespace rev::reconstruct {

LogicalResult Reconstructor::findCalls(ModuleOp module) {
  auto uses = SymbolTable::getSymbolUses(backward, module);
  if (!uses)
    return success();
  for (const SymbolTable::SymbolUse &use : *uses) {
    auto call = dyn_cast<func::CallOp>(use.getUser());
    if (!call)
      continue;
    if (bwdCall)
      return backward.emitError()
             << "rev-reconstruct-activations: @" << backward.getSymName()
             << " is called more than once";
    bwdCall = call;
  }
  if (!bwdCall)
    return success();
  for (Value operand : bwdCall.getOperands())
    if (auto r = dyn_cast<OpResult>(operand))
      if (auto call = dyn_cast<func::CallOp>(r.getOwner()))
        if (call.getCallee() == forward.getSymName())
          fwdCall = call;
  if (!fwdCall) // (a backward reading no forward result)
    for (Operation *op = bwdCall->getPrevNode(); op && !fwdCall;
         op = op->getPrevNode())
      if (auto call = dyn_cast<func::CallOp>(op))
        if (call.getCallee() == forward.getSymName())
          fwdCall = call;
  if (!fwdCall)
    return bwdCall.emitError()
           << "rev-reconstruct-activations: the call to @"
           << backward.getSymName() << " does not read a call to @"
           << forward.getSymName();
  if (fwdCall->getBlock() != bwdCall->getBlock() ||
      !fwdCall->isBeforeInBlock(bwdCall))
    return bwdCall.emitError() << "rev-reconstruct-activations: the forward "
                                  "call must precede the backward call";
  return success();
}

void Reconstructor::rewriteCalls() {
  if (!bwdCall)
    return;
  OpBuilder b(fwdCall);
  auto newFwd = func::CallOp::create(b, fwdCall.getLoc(), forward,
                                     fwdCall.getOperands());
  for (auto [k, old] : llvm::enumerate(fwdResultOld))
    if (old >= 0)
      fwdCall.getResult(old).replaceAllUsesWith(newFwd.getResult(k));
  SmallVector<Value> operands;
  for (const Source &s : sources)
    operands.push_back(s.kind == Source::FwdResult ? newFwd.getResult(s.index)
                       : s.kind == Source::FwdArg  ? newFwd.getOperand(s.index)
                                                   : s.external);
  b.setInsertionPoint(bwdCall);
  auto newBwd = func::CallOp::create(b, bwdCall.getLoc(), backward, operands);
  unsigned oldResults = bwdCall.getNumResults();
  bwdCall.replaceAllUsesWith(newBwd.getResults().take_front(oldResults));
  bwdCall.erase();
  fwdCall.erase();
  // numerics: the training step returns the reconstruction errors too.
  if (newBwd.getNumResults() == oldResults)
    return;
  auto step = newBwd->getParentOfType<func::FuncOp>();
  auto ret = cast<func::ReturnOp>(step.getBody().front().getTerminator());
  SmallVector<Value> results(ret.getOperands());
  SmallVector<DictionaryAttr> attrs;
  for (unsigned k = 0; k < step.getNumResults(); ++k)
    attrs.push_back(step.getResultAttrDict(k));
  for (unsigned k = oldResults; k < newBwd.getNumResults(); ++k) {
    results.push_back(newBwd.getResult(k));
    attrs.push_back(backward.getResultAttrDict(k));
  }
  OpBuilder rb(ret);
  func::ReturnOp::create(rb, ret.getLoc(), results);
  ret.erase();
  rev::setResults(step, ValueRange(results).getTypes(), attrs);
}

} // namespace rev::reconstruct
