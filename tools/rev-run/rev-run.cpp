//===- rev-run.cpp - run a model or training step on the CPU --------------===//
//
// JIT-compiles a function (from ONNX, or MLIR at any level from TOSA to the
// LLVM dialect), runs it on inputs read from .npy / ONNX TensorProto files,
// writes its results as .npy, and reports the time per call and the measured
// peak of live heap bytes the compiled code allocated. See docs/rev-run.md.
//
//===----------------------------------------------------------------------===//

#include "rev/Import/ONNX/ONNXImporter.h"
#include "rev/InitAll.h"
#include "rev/Runtime/Inputs.h"
#include "rev/Runtime/Outputs.h"
#include "rev/Runtime/RunnerOptions.h"
#include "rev/Runtime/Session.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"

#include <limits>
#include <malloc.h>

using namespace mlir;
using namespace rev::runtime;
namespace cl = llvm::cl;

static int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "rev-run") << message << "\n";
  return 1;
}

static int fail(llvm::Error err) {
  std::string message = llvm::toString(std::move(err));
  // The JIT lists every symbol it could not materialize: keep the cause.
  constexpr size_t limit = 400;
  if (message.size() > limit)
    message = message.substr(0, limit) + "... (" +
              std::to_string(message.size() - limit) + " more characters)";
  return fail(message);
}

/// Freed buffers stay in the process for the next call instead of going
/// back to the kernel (glibc returns blocks above its mmap threshold and the
/// top of the heap at once, and every call then page-faults its buffers in
/// again: RevNet-38's two-thread step made 294k page faults in 10 calls,
/// 63k with this, and its median went from 156 to 122 ms). The measured
/// peak counts live bytes and does not change.
static void keepFreedMemory() {
#ifdef M_MMAP_THRESHOLD
  mallopt(M_MMAP_THRESHOLD, 32 << 20); // (glibc's largest)
  mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
#endif
}

int main(int argc, char **argv) {
  llvm::InitLLVM y(argc, argv);
  keepFreedMemory();
  registerAllPasses();
  rev::registerRevPasses();
  registerRunnerCLOptions();
  rev::registerONNXImportCommandLineOptions();
  // --help shows rev-run's own and the ONNX import options, not the
  // hundreds of LLVM and MLIR internals linked in (still accepted).
  auto categories = runnerOptionCategories();
  for (auto &entry : cl::getRegisteredOptions())
    if (entry.first.starts_with("onnx-"))
      entry.second->addCategory(
          *const_cast<cl::OptionCategory *>(categories[1]));
  cl::HideUnrelatedOptions(categories);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  cl::ParseCommandLineOptions(
      argc, argv,
      "rev-run: JIT-compile and run a function on the CPU (or an NVIDIA GPU "
      "with --target=gpu), measuring time and peak memory\n");
  auto config = runnerConfigFromCL();
  if (!config)
    return fail(config.takeError());
  const RunnerConfig &c = *config;

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  // rev-lower-gpu serializes its kernels (NVVM -> PTX) inside the pipeline.
  registerAllGPUToLLVMIRTranslations(registry);
  rev::registerRevDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);

  // 1. Read or import; the GPU (before spending time on compilation); the
  // entries.
  PhaseTimer timer(c.showTiming);
  std::optional<std::vector<std::string>> graphInputs;
  auto module =
      loadModule(c.inputFile, context, sourceMgr, c.inputDirs, graphInputs);
  if (!module)
    return fail(module.takeError());
  if (!*module)
    return 1;
  std::optional<GPURuntime> gpu;
  if (c.gpu && !c.noRun) {
    auto rt = loadGPURuntime(argv[0]);
    if (!rt)
      return fail(rt.takeError());
    gpu = std::move(*rt);
  }
  auto entries = selectEntries(**module, c.entry, c.checkGradients);
  if (!entries)
    return fail(entries.takeError());
  timer.done(graphInputs ? "importing the ONNX model" : "reading the module");

  // 2. Lower (through the compile cache) and read the signatures.
  CompileRequest request = c.compileRequest(*entries);
  auto lowered = lowerModule(**module, request, timer);
  if (!lowered)
    return fail(lowered.takeError());
  const EntrySignature &sig = lowered->entry;
  if (c.printSignature)
    printSignature(sig, llvm::outs());
  if (c.noRun)
    return 0;

  // 3. Inputs.
  InputSources from;
  from.dirs = c.inputDirs;
  from.weights = c.weights;
  if (graphInputs)
    from.graphInputNames = *graphInputs;
  from.randomFloats = c.checkGradients;
  from.seed = c.seed;
  auto bound = bindInputs(sig, from);
  if (!bound)
    return fail(bound.takeError());
  std::vector<Array> inputs = std::move(*bound);
  timer.done("reading the inputs");

  // 4. Compile and run.
  std::vector<std::string> sharedLibs;
  if (gpu)
    sharedLibs.push_back(gpu->path);
  unsigned usedThreads = 1;
  auto code = compileModule(**module, *lowered, request, c.threads, sharedLibs,
                            usedThreads, timer);
  if (!code)
    return fail(code.takeError());
  if (lowered->gradientStep) {
    GradientCheckOptions check;
    check.eps = c.fdEps;
    check.tolerance = c.fdTolerance;
    check.directions = c.fdDirections;
    check.seed = c.seed + 1;
    auto passed = checkGradients(**code, sig, *lowered->gradientStep, inputs,
                                 check, llvm::outs());
    if (!passed)
      return fail(passed.takeError());
    return *passed ? 0 : 1;
  }
  auto run = gpu ? measureOnGPU(*gpu, **code, sig, inputs, c.repeat, c.gpuGraph)
                 : measureOnCPU(**code, sig, inputs, c.repeat);
  if (!run)
    return fail(run.takeError());
  TimeSummary summary = summarizeTimes(run->timesMs);
  llvm::outs() << "@" << sig.function << ": " << run->timesMs.size()
               << " call(s), min " << llvm::format("%.3f", summary.min)
               << " ms, median " << llvm::format("%.3f", summary.median)
               << " ms" << (run->graph ? " (CUDA graph replays)" : "") << "; "
               << (gpu ? "peak device memory " : "peak heap ")
               << run->stats.peakBytes << " bytes, " << run->stats.allocations
               << " allocations, " << run->stats.allocatedBytes
               << " bytes allocated per call\n";

  // 5. Outputs, the comparison with references, the report.
  if (!c.outputDir.empty())
    if (auto err = writeOutputs(sig, run->outputs, c.outputDir))
      return fail(std::move(err));
  int mismatches = 0;
  if (!c.expectDir.empty()) {
    auto compared =
        compareWithReferences(sig, run->outputs, c.expectDir, c.relTolerance,
                              c.absTolerance, llvm::outs());
    if (!compared)
      return fail(compared.takeError());
    mismatches = *compared;
  }
  if (!c.reportFile.empty()) {
    RunReport report;
    report.target = gpu ? "gpu" : "cpu";
    report.threads = gpu ? 0 : usedThreads;
    report.timesMs = run->timesMs;
    report.stats = run->stats;
    if (auto err = writeReport(c.reportFile, sig, report))
      return fail(std::move(err));
  }
  return mismatches ? 1 : 0;
}
