//===- RevContract.cpp - the IR contract between rev's passes -------------===//

#include "rev/Dialect/Rev/IR/RevContract.h"

#include "mlir/IR/Builders.h"

using namespace mlir;

namespace rev {

StringAttr nameOf(DictionaryAttr attrs) {
  return attrs ? attrs.getAs<StringAttr>(kNameAttr) : StringAttr();
}

NamedAttribute nameAttr(MLIRContext *ctx, StringRef name) {
  return NamedAttribute(StringAttr::get(ctx, kNameAttr),
                        StringAttr::get(ctx, name));
}

DictionaryAttr namedAttrs(MLIRContext *ctx, StringRef name) {
  return DictionaryAttr::get(ctx, {nameAttr(ctx, name)});
}

std::string gradName(StringRef name) { return (kGradPrefix + name).str(); }

std::string tapeName(unsigned index) {
  return (kTapePrefix + llvm::Twine(index)).str();
}

bool isTapeName(StringRef name) { return name.starts_with(kTapePrefix); }

bool isRunningStatName(StringRef name) {
  return name.starts_with(kRunningMeanPrefix) ||
         name.starts_with(kRunningVarPrefix);
}

bool isParam(FunctionOpInterface fn, unsigned i) {
  return static_cast<bool>(fn.getArgAttr(i, kParamAttr));
}

bool isDropoutSeed(FunctionOpInterface fn, unsigned i) {
  StringAttr name = nameOf(fn.getArgAttrDict(i));
  return name && name.getValue() == kDropoutSeedName;
}

bool isUntrainable(FunctionOpInterface fn, unsigned i) {
  auto trainable = fn.getArgAttrOfType<BoolAttr>(i, kTrainableAttr);
  return trainable && !trainable.getValue();
}

void setResults(FunctionOpInterface fn, TypeRange types,
                ArrayRef<DictionaryAttr> attrs) {
  fn.setType(FunctionType::get(fn->getContext(), fn.getArgumentTypes(), types));
  fn.setAllResultAttrs(attrs);
}

} // namespace rev
