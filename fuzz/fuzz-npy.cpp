//===- fuzz-npy.cpp - the .npy reader on arbitrary bytes ------------------===//

#include "rev/Runtime/Array.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  llvm::Expected<rev::runtime::Array> a =
      rev::runtime::parseNpy(bytes, "fuzz.npy");
  if (!a) {
    llvm::consumeError(a.takeError());
    return 0;
  }
  // What rev-run does with an input: read every element.
  double sum = 0;
  for (int64_t i = 0; i < a->numElements(); ++i)
    sum += a->at(i);
  (void)sum;
  return 0;
}
