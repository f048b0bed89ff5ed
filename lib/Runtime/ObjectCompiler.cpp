//===- ObjectCompiler.cpp - LLVM dialect to machine code, in parallel ----===//

#include "rev/Runtime/ObjectCompiler.h"

#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/Analysis/CGSCCPassManager.h"
#include "llvm/Analysis/LoopAnalysisManager.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PassManager.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/SmallVectorMemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/Threading.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/Transforms/Utils/Cloning.h"
#include "llvm/Transforms/Utils/SplitModule.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

using namespace mlir;
using llvm::createStringError;

namespace rev::runtime {

std::string packedEntryName(llvm::StringRef fn) {
  return ("_rev_packed_" + fn).str();
}

void initializeNativeTarget() {
  static bool initialized = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)initialized;
}

/// A target machine for this host: position-independent code for the JIT
/// linker (objects may be loaded anywhere, also from the compile cache).
static llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
hostMachine(unsigned optLevel) {
  initializeNativeTarget();
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return builder.takeError();
  builder->setCodeGenOptLevel(static_cast<llvm::CodeGenOptLevel>(optLevel));
  builder->setRelocationModel(llvm::Reloc::PIC_);
  builder->setCodeModel(llvm::CodeModel::Small);
  return builder->createTargetMachine();
}

std::string hostTargetDescription() {
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder) {
    llvm::consumeError(builder.takeError());
    return llvm::sys::getProcessTriple();
  }
  return builder->getTargetTriple().str() + " " + builder->getCPU() + " " +
         builder->getFeatures().getString();
}

/// Folds into the packed entry the C interface it calls (`ifaceCall`) and
/// then the function that this one wraps, when that one is a caller-only
/// function (optnone: a deep model's step) used nowhere else. Code generation
/// then never sees a call with one argument per descriptor field (on a RevNet
/// with 32 blocks per stage, SelectionDAG took 0.35 s at -O2 on the packed
/// entry's call of 2,609 arguments), and the packed entry, now caller-only
/// itself, is compiled with the other callers at -O0. The JIT looks up only
/// the packed entry, so the C interface becomes internal and goes away.
static void foldIntoPackedEntry(llvm::CallInst &ifaceCall) {
  llvm::Function &packed = *ifaceCall.getFunction();
  llvm::Function &iface = *ifaceCall.getCalledFunction();
  llvm::Function *wrapped = nullptr;
  for (llvm::BasicBlock &block : iface)
    for (llvm::Instruction &inst : block)
      if (auto *call = llvm::dyn_cast<llvm::CallInst>(&inst))
        if (llvm::Function *callee = call->getCalledFunction();
            callee && !callee->isDeclaration())
          wrapped = wrapped ? &iface : callee; // (&iface: several)
  bool callerOnly = iface.hasOptNone();
  iface.setLinkage(llvm::GlobalValue::InternalLinkage);
  llvm::InlineFunctionInfo info;
  if (!llvm::InlineFunction(ifaceCall, info).isSuccess())
    return;
  if (iface.use_empty())
    iface.eraseFromParent();
  if (wrapped && wrapped != &iface && wrapped->hasLocalLinkage() &&
      wrapped->hasOptNone() && wrapped->hasOneUse())
    if (auto *call = llvm::dyn_cast<llvm::CallInst>(wrapped->user_back());
        call && call->getFunction() == &packed &&
        llvm::InlineFunction(*call, info).isSuccess())
      wrapped->eraseFromParent();
  if (callerOnly) {
    packed.addFnAttr(llvm::Attribute::OptimizeNone);
    packed.addFnAttr(llvm::Attribute::NoInline);
  }
}

/// `void _rev_packed_<fn>(void **args)`: loads each argument of
/// `_mlir_ciface_<fn>` from the pointer in args[i] and calls it (a result, if
/// any, is stored through the pointer after the arguments).
static llvm::Error addPackedEntry(llvm::Module &m, llvm::StringRef fn) {
  llvm::Function *iface = m.getFunction(("_mlir_ciface_" + fn).str());
  if (!iface)
    return createStringError(std::errc::invalid_argument,
                             "@%s has no C interface (_mlir_ciface_%s)",
                             fn.str().c_str(), fn.str().c_str());
  llvm::LLVMContext &ctx = m.getContext();
  auto *ptrType = llvm::PointerType::getUnqual(ctx);
  auto *type = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptrType},
                                       /*isVarArg=*/false);
  auto *packed = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage,
                                        packedEntryName(fn), m);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", packed));
  auto slot = [&](unsigned i) {
    return b.CreateLoad(ptrType,
                        b.CreateConstGEP1_64(ptrType, packed->getArg(0), i));
  };
  llvm::SmallVector<llvm::Value *> args;
  for (llvm::Argument &param : iface->args())
    args.push_back(b.CreateLoad(param.getType(), slot(param.getArgNo())));
  llvm::CallInst *result = b.CreateCall(iface, args);
  if (!iface->getReturnType()->isVoidTy())
    b.CreateStore(result, slot(iface->arg_size()));
  b.CreateRetVoid();
  foldIntoPackedEntry(*result);
  return llvm::Error::success();
}

/// LLVM's default pipeline at `optLevel`, without the loop vectorizer, SLP
/// vectorizer and unroller: the heavy loops are already tiled and vectorized
/// by rev-cpu-codegen, and these would mostly multiply the code (and the
/// compile time) of the remaining scalar loops.
static void optimize(llvm::Module &m, llvm::TargetMachine &machine,
                     unsigned optLevel) {
  if (optLevel == 0)
    return;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = false;
  tuning.SLPVectorization = false;
  tuning.LoopUnrolling = false;
  llvm::PassBuilder pb(&machine, tuning);
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = optLevel == 1   ? llvm::OptimizationLevel::O1
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                                  : llvm::OptimizationLevel::O3;
  pb.buildPerModuleDefaultPipeline(level).run(m, mam);
}

/// Gives every local symbol external, hidden linkage (and a name), so that
/// a module's functions can be compiled in separate objects.
static void externalizeLocals(llvm::Module &m) {
  for (llvm::GlobalValue &gv : m.global_values()) {
    if (gv.hasLocalLinkage()) {
      gv.setLinkage(llvm::GlobalValue::ExternalLinkage);
      gv.setVisibility(llvm::GlobalValue::HiddenVisibility);
    }
    if (!gv.hasName() && !gv.isDeclaration())
      gv.setName("__rev_unnamed");
  }
}

/// Optimizes `m` and generates an object file from it.
static llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
emitObject(llvm::Module &m, unsigned optLevel, llvm::StringRef name) {
  auto machine = hostMachine(optLevel);
  if (!machine)
    return machine.takeError();
  optimize(m, **machine, optLevel);
  llvm::SmallVector<char, 0> object;
  llvm::raw_svector_ostream os(object);
  llvm::legacy::PassManager codegen;
  if ((*machine)->addPassesToEmitFile(codegen, os, nullptr,
                                      llvm::CodeGenFileType::ObjectFile))
    return createStringError(std::errc::not_supported,
                             "this host's target cannot emit object files");
  codegen.run(m);
  return std::make_unique<llvm::SmallVectorMemoryBuffer>(
      std::move(object), name, /*RequiresNullTerminator=*/false);
}

llvm::Expected<ObjectFiles>
compileToObjects(ModuleOp module, llvm::ArrayRef<std::string> entries,
                 const ObjectCompileOptions &options,
                 ObjectCompileStats *stats) {
  auto start = std::chrono::steady_clock::now();
  auto machine = hostMachine(options.optLevel);
  if (!machine)
    return machine.takeError();
  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
  module.getContext()->appendDialectRegistry(registry);

  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, context);
  if (!llvmModule)
    return createStringError(std::errc::invalid_argument,
                             "translation to LLVM IR failed");
  llvmModule->setDataLayout((*machine)->createDataLayout());
  llvmModule->setTargetTriple((*machine)->getTargetTriple());
  for (const std::string &entry : entries)
    if (auto err = addPackedEntry(*llvmModule, entry))
      return std::move(err);
  unsigned numFunctions = llvm::count_if(
      llvmModule->functions(),
      [](llvm::Function &f) { return !f.isDeclaration(); });
  auto translated = std::chrono::steady_clock::now();

  unsigned threads = options.threads
                         ? options.threads
                         : llvm::hardware_concurrency().compute_thread_count();
  threads = std::max(1u, threads);
  // The functions marked optnone (rev-outline-loops marks those that only
  // call others: a deep model's forward and backward, thousands of calls in
  // one block) are compiled apart, as at -O0 (fast instruction selection and
  // register allocation, linear in their size), the rest at `optLevel`.
  // Each group is split into partitions, more than threads so that an
  // expensive one does not leave the other threads idle; each partition is
  // a bitcode image that a thread reads into a context of its own.
  struct Job {
    llvm::SmallVector<char, 0> bitcode;
    unsigned optLevel;
  };
  std::vector<Job> jobs;
  auto addJobs = [&](llvm::Module &m, unsigned parts, unsigned optLevel) {
    auto add = [&](llvm::Module &part) {
      jobs.push_back({{}, optLevel});
      llvm::raw_svector_ostream os(jobs.back().bitcode);
      llvm::WriteBitcodeToFile(part, os);
    };
    if (parts <= 1) {
      add(m);
      return;
    }
    llvm::SplitModule(
        m, parts, [&](std::unique_ptr<llvm::Module> part) { add(*part); },
        /*PreserveLocals=*/false, /*RoundRobin=*/true);
  };
  auto isCallerOnly = [](const llvm::GlobalValue *gv) {
    auto *f = llvm::dyn_cast<llvm::Function>(gv);
    return f && f->hasOptNone();
  };
  bool anyCallerOnly = llvm::any_of(llvmModule->functions(),
                                    [&](llvm::Function &f) {
                                      return !f.isDeclaration() &&
                                             isCallerOnly(&f);
                                    });
  unsigned kernelParts = threads == 1 ? 1 : 2 * threads;
  if (anyCallerOnly && options.optLevel > 0) {
    externalizeLocals(*llvmModule);
    llvm::ValueToValueMapTy callerMap, kernelMap;
    std::unique_ptr<llvm::Module> callers = llvm::CloneModule(
        *llvmModule, callerMap, [&](const llvm::GlobalValue *gv) {
          return isCallerOnly(gv);
        });
    std::unique_ptr<llvm::Module> kernels = llvm::CloneModule(
        *llvmModule, kernelMap, [&](const llvm::GlobalValue *gv) {
          return !isCallerOnly(gv);
        });
    llvmModule.reset();
    addJobs(*callers, kernelParts, /*optLevel=*/0);
    addJobs(*kernels, kernelParts, options.optLevel);
  } else {
    addJobs(*llvmModule, kernelParts, options.optLevel);
    llvmModule.reset();
  }

  ObjectFiles objects(jobs.size());
  std::vector<llvm::Error> errors;
  std::mutex errorsMutex;
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < jobs.size(); i = next++) {
      llvm::LLVMContext partContext;
      std::string name = "rev-part" + std::to_string(i) + ".o";
      auto part = llvm::parseBitcodeFile(
          llvm::MemoryBufferRef(
              llvm::StringRef(jobs[i].bitcode.data(), jobs[i].bitcode.size()),
              name),
          partContext);
      llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> object =
          part ? emitObject(**part, jobs[i].optLevel, name)
               : llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>(
                     part.takeError());
      if (!object) {
        std::lock_guard<std::mutex> lock(errorsMutex);
        errors.push_back(object.takeError());
        continue;
      }
      objects[i] = std::move(*object);
    }
  };
  unsigned numThreads = std::min<unsigned>(threads, jobs.size());
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < numThreads; ++t)
    pool.emplace_back(work);
  work();
  for (std::thread &t : pool)
    t.join();
  llvm::Error all = llvm::Error::success();
  for (llvm::Error &e : errors)
    all = llvm::joinErrors(std::move(all), std::move(e));
  if (all)
    return std::move(all);
  if (stats) {
    auto end = std::chrono::steady_clock::now();
    stats->translate = std::chrono::duration<double>(translated - start).count();
    stats->codegen = std::chrono::duration<double>(end - translated).count();
    stats->functions = numFunctions;
    stats->partitions = jobs.size();
    stats->threads = numThreads;
  }
  return objects;
}

} // namespace rev::runtime
