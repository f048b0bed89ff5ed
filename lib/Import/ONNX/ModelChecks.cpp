//===- ModelChecks.cpp - what must hold before ONNX's own passes run ------===//
//
// ONNX's shape inference and version converter trust the model: a tensor
// whose data is shorter than its dims is read past its end, a Conv with
// stride 0 divides by zero, a required input given as '' is dereferenced.
// These checks run first, on the model as loaded, and turn each such defect
// into a diagnostic at the node (or the file) instead of a crash.
//
//===----------------------------------------------------------------------===//

#include "GraphImporter.h"

#include "mlir/IR/Diagnostics.h"

#include "llvm/Support/CheckedArithmetic.h"

#include <onnx/defs/schema.h>

#include <set>

using namespace mlir;

namespace rev::onnx_import {

/// Bytes per element of an ONNX data type stored in raw_data; 0 for types
/// without a fixed width (strings) or unknown ones.
static int64_t rawWidth(int32_t type) {
  switch (type) {
  case onnx::TensorProto_DataType_BOOL:
  case onnx::TensorProto_DataType_INT8:
  case onnx::TensorProto_DataType_UINT8:
    return 1;
  case onnx::TensorProto_DataType_FLOAT16:
  case onnx::TensorProto_DataType_BFLOAT16:
  case onnx::TensorProto_DataType_INT16:
  case onnx::TensorProto_DataType_UINT16:
    return 2;
  case onnx::TensorProto_DataType_FLOAT:
  case onnx::TensorProto_DataType_INT32:
  case onnx::TensorProto_DataType_UINT32:
    return 4;
  case onnx::TensorProto_DataType_DOUBLE:
  case onnx::TensorProto_DataType_INT64:
  case onnx::TensorProto_DataType_UINT64:
  case onnx::TensorProto_DataType_COMPLEX64:
    return 8;
  case onnx::TensorProto_DataType_COMPLEX128:
    return 16;
  default:
    return 0;
  }
}

/// Number of values a TensorProto holds in the typed field its data type
/// uses (as ONNX's ParseData reads it), or -1 when it has no such field.
static int64_t typedCount(const onnx::TensorProto &t) {
  switch (t.data_type()) {
  case onnx::TensorProto_DataType_FLOAT:
    return t.float_data_size();
  case onnx::TensorProto_DataType_COMPLEX64:
    return t.float_data_size() / 2;
  case onnx::TensorProto_DataType_DOUBLE:
    return t.double_data_size();
  case onnx::TensorProto_DataType_COMPLEX128:
    return t.double_data_size() / 2;
  case onnx::TensorProto_DataType_INT64:
    return t.int64_data_size();
  case onnx::TensorProto_DataType_UINT32:
  case onnx::TensorProto_DataType_UINT64:
    return t.uint64_data_size();
  case onnx::TensorProto_DataType_STRING:
    return t.string_data_size();
  case onnx::TensorProto_DataType_UNDEFINED:
    return -1;
  default: // the small types and int32 share int32_data
    return t.int32_data_size();
  }
}

std::string checkTensorProto(const onnx::TensorProto &t) {
  if (t.data_location() == onnx::TensorProto_DataLocation_EXTERNAL)
    return "its data is stored externally, which is not supported (save the "
           "model with its tensors inside)";
  if (t.data_type() == onnx::TensorProto_DataType_UNDEFINED)
    return "it has no data type";
  for (int64_t d : t.dims()) {
    if (d < 0)
      return "it has a negative dimension (" + std::to_string(d) + ")";
    if (d > kMaxDimension)
      return "it has a dimension of " + std::to_string(d) +
             "; dimensions above 2^31 - 1 are not supported";
  }
  std::vector<int64_t> dims(t.dims().begin(), t.dims().end());
  int64_t width = rawWidth(t.data_type());
  std::optional<int64_t> n = checkedNumElements(dims, width);
  if (!n)
    return "its shape has more elements than fit in 64 bits of bytes";
  if (t.has_raw_data()) {
    if (width == 0)
      return "it stores a type without a fixed width in raw_data";
    int64_t have = static_cast<int64_t>(t.raw_data().size());
    if (have != *n * width)
      return "it holds " + std::to_string(have) + " bytes, but its shape " +
             "needs " + std::to_string(*n * width) + " (truncated or corrupt)";
    return "";
  }
  int64_t have = typedCount(t);
  if (have != *n)
    return "it holds " + std::to_string(have) + " values, but its shape " +
           "needs " + std::to_string(*n) + " (truncated or corrupt)";
  return "";
}

/// Integer attributes that ONNX's shape inference divides by or that size
/// windows: they must be positive wherever they appear.
static constexpr llvm::StringLiteral kPositiveInts[] = {
    "strides", "dilations", "kernel_shape", "blocksize"};
/// Integer attributes that enter size arithmetic (output sizes of windows):
/// bounded so that the arithmetic cannot overflow.
static constexpr llvm::StringLiteral kSizeInts[] = {
    "strides",  "dilations",      "kernel_shape", "blocksize",
    "pads",     "output_padding", "output_shape"};
static constexpr int64_t kMaxSizeAttr = int64_t(1) << 30;

/// Every value is defined once, every use and graph output is defined, and
/// the graph's inputs and outputs are tensors (ONNX's version converter
/// dereferences what it does not find).
LogicalResult GraphImporter::checkDefinitions(const onnx::GraphProto &graph) {
  Location floc = fileLoc();
  std::set<std::string> defined;
  for (const auto &input : graph.input()) {
    if (input.has_type() && !input.type().has_tensor_type())
      return emitError(floc) << "graph input '" << input.name()
                             << "' is not a tensor; sequences, maps and "
                                "optionals are not supported";
    defined.insert(input.name());
  }
  for (const auto &init : graph.initializer())
    defined.insert(init.name());
  for (int index = 0; index < graph.node_size(); ++index)
    for (const std::string &out : graph.node(index).output())
      if (!out.empty() && !defined.insert(out).second &&
          !llvm::any_of(graph.input(),
                        [&](const auto &i) { return i.name() == out; }))
        return emitError(nodeLoc(graph.node(index), index))
               << "output '" << out << "' is defined more than once";
  for (int index = 0; index < graph.node_size(); ++index)
    for (const std::string &in : graph.node(index).input())
      if (!in.empty() && !defined.count(in))
        return emitError(nodeLoc(graph.node(index), index))
               << "input '" << in
               << "' is not defined by any node, graph input or initializer";
  for (const auto &output : graph.output()) {
    if (!defined.count(output.name()))
      return emitError(floc) << "graph output '" << output.name()
                             << "' is not defined";
    if (output.has_type() && !output.type().has_tensor_type())
      return emitError(floc) << "graph output '" << output.name()
                             << "' is not a tensor; sequences, maps and "
                                "optionals are not supported";
  }
  return success();
}

/// Tensor data that matches its dims, and sizes that fit.
LogicalResult GraphImporter::checkSizes(const onnx::GraphProto &graph) {
  Location floc = fileLoc();
  for (const auto &init : graph.initializer()) {
    std::string error = checkTensorProto(init);
    if (!error.empty())
      return emitError(floc) << "initializer '" << init.name()
                             << "' is invalid: " << error;
  }
  for (const auto &input : graph.input()) {
    if (!input.type().has_tensor_type() ||
        !input.type().tensor_type().has_shape())
      continue;
    std::vector<int64_t> dims;
    for (const auto &d : input.type().tensor_type().shape().dim())
      if (d.has_dim_value())
        dims.push_back(d.dim_value());
    for (int64_t d : dims)
      if (d > kMaxDimension)
        return emitError(floc) << "graph input '" << input.name()
                               << "' has a dimension of " << d
                               << "; dimensions above 2^31 - 1 are not "
                                  "supported";
    if (!checkedNumElements(dims, 8))
      return emitError(floc)
             << "graph input '" << input.name()
             << "' has a negative dimension or more elements than fit in "
                "64 bits of bytes";
  }
  return success();
}

/// An attribute: a valid tensor, no subgraph, and window sizes that shape
/// inference may divide by and size arithmetic may multiply.
static LogicalResult checkAttribute(Location loc,
                                    const onnx::AttributeProto &a) {
  if (a.has_t()) {
    std::string error = checkTensorProto(a.t());
    if (!error.empty())
      return emitError(loc) << "attribute '" << a.name()
                            << "' is an invalid tensor: " << error;
  }
  if (a.has_g() || a.graphs_size())
    return emitError(loc) << "attribute '" << a.name()
                          << "' holds a subgraph; control flow (If, Loop, "
                             "Scan) is not supported";
  if (llvm::is_contained(kPositiveInts, a.name()))
    for (int64_t v : a.ints())
      if (v <= 0)
        return emitError(loc) << "attribute '" << a.name()
                              << "' must hold positive values, got " << v;
  if (a.name() == "blocksize" && a.has_i() && a.i() <= 0)
    return emitError(loc) << "attribute 'blocksize' must be positive, got "
                          << a.i();
  if (llvm::is_contained(kSizeInts, a.name())) {
    auto tooLarge = [](int64_t v) {
      return v > kMaxSizeAttr || v < -kMaxSizeAttr;
    };
    for (int64_t v : a.ints())
      if (tooLarge(v))
        return emitError(loc) << "attribute '" << a.name() << "' holds " << v
                              << "; sizes beyond 2^30 are not supported";
    if (a.has_i() && tooLarge(a.i()))
      return emitError(loc) << "attribute '" << a.name() << "' is " << a.i()
                            << "; sizes beyond 2^30 are not supported";
  }
  return success();
}

/// ONNX's own schema of the node's op: required inputs not given as '',
/// then ONNX's arity, required-attribute and attribute type checks.
static LogicalResult checkAgainstSchema(Location loc,
                                        const onnx::NodeProto &node,
                                        const onnx::OpSchema &schema) {
  // ('' is ONNX's spelling of an omitted optional input; Verify checks only
  // single inputs for it, not variadic ones such as Concat's.)
  const auto &formals = schema.inputs();
  for (int i = 0; i < node.input_size() && !formals.empty(); ++i) {
    if (!node.input(i).empty())
      continue;
    const auto &formal = formals[std::min<size_t>(i, formals.size() - 1)];
    if (formal.GetOption() == onnx::OpSchema::Optional)
      continue;
    return emitError(loc) << "input #" << i << " ('" << formal.GetName()
                          << "') is required, but the node gives it as ''";
  }
  try {
    schema.Verify(node);
  } catch (const std::exception &e) {
    StringRef msg = e.what();
    // Drop ONNX's "==> Context: ..." tail and its "Node (name)'s " or
    // "Node (name) " prefix: the location names the node.
    msg = msg.take_until([](char c) { return c == '\n'; });
    if (msg.consume_front("Node (")) {
      msg = msg.drop_until([](char c) { return c == ')'; }).drop_front();
      msg.consume_front("'s");
      msg = msg.ltrim();
    }
    return emitError(loc) << "invalid " << node.op_type()
                          << " node: " << msg.rtrim();
  }
  return success();
}

LogicalResult GraphImporter::checkNodes(const onnx::GraphProto &graph) {
  for (int index = 0; index < graph.node_size(); ++index) {
    const onnx::NodeProto &node = graph.node(index);
    Location loc = nodeLoc(node, index);
    for (const auto &a : node.attribute())
      if (failed(checkAttribute(loc, a)))
        return failure();
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      continue; // reported when the node is imported
    const onnx::OpSchema *schema =
        onnx::OpSchemaRegistry::Schema(node.op_type(), opset, "");
    if (schema && failed(checkAgainstSchema(loc, node, *schema)))
      return failure(); // (no schema: reported when the node is imported)
  }
  return success();
}

LogicalResult GraphImporter::checkModel(const onnx::ModelProto &model) {
  const onnx::GraphProto &graph = model.graph();
  return failure(failed(checkDefinitions(graph)) ||
                 failed(checkSizes(graph)) || failed(checkNodes(graph)));
}

LogicalResult GraphImporter::acceptOldOpset(onnx::ModelProto &model) {
  const onnx::GraphProto &graph = model.graph();
  for (int index = 0; index < graph.node_size(); ++index) {
    const onnx::NodeProto &node = graph.node(index);
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      continue; // reported when the node is imported
    const onnx::OpSchema *schema =
        onnx::OpSchemaRegistry::Schema(node.op_type(), kMinOpset, "");
    if (!schema)
      continue; // reported when the node is imported
    if (schema->SinceVersion() > opset)
      return emitError(nodeLoc(node, index))
             << "op '" << node.op_type() << "' changed in opset "
             << schema->SinceVersion() << ", after the model's opset " << opset
             << "; models older than opset " << kMinConvertibleOpset
             << " are imported only when every op is unchanged since (upgrade "
                "the model with onnx.version_converter, or export it again)";
  }
  // Every op reads as it does at kMinOpset.
  for (auto &imp : *model.mutable_opset_import())
    if (imp.domain().empty() || imp.domain() == "ai.onnx")
      imp.set_version(kMinOpset);
  opset = kMinOpset;
  return success();
}

} // namespace rev::onnx_import
