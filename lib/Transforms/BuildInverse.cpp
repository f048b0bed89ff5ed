//===- BuildInverse.cpp - build the inverse of an invertible function -----===//

#include "rev/Interfaces/InvertibleOpInterface.h"
#include "rev/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVBUILDINVERSE
#include "rev/Transforms/Passes.h.inc"
} // namespace rev

namespace {

/// Why a function could not be inverted, reported as an error when the user
/// asked for that function and as a remark otherwise.
struct InversionFailure {
  Location loc;
  std::string message;
};

/// Builds `@<name>_inverse` for one function. The inverse is built in a
/// function whose arguments are the original results followed by
/// placeholders for every original argument (for the ones read as context);
/// unused placeholders are dropped at the end.
class InverseBuilder {
public:
  InverseBuilder(func::FuncOp func) : func(func) {}

  FailureOr<func::FuncOp> build(std::optional<InversionFailure> &why);

private:
  /// Makes the forward value `v`, which must be context (a constant, an
  /// argument, or a pure computation of those), available in the inverse.
  LogicalResult materializeContext(Value v, OpBuilder &b);
  /// Recovers `v` from the slices that partition it, if they are all known.
  void tryRecoverFromPartition(Value v, OpBuilder &b);
  LogicalResult invertOp(Operation *op, OpBuilder &b);
  LogicalResult fail(Location loc, const Twine &message) {
    failure = InversionFailure{loc, message.str()};
    return mlir::failure();
  }

  func::FuncOp func;
  func::FuncOp inverse;
  unsigned numResults = 0;
  /// Forward value -> value in the inverse.
  IRMapping mapping;
  /// Forward values that the inverse reads as they are (not reconstructed).
  llvm::DenseSet<Value> context;
  std::optional<InversionFailure> failure;
};

LogicalResult InverseBuilder::materializeContext(Value v, OpBuilder &b) {
  if (mapping.contains(v))
    return success();
  if (auto arg = dyn_cast<BlockArgument>(v)) {
    if (arg.getOwner() != &func.getBody().front())
      return fail(arg.getLoc(), "a region argument is used as context");
    mapping.map(v, inverse.getArgument(numResults + arg.getArgNumber()));
    context.insert(v);
    return success();
  }
  Operation *def = v.getDefiningOp();
  if (!isPure(def) || def->getNumRegions() != 0)
    return fail(def->getLoc(),
                Twine("'") + def->getName().getStringRef() +
                    "' is used as context by an inverse but is not a pure "
                    "computation of constants and arguments");
  for (Value operand : def->getOperands())
    if (failed(materializeContext(operand, b)))
      return mlir::failure();
  b.clone(*def, mapping);
  context.insert(def->result_begin(), def->result_end());
  return success();
}

void InverseBuilder::tryRecoverFromPartition(Value v, OpBuilder &b) {
  if (mapping.contains(v))
    return;
  FailureOr<rev::SlicePartition> partition = rev::findSlicePartition(v);
  if (failed(partition))
    return;
  SmallVector<Value> pieces;
  for (Operation *slice : partition->slices) {
    if (!mapping.contains(slice->getResult(0)))
      return;
    pieces.push_back(mapping.lookup(slice->getResult(0)));
  }
  mapping.map(v, rev::buildPartitionInverse(b, v.getLoc(), *partition, pieces));
}

LogicalResult InverseBuilder::invertOp(Operation *op, OpBuilder &b) {
  for (Value result : op->getResults())
    tryRecoverFromPartition(result, b);

  // Ops that only compute context (constants, shapes, transposed weights)
  // are cloned on demand by materializeContext.
  bool anyResultNeeded = llvm::any_of(op->getResults(), [&](Value r) {
    return mapping.contains(r) && !context.contains(r);
  });
  if (!anyResultNeeded) {
    if (isPure(op) && op->getNumRegions() == 0)
      return success();
    return fail(op->getLoc(), Twine("'") + op->getName().getStringRef() +
                                  "' has results that no inverse can see");
  }
  if (isa<tosa::SliceOp>(op))
    return success(); // inverted jointly by tryRecoverFromPartition

  auto invertible = dyn_cast<rev::InvertibleOpInterface>(op);
  if (!invertible)
    return fail(op->getLoc(), Twine("'") + op->getName().getStringRef() +
                                  "' is not invertible (it does not "
                                  "implement InvertibleOpInterface)");
  SmallVector<unsigned> inverted = invertible.getInvertedOperands();
  if (inverted.empty())
    return fail(op->getLoc(),
                Twine("'") + op->getName().getStringRef() +
                    "' is not invertible here" +
                    (rev::isSquareChannelMatrix(op)
                         ? " (a square 1x1 convolution by a learned matrix: "
                           "rev-invert-matrices allows inverting it)"
                         : ""));
  SmallVector<Value> results;
  for (auto [i, r] : llvm::enumerate(op->getResults())) {
    if (!mapping.contains(r))
      return fail(op->getLoc(), "result #" + Twine(i) + " of '" +
                                    op->getName().getStringRef() +
                                    "' is not recoverable (it does not "
                                    "reach the function's results)");
    results.push_back(mapping.lookup(r));
  }
  // Everything the op reads besides its inverted operands is context.
  for (auto [i, operand] : llvm::enumerate(op->getOperands()))
    if (!llvm::is_contained(inverted, i) &&
        failed(materializeContext(operand, b)))
      return mlir::failure();
  llvm::SetVector<Value> captured;
  getUsedValuesDefinedAbove(op->getRegions(), captured);
  for (Value v : captured)
    if (failed(materializeContext(v, b)))
      return mlir::failure();

  FailureOr<SmallVector<Value>> inputs =
      invertible.buildInverse(b, results, mapping);
  if (failed(inputs))
    return fail(op->getLoc(), "building the inverse failed");
  for (auto [idx, value] : llvm::zip_equal(inverted, *inputs)) {
    Value operand = op->getOperand(idx);
    // A value an inverse reads as it is cannot also be the one recovered
    // (a weight computed from the data, x * f(x)): the inverse would need
    // what it computes.
    if (context.contains(operand))
      return fail(op->getLoc(),
                  Twine("'") + op->getName().getStringRef() +
                      "' recovers operand #" + Twine(idx) +
                      ", which an inverse also reads as context (it "
                      "depends on the data it would recover)");
    if (!mapping.contains(operand))
      mapping.map(operand, value);
  }
  return success();
}

FailureOr<func::FuncOp>
InverseBuilder::build(std::optional<InversionFailure> &why) {
  OpBuilder b(func);
  b.setInsertionPointAfter(func);
  FunctionType type = func.getFunctionType();
  numResults = type.getNumResults();
  SmallVector<Type> argTypes(type.getResults());
  llvm::append_range(argTypes, type.getInputs());
  inverse = func::FuncOp::create(
      b, func.getLoc(), (func.getName() + "_inverse").str(),
      b.getFunctionType(argTypes, {}));
  inverse.setVisibility(func.getVisibility());
  Block *entry = inverse.addEntryBlock();
  b.setInsertionPointToStart(entry);

  auto cleanup = [&]() -> FailureOr<func::FuncOp> {
    inverse.erase();
    why = failure;
    return mlir::failure();
  };

  Operation *ret = func.getBody().front().getTerminator();
  for (auto [i, v] : llvm::enumerate(ret->getOperands())) {
    if (mapping.contains(v))
      continue; // the same value returned twice: the first copy is used
    mapping.map(v, entry->getArgument(i));
  }
  for (Operation &op :
       llvm::reverse(func.getBody().front().without_terminator()))
    if (failed(invertOp(&op, b)))
      return cleanup();

  SmallVector<Value> outputs;
  SmallVector<unsigned> dataArgs;
  for (BlockArgument arg : func.getArguments()) {
    tryRecoverFromPartition(arg, b);
    if (mapping.contains(arg) && !context.contains(arg)) {
      outputs.push_back(mapping.lookup(arg));
      dataArgs.push_back(arg.getArgNumber());
    } else if (!mapping.contains(arg) && !arg.use_empty()) {
      failure = InversionFailure{
          func.getLoc(), "argument #" + std::to_string(arg.getArgNumber()) +
                             " cannot be recovered from the results"};
      return cleanup();
    }
  }
  func::ReturnOp::create(b, func.getLoc(), outputs);

  // Signature: results, then the arguments read as context.
  llvm::BitVector unused(entry->getNumArguments());
  for (unsigned i = numResults; i < entry->getNumArguments(); ++i)
    if (entry->getArgument(i).use_empty())
      unused.set(i);
  SmallVector<Type> resultTypes;
  for (Value v : outputs)
    resultTypes.push_back(v.getType());
  inverse.setType(b.getFunctionType(argTypes, resultTypes));
  for (unsigned i = 0; i < numResults; ++i)
    inverse.setArgAttrs(i, func.getResultAttrDict(i));
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
    inverse.setArgAttrs(numResults + i, func.getArgAttrDict(i));
  for (auto [i, argNo] : llvm::enumerate(dataArgs))
    inverse.setResultAttrs(i, func.getArgAttrDict(argNo));
  if (failed(inverse.eraseArguments(unused)))
    return cleanup();
  return inverse;
}

struct RevBuildInversePass
    : public rev::impl::RevBuildInverseBase<RevBuildInversePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> targets;
    bool explicitList = !functions.empty();
    if (explicitList) {
      for (const std::string &name : functions) {
        auto func = symbols.lookup<func::FuncOp>(name);
        if (!func) {
          module.emitError() << "rev-build-inverse: no function named @"
                             << name;
          return signalPassFailure();
        }
        targets.push_back(func);
      }
    } else {
      for (auto func : module.getOps<func::FuncOp>())
        if (func.isPublic() && !func.isExternal() &&
            !func.getName().ends_with("_inverse"))
          targets.push_back(func);
    }

    for (func::FuncOp func : targets) {
      std::string name = (func.getName() + "_inverse").str();
      // A declaration of the inverse (so that other code can call it before
      // it exists) is replaced by the definition; anything else is a clash.
      Operation *existing = symbols.lookup(name);
      auto declaration = dyn_cast_or_null<func::FuncOp>(existing);
      if (existing && !(declaration && declaration.isExternal())) {
        func.emitError() << "cannot build @" << name
                         << ": a symbol of that name exists";
        return signalPassFailure();
      }
      std::optional<InversionFailure> why;
      InverseBuilder builder(func);
      FailureOr<func::FuncOp> inverse = builder.build(why);
      if (succeeded(inverse)) {
        if (declaration) {
          if (declaration.getFunctionType() != inverse->getFunctionType()) {
            declaration.emitError()
                << "the declaration of @" << name << " has type "
                << declaration.getFunctionType() << ", but the inverse has "
                << inverse->getFunctionType();
            inverse->erase();
            return signalPassFailure();
          }
          inverse->setVisibility(declaration.getVisibility());
          symbols.erase(declaration);
        }
        symbols.insert(*inverse);
        continue;
      }
      if (explicitList) {
        emitError(why->loc) << "cannot invert @" << func.getName() << ": "
                            << why->message;
        return signalPassFailure();
      }
      emitRemark(why->loc) << "@" << func.getName()
                           << " is not inverted: " << why->message;
    }
  }
};

} // namespace
