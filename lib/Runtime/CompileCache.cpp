//===- CompileCache.cpp - compiled code kept on disk ----------------------===//

#include "rev/Runtime/CompileCache.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <cstdlib>

namespace rev::runtime {

// Layout of an entry: the magic, the flags, the number of objects, each
// object as its size and bytes, then the xxh3 checksum of all that precedes
// it (all integers 64-bit little-endian).
static constexpr llvm::StringLiteral kMagic = "REVOBJ01";

std::optional<std::string> CompileCache::defaultDirectory() {
  if (const char *dir = std::getenv("REV_CACHE_DIR"))
    return *dir ? std::optional<std::string>(dir) : std::nullopt;
  llvm::SmallString<256> path;
  if (const char *xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    path = xdg;
  } else if (const char *home = std::getenv("HOME"); home && *home) {
    path = home;
    llvm::sys::path::append(path, ".cache");
  } else {
    return std::nullopt;
  }
  llvm::sys::path::append(path, "rev-opt");
  return path.str().str();
}

/// A digest of the running executable (computed once per process).
static const std::string &toolDigest() {
  static const std::string digest = [] {
    llvm::SHA256 hash;
    auto exe = llvm::MemoryBuffer::getFile("/proc/self/exe");
    if (exe)
      hash.update((*exe)->getBuffer());
    else // (no /proc: the version alone)
      hash.update(LLVM_VERSION_STRING);
    return llvm::toHex(hash.final(), /*LowerCase=*/true);
  }();
  return digest;
}

std::string CompileCache::key(llvm::StringRef moduleText,
                              llvm::StringRef options) {
  llvm::SHA256 hash;
  auto field = [&](llvm::StringRef s) {
    uint64_t size = s.size();
    hash.update(llvm::ArrayRef(reinterpret_cast<const uint8_t *>(&size),
                               sizeof(size)));
    hash.update(s);
  };
  field(toolDigest());
  field(LLVM_VERSION_STRING);
  field(hostTargetDescription());
  field(options);
  field(moduleText);
  return llvm::toHex(hash.final(), /*LowerCase=*/true);
}

std::string CompileCache::pathOf(llvm::StringRef key) const {
  llvm::SmallString<256> path(directory);
  llvm::sys::path::append(path, key + ".revobj");
  return path.str().str();
}

std::optional<CompileCache::Entry>
CompileCache::lookup(llvm::StringRef key, std::string &note) const {
  std::string path = pathOf(key);
  if (!llvm::sys::fs::exists(path))
    return std::nullopt;
  auto reject = [&](const llvm::Twine &why) -> std::optional<Entry> {
    note = ("compile cache entry " + path + " " + why +
            ": removed, compiling again")
               .str();
    llvm::sys::fs::remove(path);
    return std::nullopt;
  };
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                          /*RequiresNullTerminator=*/false);
  if (!file)
    return reject("cannot be read (" + file.getError().message() + ")");
  llvm::StringRef data = (*file)->getBuffer();
  size_t pos = 0;
  auto read64 = [&](uint64_t &value) {
    if (data.size() - pos < 8)
      return false;
    value = llvm::support::endian::read64le(data.data() + pos);
    pos += 8;
    return true;
  };
  if (data.size() < kMagic.size() + 8 || !data.starts_with(kMagic))
    return reject("is not a rev-opt cache entry");
  uint64_t checksum =
      llvm::support::endian::read64le(data.data() + data.size() - 8);
  llvm::StringRef body = data.drop_back(8);
  if (llvm::xxh3_64bits(body) != checksum)
    return reject("is corrupt (checksum mismatch)");
  data = body;
  pos = kMagic.size();
  Entry entry;
  uint64_t count;
  if (!read64(entry.flags) || !read64(count) || count > data.size())
    return reject("is truncated");
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t size;
    if (!read64(size) || size > data.size() - pos)
      return reject("is truncated");
    entry.objects.push_back(llvm::MemoryBuffer::getMemBufferCopy(
        data.substr(pos, size), "rev-cache-part" + std::to_string(i) + ".o"));
    pos += size;
  }
  if (pos != data.size())
    return reject("has trailing bytes");
  return entry;
}

llvm::Error CompileCache::store(llvm::StringRef key, const ObjectFiles &objects,
                                uint64_t flags) const {
  if (std::error_code ec = llvm::sys::fs::create_directories(directory))
    return llvm::createStringError(ec, "cannot create the cache directory %s",
                                   directory.c_str());
  std::string data(kMagic);
  auto append64 = [&](uint64_t value) {
    char bytes[8];
    llvm::support::endian::write64le(bytes, value);
    data.append(bytes, 8);
  };
  append64(flags);
  append64(objects.size());
  for (const auto &object : objects) {
    append64(object->getBufferSize());
    data.append(object->getBufferStart(), object->getBufferSize());
  }
  append64(llvm::xxh3_64bits(llvm::StringRef(data)));

  // Write a temporary file beside the entry, then rename it into place: a
  // reader sees the old entry, no entry, or the whole new one.
  llvm::SmallString<256> temporary;
  int fd;
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(
          pathOf(key) + ".%%%%%%.tmp", fd, temporary))
    return llvm::createStringError(ec, "cannot write to the cache %s",
                                   directory.c_str());
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << data;
    os.close();
    if (os.has_error()) {
      std::error_code ec = os.error();
      os.clear_error();
      llvm::sys::fs::remove(temporary);
      return llvm::createStringError(ec, "cannot write %s",
                                     temporary.c_str());
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(temporary, pathOf(key))) {
    llvm::sys::fs::remove(temporary);
    return llvm::createStringError(ec, "cannot write %s",
                                   pathOf(key).c_str());
  }
  return llvm::Error::success();
}

} // namespace rev::runtime
