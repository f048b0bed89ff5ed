//===- AOTSources.h - sources around ahead-of-time compiled code -*- C++
//-*-===//
//
// What a C program (or a foreign-function interface) needs to call the
// entries of a module lowered by rev-lower-cpu or rev-lower-gpu, generated
// from their `rev.abi` signatures (as IREE's static library generator
// writes a header from its ABI): the C header, the status-returning
// wrappers, a JSON manifest, and a GPU program's main(). utils/aot-compile.py
// compiles and links them with the object code (`rev-translate
// --rev-aot-sources`).
//
//===----------------------------------------------------------------------===//

#ifndef REV_RUNTIME_AOTSOURCES_H
#define REV_RUNTIME_AOTSOURCES_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace rev::runtime {

struct AOTOptions {
  /// Entries to export; empty: the module's default entry (defaultEntry).
  std::vector<std::string> entries;
  /// rev-lower-cpu's threads option: > 0 makes the wrappers set the library
  /// kernels' threads to match.
  unsigned threads = 0;
  /// cpu: header, wrappers, manifest; gpu: the program's main() and the
  /// manifest (one entry).
  bool gpu = false;
};

/// The file name under which the wrappers include the header.
inline constexpr const char *kAOTHeaderName = "rev_aot_entries.h";

/// Writes one JSON object: "entries" (per entry: "arguments" and "results",
/// each {"name", "dtype", "shape", "device"}, "checks", the run-time checks'
/// messages, and "wrapper" / "packed", the C names of rev_<entry>() and
/// rev_<entry>_packed()), "order" (the entries' names in order), "kernels"
/// (whether the code calls rev's library kernels), and the sources: "header"
/// and "wrapper" (cpu; the wrappers include the header as kAOTHeaderName)
/// or "main" (gpu).
llvm::Error writeAOTSources(mlir::ModuleOp module, const AOTOptions &options,
                            llvm::raw_ostream &os);

} // namespace rev::runtime

#endif // REV_RUNTIME_AOTSOURCES_H
