//===- OutlineLoops.cpp - split large functions at loop nests -------------===//

#include "rev/Conversion/Passes.h"
#include "rev/Utils/Outline.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

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
      if (func.isExternal() || !func.getBody().hasOneBlock())
        continue;
      Block &body = func.getBody().front();
      auto isLoop = [](Operation &op) {
        return isa<scf::ForOp, scf::ParallelOp>(op);
      };
      unsigned counter = 0;
      if (llvm::count_if(body, isLoop) > loopsPerFunction)
        outlineRuns(func, isLoop, loopsPerFunction, symbols, counter);
      // What is left only calls the parts (or other functions: a training
      // step calls its forward and backward). On a deep model that is
      // thousands of calls with their memref descriptors in one block:
      // LLVM's optimizer and instruction selection cost seconds on it and
      // gain nothing, so it is compiled as is (optnone needs noinline), in
      // functions of `callsPerFunction` calls that can be compiled in
      // parallel. (Moving runs of calls, allocations and frees into
      // functions keeps their order: memory use does not change.)
      if (optimizeCallers || !isCallerOnly(body))
        continue;
      auto isCall = [](Operation &op) { return isa<func::CallOp>(op); };
      if (callsPerFunction > 0 &&
          llvm::count_if(body, isCall) > callsPerFunction)
        for (func::FuncOp run :
             outlineRuns(func, isCall, callsPerFunction, symbols, counter))
          addPassthrough(run, {"noinline", "optnone"});
      addPassthrough(func, {"noinline", "optnone"});
    }
  }

  /// Cuts the body of `func` into runs of ops holding `perRun` ops for which
  /// `counts` holds, and moves each run into a function of its own.
  /// Constants stay and are cloned into each part that uses them (moved into
  /// one part, they would reach the others as arguments, and LLVM would no
  /// longer see constant loop bounds).
  SmallVector<func::FuncOp>
  outlineRuns(func::FuncOp func, llvm::function_ref<bool(Operation &)> counts,
              unsigned perRun, SymbolTable &symbols, unsigned &counter) {
    SmallVector<SmallVector<Operation *>> runs(1);
    unsigned inRun = 0;
    for (Operation &op : func.getBody().front().without_terminator()) {
      if (op.hasTrait<OpTrait::ConstantLike>())
        continue;
      runs.back().push_back(&op);
      if (counts(op) && ++inRun == perRun) {
        runs.emplace_back();
        inRun = 0;
      }
    }
    SmallVector<func::FuncOp> outlined;
    for (auto &run : runs)
      if (!run.empty())
        outlined.push_back(outline(func, run, symbols, counter));
    return outlined;
  }

  /// Whether a function body only calls functions and manages buffers: no
  /// loops, loads, stores or arithmetic, nothing LLVM's optimizer speeds up.
  static bool isCallerOnly(Block &body) {
    bool calls = false;
    for (Operation &op : body) {
      if (isa<func::CallOp>(op)) {
        calls = true;
        continue;
      }
      if (op.hasTrait<OpTrait::ConstantLike>() || isa<func::ReturnOp>(op))
        continue;
      if (isa<memref::AllocOp, memref::DeallocOp, memref::SubViewOp,
              memref::CastOp, memref::ExpandShapeOp, memref::CollapseShapeOp,
              memref::ReinterpretCastOp, memref::CopyOp>(op))
        continue;
      return false;
    }
    return calls;
  }

  /// Adds LLVM function attributes (func-to-llvm passes `passthrough` on).
  static void addPassthrough(func::FuncOp fn, ArrayRef<StringRef> names) {
    Builder b(fn.getContext());
    SmallVector<Attribute> attrs;
    if (auto existing = fn->getAttrOfType<ArrayAttr>("passthrough"))
      attrs.append(existing.begin(), existing.end());
    for (StringRef name : names) {
      auto attr = b.getStringAttr(name);
      if (!llvm::is_contained(attrs, attr))
        attrs.push_back(attr);
    }
    fn->setAttr("passthrough", b.getArrayAttr(attrs));
  }

  /// Outlines `ops` into `<parent>_part<counter>`, marked noinline: LLVM
  /// must not inline the parts back into one large function.
  func::FuncOp outline(func::FuncOp parent, ArrayRef<Operation *> ops,
                       SymbolTable &symbols, unsigned &counter) {
    func::FuncOp fn = rev::outlineOps(
        parent, ops, (parent.getName() + "_part" + Twine(counter++)).str(),
        symbols);
    addPassthrough(fn, {"noinline"});
    return fn;
  }
};

} // namespace
