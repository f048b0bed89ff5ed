//===- Runner.h - JIT-compile and call entry points -------------*- C++ -*-===//

#ifndef REV_RUNTIME_RUNNER_H
#define REV_RUNTIME_RUNNER_H

#include "rev/Conversion/Passes.h"
#include "rev/Runtime/Array.h"
#include "rev/Runtime/ObjectCompiler.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <memory>

namespace llvm::orc {
class LLJIT;
} // namespace llvm::orc

namespace rev::runtime {

struct TensorSpec {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  /// GPU code only: only kernels touch it, so the caller may keep it in
  /// device memory (rev.abi `device`, from rev-gpu-device-arguments).
  bool device = false;
  std::string describe() const; // "float32 [4,3,16,16]"
};

/// An entry point's tensor-level signature, from its `rev.abi` attribute
/// (see rev-annotate-abi). Results are out-parameters after the arguments.
struct EntrySignature {
  std::string function;
  std::vector<TensorSpec> args, results;
  /// The module's run-time checks' messages, by number (rev.checks).
  std::vector<std::string> checks;
  /// A CUDA graph can replay the entry (rev.abi graph: its host code only
  /// enqueues GPU work).
  bool graph = false;
};

/// The error of a failed run-time check: "run-time check failed in @f:
/// <message of check `check`>; got <value>".
llvm::Error checkFailed(const EntrySignature &sig, int64_t check,
                        int64_t value);

/// Reads `rev.abi` from the function (func.func or llvm.func) `name`.
llvm::Expected<EntrySignature> readSignature(mlir::ModuleOp module,
                                             llvm::StringRef name);

/// The default entry of a module: `train_step` if present, else its only
/// public function with a body.
llvm::Expected<std::string> defaultEntry(mlir::ModuleOp module);

/// How far a module is lowered.
enum class IRLevel { Tensor, Memref, LLVM };
IRLevel detectLevel(mlir::ModuleOp module);

/// Lowers `module` to the LLVM dialect with rev-lower-cpu and `options`,
/// from the tensor or the memref level (from-memref is set from the
/// module).
llvm::Error lowerToLLVM(mlir::ModuleOp module, LowerCPUOptions &options);

/// Whether a module in the LLVM dialect calls the OpenMP runtime.
bool usesOpenMP(mlir::ModuleOp module);
/// Loads the OpenMP runtime (libomp) into the process, so that JIT-compiled
/// code finds it, and sets its thread count (0: the runtime's default).
/// Returns its path.
llvm::Expected<std::string> loadOpenMP(unsigned threads);
/// Threads of the library kernels (oneDNN's OpenMP runtime); 0 leaves its
/// default (one per core).
void setKernelThreads(unsigned threads);
/// The threads a parallel loop uses (1 without a loaded OpenMP runtime).
unsigned openMPThreads();
/// Lowers a tensor-level module with rev-lower-gpu (kernels for `chip`;
/// memory=device, or managed).
llvm::Error lowerToGPU(mlir::ModuleOp module, llvm::StringRef chip,
                       bool deviceMemory = true);

/// A JIT-compiled module whose entry points (functions with rev.abi) can be
/// called.
class JITModule {
public:
  /// Links object files from compileToObjects (or the compile cache) and
  /// resolves the given entry points. `sharedLibs` are loaded into the JIT
  /// (e.g. the CUDA runtime).
  static llvm::Expected<std::unique_ptr<JITModule>>
  load(ObjectFiles objects, llvm::ArrayRef<EntrySignature> entries,
       llvm::ArrayRef<std::string> sharedLibs = {});
  ~JITModule();

  /// Calls an entry point. `inputs` match `sig.args`; `outputs` are
  /// allocated here with the result shapes.
  llvm::Error call(const EntrySignature &sig,
                   llvm::ArrayRef<const Array *> inputs,
                   std::vector<Array> &outputs);
  /// Calls an entry point on C-ordered buffers that the caller allocated
  /// (e.g. managed GPU memory): one per argument, then one per result.
  llvm::Error callRaw(const EntrySignature &sig,
                      llvm::ArrayRef<void *> buffers);

private:
  JITModule();
  std::unique_ptr<llvm::orc::LLJIT> jit;
  llvm::StringMap<void (*)(void **)> packedEntries;
};

} // namespace rev::runtime

#endif // REV_RUNTIME_RUNNER_H
