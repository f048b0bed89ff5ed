// RUN: rev-opt %s --rev-build-inverse="functions=relu" -split-input-file -verify-diagnostics
// @<f>_inverse may be declared beforehand (callers use it before it is
// built), with the inverse's type; any other symbol of that name is a clash.

// expected-error @+1 {{cannot build @relu_inverse: a symbol of that name exists}}
func.func @relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = "tosa.const"() {values = dense<2.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %r = tosa.add %x, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

func.func @relu_inverse(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

func.func @relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = "tosa.const"() {values = dense<2.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %r = tosa.add %x, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// expected-error @+1 {{the declaration of @relu_inverse has type '(tensor<4xf32>) -> tensor<8xf32>', but the inverse has '(tensor<4xf32>) -> tensor<4xf32>'}}
func.func private @relu_inverse(tensor<4xf32>) -> tensor<8xf32>
