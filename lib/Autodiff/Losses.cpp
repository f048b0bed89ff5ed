//===- Losses.cpp - losses built into a training step's forward -----------===//
//
// Built into the forward and differentiated with it, with PyTorch's mean
// reduction.
//
//===----------------------------------------------------------------------===//

#include "Losses.h"

#include "rev/Dialect/Rev/IR/RevOps.h"

using namespace mlir;

namespace rev {

/// mean((y - t)^2) over all elements, as a tensor<1xT>.
Value buildMSE(TosaBuilder &tb, Value y, Value target) {
  auto type = TosaBuilder::typeOf(y);
  Value d = tb.sub(y, target);
  Value sq = tb.mul(d, d);
  SmallVector<int64_t> axes;
  for (int64_t i = 0; i < type.getRank(); ++i)
    axes.push_back(i);
  Value sum = tb.reduceSum(sq, axes);
  sum = tb.reshape(sum, {1});
  return tb.mul(sum, tb.splat(type.getElementType(), {1},
                              1.0 / type.getNumElements()));
}

/// Softmax cross-entropy of logits [N, C] with int64 labels [N], mean over
/// the batch (PyTorch's F.cross_entropy), as a tensor<1xT>.
Value buildCrossEntropy(TosaBuilder &tb, Value logits, Value labels) {
  auto type = TosaBuilder::typeOf(logits);
  int64_t n = type.getDimSize(0), c = type.getDimSize(1);
  // log_softmax
  Value shifted = tb.sub(logits, tb.reduceMax(logits, 1));
  Value lse = tb.log(tb.reduceSum(tb.exp(shifted), 1));
  Value logp = tb.sub(shifted, lse);
  // A label outside [0, C) would give a zero one-hot row (loss -0, no
  // gradient): the compiled step reports it instead (PyTorch raises).
  labels = rev::CheckRangeOp::create(tb.builder(), tb.getLoc(), labels,
                                     int64_t(0), c,
                                     "labels of the cross-entropy loss");
  // one_hot(labels) by comparing with 0..C-1
  auto labelType = TosaBuilder::typeOf(labels);
  SmallVector<int64_t> iota;
  for (int64_t k = 0; k < c; ++k)
    iota.push_back(k);
  auto iotaType = RankedTensorType::get({1, c}, labelType.getElementType());
  Value classes = tb.constant(DenseElementsAttr::get(iotaType, ArrayRef(iota)));
  Value hits = tb.equal(tb.reshape(labels, {n, 1}), classes);
  Value oneHot = tb.cast(hits, type.getElementType());
  Value picked = tb.reduceSum(tb.mul(oneHot, logp), ArrayRef<int64_t>{0, 1});
  picked = tb.reshape(picked, {1});
  return tb.mul(picked, tb.splat(type.getElementType(), {1}, -1.0 / n));
}

} // namespace rev
