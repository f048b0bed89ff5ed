// RUN: rev-opt %s --split-input-file --rev-lower-library-calls --verify-diagnostics

func.func @on_tensors(%a: tensor<1x2x3xf32>, %b: tensor<1x3x4xf32>) -> tensor<1x2x4xf32> {
  // expected-error @+1 {{'rev.library_call' op on tensors: bufferize before lowering it}}
  %c = rev.library_call "matmul_f32" ins(%a, %b : tensor<1x2x3xf32>, tensor<1x3x4xf32>) -> tensor<1x2x4xf32>
  return %c : tensor<1x2x4xf32>
}

// -----

// Two calls of one kernel whose buffers differ in rank.
func.func @ranks(%a: memref<1x2x3xf32>, %b: memref<1x3x4xf32>, %c: memref<1x2x4xf32>, %m: memref<2x3xf32>, %n: memref<3x4xf32>, %o: memref<2x4xf32>) {
  rev.library_call "matmul_f32" ins(%a, %b : memref<1x2x3xf32>, memref<1x3x4xf32>) outs(%c : memref<1x2x4xf32>)
  // expected-error @+1 {{'rev.library_call' op calls @rev_matmul_f32 with the types '(memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>) -> ()', declared as '(memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>) -> ()'}}
  rev.library_call "matmul_f32" ins(%m, %n : memref<2x3xf32>, memref<3x4xf32>) outs(%o : memref<2x4xf32>)
  return
}
