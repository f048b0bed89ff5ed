//===- GPUKernelUses.cpp - who touches a GPU buffer -----------------------===//

#include "GPUKernelUses.h"
#include "rev/Dialect/Rev/IR/RevOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;

namespace rev {

bool onlyKernelsTouch(Value value,
                      llvm::function_ref<bool(OpOperand &)> otherUse) {
  SmallVector<Value> worklist{value};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      // (a library call reads and writes device memory on the stream)
      if (user->getParentOfType<gpu::LaunchOp>() ||
          isa<rev::GPULibraryCallOp>(user))
        continue;
      if (auto view = dyn_cast<ViewLikeOpInterface>(user)) {
        if (view.getViewSource() == v && user->getNumResults() == 1) {
          worklist.push_back(user->getResult(0));
          continue;
        }
      }
      if (!otherUse(use))
        return false;
    }
  }
  return true;
}

bool onlyKernelsTouchThroughCalls(
    ModuleOp module, Value value, llvm::DenseMap<BlockArgument, bool> &known,
    llvm::function_ref<bool(OpOperand &)> otherUse) {
  return onlyKernelsTouch(value, [&](OpOperand &use) {
    if (otherUse(use))
      return true;
    auto call = dyn_cast<func::CallOp>(use.getOwner());
    auto callee =
        call ? module.lookupSymbol<func::FuncOp>(call.getCallee()) : nullptr;
    if (!callee || callee.isExternal())
      return false;
    BlockArgument arg = callee.getArgument(use.getOperandNumber());
    // (true while it is being checked: no cycles)
    if (!known.try_emplace(arg, true).second)
      return known[arg];
    bool result = onlyKernelsTouchThroughCalls(module, arg, known);
    known[arg] = result;
    return result;
  });
}

} // namespace rev
