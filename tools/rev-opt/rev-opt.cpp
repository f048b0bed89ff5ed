//===- rev-opt.cpp - the rev optimizer driver -----------------------------===//
//
// MlirOptMain with the rev dialect, rev's passes and pipelines, and the
// upstream dialects, passes and extensions they build on. An ONNX model
// (recognized by extension or content) is imported to TOSA first, so
//   rev-opt model.onnx --rev-train="mode=reversible loss=cross-entropy"
// works directly.
//
//===----------------------------------------------------------------------===//

#include "rev/Import/ONNX/ONNXImporter.h"
#include "rev/InitAll.h"
#include "rev/Utils/TextChecks.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;

/// Imports an ONNX model and returns it as MLIR text (with the ONNX node
/// locations), or null after reporting the errors.
static std::unique_ptr<llvm::MemoryBuffer>
importToText(const llvm::MemoryBuffer &input, StringRef filename,
             DialectRegistry &registry) {
  MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  llvm::Expected<rev::ONNXImportOptions> options =
      rev::getONNXImportOptionsFromCommandLine();
  if (!options) {
    llvm::errs() << "error: " << llvm::toString(options.takeError()) << "\n";
    return nullptr;
  }
  OwningOpRef<ModuleOp> module =
      rev::importONNXModel(input.getBuffer(), filename, &context, *options);
  if (!module)
    return nullptr;
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os, OpPrintingFlags().enableDebugInfo());
  return llvm::MemoryBuffer::getMemBufferCopy(text, filename);
}

int main(int argc, char **argv) {
  llvm::InitLLVM y(argc, argv);
  registerAllPasses();
  rev::registerRevPasses();
  rev::registerONNXImportCommandLineOptions();

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  // rev-lower-gpu serializes its kernels (NVVM -> PTX) inside the pipeline.
  registerAllGPUToLLVMIRTranslations(registry);
  rev::registerRevDialects(registry);

  auto [inputFilename, outputFilename] = registerAndParseCLIOptions(
      argc, argv,
      "rev-opt: the reversible-network compiler driver (MLIR or ONNX input)\n",
      registry);
  MlirOptMainConfig config = MlirOptMainConfig::createFromCLOptions();

  std::string errorMessage;
  std::unique_ptr<llvm::MemoryBuffer> input =
      openInputFile(inputFilename, &errorMessage);
  if (!input) {
    llvm::errs() << errorMessage << "\n";
    return 1;
  }
  if (rev::looksLikeONNX(inputFilename, input->getBuffer())) {
    input = importToText(*input, inputFilename, registry);
    if (!input)
      return 1;
  } else if (auto refused =
                 rev::checkMLIRText(input->getBuffer(), inputFilename)) {
    llvm::errs() << refused->where << ": error: " << refused->what << "\n";
    return 1;
  }
  // The output file is removed again unless everything succeeds.
  std::unique_ptr<llvm::ToolOutputFile> output =
      openOutputFile(outputFilename, &errorMessage);
  if (!output) {
    llvm::errs() << errorMessage << "\n";
    return 1;
  }
  if (failed(MlirOptMain(output->os(), std::move(input), registry, config)))
    return 1;
  output->keep();
  return 0;
}
