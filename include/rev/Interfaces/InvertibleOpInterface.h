//===- InvertibleOpInterface.h - ops that can be inverted ------*- C++ -*-===//

#ifndef REV_INTERFACES_INVERTIBLEOPINTERFACE_H
#define REV_INTERFACES_INVERTIBLEOPINTERFACE_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/OpDefinition.h"
#include "llvm/ADT/SmallVector.h"

#include "rev/Interfaces/InvertibleOpInterface.h.inc"

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace rev {

/// Attaches InvertibleOpInterface to the upstream ops that are invertible in
/// context (tosa.reshape, tosa.transpose, tosa.concat, tosa.add/sub with a
/// constant or function argument, tosa.mul by a nonzero constant, negate,
/// identity, cast between float types of equal width is not included).
void registerInvertibleOpInterfaceExternalModels(mlir::DialectRegistry &registry);

/// The module attribute that lets a square 1x1 convolution with a learned
/// weight (Glow's invertible 1x1 convolution) be inverted: rev-train's
/// `invert-matrices=true` sets it. Off by default: a learned matrix is not
/// provably invertible, and the inverse's error grows with its condition
/// number (docs/reversible.md states the rule and the measured error).
inline constexpr llvm::StringLiteral kInvertMatricesAttr =
    "rev.invert_matrices";

/// Whether `op` is a tosa.conv2d that multiplies each pixel's channels by a
/// square matrix: a 1x1 kernel, stride and dilation 1, no padding, as many
/// output as input channels, its weight and bias computed from parameters
/// and constants alone. Such a convolution is invertible where the weight
/// is, and InvertibleOpInterface inverts it when kInvertMatricesAttr is set
/// on the enclosing module.
bool isSquareChannelMatrix(mlir::Operation *op);

/// A set of `tosa.slice` ops that cut a value into disjoint, covering pieces
/// along one axis (what `torch.chunk` and ONNX Split export), ordered by
/// offset. The value is the concatenation of the slices along `axis`.
struct SlicePartition {
  mlir::Value source;
  int64_t axis = 0;
  llvm::SmallVector<mlir::Operation *> slices;
};

/// Finds a partition of `source` among its users (other users are allowed).
/// Returns failure if the slices that use `source` do not cover it exactly
/// along a single axis.
mlir::FailureOr<SlicePartition> findSlicePartition(mlir::Value source);

/// Builds `source` again from values standing for the partition's slices
/// (a tosa.concat along the partition's axis).
mlir::Value buildPartitionInverse(mlir::OpBuilder &builder, mlir::Location loc,
                                  const SlicePartition &partition,
                                  mlir::ValueRange pieces);

} // namespace rev

#endif // REV_INTERFACES_INVERTIBLEOPINTERFACE_H
