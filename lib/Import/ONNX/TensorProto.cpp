//===- TensorProto.cpp - ONNX element types and TensorProto data ---------===//

#include "GraphImporter.h"

#include <cstring>

using namespace mlir;

namespace rev::onnx_import {

//===----------------------------------------------------------------------===//
// Element types and TensorProto data
//===----------------------------------------------------------------------===//

bool elemKindFromONNX(int32_t type, ElemKind &kind) {
  switch (type) {
  case onnx::TensorProto_DataType_FLOAT:
    kind = ElemKind::F32;
    return true;
  case onnx::TensorProto_DataType_DOUBLE:
    kind = ElemKind::F64;
    return true;
  case onnx::TensorProto_DataType_INT64:
    kind = ElemKind::I64;
    return true;
  case onnx::TensorProto_DataType_INT32:
    kind = ElemKind::I32;
    return true;
  case onnx::TensorProto_DataType_BOOL:
    kind = ElemKind::Bool;
    return true;
  default:
    return false;
  }
}

const char *onnxTypeName(int32_t type) {
  if (onnx::TensorProto_DataType_IsValid(type))
    return onnx::TensorProto_DataType_Name(
               static_cast<onnx::TensorProto_DataType>(type))
        .c_str();
  return "unknown";
}

template <typename T>
static void readRaw(const std::string &raw, int64_t n, std::vector<T> &out) {
  out.resize(n);
  std::memcpy(out.data(), raw.data(), n * sizeof(T));
}

bool tensorFromProto(const onnx::TensorProto &proto, HostTensor &out,
                     std::string &error) {
  if (!elemKindFromONNX(proto.data_type(), out.kind)) {
    error = std::string("unsupported element type ") +
            onnxTypeName(proto.data_type());
    return false;
  }
  error = checkTensorProto(proto);
  if (!error.empty())
    return false;
  out.shape.assign(proto.dims().begin(), proto.dims().end());
  int64_t n = out.size();
  auto sizeError = [&](int64_t have, const char *unit) {
    error = "holds " + std::to_string(have) + " " + unit + ", but its shape " +
            "needs " + std::to_string(n) + " elements (truncated or corrupt)";
    return false;
  };
  out.f.clear();
  out.i.clear();
  if (proto.has_raw_data()) {
    const std::string &raw = proto.raw_data();
    size_t width = out.kind == ElemKind::F64 || out.kind == ElemKind::I64 ? 8
                   : out.kind == ElemKind::Bool                          ? 1
                                                                         : 4;
    if (raw.size() != static_cast<size_t>(n) * width) {
      error = "holds " + std::to_string(raw.size()) + " bytes, but its shape " +
              "needs " + std::to_string(n * width) +
              " (truncated or corrupt)";
      return false;
    }
    switch (out.kind) {
    case ElemKind::F32: {
      std::vector<float> v;
      readRaw(raw, n, v);
      out.f.assign(v.begin(), v.end());
      break;
    }
    case ElemKind::F64:
      readRaw(raw, n, out.f);
      break;
    case ElemKind::I64:
      readRaw(raw, n, out.i);
      break;
    case ElemKind::I32: {
      std::vector<int32_t> v;
      readRaw(raw, n, v);
      out.i.assign(v.begin(), v.end());
      break;
    }
    case ElemKind::Bool: {
      std::vector<uint8_t> v;
      readRaw(raw, n, v);
      out.i.assign(v.begin(), v.end());
      break;
    }
    }
    return true;
  }
  switch (out.kind) {
  case ElemKind::F32:
    if (proto.float_data_size() != n)
      return sizeError(proto.float_data_size(), "floats");
    out.f.assign(proto.float_data().begin(), proto.float_data().end());
    break;
  case ElemKind::F64:
    if (proto.double_data_size() != n)
      return sizeError(proto.double_data_size(), "doubles");
    out.f.assign(proto.double_data().begin(), proto.double_data().end());
    break;
  case ElemKind::I64:
    if (proto.int64_data_size() != n)
      return sizeError(proto.int64_data_size(), "int64 values");
    out.i.assign(proto.int64_data().begin(), proto.int64_data().end());
    break;
  case ElemKind::I32:
  case ElemKind::Bool:
    if (proto.int32_data_size() != n)
      return sizeError(proto.int32_data_size(), "int32 values");
    out.i.assign(proto.int32_data().begin(), proto.int32_data().end());
    break;
  }
  return true;
}

} // namespace rev::onnx_import
