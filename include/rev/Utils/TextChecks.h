//===- TextChecks.h - checks of MLIR text before it is parsed ---*- C++ -*-===//
//
// MLIR's parser descends recursively into nested brackets and has no limit
// of its own: a few thousand nested '[' overflow its stack (a crash in
// libMLIR). And MLIR 22's parsers of linalg.reduce, linalg.broadcast
// (`dimensions = [...]`) and linalg.transpose (`permutation = [...]`) crash
// when the list does not parse (llvm/llvm-project#132747). rev's tools refuse
// such text first.
//
//===----------------------------------------------------------------------===//

#ifndef REV_UTILS_TEXTCHECKS_H
#define REV_UTILS_TEXTCHECKS_H

#include "llvm/ADT/StringRef.h"

#include <cstddef>
#include <optional>
#include <string>

namespace rev {

/// Deeper bracket nesting than any real module has (regions, attributes and
/// types nest a few tens of levels), and far from where the parser's stack
/// runs out (also under AddressSanitizer).
inline constexpr unsigned kMaxTextNesting = 256;

/// Where text is refused ("<name>:<line>:<col>") and why.
struct TextCheckError {
  std::string where, what;
};

/// When `text` nests brackets ( [ { < deeper than `limit` (outside string
/// literals and `//` comments; `->` and `>=` are not brackets): the first
/// bracket too deep.
std::optional<TextCheckError>
checkTextNesting(llvm::StringRef text, llvm::StringRef name,
                 unsigned limit = kMaxTextNesting);

/// When a `dimensions` or `permutation` keyword outside an attribute
/// dictionary (not after `{` or `,`; outside strings and comments) is
/// followed by `=` and anything but a list of integers: the keyword.
std::optional<TextCheckError> checkLinalgLists(llvm::StringRef text,
                                               llvm::StringRef name);

/// Both checks above.
std::optional<TextCheckError> checkMLIRText(llvm::StringRef text,
                                            llvm::StringRef name);

} // namespace rev

#endif // REV_UTILS_TEXTCHECKS_H
