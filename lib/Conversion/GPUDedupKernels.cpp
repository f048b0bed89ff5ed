//===- GPUDedupKernels.cpp - one GPU kernel per distinct body -------------===//

#include "rev/Conversion/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/OperationSupport.h"
#include "llvm/ADT/DenseMap.h"

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVGPUDEDUPKERNELS
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

/// The kernel of a module that holds exactly one function, else null.
gpu::GPUFuncOp singleKernel(gpu::GPUModuleOp module) {
  auto &ops = module.getBody()->getOperations();
  if (ops.size() != 1)
    return {};
  auto kernel = dyn_cast<gpu::GPUFuncOp>(ops.front());
  return kernel && kernel.isKernel() ? kernel : gpu::GPUFuncOp();
}

/// The attributes of an op other than its symbol name.
NamedAttrList attributesBesidesName(Operation *op) {
  NamedAttrList attrs(op->getAttrDictionary());
  attrs.erase(SymbolTable::getSymbolAttrName());
  return attrs;
}

/// Kernels that do the same thing: the same attributes (but the names), in
/// modules with the same attributes (targets), and equivalent bodies.
bool sameKernel(gpu::GPUFuncOp a, gpu::GPUFuncOp b) {
  auto moduleA = a->getParentOfType<gpu::GPUModuleOp>();
  auto moduleB = b->getParentOfType<gpu::GPUModuleOp>();
  if (attributesBesidesName(a).getDictionary(a.getContext()) !=
          attributesBesidesName(b).getDictionary(b.getContext()) ||
      attributesBesidesName(moduleA).getDictionary(a.getContext()) !=
          attributesBesidesName(moduleB).getDictionary(b.getContext()))
    return false;
  return OperationEquivalence::isRegionEquivalentTo(
      &a.getBody(), &b.getBody(), OperationEquivalence::IgnoreLocations);
}

/// A hash consistent with sameKernel: the signature and each op's name,
/// result types and attributes, in order.
llvm::hash_code kernelHash(gpu::GPUFuncOp kernel) {
  llvm::hash_code hash =
      llvm::hash_value(kernel.getFunctionType().getAsOpaquePointer());
  kernel.getBody().walk([&](Operation *op) {
    hash =
        llvm::hash_combine(hash, OperationEquivalence::computeHash(
                                     op, OperationEquivalence::ignoreHashValue,
                                     OperationEquivalence::ignoreHashValue,
                                     OperationEquivalence::IgnoreLocations));
  });
  return hash;
}

struct RevGPUDedupKernelsPass
    : public rev::impl::RevGPUDedupKernelsBase<RevGPUDedupKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Representatives by hash, in module order.
    llvm::DenseMap<llvm::hash_code, SmallVector<gpu::GPUFuncOp, 1>> seen;
    llvm::DenseMap<Attribute, SymbolRefAttr> replacement;
    SmallVector<gpu::GPUModuleOp> duplicates;
    for (auto gpuModule : module.getOps<gpu::GPUModuleOp>()) {
      gpu::GPUFuncOp kernel = singleKernel(gpuModule);
      if (!kernel)
        continue;
      auto &candidates = seen[kernelHash(kernel)];
      auto same = llvm::find_if(candidates, [&](gpu::GPUFuncOp other) {
        return sameKernel(other, kernel);
      });
      if (same == candidates.end()) {
        candidates.push_back(kernel);
        continue;
      }
      auto name = [](gpu::GPUFuncOp k) {
        return SymbolRefAttr::get(
            k->getParentOfType<gpu::GPUModuleOp>().getNameAttr(),
            {FlatSymbolRefAttr::get(k.getNameAttr())});
      };
      replacement[name(kernel)] = name(*same);
      duplicates.push_back(gpuModule);
    }
    if (duplicates.empty())
      return;
    module.walk([&](gpu::LaunchFuncOp launch) {
      auto it = replacement.find(launch.getKernel());
      if (it != replacement.end())
        launch.setKernelAttr(it->second);
    });
    for (gpu::GPUModuleOp duplicate : duplicates)
      duplicate.erase();
    numMerged += duplicates.size();
  }
};

} // namespace
