//===- InitAll.cpp - register everything rev provides ---------------------===//

#include "rev/InitAll.h"

#include "rev/Autodiff/VJPOpInterface.h"
#include "rev/Dialect/Rev/IR/RevDialect.h"
#include "rev/Interfaces/InvertibleOpInterface.h"
#include "rev/Transforms/Passes.h"
#include "rev/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/DialectRegistry.h"

void rev::registerRevDialects(mlir::DialectRegistry &registry) {
  registry.insert<rev::RevDialect, mlir::tosa::TosaDialect,
                  mlir::func::FuncDialect>();
  registerInvertibleOpInterfaceExternalModels(registry);
  registerVJPOpInterfaceExternalModels(registry);
}

void rev::registerRevPasses() {
  registerRevTransformsPasses();
  registerTrainPipeline();
  registerRevConversionPasses();
  registerLowerCPUPipeline();
  registerLowerGPUPipeline();
}
