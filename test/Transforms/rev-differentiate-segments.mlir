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

// -----

// A block of four such layers (convolution, centering, tanh), 20 ops from
// the input x to the last tanh t4, and a residual connection y = exp(x +
// t4). By default the tanh outputs t1..t4 (64 KiB each) are on the tape;
// with recompute-segments they are rebuilt from x through the convolutions
// (t4's rebuild is 20 ops long: within the 32 a segment may take), and
// the rebuilds share what they compute: each convolution runs once more in
// the backward, not once per tape entry that depends on it (t4's rebuild,
// needed first, computes t1..t3 for the later ones).

// CHECK-LABEL: func.func @block_forward
// CHECK-SAME: -> (tensor<1x64x64x4xf32> {rev.name = "y"}) attributes
// CHECK-LABEL: func.func @block_backward
// CHECK-SAME: {rev.name = "tape.0"}
// CHECK-NOT: tape.1
// CHECK-SAME: {rev.name = "x"}
// CHECK-COUNT-4: tosa.conv2d
// CHECK-NOT: tosa.conv2d
// CHECK: return

// DEFAULT-LABEL: func.func @block_forward
// DEFAULT-SAME: {rev.name = "tape.3"}
// DEFAULT-LABEL: func.func @block_backward
// DEFAULT-NOT: tosa.conv2d
// DEFAULT: return
func.func @block(%x: tensor<1x64x64x4xf32> {rev.name = "x"}, %w1: tensor<4x3x3x4xf32> {rev.name = "w1", rev.param}, %w2: tensor<4x3x3x4xf32> {rev.name = "w2", rev.param}, %w3: tensor<4x3x3x4xf32> {rev.name = "w3", rev.param}, %w4: tensor<4x3x3x4xf32> {rev.name = "w4", rev.param}) -> (tensor<1x64x64x4xf32> {rev.name = "y"}) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %bias = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
  %h1 = tosa.conv2d %x, %w1, %bias, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x64x64x4xf32>, tensor<4x3x3x4xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x64x64x4xf32>
  %a1 = tosa.reduce_sum %h1 {axis = 1 : i32} : (tensor<1x64x64x4xf32>) -> tensor<1x1x64x4xf32>
  %b1 = tosa.reduce_sum %a1 {axis = 2 : i32} : (tensor<1x1x64x4xf32>) -> tensor<1x1x1x4xf32>
  %c1 = tosa.sub %h1, %b1 : (tensor<1x64x64x4xf32>, tensor<1x1x1x4xf32>) -> tensor<1x64x64x4xf32>
  %t1 = tosa.tanh %c1 : (tensor<1x64x64x4xf32>) -> tensor<1x64x64x4xf32>
  %h2 = tosa.conv2d %t1, %w2, %bias, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x64x64x4xf32>, tensor<4x3x3x4xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x64x64x4xf32>
  %a2 = tosa.reduce_sum %h2 {axis = 1 : i32} : (tensor<1x64x64x4xf32>) -> tensor<1x1x64x4xf32>
  %b2 = tosa.reduce_sum %a2 {axis = 2 : i32} : (tensor<1x1x64x4xf32>) -> tensor<1x1x1x4xf32>
  %c2 = tosa.sub %h2, %b2 : (tensor<1x64x64x4xf32>, tensor<1x1x1x4xf32>) -> tensor<1x64x64x4xf32>
  %t2 = tosa.tanh %c2 : (tensor<1x64x64x4xf32>) -> tensor<1x64x64x4xf32>
  %h3 = tosa.conv2d %t2, %w3, %bias, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x64x64x4xf32>, tensor<4x3x3x4xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x64x64x4xf32>
  %a3 = tosa.reduce_sum %h3 {axis = 1 : i32} : (tensor<1x64x64x4xf32>) -> tensor<1x1x64x4xf32>
  %b3 = tosa.reduce_sum %a3 {axis = 2 : i32} : (tensor<1x1x64x4xf32>) -> tensor<1x1x1x4xf32>
  %c3 = tosa.sub %h3, %b3 : (tensor<1x64x64x4xf32>, tensor<1x1x1x4xf32>) -> tensor<1x64x64x4xf32>
  %t3 = tosa.tanh %c3 : (tensor<1x64x64x4xf32>) -> tensor<1x64x64x4xf32>
  %h4 = tosa.conv2d %t3, %w4, %bias, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x64x64x4xf32>, tensor<4x3x3x4xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x64x64x4xf32>
  %a4 = tosa.reduce_sum %h4 {axis = 1 : i32} : (tensor<1x64x64x4xf32>) -> tensor<1x1x64x4xf32>
  %b4 = tosa.reduce_sum %a4 {axis = 2 : i32} : (tensor<1x1x64x4xf32>) -> tensor<1x1x1x4xf32>
  %c4 = tosa.sub %h4, %b4 : (tensor<1x64x64x4xf32>, tensor<1x1x1x4xf32>) -> tensor<1x64x64x4xf32>
  %t4 = tosa.tanh %c4 : (tensor<1x64x64x4xf32>) -> tensor<1x64x64x4xf32>
  %r = tosa.add %x, %t4 : (tensor<1x64x64x4xf32>, tensor<1x64x64x4xf32>) -> tensor<1x64x64x4xf32>
  %y = tosa.exp %r : (tensor<1x64x64x4xf32>) -> tensor<1x64x64x4xf32>
  return %y : tensor<1x64x64x4xf32>
}
