//===- GPUKernelUses.cpp - who touches a GPU buffer -----------------------===//

#include "GPUKernelUses.h"
#include "rev/Dialect/Rev/IR/RevOps.h"

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

} // namespace rev
