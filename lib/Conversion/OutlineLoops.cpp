//===- OutlineLoops.cpp - one function per top-level loop nest ------------===//

#include "rev/Conversion/Passes.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVOUTLINELOOPS
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

struct RevOutlineLoopsPass
    : public rev::impl::RevOutlineLoopsBase<RevOutlineLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
    for (func::FuncOp func : funcs) {
      if (func.isExternal())
        continue;
      SmallVector<Operation *> loops;
      for (Operation &op : func.getBody().front())
        if (isa<scf::ForOp, scf::ParallelOp>(op))
          loops.push_back(&op);
      unsigned counter = 0;
      for (Operation *loop : loops)
        if (failed(outline(func, loop, symbols, counter)))
          return signalPassFailure();
    }
  }

  LogicalResult outline(func::FuncOp parent, Operation *loop,
                        SymbolTable &symbols, unsigned &counter) {
    unsigned size = 0;
    loop->walk([&](Operation *) { ++size; });
    if (size < minOps)
      return success();
    // Values from above: constants are cloned, the rest passed.
    llvm::SetVector<Value> captured;
    getUsedValuesDefinedAbove(loop->getRegions(), captured);
    for (Value operand : loop->getOperands())
      captured.insert(operand);
    SmallVector<Value> args;
    SmallVector<Operation *> constants;
    for (Value v : captured) {
      Operation *def = v.getDefiningOp();
      if (def && def->hasTrait<OpTrait::ConstantLike>())
        constants.push_back(def);
      else
        args.push_back(v);
    }
    OpBuilder b(parent);
    std::string name =
        (parent.getName() + "_loop" + Twine(counter++)).str();
    auto fnType = b.getFunctionType(ValueRange(args).getTypes(),
                                    loop->getResultTypes());
    auto fn = func::FuncOp::create(b, loop->getLoc(), name, fnType);
    fn.setPrivate();
    // LLVM must not inline them back into one large function.
    fn->setAttr("passthrough", b.getArrayAttr({b.getStringAttr("noinline")}));
    Block *entry = fn.addEntryBlock();
    OpBuilder fb = OpBuilder::atBlockBegin(entry);
    IRMapping mapping;
    for (auto [v, arg] : llvm::zip(args, entry->getArguments()))
      mapping.map(v, arg);
    for (Operation *c : constants)
      fb.clone(*c, mapping);
    Operation *clone = fb.clone(*loop, mapping);
    func::ReturnOp::create(fb, loop->getLoc(), clone->getResults());
    symbols.insert(fn);
    OpBuilder cb(loop);
    auto call = func::CallOp::create(cb, loop->getLoc(), fn, args);
    loop->replaceAllUsesWith(call.getResults());
    loop->erase();
    return success();
  }
};

} // namespace
