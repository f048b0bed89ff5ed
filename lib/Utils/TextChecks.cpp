//===- TextChecks.cpp - checks of MLIR text before it is parsed -----------===//

#include "rev/Utils/TextChecks.h"

#include "llvm/ADT/Twine.h"

using namespace llvm;

std::optional<rev::TextNestingError>
rev::checkTextNesting(StringRef text, StringRef name, unsigned limit) {
  unsigned depth = 0;
  for (size_t i = 0, n = text.size(); i < n; ++i) {
    char c = text[i];
    if (c == '"') { // (a string literal, with \-escapes)
      for (++i; i < n && text[i] != '"'; ++i)
        if (text[i] == '\\')
          ++i;
      continue;
    }
    if (c == '/' && i + 1 < n && text[i + 1] == '/') { // (a comment)
      i = text.find('\n', i);
      if (i == StringRef::npos)
        break;
      continue;
    }
    if (c == '(' || c == '[' || c == '{' || c == '<') {
      if (++depth <= limit)
        continue;
      size_t lineStart = text.rfind('\n', i);
      lineStart = lineStart == StringRef::npos ? 0 : lineStart + 1;
      size_t line = 1 + text.take_front(i).count('\n');
      return TextNestingError{
          (name + ":" + Twine(line) + ":" + Twine(i - lineStart + 1)).str(),
          ("brackets nested more than " + Twine(limit) +
           " levels deep: refused (MLIR's parser would overflow its stack)")
              .str()};
    }
    bool arrow = c == '>' && i > 0 && text[i - 1] == '-';
    bool compare = c == '>' && i + 1 < n && text[i + 1] == '=';
    if ((c == ')' || c == ']' || c == '}' ||
         (c == '>' && !arrow && !compare)) &&
        depth > 0)
      --depth;
  }
  return std::nullopt;
}
