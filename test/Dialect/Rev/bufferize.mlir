// RUN: rev-opt %s --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" | FileCheck %s

// rev.library_call on tensors bufferizes to the call on buffers, each result
// a new 64-byte-aligned buffer that the kernel writes; inputs are only read
// (the argument buffers are passed as they are).
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:.+]]: memref<1x2x3xf32>, %[[B:.+]]: memref<1x3x4xf32>)
// CHECK: %[[C:.+]] = memref.alloc() {alignment = 64 : i64} : memref<1x2x4xf32>
// CHECK: rev.library_call "matmul_f32" ins(%[[A]], %[[B]] : memref<1x2x3xf32>, memref<1x3x4xf32>) outs(%[[C]] : memref<1x2x4xf32>)
// CHECK: return %[[C]]
func.func @matmul(%a: tensor<1x2x3xf32>, %b: tensor<1x3x4xf32>) -> tensor<1x2x4xf32> {
  %c = rev.library_call "matmul_f32" ins(%a, %b : tensor<1x2x3xf32>, tensor<1x3x4xf32>) -> tensor<1x2x4xf32>
  return %c : tensor<1x2x4xf32>
}
