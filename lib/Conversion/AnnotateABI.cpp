//===- AnnotateABI.cpp - record entry-point signatures --------------------===//

#include "rev/Conversion/Passes.h"
#include "rev/Dialect/Rev/IR/RevOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVANNOTATEABI
#include "rev/Conversion/Passes.h.inc"
} // namespace rev

namespace {

struct RevAnnotateABIPass
    : public rev::impl::RevAnnotateABIBase<RevAnnotateABIPass> {
  void runOnOperation() override {
    Builder b(&getContext());
    // The run-time checks' numbers and messages (module attribute rev.checks,
    // read with the signature).
    rev::numberRuntimeChecks(getOperation());
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (!func.isPublic() || func.isExternal() || func->hasAttr(rev::kABIAttr))
        continue;
      auto describe = [&](Type type, DictionaryAttr attrs, StringRef fallback,
                          SmallVectorImpl<Attribute> &out) -> bool {
        auto shaped = dyn_cast<ShapedType>(type);
        if (!shaped || !shaped.hasStaticShape())
          return false;
        StringAttr name;
        if (attrs)
          name = attrs.getAs<StringAttr>(rev::kNameAttr);
        if (!name)
          name = b.getStringAttr(fallback);
        // Keep only shape and element type: a tensor type says both.
        auto tensorType =
            RankedTensorType::get(shaped.getShape(), shaped.getElementType());
        out.push_back(b.getDictionaryAttr(
            {b.getNamedAttr("name", name),
             b.getNamedAttr("type", TypeAttr::get(tensorType))}));
        return true;
      };
      SmallVector<Attribute> args, results;
      bool ok = true;
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        ok &= describe(func.getArgumentTypes()[i], func.getArgAttrDict(i),
                       ("arg" + Twine(i)).str(), args);
      for (unsigned i = 0; i < func.getNumResults(); ++i)
        ok &= describe(func.getResultTypes()[i], func.getResultAttrDict(i),
                       ("result" + Twine(i)).str(), results);
      if (!ok) {
        func.emitRemark() << "@" << func.getName()
                          << " is not an entry point: its arguments and "
                             "results must be statically shaped tensors";
        continue;
      }
      // Each result gets a buffer of its own: bufferization would otherwise
      // return one buffer twice, or an argument's buffer, as a result that
      // the caller owns.
      Operation *ret = func.getBody().back().getTerminator();
      llvm::SmallPtrSet<Value, 8> seen;
      OpBuilder rb(ret);
      for (OpOperand &operand : ret->getOpOperands()) {
        Value v = operand.get();
        auto tensor = dyn_cast<RankedTensorType>(v.getType());
        if (!tensor)
          continue;
        if (seen.insert(v).second && !isa<BlockArgument>(v))
          continue;
        Value empty = tensor::EmptyOp::create(rb, ret->getLoc(),
                                              tensor.getShape(),
                                              tensor.getElementType());
        operand.set(linalg::CopyOp::create(rb, ret->getLoc(), v, empty)
                        .getResult(0));
      }
      func->setAttr(rev::kABIAttr,
                    b.getDictionaryAttr(
                        {b.getNamedAttr("args", b.getArrayAttr(args)),
                         b.getNamedAttr("results", b.getArrayAttr(results))}));
      func->setAttr("llvm.emit_c_interface", b.getUnitAttr());
      // The names now live in rev.abi; rev's argument attributes would only
      // draw warnings from the translation to LLVM IR.
      auto strip = [](DictionaryAttr attrs) -> DictionaryAttr {
        if (!attrs)
          return attrs;
        SmallVector<NamedAttribute> kept;
        for (NamedAttribute a : attrs)
          if (!a.getName().strref().starts_with("rev."))
            kept.push_back(a);
        return DictionaryAttr::get(attrs.getContext(), kept);
      };
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        func.setArgAttrs(i, strip(func.getArgAttrDict(i)));
      for (unsigned i = 0; i < func.getNumResults(); ++i)
        func.setResultAttrs(i, strip(func.getResultAttrDict(i)));
    }
  }
};

} // namespace
