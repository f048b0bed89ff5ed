//===- GraphImporter.cpp - ONNX graph to TOSA -----------------------------===//

#include "GraphImporter.h"

#include "rev/Dialect/Rev/IR/RevContract.h"
#include "rev/Dialect/Rev/IR/RevDialect.h"
#include "rev/Utils/TypeUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

#include <onnx/defs/parser.h>
#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>
#include <onnx/version_converter/convert.h>

#include <deque>

using namespace mlir;

namespace rev::onnx_import {

//===----------------------------------------------------------------------===//
// GraphImporter
//===----------------------------------------------------------------------===//

GraphImporter::GraphImporter(MLIRContext *context, StringRef filename,
                             const ONNXImportOptions &options)
    : ctx(context), filename(filename.str()), options(options), b(context) {}

Location GraphImporter::fileLoc() {
  return NameLoc::get(StringAttr::get(ctx, filename));
}

Location GraphImporter::nodeLoc(const onnx::NodeProto &node, int index) {
  std::string name = node.name().empty() ? "#" + std::to_string(index)
                                         : node.name();
  return NameLoc::get(StringAttr::get(ctx, name + " (" + node.op_type() + ")"),
                      fileLoc());
}

Type GraphImporter::elementType(ElemKind kind) {
  switch (kind) {
  case ElemKind::F32:
    return b.getF32Type();
  case ElemKind::F64:
    return b.getF64Type();
  case ElemKind::I64:
    return b.getI64Type();
  case ElemKind::I32:
    return b.getI32Type();
  case ElemKind::Bool:
    return b.getI1Type();
  }
  return {};
}

Tensor *GraphImporter::lookup(const std::string &name) {
  auto it = values.find(name);
  return it == values.end() ? nullptr : &it->second;
}

void GraphImporter::define(const std::string &name, Tensor t) {
  values[name] = std::move(t);
}

static DenseElementsAttr hostToAttr(const HostTensor &h, RankedTensorType type) {
  switch (h.kind) {
  case ElemKind::F32: {
    std::vector<float> v(h.f.begin(), h.f.end());
    return DenseElementsAttr::get(type, llvm::ArrayRef(v));
  }
  case ElemKind::F64:
    return DenseElementsAttr::get(type, llvm::ArrayRef(h.f));
  case ElemKind::I64:
    return DenseElementsAttr::get(type, llvm::ArrayRef(h.i));
  case ElemKind::I32: {
    std::vector<int32_t> v(h.i.begin(), h.i.end());
    return DenseElementsAttr::get(type, llvm::ArrayRef(v));
  }
  case ElemKind::Bool: {
    SmallVector<bool> v(h.i.begin(), h.i.end());
    return DenseElementsAttr::get(type, llvm::ArrayRef(v));
  }
  }
  return {};
}

Value GraphImporter::materialize(Tensor &t) {
  if (t.value)
    return t.value;
  assert(t.host && "a tensor without a value must be a host constant");
  auto type = RankedTensorType::get(t.shape, elementType(t.kind));
  t.value = tosa::ConstOp::create(b, b.getUnknownLoc(), type,
                                  hostToAttr(*t.host, type));
  t.layout = Layout::Native;
  return t.value;
}

/// True if permuting `shape` by `perm` only moves dims of size 1, so the
/// permutation is a reshape (no data movement).
static bool permutationIsReshape(ArrayRef<int64_t> shape,
                                 ArrayRef<int32_t> perm) {
  int64_t last = -1;
  for (int32_t p : perm) {
    if (shape[p] == 1)
      continue;
    if (p < last)
      return false;
    last = p;
  }
  return true;
}

static Value permute(OpBuilder &b, Location loc, Value v,
                     ArrayRef<int32_t> perm) {
  TosaBuilder tb(b, loc);
  auto type = TosaBuilder::typeOf(v);
  if (permutationIsReshape(type.getShape(), perm)) {
    SmallVector<int64_t> shape;
    for (int32_t p : perm)
      shape.push_back(type.getDimSize(p));
    return tb.reshape(v, shape);
  }
  return tb.transpose(v, perm);
}

Value GraphImporter::toNative(Tensor &t) {
  if (t.layout == Layout::Native)
    return materialize(t);
  if (!t.nativeCache) {
    OpBuilder::InsertionGuard guard(b);
    if (auto *def = t.value.getDefiningOp())
      b.setInsertionPointAfter(def);
    t.nativeCache = permute(b, t.value.getLoc(), t.value, {0, 3, 1, 2});
  }
  return t.nativeCache;
}

Value GraphImporter::toNHWC(Tensor &t) {
  assert(t.rank() == 4 && "NHWC needs a 4-D tensor");
  if (t.layout == Layout::NHWC)
    return t.value;
  if (t.nhwcCache)
    return t.nhwcCache;
  if (!t.value && t.host) {
    // Permute constants on the host: no op at run time.
    HostTensor permuted;
    hostTranspose(*t.host, {0, 2, 3, 1}, permuted);
    auto type = RankedTensorType::get(permuted.shape, elementType(t.kind));
    t.nhwcCache = tosa::ConstOp::create(b, b.getUnknownLoc(), type,
                                        hostToAttr(permuted, type));
    return t.nhwcCache;
  }
  Value v = materialize(t);
  OpBuilder::InsertionGuard guard(b);
  if (auto *def = v.getDefiningOp())
    b.setInsertionPointAfter(def);
  t.nhwcCache = permute(b, v.getLoc(), v, {0, 2, 3, 1});
  return t.nhwcCache;
}

LogicalResult GraphImporter::importNode(const onnx::NodeProto &node,
                                        int index) {
  Location loc = nodeLoc(node, index);
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return emitError(loc) << "unsupported operator domain '" << node.domain()
                          << "' (op '" << node.op_type()
                          << "'); only the default ONNX domain is supported";
  const OpHandler *handler = getOpRegistry().lookup(node.op_type(), opset);
  if (!handler) {
    if (getOpRegistry().knows(node.op_type()))
      return emitError(loc) << "op '" << node.op_type()
                            << "' is not supported at opset " << opset;
    return emitError(loc) << "unsupported ONNX op '" << node.op_type()
                          << "' (opset " << opset << ")";
  }
  for (const std::string &in : node.input())
    if (!in.empty() && !lookup(in))
      return emitError(loc) << "input '" << in << "' is not defined";
  NodeContext nc(*this, node, loc, opset);
  if (failed((*handler)(nc)))
    return failure();
  for (const std::string &out : node.output()) {
    if (out.empty() || !isUsed(out))
      continue;
    Tensor *t = lookup(out);
    if (!t)
      return emitError(loc) << "internal error: output '" << out
                            << "' was not produced";
    if (llvm::is_contained(t->shape, 0))
      return emitError(loc) << "output '" << out << "' is empty (a dimension "
                               "of size 0); empty tensors are not supported";
    if (!checkedNumElements(t->shape, 8))
      return emitError(loc) << "output '" << out << "' has more elements than "
                               "fit in 64 bits of bytes";
    if (llvm::any_of(t->shape, [](int64_t d) { return d > kMaxDimension; }))
      return emitError(loc) << "output '" << out << "' has shape "
                            << formatShape(t->shape)
                            << "; dimensions above 2^31 - 1 are not supported";
  }
  return success();
}

/// Orders the nodes so that every input is defined before its use. ONNX
/// requires topological order, but the importer does not rely on it.
static LogicalResult sortNodes(const onnx::GraphProto &graph,
                               const std::set<std::string> &available,
                               std::vector<int> &order, std::string &error,
                               int &culprit) {
  int n = graph.node_size();
  std::unordered_map<std::string, int> producer;
  for (int k = 0; k < n; ++k)
    for (const std::string &out : graph.node(k).output())
      if (!out.empty())
        producer[out] = k;
  std::vector<int> missing(n, 0);
  std::vector<std::vector<int>> consumers(n);
  for (int k = 0; k < n; ++k) {
    for (const std::string &in : graph.node(k).input()) {
      if (in.empty() || available.count(in))
        continue;
      auto it = producer.find(in);
      if (it == producer.end()) {
        error = "input '" + in + "' is not defined by any node, graph input "
                "or initializer";
        culprit = k;
        return failure();
      }
      ++missing[k];
      consumers[it->second].push_back(k);
    }
  }
  std::deque<int> ready;
  for (int k = 0; k < n; ++k)
    if (!missing[k])
      ready.push_back(k);
  while (!ready.empty()) {
    int k = ready.front();
    ready.pop_front();
    order.push_back(k);
    for (int c : consumers[k])
      if (--missing[c] == 0)
        ready.push_back(c);
  }
  if (static_cast<int>(order.size()) != n) {
    for (int k = 0; k < n; ++k)
      if (missing[k]) {
        culprit = k;
        break;
      }
    error = "the graph has a cycle through this node";
    return failure();
  }
  return success();
}


LogicalResult GraphImporter::importGraph(const onnx::GraphProto &graph) {
  ModuleOp module = cast<ModuleOp>(b.getInsertionBlock()->getParentOp());
  Location floc = fileLoc();

  for (const auto &node : graph.node())
    for (const std::string &in : node.input())
      if (!in.empty())
        ++useCounts[in];
  for (const auto &out : graph.output()) {
    ++useCounts[out.name()];
    graphOutputs.insert(out.name());
  }

  // Initializers that only BatchNormalization's running statistics use are
  // not trainable.
  std::set<std::string> runningStats;
  for (const auto &node : graph.node())
    if (node.op_type() == "BatchNormalization")
      for (int k = 3; k < std::min(5, node.input_size()); ++k)
        runningStats.insert(node.input(k));

  std::set<std::string> initializerNames;
  for (const auto &init : graph.initializer())
    initializerNames.insert(init.name());

  SmallVector<Type> argTypes;
  SmallVector<DictionaryAttr> argAttrs;
  std::vector<std::string> argNames;
  std::vector<Tensor> argTensors;
  auto nameAttr = [&](StringRef name) {
    return rev::nameAttr(b.getContext(), name);
  };

  std::vector<std::pair<std::string, Tensor>> boundInputs;
  for (const auto &input : graph.input()) {
    if (initializerNames.count(input.name()))
      continue; // older exporters list initializers as inputs too
    auto bound = options.constantInputs.find(input.name());
    if (bound != options.constantInputs.end()) {
      Tensor t;
      if (!input.type().has_tensor_type() ||
          !elemKindFromONNX(input.type().tensor_type().elem_type(), t.kind) ||
          isFloat(t.kind))
        return emitError(floc) << "graph input '" << input.name()
                               << "' cannot be bound to constant integers";
      t.shape = bound->second.shape;
      t.host = HostTensor::ints(bound->second.values, t.shape, t.kind);
      if (static_cast<int64_t>(bound->second.values.size()) != t.host->size())
        return emitError(floc) << "the value bound to graph input '"
                               << input.name() << "' does not match its shape";
      t.foldable = true;
      boundInputs.emplace_back(input.name(), std::move(t));
      continue;
    }
    if (!input.type().has_tensor_type())
      return emitError(floc) << "graph input '" << input.name()
                             << "' is not a tensor; sequences, maps and "
                                "optionals are not supported";
    const auto &tt = input.type().tensor_type();
    Tensor t;
    if (!elemKindFromONNX(tt.elem_type(), t.kind))
      return emitError(floc) << "graph input '" << input.name()
                             << "' has unsupported element type "
                             << onnxTypeName(tt.elem_type());
    auto fixed = options.inputShapes.find(input.name());
    if (!tt.has_shape())
      return emitError(floc) << "graph input '" << input.name()
                             << "' has no shape; give one with "
                                "--onnx-input-shape="
                             << input.name() << ":D0,D1,...";
    for (int d = 0; d < tt.shape().dim_size(); ++d) {
      const auto &dim = tt.shape().dim(d);
      if (fixed != options.inputShapes.end()) {
        if (fixed->second.size() != static_cast<size_t>(tt.shape().dim_size()))
          return emitError(floc)
                 << "--onnx-input-shape for '" << input.name() << "' has "
                 << fixed->second.size() << " dimensions, but the input has "
                 << tt.shape().dim_size();
        if (dim.has_dim_value() && dim.dim_value() != fixed->second[d])
          return emitError(floc)
                 << "--onnx-input-shape for '" << input.name()
                 << "' sets dimension " << d << " to " << fixed->second[d]
                 << ", but the model fixes it to " << dim.dim_value();
        t.shape.push_back(fixed->second[d]);
      } else if (dim.has_dim_value() && dim.dim_value() >= 0) {
        t.shape.push_back(dim.dim_value());
      } else {
        std::string sym = dim.has_dim_param() ? " ('" + dim.dim_param() + "')"
                                              : "";
        return emitError(floc)
               << "graph input '" << input.name() << "' has a dynamic dimension "
               << d << sym << "; fix its shape with --onnx-input-shape="
               << input.name() << ":D0,D1,...";
      }
    }
    argTypes.push_back(RankedTensorType::get(t.shape, elementType(t.kind)));
    argAttrs.push_back(b.getDictionaryAttr({nameAttr(input.name())}));
    argNames.push_back(input.name());
    argTensors.push_back(std::move(t));
  }
  for (const auto &[name, shape] : options.inputShapes)
    if (!llvm::is_contained(argNames, name.str()) &&
        !options.constantInputs.count(name))
      return emitError(floc) << "--onnx-input-shape names '" << name.str()
                             << "', which is not a graph input";

  std::vector<std::pair<std::string, Tensor>> constants;
  for (const auto &init : graph.initializer()) {
    Tensor t;
    HostTensor h;
    std::string error;
    if (!tensorFromProto(init, h, error))
      return emitError(floc) << "initializer '" << init.name() << "' " << error;
    t.kind = h.kind;
    t.shape = h.shape;
    t.host = std::move(h);
    bool asArgument = isFloat(t.kind) &&
                      options.weights == ONNXImportOptions::Weights::Arguments;
    if (!asArgument) {
      t.foldable = true;
      constants.emplace_back(init.name(), std::move(t));
      continue;
    }
    argTypes.push_back(RankedTensorType::get(t.shape, elementType(t.kind)));
    SmallVector<NamedAttribute> attrs = {
        nameAttr(init.name()),
        b.getNamedAttr(rev::kParamAttr, b.getUnitAttr())};
    if (runningStats.count(init.name()))
      attrs.push_back(
          b.getNamedAttr(rev::kTrainableAttr, b.getBoolAttr(false)));
    argAttrs.push_back(b.getDictionaryAttr(attrs));
    argNames.push_back(init.name());
    argTensors.push_back(std::move(t));
  }

  auto func = func::FuncOp::create(b, floc, options.functionName,
                                   b.getFunctionType(argTypes, {}));
  func.setAllArgAttrs(argAttrs);
  function = func;
  currentGraph = &graph;
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);
  for (auto [k, t] : llvm::enumerate(argTensors)) {
    t.value = entry->getArgument(k);
    define(argNames[k], std::move(t));
  }
  for (auto &[name, t] : constants)
    define(name, std::move(t));
  for (auto &[name, t] : boundInputs)
    define(name, std::move(t));

  std::set<std::string> available;
  for (auto &[name, t] : values)
    available.insert(name);
  std::vector<int> order;
  std::string error;
  int culprit = -1;
  if (failed(sortNodes(graph, available, order, error, culprit)))
    return emitError(nodeLoc(graph.node(culprit), culprit)) << error;

  for (int k : order) {
    const onnx::NodeProto &node = graph.node(k);
    if (failed(importNode(node, k)))
      return failure();
  }

  SmallVector<Value> results;
  SmallVector<DictionaryAttr> resultAttrs;
  for (const auto &out : graph.output()) {
    Tensor *t = lookup(out.name());
    if (!t)
      return emitError(floc) << "graph output '" << out.name()
                             << "' is not defined";
    results.push_back(toNative(*t));
    resultAttrs.push_back(b.getDictionaryAttr({nameAttr(out.name())}));
  }
  for (auto &[name, value] : auxResults) {
    results.push_back(value);
    resultAttrs.push_back(b.getDictionaryAttr({nameAttr(name)}));
  }
  func::ReturnOp::create(b, floc, results);
  if (seedArgument) {
    argTypes.push_back(seedArgument.getType());
    argAttrs.push_back(b.getDictionaryAttr({nameAttr(rev::kDropoutSeedName)}));
  }
  func.setType(b.getFunctionType(argTypes, ValueRange(results).getTypes()));
  func.setAllArgAttrs(argAttrs);
  func.setAllResultAttrs(resultAttrs);
  (void)module;
  return success();
}

/// ONNX's shape inference, run on the model that imported, must agree with
/// the shapes the importer computed (a check of the importer). It runs
/// after the import, not before: ONNX 1.12's inference (its data
/// propagation in particular) dereferences null on some malformed models
/// that the importer rejects with a diagnostic.
LogicalResult GraphImporter::crossCheckShapes(onnx::ModelProto &model) {
  try {
    onnx::ShapeInferenceOptions opts(/*check_type=*/false, /*error_mode=*/0,
                                     /*data_prop=*/true);
    onnx::shape_inference::InferShapes(model,
                                       onnx::OpSchemaRegistry::Instance(), opts);
  } catch (const std::exception &e) {
    return emitError(fileLoc()) << "ONNX shape inference failed: " << e.what();
  }
  const onnx::GraphProto &graph = model.graph();
  std::unordered_map<std::string, std::vector<int64_t>> inferred;
  for (const auto &vi : graph.value_info()) {
    if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape())
      continue;
    std::vector<int64_t> shape;
    bool known = true;
    for (const auto &dim : vi.type().tensor_type().shape().dim()) {
      if (!dim.has_dim_value()) {
        known = false;
        break;
      }
      shape.push_back(dim.dim_value());
    }
    if (known)
      inferred[vi.name()] = shape;
  }
  for (int k = 0; k < graph.node_size(); ++k) {
    const onnx::NodeProto &node = graph.node(k);
    for (const std::string &out : node.output()) {
      Tensor *t = out.empty() ? nullptr : lookup(out);
      auto it = inferred.find(out);
      if (t && it != inferred.end() && it->second != t->shape)
        return emitError(nodeLoc(node, k))
               << "internal error: output '" << out << "' has shape "
               << formatShape(t->shape) << ", but ONNX infers "
               << formatShape(it->second);
    }
  }
  return success();
}

OwningOpRef<ModuleOp> GraphImporter::import(onnx::ModelProto &model) {
  Location floc = fileLoc();
  if (!model.has_graph()) {
    emitError(floc) << "not an ONNX model: it has no graph";
    return nullptr;
  }
  bool sawDefault = false;
  for (const auto &imp : model.opset_import()) {
    if (imp.domain().empty() || imp.domain() == "ai.onnx") {
      opset = imp.version();
      sawDefault = true;
    }
  }
  if (!sawDefault) {
    emitError(floc) << "the model imports no opset of the default ONNX domain";
    return nullptr;
  }
  if (failed(checkModel(model)))
    return nullptr;
  if (opset < kMinConvertibleOpset && failed(acceptOldOpset(model)))
    return nullptr;
  if (opset >= kMinConvertibleOpset && opset < kMinOpset) {
    // Older models are upgraded with ONNX's own version converter.
    try {
      model = onnx::version_conversion::ConvertVersion(model, kMinOpset);
      opset = kMinOpset;
    } catch (const std::exception &e) {
      emitError(floc) << "opset " << opset << " is not supported, and ONNX's "
                      << "version converter cannot upgrade the model to "
                      << kMinOpset << ": " << e.what();
      return nullptr;
    }
  }
  if (opset < kMinOpset || opset > kMaxOpset) {
    emitError(floc) << "unsupported opset " << opset << " (supported: "
                    << kMinOpset << " to " << kMaxOpset
                    << ", as PyTorch 1.13 exports; " << kMinConvertibleOpset
                    << " to " << kMinOpset - 1
                    << " are upgraded; older ones are accepted when their ops "
                       "are unchanged since)";
    return nullptr;
  }
  // Fix symbolic input dims before shape inference so that it can use them.
  for (auto &input : *model.mutable_graph()->mutable_input()) {
    auto it = options.inputShapes.find(input.name());
    if (it == options.inputShapes.end() || !input.type().has_tensor_type())
      continue;
    auto *shape = input.mutable_type()->mutable_tensor_type()->mutable_shape();
    if (shape->dim_size() != static_cast<int>(it->second.size()))
      continue; // reported by importGraph
    // (Only the symbolic ones: a dimension the model fixes to another value
    // is an error importGraph reports, not one to overwrite.)
    for (int d = 0; d < shape->dim_size(); ++d)
      if (!shape->dim(d).has_dim_value() || shape->dim(d).dim_value() < 0)
        shape->mutable_dim(d)->set_dim_value(it->second[d]);
  }
  OwningOpRef<ModuleOp> module = ModuleOp::create(floc);
  b.setInsertionPointToStart(module->getBody());
  if (failed(importGraph(model.graph())))
    return nullptr;
  if (failed(crossCheckShapes(model)))
    return nullptr;
  if (failed(verify(*module))) {
    emitError(floc) << "internal error: the imported module does not verify";
    return nullptr;
  }
  // Share the many small constants (zero points, shifts, shapes) the
  // handlers create, and merge chains of reshapes.
  PassManager pm(ctx, ModuleOp::getOperationName());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  if (failed(pm.run(*module))) {
    emitError(floc) << "internal error: cleaning up the imported module failed";
    return nullptr;
  }
  return module;
}

} // namespace rev::onnx_import

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

namespace rev {

/// ONNX's textual syntax starts with `<` (the model header), possibly after
/// blank lines and `#` comments (lit RUN lines).
static bool isTextual(StringRef contents) {
  StringRef rest = contents.ltrim();
  while (rest.starts_with("#")) {
    rest = rest.drop_until([](char c) { return c == '\n'; }).ltrim();
  }
  return rest.starts_with("<") && !rest.starts_with("<<");
}

bool looksLikeONNX(StringRef filename, StringRef contents) {
  if (filename.ends_with(".onnx") || filename.ends_with(".onnxtxt"))
    return true;
  if (contents.empty())
    return false;
  // Binary ModelProto as torch writes it: field 1 (ir_version), varint.
  if (static_cast<unsigned char>(contents[0]) == 0x08)
    return true;
  return isTextual(contents) && contents.contains("ir_version");
}

OwningOpRef<ModuleOp> importONNXModel(StringRef contents, StringRef filename,
                                      MLIRContext *context,
                                      const ONNXImportOptions &options) {
  context->loadDialect<func::FuncDialect, tosa::TosaDialect, RevDialect>();
  Location floc = NameLoc::get(StringAttr::get(context, filename));
  onnx::ModelProto model;
  if (isTextual(contents)) {
    std::string text = contents.str();
    std::string error;
    try {
      onnx::Status status = onnx::OnnxParser::Parse(model, text.c_str());
      if (!status.IsOK())
        error = status.ErrorMessage();
    } catch (const std::exception &e) {
      // The parser converts literals with std::stoll and friends.
      error = std::string("invalid literal (") + e.what() + ")";
    }
    if (!error.empty()) {
      emitError(floc) << "cannot parse ONNX text: " << error;
      return nullptr;
    }
  } else if (contents.empty() ||
             !model.ParseFromArray(contents.data(), contents.size())) {
    emitError(floc) << "not a valid ONNX model (the protobuf cannot be "
                       "parsed: the file is truncated, corrupt, or not ONNX)";
    return nullptr;
  }
  onnx_import::GraphImporter importer(context, filename, options);
  return importer.import(model);
}

std::vector<ONNXGraphInput> listONNXGraphInputs(StringRef contents) {
  onnx::ModelProto model;
  std::vector<ONNXGraphInput> out;
  if (isTextual(contents)) {
    std::string text = contents.str();
    try {
      if (!onnx::OnnxParser::Parse(model, text.c_str()).IsOK())
        return out;
    } catch (const std::exception &) {
      return out;
    }
  } else if (!model.ParseFromArray(contents.data(), contents.size())) {
    return out;
  }
  std::set<std::string> inits;
  for (const auto &init : model.graph().initializer())
    inits.insert(init.name());
  for (const auto &input : model.graph().input()) {
    if (inits.count(input.name()))
      continue;
    ONNXGraphInput gi;
    gi.name = input.name();
    int32_t t = input.type().tensor_type().elem_type();
    gi.isInteger = t == onnx::TensorProto_DataType_INT64 ||
                   t == onnx::TensorProto_DataType_INT32 ||
                   t == onnx::TensorProto_DataType_BOOL;
    out.push_back(gi);
  }
  return out;
}

std::vector<std::string> listSupportedONNXOps() {
  return onnx_import::getOpRegistry().names();
}

std::string parseInputShapeOption(StringRef spec, ONNXImportOptions &options) {
  auto [name, dims] = spec.rsplit(':');
  if (name.empty() || dims.empty() || name == spec)
    return "expected NAME:D0,D1,... in --onnx-input-shape, got '" +
           spec.str() + "'";
  std::vector<int64_t> shape;
  SmallVector<StringRef> parts;
  dims.split(parts, ',');
  for (StringRef p : parts) {
    int64_t d;
    if (p.trim().getAsInteger(10, d) || d < 0 ||
        d > onnx_import::kMaxDimension)
      return "invalid dimension '" + p.str() + "' in --onnx-input-shape=" +
             spec.str() + " (0 to 2^31 - 1)";
    shape.push_back(d);
  }
  if (!onnx_import::checkedNumElements(shape, 8))
    return "the shape in --onnx-input-shape=" + spec.str() +
           " has more elements than fit in 64 bits of bytes";
  options.inputShapes[name] = shape;
  return "";
}

} // namespace rev
