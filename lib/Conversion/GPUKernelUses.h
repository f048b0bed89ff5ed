//===- GPUKernelUses.h - who touches a GPU buffer ---------------*- C++ -*-===//
//
// Shared by rev-gpu-device-buffers and rev-gpu-device-arguments (internal to
// lib/Conversion).
//
//===----------------------------------------------------------------------===//

#ifndef REV_LIB_CONVERSION_GPUKERNELUSES_H
#define REV_LIB_CONVERSION_GPUKERNELUSES_H

#include "mlir/IR/Value.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace rev {

/// Whether every use of `value` (and of its views) is inside a gpu.launch
/// or is accepted by `otherUse`.
bool onlyKernelsTouch(mlir::Value value,
                      llvm::function_ref<bool(mlir::OpOperand &)> otherUse);

} // namespace rev

#endif // REV_LIB_CONVERSION_GPUKERNELUSES_H
