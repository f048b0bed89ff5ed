// RUN: rev-opt %s --split-input-file --rev-gpu-lower-library-calls --verify-diagnostics

// Two calls of one kernel whose buffers differ in rank: one declaration of
// rev_cuda_matmul_f32 cannot serve both.
func.func @ranks(%a: memref<1x2x3xf32>, %b: memref<1x3x4xf32>, %c: memref<1x2x4xf32>, %m: memref<2x3xf32>, %n: memref<3x4xf32>, %o: memref<2x4xf32>) {
  %t0 = gpu.wait async
  %t1 = rev.gpu_library_call "matmul_f32" [%t0] ins(%a, %b : memref<1x2x3xf32>, memref<1x3x4xf32>) outs(%c : memref<1x2x4xf32>) -> !gpu.async.token
  // expected-error @+1 {{'rev.gpu_library_call' op calls @rev_cuda_matmul_f32 with the types}}
  %t2 = rev.gpu_library_call "matmul_f32" [%t1] ins(%m, %n : memref<2x3xf32>, memref<3x4xf32>) outs(%o : memref<2x4xf32>) -> !gpu.async.token
  gpu.wait [%t2]
  return
}

// -----

// A function of the callee's name that is not a declaration of the kernel.
func.func private @rev_cuda_matmul_f32(i32)

func.func @clash(%a: memref<1x2x3xf32>, %b: memref<1x3x4xf32>, %c: memref<1x2x4xf32>) {
  %t0 = gpu.wait async
  // expected-error @+1 {{'rev.gpu_library_call' op calls @rev_cuda_matmul_f32 with the types}}
  %t1 = rev.gpu_library_call "matmul_f32" [%t0] ins(%a, %b : memref<1x2x3xf32>, memref<1x3x4xf32>) outs(%c : memref<1x2x4xf32>) -> !gpu.async.token
  gpu.wait [%t1]
  return
}
