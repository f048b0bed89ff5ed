//===- TextChecks.cpp - checks of MLIR text before it is parsed -----------===//

#include "rev/Utils/TextChecks.h"

#include "llvm/ADT/Twine.h"

#include <cctype>

using namespace llvm;

namespace {

/// "<name>:<line>:<col>" of offset `i` of `text`.
std::string placeOf(StringRef text, StringRef name, size_t i) {
  size_t lineStart = text.rfind('\n', i);
  lineStart = lineStart == StringRef::npos ? 0 : lineStart + 1;
  size_t line = 1 + text.take_front(i).count('\n');
  return (name + ":" + Twine(line) + ":" + Twine(i - lineStart + 1)).str();
}

/// The offset of the last character of the string literal (with \-escapes)
/// or `//` comment that starts at `i` (npos when it runs to the end of
/// `text`), or `i` itself when neither starts there.
size_t skipStringOrComment(StringRef text, size_t i) {
  size_t n = text.size();
  if (text[i] == '"') {
    for (++i; i < n && text[i] != '"'; ++i)
      if (text[i] == '\\')
        ++i;
    return i < n ? i : StringRef::npos;
  }
  if (text[i] == '/' && i + 1 < n && text[i + 1] == '/')
    return text.find('\n', i);
  return i;
}

/// Whether `rest` starts with `[]` or `[i, j, ...]` (integers).
bool startsWithIntegerList(StringRef rest) {
  if (!rest.consume_front("["))
    return false;
  rest = rest.ltrim();
  if (rest.consume_front("]"))
    return true;
  while (true) {
    rest.consume_front("-");
    size_t digits = rest.find_first_not_of("0123456789");
    if (digits == 0 || digits == StringRef::npos)
      return false;
    rest = rest.drop_front(digits).ltrim();
    if (rest.consume_front("]"))
      return true;
    if (!rest.consume_front(","))
      return false;
    rest = rest.ltrim();
  }
}

} // namespace

std::optional<rev::TextCheckError>
rev::checkTextNesting(StringRef text, StringRef name, unsigned limit) {
  unsigned depth = 0;
  for (size_t i = 0, n = text.size(); i < n; ++i) {
    if (size_t last = skipStringOrComment(text, i); last != i) {
      if (last == StringRef::npos)
        break;
      i = last;
      continue;
    }
    char c = text[i];
    if (c == '(' || c == '[' || c == '{' || c == '<') {
      if (++depth <= limit)
        continue;
      return TextCheckError{
          placeOf(text, name, i),
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

std::optional<rev::TextCheckError> rev::checkLinalgLists(StringRef text,
                                                         StringRef name) {
  if (!text.contains("linalg"))
    return std::nullopt;
  auto isIdent = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
           c == '.' || c == '$' || c == '-';
  };
  char previous = 0; // (the last character that is not a space, outside
                     // strings and comments)
  for (size_t i = 0, n = text.size(); i < n; ++i) {
    if (size_t last = skipStringOrComment(text, i); last != i) {
      if (last == StringRef::npos)
        break;
      if (text[i] == '"')
        previous = '"';
      i = last;
      continue;
    }
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c)))
      continue;
    // (a keyword starts a word, not an SSA value, block, alias or symbol)
    char before = i > 0 ? text[i - 1] : ' ';
    if (!isIdent(before) && !StringRef("%^#!@").contains(before)) {
      StringRef rest = text.drop_front(i);
      for (StringRef key : {"dimensions", "permutation"}) {
        if (!rest.starts_with(key) ||
            (rest.size() > key.size() && isIdent(rest[key.size()])) ||
            previous == '{' || previous == ',')
          continue;
        StringRef value = rest.drop_front(key.size()).ltrim();
        if (!value.consume_front("="))
          continue;
        if (!startsWithIntegerList(value.ltrim()))
          return TextCheckError{
              placeOf(text, name, i),
              ("'" + key +
               " =' must be followed by a list of integers [i, j, ...]: "
               "refused (MLIR's parser of linalg.reduce, linalg.broadcast "
               "and linalg.transpose crashes on anything else, "
               "llvm/llvm-project#132747)")
                  .str()};
      }
    }
    previous = c;
  }
  return std::nullopt;
}

std::optional<rev::TextCheckError> rev::checkMLIRText(StringRef text,
                                                      StringRef name) {
  if (auto error = checkTextNesting(text, name))
    return error;
  return checkLinalgLists(text, name);
}
