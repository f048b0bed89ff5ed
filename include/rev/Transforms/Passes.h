//===- Passes.h - rev transformation passes ---------------------*- C++ -*-===//

#ifndef REV_TRANSFORMS_PASSES_H
#define REV_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace rev {

#define GEN_PASS_DECL
#include "rev/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "rev/Transforms/Passes.h.inc"

} // namespace rev

#endif // REV_TRANSFORMS_PASSES_H
