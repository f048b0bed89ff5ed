//===- RevOps.h - rev dialect operations ------------------------*- C++ -*-===//

#ifndef REV_DIALECT_REV_IR_REVOPS_H
#define REV_DIALECT_REV_IR_REVOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/RegionKindInterface.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "rev/Dialect/Rev/IR/RevDialect.h"
#include "rev/Interfaces/InvertibleOpInterface.h"

#define GET_OP_CLASSES
#include "rev/Dialect/Rev/IR/RevOps.h.inc"

#endif // REV_DIALECT_REV_IR_REVOPS_H
