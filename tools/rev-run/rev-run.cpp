//===- rev-run.cpp - run a model or training step on the CPU --------------===//
//
// JIT-compiles a function (from ONNX, or MLIR at any level from TOSA to the
// LLVM dialect), runs it on inputs read from .npy / ONNX TensorProto files,
// writes its results as .npy, and reports the time per call and the measured
// peak of live heap bytes the compiled code allocated. See docs/rev-run.md.
//
//===----------------------------------------------------------------------===//

#include "rev/Autodiff/Differentiate.h"
#include "rev/Conversion/Passes.h"
#include "rev/Import/ONNX/ONNXImporter.h"
#include "rev/InitAll.h"
#include "rev/Runtime/Array.h"
#include "rev/Runtime/CompileCache.h"
#include "rev/Runtime/GPURuntime.h"
#include "rev/Runtime/Inputs.h"
#include "rev/Runtime/Memory.h"
#include "rev/Runtime/Outputs.h"
#include "rev/Runtime/Runner.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

#include "llvm/ADT/ScopeExit.h"
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <malloc.h>
#include <map>

using namespace mlir;
using namespace rev::runtime;
namespace cl = llvm::cl;

static cl::OptionCategory category("rev-run options");
static cl::OptionCategory onnxCategory("ONNX import options (for .onnx input)");
static cl::opt<std::string> inputFile(cl::Positional,
                                      cl::desc("<model.onnx | file.mlir | ->"),
                                      cl::init("-"), cl::cat(category));
static cl::opt<std::string>
    entry("entry",
          cl::desc("Function to run (default: train_step if present, else the "
                   "only public function)"),
          cl::cat(category));
static cl::list<std::string>
    inputDirs("inputs",
              cl::desc("Directory with an input per argument: <rev.name>.npy, "
                       "or ONNX test data input_<k>.pb (repeatable)"),
              cl::cat(category));
static cl::opt<std::string>
    weights("weights",
            cl::desc("ONNX model whose initializers give the arguments of the "
                     "same names"),
            cl::cat(category));
static cl::opt<std::string>
    outputDir("outputs", cl::desc("Write each result to <dir>/<rev.name>.npy"),
              cl::cat(category));
static cl::opt<unsigned> repeat("repeat",
                                cl::desc("Run the function N times (timing)"),
                                cl::init(1), cl::cat(category));
static cl::opt<std::string>
    reportFile("report",
               cl::desc("Write a JSON report (time, measured peak bytes)"),
               cl::cat(category));
static cl::opt<std::string>
    expectDir("expect",
              cl::desc("Compare results with <dir>/<rev.name>.npy (or "
                       "output_<k>.pb); fail on a mismatch"),
              cl::cat(category));
static cl::opt<double> relTolerance("rtol",
                            cl::desc("Relative tolerance for --expect: "
                                     "max|a-b| / max|b|"),
                            cl::init(1e-4), cl::cat(category));
static cl::opt<double> absTolerance("atol",
                            cl::desc("Absolute tolerance for --expect"),
                            cl::init(1e-6), cl::cat(category));
static cl::opt<unsigned> optLevel("O", cl::desc("LLVM optimization level"),
                                  cl::init(3), cl::Prefix, cl::cat(category));
static cl::opt<bool> noOptimize(
    "naive",
    cl::desc("Lower without tiling/vectorization (reference loops)"),
    cl::init(false), cl::cat(category));
static cl::opt<unsigned> threads(
    "num-threads",
    cl::desc("CPU threads for large parallel loops (OpenMP): 0 = the OpenMP "
             "runtime's choice (OMP_NUM_THREADS, else one per core), 1 = "
             "serial code without OpenMP"),
    cl::init(0), cl::cat(category));
static cl::opt<unsigned> compileThreads(
    "compile-threads",
    cl::desc("Threads that optimize and generate machine code (the module is "
             "split into partitions): 0 = one per core"),
    cl::init(0), cl::cat(category));
static cl::opt<unsigned> segmentOps(
    "segment-ops",
    cl::desc("Split long functions into segments of about N TOSA ops before "
             "lowering, so that identical blocks are lowered and compiled "
             "once (faster compilation of deep models); 0 = do not split"),
    cl::init(64), cl::cat(category));
static cl::opt<bool> rematerialize(
    "rematerialize",
    cl::desc("Recompute elementwise loops before late uses instead of keeping "
             "their buffers alive (rev-lower-cpu rematerialize; "
             "--rematerialize=false keeps them)"),
    cl::init(true), cl::cat(category));
using KernelLibrary = rev::LowerCPUOptions::KernelLibrary;
static cl::opt<KernelLibrary> kernelLibrary(
    "kernel-library",
    cl::desc("Who computes float32 convolutions, their gradients and matrix "
             "products on the CPU (rev-lower-cpu kernel-library)"),
    cl::values(clEnumValN(KernelLibrary::OneDNN, "onednn",
                          "oneDNN's kernels (the default where rev-run is "
                          "built with oneDNN)"),
               clEnumValN(KernelLibrary::None, "none",
                          "generated code (tiled and vectorized loops)")),
    cl::init(rev::kHaveOneDNN ? KernelLibrary::OneDNN : KernelLibrary::None),
    cl::cat(category));
static cl::opt<bool> noChecks(
    "no-checks",
    cl::desc("Drop the run-time checks of indices (cross-entropy labels, "
             "Gather indices; rev-lower-cpu checks=false): faster, but an "
             "index out of range then reads out of bounds"),
    cl::init(false), cl::cat(category));
static cl::opt<bool> noCache(
    "no-cache",
    cl::desc("Neither read nor write the compile cache (the directory "
             "$REV_CACHE_DIR, else $XDG_CACHE_HOME/rev-opt or "
             "~/.cache/rev-opt; REV_CACHE_DIR= disables it)"),
    cl::init(false), cl::cat(category));
static cl::opt<bool> printSignature(
    "print-signature", cl::desc("Print the entry's arguments and results"),
    cl::init(false), cl::cat(category));
static cl::opt<bool> noRun(
    "no-run", cl::desc("Stop after lowering (with --print-signature, say)"),
    cl::init(false), cl::cat(category));
static cl::opt<bool> checkGradientsFlag(
    "check-gradients",
    cl::desc("Check the entry's reverse-mode derivative (rev-differentiate "
             "with loss=vjp) against central finite differences along random "
             "directions; inputs without a file are random"),
    cl::init(false), cl::cat(category));
static cl::opt<double> fdEps("fd-eps",
                             cl::desc("Finite-difference step (default: 1e-6 "
                                      "for float64, 1e-3 for float32)"),
                             cl::init(0), cl::cat(category));
static cl::opt<double> fdTolerance(
    "fd-tolerance",
    cl::desc("Largest relative error between the directional derivatives "
             "(default: 1e-6 for float64, 2e-2 for float32)"),
    cl::init(0), cl::cat(category));
static cl::opt<unsigned> fdDirections(
    "fd-directions", cl::desc("Random directions per argument"), cl::init(2),
    cl::cat(category));
static cl::opt<unsigned> seed("seed", cl::desc("Seed of random inputs"),
                              cl::init(0), cl::cat(category));
static cl::opt<bool> showTiming(
    "timing", cl::desc("Print how long importing, lowering and compiling took"),
    cl::init(false), cl::cat(category));
static cl::opt<std::string> dumpLLVM(
    "dump-llvm-dialect",
    cl::desc("Write the lowered module (LLVM dialect) to this file"),
    cl::cat(category));

enum class Target { CPU, GPU };
static cl::opt<Target> target(
    "target", cl::desc("Where the function runs"),
    cl::values(clEnumValN(Target::CPU, "cpu",
                          "JIT-compiled host code (rev-lower-cpu; default)"),
               clEnumValN(Target::GPU, "gpu",
                          "NVIDIA GPU: rev-lower-gpu kernels with rev's CUDA "
                          "runtime; needs the NVIDIA driver. Reports the peak "
                          "of live device bytes")),
    cl::init(Target::CPU), cl::cat(category));
static cl::opt<std::string>
    gpuChip("gpu-chip", cl::desc("GPU architecture for --target=gpu"),
            cl::init("sm_90"), cl::cat(category));
enum class GPUMemory { Device, Managed };
static cl::opt<GPUMemory> gpuMemory(
    "gpu-memory", cl::desc("--target=gpu: where buffers live"),
    cl::values(clEnumValN(GPUMemory::Device, "device",
                          "buffers, arguments and results that host code "
                          "never touches are device memory, copied "
                          "explicitly (rev-lower-gpu memory=device; the "
                          "default)"),
               clEnumValN(GPUMemory::Managed, "managed",
                          "every buffer is CUDA managed memory")),
    cl::init(GPUMemory::Device), cl::cat(category));

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

/// Options that parse but make no sense: a check with a negative tolerance
/// passes nothing, an --expect directory that is not there compares nothing.
static std::string checkOptions() {
  auto finiteNonNegative = [](double v) { return std::isfinite(v) && v >= 0; };
  if (!finiteNonNegative(relTolerance))
    return "--rtol must be a finite number >= 0, got " +
           std::to_string(relTolerance);
  if (!finiteNonNegative(absTolerance))
    return "--atol must be a finite number >= 0, got " +
           std::to_string(absTolerance);
  if (optLevel > 3)
    return "-O must be 0, 1, 2 or 3, got " + std::to_string(optLevel);
  if (repeat == 0)
    return "--repeat must be at least 1";
  if (kernelLibrary == KernelLibrary::OneDNN && !rev::kHaveOneDNN)
    return "--kernel-library=onednn: this rev-run was built without oneDNN "
           "(install libdnnl-dev and reconfigure)";
  if (!finiteNonNegative(fdEps))
    return "--fd-eps must be a finite number >= 0 (0: the default)";
  if (!finiteNonNegative(fdTolerance))
    return "--fd-tolerance must be a finite number >= 0 (0: the default)";
  if (checkGradientsFlag && fdDirections == 0)
    return "--fd-directions must be at least 1";
  if (!expectDir.empty() && !llvm::sys::fs::is_directory(expectDir))
    return "--expect: '" + expectDir + "' is not a directory";
  for (const std::string &dir : inputDirs)
    if (!llvm::sys::fs::is_directory(dir))
      return "--inputs: '" + dir + "' is not a directory";
  return "";
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
  rev::registerONNXImportCommandLineOptions();
  // --help shows rev-run's own and the ONNX import options, not the
  // hundreds of LLVM and MLIR internals linked in (still accepted).
  for (auto &entry : cl::getRegisteredOptions())
    if (entry.first.starts_with("onnx-"))
      entry.second->addCategory(onnxCategory);
  cl::HideUnrelatedOptions({&category, &onnxCategory});
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  cl::ParseCommandLineOptions(
      argc, argv,
      "rev-run: JIT-compile and run a function on the CPU (or an NVIDIA GPU "
      "with --target=gpu), measuring time and peak memory\n");
  if (std::string error = checkOptions(); !error.empty())
    return fail(error);

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

  std::string errorMessage;
  std::unique_ptr<llvm::MemoryBuffer> buffer =
      openInputFile(inputFile, &errorMessage);
  if (!buffer)
    return fail(errorMessage);

  // 1. Parse or import.
  auto parseStart = std::chrono::steady_clock::now();
  OwningOpRef<ModuleOp> module;
  std::optional<std::vector<rev::ONNXGraphInput>> onnxInputs;
  if (rev::looksLikeONNX(inputFile, buffer->getBuffer())) {
    llvm::Expected<rev::ONNXImportOptions> parsedOptions =
        rev::getONNXImportOptionsFromCommandLine();
    if (!parsedOptions)
      return fail(parsedOptions.takeError());
    rev::ONNXImportOptions options = std::move(*parsedOptions);
    // Integer graph inputs given with --inputs are bound at import time:
    // they carry shapes and axes, which static compilation needs.
    auto graphInputs = rev::listONNXGraphInputs(buffer->getBuffer());
    onnxInputs = graphInputs;
    for (auto [k, gi] : llvm::enumerate(graphInputs)) {
      if (!gi.isInteger)
        continue;
      for (const std::string &dir : inputDirs) {
        std::optional<Array> value;
        llvm::SmallString<256> npy(dir);
        llvm::sys::path::append(npy,
                                rev::runtime::fileNameFor(gi.name) + ".npy");
        if (llvm::sys::fs::exists(npy)) {
          auto a = readNpy(npy);
          if (!a)
            return fail("input '" + gi.name + "': " + llvm::toString(a.takeError()));
          value = std::move(*a);
        } else {
          std::string error;
          auto data = rev::runtime::readTestData(dir, "input_", error);
          if (!error.empty())
            return fail(error);
          for (auto &[name, a] : data)
            if (name == gi.name)
              value = a;
          if (!value && k < data.size() && data[k].first.empty())
            value = data[k].second;
        }
        if (!value)
          continue;
        if (value->dtype == DType::F32 || value->dtype == DType::F64)
          return fail("input '" + gi.name + "' is an integer input, but its "
                      "file holds " + dtypeName(value->dtype));
        rev::ONNXImportOptions::IntegerInput bound;
        bound.shape = value->shape;
        for (int64_t i = 0; i < value->numElements(); ++i)
          bound.values.push_back(static_cast<int64_t>(value->at(i)));
        options.constantInputs[gi.name] = std::move(bound);
        break;
      }
    }
    module = rev::importONNXModel(buffer->getBuffer(), inputFile, &context,
                                  options);
  } else {
    sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
    module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  }
  if (!module)
    return 1;

  // The GPU (before spending time on compilation).
  std::optional<rev::runtime::GPURuntime> gpu;
  if (target == Target::GPU) {
    if (checkGradientsFlag)
      return fail("--check-gradients runs on the CPU only (no --target=gpu)");
  }
  if (target == Target::GPU && !noRun) {
    auto rt = rev::runtime::loadGPURuntime(argv[0]);
    if (!rt)
      return fail(rt.takeError());
    gpu = std::move(*rt);
  }

  // 2. Entry point.
  std::string entryName = entry;
  if (entryName.empty()) {
    auto e = defaultEntry(*module);
    if (!e)
      return fail(e.takeError());
    entryName = *e;
  }
  if (!module->lookupSymbol(entryName))
    return fail("no function named @" + entryName);

  // For --check-gradients, the derivative: @<entry>_vjp_step.
  std::string stepName;
  if (checkGradientsFlag) {
    if (detectLevel(*module) != IRLevel::Tensor)
      return fail("--check-gradients needs tensor-level input (TOSA)");
    auto f = module->lookupSymbol<func::FuncOp>(entryName);
    if (!f)
      return fail("@" + entryName + " is not a func.func");
    rev::DifferentiateOptions options;
    options.loss = rev::LossKind::VJP;
    options.trainStepName = entryName + "_vjp_step";
    stepName = options.trainStepName;
    if (failed(rev::differentiate(f, options)))
      return 1;
  }

  // Compile only what the entry (and the gradient step) reach.
  if (detectLevel(*module) != IRLevel::LLVM) {
    for (auto f : module->getOps<func::FuncOp>())
      if (f.getName() != entryName && f.getName() != stepName && f.isPublic())
        f.setPrivate();
    PassManager pm(&context);
    pm.addPass(createSymbolDCEPass());
    if (failed(pm.run(*module)))
      return fail("removing unused functions failed");
  }

  // 3. Lower (unless already LLVM) and read the signature.
  auto phaseStart = parseStart;
  auto phase = [&](const char *what) {
    auto now = std::chrono::steady_clock::now();
    if (showTiming)
      llvm::errs() << "rev-run: " << what << " took "
                   << llvm::format("%.2f", std::chrono::duration<double>(now - phaseStart).count())
                   << " s\n";
    phaseStart = now;
  };
  phase(onnxInputs ? "importing the ONNX model" : "reading the module");
  // The compile cache (CPU code): a hit skips lowering and code generation.
  std::optional<CompileCache> cache;
  std::string cacheKey;
  std::optional<CompileCache::Entry> cached;
  if (target == Target::CPU && !noCache && dumpLLVM.empty())
    if (auto dir = CompileCache::defaultDirectory()) {
      cache.emplace(*dir);
      std::string text;
      llvm::raw_string_ostream os(text);
      module->print(os);
      std::string options =
          "O=" + std::to_string(optLevel) +
          " naive=" + std::to_string(noOptimize) +
          " parallel=" + std::to_string(threads != 1) +
          " segments=" + std::to_string(segmentOps) +
          " remat=" + std::to_string(rematerialize) +
          " checks=" + std::to_string(!noChecks) +
          " kernel-library=" + std::to_string(int(kernelLibrary.getValue())) +
          " entries=" + entryName + "," + stepName;
      cacheKey = CompileCache::key(text, options);
      std::string note;
      cached = cache->lookup(cacheKey, note);
      if (!note.empty())
        llvm::errs() << "rev-run: warning: " << note << "\n";
      phase(cached ? "compile cache lookup (hit)" : "compile cache lookup (miss)");
    }
  if (cached) {
    // The entry's signature, as lowering would record it.
    if (detectLevel(*module) != IRLevel::LLVM) {
      PassManager pm(&context);
      pm.addPass(rev::createRevAnnotateABI());
      if (failed(pm.run(*module)))
        return fail("reading the entry's signature failed");
    }
  } else if (target == Target::GPU) {
    IRLevel level = detectLevel(*module);
    if (level == IRLevel::Tensor) {
      if (auto err = lowerToGPU(*module, gpuChip,
                                 gpuMemory == GPUMemory::Device))
        return fail(std::move(err));
    } else if (level == IRLevel::Memref ||
               !(*module)->hasAttr("gpu.container_module")) {
      return fail("--target=gpu needs tensor-level input (TOSA), or a module "
                  "that rev-lower-gpu lowered");
    }
  } else if (detectLevel(*module) != IRLevel::LLVM) {
    rev::LowerCPUOptions options;
    options.optimize = !noOptimize;
    options.threads = threads != 1 ? 0 : 1;
    options.segmentOps = segmentOps;
    options.checks = !noChecks;
    options.kernelLibrary = kernelLibrary.getValue();
    options.rematerialize = rematerialize;
    if (auto err = lowerToLLVM(*module, options))
      return fail(std::move(err));
  }
  if (!cached)
    phase(target == Target::GPU ? "lowering to GPU kernels and host code"
                                : "lowering to the LLVM dialect");
  if (!dumpLLVM.empty()) {
    auto out = openOutputFile(dumpLLVM, &errorMessage);
    if (!out)
      return fail(errorMessage);
    module->print(out->os());
    out->keep();
  }
  auto sig = readSignature(*module, entryName);
  if (!sig)
    return fail(sig.takeError());
  if (printSignature) {
    llvm::outs() << "@" << sig->function << "\n";
    // A trailing "device": the GPU lowering (memory=device) expects the
    // buffer in device memory (rev.abi device = true).
    auto line = [](StringRef kind, const TensorSpec &t) {
      llvm::outs() << "  " << kind << t.name << ": " << t.describe()
                   << (t.device ? " device" : "") << "\n";
    };
    for (auto &a : sig->args)
      line("arg    ", a);
    for (auto &r : sig->results)
      line("result ", r);
    for (auto [id, message] : llvm::enumerate(sig->checks))
      llvm::outs() << "  check  " << id << ": " << message << "\n";
  }

  std::optional<EntrySignature> gradSig;
  if (!stepName.empty()) {
    auto s2 = readSignature(*module, stepName);
    if (!s2)
      return fail(s2.takeError());
    gradSig = std::move(*s2);
  }
  if (noRun)
    return 0;

  // 4. Inputs.
  rev::runtime::InputSources from;
  from.dirs.assign(inputDirs.begin(), inputDirs.end());
  from.weights = weights;
  if (onnxInputs)
    for (auto &gi : *onnxInputs)
      from.graphInputNames.push_back(gi.name);
  from.randomFloats = checkGradientsFlag;
  from.seed = seed;
  auto bound = rev::runtime::bindInputs(*sig, from);
  if (!bound)
    return fail(bound.takeError());
  std::vector<Array> inputs = std::move(*bound);

  // 5. Compile and run.
  std::vector<EntrySignature> entries = {*sig};
  if (gradSig)
    entries.push_back(*gradSig);
  phase("reading the inputs");
  std::vector<std::string> sharedLibs;
  if (gpu)
    sharedLibs.push_back(gpu->path);
  setKernelThreads(threads);
  unsigned usedThreads = 1;
  bool openMP = cached ? (cached->flags & CompileCache::kUsesOpenMP) != 0
                       : !gpu && usesOpenMP(*module);
  if (openMP) {
    auto omp = loadOpenMP(threads);
    if (!omp)
      return fail(omp.takeError());
    sharedLibs.push_back(*omp);
    usedThreads = openMPThreads();
  }
  ObjectCompileOptions compileOptions;
  compileOptions.optLevel = optLevel;
  compileOptions.threads = compileThreads;
  ObjectFiles objects;
  if (cached) {
    objects = std::move(cached->objects);
  } else {
    std::vector<std::string> entryNames;
    for (const EntrySignature &e : entries)
      entryNames.push_back(e.function);
    ObjectCompileStats compileStats;
    auto compiled =
        compileToObjects(*module, entryNames, compileOptions, &compileStats);
    if (!compiled)
      return fail(compiled.takeError());
    objects = std::move(*compiled);
    if (showTiming)
      llvm::errs() << "rev-run: compiled " << compileStats.functions
                   << " functions: translation to LLVM IR took "
                   << llvm::format("%.2f", compileStats.translate)
                   << " s, optimization and code generation "
                   << llvm::format("%.2f", compileStats.codegen) << " s ("
                   << compileStats.partitions << " partitions on "
                   << compileStats.threads << " threads)\n";
    if (cache)
      if (auto err = cache->store(cacheKey, objects,
                                  openMP ? CompileCache::kUsesOpenMP : 0))
        llvm::errs() << "rev-run: warning: " << llvm::toString(std::move(err))
                     << " (the compile cache is not updated)\n";
  }
  auto fn = JITModule::load(std::move(objects), entries, sharedLibs);
  if (!fn)
    return fail(fn.takeError());
  phase(cached ? "loading the cached code" : "JIT compilation");
  if (gradSig) {
    rev::runtime::GradientCheckOptions check;
    check.eps = fdEps;
    check.tolerance = fdTolerance;
    check.directions = fdDirections;
    check.seed = seed + 1;
    auto passed = rev::runtime::checkGradients(**fn, *sig, *gradSig, inputs,
                                               check, llvm::outs());
    if (!passed)
      return fail(passed.takeError());
    return *passed ? 0 : 1;
  }
  std::vector<const Array *> args;
  for (Array &a : inputs)
    args.push_back(&a);
  std::vector<Array> outputs;
  std::vector<double> times;
  AllocationStats stats;
  if (gpu) {
    // Arguments and results live in GPU memory for the whole run: device
    // memory, copied explicitly, where the lowered code only touches them
    // in kernels (rev.abi `device`, rev-lower-gpu memory=device), else
    // managed memory. Each call is timed to the end of its last kernel.
    std::vector<void *> buffers;
    llvm::scope_exit release([&] {
      for (void *b : buffers)
        gpu->free(b, nullptr);
    });
    // Device memory through the driver, managed memory from the host.
    auto copy = [&](void *dst, const void *src, size_t bytes, bool device) {
      if (device)
        gpu->memcpy(dst, const_cast<void *>(src), bytes, nullptr);
      else
        std::memcpy(dst, src, bytes);
    };
    for (auto [a, spec] : llvm::zip(inputs, sig->args)) {
      buffers.push_back(gpu->alloc(a.numBytes(), nullptr, !spec.device));
      copy(buffers.back(), a.data.data(), a.numBytes(), spec.device);
    }
    for (const TensorSpec &r : sig->results) {
      auto out = Array::allocate(r.dtype, r.shape, "result '" + r.name + "'");
      if (!out)
        return fail(out.takeError());
      outputs.push_back(std::move(*out));
      buffers.push_back(
          gpu->alloc(outputs.back().numBytes(), nullptr, !r.device));
    }
    // One untimed call first: it loads the kernel modules (at their first
    // launch) and moves managed pages to the device.
    if (auto err = (*fn)->callRaw(*sig, buffers))
      return fail(std::move(err));
    gpu->synchronize();
    for (unsigned r = 0; r < std::max(1u, repeat.getValue()); ++r) {
      gpu->synchronize();
      gpu->resetPeak();
      uint64_t liveBefore = gpu->liveBytes();
      auto start = std::chrono::steady_clock::now();
      if (auto err = (*fn)->callRaw(*sig, buffers))
        return fail(std::move(err));
      gpu->synchronize();
      auto end = std::chrono::steady_clock::now();
      times.push_back(
          std::chrono::duration<double, std::milli>(end - start).count());
      if (gpu->liveBytes() != liveBefore)
        return fail("the compiled code leaked " +
                    std::to_string(gpu->liveBytes() - liveBefore) +
                    " device bytes in one call");
      stats.peakBytes = gpu->peakBytes();
      stats.allocatedBytes = gpu->allocatedBytes();
      stats.allocations = gpu->allocations();
    }
    for (size_t k = 0; k < outputs.size(); ++k)
      copy(outputs[k].data.data(), buffers[inputs.size() + k],
           outputs[k].numBytes(), sig->results[k].device);
  }
  for (unsigned r = 0; !gpu && r < std::max(1u, repeat.getValue()); ++r) {
    resetAllocationStats();
    auto start = std::chrono::steady_clock::now();
    if (auto err = (*fn)->call(*sig, args, outputs))
      return fail(std::move(err));
    auto end = std::chrono::steady_clock::now();
    times.push_back(std::chrono::duration<double, std::milli>(end - start).count());
    AllocationStats s = getAllocationStats();
    if (s.liveBytes != 0)
      return fail("the compiled code leaked " + std::to_string(s.liveBytes) +
                  " bytes in one call");
    stats = s;
  }
  rev::runtime::TimeSummary summary = rev::runtime::summarizeTimes(times);

  llvm::outs() << "@" << sig->function << ": " << times.size()
               << " call(s), min " << llvm::format("%.3f", summary.min)
               << " ms, median " << llvm::format("%.3f", summary.median)
               << " ms; " << (gpu ? "peak device memory " : "peak heap ")
               << stats.peakBytes << " bytes, " << stats.allocations
               << " allocations, " << stats.allocatedBytes
               << " bytes allocated per call\n";

  // 6. Outputs.
  if (!outputDir.empty())
    if (auto err = rev::runtime::writeOutputs(*sig, outputs, outputDir))
      return fail(std::move(err));

  // 7. Comparison with references.
  int mismatches = 0;
  if (!expectDir.empty()) {
    auto compared = rev::runtime::compareWithReferences(
        *sig, outputs, expectDir, relTolerance, absTolerance, llvm::outs());
    if (!compared)
      return fail(compared.takeError());
    mismatches = *compared;
  }

  // 8. Report.
  if (!reportFile.empty()) {
    rev::runtime::RunReport report;
    report.target = gpu ? "gpu" : "cpu";
    report.threads = gpu ? 0 : usedThreads;
    report.timesMs = times;
    report.stats = stats;
    if (auto err = rev::runtime::writeReport(reportFile, *sig, report))
      return fail(std::move(err));
  }
  return mismatches ? 1 : 0;
}
