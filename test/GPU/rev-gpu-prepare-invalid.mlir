// RUN: rev-opt %s --split-input-file --rev-gpu-prepare --verify-diagnostics

// A library call must be on buffers: rev-gpu-prepare makes it a GPU
// library call chained on the stream, which tensors cannot be.
func.func @on_tensors(%a: tensor<1x2x3xf32>, %b: tensor<1x3x4xf32>) -> tensor<1x2x4xf32> {
  // expected-error @+1 {{'rev.library_call' op on tensors: bufferize before rev-gpu-prepare}}
  %c = rev.library_call "matmul_f32" ins(%a, %b : tensor<1x2x3xf32>, tensor<1x3x4xf32>) -> tensor<1x2x4xf32>
  return %c : tensor<1x2x4xf32>
}

// -----

func.func @report_on_tensors(%min: tensor<i64>, %max: tensor<i64>) {
  // expected-error @+1 {{'rev.report_range' op on tensors: bufferize before rev-gpu-prepare}}
  rev.report_range 0 : %min, %max in [0, 10) : tensor<i64>
  return
}

// -----

// (the runtime copies whole bytes)
func.func @report_i1(%min: memref<i1>, %max: memref<i1>) {
  // expected-error @+1 {{'rev.report_range' op checks i1 indices: the GPU runtime reports i8, i16, i32 and i64}}
  rev.report_range 0 : %min, %max in [0, 1) : memref<i1>
  return
}
