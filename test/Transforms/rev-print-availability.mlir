// RUN: rev-opt %s --pass-pipeline="builtin.module(func.func(rev-print-availability))" -split-input-file -verify-diagnostics -o /dev/null

// Each class of the shared availability analysis (rev::ValueClassifier):
// an argument; parameters (rev.param) and what pure ops compute from them
// and from constants (an eval-mode BatchNorm's scale w / sqrt(v + eps));
// a view of an argument; activations (computed from the data). Elementwise
// ops are also marked cheap (what the tape and rematerialization may
// recompute).

// expected-remark@below {{argument #0: argument}}
// expected-remark@below {{argument #1: parameter-derived}}
// expected-remark@below {{argument #2: parameter-derived}}
func.func @classes(%x: tensor<2x4xf32>, %w: tensor<1x4xf32> {rev.param}, %v: tensor<1x4xf32> {rev.param}) -> tensor<2x4xf32> {
  // expected-remark@below {{parameter-derived}}
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  // expected-remark@below {{parameter-derived}}
  %eps = "tosa.const"() <{values = dense<1.0e-5> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  // expected-remark@below {{parameter-derived, cheap elementwise}}
  %s = tosa.add %v, %eps : (tensor<1x4xf32>, tensor<1x1xf32>) -> tensor<1x4xf32>
  // expected-remark@below {{parameter-derived, cheap elementwise}}
  %r = tosa.rsqrt %s : (tensor<1x4xf32>) -> tensor<1x4xf32>
  // expected-remark@below {{parameter-derived, cheap elementwise}}
  %scale = tosa.mul %w, %r, %shift : (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1xi8>) -> tensor<1x4xf32>
  // expected-remark@below {{view}}
  %t = tosa.transpose %x {perms = array<i32: 1, 0>} : (tensor<2x4xf32>) -> tensor<4x2xf32>
  // expected-remark@below {{activation, cheap elementwise}}
  %y = tosa.mul %x, %scale, %shift : (tensor<2x4xf32>, tensor<1x4xf32>, tensor<1xi8>) -> tensor<2x4xf32>
  // expected-remark@below {{activation, cheap elementwise}}
  %e = tosa.exp %y : (tensor<2x4xf32>) -> tensor<2x4xf32>
  // expected-remark@below {{activation}}
  %m = tosa.reduce_max %e {axis = 1 : i32} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  // expected-remark@below {{activation, cheap elementwise}}
  %z = tosa.sub %e, %m : (tensor<2x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  return %z : tensor<2x4xf32>
}

// -----

// A view of an activation is an activation, a view of an argument a view;
// without rev.param, an argument is not a parameter.

// expected-remark@below {{argument #0: argument}}
// expected-remark@below {{argument #1: argument}}
func.func @views(%x: tensor<2x4xf32>, %w: tensor<4x2xf32>) -> tensor<4x2xf32> {
  // expected-remark@below {{activation, cheap elementwise}}
  %e = tosa.exp %x : (tensor<2x4xf32>) -> tensor<2x4xf32>
  // expected-remark@below {{activation}}
  %t = tosa.transpose %e {perms = array<i32: 1, 0>} : (tensor<2x4xf32>) -> tensor<4x2xf32>
  // expected-remark@below {{view}}
  %tw = tosa.transpose %w {perms = array<i32: 1, 0>} : (tensor<4x2xf32>) -> tensor<2x4xf32>
  // expected-remark@below {{activation, cheap elementwise}}
  %s = tosa.sub %t, %w : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  return %s : tensor<4x2xf32>
}

// -----

// The dropout seed is fixed for the step like a weight: its random streams
// are parameter-derived (recomputed, and static for rev-form-couplings); a
// dropout is cheap elementwise (its mask is regenerated from the stream).

// expected-remark@below {{argument #0: argument}}
// expected-remark@below {{argument #1: parameter-derived}}
func.func @dropout(%x: tensor<2x4xf32>, %seed: tensor<i64> {rev.name = "dropout_seed"}) -> tensor<2x4xf32> {
  // expected-remark@below {{parameter-derived}}
  %s = rev.random_stream %seed[0] : tensor<i64> -> tensor<2xi64>
  // expected-remark@below {{activation, cheap elementwise}}
  %y = rev.dropout %x, %s {ratio = 0.5 : f64} : tensor<2x4xf32>, tensor<2xi64>
  return %y : tensor<2x4xf32>
}

// -----

// Data movement of arguments is a view too (recomputed exactly rather than
// stored or rebuilt by an inverse): a concatenation (i-RevNet's duplicated
// input), a zero padding (its injective padding), a tiling; of an
// activation, an activation.
// expected-remark@below {{argument #0: argument}}
func.func @movement(%x: tensor<1x2x2x3xf32>) -> (tensor<1x2x2x8xf32>, tensor<1x2x2x6xf32>, tensor<2x2x2x3xf32>, tensor<1x2x2x6xf32>) {
  %pads = tosa.const_shape {values = dense<[0, 0, 0, 0, 0, 0, 0, 5]> : tensor<8xindex>} : () -> !tosa.shape<8>
  // expected-remark@below {{parameter-derived}}
  %zero = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-remark@below {{view}}
  %p = tosa.pad %x, %pads, %zero : (tensor<1x2x2x3xf32>, !tosa.shape<8>, tensor<1xf32>) -> tensor<1x2x2x8xf32>
  // expected-remark@below {{view}}
  %c = tosa.concat %x, %x {axis = 3 : i32} : (tensor<1x2x2x3xf32>, tensor<1x2x2x3xf32>) -> tensor<1x2x2x6xf32>
  %m = tosa.const_shape {values = dense<[2, 1, 1, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
  // expected-remark@below {{view}}
  %t = tosa.tile %x, %m : (tensor<1x2x2x3xf32>, !tosa.shape<4>) -> tensor<2x2x2x3xf32>
  // expected-remark@below {{activation, cheap elementwise}}
  %e = tosa.exp %x : (tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32>
  // expected-remark@below {{activation}}
  %ce = tosa.concat %e, %x {axis = 3 : i32} : (tensor<1x2x2x3xf32>, tensor<1x2x2x3xf32>) -> tensor<1x2x2x6xf32>
  return %p, %c, %t, %ce : tensor<1x2x2x8xf32>, tensor<1x2x2x6xf32>, tensor<2x2x2x3xf32>, tensor<1x2x2x6xf32>
}
