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
        if (!rev::onlyKernelsTouchThroughCalls(module, arg, known))
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
