// RUN: rev-opt %s --inline | FileCheck %s

// rev ops inline (rev-lower-cpu inlines the calls of a training step
// before cutting it into segments): the coupling, its region and the
// convolution-gradient op move into the caller.
// CHECK-LABEL: func.func @caller
// CHECK-NOT: call
// CHECK: rev.coupling
// CHECK: rev.yield
// CHECK: rev.conv2d_backward_data
func.func private @callee(%x1: tensor<1x4xf32>, %x2: tensor<1x4xf32>,
                          %dy: tensor<1x4x4x2xf32>, %w: tensor<2x3x3x3xf32>)
    -> (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4x4x3xf32>) {
  %y1, %y2 = rev.coupling %x1, %x2 : tensor<1x4xf32>, tensor<1x4xf32> f {
  ^bb0(%a: tensor<1x4xf32>):
    %t = tosa.tanh %a : (tensor<1x4xf32>) -> tensor<1x4xf32>
    rev.yield %t : tensor<1x4xf32>
  } g {
  ^bb0(%b: tensor<1x4xf32>):
    %t = tosa.tanh %b : (tensor<1x4xf32>) -> tensor<1x4xf32>
    rev.yield %t : tensor<1x4xf32>
  }
  %dx = rev.conv2d_backward_data %dy, %w {pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x3x3x3xf32>) -> tensor<1x4x4x3xf32>
  return %y1, %y2, %dx : tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4x4x3xf32>
}
func.func @caller(%x1: tensor<1x4xf32>, %x2: tensor<1x4xf32>,
                  %dy: tensor<1x4x4x2xf32>, %w: tensor<2x3x3x3xf32>)
    -> (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4x4x3xf32>) {
  %0:3 = call @callee(%x1, %x2, %dy, %w) : (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4x4x2xf32>, tensor<2x3x3x3xf32>) -> (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4x4x3xf32>)
  return %0#0, %0#1, %0#2 : tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4x4x3xf32>
}
