// Parses a module with a rev.coupling, runs rev-build-inverse through the
// installed libraries, and prints the result.
#include "rev/InitAll.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

static const char *kModule = R"mlir(
func.func @block(%x1: tensor<4xf32>, %x2: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %y1, %y2 = rev.coupling %x1, %x2 : tensor<4xf32>, tensor<4xf32>
    f {
    ^bb0(%a: tensor<4xf32>):
      %r = tosa.tanh %a : (tensor<4xf32>) -> tensor<4xf32>
      rev.yield %r : tensor<4xf32>
    } g {
    ^bb0(%b: tensor<4xf32>):
      rev.yield %b : tensor<4xf32>
    }
  return %y1, %y2 : tensor<4xf32>, tensor<4xf32>
}
)mlir";

int main() {
  mlir::DialectRegistry registry;
  rev::registerRevDialects(registry);
  rev::registerRevPasses();
  mlir::MLIRContext context(registry);
  auto module = mlir::parseSourceString<mlir::ModuleOp>(kModule, &context);
  if (!module)
    return 1;
  mlir::PassManager pm(&context);
  if (mlir::failed(mlir::parsePassPipeline("rev-build-inverse", pm)) ||
      mlir::failed(pm.run(*module)))
    return 1;
  module->print(llvm::outs());
  return 0;
}
