//===- rev-translate.cpp - translations in and out of MLIR ----------------===//
//
// `--import-onnx` (ONNX, binary or textual, to TOSA), `--rev-aot-sources`
// (the C header, wrappers, manifest or GPU main() around a lowered module's
// entries, for utils/aot-compile.py), and the upstream translations, e.g.
// `--mlir-to-llvmir` for the ahead-of-time path.
//
//===----------------------------------------------------------------------===//

#include "rev/Import/ONNX/ONNXImporter.h"
#include "rev/InitAll.h"
#include "rev/Runtime/AOTSources.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllTranslations.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"
#include "mlir/Tools/mlir-translate/Translation.h"

using namespace mlir;

static llvm::cl::OptionCategory
    aotCategory("--rev-aot-sources options (utils/aot-compile.py)");
static llvm::cl::list<std::string> aotEntries(
    "rev-aot-entry",
    llvm::cl::desc("Entry to export (repeatable; default: train_step or the "
                   "only public function)"),
    llvm::cl::cat(aotCategory));
static llvm::cl::opt<unsigned> aotThreads(
    "rev-aot-threads",
    llvm::cl::desc("rev-lower-cpu's threads option the code was lowered "
                   "with: > 0 makes the wrappers give the library kernels "
                   "as many"),
    llvm::cl::init(0), llvm::cl::cat(aotCategory));
static llvm::cl::opt<std::string>
    aotTarget("rev-aot-target",
              llvm::cl::desc("cpu (header, wrappers) or gpu (a program's "
                             "main())"),
              llvm::cl::init("cpu"), llvm::cl::cat(aotCategory));

static void registerAOTSourcesTranslation() {
  TranslateFromMLIRRegistration registration(
      "rev-aot-sources",
      "JSON: the entries' signatures and checks (rev.abi), and the C "
      "sources that call them: header and wrappers, or a GPU program's "
      "main()",
      [](Operation *op, llvm::raw_ostream &os) -> LogicalResult {
        auto module = dyn_cast<ModuleOp>(op);
        if (!module)
          return op->emitError("expected a module");
        if (aotTarget != "cpu" && aotTarget != "gpu")
          return op->emitError("--rev-aot-target must be cpu or gpu, not '")
                 << aotTarget << "'";
        rev::runtime::AOTOptions options;
        options.entries.assign(aotEntries.begin(), aotEntries.end());
        options.threads = aotThreads;
        options.gpu = aotTarget == "gpu";
        if (llvm::Error err =
                rev::runtime::writeAOTSources(module, options, os))
          return op->emitError(llvm::toString(std::move(err)));
        return success();
      },
      [](DialectRegistry &registry) {
        // (A lowered module: LLVM, OpenMP, GPU, NVVM... and rev's.)
        registerAllDialects(registry);
        rev::registerRevDialects(registry);
      });
}

int main(int argc, char **argv) {
  registerAllTranslations();
  rev::registerONNXImportTranslation();
  registerAOTSourcesTranslation();
  return failed(mlirTranslateMain(
      argc, argv, "rev-translate: translations in and out of MLIR\n"));
}
