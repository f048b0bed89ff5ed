//===- HostTensor.h - constant tensors evaluated at import time -*- C++ -*-===//
//
// The importer folds the shape computations that PyTorch exports (Shape ->
// Gather -> Div -> Unsqueeze -> Concat -> Reshape) by evaluating them on the
// host. A HostTensor is a small dense tensor with int64 or double storage.
//
//===----------------------------------------------------------------------===//

#ifndef REV_LIB_IMPORT_ONNX_HOSTTENSOR_H
#define REV_LIB_IMPORT_ONNX_HOSTTENSOR_H

#include "rev/Utils/TypeUtils.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rev::onnx_import {

/// ONNX element types the importer supports (rev/Utils/TypeUtils.h).
using ElemKind = rev::ElementKind;

inline const char *elemKindName(ElemKind kind) { return elementKindName(kind); }
inline bool isFloat(ElemKind k) { return k == ElemKind::F32 || k == ElemKind::F64; }

/// The largest dimension the importer accepts (in files, options and the
/// shapes it computes): products of a few dimensions and window attributes
/// then fit in int64.
constexpr int64_t kMaxDimension = (int64_t(1) << 31) - 1;

/// The element count of `shape`; INT64_MAX if it overflows (or a dimension
/// is negative), so that size limits hold on hostile shapes.
int64_t numElements(llvm::ArrayRef<int64_t> shape);
/// The element count of `shape`, or nullopt if a dimension is negative or the
/// count times `elementBytes` overflows int64.
std::optional<int64_t> checkedNumElements(llvm::ArrayRef<int64_t> shape,
                                          int64_t elementBytes = 1);

struct HostTensor {
  ElemKind kind = ElemKind::F32;
  std::vector<int64_t> shape;
  std::vector<double> f;  // when isFloat(kind)
  std::vector<int64_t> i; // otherwise (bool as 0/1)

  int64_t size() const { return numElements(shape); }
  bool isFloatKind() const { return isFloat(kind); }
  double getDouble(int64_t idx) const {
    return isFloatKind() ? f[idx] : static_cast<double>(i[idx]);
  }
  int64_t getInt(int64_t idx) const {
    return isFloatKind() ? saturatingInt(f[idx]) : i[idx];
  }
  /// Whether a double converts to int64 (a plain cast of a NaN or an
  /// out-of-range double is undefined behaviour).
  static bool fitsInt64(double v) {
    return v >= -9.2233720368547758e18 && v < 9.2233720368547758e18;
  }
  /// A double as int64: truncated, saturated at the ends, NaN as 0.
  static int64_t saturatingInt(double v) {
    if (fitsInt64(v))
      return static_cast<int64_t>(v);
    if (v != v)
      return 0;
    return v > 0 ? INT64_MAX : INT64_MIN;
  }
  std::vector<int64_t> toInts() const;
  static HostTensor ints(std::vector<int64_t> values, std::vector<int64_t> shape,
                         ElemKind kind = ElemKind::I64);
  static HostTensor splat(ElemKind kind, std::vector<int64_t> shape,
                          double value);
};

/// Row-major strides.
std::vector<int64_t> stridesOf(llvm::ArrayRef<int64_t> shape);

// Host evaluation of the ops that appear in shape computations. Each returns
// false (and sets `error`) if the inputs are invalid.
enum class BinaryKind { Add, Sub, Mul, Div, Equal, Less, Greater, Pow, Min, Max };
bool hostBinary(BinaryKind kind, const HostTensor &a, const HostTensor &b,
                HostTensor &out, std::string &error);
bool hostCast(const HostTensor &a, ElemKind to, HostTensor &out);
bool hostWhere(const HostTensor &c, const HostTensor &a, const HostTensor &b,
               HostTensor &out, std::string &error);
bool hostGather(const HostTensor &data, const HostTensor &indices, int64_t axis,
                HostTensor &out, std::string &error);
bool hostConcat(llvm::ArrayRef<const HostTensor *> inputs, int64_t axis,
                HostTensor &out, std::string &error);
/// Slice with normalized (non-negative, clamped) starts and positive or
/// negative steps; `sizes` are the output dims.
void hostSlice(const HostTensor &a, llvm::ArrayRef<int64_t> starts,
               llvm::ArrayRef<int64_t> steps, llvm::ArrayRef<int64_t> sizes,
               HostTensor &out);
void hostTranspose(const HostTensor &a, llvm::ArrayRef<int64_t> perm,
                   HostTensor &out);
bool hostExpand(const HostTensor &a, llvm::ArrayRef<int64_t> shape,
                HostTensor &out, std::string &error);
void hostUnary(const HostTensor &a, double (*fn)(double), HostTensor &out);

} // namespace rev::onnx_import

#endif // REV_LIB_IMPORT_ONNX_HOSTTENSOR_H
