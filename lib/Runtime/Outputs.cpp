//===- Outputs.cpp - results of a compiled function -----------------------===//

#include "rev/Runtime/Outputs.h"

#include "rev/Runtime/Inputs.h"

#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

#include <algorithm>
#include <optional>
#include <system_error>

namespace rev::runtime {

llvm::Error writeOutputs(const EntrySignature &sig,
                         const std::vector<Array> &outputs,
                         llvm::StringRef dir) {
  if (auto ec = llvm::sys::fs::create_directories(dir))
    return llvm::createStringError("cannot create '" + dir +
                                   "': " + ec.message());
  for (auto [r, spec] : llvm::enumerate(sig.results)) {
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, fileNameFor(spec.name) + ".npy");
    if (auto err = writeNpy(path, outputs[r]))
      return err;
  }
  return llvm::Error::success();
}

llvm::Expected<int> compareWithReferences(const EntrySignature &sig,
                                          const std::vector<Array> &outputs,
                                          llvm::StringRef dir, double rtol,
                                          double atol, llvm::raw_ostream &os) {
  std::string readError;
  auto refData = readTestData(dir, "output_", readError);
  if (!readError.empty())
    return llvm::createStringError(readError);
  int mismatches = 0, compared = 0;
  for (auto [r, spec] : llvm::enumerate(sig.results)) {
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, fileNameFor(spec.name) + ".npy");
    std::optional<Array> ref;
    if (llvm::sys::fs::exists(path)) {
      auto a = readNpy(path);
      if (!a)
        return a.takeError();
      ref = std::move(*a);
    } else {
      for (auto &[name, a] : refData)
        if (name == spec.name)
          ref = a;
      if (!ref && r < refData.size() && refData[r].first.empty())
        ref = refData[r].second;
    }
    if (!ref) {
      os << "  " << spec.name << ": no reference\n";
      continue;
    }
    ++compared;
    if (ref->shape != outputs[r].shape) {
      os << "  " << spec.name << ": MISMATCH shape " << outputs[r].shapeString()
         << " vs reference " << ref->shapeString() << "\n";
      ++mismatches;
      continue;
    }
    Difference d = compareArrays(outputs[r], *ref);
    bool ok = !d.hasNaN && (d.maxRel <= rtol || d.maxAbs <= atol);
    mismatches += !ok;
    os << "  " << spec.name << ": max abs err "
       << llvm::format("%.3g", d.maxAbs) << ", rel err "
       << llvm::format("%.3g", d.maxRel) << (d.hasNaN ? " (NaN mismatch)" : "")
       << (ok ? " ok" : " MISMATCH") << "\n";
  }
  if (compared == 0)
    return llvm::createStringError(
        "--expect: '" + dir +
        "' holds no reference for any result (expected "
        "<rev.name>.npy or output_<k>.pb)");
  os << "compared " << compared << " result(s): "
     << (mismatches ? std::to_string(mismatches) + " mismatch(es)"
                    : std::string("all within tolerance"))
     << " (rtol " << rtol << ", atol " << atol << ")\n";
  return mismatches;
}

static llvm::json::Object specJSON(const TensorSpec &s) {
  llvm::json::Array shape;
  for (int64_t d : s.shape)
    shape.push_back(d);
  return llvm::json::Object{{"name", s.name},
                            {"dtype", dtypeName(s.dtype)},
                            {"shape", std::move(shape)}};
}

TimeSummary summarizeTimes(llvm::ArrayRef<double> times) {
  TimeSummary s;
  if (times.empty())
    return s;
  std::vector<double> sorted(times.begin(), times.end());
  std::sort(sorted.begin(), sorted.end());
  s.min = sorted.front();
  s.median = sorted[sorted.size() / 2];
  if (sorted.size() % 2 == 0)
    s.median = (sorted[sorted.size() / 2 - 1] + sorted[sorted.size() / 2]) / 2;
  for (double t : times)
    s.mean += t / times.size();
  return s;
}

llvm::Error writeReport(llvm::StringRef path, const EntrySignature &sig,
                        const RunReport &report) {
  if (report.timesMs.empty())
    return llvm::createStringError("no timed call to report");
  TimeSummary summary = summarizeTimes(report.timesMs);
  llvm::json::Array argList, resultList, timeList;
  for (auto &a : sig.args)
    argList.push_back(specJSON(a));
  for (auto &r : sig.results)
    resultList.push_back(specJSON(r));
  for (double t : report.timesMs)
    timeList.push_back(t);
  llvm::json::Object json{
      {"entry", sig.function},
      {"target", report.target},
      // Threads of the parallel loops (1: serial code).
      {"threads", static_cast<int64_t>(report.threads)},
      {"repeat", static_cast<int64_t>(report.timesMs.size())},
      {"time_ms", llvm::json::Object{{"min", summary.min},
                                     {"median", summary.median},
                                     {"mean", summary.mean},
                                     {"all", std::move(timeList)}}},
      // On the GPU: live device bytes (managed memory).
      {"peak_bytes", static_cast<int64_t>(report.stats.peakBytes)},
      {"allocated_bytes", static_cast<int64_t>(report.stats.allocatedBytes)},
      {"allocations", static_cast<int64_t>(report.stats.allocations)},
      {"args", std::move(argList)},
      {"results", std::move(resultList)}};
  std::string message;
  auto out = mlir::openOutputFile(path, &message);
  if (!out)
    return llvm::createStringError(message);
  out->os() << llvm::formatv("{0:2}", llvm::json::Value(std::move(json)))
            << "\n";
  out->keep();
  return llvm::Error::success();
}

} // namespace rev::runtime
