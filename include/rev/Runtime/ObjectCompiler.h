//===- ObjectCompiler.h - LLVM dialect to machine code, in parallel -*- C++ -*-===//
//
// Compiles a module in the LLVM dialect to relocatable object files for this
// machine: the LLVM module is split into partitions that are optimized and
// code-generated on several threads (each in its own LLVMContext), so that a
// training step's thousand small functions use every core.
//
//===----------------------------------------------------------------------===//

#ifndef REV_RUNTIME_OBJECTCOMPILER_H
#define REV_RUNTIME_OBJECTCOMPILER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <string>
#include <vector>

namespace rev::runtime {

using ObjectFiles = std::vector<std::unique_ptr<llvm::MemoryBuffer>>;

struct ObjectCompileOptions {
  /// LLVM's optimization and code generation level (0-3).
  unsigned optLevel = 2;
  /// Threads that optimize and generate code; 0: one per core.
  unsigned threads = 0;
};

/// Times of the phases of `compileToObjects`, in seconds.
struct ObjectCompileStats {
  double translate = 0, codegen = 0;
  unsigned functions = 0, partitions = 0, threads = 0;
};

/// The name of the packed entry point that `compileToObjects` adds for an
/// entry `fn` with a C interface: `void(void **args)`, where args[i] points
/// at the i-th argument of `_mlir_ciface_<fn>` (MLIR's packed convention).
std::string packedEntryName(llvm::StringRef fn);

/// Registers this host's target with LLVM (once per process).
void initializeNativeTarget();

/// A string naming this host's target (triple, CPU, features), for cache
/// keys.
std::string hostTargetDescription();

/// Compiles `module` (LLVM dialect) to object files for this host. Each
/// function in `entries` (which must have `_mlir_ciface_` wrappers) gets a
/// packed entry point (`packedEntryName`).
llvm::Expected<ObjectFiles>
compileToObjects(mlir::ModuleOp module, llvm::ArrayRef<std::string> entries,
                 const ObjectCompileOptions &options,
                 ObjectCompileStats *stats = nullptr);

} // namespace rev::runtime

#endif // REV_RUNTIME_OBJECTCOMPILER_H
