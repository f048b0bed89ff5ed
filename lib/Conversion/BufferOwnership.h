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
/// On a `func.call`: the results (by number) that are buffers the caller
/// owns and must free (rev-pass-ownership).
inline constexpr llvm::StringLiteral kOwnedResultsAttrName =
    "rev.owned_results";
/// On a function that rev-outline-segments made: bufferization makes only
/// the results marked kOutParamAttrName out-parameters; the others stay
/// returned buffers, each a fresh allocation that the caller owns.
inline constexpr llvm::StringLiteral kSegmentAttrName = "rev.segment";
/// On a result of a segment: the caller returns it.
inline constexpr llvm::StringLiteral kOutParamAttrName = "rev.out_param";

/// The buffer that `v` is, or is a view of (subviews, reshapes, casts),
/// when the code of `block` owns it: an allocation in `block`, or a result
/// of a call in `block` that hands it over (rev.owned_results). Null
/// otherwise.
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
