//===- RevDialect.cpp - rev dialect ---------------------------------------===//

#include "rev/Dialect/Rev/IR/RevDialect.h"
#include "rev/Dialect/Rev/IR/RevOps.h"

#include "mlir/Transforms/InliningUtils.h"

using namespace mlir;
using namespace rev;

#include "rev/Dialect/Rev/IR/RevDialect.cpp.inc"

namespace {
/// Every rev op may be inlined: none refers to its enclosing function (the
/// couplings' regions are isolated bodies ending in rev.yield, never a
/// function's terminator), so a call of a function holding rev ops can be
/// replaced by its body.
struct RevInlinerInterface : public DialectInlinerInterface {
  using DialectInlinerInterface::DialectInlinerInterface;
  bool isLegalToInline(Operation *, Operation *, bool) const final {
    return true;
  }
  bool isLegalToInline(Operation *, Region *, bool, IRMapping &) const final {
    return true;
  }
  bool isLegalToInline(Region *, Region *, bool, IRMapping &) const final {
    return true;
  }
};
} // namespace

void RevDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "rev/Dialect/Rev/IR/RevOps.cpp.inc"
      >();
  addInterfaces<RevInlinerInterface>();
}
