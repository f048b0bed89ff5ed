//===- RevOps.h - rev dialect operations ------------------------*- C++ -*-===//

#ifndef REV_DIALECT_REV_IR_REVOPS_H
#define REV_DIALECT_REV_IR_REVOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/RegionKindInterface.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "rev/Dialect/Rev/IR/RevContract.h"
#include "rev/Dialect/Rev/IR/RevDialect.h"
#include "rev/Interfaces/InvertibleOpInterface.h"

#define GET_OP_CLASSES
#include "rev/Dialect/Rev/IR/RevOps.h.inc"

namespace rev {

/// The run-time checks' contract: rev-annotate-abi numbers each
/// rev.check_range (`rev.check_id`, in walk order) and records the checks'
/// messages, by number, in the module's `rev.checks` (an array of strings;
/// RevContract.h); the compiled code reports a failed check by its number,
/// and rev-run and the ahead-of-time runtime look the message up.
/// Numbers the module's checks and records their messages.
llvm::SmallVector<CheckRangeOp> numberRuntimeChecks(mlir::ModuleOp module);

} // namespace rev

#endif // REV_DIALECT_REV_IR_REVOPS_H
