// rev-differentiate gives the gradients of tosa.conv2d as rev ops, and
// rev-decompose-conv-gradients writes them as TOSA. (The numbers are checked
// against finite differences in test/Autodiff/gradient-check-conv.mlir.)
//
// RUN: rev-opt %s --rev-differentiate="loss=vjp" | FileCheck %s --check-prefix=VJP
// RUN: rev-opt %s --rev-differentiate="loss=vjp" --rev-decompose-conv-gradients | FileCheck %s

// VJP-LABEL: func.func @conv_backward
// VJP: rev.conv2d_backward_data %{{.+}}, %{{.+}} {dilation = array<i64: 1, 1>, pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>} : (tensor<2x4x4x6xf32>, tensor<6x3x3x5xf32>) -> tensor<2x8x8x5xf32>
// VJP: rev.conv2d_backward_filter %{{.+}}, %{{.+}} {dilation = array<i64: 1, 1>, pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>} : (tensor<2x8x8x5xf32>, tensor<2x4x4x6xf32>) -> tensor<6x3x3x5xf32>

// The input gradient: the zero-stuffed, padded cotangent convolved with the
// flipped kernel whose channels are swapped.
// CHECK-LABEL: func.func @conv_backward
// CHECK-NOT: rev.conv2d_backward
// CHECK-DAG: tosa.reverse %{{.+}} {axis = 1 : i32} : (tensor<6x3x3x5xf32>)
// CHECK-DAG: tosa.transpose %{{.+}} {perms = array<i32: 3, 1, 2, 0>} : (tensor<6x3x3x5xf32>) -> tensor<5x3x3x6xf32>
// CHECK-DAG: tosa.conv2d %{{.+}}, %{{.+}} {{.+}} : (tensor<2x10x10x6xf32>, tensor<5x3x3x6xf32>, tensor<5xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x8x8x5xf32>
// The weight gradient: a convolution over the batch whose kernel is the
// cotangent (stride 1 = the forward's dilation, dilation 2 = its stride).
// CHECK-DAG: tosa.conv2d %{{.+}}, %{{.+}} {{.+}}dilation = array<i64: 2, 2>{{.+}}stride = array<i64: 1, 1>{{.+}} : (tensor<5x9x9x2xf32>, tensor<6x4x4x2xf32>, tensor<6xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<5x3x3x6xf32>
// CHECK-NOT: rev.conv2d_backward
func.func @conv(%x: tensor<2x8x8x5xf32>, %w: tensor<6x3x3x5xf32>, %b: tensor<6xf32>) -> tensor<2x4x4x6xf32> {
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>} : (tensor<2x8x8x5xf32>, tensor<6x3x3x5xf32>, tensor<6xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x4x4x6xf32>
  return %y : tensor<2x4x4x6xf32>
}
