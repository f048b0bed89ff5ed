//===- Runner.cpp - JIT-compile and call entry points ---------------------===//

#include "rev/Runtime/Runner.h"

#include "rev/Conversion/Passes.h"
#include "rev/Dialect/Rev/IR/RevOps.h"
#include "rev/Runtime/Memory.h"

#include "RevChecks.h"
#ifdef REV_HAVE_ONEDNN
#include "RevKernels.h"
#endif

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/CRunnerUtils.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ExecutionEngine/Orc/AbsoluteSymbols.h"
#include "llvm/ExecutionEngine/Orc/EPCDynamicLibrarySearchGenerator.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/ExecutionEngine/Orc/MapperJITLinkMemoryManager.h"
#include "llvm/ExecutionEngine/Orc/MemoryMapper.h"
#include "llvm/ExecutionEngine/Orc/ObjectLinkingLayer.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/ExecutionEngine/Orc/RTDyldObjectLinkingLayer.h"
#include "llvm/ExecutionEngine/JITEventListener.h"
#include "llvm/ExecutionEngine/SectionMemoryManager.h"
#include "llvm/Support/DynamicLibrary.h"
#include "llvm/Support/FileSystem.h"

#include <cstdlib>

using namespace mlir;
using llvm::createStringError;

namespace rev::runtime {

std::string TensorSpec::describe() const {
  std::string s = std::string(dtypeName(dtype)) + " [";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

static llvm::Error parseSpecs(ArrayAttr list, std::vector<TensorSpec> &out,
                              StringRef fn) {
  for (Attribute a : list) {
    auto dict = dyn_cast<DictionaryAttr>(a);
    auto name = dict ? dict.getAs<StringAttr>("name") : StringAttr();
    auto type = dict ? dict.getAs<TypeAttr>("type") : TypeAttr();
    auto tensor = type ? dyn_cast<RankedTensorType>(type.getValue())
                       : RankedTensorType();
    if (!name || !tensor)
      return createStringError(std::errc::invalid_argument,
                               "malformed rev.abi on @%s", fn.str().c_str());
    TensorSpec spec;
    spec.name = name.str();
    auto dtype = elementKindOf(tensor.getElementType());
    if (!dtype) {
      std::string et;
      llvm::raw_string_ostream os(et);
      os << tensor.getElementType();
      return createStringError(std::errc::invalid_argument,
                               "@%s: '%s' has unsupported element type %s",
                               fn.str().c_str(), spec.name.c_str(), et.c_str());
    }
    spec.dtype = *dtype;
    spec.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
    if (auto device = dict.getAs<BoolAttr>("device"))
      spec.device = device.getValue();
    out.push_back(std::move(spec));
  }
  return llvm::Error::success();
}

llvm::Expected<EntrySignature> readSignature(ModuleOp module, StringRef name) {
  Operation *fn = module.lookupSymbol(name);
  if (!fn)
    return createStringError(std::errc::invalid_argument,
                             "no function named @%s", name.str().c_str());
  auto abi = fn->getAttrOfType<DictionaryAttr>(rev::kABIAttr);
  if (!abi)
    return createStringError(
        std::errc::invalid_argument,
        "@%s has no rev.abi signature (lower it with rev-lower-cpu, or give "
        "rev-run the tensor-level IR)",
        name.str().c_str());
  EntrySignature sig;
  sig.function = name.str();
  auto args = abi.getAs<ArrayAttr>("args");
  auto results = abi.getAs<ArrayAttr>("results");
  if (!args || !results)
    return createStringError(std::errc::invalid_argument,
                             "malformed rev.abi on @%s", name.str().c_str());
  if (auto err = parseSpecs(args, sig.args, name))
    return std::move(err);
  if (auto err = parseSpecs(results, sig.results, name))
    return std::move(err);
  if (auto graph = abi.getAs<BoolAttr>("graph"))
    sig.graph = graph.getValue();
  if (auto checks = module->getAttrOfType<ArrayAttr>(kChecksAttr))
    for (Attribute message : checks) {
      auto text = dyn_cast<StringAttr>(message);
      if (!text)
        return createStringError(std::errc::invalid_argument,
                                 "malformed %s on the module",
                                 kChecksAttr.str().c_str());
      sig.checks.push_back(text.str());
    }
  return sig;
}

llvm::Expected<std::string> defaultEntry(ModuleOp module) {
  if (module.lookupSymbol("train_step"))
    return std::string("train_step");
  std::vector<std::string> candidates;
  for (Operation &op : module.getBody()->getOperations()) {
    auto sym = dyn_cast<SymbolOpInterface>(op);
    if (!sym || !sym.isPublic())
      continue;
    if (auto f = dyn_cast<func::FuncOp>(op); f && !f.isExternal())
      candidates.push_back(f.getName().str());
    if (auto f = dyn_cast<LLVM::LLVMFuncOp>(op);
        f && !f.isExternal() && f->hasAttr(rev::kABIAttr) &&
        !f.getName().starts_with("_mlir_ciface_"))
      candidates.push_back(f.getName().str());
  }
  if (candidates.size() == 1)
    return candidates.front();
  if (candidates.empty())
    return createStringError(std::errc::invalid_argument,
                             "the module has no public function to run");
  std::string names;
  for (auto &c : candidates)
    names += " @" + c;
  return createStringError(std::errc::invalid_argument,
                           "the module has several public functions (%s); "
                           "choose one with --entry",
                           names.c_str() + 1);
}

IRLevel detectLevel(ModuleOp module) {
  bool tensors = false, memrefs = false, llvmFuncs = false;
  module.walk([&](Operation *op) {
    if (isa<LLVM::LLVMFuncOp>(op))
      llvmFuncs = true;
    if (auto f = dyn_cast<func::FuncOp>(op)) {
      for (Type t : f.getFunctionType().getInputs()) {
        tensors |= isa<TensorType>(t);
        memrefs |= isa<MemRefType>(t);
      }
      for (Type t : f.getFunctionType().getResults()) {
        tensors |= isa<TensorType>(t);
        memrefs |= isa<MemRefType>(t);
      }
    }
  });
  if (tensors)
    return IRLevel::Tensor;
  if (memrefs)
    return IRLevel::Memref;
  return llvmFuncs ? IRLevel::LLVM : IRLevel::Tensor;
}

llvm::Error lowerToLLVM(ModuleOp module, LowerCPUOptions &options) {
  PassManager pm(module.getContext(), ModuleOp::getOperationName());
  options.fromMemref = detectLevel(module) == IRLevel::Memref;
  buildLowerCPUPipeline(pm, options);
  if (failed(pm.run(module)))
    return createStringError(std::errc::invalid_argument,
                             "lowering to the LLVM dialect failed");
  return llvm::Error::success();
}

llvm::Error lowerToGPU(ModuleOp module, StringRef chip, bool deviceMemory) {
  PassManager pm(module.getContext(), ModuleOp::getOperationName());
  LowerGPUOptions options;
  options.chip = chip.str();
  options.memory = deviceMemory ? LowerGPUOptions::Memory::Device
                                 : LowerGPUOptions::Memory::Managed;
  buildLowerGPUPipeline(pm, options);
  if (failed(pm.run(module)))
    return createStringError(std::errc::invalid_argument,
                             "lowering to GPU kernels failed");
  return llvm::Error::success();
}

bool usesOpenMP(ModuleOp module) {
  bool found = false;
  module.walk([&](Operation *op) {
    if (op->getName().getDialectNamespace() == "omp") {
      found = true;
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return found;
}

llvm::Expected<std::string> loadOpenMP(unsigned threads) {
#ifdef REV_OPENMP_LIBRARY
  std::string path = REV_OPENMP_LIBRARY;
#else
  std::string path;
#endif
  if (const char *env = std::getenv("REV_OPENMP_LIBRARY"))
    path = env;
  if (path.empty() || !llvm::sys::fs::exists(path))
    return createStringError(
        std::errc::no_such_file_or_directory,
        "the code runs loops on several threads with OpenMP, but the OpenMP "
        "runtime (libomp) %s: install libomp-22-dev, set REV_OPENMP_LIBRARY, "
        "or lower with one thread (rev-run --num-threads=1, rev-lower-cpu "
        "threads=1)",
        path.empty() ? "was not found when rev-opt was built"
                     : ("is not at " + path).c_str());
  std::string error;
  auto lib = llvm::sys::DynamicLibrary::getPermanentLibrary(path.c_str(),
                                                            &error);
  if (!lib.isValid())
    return createStringError(std::errc::invalid_argument,
                             "cannot load the OpenMP runtime %s: %s",
                             path.c_str(), error.c_str());
  if (threads > 0) {
    auto setThreads = reinterpret_cast<void (*)(int)>(
        lib.getAddressOfSymbol("omp_set_num_threads"));
    if (!setThreads)
      return createStringError(std::errc::invalid_argument,
                               "%s has no omp_set_num_threads",
                               path.c_str());
    setThreads(static_cast<int>(threads));
  }
  return path;
}

void setKernelThreads(unsigned threads) {
#ifdef REV_HAVE_ONEDNN
  rev_kernels_set_num_threads(static_cast<int>(threads));
#else
  (void)threads;
#endif
}

unsigned openMPThreads() {
  auto maxThreads = reinterpret_cast<int (*)()>(
      llvm::sys::DynamicLibrary::SearchForAddressOfSymbol(
          "omp_get_max_threads"));
  return maxThreads ? static_cast<unsigned>(maxThreads()) : 1;
}

llvm::Expected<std::unique_ptr<JITModule>>
JITModule::load(ObjectFiles objects, ArrayRef<EntrySignature> entries,
                ArrayRef<std::string> sharedLibs) {
  initializeNativeTarget();
  auto machineBuilder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!machineBuilder)
    return machineBuilder.takeError();
  llvm::orc::LLJITBuilder builder;
  builder.setJITTargetMachineBuilder(std::move(*machineBuilder));
  // REV_JIT_PERF=1 registers the code with perf (to profile it), through
  // the RuntimeDyld linker, which takes event listeners.
  llvm::JITEventListener *perf =
      std::getenv("REV_JIT_PERF")
          ? llvm::JITEventListener::createPerfJITEventListener()
          : nullptr;
  if (perf) {
    builder.setObjectLinkingLayerCreator(
        [perf](llvm::orc::ExecutionSession &session)
            -> llvm::Expected<std::unique_ptr<llvm::orc::ObjectLayer>> {
          auto layer = std::make_unique<llvm::orc::RTDyldObjectLinkingLayer>(
              session, [](const llvm::MemoryBuffer &) {
                return std::make_unique<llvm::SectionMemoryManager>();
              });
          layer->registerJITEventListener(*perf);
          return layer;
        });
  } else {
    // All code in one reservation (1 GiB of address space, mapped as
    // needed): the objects of a split module call each other with 32-bit
    // PC-relative relocations, which fail when separately mapped objects
    // land more than 2 GiB apart (as they do under AddressSanitizer).
    builder.setObjectLinkingLayerCreator(
        [](llvm::orc::ExecutionSession &session)
            -> llvm::Expected<std::unique_ptr<llvm::orc::ObjectLayer>> {
          auto memory = llvm::orc::MapperJITLinkMemoryManager::
              CreateWithMapper<llvm::orc::InProcessMemoryMapper>(size_t(1)
                                                                 << 30);
          if (!memory)
            return memory.takeError();
          return std::make_unique<llvm::orc::ObjectLinkingLayer>(
              session, std::move(*memory));
        });
  }
  auto jit = builder.create();
  if (!jit)
    return jit.takeError();
  llvm::orc::JITDylib &main = (*jit)->getMainJITDylib();
  llvm::orc::ExecutionSession &session = (*jit)->getExecutionSession();
  for (const std::string &path : sharedLibs) {
    auto generator = llvm::orc::EPCDynamicLibrarySearchGenerator::Load(
        session, path.c_str());
    if (!generator)
      return generator.takeError();
    main.addGenerator(std::move(*generator));
  }
  // The allocation functions count live bytes (rev-run's measured peak);
  // memrefCopy copies between strided buffers (libmlir_c_runner_utils).
  llvm::orc::MangleAndInterner interner(session, (*jit)->getDataLayout());
  llvm::orc::SymbolMap symbols;
  auto define = [&](const char *name, void *fn) {
    symbols[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(fn),
                               llvm::JITSymbolFlags::Exported};
  };
  define("_mlir_memref_to_llvm_alloc", reinterpret_cast<void *>(&trackedAlloc));
  define("_mlir_memref_to_llvm_aligned_alloc",
         reinterpret_cast<void *>(&trackedAlignedAlloc));
  define("_mlir_memref_to_llvm_free", reinterpret_cast<void *>(&trackedFree));
  define("memrefCopy", reinterpret_cast<void *>(&memrefCopy));
  define("rev_check_failed", reinterpret_cast<void *>(&rev_check_failed));
#ifdef REV_HAVE_ONEDNN
  // The library kernels (kernel-library=onednn); their temporaries count.
  define("_mlir_ciface_rev_conv2d_forward_f32",
         reinterpret_cast<void *>(&_mlir_ciface_rev_conv2d_forward_f32));
  define("_mlir_ciface_rev_conv2d_backward_data_f32",
         reinterpret_cast<void *>(&_mlir_ciface_rev_conv2d_backward_data_f32));
  define(
      "_mlir_ciface_rev_conv2d_backward_filter_f32",
      reinterpret_cast<void *>(&_mlir_ciface_rev_conv2d_backward_filter_f32));
  define("_mlir_ciface_rev_matmul_f32",
         reinterpret_cast<void *>(&_mlir_ciface_rev_matmul_f32));
  rev_kernels_set_allocator(&trackedAlignedAlloc, &trackedFree);
#endif
  if (auto err = main.define(llvm::orc::absoluteSymbols(std::move(symbols))))
    return std::move(err);
  for (auto &object : objects)
    if (auto err = (*jit)->addObjectFile(std::move(object)))
      return std::move(err);
  if (auto err = (*jit)->initialize(main))
    return std::move(err);
  std::unique_ptr<JITModule> module(new JITModule());
  // Link now, so that the first call is not timed with the linking.
  for (const EntrySignature &sig : entries) {
    auto address = (*jit)->lookup(packedEntryName(sig.function));
    if (!address)
      return address.takeError();
    module->packedEntries[sig.function] =
        address->toPtr<void (*)(void **)>();
  }
  module->jit = std::move(*jit);
  return module;
}

JITModule::JITModule() = default;
JITModule::~JITModule() = default;

/// A memref descriptor {allocated, aligned, offset, sizes..., strides...}
/// for a C-ordered array.
static std::vector<int64_t> descriptor(void *data,
                                       const std::vector<int64_t> &shape) {
  std::vector<int64_t> d;
  d.push_back(reinterpret_cast<int64_t>(data));
  d.push_back(reinterpret_cast<int64_t>(data));
  d.push_back(0);
  d.insert(d.end(), shape.begin(), shape.end());
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  d.insert(d.end(), strides.begin(), strides.end());
  return d;
}

llvm::Error JITModule::call(const EntrySignature &sig,
                            llvm::ArrayRef<const Array *> inputs,
                            std::vector<Array> &outputs) {
  if (inputs.size() != sig.args.size())
    return createStringError(std::errc::invalid_argument,
                             "@%s takes %zu arguments, got %zu",
                             sig.function.c_str(), sig.args.size(),
                             inputs.size());
  outputs.clear();
  for (const TensorSpec &r : sig.results) {
    auto out = Array::allocate(r.dtype, r.shape, "result '" + r.name + "'");
    if (!out)
      return out.takeError();
    outputs.push_back(std::move(*out));
  }
  std::vector<void *> buffers;
  for (const Array *a : inputs)
    buffers.push_back(const_cast<uint8_t *>(a->data.data()));
  for (Array &a : outputs)
    buffers.push_back(a.data.data());
  return callRaw(sig, buffers);
}

llvm::Error JITModule::callRaw(const EntrySignature &sig,
                               ArrayRef<void *> buffers) {
  if (buffers.size() != sig.args.size() + sig.results.size())
    return createStringError(std::errc::invalid_argument,
                             "@%s: %zu buffers for %zu arguments and results",
                             sig.function.c_str(), buffers.size(),
                             sig.args.size() + sig.results.size());
  std::vector<std::vector<int64_t>> descriptors;
  for (size_t i = 0; i < buffers.size(); ++i)
    descriptors.push_back(descriptor(
        buffers[i], i < sig.args.size()
                        ? sig.args[i].shape
                        : sig.results[i - sig.args.size()].shape));
  // Packed calling convention: a list of pointers to each argument, where
  // each argument of the C interface is a pointer to a descriptor.
  std::vector<void *> descriptorPtrs;
  for (auto &d : descriptors)
    descriptorPtrs.push_back(d.data());
  std::vector<void *> packed;
  for (void *&p : descriptorPtrs)
    packed.push_back(&p);
  auto entry = packedEntries.find(sig.function);
  if (entry == packedEntries.end())
    return createStringError(std::errc::invalid_argument,
                             "@%s was not compiled as an entry point",
                             sig.function.c_str());
  rev_check_status(nullptr, nullptr); // (clears an earlier failure)
  entry->second(packed.data());
#ifdef REV_HAVE_ONEDNN
  const char *kernelFailure;
  if (rev_kernels_status(&kernelFailure)) {
    rev_check_status(nullptr, nullptr);
    return createStringError(std::errc::io_error,
                             "a library kernel failed in @%s: %s",
                             sig.function.c_str(), kernelFailure);
  }
#endif
  int64_t check, value;
  if (rev_check_status(&check, &value))
    return checkFailed(sig, check, value);
  return llvm::Error::success();
}

llvm::Error checkFailed(const EntrySignature &sig, int64_t check,
                        int64_t value) {
  std::string message =
      check >= 0 && static_cast<size_t>(check) < sig.checks.size()
          ? sig.checks[check]
          : "check #" + std::to_string(check);
  return createStringError(std::errc::argument_out_of_domain,
                           "run-time check failed in @%s: %s; got %lld",
                           sig.function.c_str(), message.c_str(),
                           static_cast<long long>(value));
}

} // namespace rev::runtime
