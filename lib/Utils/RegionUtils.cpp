//===- RegionUtils.cpp - helpers for rev regions --------------------------===//

#include "rev/Utils/RegionUtils.h"

#include "mlir/IR/Block.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/DenseSet.h"

using namespace mlir;

namespace rev {

SmallVector<Value> inlineRegion(OpBuilder &builder, Region &region,
                                ValueRange args, IRMapping &mapping) {
  Block &body = region.front();
  assert(body.getNumArguments() == args.size() && "argument count mismatch");
  for (auto [arg, value] : llvm::zip_equal(body.getArguments(), args))
    mapping.map(arg, value);
  for (Operation &op : body.without_terminator())
    builder.clone(op, mapping);
  SmallVector<Value> yielded;
  for (Value v : body.getTerminator()->getOperands())
    yielded.push_back(mapping.lookupOrDefault(v));
  return yielded;
}

Value findSource(Value v, function_ref<bool(Value)> isSource,
                 function_ref<bool(Operation *)> follow) {
  DenseSet<Value> seen;
  SmallVector<Value> worklist{v};
  while (!worklist.empty()) {
    Value cur = worklist.pop_back_val();
    if (!seen.insert(cur).second)
      continue;
    if (isSource(cur))
      return cur;
    Operation *def = cur.getDefiningOp();
    if (!def || !follow(def))
      continue;
    def->walk([&](Operation *nested) {
      for (Value operand : nested->getOperands())
        if (!def->isAncestor(operand.getParentRegion()->getParentOp()))
          worklist.push_back(operand);
    });
  }
  return Value();
}

} // namespace rev
