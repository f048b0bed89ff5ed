//===- Session.cpp - one run of a module, step by step --------------------===//

#include "rev/Runtime/Session.h"

#include "rev/Autodiff/Differentiate.h"
#include "rev/Import/ONNX/ONNXImporter.h"
#include "rev/Runtime/Inputs.h"
#include "rev/Runtime/Outputs.h"
#include "rev/Utils/TextChecks.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

#include <cstring>

using namespace mlir;
using llvm::createStringError;

namespace rev::runtime {

static llvm::Error error(const llvm::Twine &message) {
  return createStringError(message);
}

void PhaseTimer::done(llvm::StringRef what) {
  auto now = std::chrono::steady_clock::now();
  if (enabled)
    llvm::errs() << "rev-run: " << what << " took "
                 << llvm::format(
                        "%.2f",
                        std::chrono::duration<double>(now - start).count())
                 << " s\n";
  start = now;
}

/// The value of the integer ONNX graph input `input` (the k-th) in `dir`:
/// <name>.npy, or ONNX test data (input_<k>.pb). nullopt if absent.
static llvm::Expected<std::optional<Array>>
findIntegerInput(const ONNXGraphInput &input, size_t k, llvm::StringRef dir) {
  llvm::SmallString<256> npy(dir);
  llvm::sys::path::append(npy, fileNameFor(input.name) + ".npy");
  if (llvm::sys::fs::exists(npy)) {
    auto a = readNpy(npy);
    if (!a)
      return error("input '" + input.name +
                   "': " + llvm::toString(a.takeError()));
    return std::optional<Array>(std::move(*a));
  }
  std::string message;
  auto data = readTestData(dir, "input_", message);
  if (!message.empty())
    return error(message);
  for (auto &[name, a] : data)
    if (name == input.name)
      return std::optional<Array>(a);
  if (k < data.size() && data[k].first.empty())
    return std::optional<Array>(data[k].second);
  return std::optional<Array>();
}

llvm::Expected<OwningOpRef<ModuleOp>>
loadModule(llvm::StringRef path, MLIRContext &context,
           llvm::SourceMgr &sourceMgr, llvm::ArrayRef<std::string> inputDirs,
           std::optional<std::vector<std::string>> &graphInputs) {
  std::string message;
  std::unique_ptr<llvm::MemoryBuffer> buffer = openInputFile(path, &message);
  if (!buffer)
    return error(message);
  if (!looksLikeONNX(path, buffer->getBuffer())) {
    if (auto refused = checkMLIRText(buffer->getBuffer(), path))
      return error(refused->where + ": " + refused->what);
    sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
    return parseSourceFile<ModuleOp>(sourceMgr, &context);
  }
  llvm::Expected<ONNXImportOptions> options =
      getONNXImportOptionsFromCommandLine();
  if (!options)
    return options.takeError();
  graphInputs.emplace();
  for (auto [k, input] :
       llvm::enumerate(listONNXGraphInputs(buffer->getBuffer()))) {
    graphInputs->push_back(input.name);
    if (!input.isInteger)
      continue;
    for (const std::string &dir : inputDirs) {
      auto value = findIntegerInput(input, k, dir);
      if (!value)
        return value.takeError();
      if (!*value)
        continue;
      if ((*value)->dtype == DType::F32 || (*value)->dtype == DType::F64)
        return error("input '" + input.name +
                     "' is an integer input, but its file holds " +
                     dtypeName((*value)->dtype));
      ONNXImportOptions::IntegerInput bound;
      bound.shape = (*value)->shape;
      for (int64_t i = 0; i < (*value)->numElements(); ++i)
        bound.values.push_back(static_cast<int64_t>((*value)->at(i)));
      options->constantInputs[input.name] = std::move(bound);
      break;
    }
  }
  return importONNXModel(buffer->getBuffer(), path, &context, *options);
}

llvm::Expected<Entries> selectEntries(ModuleOp module, llvm::StringRef entry,
                                      bool checkGradients) {
  Entries entries;
  entries.entry = entry.str();
  if (entries.entry.empty()) {
    auto e = defaultEntry(module);
    if (!e)
      return e.takeError();
    entries.entry = *e;
  }
  if (!module.lookupSymbol(entries.entry))
    return error("no function named @" + entries.entry);
  if (checkGradients) {
    if (detectLevel(module) != IRLevel::Tensor)
      return error("--check-gradients needs tensor-level input (TOSA)");
    auto f = module.lookupSymbol<func::FuncOp>(entries.entry);
    if (!f)
      return error("@" + entries.entry + " is not a func.func");
    DifferentiateOptions options;
    options.loss = LossKind::VJP;
    options.trainStepName = entries.entry + "_vjp_step";
    entries.gradientStep = options.trainStepName;
    if (failed(differentiate(f, options)))
      return error("differentiating @" + entries.entry + " failed");
  }
  // Compile only what the entry (and the gradient step) reach.
  if (detectLevel(module) != IRLevel::LLVM) {
    for (auto f : module.getOps<func::FuncOp>())
      if (f.getName() != entries.entry && f.getName() != entries.gradientStep &&
          f.isPublic())
        f.setPrivate();
    PassManager pm(module.getContext());
    pm.addPass(createSymbolDCEPass());
    if (failed(pm.run(module)))
      return error("removing unused functions failed");
  }
  return entries;
}

/// The compile cache's options string for `request` (what the compiled code
/// depends on besides the module).
static std::string cacheOptions(const CompileRequest &request) {
  return "O=" + std::to_string(request.codegen.optLevel) +
         " naive=" + std::to_string(!request.optimize) +
         " parallel=" + std::to_string(request.parallel) +
         " segments=" + std::to_string(request.segmentOps) +
         " remat=" + std::to_string(request.rematerialize) +
         " emulate-gpu=" + std::to_string(request.emulateGPUKernels) +
         " checks=" + std::to_string(request.checks) +
         " kernel-library=" + std::to_string(int(request.kernelLibrary)) +
         " entries=" + request.entries.entry + "," +
         request.entries.gradientStep;
}

static llvm::Error lowerForTarget(ModuleOp module,
                                  const CompileRequest &request) {
  IRLevel level = detectLevel(module);
  if (request.gpu) {
    if (level == IRLevel::Tensor)
      return lowerToGPU(module, request.gpuChip, request.gpuDeviceMemory);
    if (level == IRLevel::Memref || !module->hasAttr("gpu.container_module"))
      return error("--target=gpu needs tensor-level input (TOSA), or a "
                   "module that rev-lower-gpu lowered");
    return llvm::Error::success();
  }
  if (level == IRLevel::LLVM)
    return llvm::Error::success();
  LowerCPUOptions options;
  options.optimize = request.optimize;
  options.threads = request.parallel ? 0 : 1;
  options.segmentOps = request.segmentOps;
  options.checks = request.checks;
  options.kernelLibrary = request.kernelLibrary;
  options.rematerialize = request.rematerialize;
  options.emulateGPUKernels = request.emulateGPUKernels;
  return lowerToLLVM(module, options);
}

llvm::Expected<LoweredModule>
lowerModule(ModuleOp module, const CompileRequest &request, PhaseTimer &timer) {
  LoweredModule lowered;
  // The compile cache (CPU code): a hit skips lowering and code generation.
  if (!request.gpu && request.useCache && request.dumpLLVM.empty())
    if (auto dir = CompileCache::defaultDirectory()) {
      lowered.cache.emplace(*dir);
      std::string text;
      llvm::raw_string_ostream os(text);
      module->print(os);
      lowered.cacheKey = CompileCache::key(text, cacheOptions(request));
      std::string note;
      lowered.cached = lowered.cache->lookup(lowered.cacheKey, note);
      if (!note.empty())
        llvm::errs() << "rev-run: warning: " << note << "\n";
      timer.done(lowered.cached ? "compile cache lookup (hit)"
                                : "compile cache lookup (miss)");
    }
  if (lowered.cached) {
    // The entries' signatures, as lowering would record them.
    if (detectLevel(module) != IRLevel::LLVM) {
      PassManager pm(module.getContext());
      pm.addPass(createRevAnnotateABI());
      if (failed(pm.run(module)))
        return error("reading the entry's signature failed");
    }
  } else {
    if (auto err = lowerForTarget(module, request))
      return std::move(err);
    timer.done(request.gpu ? "lowering to GPU kernels and host code"
                           : "lowering to the LLVM dialect");
  }
  if (!request.dumpLLVM.empty()) {
    std::string message;
    auto out = openOutputFile(request.dumpLLVM, &message);
    if (!out)
      return error(message);
    module->print(out->os());
    out->keep();
  }
  auto sig = readSignature(module, request.entries.entry);
  if (!sig)
    return sig.takeError();
  lowered.entry = std::move(*sig);
  if (!request.entries.gradientStep.empty()) {
    auto step = readSignature(module, request.entries.gradientStep);
    if (!step)
      return step.takeError();
    lowered.gradientStep = std::move(*step);
  }
  return lowered;
}

llvm::Expected<std::unique_ptr<JITModule>>
compileModule(ModuleOp module, LoweredModule &lowered,
              const CompileRequest &request, unsigned threads,
              std::vector<std::string> sharedLibs, unsigned &usedThreads,
              PhaseTimer &timer) {
  std::vector<EntrySignature> entries = {lowered.entry};
  if (lowered.gradientStep)
    entries.push_back(*lowered.gradientStep);
  setKernelThreads(threads);
  usedThreads = 1;
  bool openMP = lowered.cached
                    ? (lowered.cached->flags & CompileCache::kUsesOpenMP) != 0
                    : !request.gpu && usesOpenMP(module);
  if (openMP) {
    auto omp = loadOpenMP(threads);
    if (!omp)
      return omp.takeError();
    sharedLibs.push_back(*omp);
    usedThreads = openMPThreads();
  }
  ObjectFiles objects;
  if (lowered.cached) {
    objects = std::move(lowered.cached->objects);
  } else {
    std::vector<std::string> names;
    for (const EntrySignature &e : entries)
      names.push_back(e.function);
    ObjectCompileStats stats;
    auto compiled = compileToObjects(module, names, request.codegen, &stats);
    if (!compiled)
      return compiled.takeError();
    objects = std::move(*compiled);
    if (request.showTiming)
      llvm::errs() << "rev-run: compiled " << stats.functions
                   << " functions: translation to LLVM IR took "
                   << llvm::format("%.2f", stats.translate)
                   << " s, optimization and code generation "
                   << llvm::format("%.2f", stats.codegen) << " s ("
                   << stats.partitions << " partitions on " << stats.threads
                   << " threads)\n";
    if (lowered.cache)
      if (auto err =
              lowered.cache->store(lowered.cacheKey, objects,
                                   openMP ? CompileCache::kUsesOpenMP : 0))
        llvm::errs() << "rev-run: warning: " << llvm::toString(std::move(err))
                     << " (the compile cache is not updated)\n";
  }
  auto code = JITModule::load(std::move(objects), entries, sharedLibs);
  if (!code)
    return code.takeError();
  timer.done(lowered.cached ? "loading the cached code" : "JIT compilation");
  return std::move(*code);
}

static double millisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - start)
      .count();
}

llvm::Expected<Measurement> measureOnCPU(JITModule &code,
                                         const EntrySignature &sig,
                                         std::vector<Array> &inputs,
                                         unsigned repeat) {
  Measurement m;
  std::vector<const Array *> args;
  for (Array &a : inputs)
    args.push_back(&a);
  for (unsigned r = 0; r < std::max(1u, repeat); ++r) {
    resetAllocationStats();
    auto start = std::chrono::steady_clock::now();
    if (auto err = code.call(sig, args, m.outputs))
      return std::move(err);
    m.timesMs.push_back(millisecondsSince(start));
    m.stats = getAllocationStats();
    if (m.stats.liveBytes != 0)
      return error("the compiled code leaked " +
                   std::to_string(m.stats.liveBytes) + " bytes in one call");
  }
  return m;
}

llvm::Expected<Measurement> measureOnGPU(GPURuntime &gpu, JITModule &code,
                                         const EntrySignature &sig,
                                         std::vector<Array> &inputs,
                                         unsigned repeat, bool graph) {
  Measurement m;
  std::vector<void *> buffers;
  llvm::scope_exit release([&] {
    for (void *b : buffers)
      gpu.free(b, nullptr);
  });
  // Device memory through the driver, managed memory from the host.
  auto copy = [&](void *dst, const void *src, size_t bytes, bool device) {
    if (device)
      gpu.memcpy(dst, const_cast<void *>(src), bytes, nullptr);
    else
      std::memcpy(dst, src, bytes);
  };
  for (auto [a, spec] : llvm::zip(inputs, sig.args)) {
    buffers.push_back(gpu.alloc(a.numBytes(), nullptr, !spec.device));
    copy(buffers.back(), a.data.data(), a.numBytes(), spec.device);
  }
  for (const TensorSpec &r : sig.results) {
    auto out = Array::allocate(r.dtype, r.shape, "result '" + r.name + "'");
    if (!out)
      return out.takeError();
    m.outputs.push_back(std::move(*out));
    buffers.push_back(
        gpu.alloc(m.outputs.back().numBytes(), nullptr, !r.device));
  }
  // One untimed call first: it loads the kernel modules (at their first
  // launch) and moves managed pages to the device.
  if (auto err = code.callRaw(sig, buffers))
    return std::move(err);
  gpu.synchronize();
  // The run-time checks of a call, once it is done (the kernels computed
  // what they compare).
  auto checks = [&]() -> llvm::Error {
    int64_t check, value;
    if (gpu.checkStatus(&check, &value))
      return checkFailed(sig, check, value);
    return llvm::Error::success();
  };
  if (auto err = checks())
    return std::move(err);
  auto recordStats = [&] {
    m.stats.peakBytes = gpu.peakBytes();
    m.stats.allocatedBytes = gpu.allocatedBytes();
    m.stats.allocations = gpu.allocations();
  };
  // A CUDA graph captured from one call, replayed by the timed calls; its
  // allocations are counted as the capture makes them.
  void *replay = nullptr;
  llvm::scope_exit destroy([&] {
    if (replay)
      gpu.graphDestroy(replay);
  });
  if (graph && sig.graph) {
    gpu.resetPeak();
    uint64_t liveBefore = gpu.liveBytes();
    struct Call {
      JITModule &code;
      const EntrySignature &sig;
      std::vector<void *> &buffers;
      llvm::Error error = llvm::Error::success();
    } once{code, sig, buffers};
    auto run = [](void *c) {
      auto *call = static_cast<Call *>(c);
      call->error = call->code.callRaw(call->sig, call->buffers);
    };
    char why[512] = {0};
    if (gpu.graphCapture(run, &once, &replay, why, sizeof(why)) != 0) {
      llvm::consumeError(std::move(once.error));
      return error(std::string("--gpu-graph: ") + why);
    }
    if (once.error)
      return std::move(once.error);
    if (gpu.liveBytes() != liveBefore)
      return error("the captured call leaked " +
                   std::to_string(gpu.liveBytes() - liveBefore) +
                   " device bytes");
    recordStats();
    m.graph = true;
  }
  for (unsigned r = 0; r < std::max(1u, repeat); ++r) {
    gpu.synchronize();
    gpu.resetPeak();
    uint64_t liveBefore = gpu.liveBytes();
    auto start = std::chrono::steady_clock::now();
    if (replay) {
      gpu.graphLaunch(replay);
    } else if (auto err = code.callRaw(sig, buffers)) {
      return std::move(err);
    }
    gpu.synchronize();
    m.timesMs.push_back(millisecondsSince(start));
    if (auto err = checks())
      return std::move(err);
    if (gpu.liveBytes() != liveBefore)
      return error("the compiled code leaked " +
                   std::to_string(gpu.liveBytes() - liveBefore) +
                   " device bytes in one call");
    if (replay)
      continue;
    recordStats();
  }
  for (size_t k = 0; k < m.outputs.size(); ++k)
    copy(m.outputs[k].data.data(), buffers[inputs.size() + k],
         m.outputs[k].numBytes(), sig.results[k].device);
  return m;
}

void printSignature(const EntrySignature &sig, llvm::raw_ostream &os) {
  os << "@" << sig.function << "\n";
  // A trailing "device": the GPU lowering (memory=device) expects the
  // buffer in device memory (rev.abi device = true).
  auto line = [&](llvm::StringRef kind, const TensorSpec &t) {
    os << "  " << kind << t.name << ": " << t.describe()
       << (t.device ? " device" : "") << "\n";
  };
  for (const TensorSpec &a : sig.args)
    line("arg    ", a);
  for (const TensorSpec &r : sig.results)
    line("result ", r);
  for (auto [id, message] : llvm::enumerate(sig.checks))
    os << "  check  " << id << ": " << message << "\n";
}

} // namespace rev::runtime
