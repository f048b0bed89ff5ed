//===- ONNXImporter.h - import ONNX models into TOSA ------------*- C++ -*-===//
//
// Imports an ONNX model (binary protobuf as written by torch.onnx.export, or
// ONNX's textual syntax) into a `func.func` of TOSA ops on statically shaped
// tensors. See docs/onnx-import.md.
//
//===----------------------------------------------------------------------===//

#ifndef REV_IMPORT_ONNX_ONNXIMPORTER_H
#define REV_IMPORT_ONNX_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace rev {

struct ONNXImportOptions {
  /// Initializers become function arguments (so that gradients exist for
  /// them) or constants.
  enum class Weights { Arguments, Constants };
  Weights weights = Weights::Arguments;
  /// Static shapes for graph inputs with symbolic dimensions
  /// (`--onnx-input-shape=NAME:2,3,32,32`).
  llvm::StringMap<std::vector<int64_t>> inputShapes;
  /// Name of the imported function.
  std::string functionName = "model";
  /// BatchNormalization in training mode updates the running variance with
  /// the unbiased batch variance (PyTorch) instead of the biased one (ONNX).
  bool unbiasedRunningVar = false;
  /// Integer or bool graph inputs bound to known values at import time (they
  /// usually carry shapes or axes, which must be static). They do not become
  /// function arguments.
  struct IntegerInput {
    std::vector<int64_t> shape;
    std::vector<int64_t> values;
  };
  llvm::StringMap<IntegerInput> constantInputs;
};

/// The names, positions and ONNX element types of a model's graph inputs
/// (initializers excluded), read without importing it; empty on failure.
struct ONNXGraphInput {
  std::string name;
  bool isInteger = false; // int64, int32 or bool
};
std::vector<ONNXGraphInput> listONNXGraphInputs(llvm::StringRef contents);

/// True if `contents` looks like an ONNX model: binary protobuf whose first
/// fields are those of a ModelProto, or ONNX's textual syntax; a `.onnx`
/// extension alone is not enough (the importer reports corrupt files).
bool looksLikeONNX(llvm::StringRef filename, llvm::StringRef contents);

/// Imports an ONNX model. On failure, emits diagnostics located at the ONNX
/// node at fault (or the file) and returns null.
mlir::OwningOpRef<mlir::ModuleOp>
importONNXModel(llvm::StringRef contents, llvm::StringRef filename,
                mlir::MLIRContext *context, const ONNXImportOptions &options);

/// Parses `NAME:D0,D1,...` into `options.inputShapes`. Returns an error
/// message, or an empty string.
std::string parseInputShapeOption(llvm::StringRef spec,
                                  ONNXImportOptions &options);

/// The ONNX op types the importer converts (default domain), sorted.
std::vector<std::string> listSupportedONNXOps();

/// Registers the `--import-onnx` translation (and its options) for
/// mlir-translate-style tools.
void registerONNXImportTranslation();

/// Registers the `--onnx-*` command-line options shared by rev's tools and
/// returns the options they set (valid after command-line parsing), or an
/// error naming the malformed option. `--onnx-list-supported-ops` prints the
/// list and exits.
llvm::Expected<ONNXImportOptions> getONNXImportOptionsFromCommandLine();
void registerONNXImportCommandLineOptions();

} // namespace rev

#endif // REV_IMPORT_ONNX_ONNXIMPORTER_H
