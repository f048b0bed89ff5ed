//===- VJPOpInterface.td - reverse-mode differentiation ----*- tablegen -*-===//

#ifndef REV_AUTODIFF_VJPOPINTERFACE_TD
#define REV_AUTODIFF_VJPOPINTERFACE_TD

include "mlir/IR/OpBase.td"

def VJPOpInterface : OpInterface<"VJPOpInterface"> {
  let cppNamespace = "::rev";
  let description = [{
    An op that knows its vector-Jacobian product (its reverse-mode
    derivative): given the cotangents of its results, it builds the
    cotangents of its operands.

    The rule builds into a `::rev::VJPContext`, which supplies the op's
    primal values where the derivative is built (`ctx.primal(v)`: from the
    tape, from the backward function's arguments, or recomputed), the
    cotangents of its results (`ctx.cotangent(i)`, null when zero), and
    accumulates the operands' cotangents (`ctx.accumulate(operand, grad)`,
    which sums over multiple uses). Rules skip operands for which
    `ctx.needsGradient(operand)` is false.

    External models attach the interface to the TOSA ops the ONNX importer
    produces and to the rev couplings, all from
    `rev::registerVJPOpInterfaceExternalModels` (in the manner of
    Enzyme-MLIR's AutoDiffOpInterface implementations).
  }];
  let methods = [
    InterfaceMethod<
      /*desc=*/"Builds the VJP of this op into `ctx`.",
      /*retTy=*/"::mlir::LogicalResult",
      /*methodName=*/"buildVJP",
      /*args=*/(ins "::rev::VJPContext &":$ctx)>,
  ];
}

#endif // REV_AUTODIFF_VJPOPINTERFACE_TD
