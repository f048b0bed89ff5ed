// Errors of rev-differentiate about the module and its options (located at
// the module, or at the function for the loss's shape).
//
// RUN: not rev-opt %s --rev-differentiate="loss=cross-entropy function=f" 2>&1 | FileCheck %s --check-prefix=LOGITS
// LOGITS: error: cross-entropy needs logits of shape [N, C], got 'tensor<4xf32>'
// RUN: not rev-opt %s --rev-differentiate="loss=mse" 2>&1 | FileCheck %s --check-prefix=WHICH
// WHICH: error: rev-differentiate: the module has 2 public functions; choose one with function=
// RUN: not rev-opt %s --rev-differentiate="loss=mse function=nope" 2>&1 | FileCheck %s --check-prefix=NOPE
// NOPE: error: rev-differentiate: no function named @nope

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = tosa.exp %x : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

func.func @g(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
