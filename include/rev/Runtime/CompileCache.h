//===- CompileCache.h - compiled code kept on disk --------------*- C++ -*-===//
//
// A persistent cache of the object files that rev-run compiles, so that the
// second run of the same model skips lowering and code generation.
//
//===----------------------------------------------------------------------===//

#ifndef REV_RUNTIME_COMPILECACHE_H
#define REV_RUNTIME_COMPILECACHE_H

#include "rev/Runtime/ObjectCompiler.h"

#include <optional>

namespace rev::runtime {

/// Entries are files `<directory>/<key>.revobj`: the object files, a word of
/// flags and a checksum. They are written to a temporary file and renamed,
/// so that concurrent runs never read a partial entry, and verified when
/// read: an entry that does not verify is removed and reported, and the
/// caller compiles again.
class CompileCache {
public:
  /// The cache directory: $REV_CACHE_DIR if set (set and empty: no cache),
  /// else $XDG_CACHE_HOME/rev-opt, else $HOME/.cache/rev-opt.
  static std::optional<std::string> defaultDirectory();

  explicit CompileCache(std::string directory)
      : directory(std::move(directory)) {}

  /// The key of compiled code: a SHA-256 over this tool's executable (so
  /// that a rebuilt compiler never reuses old code), LLVM's version, the
  /// host target (triple, CPU, features), `options` and the module's text.
  static std::string key(llvm::StringRef moduleText, llvm::StringRef options);

  struct Entry {
    ObjectFiles objects;
    uint64_t flags = 0;
  };
  /// The entry of `key`, or nullopt on a miss. When an entry exists but
  /// cannot be used (corrupt, truncated, unreadable), `note` says why and
  /// the entry is removed.
  std::optional<Entry> lookup(llvm::StringRef key, std::string &note) const;
  /// Stores an entry (atomically: a temporary file renamed into place).
  llvm::Error store(llvm::StringRef key, const ObjectFiles &objects,
                    uint64_t flags) const;

  std::string pathOf(llvm::StringRef key) const;
  const std::string &getDirectory() const { return directory; }

  /// Entry flags.
  static constexpr uint64_t kUsesOpenMP = 1;

private:
  std::string directory;
};

} // namespace rev::runtime

#endif // REV_RUNTIME_COMPILECACHE_H
