// RUN: rev-opt %s --rev-differentiate="loss=mse function=f" -split-input-file -verify-diagnostics
// RUN: not rev-opt %s --rev-differentiate="loss=hinge function=f" -split-input-file 2>&1 | FileCheck %s --check-prefix=LOSS
// (loss is an enum option: the pass pipeline parser rejects an unknown one.)
// LOSS: for the --loss option: Cannot find option named 'hinge'!

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{cannot differentiate 'tosa.sin': no VJP rule (VJPOpInterface)}}
  %y = tosa.sin %x : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// expected-error @+1 {{a loss needs exactly one model output, but @f has 2; use loss=vjp for several}}
func.func @f(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  return %x, %x : tensor<4xf32>, tensor<4xf32>
}

// -----

// expected-error @+1 {{cannot differentiate @f: @train_step exists}}
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
func.func private @train_step()

// -----

// RUN: not rev-opt %s --rev-differentiate="loss=mse function=f wrt=nope" -split-input-file 2>&1 | FileCheck %s --check-prefix=WRT
// WRT: error: wrt names 'nope', which is not an argument of @f
func.func @f(%x: tensor<4xf32> {rev.name = "x"}) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

// rev.name must be a string (a unit attribute crashed the pass; found by
// fuzzing): the rev dialect's verifier of the IR contract rejects it before
// any pass runs (test/Dialect/Rev/contract-invalid.mlir).
// expected-error @+1 {{'rev.name' of argument #0 must be a non-empty string}}
func.func @f(%x: tensor<3xf32> {rev.name}) -> tensor<3xf32> {
  %y = tosa.exp %x : (tensor<3xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}

// -----

// expected-error @+1 {{can only differentiate a function with one block}}
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  cf.br ^bb1
^bb1:
  return %x : tensor<4xf32>
}

// -----

// expected-error @+1 {{output #0 is not a float tensor}}
func.func @f(%x: tensor<4xf32>) -> tensor<4xi32> {
  %y = tosa.cast %x : (tensor<4xf32>) -> tensor<4xi32>
  return %y : tensor<4xi32>
}

// -----

// An op without a rule inside a coupling's F: the error names it, and the
// coupling whose VJP could not be built.
func.func @f(%x1: tensor<4xf32>, %x2: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{building the VJP of 'rev.coupling' failed}}
  %y1, %y2 = rev.coupling %x1, %x2 : tensor<4xf32>, tensor<4xf32>
    f {
    ^bb0(%a: tensor<4xf32>):
      // expected-error @+1 {{cannot differentiate 'tosa.sin': no VJP rule (VJPOpInterface)}}
      %r = tosa.sin %a : (tensor<4xf32>) -> tensor<4xf32>
      rev.yield %r : tensor<4xf32>
    } g {
    ^bb0(%b: tensor<4xf32>):
      %r = tosa.tanh %b : (tensor<4xf32>) -> tensor<4xf32>
      rev.yield %r : tensor<4xf32>
    }
  %y = tosa.add %y1, %y2 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}
