// RUN: rev-opt %s --split-input-file --rev-gpu-merge-reductions | FileCheck %s

// BatchNorm's statistics: sums over N, H and W (neighbouring axes of an NHWC
// tensor) become one sum over N*H*W.
// CHECK-LABEL: func.func @stats
// CHECK: %[[R:.+]] = tosa.reshape %arg0, %{{.+}} : (tensor<4x16x16x8xf32>, !tosa.shape<2>) -> tensor<1024x8xf32>
// CHECK: %[[S:.+]] = tosa.reduce_sum %[[R]] {axis = 0 : i32} : (tensor<1024x8xf32>) -> tensor<1x8xf32>
// CHECK: %[[O:.+]] = tosa.reshape %[[S]], %{{.+}} -> tensor<1x1x1x8xf32>
// CHECK-NOT: reduce_sum
// CHECK: return %[[O]]
func.func @stats(%x: tensor<4x16x16x8xf32>) -> tensor<1x1x1x8xf32> {
  %0 = tosa.reduce_sum %x {axis = 0 : i32} : (tensor<4x16x16x8xf32>) -> tensor<1x16x16x8xf32>
  %1 = tosa.reduce_sum %0 {axis = 1 : i32} : (tensor<1x16x16x8xf32>) -> tensor<1x1x16x8xf32>
  %2 = tosa.reduce_sum %1 {axis = 2 : i32} : (tensor<1x1x16x8xf32>) -> tensor<1x1x1x8xf32>
  return %2 : tensor<1x1x1x8xf32>
}

// -----

// Axes in any order; a maximum (its NaN mode kept).
// CHECK-LABEL: func.func @max_hw
// CHECK: tosa.reshape %arg0, %{{.+}} -> tensor<2x12x5xf32>
// CHECK: tosa.reduce_max %{{.+}} {axis = 1 : i32, nan_mode = IGNORE} : (tensor<2x12x5xf32>) -> tensor<2x1x5xf32>
// CHECK-NOT: reduce_max
func.func @max_hw(%x: tensor<2x3x4x5xf32>) -> tensor<2x1x1x5xf32> {
  %0 = tosa.reduce_max %x {axis = 2 : i32, nan_mode = IGNORE} : (tensor<2x3x4x5xf32>) -> tensor<2x3x1x5xf32>
  %1 = tosa.reduce_max %0 {axis = 1 : i32, nan_mode = IGNORE} : (tensor<2x3x1x5xf32>) -> tensor<2x1x1x5xf32>
  return %1 : tensor<2x1x1x5xf32>
}

// -----

// Left alone: axes that are not neighbours (N and W of NHWC: it would take a
// transposition), an intermediate sum that something else reads, reductions
// of two kinds, a maximum and a minimum.
// CHECK-LABEL: func.func @kept
// CHECK-NOT: tosa.reshape
// CHECK-COUNT-8: tosa.reduce_
func.func @kept(%x: tensor<4x16x16x8xf32>) -> (tensor<1x16x1x8xf32>, tensor<1x1x16x8xf32>, tensor<1x16x16x8xf32>, tensor<1x1x16x8xf32>, tensor<1x1x16x8xf32>) {
  %0 = tosa.reduce_sum %x {axis = 0 : i32} : (tensor<4x16x16x8xf32>) -> tensor<1x16x16x8xf32>
  %1 = tosa.reduce_sum %0 {axis = 2 : i32} : (tensor<1x16x16x8xf32>) -> tensor<1x16x1x8xf32>
  %2 = tosa.reduce_sum %x {axis = 0 : i32} : (tensor<4x16x16x8xf32>) -> tensor<1x16x16x8xf32>
  %3 = tosa.reduce_sum %2 {axis = 1 : i32} : (tensor<1x16x16x8xf32>) -> tensor<1x1x16x8xf32>
  %4 = tosa.reduce_max %x {axis = 0 : i32} : (tensor<4x16x16x8xf32>) -> tensor<1x16x16x8xf32>
  %5 = tosa.reduce_sum %4 {axis = 1 : i32} : (tensor<1x16x16x8xf32>) -> tensor<1x1x16x8xf32>
  %6 = tosa.reduce_max %x {axis = 0 : i32, nan_mode = PROPAGATE} : (tensor<4x16x16x8xf32>) -> tensor<1x16x16x8xf32>
  %7 = tosa.reduce_min %6 {axis = 1 : i32, nan_mode = PROPAGATE} : (tensor<1x16x16x8xf32>) -> tensor<1x1x16x8xf32>
  return %1, %3, %2, %5, %7 : tensor<1x16x1x8xf32>, tensor<1x1x16x8xf32>, tensor<1x16x16x8xf32>, tensor<1x1x16x8xf32>, tensor<1x1x16x8xf32>
}
