//===- TosaBuilder.h - building statically shaped TOSA ----------*- C++ -*-===//
//
// A thin helper over OpBuilder that creates TOSA 1.0 ops on statically
// shaped tensors and computes their result types: numpy broadcasting (with
// rank equalization by reshape), the zero-point and shift operands TOSA
// requires, and `tosa.const_shape` operands. Used by the importer, the
// passes and the differentiator so that none of them repeats this plumbing.
//
//===----------------------------------------------------------------------===//

#ifndef REV_UTILS_TOSABUILDER_H
#define REV_UTILS_TOSABUILDER_H

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace rev {

/// Returns the numpy broadcast of two static shapes, or failure.
mlir::FailureOr<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b);

class TosaBuilder {
public:
  TosaBuilder(mlir::OpBuilder &builder, mlir::Location loc)
      : b(builder), loc(loc) {}

  mlir::OpBuilder &builder() { return b; }
  mlir::Location getLoc() const { return loc; }
  void setLoc(mlir::Location l) { loc = l; }

  static mlir::RankedTensorType typeOf(mlir::Value v) {
    return llvm::cast<mlir::RankedTensorType>(v.getType());
  }

  // Constants.
  mlir::Value constant(mlir::DenseElementsAttr attr);
  /// A splat constant of the given shape and element type.
  mlir::Value splat(mlir::Type elementType, llvm::ArrayRef<int64_t> shape,
                    double value);
  /// A constant with `like`'s element type and rank, all dims 1.
  mlir::Value scalarLike(mlir::Value like, double value);
  /// A constant of exactly `like`'s type.
  mlir::Value splatLike(mlir::Value like, double value);
  mlir::Value constShape(llvm::ArrayRef<int64_t> values);
  /// The zero-point operand (a tensor<1xT> of 0) for element type `t`.
  mlir::Value zeroPoint(mlir::Type elementType);

  // Elementwise, with numpy broadcasting.
  mlir::Value add(mlir::Value x, mlir::Value y);
  mlir::Value sub(mlir::Value x, mlir::Value y);
  mlir::Value mul(mlir::Value x, mlir::Value y);
  mlir::Value div(mlir::Value x, mlir::Value y); // x * reciprocal(y)
  mlir::Value pow(mlir::Value x, mlir::Value y);
  mlir::Value maximum(mlir::Value x, mlir::Value y);
  mlir::Value minimum(mlir::Value x, mlir::Value y);
  mlir::Value greater(mlir::Value x, mlir::Value y);
  mlir::Value greaterEqual(mlir::Value x, mlir::Value y);
  mlir::Value equal(mlir::Value x, mlir::Value y);
  mlir::Value select(mlir::Value cond, mlir::Value x, mlir::Value y);
  mlir::Value neg(mlir::Value x);
  mlir::Value reciprocal(mlir::Value x);
  mlir::Value rsqrt(mlir::Value x);
  mlir::Value sqrt(mlir::Value x); // x * rsqrt(x) is wrong at 0: uses pow
  mlir::Value exp(mlir::Value x);
  mlir::Value log(mlir::Value x);
  mlir::Value abs(mlir::Value x);
  mlir::Value tanh(mlir::Value x);
  mlir::Value sigmoid(mlir::Value x);
  mlir::Value erf(mlir::Value x);
  mlir::Value clamp(mlir::Value x, double lo, double hi);
  mlir::Value cast(mlir::Value x, mlir::Type elementType);
  mlir::Value logicalNot(mlir::Value x);

  // Shape ops.
  mlir::Value reshape(mlir::Value x, llvm::ArrayRef<int64_t> shape);
  mlir::Value transpose(mlir::Value x, llvm::ArrayRef<int32_t> perms);
  mlir::Value slice(mlir::Value x, llvm::ArrayRef<int64_t> start,
                    llvm::ArrayRef<int64_t> size);
  mlir::Value concat(mlir::ValueRange xs, int64_t axis);
  mlir::Value tile(mlir::Value x, llvm::ArrayRef<int64_t> multiples);
  /// Pads with `value`; `padding` is [lo0, hi0, lo1, hi1, ...].
  mlir::Value pad(mlir::Value x, llvm::ArrayRef<int64_t> padding,
                  double value = 0.0);
  /// Broadcasts `x` to `shape` (numpy rules) with reshape + tile.
  mlir::Value broadcastTo(mlir::Value x, llvm::ArrayRef<int64_t> shape);
  /// Sums `x` over the dims along which it was broadcast to reach its shape
  /// from `shape`, and reshapes to `shape` (the VJP of broadcasting).
  mlir::Value sumToShape(mlir::Value x, llvm::ArrayRef<int64_t> shape);

  // Reductions (keep the reduced dim as size 1, as TOSA does).
  mlir::Value reduceSum(mlir::Value x, int64_t axis);
  mlir::Value reduceMax(mlir::Value x, int64_t axis);
  mlir::Value reduceSum(mlir::Value x, llvm::ArrayRef<int64_t> axes);
  mlir::Value reduceMax(mlir::Value x, llvm::ArrayRef<int64_t> axes);

  /// Batched matrix product of rank-3 tensors [B,M,K] x [B,K,N].
  mlir::Value matmul(mlir::Value a, mlir::Value b3);

  mlir::Value reverse(mlir::Value x, int64_t axis);
  mlir::Value logicalAnd(mlir::Value x, mlir::Value y);
  mlir::Value logicalOr(mlir::Value x, mlir::Value y);
  /// Pads (positive) or crops (negative) each dim: [lo0, hi0, lo1, hi1...].
  mlir::Value padOrCrop(mlir::Value x, llvm::ArrayRef<int64_t> loHi);
  /// Inserts step-1 zeros between consecutive elements along `axis`
  /// (n -> (n-1)*step + 1): the adjoint of a strided access.
  mlir::Value zeroStuff(mlir::Value x, int64_t axis, int64_t step);
  /// g [N, OH, OW, C] spread back over the input positions of a stride-s,
  /// pad-p ([top, bottom, left, right]) window of effective size `effective`:
  /// zero-stuffed and padded so that a stride-1 pass with that window gives
  /// back the input size.
  mlir::Value spreadForTransposedWindow(mlir::Value g,
                                        llvm::ArrayRef<int64_t> stride,
                                        llvm::ArrayRef<int64_t> effective,
                                        llvm::ArrayRef<int64_t> pad);
  /// Elements start, start+step, ... (count of them) along `axis`.
  mlir::Value stridedSlice(mlir::Value x, int64_t axis, int64_t start,
                           int64_t count, int64_t step);
  /// NHWC convolution with an [O, kH, kW, I] weight; the result type is
  /// computed (the sizes must divide exactly, as TOSA requires).
  mlir::Value conv2d(mlir::Value x, mlir::Value w, mlir::Value bias,
                     llvm::ArrayRef<int64_t> pad, llvm::ArrayRef<int64_t> stride,
                     llvm::ArrayRef<int64_t> dilation);
  /// NHWC depthwise convolution with a [kH, kW, C, M] weight.
  mlir::Value depthwiseConv2d(mlir::Value x, mlir::Value w, mlir::Value bias,
                              llvm::ArrayRef<int64_t> pad,
                              llvm::ArrayRef<int64_t> stride,
                              llvm::ArrayRef<int64_t> dilation);

private:
  template <typename OpTy>
  mlir::Value binary(mlir::Value x, mlir::Value y, mlir::Type elementType);
  template <typename OpTy> mlir::Value unary(mlir::Value x);
  /// Reshapes the lower-rank operand with leading 1s (TOSA needs equal ranks).
  void equalizeRanks(mlir::Value &x, mlir::Value &y);

  mlir::OpBuilder &b;
  mlir::Location loc;
};

/// The output size of a convolution window along one dimension (input `in`,
/// kernel `k`, pads `lo` and `hi`, `stride`, `dilation`); `exact` (if given)
/// tells whether the windows tile the padded input exactly, as TOSA requires
/// (else the size is meaningless).
int64_t convOutputSize(int64_t in, int64_t k, int64_t lo, int64_t hi,
                       int64_t stride, int64_t dilation, bool *exact = nullptr);

} // namespace rev

#endif // REV_UTILS_TOSABUILDER_H
