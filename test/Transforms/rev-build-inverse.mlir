// RUN: rev-opt %s --rev-build-inverse --verify-each -split-input-file | FileCheck %s

// A RevNet-style block between a channel split and a concat: the inverse
// slices the output, inverts the coupling (G first, then F) and concatenates.
// The weight %w is read as context and becomes an argument of the inverse.

// CHECK-LABEL: func.func @block(
// CHECK-LABEL: func.func @block_inverse(
// CHECK-SAME: %[[Y:[^:]+]]: tensor<1x4x4x8xf32> {rev.name = "y"}, %[[W:[^:]+]]: tensor<1x1x1x4xf32> {rev.name = "w"}) -> (tensor<1x4x4x8xf32> {rev.name = "x"})
// CHECK-DAG: %[[Y1:.+]] = tosa.slice %[[Y]]
// CHECK-DAG: %[[Y2:.+]] = tosa.slice %[[Y]]
// CHECK: %[[G:.+]] = tosa.mul %[[Y1]], %[[W]]
// CHECK: %[[X2:.+]] = tosa.sub %[[Y2]], %[[G]]
// CHECK: %[[F:.+]] = tosa.tanh %[[X2]]
// CHECK: %[[X1:.+]] = tosa.sub %[[Y1]], %[[F]]
// CHECK: %[[X:.+]] = tosa.concat %[[X1]], %[[X2]] {axis = 3 : i32}
// CHECK: return %[[X]]
func.func @block(%x: tensor<1x4x4x8xf32> {rev.name = "x"}, %w: tensor<1x1x1x4xf32> {rev.name = "w"})
    -> (tensor<1x4x4x8xf32> {rev.name = "y"}) {
  %s0 = tosa.const_shape {values = dense<[0, 0, 0, 0]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %s4 = tosa.const_shape {values = dense<[0, 0, 0, 4]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %sz = tosa.const_shape {values = dense<[1, 4, 4, 4]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %x1 = tosa.slice %x, %s0, %sz : (tensor<1x4x4x8xf32>, !tosa.shape<4>, !tosa.shape<4>) -> tensor<1x4x4x4xf32>
  %x2 = tosa.slice %x, %s4, %sz : (tensor<1x4x4x8xf32>, !tosa.shape<4>, !tosa.shape<4>) -> tensor<1x4x4x4xf32>
  %y1, %y2 = rev.coupling %x1, %x2 : tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>
    f {
    ^bb0(%a: tensor<1x4x4x4xf32>):
      %r = tosa.tanh %a : (tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
      rev.yield %r : tensor<1x4x4x4xf32>
    } g {
    ^bb0(%b: tensor<1x4x4x4xf32>):
      %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
      %r = tosa.mul %b, %w, %shift : (tensor<1x4x4x4xf32>, tensor<1x1x1x4xf32>, tensor<1xi8>) -> tensor<1x4x4x4xf32>
      rev.yield %r : tensor<1x4x4x4xf32>
    }
  %y = tosa.concat %y1, %y2 {axis = 3 : i32} : (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) -> tensor<1x4x4x8xf32>
  return %y : tensor<1x4x4x8xf32>
}

// -----

// Glue ops: reshape, transpose, add of a constant, mul by a nonzero
// constant, and an affine coupling; inverted in reverse order.

// CHECK-LABEL: func.func @glue_inverse(
// CHECK-SAME: %[[Y1:[^:]+]]: tensor<2x4xf32>, %[[Y2:[^:]+]]: tensor<2x4xf32>) -> (tensor<8xf32>, tensor<2x4xf32>)
// CHECK: %[[S:.+]] = tosa.sigmoid %[[Y1]]
// CHECK: %[[T:.+]] = tosa.exp %[[Y1]]
// CHECK: %[[D:.+]] = tosa.sub %[[Y2]], %[[T]]
// CHECK: %[[R:.+]] = tosa.reciprocal %[[S]]
// CHECK: %[[B2:.+]] = tosa.mul %[[D]], %[[R]]
// CHECK: %[[C:.+]] = "tosa.const"() <{values = dense<2.000000e+00> : tensor<1x4xf32>}>
// CHECK: %[[RC:.+]] = tosa.reciprocal %[[C]]
// CHECK: %[[A2:.+]] = tosa.mul %[[B2]], %[[RC]]
// CHECK: %[[K:.+]] = "tosa.const"() <{values = dense<1.000000e+00> : tensor<1x4xf32>}>
// CHECK: %[[A1:.+]] = tosa.sub %[[Y1]], %[[K]]
// CHECK: %[[TR:.+]] = tosa.transpose %[[A1]] {perms = array<i32: 1, 0>}
// CHECK: %[[X1:.+]] = tosa.reshape %[[TR]]
// CHECK: return %[[X1]], %[[A2]]
func.func @glue(%x1: tensor<8xf32>, %x2: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %shape = tosa.const_shape {values = dense<[4, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %r = tosa.reshape %x1, %shape : (tensor<8xf32>, !tosa.shape<2>) -> tensor<4x2xf32>
  %t = tosa.transpose %r {perms = array<i32: 1, 0>} : (tensor<4x2xf32>) -> tensor<2x4xf32>
  %one = "tosa.const"() {values = dense<1.0> : tensor<1x4xf32>} : () -> tensor<1x4xf32>
  %a1 = tosa.add %t, %one : (tensor<2x4xf32>, tensor<1x4xf32>) -> tensor<2x4xf32>
  %two = "tosa.const"() {values = dense<2.0> : tensor<1x4xf32>} : () -> tensor<1x4xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %a2 = tosa.mul %x2, %two, %shift : (tensor<2x4xf32>, tensor<1x4xf32>, tensor<1xi8>) -> tensor<2x4xf32>
  %y1, %y2 = rev.affine_coupling %a1, %a2 : tensor<2x4xf32>, tensor<2x4xf32>
    st {
    ^bb0(%a: tensor<2x4xf32>):
      %s = tosa.sigmoid %a : (tensor<2x4xf32>) -> tensor<2x4xf32>
      %e = tosa.exp %a : (tensor<2x4xf32>) -> tensor<2x4xf32>
      rev.yield %s, %e : tensor<2x4xf32>, tensor<2x4xf32>
    }
  return %y1, %y2 : tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// Functions that are not invertible are left alone (with a remark) unless
// named explicitly; see rev-build-inverse-invalid.mlir.
// CHECK-LABEL: func.func @not_invertible(
// CHECK-NOT: func.func @not_invertible_inverse
func.func @not_invertible(%x: tensor<4xf32>) -> tensor<4xf32> {
  %r = tosa.tanh %x : (tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// Glue that whole reversible bodies need (Glow, i-RevNet): ActNorm's
// y = x * exp(logs) + b inverts as x = (y - b) / exp(logs) (exp is nonzero:
// up to one rounding per op), a channel flip is its own inverse, and a
// gather with a constant permutation inverts with the inverse permutation
// ([2, 0, 1] -> [1, 2, 0]).

// CHECK-LABEL: func.func @glow_glue_inverse(
// CHECK-SAME: %[[Y:[^:]+]]: tensor<1x3x4xf32>, %[[LOGS:[^:]+]]: tensor<1x3x1xf32>, %[[B:[^:]+]]: tensor<1x3x1xf32>)
// CHECK: %[[P:.+]] = "tosa.const"() <{values = dense<{{\[\[}}1, 2, 0]]> : tensor<1x3xi32>}>
// CHECK: %[[G:.+]] = tosa.gather %[[Y]], %[[P]]
// CHECK: %[[R:.+]] = tosa.reverse %[[G]] {axis = 1 : i32}
// CHECK: %[[D:.+]] = tosa.sub %[[R]], %[[B]]
// CHECK: %[[S:.+]] = tosa.exp %[[LOGS]]
// CHECK: %[[Q:.+]] = tosa.reciprocal %[[S]]
// CHECK: %[[X:.+]] = tosa.mul %[[D]], %[[Q]]
// CHECK: return %[[X]]
func.func @glow_glue(%x: tensor<1x3x4xf32>, %logs: tensor<1x3x1xf32>, %b: tensor<1x3x1xf32>) -> tensor<1x3x4xf32> {
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %s = tosa.exp %logs : (tensor<1x3x1xf32>) -> tensor<1x3x1xf32>
  %m = tosa.mul %x, %s, %shift : (tensor<1x3x4xf32>, tensor<1x3x1xf32>, tensor<1xi8>) -> tensor<1x3x4xf32>
  %a = tosa.add %m, %b : (tensor<1x3x4xf32>, tensor<1x3x1xf32>) -> tensor<1x3x4xf32>
  %r = tosa.reverse %a {axis = 1 : i32} : (tensor<1x3x4xf32>) -> tensor<1x3x4xf32>
  %perm = "tosa.const"() {values = dense<[[2, 0, 1]]> : tensor<1x3xi32>} : () -> tensor<1x3xi32>
  %g = tosa.gather %r, %perm : (tensor<1x3x4xf32>, tensor<1x3xi32>) -> tensor<1x3x4xf32>
  return %g : tensor<1x3x4xf32>
}

// -----

// A gather whose indices are not a permutation (a repeated index) and a
// multiplication by a value that may be zero are not inverted.
// CHECK-LABEL: func.func @gather_not_permutation(
// CHECK-NOT: func.func @gather_not_permutation_inverse
func.func @gather_not_permutation(%x: tensor<1x3x4xf32>) -> tensor<1x3x4xf32> {
  %idx = "tosa.const"() {values = dense<[[0, 0, 1]]> : tensor<1x3xi32>} : () -> tensor<1x3xi32>
  %g = tosa.gather %x, %idx : (tensor<1x3x4xf32>, tensor<1x3xi32>) -> tensor<1x3x4xf32>
  return %g : tensor<1x3x4xf32>
}
