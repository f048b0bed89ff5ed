//===- Losses.h - losses built into a training step -------------*- C++ -*-===//
//
// Internal to rev-differentiate: see Losses.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef REV_LIB_AUTODIFF_LOSSES_H
#define REV_LIB_AUTODIFF_LOSSES_H

#include "rev/Utils/TosaBuilder.h"

namespace rev {

/// mean((y - t)^2) over all elements, as a tensor<1xT>.
mlir::Value buildMSE(TosaBuilder &tb, mlir::Value y, mlir::Value target);

/// Softmax cross-entropy of logits [N, C] with int64 labels [N], mean over
/// the batch (PyTorch's F.cross_entropy), as a tensor<1xT>; labels outside
/// [0, C) are reported by a rev.check_range.
mlir::Value buildCrossEntropy(TosaBuilder &tb, mlir::Value logits,
                              mlir::Value labels);

} // namespace rev

#endif // REV_LIB_AUTODIFF_LOSSES_H
