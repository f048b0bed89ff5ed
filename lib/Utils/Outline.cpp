//===- Outline.cpp - move a run of ops into a function --------------------===//

#include "rev/Utils/Outline.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace mlir;

namespace rev {

func::FuncOp outlineOps(func::FuncOp parent, ArrayRef<Operation *> ops,
                        StringRef name, SymbolTable &symbols) {
  llvm::SmallPtrSet<Operation *, 32> inside(ops.begin(), ops.end());
  auto isInside = [&](Operation *op) {
    while (op && !inside.contains(op))
      op = op->getParentOp() == parent ? nullptr : op->getParentOp();
    return op != nullptr;
  };
  llvm::SetVector<Value> args;
  SmallVector<Operation *> constants;
  llvm::SmallPtrSet<Operation *, 8> seenConstants;
  for (Operation *op : ops)
    op->walk([&](Operation *nested) {
      for (Value v : nested->getOperands()) {
        Operation *def = v.getDefiningOp();
        if (def ? isInside(def)
                : isInside(cast<BlockArgument>(v).getOwner()->getParentOp()))
          continue;
        if (def && def->hasTrait<OpTrait::ConstantLike>()) {
          if (seenConstants.insert(def).second)
            constants.push_back(def);
          continue;
        }
        args.insert(v);
      }
    });
  SmallVector<Value> results;
  for (Operation *op : ops)
    for (Value r : op->getResults())
      if (llvm::any_of(r.getUsers(),
                       [&](Operation *u) { return !isInside(u); }))
        results.push_back(r);

  OpBuilder b(parent);
  auto fn = func::FuncOp::create(
      b, ops.front()->getLoc(), name,
      b.getFunctionType(ValueRange(args.getArrayRef()).getTypes(),
                        ValueRange(results).getTypes()));
  fn.setPrivate();
  // (and internal to the module once it is LLVM: func-to-llvm drops the
  // symbol's visibility, this attribute it keeps)
  fn->setAttr("llvm.linkage",
              LLVM::LinkageAttr::get(b.getContext(), LLVM::Linkage::Internal));
  Block *entry = fn.addEntryBlock();
  OpBuilder fb = OpBuilder::atBlockBegin(entry);
  IRMapping mapping;
  for (auto [v, arg] : llvm::zip(args, entry->getArguments()))
    mapping.map(v, arg);
  for (Operation *c : constants)
    fb.clone(*c, mapping);
  for (Operation *op : ops)
    fb.clone(*op, mapping);
  SmallVector<Value> returned;
  for (Value r : results)
    returned.push_back(mapping.lookup(r));
  func::ReturnOp::create(fb, ops.front()->getLoc(), returned);
  symbols.insert(fn);

  OpBuilder cb(ops.front());
  auto call =
      func::CallOp::create(cb, ops.front()->getLoc(), fn, args.getArrayRef());
  for (auto [r, c] : llvm::zip(results, call.getResults()))
    r.replaceAllUsesWith(c);
  for (Operation *op : llvm::reverse(ops))
    op->erase();
  return fn;
}

} // namespace rev
