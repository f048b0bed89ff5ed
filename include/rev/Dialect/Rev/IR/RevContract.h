//===- RevContract.h - the IR contract between rev's passes ------*- C++
//-*-===//
//
// The names rev's passes, tools and users agree on, spelled once. The rev
// dialect verifies them (RevDialect::verifyOperationAttribute and
// verifyRegion{Arg,Result}Attribute): an attribute of the contract with the
// wrong kind of value is an error where it appears, not a surprise three
// passes later.
//
//   rev.name       (argument, result)  StringAttr: the tensor's name (ONNX
//                                      input or initializer name, `loss`,
//                                      `grad.<name>`, `tape.<k>`, ...)
//   rev.param      (argument)          UnitAttr: a parameter (an ONNX
//                                      initializer)
//   rev.trainable  (argument)          BoolAttr: false for a parameter with
//                                      no gradient (BatchNorm statistics)
//   rev.backward   (function)          FlatSymbolRefAttr: the forward's
//                                      backward; rev.forward the converse
//   rev.abi        (function)          DictionaryAttr {args, results}: each
//                                      a list of {name, type[, device]}
//   rev.checks     (module)            ArrayAttr of StringAttr: run-time
//                                      checks' messages, by number
//   rev.check_id   (rev.check_range)   IntegerAttr: the check's number
//   rev.store      (rev.coupling,      UnitAttr: rev-plan-memory chose to
//                   rev.affine_coupling) store this coupling's activations
//                                      (rev-lower-couplings only-marked)
//   rev.kept_because (result)          StringAttr: why a tape entry of a
//                                      reversible step's forward stays on
//                                      the tape (rev-reconstruct-activations;
//                                      rev-memory-report shows it)
//   rev.memory_plan (function)         DictionaryAttr: the plan of
//                                      rev-plan-memory (integers: budget,
//                                      estimated_peak, minimum_peak,
//                                      couplings, stored,
//                                      recompute_segments: rev-differentiate
//                                      then recomputes segments)
//
// and the prefixes of result and argument names: `tape.` (a tape entry),
// `grad.` (a gradient or cotangent), `running_mean.` / `running_var.`
// (BatchNorm statistics returned by a training step), `reconstruction_error.`
// (rev-reconstruct-activations numerics=true).
//
//===----------------------------------------------------------------------===//

#ifndef REV_DIALECT_REV_IR_REVCONTRACT_H
#define REV_DIALECT_REV_IR_REVCONTRACT_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace rev {

inline constexpr llvm::StringLiteral kNameAttr = "rev.name";
inline constexpr llvm::StringLiteral kParamAttr = "rev.param";
inline constexpr llvm::StringLiteral kTrainableAttr = "rev.trainable";
inline constexpr llvm::StringLiteral kBackwardAttr = "rev.backward";
inline constexpr llvm::StringLiteral kForwardAttr = "rev.forward";
inline constexpr llvm::StringLiteral kABIAttr = "rev.abi";
inline constexpr llvm::StringLiteral kChecksAttr = "rev.checks";
inline constexpr llvm::StringLiteral kCheckIdAttr = "rev.check_id";
inline constexpr llvm::StringLiteral kStoreAttr = "rev.store";
inline constexpr llvm::StringLiteral kMemoryPlanAttr = "rev.memory_plan";
inline constexpr llvm::StringLiteral kKeptBecauseAttr = "rev.kept_because";
inline constexpr llvm::StringLiteral kRecomputeSegmentsKey =
    "recompute_segments";

/// The imported function's argument that seeds its training-mode dropout
/// (rev.random_stream): an int64 scalar, `tensor<i64>`.
inline constexpr llvm::StringLiteral kDropoutSeedName = "dropout_seed";

inline constexpr llvm::StringLiteral kTapePrefix = "tape.";
inline constexpr llvm::StringLiteral kGradPrefix = "grad.";
inline constexpr llvm::StringLiteral kRunningMeanPrefix = "running_mean.";
inline constexpr llvm::StringLiteral kRunningVarPrefix = "running_var.";
inline constexpr llvm::StringLiteral kReconstructionErrorPrefix =
    "reconstruction_error.";

/// The rev.name in an argument's or result's attributes (null if none).
mlir::StringAttr nameOf(mlir::DictionaryAttr attrs);
/// `{rev.name = name}`.
mlir::NamedAttribute nameAttr(mlir::MLIRContext *ctx, llvm::StringRef name);
/// A dictionary holding only `rev.name = name`.
mlir::DictionaryAttr namedAttrs(mlir::MLIRContext *ctx, llvm::StringRef name);

/// "grad.<name>" / "tape.<index>".
std::string gradName(llvm::StringRef name);
std::string tapeName(unsigned index);
bool isTapeName(llvm::StringRef name);
/// Whether `name` is a BatchNorm running statistic returned by a step.
bool isRunningStatName(llvm::StringRef name);

/// Whether argument `i` of `fn` is marked rev.param / rev.trainable = false.
bool isParam(mlir::FunctionOpInterface fn, unsigned i);
bool isUntrainable(mlir::FunctionOpInterface fn, unsigned i);
/// Whether argument `i` of `fn` is the dropout seed (rev.name
/// "dropout_seed").
bool isDropoutSeed(mlir::FunctionOpInterface fn, unsigned i);

/// Replaces `fn`'s results: their types, then their attributes (one
/// dictionary per type), keeping the body as it is (callers rewrite the
/// terminator).
void setResults(mlir::FunctionOpInterface fn, mlir::TypeRange types,
                llvm::ArrayRef<mlir::DictionaryAttr> attrs);

} // namespace rev

#endif // REV_DIALECT_REV_IR_REVCONTRACT_H
