// RUN: rev-opt %s --split-input-file --rev-combine-reductions | FileCheck %s

// BatchNorm's mean: a sum over the batch, height and width, one axis at a
// time in TOSA, becomes one linalg.reduce over the three axes, expanded to
// the chain's result shape.
// CHECK-LABEL: func.func @stats
// CHECK: %[[E:.+]] = tensor.empty() : tensor<16xf32>
// CHECK: %[[Z:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[E]] : tensor<16xf32>)
// CHECK: %[[R:.+]] = linalg.reduce ins(%arg0 : tensor<4x8x8x16xf32>) outs(%[[Z]] : tensor<16xf32>) dimensions = [0, 1, 2]
// CHECK: arith.addf
// CHECK: %[[X:.+]] = tensor.expand_shape %[[R]] {{\[}}[0, 1, 2, 3]] output_shape [1, 1, 1, 16] : tensor<16xf32> into tensor<1x1x1x16xf32>
// CHECK: return %[[X]]
// CHECK-NOT: tosa.reduce_sum
func.func @stats(%x: tensor<4x8x8x16xf32>) -> tensor<1x1x1x16xf32> {
  %a = tosa.reduce_sum %x {axis = 0 : i32} : (tensor<4x8x8x16xf32>) -> tensor<1x8x8x16xf32>
  %b = tosa.reduce_sum %a {axis = 1 : i32} : (tensor<1x8x8x16xf32>) -> tensor<1x1x8x16xf32>
  %c = tosa.reduce_sum %b {axis = 2 : i32} : (tensor<1x1x8x16xf32>) -> tensor<1x1x1x16xf32>
  return %c : tensor<1x1x1x16xf32>
}

// -----

// An intermediate sum used elsewhere ends the chain there; a single
// reduce_sum stays; integers add with addi.
// CHECK-LABEL: func.func @partial
// CHECK: %[[A:.+]] = tosa.reduce_sum %arg0 {axis = 0 : i32}
// CHECK: linalg.reduce ins(%[[A]] : tensor<1x3x5xi32>) outs(%{{.+}} : tensor<1xi32>) dimensions = [1, 2]
// CHECK: arith.addi
// CHECK: tosa.reduce_sum %arg1 {axis = 1 : i32}
// CHECK-NOT: tosa.reduce_sum
func.func @partial(%x: tensor<2x3x5xi32>, %y: tensor<2x3xf32>) -> (tensor<1x3x5xi32>, tensor<1x1x1xi32>, tensor<2x1xf32>) {
  %a = tosa.reduce_sum %x {axis = 0 : i32} : (tensor<2x3x5xi32>) -> tensor<1x3x5xi32>
  %b = tosa.reduce_sum %a {axis = 1 : i32} : (tensor<1x3x5xi32>) -> tensor<1x1x5xi32>
  %c = tosa.reduce_sum %b {axis = 2 : i32} : (tensor<1x1x5xi32>) -> tensor<1x1x1xi32>
  %d = tosa.reduce_sum %y {axis = 1 : i32} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  return %a, %c, %d : tensor<1x3x5xi32>, tensor<1x1x1xi32>, tensor<2x1xf32>
}
