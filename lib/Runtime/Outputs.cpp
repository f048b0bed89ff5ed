//===- Outputs.cpp - results of a compiled function -----------------------===//

#include "rev/Runtime/Outputs.h"

#include "rev/Runtime/Inputs.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"

#include <optional>
#include <system_error>

namespace rev::runtime {

static llvm::Error error(const llvm::Twine &message) {
  return llvm::createStringError(
      std::make_error_code(std::errc::invalid_argument), message);
}

llvm::Error writeOutputs(const EntrySignature &sig,
                         const std::vector<Array> &outputs,
                         llvm::StringRef dir) {
  if (auto ec = llvm::sys::fs::create_directories(dir))
    return error("cannot create '" + dir + "': " + ec.message());
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
    return error(readError);
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
    return error("--expect: '" + dir +
                 "' holds no reference for any result (expected "
                 "<rev.name>.npy or output_<k>.pb)");
  os << "compared " << compared << " result(s): "
     << (mismatches ? std::to_string(mismatches) + " mismatch(es)"
                    : std::string("all within tolerance"))
     << " (rtol " << rtol << ", atol " << atol << ")\n";
  return mismatches;
}

} // namespace rev::runtime
