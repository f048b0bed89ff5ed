//===- DropUnusedArguments.cpp - pass private functions what they read ----===//

#include "rev/Conversion/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseMap.h"

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVDROPUNUSEDARGUMENTS
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

/// Replaces each extractvalue of an insertvalue chain by the value inserted
/// at its position (the op's folder).
void foldExtracts(ModuleOp module) {
  SmallVector<LLVM::ExtractValueOp> extracts;
  module.walk([&](LLVM::ExtractValueOp op) { extracts.push_back(op); });
  SmallVector<OpFoldResult, 1> folded;
  for (LLVM::ExtractValueOp op : extracts) {
    folded.clear();
    if (failed(op->fold(folded)) || folded.size() != 1)
      continue;
    auto value = dyn_cast<Value>(folded.front());
    if (!value || value == op.getResult())
      continue; // (a constant, or an in-place update of the container)
    op.getResult().replaceAllUsesWith(value);
    op.erase();
  }
}

/// Replaces each load of a struct (a descriptor a C interface wrapper reads
/// through its pointer) whose users only extract fields by loads of those
/// fields: instruction selection splits an aggregate load into every field
/// whether used or not.
void splitStructLoads(ModuleOp module) {
  SmallVector<LLVM::LoadOp> loads;
  module.walk([&](LLVM::LoadOp load) {
    if (isa<LLVM::LLVMStructType>(load.getType()) && !load.getVolatile_() &&
        load.getOrdering() == LLVM::AtomicOrdering::not_atomic &&
        llvm::all_of(load->getUsers(), [](Operation *user) {
          return isa<LLVM::ExtractValueOp>(user);
        }))
      loads.push_back(load);
  });
  OpBuilder b(module.getContext());
  for (LLVM::LoadOp load : loads) {
    auto ptrType = LLVM::LLVMPointerType::get(module.getContext());
    for (Operation *user : llvm::make_early_inc_range(load->getUsers())) {
      auto extract = cast<LLVM::ExtractValueOp>(user);
      b.setInsertionPoint(extract);
      SmallVector<LLVM::GEPArg> indices = {0};
      for (int64_t i : extract.getPosition())
        indices.push_back(int32_t(i));
      Value field =
          LLVM::GEPOp::create(b, extract.getLoc(), ptrType, load.getType(),
                              load.getAddr(), indices);
      Value value =
          LLVM::LoadOp::create(b, extract.getLoc(), extract.getType(), field);
      extract.getResult().replaceAllUsesWith(value);
      extract.erase();
    }
    load.erase();
  }
}

/// Erases the side-effect-free ops left without uses in `region`, last
/// first, so that a chain of them goes in one sweep.
void eraseDeadOps(Region &region) {
  for (Block &block : region)
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(block))) {
      for (Region &nested : op.getRegions())
        eraseDeadOps(nested);
      if (isOpTriviallyDead(&op))
        op.erase();
    }
}

/// Whether only this module can call `f` (func-to-llvm keeps a private
/// func.func's `llvm.linkage`, not its visibility).
bool isModuleLocal(LLVM::LLVMFuncOp f) {
  return f.isPrivate() || f.getLinkage() == LLVM::Linkage::Internal ||
         f.getLinkage() == LLVM::Linkage::Private;
}

/// `call` of `f` without the operands `unused` marks.
LLVM::CallOp dropOperands(OpBuilder &builder, LLVM::CallOp call,
                          LLVM::LLVMFuncOp f, const llvm::BitVector &unused) {
  SmallVector<Value> operands;
  for (auto [i, operand] : llvm::enumerate(call.getArgOperands()))
    if (!unused.test(i))
      operands.push_back(operand);
  builder.setInsertionPoint(call);
  auto replacement = LLVM::CallOp::create(builder, call.getLoc(), f, operands);
  // (the call's own attributes, fastmath flags say; not its arguments')
  for (NamedAttribute attr : call->getDiscardableAttrs())
    replacement->setAttr(attr.getName(), attr.getValue());
  call.replaceAllUsesWith(replacement.getResults());
  call.erase();
  return replacement;
}

/// Removes the arguments `unused` marks from `f` (its type, entry block and
/// argument attributes).
void eraseArguments(LLVM::LLVMFuncOp f, const llvm::BitVector &unused) {
  LLVM::LLVMFunctionType type = f.getFunctionType();
  SmallVector<Type> params;
  SmallVector<Attribute> argAttrs;
  ArrayAttr oldAttrs = f.getArgAttrsAttr();
  for (auto [i, param] : llvm::enumerate(type.getParams()))
    if (!unused.test(i)) {
      params.push_back(param);
      if (oldAttrs)
        argAttrs.push_back(oldAttrs[i]);
    }
  f.setFunctionType(LLVM::LLVMFunctionType::get(type.getReturnType(), params,
                                                type.isVarArg()));
  if (oldAttrs)
    f.setArgAttrsAttr(ArrayAttr::get(f.getContext(), argAttrs));
  f.getBody().front().eraseArguments(unused);
}

struct RevDropUnusedArgumentsPass
    : public rev::impl::RevDropUnusedArgumentsBase<RevDropUnusedArgumentsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (!keepEntrySymbols)
      for (auto f : module.getOps<LLVM::LLVMFuncOp>())
        if (!f.isExternal() &&
            f->hasAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName()) &&
            !f.getName().starts_with("_mlir_ciface_") &&
            module.lookupSymbol(("_mlir_ciface_" + f.getName()).str()))
          f.setLinkage(LLVM::Linkage::Internal);
    foldExtracts(module);

    // The direct calls of each private function; a function whose symbol is
    // used otherwise (its address taken) is left alone.
    llvm::DenseMap<Operation *, SmallVector<LLVM::CallOp>> calls;
    llvm::DenseSet<Operation *> pinned;
    SymbolTable symbols(module);
    if (auto uses = SymbolTable::getSymbolUses(&module.getBodyRegion()))
      for (const SymbolTable::SymbolUse &use : *uses) {
        Operation *target =
            symbols.lookup(use.getSymbolRef().getRootReference());
        if (!target)
          continue;
        auto call = dyn_cast<LLVM::CallOp>(use.getUser());
        if (call && call.getCalleeAttr() == use.getSymbolRef() &&
            call.getOpBundleOperands().empty())
          calls[target].push_back(call);
        else
          pinned.insert(target);
      }

    // Callees first would need the call graph; sweeping until nothing
    // changes costs a few sweeps (the depth of the calls: a step, its
    // segments, their loops).
    OpBuilder builder(module.getContext());
    for (bool changed = true; changed;) {
      changed = false;
      for (auto f : module.getOps<LLVM::LLVMFuncOp>()) {
        if (f.isExternal())
          continue;
        eraseDeadOps(f.getBody());
        if (!isModuleLocal(f) || pinned.contains(f) ||
            f.getFunctionType().isVarArg())
          continue;
        llvm::BitVector unused(f.getNumArguments());
        for (BlockArgument arg : f.getArguments())
          if (arg.use_empty())
            unused.set(arg.getArgNumber());
        if (unused.none())
          continue;
        SmallVector<LLVM::CallOp> &sites = calls[f];
        for (LLVM::CallOp &call : sites)
          call = dropOperands(builder, call, f, unused);
        eraseArguments(f, unused);
        changed = true;
      }
    }
    splitStructLoads(module);
  }
};

} // namespace
