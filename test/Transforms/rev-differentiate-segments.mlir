// RUN: rev-opt %s --rev-differentiate="loss=vjp recompute-segments=true" -split-input-file --verify-each | FileCheck %s
// RUN: rev-opt %s --rev-differentiate="loss=vjp" -split-input-file | FileCheck %s --check-prefix=DEFAULT

// A stem: a padded convolution of the input, a BatchNorm-like centering
// (x - mean over the batch and pixels), a tanh and an exp. The tanh's VJP
// reads its output t, 1x64x64x4xf32 = 64 KiB (the exp's reads its own, the
// result y, alive anyway). By default t is on the tape; with
// recompute-segments, t is rebuilt in the backward through the reduction
// and the convolution from the input x and the weight, and the tape is y
// alone: a result is alive anyway, and is not rebuilt.

// CHECK-LABEL: func.func @stem_forward
// CHECK-SAME: -> (tensor<1x64x64x4xf32> {rev.name = "y"}) attributes
// CHECK-LABEL: func.func @stem_backward
// CHECK-SAME: (%[[Y:[^:]+]]: tensor<1x64x64x4xf32> {rev.name = "tape.0"}, %[[X:[^:]+]]: tensor<1x64x64x4xf32> {rev.name = "x"}, %[[W:[^:]+]]: tensor<4x3x3x4xf32> {rev.name = "w", rev.param}
// CHECK: %[[CONV:.+]] = tosa.conv2d %[[X]], %[[W]]
// CHECK: %[[S1:.+]] = tosa.reduce_sum %[[CONV]]
// CHECK: %[[S2:.+]] = tosa.reduce_sum %[[S1]]
// CHECK: %[[C:.+]] = tosa.sub %[[CONV]], %[[S2]]
// CHECK: tosa.tanh %[[C]]
// CHECK: rev.conv2d_backward_filter %[[X]]

// DEFAULT-LABEL: func.func @stem_forward
// DEFAULT-SAME: -> (tensor<1x64x64x4xf32> {rev.name = "y"}, tensor<1x64x64x4xf32> {rev.name = "tape.0"}) attributes
// DEFAULT-LABEL: func.func @stem_backward
// DEFAULT-NOT: tosa.conv2d
// DEFAULT: rev.conv2d_backward_filter
func.func @stem(%x: tensor<1x64x64x4xf32> {rev.name = "x"}, %w: tensor<4x3x3x4xf32> {rev.name = "w", rev.param}) -> (tensor<1x64x64x4xf32> {rev.name = "y"}) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %bias = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
  %h = tosa.conv2d %x, %w, %bias, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x64x64x4xf32>, tensor<4x3x3x4xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x64x64x4xf32>
  %s1 = tosa.reduce_sum %h {axis = 1 : i32} : (tensor<1x64x64x4xf32>) -> tensor<1x1x64x4xf32>
  %s2 = tosa.reduce_sum %s1 {axis = 2 : i32} : (tensor<1x1x64x4xf32>) -> tensor<1x1x1x4xf32>
  %c = tosa.sub %h, %s2 : (tensor<1x64x64x4xf32>, tensor<1x1x1x4xf32>) -> tensor<1x64x64x4xf32>
  %t = tosa.tanh %c : (tensor<1x64x64x4xf32>) -> tensor<1x64x64x4xf32>
  %y = tosa.exp %t : (tensor<1x64x64x4xf32>) -> tensor<1x64x64x4xf32>
  return %y : tensor<1x64x64x4xf32>
}
