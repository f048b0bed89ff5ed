//===- RevDialect.cpp - rev dialect ---------------------------------------===//

#include "rev/Dialect/Rev/IR/RevDialect.h"
#include "rev/Dialect/Rev/IR/RevContract.h"
#include "rev/Dialect/Rev/IR/RevOps.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/InliningUtils.h"

using namespace mlir;
using namespace rev;

#include "rev/Dialect/Rev/IR/RevDialect.cpp.inc"

namespace {
/// Every rev op may be inlined: none refers to its enclosing function (the
/// couplings' regions are isolated bodies ending in rev.yield, never a
/// function's terminator), so a call of a function holding rev ops can be
/// replaced by its body.
struct RevInlinerInterface : public DialectInlinerInterface {
  using DialectInlinerInterface::DialectInlinerInterface;
  bool isLegalToInline(Operation *, Operation *, bool) const final {
    return true;
  }
  bool isLegalToInline(Operation *, Region *, bool, IRMapping &) const final {
    return true;
  }
  bool isLegalToInline(Region *, Region *, bool, IRMapping &) const final {
    return true;
  }
};
} // namespace

void RevDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "rev/Dialect/Rev/IR/RevOps.cpp.inc"
      >();
  addInterfaces<RevInlinerInterface>();
}

//===----------------------------------------------------------------------===//
// The IR contract (RevContract.h)
//===----------------------------------------------------------------------===//

/// One `rev.abi` list: dictionaries with a string `name`, a `type` and an
/// optional bool `device`.
static LogicalResult verifyABIList(Operation *op, DictionaryAttr abi,
                                   StringRef key) {
  auto list = abi.getAs<ArrayAttr>(key);
  if (!list)
    return op->emitError() << "'" << kABIAttr << "' needs an array '" << key
                           << "'";
  for (auto [i, entry] : llvm::enumerate(list)) {
    auto dict = dyn_cast<DictionaryAttr>(entry);
    if (!dict || !dict.getAs<StringAttr>("name") ||
        !dict.getAs<TypeAttr>("type") ||
        (dict.get("device") && !dict.getAs<BoolAttr>("device")))
      return op->emitError()
             << "'" << kABIAttr << "' " << key << " #" << i
             << " must be {name = string, type = type[, device = bool]}";
  }
  return success();
}

LogicalResult RevDialect::verifyOperationAttribute(Operation *op,
                                                   NamedAttribute attr) {
  StringRef name = attr.getName().strref();
  Attribute value = attr.getValue();
  if (name == kBackwardAttr || name == kForwardAttr) {
    if (!isa<FunctionOpInterface>(op))
      return op->emitError() << "'" << name << "' belongs on a function";
    if (!isa<FlatSymbolRefAttr>(value))
      return op->emitError()
             << "'" << name << "' must name a function (@symbol)";
    return success();
  }
  if (name == kABIAttr) {
    auto abi = dyn_cast<DictionaryAttr>(value);
    if (!isa<FunctionOpInterface>(op) || !abi)
      return op->emitError()
             << "'" << name << "' must be a dictionary on a function";
    return success(succeeded(verifyABIList(op, abi, "args")) &&
                   succeeded(verifyABIList(op, abi, "results")));
  }
  if (name == kChecksAttr) {
    auto list = dyn_cast<ArrayAttr>(value);
    if (!isa<ModuleOp>(op) || !list ||
        !llvm::all_of(list, [](Attribute a) { return isa<StringAttr>(a); }))
      return op->emitError()
             << "'" << name << "' must be an array of strings on a module";
    return success();
  }
  if (name == kCheckIdAttr && !isa<IntegerAttr>(value))
    return op->emitError() << "'" << name << "' must be an integer";
  if (name == kStoreAttr &&
      (!isa<CouplingOp, AffineCouplingOp>(op) || !isa<UnitAttr>(value)))
    return op->emitError() << "'" << name
                           << "' is a unit attribute of a coupling";
  if (name == kMemoryPlanAttr) {
    auto plan = dyn_cast<DictionaryAttr>(value);
    if (!isa<FunctionOpInterface>(op) || !plan ||
        !llvm::all_of(plan, [](NamedAttribute a) {
          return isa<IntegerAttr>(a.getValue());
        }))
      return op->emitError() << "'" << name
                             << "' must be a dictionary of integers on a "
                                "function";
  }
  // Contract attributes of arguments and results do not belong on ops.
  if (name == kNameAttr || name == kParamAttr || name == kTrainableAttr ||
      name == kKeptBecauseAttr)
    return op->emitError() << "'" << name
                           << "' belongs on a function's arguments or "
                              "results, not on an operation";
  return success();
}

/// rev.name: a non-empty string.
static LogicalResult verifyName(Operation *op, NamedAttribute attr,
                                StringRef what, unsigned index) {
  auto name = dyn_cast<StringAttr>(attr.getValue());
  if (!name || name.getValue().empty())
    return op->emitError() << "'" << kNameAttr << "' of " << what << " #"
                           << index << " must be a non-empty string";
  return success();
}

LogicalResult RevDialect::verifyRegionArgAttribute(Operation *op, unsigned,
                                                   unsigned argIndex,
                                                   NamedAttribute attr) {
  StringRef name = attr.getName().strref();
  if (name == kNameAttr)
    return verifyName(op, attr, "argument", argIndex);
  if (name == kParamAttr && !isa<UnitAttr>(attr.getValue()))
    return op->emitError() << "'" << name << "' of argument #" << argIndex
                           << " takes no value (a unit attribute)";
  if (name == kTrainableAttr && !isa<BoolAttr>(attr.getValue()))
    return op->emitError() << "'" << name << "' of argument #" << argIndex
                           << " must be true or false";
  if (name == kKeptBecauseAttr)
    return op->emitError() << "'" << name
                           << "' belongs on results, not on argument #"
                           << argIndex;
  return success();
}

LogicalResult RevDialect::verifyRegionResultAttribute(Operation *op, unsigned,
                                                      unsigned resultIndex,
                                                      NamedAttribute attr) {
  StringRef name = attr.getName().strref();
  if (name == kNameAttr)
    return verifyName(op, attr, "result", resultIndex);
  if (name == kParamAttr || name == kTrainableAttr)
    return op->emitError() << "'" << name
                           << "' belongs on arguments, not on result #"
                           << resultIndex;
  if (name == kKeptBecauseAttr) {
    auto why = dyn_cast<StringAttr>(attr.getValue());
    if (!why || why.getValue().empty())
      return op->emitError() << "'" << name << "' of result #" << resultIndex
                             << " must be a non-empty string";
  }
  return success();
}
