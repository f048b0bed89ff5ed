//===- Translation.cpp - command-line entry points of the importer --------===//

#include "rev/Import/ONNX/ONNXImporter.h"

#include "rev/Dialect/Rev/IR/RevDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/ManagedStatic.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

namespace {

struct ImportOptionsCL {
  llvm::cl::opt<std::string> weights{
      "onnx-weights",
      llvm::cl::desc("How ONNX initializers are imported: 'arguments' "
                     "(function arguments, so that gradients exist for "
                     "them; the default) or 'constants'"),
      llvm::cl::init("arguments")};
  llvm::cl::list<std::string> inputShapes{
      "onnx-input-shape",
      llvm::cl::desc("Static shape for a graph input with symbolic "
                     "dimensions, NAME:D0,D1,... (repeatable)"),
      llvm::cl::value_desc("NAME:D0,D1,...")};
  llvm::cl::opt<std::string> bnRunningVar{
      "onnx-bn-running-var",
      llvm::cl::desc("Batch variance used to update BatchNormalization's "
                     "running variance in training mode: 'biased' (ONNX, the "
                     "default) or 'unbiased' (PyTorch)"),
      llvm::cl::init("biased")};
  llvm::cl::opt<bool> listOps{
      "onnx-list-supported-ops",
      llvm::cl::desc("Print the ONNX ops the importer supports and exit"),
      llvm::cl::init(false)};
  llvm::cl::opt<std::string> functionName{
      "onnx-func-name", llvm::cl::desc("Name of the imported function"),
      llvm::cl::init("model")};
};

llvm::ManagedStatic<ImportOptionsCL> clOptions;

} // namespace

namespace rev {

void registerONNXImportCommandLineOptions() { *clOptions; }

llvm::Expected<ONNXImportOptions> getONNXImportOptionsFromCommandLine() {
  ONNXImportOptions parsed;
  auto error = [](const llvm::Twine &message) {
    return llvm::createStringError(std::errc::invalid_argument,
                                   message.str().c_str());
  };
  if (clOptions->listOps) {
    for (const std::string &op : listSupportedONNXOps())
      llvm::outs() << op << "\n";
    exit(0);
  }
  if (clOptions->weights == "constants")
    parsed.weights = ONNXImportOptions::Weights::Constants;
  else if (clOptions->weights != "arguments")
    return error("--onnx-weights must be 'arguments' or 'constants', not '" +
                 clOptions->weights + "'");
  for (const std::string &spec : clOptions->inputShapes) {
    std::string message = parseInputShapeOption(spec, parsed);
    if (!message.empty())
      return error(message);
  }
  parsed.functionName = clOptions->functionName;
  if (clOptions->bnRunningVar == "unbiased")
    parsed.unbiasedRunningVar = true;
  else if (clOptions->bnRunningVar != "biased")
    return error("--onnx-bn-running-var must be 'biased' or 'unbiased', not '" +
                 clOptions->bnRunningVar + "'");
  return parsed;
}

void registerONNXImportTranslation() {
  registerONNXImportCommandLineOptions();
  TranslateToMLIRRegistration reg(
      "import-onnx",
      "Import an ONNX model (binary, or ONNX's textual syntax) into TOSA",
      [](llvm::SourceMgr &sourceMgr,
         MLIRContext *context) -> OwningOpRef<Operation *> {
        const llvm::MemoryBuffer *buffer =
            sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
        StringRef name = buffer->getBufferIdentifier();
        // An error fails the translation (and mlir-translate then removes
        // its output file) rather than exiting with the file half-written.
        llvm::Expected<ONNXImportOptions> options =
            getONNXImportOptionsFromCommandLine();
        if (!options) {
          emitError(UnknownLoc::get(context))
              << llvm::toString(options.takeError());
          return nullptr;
        }
        return importONNXModel(buffer->getBuffer(), name, context, *options);
      },
      [](DialectRegistry &registry) {
        registry.insert<func::FuncDialect, tosa::TosaDialect, RevDialect>();
      });
}

} // namespace rev
