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

/// Whether `text` may reach a defect of MLIR 22's own parsers: linalg.reduce
/// and linalg.broadcast (`dimensions = [...]`) and linalg.transpose
/// (`permutation = [...]`) store a null attribute when the list does not
/// parse, and crash (llvm/llvm-project#132747; docs/reliability.md). Such
/// inputs are skipped, so that the fuzzer keeps looking for rev's defects:
/// any `dimensions` or `permutation` keyword in a text that names a linalg
/// op, followed by `=` and anything but a well-formed list of integers.
static bool mayHitLinalgListParserDefect(llvm::StringRef text) {
  if (!text.contains("linalg"))
    return false;
  for (llvm::StringRef key : {"dimensions", "permutation"}) {
    for (size_t at = text.find(key); at != llvm::StringRef::npos;
         at = text.find(key, at + 1)) {
      llvm::StringRef rest = text.drop_front(at + key.size()).ltrim();
      if (!rest.consume_front("="))
        continue;
      rest = rest.ltrim();
      if (!rest.consume_front("["))
        return true;
      // [int, int, ...] or []
      rest = rest.ltrim();
      if (rest.consume_front("]"))
        continue;
      while (true) {
        rest.consume_front("-");
        size_t digits = rest.find_first_not_of("0123456789");
        if (digits == 0 || digits == llvm::StringRef::npos)
          return true;
        rest = rest.drop_front(digits).ltrim();
        if (rest.consume_front("]"))
          break;
        if (!rest.consume_front(","))
          return true;
        rest = rest.ltrim();
      }
    }
  }
  return false;
}

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
  // (the tools refuse such text too: rev::checkTextNesting)
  if (mayHitLinalgListParserDefect(source) ||
      rev::checkTextNesting(source, "input"))
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
