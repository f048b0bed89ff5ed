//===- TypeUtils.cpp - sizes of tensor types ------------------------------===//

#include "rev/Utils/TypeUtils.h"

#include "mlir/IR/BuiltinTypeInterfaces.h"
#include "llvm/Support/CheckedArithmetic.h"

using namespace mlir;

namespace rev {

std::optional<int64_t> staticByteSize(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped || !shaped.hasStaticShape())
    return 0;
  int64_t bytes = std::max<int64_t>(
      1, (shaped.getElementTypeBitWidth() + 7) / 8);
  for (int64_t d : shaped.getShape()) {
    std::optional<int64_t> next = llvm::checkedMul(bytes, d);
    if (!next)
      return std::nullopt;
    bytes = *next;
  }
  return bytes;
}

} // namespace rev
