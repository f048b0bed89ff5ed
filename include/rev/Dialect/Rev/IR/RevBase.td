//===- RevBase.td - rev dialect definition -----------------*- tablegen -*-===//
//
// The `rev` dialect: reversible (invertible) building blocks of neural
// networks, at the level of TOSA tensor graphs.
//
//===----------------------------------------------------------------------===//

#ifndef REV_DIALECT_REV_IR_REVBASE_TD
#define REV_DIALECT_REV_IR_REVBASE_TD

include "mlir/IR/OpBase.td"

def Rev_Dialect : Dialect {
  let name = "rev";
  let cppNamespace = "::rev";
  let summary = "Reversible couplings and invertible computation";
  let description = [{
    The `rev` dialect represents the reversible structure of a neural network
    so that a training step can recompute activations by inverting blocks
    instead of storing them (RevNet, Gomez et al. 2017).

    Its ops work on ranked tensors, sit beside `tosa` ops in a `func.func`,
    and may use values defined above them (weights). Couplings implement
    `InvertibleOpInterface`; `rev-lower-couplings` expands them into plain
    TOSA.
  }];
  let dependentDialects = ["::mlir::tosa::TosaDialect"];
  let hasConstantMaterializer = 0;
  // The IR contract's attributes (rev/Dialect/Rev/IR/RevContract.h).
  let hasOperationAttrVerify = 1;
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
}

class Rev_Op<string mnemonic, list<Trait> traits = []>
    : Op<Rev_Dialect, mnemonic, traits>;

#endif // REV_DIALECT_REV_IR_REVBASE_TD
