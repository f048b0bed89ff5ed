// RUN: rev-opt %s --pass-pipeline="builtin.module(func.func(rev-unshare-destinations))" -split-input-file | FileCheck %s

// Two matrix products accumulate into one (CSE-merged) zero-filled tensor:
// the second gets its own tensor.empty and fill, right before it, so that
// bufferization writes each in place into a buffer of its own.
// CHECK-LABEL: func.func @shared
// CHECK: %[[E1:.+]] = tensor.empty() : tensor<4x4xf32>
// CHECK-NEXT: %[[F1:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[E1]]
// CHECK-NEXT: %[[X:.+]] = linalg.matmul ins(%arg0, %arg1 : {{.*}}) outs(%[[F1]]
// CHECK-NEXT: %[[E2:.+]] = tensor.empty() : tensor<4x4xf32>
// CHECK-NEXT: %[[F2:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[E2]]
// CHECK-NEXT: %[[Y:.+]] = linalg.matmul ins(%arg0, %arg2 : {{.*}}) outs(%[[F2]]
// CHECK-NEXT: return %[[X]], %[[Y]]
func.func @shared(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>, %c: tensor<8x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
  %x = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x4xf32>) outs(%acc : tensor<4x4xf32>) -> tensor<4x4xf32>
  %y = linalg.matmul ins(%a, %c : tensor<4x8xf32>, tensor<8x4xf32>) outs(%acc : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %x, %y : tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// One destination use: nothing to unshare.
// CHECK-LABEL: func.func @single
// CHECK-COUNT-1: tensor.empty
// CHECK-NOT: tensor.empty
func.func @single(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>) -> tensor<4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
  %x = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x4xf32>) outs(%acc : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %x : tensor<4x4xf32>
}
