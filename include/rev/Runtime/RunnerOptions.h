//===- RunnerOptions.h - rev-run's command line -----------------*- C++ -*-===//
//
// rev-run's options, registered on demand (as MlirOptMainConfig's are: a
// tool that links lib/Runtime without calling registerRunnerCLOptions does
// not get them), and read into a plain configuration, checked.
//
//===----------------------------------------------------------------------===//

#ifndef REV_RUNTIME_RUNNEROPTIONS_H
#define REV_RUNTIME_RUNNEROPTIONS_H

#include "rev/Conversion/Passes.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace rev::runtime {

struct CompileRequest;
struct Entries;

/// rev-run's settings (see `rev-run --help` for each).
struct RunnerConfig {
  std::string inputFile = "-", entry, weights, outputDir, reportFile, expectDir,
              dumpLLVM, gpuChip = "sm_90";
  std::vector<std::string> inputDirs;
  unsigned repeat = 1, optLevel = 3, threads = 0, compileThreads = 0,
           segmentOps = 64, fdDirections = 2, seed = 0;
  double relTolerance = 1e-4, absTolerance = 1e-6, fdEps = 0, fdTolerance = 0;
  bool naive = false, rematerialize = true, noChecks = false, noCache = false,
       printSignature = false, noRun = false, checkGradients = false,
       showTiming = false, gpu = false, gpuDeviceMemory = true, gpuGraph = true,
       emulateGPUKernels = false;
  LowerCPUOptions::KernelLibrary kernelLibrary =
      kHaveOneDNN ? LowerCPUOptions::KernelLibrary::OneDNN
                  : LowerCPUOptions::KernelLibrary::None;

  /// How `entries` are lowered and compiled with these settings.
  CompileRequest compileRequest(const Entries &entries) const;
};

/// Registers rev-run's options with the command line, in the categories
/// runnerOptionCategories() returns (rev-run's, and the ONNX importer's
/// once the tool has put the --onnx-* options in it).
void registerRunnerCLOptions();
llvm::SmallVector<const llvm::cl::OptionCategory *, 2> runnerOptionCategories();

/// The parsed options; an error for values that parse but make no sense (a
/// negative tolerance passes everything, an --expect directory that is not
/// there compares nothing).
llvm::Expected<RunnerConfig> runnerConfigFromCL();

} // namespace rev::runtime

#endif // REV_RUNTIME_RUNNEROPTIONS_H
