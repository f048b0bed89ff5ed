//===- VJPOpInterface.h - reverse-mode differentiation ----------*- C++ -*-===//

#ifndef REV_AUTODIFF_VJPOPINTERFACE_H
#define REV_AUTODIFF_VJPOPINTERFACE_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace rev {

/// What a VJP rule sees while the backward pass is built.
class VJPContext {
public:
  virtual ~VJPContext() = default;
  /// Where the rule builds (inside the backward function).
  virtual mlir::OpBuilder &builder() = 0;
  /// The value of forward value `v` at the insertion point.
  virtual mlir::Value primal(mlir::Value v) = 0;
  /// The cotangent of result `i` of the op being differentiated, or null
  /// if it is zero.
  virtual mlir::Value cotangent(unsigned resultIndex) = 0;
  /// Adds `grad` to the cotangent of the forward value `v`. `grad` must have
  /// the type of `v`.
  virtual void accumulate(mlir::Value v, mlir::Value grad) = 0;
  /// False if no gradient is needed for forward value `v` (it does not
  /// depend on anything differentiated).
  virtual bool needsGradient(mlir::Value v) = 0;
  /// Differentiates a single-block region (an F, G or S/T of a coupling):
  /// clones its body with its arguments bound to `args` (recomputing the
  /// internals in the backward), then back-propagates `seeds` (one per
  /// yielded value, null for zero) through it. Returns the cotangents of
  /// the region's arguments (null when zero) and the recomputed yielded
  /// values. Cotangents of values used from above (weights) accumulate into
  /// this context.
  virtual mlir::LogicalResult
  differentiateRegion(mlir::Region &region, mlir::ValueRange args,
                      mlir::ValueRange seeds,
                      llvm::SmallVectorImpl<mlir::Value> &argCotangents,
                      llvm::SmallVectorImpl<mlir::Value> &yielded) = 0;
  /// Recomputes a single-block region (no derivative) and returns what it
  /// yields.
  virtual llvm::SmallVector<mlir::Value>
  recomputeRegion(mlir::Region &region, mlir::ValueRange args) = 0;
};

} // namespace rev

#include "rev/Autodiff/VJPOpInterface.h.inc"

namespace rev {

/// Attaches VJPOpInterface to the TOSA ops the importer produces and to
/// rev.coupling / rev.affine_coupling.
void registerVJPOpInterfaceExternalModels(mlir::DialectRegistry &registry);

} // namespace rev

#endif // REV_AUTODIFF_VJPOPINTERFACE_H
