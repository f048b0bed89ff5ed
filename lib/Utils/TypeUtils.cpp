//===- TypeUtils.cpp - sizes of tensor types ------------------------------===//

#include "rev/Utils/TypeUtils.h"

#include "mlir/IR/BuiltinTypeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/CheckedArithmetic.h"

using namespace mlir;

namespace rev {

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
