// RUN: rev-opt %s --split-input-file --rev-gpu-prepare --verify-diagnostics

// A library call must be on buffers: rev-gpu-prepare makes it a GPU
// library call chained on the stream, which tensors cannot be.
func.func @on_tensors(%a: tensor<1x2x3xf32>, %b: tensor<1x3x4xf32>) -> tensor<1x2x4xf32> {
  // expected-error @+1 {{'rev.library_call' op on tensors: bufferize before rev-gpu-prepare}}
  %c = rev.library_call "matmul_f32" ins(%a, %b : tensor<1x2x3xf32>, tensor<1x3x4xf32>) -> tensor<1x2x4xf32>
  return %c : tensor<1x2x4xf32>
}
