//===- RunnerOptions.cpp - rev-run's command line -------------------------===//

#include "rev/Runtime/RunnerOptions.h"

#include "rev/Runtime/Session.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/ManagedStatic.h"

#include <cmath>

namespace cl = llvm::cl;

namespace rev::runtime {
namespace {

using KernelLibrary = LowerCPUOptions::KernelLibrary;
enum class Target { CPU, GPU };
enum class GPUMemory { Device, Managed };

struct CLOptions {
  cl::OptionCategory category{"rev-run options"};
  cl::OptionCategory onnxCategory{"ONNX import options (for .onnx input)"};
  cl::opt<std::string> inputFile{cl::Positional,
                                 cl::desc("<model.onnx | file.mlir | ->"),
                                 cl::init("-"), cl::cat(category)};
  cl::opt<std::string> entry{
      "entry",
      cl::desc("Function to run (default: train_step if present, else the "
               "only public function)"),
      cl::cat(category)};
  cl::list<std::string> inputDirs{
      "inputs",
      cl::desc("Directory with an input per argument: <rev.name>.npy, "
               "or ONNX test data input_<k>.pb (repeatable)"),
      cl::cat(category)};
  cl::opt<std::string> weights{
      "weights",
      cl::desc("ONNX model whose initializers give the arguments of the "
               "same names"),
      cl::cat(category)};
  cl::opt<std::string> outputDir{
      "outputs", cl::desc("Write each result to <dir>/<rev.name>.npy"),
      cl::cat(category)};
  cl::opt<unsigned> repeat{"repeat",
                           cl::desc("Run the function N times (timing)"),
                           cl::init(1), cl::cat(category)};
  cl::opt<std::string> reportFile{
      "report", cl::desc("Write a JSON report (time, measured peak bytes)"),
      cl::cat(category)};
  cl::opt<std::string> expectDir{
      "expect",
      cl::desc("Compare results with <dir>/<rev.name>.npy (or "
               "output_<k>.pb); fail on a mismatch"),
      cl::cat(category)};
  cl::opt<double> relTolerance{"rtol",
                               cl::desc("Relative tolerance for --expect: "
                                        "max|a-b| / max|b|"),
                               cl::init(1e-4), cl::cat(category)};
  cl::opt<double> absTolerance{"atol",
                               cl::desc("Absolute tolerance for --expect"),
                               cl::init(1e-6), cl::cat(category)};
  cl::opt<unsigned> optLevel{"O", cl::desc("LLVM optimization level"),
                             cl::init(3), cl::Prefix, cl::cat(category)};
  cl::opt<bool> noOptimize{
      "naive", cl::desc("Lower without tiling/vectorization (reference loops)"),
      cl::init(false), cl::cat(category)};
  cl::opt<unsigned> threads{
      "num-threads",
      cl::desc("CPU threads for large parallel loops (OpenMP): 0 = the OpenMP "
               "runtime's choice (OMP_NUM_THREADS, else one per core), 1 = "
               "serial code without OpenMP"),
      cl::init(0), cl::cat(category)};
  cl::opt<unsigned> compileThreads{
      "compile-threads",
      cl::desc("Threads that optimize and generate machine code (the module is "
               "split into partitions): 0 = one per core"),
      cl::init(0), cl::cat(category)};
  cl::opt<unsigned> segmentOps{
      "segment-ops",
      cl::desc("Split long functions into segments of about N TOSA ops before "
               "lowering, so that identical blocks are lowered and compiled "
               "once (faster compilation of deep models); 0 = do not split"),
      cl::init(64), cl::cat(category)};
  cl::opt<bool> rematerialize{
      "rematerialize",
      cl::desc(
          "Recompute elementwise loops before late uses instead of keeping "
          "their buffers alive (rev-lower-cpu rematerialize; "
          "--rematerialize=false keeps them)"),
      cl::init(true), cl::cat(category)};
  cl::opt<bool> emulateGPUKernels{
      "emulate-gpu-kernels",
      cl::desc("Testing: compute the reductions and the ops fused with them "
               "as --target=gpu's kernels do, each block in turn on one CPU "
               "thread (rev-lower-cpu emulate-gpu-kernels), to check what "
               "those kernels compute without a GPU"),
      cl::init(false), cl::cat(category)};
  cl::opt<KernelLibrary> kernelLibrary{
      "kernel-library",
      cl::desc("Who computes float32 convolutions, their gradients and matrix "
               "products on the CPU (rev-lower-cpu kernel-library)"),
      cl::values(clEnumValN(KernelLibrary::OneDNN, "onednn",
                            "oneDNN's kernels (the default where rev-run is "
                            "built with oneDNN)"),
                 clEnumValN(KernelLibrary::None, "none",
                            "generated code (tiled and vectorized loops)")),
      cl::init(kHaveOneDNN ? KernelLibrary::OneDNN : KernelLibrary::None),
      cl::cat(category)};
  cl::opt<bool> noChecks{
      "no-checks",
      cl::desc("Drop the run-time checks of indices (cross-entropy labels, "
               "Gather indices; rev-lower-cpu checks=false): faster, but an "
               "index out of range then reads out of bounds"),
      cl::init(false), cl::cat(category)};
  cl::opt<bool> noCache{
      "no-cache",
      cl::desc("Neither read nor write the compile cache (the directory "
               "$REV_CACHE_DIR, else $XDG_CACHE_HOME/rev-opt or "
               "~/.cache/rev-opt; REV_CACHE_DIR= disables it)"),
      cl::init(false), cl::cat(category)};
  cl::opt<bool> printSignature{
      "print-signature", cl::desc("Print the entry's arguments and results"),
      cl::init(false), cl::cat(category)};
  cl::opt<bool> noRun{
      "no-run", cl::desc("Stop after lowering (with --print-signature, say)"),
      cl::init(false), cl::cat(category)};
  cl::opt<bool> checkGradientsFlag{
      "check-gradients",
      cl::desc("Check the entry's reverse-mode derivative (rev-differentiate "
               "with loss=vjp) against central finite differences along random "
               "directions; inputs without a file are random"),
      cl::init(false), cl::cat(category)};
  cl::opt<double> fdEps{"fd-eps",
                        cl::desc("Finite-difference step (default: 1e-6 "
                                 "for float64, 1e-3 for float32)"),
                        cl::init(0), cl::cat(category)};
  cl::opt<double> fdTolerance{
      "fd-tolerance",
      cl::desc("Largest relative error between the directional derivatives "
               "(default: 1e-6 for float64, 2e-2 for float32)"),
      cl::init(0), cl::cat(category)};
  cl::opt<unsigned> fdDirections{"fd-directions",
                                 cl::desc("Random directions per argument"),
                                 cl::init(2), cl::cat(category)};
  cl::opt<unsigned> seed{"seed", cl::desc("Seed of random inputs"), cl::init(0),
                         cl::cat(category)};
  cl::opt<bool> showTiming{
      "timing",
      cl::desc("Print how long importing, lowering and compiling took"),
      cl::init(false), cl::cat(category)};
  cl::opt<std::string> dumpLLVM{
      "dump-llvm-dialect",
      cl::desc("Write the lowered module (LLVM dialect) to this file"),
      cl::cat(category)};

  cl::opt<Target> target{
      "target", cl::desc("Where the function runs"),
      cl::values(
          clEnumValN(Target::CPU, "cpu",
                     "JIT-compiled host code (rev-lower-cpu; default)"),
          clEnumValN(Target::GPU, "gpu",
                     "NVIDIA GPU: rev-lower-gpu kernels with rev's CUDA "
                     "runtime; needs the NVIDIA driver. Reports the peak "
                     "of live device bytes")),
      cl::init(Target::CPU), cl::cat(category)};
  cl::opt<std::string> gpuChip{"gpu-chip",
                               cl::desc("GPU architecture for --target=gpu"),
                               cl::init("sm_90"), cl::cat(category)};
  cl::opt<GPUMemory> gpuMemory{
      "gpu-memory", cl::desc("--target=gpu: where buffers live"),
      cl::values(clEnumValN(GPUMemory::Device, "device",
                            "buffers, arguments and results that host code "
                            "never touches are device memory, copied "
                            "explicitly (rev-lower-gpu memory=device; the "
                            "default)"),
                 clEnumValN(GPUMemory::Managed, "managed",
                            "every buffer is CUDA managed memory")),
      cl::init(GPUMemory::Device), cl::cat(category)};
  cl::opt<bool> gpuGraph{
      "gpu-graph",
      cl::desc("--target=gpu: capture the entry into a CUDA graph after the "
               "untimed call and replay it for the timed calls, where its "
               "rev.abi says a graph can (rev-gpu-graph-entries; default "
               "true)"),
      cl::init(true), cl::cat(category)};
};

llvm::ManagedStatic<CLOptions> options;

/// What the options say, or what is wrong with them.
std::string check(const RunnerConfig &c) {
  auto finiteNonNegative = [](double v) { return std::isfinite(v) && v >= 0; };
  if (!finiteNonNegative(c.relTolerance))
    return "--rtol must be a finite number >= 0, got " +
           std::to_string(c.relTolerance);
  if (!finiteNonNegative(c.absTolerance))
    return "--atol must be a finite number >= 0, got " +
           std::to_string(c.absTolerance);
  if (c.optLevel > 3)
    return "-O must be 0, 1, 2 or 3, got " + std::to_string(c.optLevel);
  if (c.repeat == 0)
    return "--repeat must be at least 1";
  if (c.kernelLibrary == KernelLibrary::OneDNN && !kHaveOneDNN)
    return "--kernel-library=onednn: this rev-run was built without oneDNN "
           "(install libdnnl-dev and reconfigure)";
  if (!finiteNonNegative(c.fdEps))
    return "--fd-eps must be a finite number >= 0 (0: the default)";
  if (!finiteNonNegative(c.fdTolerance))
    return "--fd-tolerance must be a finite number >= 0 (0: the default)";
  if (c.checkGradients && c.fdDirections == 0)
    return "--fd-directions must be at least 1";
  if (c.checkGradients && c.gpu)
    return "--check-gradients runs on the CPU only (no --target=gpu)";
  if (!c.expectDir.empty() && !llvm::sys::fs::is_directory(c.expectDir))
    return "--expect: '" + c.expectDir + "' is not a directory";
  for (const std::string &dir : c.inputDirs)
    if (!llvm::sys::fs::is_directory(dir))
      return "--inputs: '" + dir + "' is not a directory";
  return "";
}

} // namespace

void registerRunnerCLOptions() { *options; }

llvm::SmallVector<const cl::OptionCategory *, 2> runnerOptionCategories() {
  return {&options->category, &options->onnxCategory};
}

llvm::Expected<RunnerConfig> runnerConfigFromCL() {
  const CLOptions &o = *options;
  RunnerConfig c;
  c.inputFile = o.inputFile;
  c.entry = o.entry;
  c.weights = o.weights;
  c.outputDir = o.outputDir;
  c.reportFile = o.reportFile;
  c.expectDir = o.expectDir;
  c.dumpLLVM = o.dumpLLVM;
  c.gpuChip = o.gpuChip;
  c.inputDirs.assign(o.inputDirs.begin(), o.inputDirs.end());
  c.repeat = o.repeat;
  c.optLevel = o.optLevel;
  c.threads = o.threads;
  c.compileThreads = o.compileThreads;
  c.segmentOps = o.segmentOps;
  c.fdDirections = o.fdDirections;
  c.seed = o.seed;
  c.relTolerance = o.relTolerance;
  c.absTolerance = o.absTolerance;
  c.fdEps = o.fdEps;
  c.fdTolerance = o.fdTolerance;
  c.naive = o.noOptimize;
  c.rematerialize = o.rematerialize;
  c.emulateGPUKernels = o.emulateGPUKernels;
  c.noChecks = o.noChecks;
  c.noCache = o.noCache;
  c.printSignature = o.printSignature;
  c.noRun = o.noRun;
  c.checkGradients = o.checkGradientsFlag;
  c.showTiming = o.showTiming;
  c.gpu = o.target == Target::GPU;
  c.gpuDeviceMemory = o.gpuMemory == GPUMemory::Device;
  c.gpuGraph = o.gpuGraph;
  c.kernelLibrary = o.kernelLibrary;
  if (std::string error = check(c); !error.empty())
    return llvm::createStringError(error);
  return c;
}

CompileRequest RunnerConfig::compileRequest(const Entries &entries) const {
  CompileRequest request;
  request.entries = entries;
  request.gpu = gpu;
  request.gpuChip = gpuChip;
  request.gpuDeviceMemory = gpuDeviceMemory;
  request.optimize = !naive;
  request.parallel = threads != 1;
  request.segmentOps = segmentOps;
  request.checks = !noChecks;
  request.kernelLibrary = kernelLibrary;
  request.rematerialize = rematerialize;
  request.emulateGPUKernels = emulateGPUKernels;
  request.codegen.optLevel = optLevel;
  request.codegen.threads = compileThreads;
  request.useCache = !noCache;
  request.dumpLLVM = dumpLLVM;
  request.showTiming = showTiming;
  return request;
}

} // namespace rev::runtime
