//===- Session.h - one run of a module, step by step ------------*- C++ -*-===//
//
// What rev-run does, as a library (rev-run is a thin driver over it, as
// mlir-runner is over JitRunnerMain): read or import the module, choose the
// entries, lower them (through the compile cache), JIT-compile them, and
// time calls on the CPU or a GPU, counting the memory the code allocates.
//
//===----------------------------------------------------------------------===//

#ifndef REV_RUNTIME_SESSION_H
#define REV_RUNTIME_SESSION_H

#include "rev/Conversion/Passes.h"
#include "rev/Runtime/CompileCache.h"
#include "rev/Runtime/GPURuntime.h"
#include "rev/Runtime/Memory.h"
#include "rev/Runtime/Runner.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/SourceMgr.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace rev::runtime {

/// Prints how long each phase took (when enabled) as "rev-run: <what> took
/// N s".
class PhaseTimer {
public:
  explicit PhaseTimer(bool enabled) : enabled(enabled) {}
  void done(llvm::StringRef what);

private:
  bool enabled;
  std::chrono::steady_clock::time_point start =
      std::chrono::steady_clock::now();
};

/// A module read from `path`: MLIR (any level), or an ONNX model imported
/// with the command line's --onnx-* options, with the integer graph inputs
/// found in `inputDirs` bound at import time (their values carry shapes and
/// axes). `graphInputs` receives the ONNX graph inputs' names (nullopt for
/// MLIR). A null module: the diagnostics are already reported.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
loadModule(llvm::StringRef path, mlir::MLIRContext &context,
           llvm::SourceMgr &sourceMgr, llvm::ArrayRef<std::string> inputDirs,
           std::optional<std::vector<std::string>> &graphInputs);

/// The functions a run compiles.
struct Entries {
  std::string entry;
  /// With --check-gradients: @<entry>_vjp_step, built by rev-differentiate.
  std::string gradientStep;
};

/// Chooses the entry (`entry`, else defaultEntry), builds its gradient
/// step when `checkGradients`, and makes every other public function
/// private and removes what is unused, so that only they are compiled.
llvm::Expected<Entries> selectEntries(mlir::ModuleOp module,
                                      llvm::StringRef entry,
                                      bool checkGradients);

struct CompileRequest {
  Entries entries;
  /// Lowering (rev-lower-cpu's options, or rev-lower-gpu's).
  bool gpu = false;
  std::string gpuChip = "sm_90";
  bool gpuDeviceMemory = true;
  bool optimize = true;
  bool parallel = true;
  unsigned segmentOps = 0;
  bool checks = true;
  LowerCPUOptions::KernelLibrary kernelLibrary =
      kHaveOneDNN ? LowerCPUOptions::KernelLibrary::OneDNN
                  : LowerCPUOptions::KernelLibrary::None;
  bool rematerialize = true;
  /// rev-lower-cpu emulate-gpu-kernels (testing).
  bool emulateGPUKernels = false;
  /// Code generation.
  ObjectCompileOptions codegen;
  bool useCache = true;
  /// Where to print the lowered module (empty: nowhere; disables the cache).
  std::string dumpLLVM;
  bool showTiming = false;
};

/// A module lowered for a run: the entries' signatures, and the compiled
/// code when the compile cache had it.
struct LoweredModule {
  EntrySignature entry;
  std::optional<EntrySignature> gradientStep;
  std::optional<CompileCache> cache;
  std::string cacheKey;
  std::optional<CompileCache::Entry> cached;
};

/// Lowers `module` (unless it is in the LLVM dialect already, or the compile
/// cache has its code) and reads the entries' signatures.
llvm::Expected<LoweredModule> lowerModule(mlir::ModuleOp module,
                                          const CompileRequest &request,
                                          PhaseTimer &timer);

/// JIT-compiles (or loads from the cache) the lowered module, loading the
/// OpenMP runtime with `threads` when the code uses it; `sharedLibs` are
/// loaded too (the GPU runtime). `usedThreads`: the threads a parallel loop
/// then uses.
llvm::Expected<std::unique_ptr<JITModule>>
compileModule(mlir::ModuleOp module, LoweredModule &lowered,
              const CompileRequest &request, unsigned threads,
              std::vector<std::string> sharedLibs, unsigned &usedThreads,
              PhaseTimer &timer);

/// Timed calls and what they allocated (the last call's counters).
struct Measurement {
  std::vector<double> timesMs;
  AllocationStats stats;
  std::vector<Array> outputs;
  /// The timed calls replayed a CUDA graph (measureOnGPU).
  bool graph = false;
};

/// `repeat` calls on the CPU; fails if a call leaks.
llvm::Expected<Measurement> measureOnCPU(JITModule &code,
                                         const EntrySignature &sig,
                                         std::vector<Array> &inputs,
                                         unsigned repeat);

/// An untimed call, then `repeat` timed calls on the GPU (each to the end of
/// its last kernel), with arguments and results in GPU memory for the whole
/// run: device memory copied explicitly where the code touches them only
/// in kernels (rev.abi `device`), else managed memory. With `graph`, an
/// entry that rev.abi marks replayable is captured into a CUDA graph after
/// the untimed call, and the timed calls replay it (the peak is the
/// captured call's). Fails if a call leaks device memory.
llvm::Expected<Measurement> measureOnGPU(GPURuntime &gpu, JITModule &code,
                                         const EntrySignature &sig,
                                         std::vector<Array> &inputs,
                                         unsigned repeat, bool graph);

/// "@<entry>" and a line per argument, result and run-time check (rev-run
/// --print-signature).
void printSignature(const EntrySignature &sig, llvm::raw_ostream &os);

} // namespace rev::runtime

#endif // REV_RUNTIME_SESSION_H
