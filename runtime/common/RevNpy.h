//===- RevNpy.h - NumPy .npy headers, without LLVM -------------*- C++ -*-===//
//
// The one reader and writer of `.npy` headers: rev-run's arrays
// (lib/Runtime/Array.cpp) and the ahead-of-time GPU program
// (runtime/cuda/GPUProgram.cpp, which links only the CUDA driver, hence
// standard C++ only). Header-only.
//
// Format 1.0/2.0/3.0: the magic "\x93NUMPY", a version, a little-endian
// header length, then a Python dict literal {'descr': '<f4', 'fortran_order':
// False, 'shape': (2, 3), } padded with spaces and a newline, then the data.
//
//===----------------------------------------------------------------------===//

#ifndef REV_RUNTIME_COMMON_REVNPY_H
#define REV_RUNTIME_COMMON_REVNPY_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rev_npy {

struct Header {
  std::string descr; // e.g. "<f4"
  bool fortranOrder = false;
  std::vector<int64_t> shape;
  size_t dataOffset = 0; // where the data starts in the file
};

/// The dtypes rev exchanges, by NumPy name, and their little-endian descr.
inline const char *const kDTypes[][2] = {{"float32", "<f4"},
                                         {"float64", "<f8"},
                                         {"int64", "<i8"},
                                         {"int32", "<i4"},
                                         {"bool", "|b1"}};

/// The descr of a dtype name ("float32" -> "<f4"); "" if unknown.
inline const char *descrOf(const std::string &dtype) {
  for (const auto &d : kDTypes)
    if (dtype == d[0])
      return d[1];
  return "";
}

/// The dtype name of a descr ("<f4" -> "float32"); "" if unsupported.
inline const char *dtypeOf(const std::string &descr) {
  for (const auto &d : kDTypes)
    if (descr == d[1])
      return d[0];
  return "";
}

/// The bytes before the data of a C-ordered array (format 1.0), as NumPy
/// writes them: "(2, 3)" for a matrix, "(5,)" for a vector, the dictionary
/// padded so that the data starts at a multiple of 64 bytes.
inline std::string headerBytes(const std::string &descr,
                               const std::vector<int64_t> &shape) {
  std::string dict = "{'descr': '" + descr +
                     "', 'fortran_order': False, "
                     "'shape': (";
  for (size_t i = 0; i < shape.size(); ++i)
    dict += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1)
    dict += ",";
  dict += "), }";
  size_t total = 10 + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  std::string bytes("\x93NUMPY\x01\x00", 8);
  bytes += static_cast<char>(dict.size() & 0xff);
  bytes += static_cast<char>((dict.size() >> 8) & 0xff);
  return bytes + dict;
}

namespace detail {

inline bool isSpace(char c) { return c == ' ' || c == '\n' || c == '\t'; }

/// The text after `'key':` in `dict` (spaces skipped), or npos.
inline size_t field(const std::string &dict, const std::string &key) {
  size_t at = dict.find("'" + key + "'");
  if (at == std::string::npos)
    return std::string::npos;
  size_t i = at + key.size() + 2;
  while (i < dict.size() && isSpace(dict[i]))
    ++i;
  if (i >= dict.size() || dict[i] != ':')
    return std::string::npos;
  ++i;
  while (i < dict.size() && isSpace(dict[i]))
    ++i;
  return i;
}

} // namespace detail

/// Reads the header of the `size` bytes at `bytes`. Returns "" on success,
/// else why the bytes are not a valid .npy file (the caller names the file).
inline std::string parseHeader(const char *bytes, size_t size, Header &out) {
  using detail::field;
  using detail::isSpace;
  if (size < 10 || std::string(bytes, 6) != "\x93NUMPY")
    return "missing the \\x93NUMPY magic";
  unsigned major = static_cast<uint8_t>(bytes[6]);
  size_t headerLen = 0, headerStart = 0;
  if (major == 1) {
    headerLen = static_cast<uint8_t>(bytes[8]) |
                (static_cast<size_t>(static_cast<uint8_t>(bytes[9])) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12)
      return "truncated header";
    for (int i = 0; i < 4; ++i)
      headerLen |= static_cast<size_t>(static_cast<uint8_t>(bytes[8 + i]))
                   << (8 * i);
    headerStart = 12;
  } else {
    return "unknown format version " + std::to_string(major);
  }
  if (size < headerStart || size - headerStart < headerLen)
    return "truncated header";
  std::string dict(bytes + headerStart, headerLen);
  while (!dict.empty() && isSpace(dict.back()))
    dict.pop_back();
  if (dict.empty() || dict.front() != '{' || dict.back() != '}')
    return "the header is not a closed {...} dictionary";
  size_t descr = field(dict, "descr"), fortran = field(dict, "fortran_order"),
         shape = field(dict, "shape");
  if (descr == std::string::npos || fortran == std::string::npos ||
      shape == std::string::npos)
    return "the header lacks descr, fortran_order or shape";
  if (dict[descr] != '\'')
    return "malformed descr";
  size_t descrEnd = dict.find('\'', descr + 1);
  if (descrEnd == std::string::npos)
    return "malformed descr";
  out.descr = dict.substr(descr + 1, descrEnd - descr - 1);
  out.fortranOrder = dict.compare(fortran, 4, "True") == 0;
  if (dict[shape] != '(')
    return "malformed shape";
  size_t shapeEnd = dict.find(')', shape);
  if (shapeEnd == std::string::npos)
    return "malformed shape";
  out.shape.clear();
  size_t i = shape + 1;
  while (i < shapeEnd) {
    while (i < shapeEnd && (isSpace(dict[i]) || dict[i] == ','))
      ++i;
    if (i == shapeEnd)
      break;
    int64_t v = 0;
    size_t digits = 0;
    for (; i < shapeEnd && dict[i] >= '0' && dict[i] <= '9'; ++i, ++digits) {
      if (v > (INT64_MAX - (dict[i] - '0')) / 10)
        return "malformed shape";
      v = v * 10 + (dict[i] - '0');
    }
    if (!digits || (i < shapeEnd && !isSpace(dict[i]) && dict[i] != ','))
      return "malformed shape";
    out.shape.push_back(v);
  }
  out.dataOffset = headerStart + headerLen;
  return "";
}

} // namespace rev_npy

#endif // REV_RUNTIME_COMMON_REVNPY_H
