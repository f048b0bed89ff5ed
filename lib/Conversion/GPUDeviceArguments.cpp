//===- GPUDeviceArguments.cpp - rev-gpu-device-arguments ------------------===//
//
// rev-gpu-device-arguments: rev.abi marks the arguments and results only
// kernels touch (see its description in Passes.td).
//
//===----------------------------------------------------------------------===//

#include "GPUKernelUses.h"

#include "rev/Conversion/Passes.h"
#include "rev/Dialect/Rev/IR/RevContract.h"

#include "mlir/IR/Builders.h"


using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVGPUDEVICEARGUMENTS
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

/// Whether only kernels touch the memref `arg`: its uses, through views and
/// calls into `module`'s functions (whose arguments are checked the same
/// way), are all in a gpu.launch. `known` memoizes function arguments.
bool argumentOnlyKernelsTouch(ModuleOp module, BlockArgument arg,
                              llvm::DenseMap<BlockArgument, bool> &known) {
  // (true while it is being checked: the call graph of a lowered training
  // step has no cycles)
  if (!known.try_emplace(arg, true).second)
    return known[arg];
  bool result = rev::onlyKernelsTouch(arg, [&](OpOperand &use) {
    auto call = dyn_cast<func::CallOp>(use.getOwner());
    auto callee =
        call ? module.lookupSymbol<func::FuncOp>(call.getCallee()) : nullptr;
    return callee && !callee.isExternal() &&
           argumentOnlyKernelsTouch(
               module, callee.getArgument(use.getOperandNumber()), known);
  });
  known[arg] = result;
  return result;
}

struct RevGPUDeviceArgumentsPass
    : public rev::impl::RevGPUDeviceArgumentsBase<RevGPUDeviceArgumentsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::DenseMap<BlockArgument, bool> known;
    Builder b(module.getContext());
    for (auto func : module.getOps<func::FuncOp>()) {
      auto abi = func->getAttrOfType<DictionaryAttr>(rev::kABIAttr);
      if (!abi || func.isExternal() || !func.isPublic())
        continue;
      auto args = abi.getAs<ArrayAttr>("args");
      auto results = abi.getAs<ArrayAttr>("results");
      if (!args || !results ||
          args.size() + results.size() != func.getNumArguments())
        continue;
      SmallVector<Attribute> entries(args.begin(), args.end());
      entries.append(results.begin(), results.end());
      for (auto [k, entry] : llvm::enumerate(entries)) {
        auto dict = dyn_cast<DictionaryAttr>(entry);
        BlockArgument arg = func.getArgument(k);
        if (!dict || !isa<MemRefType>(arg.getType()))
          continue;
        if (!argumentOnlyKernelsTouch(module, arg, known))
          continue;
        NamedAttrList attrs(dict);
        attrs.set("device", b.getBoolAttr(true));
        entry = attrs.getDictionary(module.getContext());
      }
      NamedAttrList newAbi(abi);
      newAbi.set("args",
                 b.getArrayAttr(ArrayRef(entries).take_front(args.size())));
      newAbi.set("results",
                 b.getArrayAttr(ArrayRef(entries).drop_front(args.size())));
      func->setAttr(rev::kABIAttr, newAbi.getDictionary(module.getContext()));
    }
  }
};

} // namespace
