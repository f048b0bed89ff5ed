//===- Passes.td - rev transformation passes ---------------*- tablegen -*-===//

#ifndef REV_TRANSFORMS_PASSES_TD
#define REV_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def RevLowerCouplings : Pass<"rev-lower-couplings"> {
  let summary = "Expand rev couplings into plain TOSA";
  let description = [{
    Replaces every `rev.coupling` and `rev.affine_coupling` by its forward
    computation in plain TOSA: the F, G (or S/T) regions are inlined and the
    coupling arithmetic becomes `tosa.add` / `tosa.mul`. After this pass the
    IR uses no `rev` op and any TOSA consumer (e.g. `tosa-to-linalg`) can
    take it.

    Example: `y1 = x1 + F(x2)` becomes the ops of F applied to `x2` followed
    by `tosa.add %x1, %f`.
  }];
  let dependentDialects = ["::mlir::tosa::TosaDialect"];
}

def RevBuildInverse : Pass<"rev-build-inverse", "::mlir::ModuleOp"> {
  let summary = "Build the inverse `@<name>_inverse` of invertible functions";
  let description = [{
    For each selected function whose ops are all invertible
    (`InvertibleOpInterface`, or a set of slices that partitions a tensor),
    creates a function `@<name>_inverse` that computes the function's inputs
    from its outputs, by inverting the ops in reverse order.

    The inverse takes the original results first, then the original
    arguments that are only read as context (weights), and returns the
    original data arguments (those it reconstructs), in order. Argument and
    result attributes (such as `rev.name`) follow the values.

    Used for sampling from normalizing flows and to test invertibility
    numerically: `f_inverse(f(x)) == x`.
  }];
  let options = [
    ListOption<"functions", "functions", "std::string",
               "Names of the functions to invert (default: every public "
               "function that does not end in `_inverse`)">,
  ];
  let dependentDialects = ["::mlir::tosa::TosaDialect",
                           "::mlir::func::FuncDialect"];
}

#endif // REV_TRANSFORMS_PASSES_TD
