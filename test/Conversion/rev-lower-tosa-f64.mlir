// RUN: rev-opt %s --pass-pipeline="builtin.module(func.func(rev-lower-tosa-f64))" -split-input-file | FileCheck %s

// An f64 convolution: zero padding, the bias broadcast into the
// accumulator, a linalg convolution in f64.
// CHECK-LABEL: func.func @conv
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f64
// CHECK: %[[PAD:.+]] = tensor.pad %arg0 low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: tensor.yield %[[ZERO]] : f64
// CHECK: %[[BIAS:.+]] = linalg.generic {{.*}} ins(%arg2 : tensor<3xf64>)
// CHECK: linalg.conv_2d_nhwc_fhwc {{.*}} ins(%[[PAD]], %arg1 : tensor<1x6x6x2xf64>, tensor<3x3x3x2xf64>) outs(%[[BIAS]] : tensor<1x4x4x3xf64>)
// CHECK-NOT: tosa.conv2d
func.func @conv(%x: tensor<1x4x4x2xf64>, %w: tensor<3x3x3x2xf64>, %b: tensor<3xf64>) -> tensor<1x4x4x3xf64> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf64>}> : () -> tensor<1xf64>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf64>, tensor<3x3x3x2xf64>, tensor<3xf64>, tensor<1xf64>, tensor<1xf64>) -> tensor<1x4x4x3xf64>
  return %y : tensor<1x4x4x3xf64>
}

// -----

// f32 is left to upstream's tosa-to-linalg.
// CHECK-LABEL: func.func @conv_f32
// CHECK: tosa.conv2d
func.func @conv_f32(%x: tensor<1x4x4x2xf32>, %w: tensor<3x3x3x2xf32>, %b: tensor<3xf32>) -> tensor<1x4x4x3xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<3x3x3x2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x3xf32>
  return %y : tensor<1x4x4x3xf32>
}

// -----

// Average pooling: the window sums divided by the count of (unpadded)
// elements in each window; max pooling from -inf.
// CHECK-LABEL: func.func @pools
// CHECK-DAG: %[[NEGINF:.+]] = arith.constant 0xFFF0000000000000 : f64
// CHECK-DAG: %[[ONES:.+]] = arith.constant dense<1.000000e+00> : tensor<1x4x4x1xf64>
// CHECK: %[[SUM:.+]] = linalg.pooling_nhwc_sum {{.*}} ins(%arg0,
// CHECK: %[[COUNT:.+]] = linalg.pooling_nhwc_sum {{.*}} ins(%[[ONES]],
// CHECK: %[[AVG:.+]] = linalg.generic {{.*}} ins(%[[SUM]], %[[COUNT]]
// CHECK: arith.divf
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[NEGINF]] : f64)
// CHECK: %[[MAX:.+]] = linalg.pooling_nhwc_max {{.*}} ins(%arg0, %{{.+}} : tensor<1x4x4x2xf64>, tensor<2x2xf64>) outs(%[[INIT]]
// CHECK: return %[[AVG]], %[[MAX]]
func.func @pools(%x: tensor<1x4x4x2xf64>) -> (tensor<1x2x2x2xf64>, tensor<1x2x2x2xf64>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf64>}> : () -> tensor<1xf64>
  %a = tosa.avg_pool2d %x, %zp, %zp {acc_type = f32, kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x2xf64>, tensor<1xf64>, tensor<1xf64>) -> tensor<1x2x2x2xf64>
  %m = tosa.max_pool2d %x {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x2xf64>) -> tensor<1x2x2x2xf64>
  return %a, %m : tensor<1x2x2x2xf64>, tensor<1x2x2x2xf64>
}
