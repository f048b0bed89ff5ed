//===- RevDialect.cpp - rev dialect ---------------------------------------===//

#include "rev/Dialect/Rev/IR/RevDialect.h"
#include "rev/Dialect/Rev/IR/RevOps.h"

using namespace mlir;
using namespace rev;

#include "rev/Dialect/Rev/IR/RevDialect.cpp.inc"

void RevDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "rev/Dialect/Rev/IR/RevOps.cpp.inc"
      >();
}
