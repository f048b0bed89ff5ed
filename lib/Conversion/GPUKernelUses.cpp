//===- GPUKernelUses.cpp - who touches a GPU buffer -----------------------===//

#include "GPUKernelUses.h"

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
      if (user->getParentOfType<gpu::LaunchOp>())
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

} // namespace rev
