//===- Outputs.h - results of a compiled function -------------*- C++ -*-===//

#ifndef REV_RUNTIME_OUTPUTS_H
#define REV_RUNTIME_OUTPUTS_H

#include "rev/Runtime/Array.h"
#include "rev/Runtime/Memory.h"
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

/// The minimum, median and mean of call times (`times` not empty).
struct TimeSummary {
  double min = 0, median = 0, mean = 0;
};
TimeSummary summarizeTimes(llvm::ArrayRef<double> times);

/// What a driver measured over the calls of an entry.
struct RunReport {
  std::string target;          // "cpu" or "gpu"
  unsigned threads = 1;        // of the parallel loops (1: serial; 0: GPU)
  std::vector<double> timesMs; // one per call
  AllocationStats stats;       // of the last call (GPU: device bytes)
};

/// Writes `report` for `sig` as JSON to `path` (entry, target, threads,
/// repeat, time_ms min/median/mean/all, peak_bytes, allocated_bytes,
/// allocations, args and results with name, dtype and shape); the file is
/// written whole or not at all.
llvm::Error writeReport(llvm::StringRef path, const EntrySignature &sig,
                        const RunReport &report);

} // namespace rev::runtime

#endif // REV_RUNTIME_OUTPUTS_H
