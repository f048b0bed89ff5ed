// RUN: rev-opt %s --rev-lower-check-reports -verify-diagnostics

// The CPU's lowering of rev.report_range needs buffers.
func.func @on_tensors(%min: tensor<i64>, %max: tensor<i64>) {
  // expected-error @+1 {{'rev.report_range' op on tensors: bufferize before rev-lower-check-reports}}
  rev.report_range 0 : %min, %max in [0, 10) : tensor<i64>
  return
}
