//===- rev-opt.cpp - the rev optimizer driver -----------------------------===//
//
// MlirOptMain with the rev dialect, rev's passes and pipelines, and the
// upstream dialects, passes and extensions they build on.
//
//===----------------------------------------------------------------------===//

#include "rev/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  rev::registerRevPasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  rev::registerRevDialects(registry);

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "rev-opt: reversible-network compiler driver\n", registry));
}
