//===- fuzz-tensor-proto.cpp - the TensorProto reader on arbitrary bytes --===//

#include "ReadElements.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  std::string name;
  llvm::Expected<rev::runtime::Array> a =
      rev::runtime::parseTensorProto(bytes, "fuzz.pb", name);
  if (!a) {
    llvm::consumeError(a.takeError());
    return 0;
  }
  readEveryElement(*a);
  return 0;
}
