//===- GraphImporter.h - ONNX graph to TOSA ---------------------*- C++ -*-===//
//
// The state of one import: the table of ONNX values, their layout, and the
// per-op handlers (one per op type, keyed by name and opset, in the style of
// torch-mlir's TorchOnnxToTorch).
//
//===----------------------------------------------------------------------===//

#ifndef REV_LIB_IMPORT_ONNX_GRAPHIMPORTER_H
#define REV_LIB_IMPORT_ONNX_GRAPHIMPORTER_H

#include "HostTensor.h"

#include "rev/Import/ONNX/ONNXImporter.h"
#include "rev/Utils/TosaBuilder.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <set>
#include <unordered_map>

namespace rev::onnx_import {

/// How the MLIR value of a 4-D tensor is laid out. ONNX is NCHW; TOSA's
/// convolutions and pools are NHWC. Values keep the layout of the op that
/// produced them and are converted only where an op needs the other one, so
/// a convolutional network keeps transposes at its edges only.
enum class Layout { Native, NHWC };

/// One ONNX value during import.
struct Tensor {
  ElemKind kind = ElemKind::F32;
  /// The logical (ONNX, native-order) shape.
  std::vector<int64_t> shape;
  /// Known contents: constants, integer initializers, folded shape math.
  std::optional<HostTensor> host;
  /// True if `host` may be folded into other constants (false for weights
  /// imported as function arguments: they must stay differentiable).
  bool foldable = false;
  /// The MLIR value, in `layout`. Null for host constants not yet used by a
  /// runtime op (materialized on demand).
  mlir::Value value;
  Layout layout = Layout::Native;
  /// Cached conversions of `value` to the other layout.
  mlir::Value nativeCache, nhwcCache;

  int64_t rank() const { return shape.size(); }
  bool isConstant() const { return host.has_value() && foldable; }
};

class GraphImporter;

/// What a handler sees of the node it converts.
class NodeContext {
public:
  NodeContext(GraphImporter &importer, const onnx::NodeProto &node,
              mlir::Location loc, int64_t opset);

  const onnx::NodeProto &node() const { return nodeProto; }
  /// The node as diagnostics name it: "<name or #index> (<op type>)".
  std::string nodeName() const;
  mlir::Location loc() const { return location; }
  int64_t opset() const { return opsetVersion; }
  TosaBuilder &tosa() { return tb; }
  mlir::OpBuilder &builder();
  mlir::MLIRContext *context();

  // Inputs. An empty name (an omitted optional input) reads as absent.
  unsigned numInputs() const { return nodeProto.input_size(); }
  bool hasInput(unsigned i) const {
    return static_cast<int>(i) < nodeProto.input_size() &&
           !nodeProto.input(i).empty();
  }
  Tensor &input(unsigned i);
  /// The input as an MLIR value in native layout / in NHWC (4-D only).
  mlir::Value native(unsigned i);
  mlir::Value nhwc(unsigned i);
  mlir::Value native(Tensor &t);
  mlir::Value nhwc(Tensor &t);
  /// The input's host constant; fails with a diagnostic if it is not one.
  mlir::FailureOr<const HostTensor *> constantInput(unsigned i,
                                                    llvm::StringRef role);
  /// Integer list from a constant input, e.g. Reshape's shape.
  mlir::FailureOr<std::vector<int64_t>> intsInput(unsigned i,
                                                  llvm::StringRef role);

  // Outputs.
  unsigned numOutputs() const { return nodeProto.output_size(); }
  bool outputUsed(unsigned i) const;
  void setOutput(unsigned i, Tensor t);
  void setOutput(unsigned i, mlir::Value v, ElemKind kind,
                 std::vector<int64_t> shape, Layout layout = Layout::Native);
  /// A folded result.
  void setConstantOutput(unsigned i, HostTensor t);
  /// Adds a result to the imported function (BatchNormalization's updated
  /// running statistics in training mode, named `running_mean.<name>`), or
  /// replaces the value of the one of that name.
  void addAuxResult(std::string name, mlir::Value value);
  /// The value of the added result `name`, or null.
  mlir::Value auxResult(llvm::StringRef name) const;
  /// The rev.random_stream of this node (a training-mode Dropout): stream k
  /// for the k-th Dropout node of the graph in file order, drawn from the
  /// function's `dropout_seed` argument (added at the first call). Fails
  /// with a diagnostic if a graph input already has that name.
  mlir::FailureOr<mlir::Value> randomStream();

  // Attributes.
  const onnx::AttributeProto *attr(llvm::StringRef name) const;
  mlir::FailureOr<int64_t> intAttr(llvm::StringRef name,
                                   std::optional<int64_t> dflt = std::nullopt);
  mlir::FailureOr<double> floatAttr(llvm::StringRef name,
                                    std::optional<double> dflt = std::nullopt);
  mlir::FailureOr<std::string>
  stringAttr(llvm::StringRef name,
             std::optional<std::string> dflt = std::nullopt);
  mlir::FailureOr<std::vector<int64_t>>
  intsAttr(llvm::StringRef name,
           std::optional<std::vector<int64_t>> dflt = std::nullopt);
  mlir::FailureOr<std::vector<double>> floatsAttr(llvm::StringRef name);

  /// Normalizes an axis in [-rank, rank) to [0, rank).
  mlir::FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank,
                                         llvm::StringRef what = "axis");

  /// Emits an error located at the node and returns failure.
  mlir::InFlightDiagnostic emitError();
  mlir::LogicalResult fail(const llvm::Twine &message);

  /// BatchNormalization's running variance uses the unbiased batch variance.
  bool unbiasedRunningVar() const;

  mlir::Type elementType(ElemKind kind);
  mlir::RankedTensorType tensorType(llvm::ArrayRef<int64_t> shape,
                                    ElemKind kind);

private:
  GraphImporter &importer;
  const onnx::NodeProto &nodeProto;
  mlir::Location location;
  int64_t opsetVersion;
  TosaBuilder tb;
};

using OpHandler = std::function<mlir::LogicalResult(NodeContext &)>;

/// Handlers for one op type, by the first opset each supports.
class OpRegistry {
public:
  void add(llvm::StringRef opType, int64_t sinceOpset, OpHandler handler);
  /// The handler for `opType` at `opset` (the newest one not newer), or null.
  const OpHandler *lookup(llvm::StringRef opType, int64_t opset) const;
  bool knows(llvm::StringRef opType) const { return table.count(opType); }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto &entry : table)
      out.push_back(entry.getKey().str());
    std::sort(out.begin(), out.end());
    return out;
  }

private:
  llvm::StringMap<std::vector<std::pair<int64_t, OpHandler>>> table;
};

// Registration of the handler families (one file each).
void registerElementwiseOps(OpRegistry &registry);
void registerNNOps(OpRegistry &registry);
void registerShapeOps(OpRegistry &registry);
void registerDataMovementOps(OpRegistry &registry);
void registerReductionOps(OpRegistry &registry);

/// The registry with every supported op.
const OpRegistry &getOpRegistry();

/// Minimum and maximum default-domain opset the importer accepts.
constexpr int64_t kMinOpset = 13;
constexpr int64_t kMaxOpset = 17;
/// Opsets from here up to kMinOpset are upgraded by ONNX's version converter.
constexpr int64_t kMinConvertibleOpset = 7;

class GraphImporter {
public:
  GraphImporter(mlir::MLIRContext *context, llvm::StringRef filename,
                const ONNXImportOptions &options);

  mlir::OwningOpRef<mlir::ModuleOp> import(onnx::ModelProto &model);

  // Used by NodeContext.
  mlir::OpBuilder &builder() { return b; }
  mlir::MLIRContext *context() { return ctx; }
  Tensor *lookup(const std::string &name);
  void define(const std::string &name, Tensor t);
  mlir::Value materialize(Tensor &t);
  mlir::Value toNative(Tensor &t);
  mlir::Value toNHWC(Tensor &t);
  bool isUsed(const std::string &name) const { return useCounts.count(name); }
  bool isGraphOutput(const std::string &name) const {
    return graphOutputs.count(name);
  }
  /// Adds a result of the function, or replaces the value of the one of
  /// that name.
  void addAuxResult(std::string name, mlir::Value value) {
    for (auto &[n, v] : auxResults)
      if (n == name) {
        v = value;
        return;
      }
    auxResults.emplace_back(std::move(name), value);
  }
  /// The value of the added result `name`, or null.
  mlir::Value auxResult(llvm::StringRef name) const {
    for (const auto &[n, v] : auxResults)
      if (n == name)
        return v;
    return {};
  }
  /// The function's `dropout_seed` argument, added at the first call
  /// (NodeContext.cpp); null if a graph input has that name.
  mlir::Value dropoutSeed(mlir::Location loc);
  /// The position of Dropout node `node` among the graph's Dropout nodes.
  int64_t dropoutIndex(const onnx::NodeProto &node) const;
  mlir::Type elementType(ElemKind kind);
  mlir::Location fileLoc();
  const ONNXImportOptions &getOptions() const { return options; }

private:
  /// What ONNX's shape inference and version converter rely on: tensor data
  /// that matches its dims, positive strides, ONNX's own per-node checks
  /// (arity, required inputs, attribute types). ModelChecks.cpp.
  mlir::LogicalResult checkModel(const onnx::ModelProto &model);
  mlir::LogicalResult checkDefinitions(const onnx::GraphProto &graph);
  mlir::LogicalResult checkSizes(const onnx::GraphProto &graph);
  mlir::LogicalResult checkNodes(const onnx::GraphProto &graph);
  /// Models older than kMinConvertibleOpset: accepted when every op's
  /// definition is unchanged since the model's opset.
  mlir::LogicalResult acceptOldOpset(onnx::ModelProto &model);
  mlir::LogicalResult importGraph(const onnx::GraphProto &graph);
  mlir::LogicalResult crossCheckShapes(onnx::ModelProto &model);
  mlir::LogicalResult importNode(const onnx::NodeProto &node, int index);
  mlir::Location nodeLoc(const onnx::NodeProto &node, int index);

  mlir::MLIRContext *ctx;
  std::string filename;
  const ONNXImportOptions &options;
  mlir::OpBuilder b;
  int64_t opset = 0;
  std::unordered_map<std::string, Tensor> values;
  std::unordered_map<std::string, int> useCounts;
  std::set<std::string> graphOutputs;
  std::vector<std::pair<std::string, mlir::Value>> auxResults;
  /// The function being imported, its graph, and its dropout seed (null
  /// until a training-mode Dropout needs it).
  mlir::func::FuncOp function;
  const onnx::GraphProto *currentGraph = nullptr;
  mlir::Value seedArgument;
};

/// Converts a TensorProto (raw or typed data) to a HostTensor, checking that
/// the data matches the shape. `what` names it in the error.
bool tensorFromProto(const onnx::TensorProto &proto, HostTensor &out,
                     std::string &error);
/// Why a TensorProto cannot be read (its data does not match its dims, its
/// element count overflows, its data is external), or "" if it can.
std::string checkTensorProto(const onnx::TensorProto &proto);
/// ONNX data type -> ElemKind; false if unsupported.
bool elemKindFromONNX(int32_t type, ElemKind &kind);
const char *onnxTypeName(int32_t type);

} // namespace rev::onnx_import

#endif // REV_LIB_IMPORT_ONNX_GRAPHIMPORTER_H
