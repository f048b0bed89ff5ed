//===- fuzz-mlir.cpp - the MLIR parser, rev's verifiers and passes --------===//
//
// Parses the input as MLIR with every dialect rev-opt registers, verifies it
// (the rev ops' verifiers included), and runs rev's graph-level passes on
// what verifies: finding couplings, building inverses, differentiating,
// reconstructing activations and the memory report. Diagnostics are
// expected; crashes and sanitizer reports are bugs.
//
//===----------------------------------------------------------------------===//

#include "rev/InitAll.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "rev/Utils/TextChecks.h"

#include <cstddef>
#include <cstdint>
#include <string>

using namespace mlir;

// The pipelines, in the order rev-opt's users run them.
static const char *const kPipelines[] = {
    "func.func(rev-form-couplings)",
    "func.func(rev-form-couplings),rev-build-inverse",
    "func.func(rev-form-couplings),rev-differentiate,"
    "rev-reconstruct-activations,rev-memory-report{quiet}",
    "rev-differentiate{loss=vjp},rev-memory-report{quiet}",
    "rev-train{mode=reversible loss=vjp}",
    "func.func(rev-lower-couplings)",
    // (run-time checks: reports on buffers in the input lowered for the
    // CPU, then the input's checks expanded)
    "rev-lower-check-reports,rev-expand-checks",
};

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static MLIRContext *context = [] {
    rev::registerRevPasses();
    DialectRegistry registry;
    registerAllDialects(registry);
    rev::registerRevDialects(registry);
    auto *ctx = new MLIRContext(registry, MLIRContext::Threading::DISABLED);
    ctx->loadAllAvailableDialects();
    return ctx;
  }();
  // The first byte picks the pipeline; the rest is the module.
  if (size < 1)
    return 0;
  const char *pipeline = kPipelines[data[0] % std::size(kPipelines)];
  // The parser reads a null-terminated buffer, as the tools' files are.
  std::string text(reinterpret_cast<const char *>(data + 1), size - 1);
  llvm::StringRef source(text.c_str(), text.size());
  // Text that reaches defects of MLIR's own parser (a stack overflow in deep
  // nesting; linalg's list parsers, llvm/llvm-project#132747): the tools
  // refuse it with this same check, so it must catch every such input.
  if (rev::checkMLIRText(source, "input"))
    return 0;
  ScopedDiagnosticHandler quiet(context,
                                [](Diagnostic &) { return success(); });
  ParserConfig config(context);
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(source, config);
  if (!module || failed(verify(*module)))
    return 0;
  PassManager pm(context, ModuleOp::getOperationName());
  if (failed(parsePassPipeline(pipeline, pm)))
    __builtin_trap(); // the pipelines above are fixed and must parse
  (void)pm.run(*module);
  return 0;
}
