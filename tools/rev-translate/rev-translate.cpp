//===- rev-translate.cpp - translations in and out of MLIR ----------------===//
//
// `--import-onnx` (ONNX, binary or textual, to TOSA) and the upstream
// translations, e.g. `--mlir-to-llvmir` for the ahead-of-time path.
//
//===----------------------------------------------------------------------===//

#include "rev/Import/ONNX/ONNXImporter.h"

#include "mlir/InitAllTranslations.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  mlir::registerAllTranslations();
  rev::registerONNXImportTranslation();
  return mlir::failed(mlir::mlirTranslateMain(
      argc, argv, "rev-translate: translations in and out of MLIR\n"));
}
