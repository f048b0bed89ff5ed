//===- BufferOwnership.h - who frees a buffer (rev-insert-deallocs) ------===//
//
// Shared by rev-insert-deallocs and rev-pass-ownership.
//
//===----------------------------------------------------------------------===//

#ifndef REV_LIB_CONVERSION_BUFFEROWNERSHIP_H
#define REV_LIB_CONVERSION_BUFFEROWNERSHIP_H

#include "mlir/IR/Block.h"
#include "mlir/IR/Value.h"
#include "mlir/Support/LLVM.h"

namespace rev {

/// On a `func.call`: the operands (by number) whose buffers the callee
/// frees (rev-pass-ownership); the caller must not free them.
inline constexpr llvm::StringLiteral kOwnedOperandsAttrName =
    "rev.owned_operands";
/// On a function argument: the function frees this buffer.
inline constexpr llvm::StringLiteral kOwnedArgAttrName = "rev.owned";
/// The allocation in `block` that `v` is, or is a view of (subviews,
/// reshapes, casts); null if none.
mlir::Value ownedRoot(mlir::Value v, mlir::Block *block);

/// The last op of `block` that uses `root` or one of its aliases (views,
/// casts, results of region ops that may forward it, region arguments bound
/// to it): null if there is no use; failure if an alias escapes (returned,
/// stored, used outside `block`, passed to a call that takes ownership of
/// it) or is already freed.
mlir::FailureOr<mlir::Operation *> lastUseOfAliases(mlir::Value root,
                                                    mlir::Block *block);

} // namespace rev

#endif // REV_LIB_CONVERSION_BUFFEROWNERSHIP_H
