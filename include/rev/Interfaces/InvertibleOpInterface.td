//===- InvertibleOpInterface.td ----------------------------*- tablegen -*-===//

#ifndef REV_INTERFACES_INVERTIBLEOPINTERFACE_TD
#define REV_INTERFACES_INVERTIBLEOPINTERFACE_TD

include "mlir/IR/OpBase.td"

def InvertibleOpInterface : OpInterface<"InvertibleOpInterface"> {
  let cppNamespace = "::rev";
  let description = [{
    An op whose operands can be computed from its results. Some operands are
    *inverted* (recomputed by the inverse); the others are *context* (weights,
    constants, a shape) that the inverse reads as they are. Whether an op is
    invertible can depend on its context: `tosa.add` is invertible in one
    operand when the other is a constant or a function argument.
    `getInvertedOperands` returns an empty list when the op is not invertible
    where it stands.

    The couplings of the `rev` dialect implement the interface; external
    models attach it to upstream ops (`tosa.reshape`, `tosa.transpose`,
    `tosa.concat`, elementwise ops with a constant), registered by
    `rev::registerInvertibleOpInterfaceExternalModels`.
  }];

  let methods = [
    InterfaceMethod<
      /*desc=*/[{
        The indices of the operands that the inverse recomputes, in the order
        `buildInverse` returns them. Empty if the op is not invertible here.
      }],
      /*retTy=*/"::llvm::SmallVector<unsigned>",
      /*methodName=*/"getInvertedOperands",
      /*args=*/(ins)>,
    InterfaceMethod<
      /*desc=*/[{
        Builds the inverse at the builder's insertion point: given `results`
        (values standing for each of the op's results), returns the values of
        the operands listed by `getInvertedOperands`. Context operands and
        values the op's regions use from above are looked up in `mapping`
        (values absent from it are used as they are), so that the inverse can
        be built in another function. Fails (with a diagnostic) if the op is
        not invertible here.
      }],
      /*retTy=*/"::mlir::FailureOr<::llvm::SmallVector<::mlir::Value>>",
      /*methodName=*/"buildInverse",
      /*args=*/(ins "::mlir::OpBuilder &":$builder,
                    "::mlir::ValueRange":$results,
                    "::mlir::IRMapping &":$mapping)>,
  ];
}

#endif // REV_INTERFACES_INVERTIBLEOPINTERFACE_TD
