//===- TypeUtils.cpp - sizes of tensor types ------------------------------===//

#include "rev/Utils/TypeUtils.h"

#include "mlir/IR/BuiltinTypeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/CheckedArithmetic.h"

using namespace mlir;

namespace rev {

const char *elementKindName(ElementKind kind) {
  switch (kind) {
  case ElementKind::F32:
    return "float32";
  case ElementKind::F64:
    return "float64";
  case ElementKind::I64:
    return "int64";
  case ElementKind::I32:
    return "int32";
  case ElementKind::Bool:
    return "bool";
  }
  return "?";
}

size_t elementKindSize(ElementKind kind) {
  switch (kind) {
  case ElementKind::F32:
  case ElementKind::I32:
    return 4;
  case ElementKind::F64:
  case ElementKind::I64:
    return 8;
  case ElementKind::Bool:
    return 1;
  }
  return 0;
}

std::optional<ElementKind> elementKindOf(Type elementType) {
  if (elementType.isF32())
    return ElementKind::F32;
  if (elementType.isF64())
    return ElementKind::F64;
  if (elementType.isInteger(64))
    return ElementKind::I64;
  if (elementType.isInteger(32))
    return ElementKind::I32;
  if (elementType.isInteger(1))
    return ElementKind::Bool;
  return std::nullopt;
}

std::optional<int64_t> checkedShapeProduct(llvm::ArrayRef<int64_t> dims,
                                           int64_t factor) {
  int64_t n = factor;
  for (int64_t d : dims) {
    if (d < 0)
      return std::nullopt;
    std::optional<int64_t> next = llvm::checkedMul(n, d);
    if (!next)
      return std::nullopt;
    n = *next;
  }
  return n;
}

std::string formatShape(llvm::ArrayRef<int64_t> dims) {
  std::string s = "[";
  for (size_t k = 0; k < dims.size(); ++k)
    s += (k ? "," : "") + std::to_string(dims[k]);
  return s + "]";
}

std::optional<int64_t> staticByteSize(Type type) {
  // (only tensors and memrefs of integers and floats: other shaped types,
  // !tosa.shape for one, have no element bit width)
  if (!isa<TensorType, MemRefType>(type))
    return 0;
  auto shaped = cast<ShapedType>(type);
  if (!shaped.hasStaticShape() || !shaped.getElementType().isIntOrFloat())
    return 0;
  return checkedShapeProduct(
      shaped.getShape(),
      std::max<int64_t>(1, (shaped.getElementTypeBitWidth() + 7) / 8));
}

} // namespace rev
