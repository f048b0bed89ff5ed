//===- Array.h - host tensors for rev-run -----------------------*- C++ -*-===//
//
// A dense, C-ordered host tensor with one of the element types rev-run
// exchanges with compiled code, and its readers and writers: NumPy `.npy`
// files, ONNX TensorProto files (ONNX's test-data layout), and the
// initializers of an ONNX model.
//
//===----------------------------------------------------------------------===//

#ifndef REV_RUNTIME_ARRAY_H
#define REV_RUNTIME_ARRAY_H

#include "rev/Utils/TypeUtils.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rev::runtime {

/// The element types of arrays (rev/Utils/TypeUtils.h).
using DType = ElementKind;

/// Size in bytes of one element.
inline size_t dtypeSize(DType t) { return elementKindSize(t); }
/// NumPy's name ("float32", ...).
inline const char *dtypeName(DType t) { return elementKindName(t); }

struct Array {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data; // C order, little endian

  int64_t numElements() const;
  size_t numBytes() const { return numElements() * dtypeSize(dtype); }
  /// Element `i` converted to double.
  double at(int64_t i) const;
  /// Zeros, or an error ("out of memory: N bytes for <what>", or a size
  /// that overflows) instead of an exception or a wrapped-around size.
  static llvm::Expected<Array> allocate(DType dtype, std::vector<int64_t> shape,
                                        llvm::StringRef what);
  std::string shapeString() const;
};

/// The byte size of a `dtype` tensor of `shape`, or nullopt if a dimension
/// is negative or the size overflows.
std::optional<size_t> checkedNumBytes(DType dtype,
                                      llvm::ArrayRef<int64_t> shape);

/// Reads a `.npy` file (format 1.0/2.0/3.0, little endian, C order) of a
/// supported dtype. Errors name the file and say what is wrong.
llvm::Expected<Array> readNpy(llvm::StringRef path);
/// The same from the bytes of a `.npy` file; `path` names it in errors.
llvm::Expected<Array> parseNpy(llvm::StringRef bytes, llvm::StringRef path);
/// Writes `.npy` atomically (a temporary file renamed into place).
llvm::Error writeNpy(llvm::StringRef path, const Array &array);

/// Reads a serialized ONNX TensorProto (input_0.pb in ONNX's test data).
/// `name` receives the tensor's name (may be empty).
llvm::Expected<Array> readTensorProtoFile(llvm::StringRef path,
                                          std::string &name);
/// The same from the bytes of a serialized TensorProto.
llvm::Expected<Array> parseTensorProto(llvm::StringRef bytes,
                                       llvm::StringRef path, std::string &name);
/// The initializers of an ONNX model, by name.
llvm::Expected<llvm::StringMap<Array>>
readONNXInitializers(llvm::StringRef modelPath);

/// Largest absolute and relative difference between `a` and `b` (same
/// shape). The relative error is max|a - b| / max(max|b|, tiny), which stays
/// meaningful for tensors with zeros.
struct Difference {
  double maxAbs = 0, maxRel = 0;
  bool hasNaN = false;
};
Difference compareArrays(const Array &a, const Array &b);

} // namespace rev::runtime

#endif // REV_RUNTIME_ARRAY_H
