//===- Availability.h - what the backward has of a forward value -*- C++
//-*-===//
//
// One classification of the values of a function body, shared by
// rev-form-couplings (what a coupling's F and G may read besides their
// argument), rev-differentiate (what the backward recomputes instead of
// putting on the tape) and rev-reconstruct-activations (what an inverse may
// read):
//
//  - parameter-derived: computed only from parameters (arguments marked
//    `rev.param`: weights, running statistics; and the `dropout_seed`) and
//    constants by pure ops without regions (BatchNorm's eval-mode scale and
//    shift, ActNorm's exp(logs), a permutation's indices, the random streams
//    of dropout). Recomputed in the backward.
//  - view: a cheap view or copy (reshape, transpose, cast, slice, reverse,
//    identity; concat, pad, tile, gather) of arguments, parameter-derived
//    values and other views. Recomputed (exactly: never rebuilt by an
//    inverse).
//  - activation: anything else. Stored, or reconstructed by an inverse.
//
//===----------------------------------------------------------------------===//

#ifndef REV_ANALYSIS_AVAILABILITY_H
#define REV_ANALYSIS_AVAILABILITY_H

#include "mlir/IR/Block.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/DenseMap.h"

#include <string>

namespace rev {

enum class ValueClass {
  Argument,         // an argument of the body that is not a parameter
  Parameter,        // parameter-derived (or a parameter itself)
  View,             // a cheap view of arguments and parameter-derived values
  Activation,       // computed from the data: stored or inverted
};

/// Ops cheaper to recompute from their operands than to keep: elementwise
/// arithmetic, comparisons, selects, casts, reshapes and rev.dropout (its
/// mask is regenerated from its stream) with one result and no side effects
/// (rev-differentiate's recompute-elementwise, rev-rematerialize).
bool isCheapElementwise(mlir::Operation *op);

/// Marks the scf.forall of an elementwise op that rev-cpu-codegen tiled:
/// as cheap to repeat as the op (rev-rematerialize).
inline constexpr llvm::StringLiteral kElementwiseAttrName = "rev.elementwise";

class ValueClassifier {
public:
  /// Classifies values of `body` (a function's entry block). Arguments of
  /// `body` marked `rev.param` in `argAttrs` are parameters.
  explicit ValueClassifier(mlir::Block &body);

  ValueClass classify(mlir::Value v);

  /// Parameter-derived: a parameter, a constant, or a pure region-free op of
  /// `body` whose operands are all parameter-derived.
  bool isParameterDerived(mlir::Value v) {
    return classify(v) == ValueClass::Parameter;
  }
  /// Recomputable in the backward without storing anything: an argument, a
  /// parameter-derived value or a view.
  bool isRecomputable(mlir::Value v) {
    return classify(v) != ValueClass::Activation;
  }

private:
  llvm::DenseMap<mlir::Value, ValueClass> cache;
};

} // namespace rev

#endif // REV_ANALYSIS_AVAILABILITY_H
