//===- fuzz-npy.cpp - the .npy reader on arbitrary bytes ------------------===//

#include "ReadElements.h"

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
  readEveryElement(*a);
  return 0;
}
