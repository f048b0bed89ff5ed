// The VJPs of rev.coupling and rev.affine_coupling (F and G recomputed from
// the block's inputs, then back-propagated; weights captured from above get
// gradients too) against central finite differences in float64.
//
// RUN: rev-run %s --entry additive --check-gradients | FileCheck %s
// RUN: rev-run %s --entry affine --check-gradients | FileCheck %s
// RUN: rev-run %s --entry stacked --check-gradients | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: gradient check passed

func.func @additive(%x1: tensor<2x4xf64>, %x2: tensor<2x4xf64>, %w: tensor<1x4xf64>) -> (tensor<2x4xf64>, tensor<2x4xf64>) {
  %y1, %y2 = rev.coupling %x1, %x2 : tensor<2x4xf64>, tensor<2x4xf64>
    f {
    ^bb0(%a: tensor<2x4xf64>):
      %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
      %m = tosa.mul %a, %w, %shift : (tensor<2x4xf64>, tensor<1x4xf64>, tensor<1xi8>) -> tensor<2x4xf64>
      %r = tosa.tanh %m : (tensor<2x4xf64>) -> tensor<2x4xf64>
      rev.yield %r : tensor<2x4xf64>
    } g {
    ^bb0(%b: tensor<2x4xf64>):
      %r = tosa.sigmoid %b : (tensor<2x4xf64>) -> tensor<2x4xf64>
      %s = tosa.add %r, %w : (tensor<2x4xf64>, tensor<1x4xf64>) -> tensor<2x4xf64>
      rev.yield %s : tensor<2x4xf64>
    }
  return %y1, %y2 : tensor<2x4xf64>, tensor<2x4xf64>
}

func.func @affine(%x1: tensor<2x4xf64>, %x2: tensor<2x4xf64>, %w: tensor<1x4xf64>) -> (tensor<2x4xf64>, tensor<2x4xf64>) {
  %y1, %y2 = rev.affine_coupling %x1, %x2 : tensor<2x4xf64>, tensor<2x4xf64>
    st {
    ^bb0(%a: tensor<2x4xf64>):
      %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
      %m = tosa.mul %a, %w, %shift : (tensor<2x4xf64>, tensor<1x4xf64>, tensor<1xi8>) -> tensor<2x4xf64>
      %s = tosa.sigmoid %m : (tensor<2x4xf64>) -> tensor<2x4xf64>
      %t = tosa.tanh %a : (tensor<2x4xf64>) -> tensor<2x4xf64>
      rev.yield %s, %t : tensor<2x4xf64>, tensor<2x4xf64>
    }
  return %y1, %y2 : tensor<2x4xf64>, tensor<2x4xf64>
}

// Two blocks with a channel swap between them, after a split of one input.
func.func @stacked(%x: tensor<2x8xf64>, %w: tensor<1x4xf64>) -> tensor<2x8xf64> {
  %s0 = tosa.const_shape {values = dense<[0, 0]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %s4 = tosa.const_shape {values = dense<[0, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %sz = tosa.const_shape {values = dense<[2, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %x1 = tosa.slice %x, %s0, %sz : (tensor<2x8xf64>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<2x4xf64>
  %x2 = tosa.slice %x, %s4, %sz : (tensor<2x8xf64>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<2x4xf64>
  %a1, %a2 = rev.coupling %x1, %x2 : tensor<2x4xf64>, tensor<2x4xf64>
    f {
    ^bb0(%a: tensor<2x4xf64>):
      %r = tosa.add %a, %w : (tensor<2x4xf64>, tensor<1x4xf64>) -> tensor<2x4xf64>
      %t = tosa.tanh %r : (tensor<2x4xf64>) -> tensor<2x4xf64>
      rev.yield %t : tensor<2x4xf64>
    } g {
    ^bb0(%b: tensor<2x4xf64>):
      %t = tosa.sigmoid %b : (tensor<2x4xf64>) -> tensor<2x4xf64>
      rev.yield %t : tensor<2x4xf64>
    }
  %b1, %b2 = rev.coupling %a2, %a1 : tensor<2x4xf64>, tensor<2x4xf64>
    f {
    ^bb0(%a: tensor<2x4xf64>):
      %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
      %r = tosa.mul %a, %w, %shift : (tensor<2x4xf64>, tensor<1x4xf64>, tensor<1xi8>) -> tensor<2x4xf64>
      %t = tosa.tanh %r : (tensor<2x4xf64>) -> tensor<2x4xf64>
      rev.yield %t : tensor<2x4xf64>
    } g {
    ^bb0(%b: tensor<2x4xf64>):
      %t = tosa.tanh %b : (tensor<2x4xf64>) -> tensor<2x4xf64>
      rev.yield %t : tensor<2x4xf64>
    }
  %y = tosa.concat %b1, %b2 {axis = 1 : i32} : (tensor<2x4xf64>, tensor<2x4xf64>) -> tensor<2x8xf64>
  return %y : tensor<2x8xf64>
}
