//===- TypeUtils.h - sizes of tensor types ----------------------*- C++ -*-===//

#ifndef REV_UTILS_TYPEUTILS_H
#define REV_UTILS_TYPEUTILS_H

#include "mlir/IR/Types.h"
#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <optional>
#include <string>

namespace rev {

/// The element types rev's importer, runtime and ABI exchange (ONNX's and
/// NumPy's float32, float64, int64, int32, bool).
enum class ElementKind { F32, F64, I64, I32, Bool };
/// NumPy's name: "float32", "float64", "int64", "int32", "bool".
const char *elementKindName(ElementKind kind);
/// Bytes of one element.
size_t elementKindSize(ElementKind kind);
/// The kind of an MLIR element type (f32, f64, i64, i32, i1), or nullopt.
std::optional<ElementKind> elementKindOf(mlir::Type elementType);

/// `factor` times the product of `dims`, or nullopt if a dimension is
/// negative or the product overflows int64 (shapes read from files).
std::optional<int64_t> checkedShapeProduct(llvm::ArrayRef<int64_t> dims,
                                           int64_t factor = 1);

/// A shape as diagnostics print it: "[2,3,4]".
std::string formatShape(llvm::ArrayRef<int64_t> dims);

/// Bytes of a statically shaped tensor or memref type of integers or floats
/// (elements narrower than a byte count as one byte); 0 for other types
/// (index elements included); nullopt when the size does not fit in int64
/// (a shape like 2^32 x 2^32 x f32).
std::optional<int64_t> staticByteSize(mlir::Type type);

} // namespace rev

#endif // REV_UTILS_TYPEUTILS_H
