//===- RegionUtils.cpp - helpers for rev regions --------------------------===//

#include "rev/Utils/RegionUtils.h"

#include "mlir/IR/Block.h"
#include "mlir/IR/Operation.h"

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

} // namespace rev
