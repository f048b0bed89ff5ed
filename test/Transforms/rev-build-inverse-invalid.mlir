// RUN: rev-opt %s --rev-build-inverse="functions=relu" -split-input-file -verify-diagnostics
// RUN: rev-opt %s --rev-build-inverse -split-input-file 2>&1 | FileCheck %s --check-prefix=REMARK

// REMARK: remark: @relu is not inverted: 'tosa.clamp' is not invertible
// REMARK: remark: @relu is not inverted: 'tosa.mul' is not invertible here
func.func @relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{cannot invert @relu: 'tosa.clamp' is not invertible (it does not implement InvertibleOpInterface)}}
  %r = tosa.clamp %x {min_val = 0.0 : f32, max_val = 3.4e38 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// x * w with a weight w that might be zero is not invertible.
func.func @relu(%x: tensor<4xf32>, %w: tensor<4xf32>) -> tensor<4xf32> {
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  // expected-error @+1 {{cannot invert @relu: 'tosa.mul' is not invertible here}}
  %r = tosa.mul %x, %w, %shift : (tensor<4xf32>, tensor<4xf32>, tensor<1xi8>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// A result that does not reach the function's results cannot be recovered.
func.func @relu(%x: tensor<4xf32>) -> tensor<2xf32> {
  %s0 = tosa.const_shape {values = dense<0> : tensor<1xindex>} : () -> !tosa.shape<1>
  %sz = tosa.const_shape {values = dense<2> : tensor<1xindex>} : () -> !tosa.shape<1>
  %r = tosa.slice %x, %s0, %sz : (tensor<4xf32>, !tosa.shape<1>, !tosa.shape<1>) -> tensor<2xf32>
  // expected-error @-4 {{cannot invert @relu: argument #0 cannot be recovered from the results}}
  return %r : tensor<2xf32>
}

// -----

// expected-error @+1 {{rev-build-inverse: no function named @relu}}
module {
}

// -----

// A reshape is inverted by the reshape back to its input's shape, which
// must be static.
func.func @relu(%x: tensor<?xf32>) -> tensor<?x1xf32> {
  %s = tosa.const_shape {values = dense<[-1, 1]> : tensor<2xindex>} : () -> !tosa.shape<2>
  // expected-error @+2 {{cannot invert a reshape of a dynamic shape}}
  // expected-error @+1 {{cannot invert @relu: building the inverse failed}}
  %r = tosa.reshape %x, %s : (tensor<?xf32>, !tosa.shape<2>) -> tensor<?x1xf32>
  return %r : tensor<?x1xf32>
}

// -----

// A coupling whose results nothing reads: no inverse sees them.
func.func @relu(%x: tensor<4xf32>, %w: tensor<4xf32>) -> tensor<4xf32> {
  %c = "tosa.const"() {values = dense<1.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  // expected-error @+1 {{cannot invert @relu: 'rev.coupling' has results that no inverse can see}}
  %a, %b = rev.coupling %x, %w : tensor<4xf32>, tensor<4xf32> f {
  ^bb0(%v: tensor<4xf32>):
    %m = tosa.mul %v, %c, %shift : (tensor<4xf32>, tensor<4xf32>, tensor<1xi8>) -> tensor<4xf32>
    rev.yield %m : tensor<4xf32>
  } g {
  ^bb0(%v: tensor<4xf32>):
    %m = tosa.mul %v, %c, %shift : (tensor<4xf32>, tensor<4xf32>, tensor<1xi8>) -> tensor<4xf32>
    rev.yield %m : tensor<4xf32>
  }
  %r = tosa.add %x, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// One result of a coupling is returned, the other is not.
func.func @relu(%x1: tensor<4xf32>, %x2: tensor<4xf32>) -> tensor<4xf32> {
  %c = "tosa.const"() {values = dense<1.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  // expected-error @+1 {{cannot invert @relu: result #1 of 'rev.coupling' is not recoverable (it does not reach the function's results)}}
  %a, %b = rev.coupling %x1, %x2 : tensor<4xf32>, tensor<4xf32> f {
  ^bb0(%v: tensor<4xf32>):
    %m = tosa.mul %v, %c, %shift : (tensor<4xf32>, tensor<4xf32>, tensor<1xi8>) -> tensor<4xf32>
    rev.yield %m : tensor<4xf32>
  } g {
  ^bb0(%v: tensor<4xf32>):
    %m = tosa.mul %v, %c, %shift : (tensor<4xf32>, tensor<4xf32>, tensor<1xi8>) -> tensor<4xf32>
    rev.yield %m : tensor<4xf32>
  }
  return %a : tensor<4xf32>
}

// -----

// A coupling's F reads a value that another coupling computes from the
// weights: the inverse would have to recompute that coupling as context.
func.func @relu(%x1: tensor<4xf32>, %x2: tensor<4xf32>, %w1: tensor<4xf32>, %w2: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %c = "tosa.const"() {values = dense<1.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  // expected-error @+1 {{cannot invert @relu: 'rev.coupling' is used as context by an inverse but is not a pure computation of constants and arguments}}
  %p, %q = rev.coupling %w1, %w2 : tensor<4xf32>, tensor<4xf32> f {
  ^bb0(%v: tensor<4xf32>):
    %m = tosa.mul %v, %c, %shift : (tensor<4xf32>, tensor<4xf32>, tensor<1xi8>) -> tensor<4xf32>
    rev.yield %m : tensor<4xf32>
  } g {
  ^bb0(%v: tensor<4xf32>):
    %m = tosa.mul %v, %c, %shift : (tensor<4xf32>, tensor<4xf32>, tensor<1xi8>) -> tensor<4xf32>
    rev.yield %m : tensor<4xf32>
  }
  %a, %b = rev.coupling %x1, %x2 : tensor<4xf32>, tensor<4xf32> f {
  ^bb0(%v: tensor<4xf32>):
    %m = tosa.mul %v, %p, %shift : (tensor<4xf32>, tensor<4xf32>, tensor<1xi8>) -> tensor<4xf32>
    rev.yield %m : tensor<4xf32>
  } g {
  ^bb0(%v: tensor<4xf32>):
    %m = tosa.mul %v, %c, %shift : (tensor<4xf32>, tensor<4xf32>, tensor<1xi8>) -> tensor<4xf32>
    rev.yield %m : tensor<4xf32>
  }
  return %a, %b : tensor<4xf32>, tensor<4xf32>
}

// -----

// x + tanh(x): the add would recover x from y and tanh(x), which needs x.
func.func @relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %t = tosa.tanh %x : (tensor<4xf32>) -> tensor<4xf32>
  // expected-error @+1 {{cannot invert @relu: 'tosa.add' recovers operand #0, which an inverse also reads as context (it depends on the data it would recover)}}
  %r = tosa.add %x, %t : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}
