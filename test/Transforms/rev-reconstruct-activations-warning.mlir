// RUN: rev-opt %s --rev-differentiate="loss=mse" --rev-reconstruct-activations -verify-diagnostics | FileCheck %s

// Couplings whose F and G scale by constants: their VJPs read no
// activation, so the tape holds only the loss's y - target and nothing is
// left for an inverse to rebuild. Reversible mode then stores what
// checkpoint mode does, which the pass says.
// CHECK-LABEL: func.func @scale_forward(
// CHECK-SAME: -> (tensor<f32> {rev.name = "loss"}, tensor<2x8xf32> {rev.kept_because = "read by tosa.mul, which is not invertible", rev.name = "tape.0"})
// CHECK: rev.coupling
// expected-warning @+1 {{rev-reconstruct-activations: @scale_forward has 1 coupling(s), but no tape entry can be rebuilt by inverting them; reversible mode stores what checkpoint mode does}}
func.func @scale(%in: tensor<2x8xf32> {rev.name = "x"}) -> (tensor<2x8xf32> {rev.name = "y"}) {
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %c = "tosa.const"() {values = dense<0.5> : tensor<2x4xf32>} : () -> tensor<2x4xf32>
  %start1 = tosa.const_shape {values = dense<[0, 0]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %start2 = tosa.const_shape {values = dense<[0, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %size = tosa.const_shape {values = dense<[2, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %x1 = tosa.slice %in, %start1, %size : (tensor<2x8xf32>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<2x4xf32>
  %x2 = tosa.slice %in, %start2, %size : (tensor<2x8xf32>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<2x4xf32>
  %a1, %a2 = rev.coupling %x1, %x2 : tensor<2x4xf32>, tensor<2x4xf32> f {
  ^bb0(%v: tensor<2x4xf32>):
    %m = tosa.mul %v, %c, %shift : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<1xi8>) -> tensor<2x4xf32>
    rev.yield %m : tensor<2x4xf32>
  } g {
  ^bb0(%v: tensor<2x4xf32>):
    %m = tosa.mul %v, %c, %shift : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<1xi8>) -> tensor<2x4xf32>
    rev.yield %m : tensor<2x4xf32>
  }
  %y = tosa.concat %a1, %a2 {axis = 1 : i32} : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}
