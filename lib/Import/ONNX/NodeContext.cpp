//===- NodeContext.cpp - what an ONNX op handler sees ---------------------===//
//
// The registry of op handlers (by op type and opset) and NodeContext, through
// which a handler reads its node's inputs and attributes and sets its
// outputs.
//
//===----------------------------------------------------------------------===//

#include "GraphImporter.h"

#include "rev/Dialect/Rev/IR/RevContract.h"
#include "rev/Dialect/Rev/IR/RevOps.h"

#include "mlir/IR/Diagnostics.h"

using namespace mlir;

namespace rev::onnx_import {

//===----------------------------------------------------------------------===//
// OpRegistry
//===----------------------------------------------------------------------===//

void OpRegistry::add(StringRef opType, int64_t sinceOpset, OpHandler handler) {
  auto &list = table[opType];
  list.emplace_back(sinceOpset, std::move(handler));
  llvm::sort(list, [](auto &a, auto &b) { return a.first < b.first; });
}

const OpHandler *OpRegistry::lookup(StringRef opType, int64_t opset) const {
  auto it = table.find(opType);
  if (it == table.end())
    return nullptr;
  const OpHandler *found = nullptr;
  for (auto &[since, handler] : it->second)
    if (since <= opset)
      found = &handler;
  return found;
}

const OpRegistry &getOpRegistry() {
  static const OpRegistry registry = [] {
    OpRegistry r;
    registerElementwiseOps(r);
    registerNNOps(r);
    registerShapeOps(r);
    registerDataMovementOps(r);
    registerReductionOps(r);
    return r;
  }();
  return registry;
}

//===----------------------------------------------------------------------===//
// NodeContext
//===----------------------------------------------------------------------===//

NodeContext::NodeContext(GraphImporter &importer, const onnx::NodeProto &node,
                         Location loc, int64_t opset)
    : importer(importer), nodeProto(node), location(loc), opsetVersion(opset),
      tb(importer.builder(), loc) {}

OpBuilder &NodeContext::builder() { return importer.builder(); }

std::string NodeContext::nodeName() const {
  if (auto name = dyn_cast<NameLoc>(location))
    return name.getName().str();
  return nodeProto.op_type();
}
MLIRContext *NodeContext::context() { return importer.context(); }

Tensor &NodeContext::input(unsigned i) {
  Tensor *t = importer.lookup(nodeProto.input(i));
  assert(t && "inputs are checked before the handler runs");
  return *t;
}

Value NodeContext::native(Tensor &t) { return importer.toNative(t); }
Value NodeContext::nhwc(Tensor &t) { return importer.toNHWC(t); }
Value NodeContext::native(unsigned i) { return native(input(i)); }
Value NodeContext::nhwc(unsigned i) { return nhwc(input(i)); }

FailureOr<const HostTensor *> NodeContext::constantInput(unsigned i,
                                                         StringRef role) {
  if (!hasInput(i)) {
    (void)fail("the " + role + " input is missing");
    return failure();
  }
  Tensor &t = input(i);
  if (!t.host) {
    (void)fail("the " + role + " input ('" + nodeProto.input(i) +
               "') must be a constant or computable from static shapes (one "
               "computed at run time is not supported)");
    return failure();
  }
  return &*t.host;
}

FailureOr<std::vector<int64_t>> NodeContext::intsInput(unsigned i,
                                                       StringRef role) {
  FailureOr<const HostTensor *> t = constantInput(i, role);
  if (failed(t))
    return failure();
  if ((*t)->isFloatKind()) {
    (void)fail("the " + role + " input must hold integers");
    return failure();
  }
  return (*t)->toInts();
}

bool NodeContext::outputUsed(unsigned i) const {
  return static_cast<int>(i) < nodeProto.output_size() &&
         !nodeProto.output(i).empty() && importer.isUsed(nodeProto.output(i));
}

void NodeContext::setOutput(unsigned i, Tensor t) {
  if (static_cast<int>(i) >= nodeProto.output_size() ||
      nodeProto.output(i).empty())
    return;
  importer.define(nodeProto.output(i), std::move(t));
}

void NodeContext::setOutput(unsigned i, Value v, ElemKind kind,
                            std::vector<int64_t> shape, Layout layout) {
  Tensor t;
  t.kind = kind;
  t.shape = std::move(shape);
  t.value = v;
  t.layout = layout;
  setOutput(i, std::move(t));
}

void NodeContext::addAuxResult(std::string name, Value value) {
  importer.addAuxResult(std::move(name), value);
}

Value NodeContext::auxResult(StringRef name) const {
  return importer.auxResult(name);
}

FailureOr<Value> NodeContext::randomStream() {
  Value seed = importer.dropoutSeed(location);
  if (!seed)
    return fail(Twine("a graph input is named '") + rev::kDropoutSeedName +
                "', the name of the seed argument that training-mode Dropout "
                "adds; rename the input");
  // At the top of the function: blocks that differ only in their streams
  // stay alike for rev-outline-segments.
  OpBuilder::InsertionGuard guard(builder());
  builder().setInsertionPointAfterValue(seed);
  return rev::RandomStreamOp::create(builder(), location, seed,
                                     importer.dropoutIndex(nodeProto))
      .getResult();
}

Value GraphImporter::dropoutSeed(Location loc) {
  if (seedArgument)
    return seedArgument;
  if (lookup(rev::kDropoutSeedName.str()))
    return nullptr;
  Block &entry = function.getBody().front();
  seedArgument =
      entry.addArgument(RankedTensorType::get({}, b.getI64Type()), loc);
  return seedArgument;
}

int64_t GraphImporter::dropoutIndex(const onnx::NodeProto &node) const {
  int64_t index = 0;
  for (const onnx::NodeProto &other : currentGraph->node()) {
    if (&other == &node)
      break;
    index += other.op_type() == "Dropout";
  }
  return index;
}

void NodeContext::setConstantOutput(unsigned i, HostTensor h) {
  Tensor t;
  t.kind = h.kind;
  t.shape = h.shape;
  t.host = std::move(h);
  t.foldable = true;
  setOutput(i, std::move(t));
}

const onnx::AttributeProto *NodeContext::attr(StringRef name) const {
  for (const auto &a : nodeProto.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

FailureOr<int64_t> NodeContext::intAttr(StringRef name,
                                        std::optional<int64_t> dflt) {
  const onnx::AttributeProto *a = attr(name);
  if (!a) {
    if (dflt)
      return *dflt;
    return fail("missing required attribute '" + name + "'");
  }
  if (a->type() != onnx::AttributeProto_AttributeType_INT)
    return fail("attribute '" + name + "' must be an integer");
  return a->i();
}

FailureOr<double> NodeContext::floatAttr(StringRef name,
                                         std::optional<double> dflt) {
  const onnx::AttributeProto *a = attr(name);
  if (!a) {
    if (dflt)
      return *dflt;
    return fail("missing required attribute '" + name + "'");
  }
  if (a->type() == onnx::AttributeProto_AttributeType_FLOAT)
    return static_cast<double>(a->f());
  if (a->type() == onnx::AttributeProto_AttributeType_INT)
    return static_cast<double>(a->i());
  return fail("attribute '" + name + "' must be a float");
}

FailureOr<std::string> NodeContext::stringAttr(StringRef name,
                                               std::optional<std::string> dflt) {
  const onnx::AttributeProto *a = attr(name);
  if (!a) {
    if (dflt)
      return *dflt;
    return fail("missing required attribute '" + name + "'");
  }
  if (a->type() != onnx::AttributeProto_AttributeType_STRING)
    return fail("attribute '" + name + "' must be a string");
  return a->s();
}

FailureOr<std::vector<int64_t>>
NodeContext::intsAttr(StringRef name,
                      std::optional<std::vector<int64_t>> dflt) {
  const onnx::AttributeProto *a = attr(name);
  if (!a) {
    if (dflt)
      return *dflt;
    return fail("missing required attribute '" + name + "'");
  }
  if (a->type() != onnx::AttributeProto_AttributeType_INTS)
    return fail("attribute '" + name + "' must be a list of integers");
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

FailureOr<std::vector<double>> NodeContext::floatsAttr(StringRef name) {
  const onnx::AttributeProto *a = attr(name);
  if (!a || a->type() != onnx::AttributeProto_AttributeType_FLOATS)
    return fail("attribute '" + name + "' must be a list of floats");
  return std::vector<double>(a->floats().begin(), a->floats().end());
}

FailureOr<int64_t> NodeContext::normalizeAxis(int64_t axis, int64_t rank,
                                              StringRef what) {
  if (axis < -rank || axis >= rank) // (no axis at all for rank 0)
    return fail(what + " " + std::to_string(axis) + " is out of range for rank " +
                std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

InFlightDiagnostic NodeContext::emitError() { return mlir::emitError(location); }

LogicalResult NodeContext::fail(const Twine &message) {
  emitError() << message;
  return failure();
}

bool NodeContext::unbiasedRunningVar() const {
  return importer.getOptions().unbiasedRunningVar;
}

Type NodeContext::elementType(ElemKind kind) {
  return importer.elementType(kind);
}

RankedTensorType NodeContext::tensorType(ArrayRef<int64_t> shape,
                                         ElemKind kind) {
  return RankedTensorType::get(shape, elementType(kind));
}

} // namespace rev::onnx_import
