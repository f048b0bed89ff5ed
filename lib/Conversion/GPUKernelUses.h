//===- GPUKernelUses.h - who touches a GPU buffer ---------------*- C++ -*-===//
//
// Shared by rev-gpu-device-buffers and rev-gpu-device-arguments (internal to
// lib/Conversion).
//
//===----------------------------------------------------------------------===//

#ifndef REV_LIB_CONVERSION_GPUKERNELUSES_H
#define REV_LIB_CONVERSION_GPUKERNELUSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace rev {

/// Whether every use of `value` (and of its views) is inside a gpu.launch or
/// a rev.gpu_library_call, or is accepted by `otherUse`.
bool onlyKernelsTouch(mlir::Value value,
                      llvm::function_ref<bool(mlir::OpOperand &)> otherUse);

/// Whether only kernels (and library calls) touch `value`, following it
/// through views and through calls into `module`'s functions, whose
/// arguments are checked the same way; `otherUse` may accept more uses.
/// `known` memoizes function arguments (the call graph of a lowered
/// training step has no cycles).
bool onlyKernelsTouchThroughCalls(
    mlir::ModuleOp module, mlir::Value value,
    llvm::DenseMap<mlir::BlockArgument, bool> &known,
    llvm::function_ref<bool(mlir::OpOperand &)> otherUse =
        [](mlir::OpOperand &) { return false; });

} // namespace rev

#endif // REV_LIB_CONVERSION_GPUKERNELUSES_H
