//===- LoopUtils.cpp - helpers for loops on buffers -----------------------===//

#include "rev/Utils/LoopUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;

namespace rev {

scf::ParallelOp copyToParallelLoop(OpBuilder &b, memref::CopyOp copy) {
  auto type = cast<MemRefType>(copy.getSource().getType());
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(copy);
  Location loc = copy.getLoc();
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> lbs, ubs, steps;
  for (int64_t d = 0, e = type.getRank(); d < e; ++d) {
    lbs.push_back(zero);
    steps.push_back(one);
    ubs.push_back(
        type.isDynamicDim(d)
            ? memref::DimOp::create(b, loc, copy.getSource(), d).getResult()
            : arith::ConstantIndexOp::create(b, loc, type.getDimSize(d))
                  .getResult());
  }
  if (type.getRank() == 0) {
    lbs.push_back(zero);
    ubs.push_back(one);
    steps.push_back(one);
  }
  Value source = copy.getSource(), target = copy.getTarget();
  int64_t rank = type.getRank();
  auto loop = scf::ParallelOp::create(
      b, loc, lbs, ubs, steps,
      [&](OpBuilder &nb, Location nloc, ValueRange ivs) {
        ValueRange indices = rank == 0 ? ValueRange() : ivs;
        Value v = memref::LoadOp::create(nb, nloc, source, indices);
        memref::StoreOp::create(nb, nloc, v, target, indices);
      });
  copy.erase();
  return loop;
}

} // namespace rev
