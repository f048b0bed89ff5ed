//===- InvertMatrices.cpp - allow inverting learned 1x1 convolutions ------===//
//
// rev-invert-matrices: sets the module attribute that lets
// InvertibleOpInterface invert a square 1x1 convolution by a learned matrix
// (rev::isSquareChannelMatrix).
//
//===----------------------------------------------------------------------===//

#include "rev/Interfaces/InvertibleOpInterface.h"
#include "rev/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"

namespace rev {
#define GEN_PASS_DEF_REVINVERTMATRICES
#include "rev/Transforms/Passes.h.inc"
} // namespace rev

using namespace mlir;

namespace {
struct RevInvertMatrices
    : public rev::impl::RevInvertMatricesBase<RevInvertMatrices> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    module->setAttr(rev::kInvertMatricesAttr, UnitAttr::get(&getContext()));
    markAllAnalysesPreserved();
  }
};
} // namespace
