//===- Differentiate.h - build training steps -------------------*- C++ -*-===//
//
// Reverse-mode differentiation of a function into a forward that returns its
// outputs and the activations the backward needs (the tape), a backward that
// takes the tape and returns gradients, and a train_step that calls both.
// See docs/autodiff.md.
//
//===----------------------------------------------------------------------===//

#ifndef REV_AUTODIFF_DIFFERENTIATE_H
#define REV_AUTODIFF_DIFFERENTIATE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace rev {

enum class LossKind { MSE, CrossEntropy, VJP };

struct DifferentiateOptions {
  LossKind loss = LossKind::MSE;
  /// rev.names of the arguments to differentiate with respect to; empty:
  /// every trainable float parameter (see docs/autodiff.md).
  std::vector<std::string> wrt;
  /// Name of the combined step function.
  std::string trainStepName = "train_step";
  /// Recompute in the backward the tape entries that a few cheap
  /// elementwise ops rebuild from other entries (RecomputeTape.cpp) instead
  /// of storing them.
  bool recomputeElementwise = true;
  /// Also recompute larger tape entries (4 KiB and more) through
  /// convolutions, matmuls, pooling and reductions (at most 32 ops from
  /// what stays, one output each; the rebuilds share what they compute)
  /// from what stays: a non-invertible segment (a stem, a strided
  /// transition, an ordinary residual block) is then checkpointed at its
  /// input. Costs the recomputation; rev-plan-memory turns it on under a
  /// tight budget.
  bool recomputeSegments = false;
};

/// The functions rev-differentiate makes from @f.
struct TrainingStep {
  mlir::func::FuncOp forward, backward, trainStep;
};

/// Differentiates `func` (which stays in the module) into @<f>_forward,
/// @<f>_backward and @train_step. Emits diagnostics and fails on an op
/// without a VJP rule, or an unsupported signature.
mlir::FailureOr<TrainingStep> differentiate(mlir::func::FuncOp func,
                                            const DifferentiateOptions &options);

} // namespace rev

#endif // REV_AUTODIFF_DIFFERENTIATE_H
