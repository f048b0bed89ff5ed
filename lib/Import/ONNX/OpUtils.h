//===- OpUtils.h - helpers shared by the ONNX op handlers -------*- C++ -*-===//

#ifndef REV_LIB_IMPORT_ONNX_OPUTILS_H
#define REV_LIB_IMPORT_ONNX_OPUTILS_H

#include "GraphImporter.h"

namespace rev::onnx_import {

/// The physical shape of a logical (NCHW) shape in `layout`.
std::vector<int64_t> physicalShape(llvm::ArrayRef<int64_t> logical,
                                   Layout layout);
/// The physical axis of logical axis `axis` (already normalized).
int64_t physicalAxis(int64_t axis, Layout layout);

/// Operands of an elementwise op brought to one layout: NHWC if the result
/// is 4-D and some 4-D operand already is NHWC, native otherwise. Operands of
/// lower rank are reshaped to the result's rank; constants are permuted on
/// the host.
struct ElementwiseOperands {
  llvm::SmallVector<mlir::Value> values;
  Layout layout = Layout::Native;
  std::vector<int64_t> shape; // logical result shape
};
mlir::FailureOr<ElementwiseOperands>
prepareElementwise(NodeContext &ctx, llvm::ArrayRef<Tensor *> inputs);

/// Brings `t` (logical rank <= rank) to `layout` at `rank` (for broadcasting
/// a per-channel parameter against an NHWC tensor, say).
mlir::Value broadcastOperand(NodeContext &ctx, Tensor &t, int64_t rank,
                             Layout layout);

/// True if every input present is a foldable constant, and the folded
/// result would be small enough to keep as a constant.
bool allConstant(NodeContext &ctx);

/// The statistics normalizations use, of `v` over `axes` (the biased
/// variance): mean and var keep the reduced axes as size 1, centered is
/// v - mean, inv = 1 / sqrt(var + eps).
struct Moments {
  mlir::Value mean, centered, var, inv;
};
Moments computeMoments(rev::TosaBuilder &tb, mlir::Value v,
                       llvm::ArrayRef<int64_t> axes, double eps);

/// The largest finite value of a float element type.
double largestFinite(mlir::Type elementType);

} // namespace rev::onnx_import

#endif // REV_LIB_IMPORT_ONNX_OPUTILS_H
