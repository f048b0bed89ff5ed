// VJP rules of convolutions and pooling against central finite differences
// in float64: strides, asymmetric padding, dilations, depthwise multipliers,
// transposed convolutions with out_pad, average pooling that excludes the
// padding, max pooling.
//
// RUN: rev-run %s --entry conv --check-gradients | FileCheck %s
// RUN: rev-run %s --entry conv_strided_padded --check-gradients | FileCheck %s
// RUN: rev-run %s --entry conv_dilated --check-gradients | FileCheck %s
// RUN: rev-run %s --entry depthwise --check-gradients | FileCheck %s
// RUN: rev-run %s --entry transpose_conv --check-gradients | FileCheck %s
// RUN: rev-run %s --entry avg_pool --check-gradients | FileCheck %s
// RUN: rev-run %s --entry max_pool --check-gradients | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: gradient check passed

func.func @conv(%x: tensor<2x5x5x3xf64>, %w: tensor<4x3x3x3xf64>, %b: tensor<4xf64>) -> tensor<2x5x5x4xf64> {
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf64>} : () -> tensor<1xf64>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<2x5x5x3xf64>, tensor<4x3x3x3xf64>, tensor<4xf64>, tensor<1xf64>, tensor<1xf64>) -> tensor<2x5x5x4xf64>
  return %c : tensor<2x5x5x4xf64>
}

// 7 + 2 + 0 - 3 = 6: stride 2, asymmetric padding (top/left 2, bottom/right 0).
func.func @conv_strided_padded(%x: tensor<1x7x7x2xf64>, %w: tensor<3x3x3x2xf64>, %b: tensor<3xf64>) -> tensor<1x4x4x3xf64> {
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf64>} : () -> tensor<1xf64>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 2, 0, 2, 0>, stride = array<i64: 2, 2>} : (tensor<1x7x7x2xf64>, tensor<3x3x3x2xf64>, tensor<3xf64>, tensor<1xf64>, tensor<1xf64>) -> tensor<1x4x4x3xf64>
  return %c : tensor<1x4x4x3xf64>
}

func.func @conv_dilated(%x: tensor<1x7x7x2xf64>, %w: tensor<2x3x3x2xf64>, %b: tensor<2xf64>) -> tensor<1x3x3x2xf64> {
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf64>} : () -> tensor<1xf64>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 2, 2>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 2, 2>} : (tensor<1x7x7x2xf64>, tensor<2x3x3x2xf64>, tensor<2xf64>, tensor<1xf64>, tensor<1xf64>) -> tensor<1x3x3x2xf64>
  return %c : tensor<1x3x3x2xf64>
}

func.func @depthwise(%x: tensor<2x6x6x3xf64>, %w: tensor<3x3x3x2xf64>, %b: tensor<6xf64>) -> tensor<2x3x3x6xf64> {
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf64>} : () -> tensor<1xf64>
  %c = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>} : (tensor<2x6x6x3xf64>, tensor<3x3x3x2xf64>, tensor<6xf64>, tensor<1xf64>, tensor<1xf64>) -> tensor<2x3x3x6xf64>
  return %c : tensor<2x3x3x6xf64>
}

// (4 - 1) * 2 - 1 + 0 + 3 = 8
func.func @transpose_conv(%x: tensor<1x4x4x3xf64>, %w: tensor<2x3x3x3xf64>, %b: tensor<2xf64>) -> tensor<1x8x8x2xf64> {
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf64>} : () -> tensor<1xf64>
  %c = tosa.transpose_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, out_pad = array<i64: -1, 0, -1, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x3xf64>, tensor<2x3x3x3xf64>, tensor<2xf64>, tensor<1xf64>, tensor<1xf64>) -> tensor<1x8x8x2xf64>
  return %c : tensor<1x8x8x2xf64>
}

func.func @avg_pool(%x: tensor<2x6x6x3xf64>) -> tensor<2x3x3x3xf64> {
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf64>} : () -> tensor<1xf64>
  %p = tosa.avg_pool2d %x, %zp, %zp {acc_type = f32, kernel = array<i64: 3, 3>, pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>} : (tensor<2x6x6x3xf64>, tensor<1xf64>, tensor<1xf64>) -> tensor<2x3x3x3xf64>
  return %p : tensor<2x3x3x3xf64>
}

func.func @max_pool(%x: tensor<2x6x6x3xf64>) -> tensor<2x3x3x3xf64> {
  %p = tosa.max_pool2d %x {kernel = array<i64: 3, 3>, pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>} : (tensor<2x6x6x3xf64>) -> tensor<2x3x3x3xf64>
  return %p : tensor<2x3x3x3xf64>
}
