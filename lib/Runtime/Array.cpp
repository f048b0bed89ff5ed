//===- Array.cpp - host tensors for rev-run -------------------------------===//

#include "rev/Runtime/Array.h"

#include "RevNpy.h"

#include "rev/Utils/TypeUtils.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>

using llvm::createStringError;
using llvm::Expected;
using llvm::StringRef;

namespace rev::runtime {

int64_t Array::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

double Array::at(int64_t i) const {
  const uint8_t *p = data.data() + i * dtypeSize(dtype);
  switch (dtype) {
  case DType::F32: {
    float v;
    std::memcpy(&v, p, 4);
    return v;
  }
  case DType::F64: {
    double v;
    std::memcpy(&v, p, 8);
    return v;
  }
  case DType::I64: {
    int64_t v;
    std::memcpy(&v, p, 8);
    return static_cast<double>(v);
  }
  case DType::I32: {
    int32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
  case DType::Bool:
    return *p ? 1.0 : 0.0;
  }
  return 0;
}

std::optional<size_t> checkedNumBytes(DType dtype,
                                      llvm::ArrayRef<int64_t> shape) {
  std::optional<int64_t> n =
      checkedShapeProduct(shape, static_cast<int64_t>(dtypeSize(dtype)));
  if (!n)
    return std::nullopt;
  return static_cast<size_t>(*n);
}

Expected<Array> Array::allocate(DType dtype, std::vector<int64_t> shape,
                                StringRef what) {
  Array a;
  a.dtype = dtype;
  a.shape = std::move(shape);
  std::optional<size_t> bytes = checkedNumBytes(dtype, a.shape);
  if (!bytes)
    return createStringError(std::errc::value_too_large,
                             "%s: shape %s of %s has more bytes than fit in "
                             "64 bits",
                             what.str().c_str(), a.shapeString().c_str(),
                             dtypeName(dtype));
  auto outOfMemory = [&] {
    return createStringError(std::errc::not_enough_memory,
                             "out of memory: %zu bytes for %s", *bytes,
                             what.str().c_str());
  };
  // Ask malloc first (which AddressSanitizer lets fail too), then fill the
  // vector; LLVM's tools install a new-handler that aborts ("LLVM ERROR: out
  // of memory"), so the vector's own failure is turned into an exception.
  // (volatile: a malloc whose block is only freed may be optimized away)
  void *volatile probe = std::malloc(*bytes ? *bytes : 1);
  if (!probe)
    return outOfMemory();
  std::free(probe);
  std::new_handler previous = std::set_new_handler(nullptr);
  bool failed = false;
  try {
    a.data.assign(*bytes, 0);
  } catch (const std::bad_alloc &) {
    failed = true;
  } catch (const std::length_error &) {
    failed = true;
  }
  std::set_new_handler(previous);
  if (failed)
    return outOfMemory();
  return a;
}

std::string Array::shapeString() const { return formatShape(shape); }

//===----------------------------------------------------------------------===//
// .npy
//===----------------------------------------------------------------------===//

/// The dtype of a .npy descr (runtime/common/RevNpy.h's table).
static std::optional<DType> dtypeFromDescr(const std::string &descr) {
  StringRef name = rev_npy::dtypeOf(descr);
  for (DType t : {DType::F32, DType::F64, DType::I64, DType::I32, DType::Bool})
    if (name == dtypeName(t))
      return t;
  return std::nullopt;
}

Expected<Array> readNpy(StringRef path) {
  auto fileOrErr = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                               /*RequiresNullTerminator=*/false);
  if (!fileOrErr)
    return createStringError(fileOrErr.getError(), "cannot read '%s': %s",
                             path.str().c_str(),
                             fileOrErr.getError().message().c_str());
  return parseNpy((*fileOrErr)->getBuffer(), path);
}

Expected<Array> parseNpy(StringRef bytes, StringRef path) {
  auto corrupt = [&](const llvm::Twine &why) {
    return createStringError(std::errc::invalid_argument,
                             "'%s' is not a valid .npy file: %s",
                             path.str().c_str(), why.str().c_str());
  };
  rev_npy::Header header;
  std::string why = rev_npy::parseHeader(bytes.data(), bytes.size(), header);
  if (!why.empty())
    return corrupt(why);
  if (header.fortranOrder)
    return createStringError(std::errc::invalid_argument,
                             "'%s' is in Fortran order; rev-run reads C-order "
                             "arrays (use numpy.ascontiguousarray)",
                             path.str().c_str());
  Array a;
  auto dtype = dtypeFromDescr(header.descr);
  if (!dtype)
    return createStringError(std::errc::invalid_argument,
                             "'%s' has unsupported dtype '%s' (supported: "
                             "float32, float64, int64, int32, bool, little "
                             "endian)",
                             path.str().c_str(), header.descr.c_str());
  a.dtype = *dtype;
  a.shape = header.shape;
  std::optional<size_t> checked = checkedNumBytes(a.dtype, a.shape);
  if (!checked)
    return corrupt("shape " + a.shapeString() + " has more bytes than fit "
                   "in 64 bits");
  size_t expected = *checked;
  if (bytes.size() - header.dataOffset != expected)
    return corrupt("holds " + llvm::Twine(bytes.size() - header.dataOffset) +
                   " bytes of data, but shape " + a.shapeString() + " of " +
                   dtypeName(a.dtype) + " needs " + llvm::Twine(expected));
  a.data.assign(bytes.begin() + header.dataOffset, bytes.end());
  return a;
}

llvm::Error writeNpy(StringRef path, const Array &array) {
  std::string header = rev_npy::headerBytes(
      rev_npy::descrOf(dtypeName(array.dtype)), array.shape);
  std::string tmp = path.str() + ".tmp";
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(tmp, ec, llvm::sys::fs::OF_None);
    if (ec)
      return createStringError(ec, "cannot write '%s': %s", path.str().c_str(),
                               ec.message().c_str());
    os << header;
    os.write(reinterpret_cast<const char *>(array.data.data()),
             array.data.size());
    os.close();
    if (os.has_error())
      return createStringError(os.error(), "cannot write '%s'",
                               path.str().c_str());
  }
  if (std::error_code ec = llvm::sys::fs::rename(tmp, path))
    return createStringError(ec, "cannot write '%s': %s", path.str().c_str(),
                             ec.message().c_str());
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// ONNX TensorProto
//===----------------------------------------------------------------------===//

static Expected<Array> fromProto(const onnx::TensorProto &t, StringRef what) {
  Array a;
  switch (t.data_type()) {
  case onnx::TensorProto_DataType_FLOAT:
    a.dtype = DType::F32;
    break;
  case onnx::TensorProto_DataType_DOUBLE:
    a.dtype = DType::F64;
    break;
  case onnx::TensorProto_DataType_INT64:
    a.dtype = DType::I64;
    break;
  case onnx::TensorProto_DataType_INT32:
    a.dtype = DType::I32;
    break;
  case onnx::TensorProto_DataType_BOOL:
    a.dtype = DType::Bool;
    break;
  default:
    return createStringError(std::errc::invalid_argument,
                             "%s has an unsupported element type (%d)",
                             what.str().c_str(), t.data_type());
  }
  a.shape.assign(t.dims().begin(), t.dims().end());
  std::optional<size_t> bytes = checkedNumBytes(a.dtype, a.shape);
  if (!bytes)
    return createStringError(std::errc::invalid_argument,
                             "%s has a negative dimension or more bytes than "
                             "fit in 64 bits",
                             what.str().c_str());
  int64_t n = a.numElements();
  if (t.has_raw_data() ? t.raw_data().size() != *bytes
                       : (a.dtype == DType::F32   ? t.float_data_size()
                          : a.dtype == DType::F64 ? t.double_data_size()
                          : a.dtype == DType::I64 ? t.int64_data_size()
                                                  : t.int32_data_size()) != n)
    return createStringError(std::errc::invalid_argument,
                             "%s holds a different amount of data than its "
                             "shape %s needs",
                             what.str().c_str(), a.shapeString().c_str());
  // (The data's size matches the shape: checked above.)
  a.data.resize(*bytes);
  if (t.has_raw_data()) {
    if (!a.data.empty()) // (memcpy of nothing still wants valid pointers)
      std::memcpy(a.data.data(), t.raw_data().data(), a.data.size());
    return a;
  }
  auto copy = [&](auto &field, auto tag) {
    using T = decltype(tag);
    for (int64_t i = 0; i < n; ++i) {
      T v = static_cast<T>(field.Get(i));
      std::memcpy(a.data.data() + i * sizeof(T), &v, sizeof(T));
    }
  };
  switch (a.dtype) {
  case DType::F32:
    copy(t.float_data(), float());
    break;
  case DType::F64:
    copy(t.double_data(), double());
    break;
  case DType::I64:
    copy(t.int64_data(), int64_t());
    break;
  case DType::I32:
    copy(t.int32_data(), int32_t());
    break;
  case DType::Bool:
    copy(t.int32_data(), uint8_t());
    break;
  }
  return a;
}

Expected<Array> readTensorProtoFile(StringRef path, std::string &name) {
  auto fileOrErr = llvm::MemoryBuffer::getFile(path, false, false);
  if (!fileOrErr)
    return createStringError(fileOrErr.getError(), "cannot read '%s': %s",
                             path.str().c_str(),
                             fileOrErr.getError().message().c_str());
  return parseTensorProto((*fileOrErr)->getBuffer(), path, name);
}

Expected<Array> parseTensorProto(StringRef bytes, StringRef path,
                                 std::string &name) {
  onnx::TensorProto t;
  if (!t.ParseFromArray(bytes.data(), bytes.size()))
    return createStringError(std::errc::invalid_argument,
                             "'%s' is not a serialized ONNX TensorProto",
                             path.str().c_str());
  name = t.name();
  return fromProto(t, "'" + path.str() + "'");
}

Expected<llvm::StringMap<Array>> readONNXInitializers(StringRef modelPath) {
  auto fileOrErr = llvm::MemoryBuffer::getFile(modelPath, false, false);
  if (!fileOrErr)
    return createStringError(fileOrErr.getError(), "cannot read '%s': %s",
                             modelPath.str().c_str(),
                             fileOrErr.getError().message().c_str());
  onnx::ModelProto model;
  StringRef bytes = (*fileOrErr)->getBuffer();
  if (!model.ParseFromArray(bytes.data(), bytes.size()))
    return createStringError(std::errc::invalid_argument,
                             "'%s' is not a valid ONNX model",
                             modelPath.str().c_str());
  llvm::StringMap<Array> out;
  for (const auto &init : model.graph().initializer()) {
    auto a = fromProto(init, "initializer '" + init.name() + "'");
    if (!a)
      return a.takeError();
    out[init.name()] = std::move(*a);
  }
  return out;
}

Difference compareArrays(const Array &a, const Array &b) {
  Difference d;
  double scale = 0;
  int64_t n = std::min(a.numElements(), b.numElements());
  for (int64_t i = 0; i < n; ++i) {
    double x = a.at(i), y = b.at(i);
    if (std::isnan(x) != std::isnan(y))
      d.hasNaN = true;
    if (std::isnan(x) || std::isnan(y))
      continue;
    if (std::isinf(x) || std::isinf(y)) {
      if (x != y)
        d.maxAbs = INFINITY;
      continue;
    }
    d.maxAbs = std::max(d.maxAbs, std::fabs(x - y));
    scale = std::max(scale, std::fabs(y));
  }
  d.maxRel = d.maxAbs / std::max(scale, 1e-30);
  return d;
}

} // namespace rev::runtime
