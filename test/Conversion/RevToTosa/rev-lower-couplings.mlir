// RUN: rev-opt %s --split-input-file --rev-lower-couplings --verify-each | FileCheck %s

// CHECK-LABEL: func.func @additive
// CHECK-SAME: (%[[X1:.+]]: tensor<2x4xf32>, %[[X2:.+]]: tensor<2x4xf32>, %[[W:.+]]: tensor<1x4xf32>)
// CHECK-NOT: rev.
// F(x2) is inlined, then y1 = x1 + F(x2)
// CHECK: %[[F:.+]] = tosa.tanh %[[X2]]
// CHECK: %[[Y1:.+]] = tosa.add %[[X1]], %[[F]]
// G(y1) uses the weight captured from above, then y2 = x2 + G(y1)
// CHECK: %[[G:.+]] = tosa.add %[[Y1]], %[[W]]
// CHECK: %[[Y2:.+]] = tosa.add %[[X2]], %[[G]]
// CHECK: return %[[Y1]], %[[Y2]]
func.func @additive(%x1: tensor<2x4xf32>, %x2: tensor<2x4xf32>, %w: tensor<1x4xf32>)
    -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %y1, %y2 = rev.coupling %x1, %x2 : tensor<2x4xf32>, tensor<2x4xf32>
    f {
    ^bb0(%a: tensor<2x4xf32>):
      %r = tosa.tanh %a : (tensor<2x4xf32>) -> tensor<2x4xf32>
      rev.yield %r : tensor<2x4xf32>
    } g {
    ^bb0(%b: tensor<2x4xf32>):
      %r = tosa.add %b, %w : (tensor<2x4xf32>, tensor<1x4xf32>) -> tensor<2x4xf32>
      rev.yield %r : tensor<2x4xf32>
    }
  return %y1, %y2 : tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func.func @affine
// CHECK-SAME: (%[[X1:.+]]: tensor<2x4xf32>, %[[X2:.+]]: tensor<2x4xf32>)
// CHECK: %[[S:.+]] = tosa.sigmoid %[[X1]]
// CHECK: %[[T:.+]] = tosa.tanh %[[X1]]
// CHECK: %[[M:.+]] = tosa.mul %[[X2]], %[[S]]
// CHECK: %[[Y2:.+]] = tosa.add %[[M]], %[[T]]
// CHECK: return %[[X1]], %[[Y2]]
func.func @affine(%x1: tensor<2x4xf32>, %x2: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %y1, %y2 = rev.affine_coupling %x1, %x2 : tensor<2x4xf32>, tensor<2x4xf32>
    st {
    ^bb0(%a: tensor<2x4xf32>):
      %s = tosa.sigmoid %a : (tensor<2x4xf32>) -> tensor<2x4xf32>
      %t = tosa.tanh %a : (tensor<2x4xf32>) -> tensor<2x4xf32>
      rev.yield %s, %t : tensor<2x4xf32>, tensor<2x4xf32>
    }
  return %y1, %y2 : tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// A coupling inside F is expanded too.
// CHECK-LABEL: func.func @nested
// CHECK-NOT: rev.
// CHECK: %[[I:.+]] = tosa.add %{{.+}}, %{{.+}}
// CHECK: return
func.func @nested(%x1: tensor<4xf32>, %x2: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %y1, %y2 = rev.coupling %x1, %x2 : tensor<4xf32>, tensor<4xf32>
    f {
    ^bb0(%a: tensor<4xf32>):
      %p, %q = rev.coupling %a, %a : tensor<4xf32>, tensor<4xf32>
        f {
        ^bb0(%c: tensor<4xf32>):
          %e = tosa.exp %c : (tensor<4xf32>) -> tensor<4xf32>
          rev.yield %e : tensor<4xf32>
        } g {
        ^bb0(%d: tensor<4xf32>):
          rev.yield %d : tensor<4xf32>
        }
      rev.yield %q : tensor<4xf32>
    } g {
    ^bb0(%b: tensor<4xf32>):
      rev.yield %b : tensor<4xf32>
    }
  return %y1, %y2 : tensor<4xf32>, tensor<4xf32>
}
