//===- fuzz-onnx-import.cpp - the ONNX importer on arbitrary bytes --------===//
//
// Binary ModelProto or ONNX's textual syntax (chosen as rev's tools choose:
// text starts with `<`), through ONNX's checks, shape inference and version
// converter, into TOSA, verified. Diagnostics are expected; crashes,
// sanitizer reports and hangs are bugs.
//
//===----------------------------------------------------------------------===//

#include "rev/Import/ONNX/ONNXImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static mlir::MLIRContext *context = [] {
    auto *ctx = new mlir::MLIRContext(mlir::MLIRContext::Threading::DISABLED);
    ctx->loadDialect<mlir::func::FuncDialect, mlir::tosa::TosaDialect>();
    return ctx;
  }();
  mlir::ScopedDiagnosticHandler quiet(
      context, [](mlir::Diagnostic &) { return mlir::success(); });
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  rev::ONNXImportOptions options;
  (void)rev::importONNXModel(bytes, "fuzz.onnx", context, options);
  (void)rev::listONNXGraphInputs(bytes);
  return 0;
}
