//===- ReadElements.h - what rev-run does with an array it read -*- C++ -*-===//

#ifndef REV_FUZZ_READELEMENTS_H
#define REV_FUZZ_READELEMENTS_H

#include "rev/Runtime/Array.h"

/// Reads every element, as rev-run does with an input, so that a size that
/// does not match the data shows as an out-of-bounds read.
inline void readEveryElement(const rev::runtime::Array &a) {
  volatile double sum = 0;
  for (int64_t i = 0; i < a.numElements(); ++i)
    sum = sum + a.at(i);
}

#endif // REV_FUZZ_READELEMENTS_H
