//===- Outputs.h - results of a compiled function -------------*- C++ -*-===//

#ifndef REV_RUNTIME_OUTPUTS_H
#define REV_RUNTIME_OUTPUTS_H

#include "rev/Runtime/Array.h"
#include "rev/Runtime/Runner.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <vector>

namespace rev::runtime {

/// Writes each result of `sig` to `dir`/<rev.name>.npy (creating `dir`).
llvm::Error writeOutputs(const EntrySignature &sig,
                         const std::vector<Array> &outputs,
                         llvm::StringRef dir);

/// Compares each result of `sig` with its reference in `dir`:
/// <rev.name>.npy, else ONNX test data (output_<k>.pb, by tensor name, else
/// by position). A result matches if no NaN differs and max |a - b| / max |b|
/// <= `rtol` or max |a - b| <= `atol`. Prints a line per result and a
/// summary to `os`; returns the number of mismatches, or an error when a
/// reference cannot be read or `dir` holds none at all.
llvm::Expected<int> compareWithReferences(const EntrySignature &sig,
                                          const std::vector<Array> &outputs,
                                          llvm::StringRef dir, double rtol,
                                          double atol, llvm::raw_ostream &os);

} // namespace rev::runtime

#endif // REV_RUNTIME_OUTPUTS_H
