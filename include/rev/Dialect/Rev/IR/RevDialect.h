//===- RevDialect.h - rev dialect -------------------------------*- C++ -*-===//

#ifndef REV_DIALECT_REV_IR_REVDIALECT_H
#define REV_DIALECT_REV_IR_REVDIALECT_H

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Dialect.h"

#include "rev/Dialect/Rev/IR/RevDialect.h.inc"

#endif // REV_DIALECT_REV_IR_REVDIALECT_H
