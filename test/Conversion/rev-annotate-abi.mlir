// RUN: rev-opt %s --rev-annotate-abi -split-input-file | FileCheck %s

// A public function: its signature (rev.name, else arg<i> / result<i>;
// element type and shape) is recorded in rev.abi, it gets a C interface,
// and an argument it returns is copied (results become out-parameters).
// CHECK-LABEL: func.func @step(%arg0: tensor<2x3xf32>, %arg1: tensor<3xf64>, %arg2: tensor<2xi64>)
// CHECK-SAME: attributes {llvm.emit_c_interface, rev.abi = {args = [{name = "x", type = tensor<2x3xf32>}, {name = "w", type = tensor<3xf64>}, {name = "arg2", type = tensor<2xi64>}], results = [{name = "loss", type = tensor<f32>}, {name = "result1", type = tensor<3xf64>}]}}
// CHECK: %[[COPY:.+]] = linalg.copy ins(%arg1 : tensor<3xf64>)
// CHECK: return %{{.+}}, %[[COPY]]
func.func @step(%x: tensor<2x3xf32> {rev.name = "x"}, %w: tensor<3xf64> {rev.name = "w"}, %n: tensor<2xi64>) -> (tensor<f32> {rev.name = "loss"}, tensor<3xf64>) {
  %c = "tosa.const"() <{values = dense<0.0> : tensor<f32>}> : () -> tensor<f32>
  return %c, %w : tensor<f32>, tensor<3xf64>
}

// -----

// Private functions are not entry points: left alone.
// CHECK-LABEL: func.func private @helper
// CHECK-NOT: rev.abi
// CHECK-NOT: llvm.emit_c_interface
// CHECK: return %arg0
func.func private @helper(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  return %x : tensor<2x3xf32>
}
