// RUN: rev-opt %s --rev-memory-report="model-lowering=false" -o /dev/null 2>&1 | FileCheck %s

// What the estimate models of the lowering, sizes by hand (tensor<8xf32>
// is 32 bytes).

// A constant is read-only data: @consts peaks at its one result, 32.
// CHECK: @consts - - 32
func.func @consts(%x: tensor<8xf32>) -> tensor<8xf32> {
  %c = "tosa.const"() <{values = dense<1.0> : tensor<8xf32>}> : () -> tensor<8xf32>
  %a = tosa.add %x, %c : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %a : tensor<8xf32>
}

// A reshape is a view of its source (0 bytes, keeps %a alive): %a and %b,
// 64 (96 if the view were a copy).
// CHECK: @views - - 64
func.func @views(%x: tensor<8xf32>) -> tensor<2x4xf32> {
  %a = tosa.exp %x : (tensor<8xf32>) -> tensor<8xf32>
  %shape = tosa.const_shape {values = dense<[2, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %r = tosa.reshape %a, %shape : (tensor<8xf32>, !tosa.shape<2>) -> tensor<2x4xf32>
  %b = tosa.exp %r : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return %b : tensor<2x4xf32>
}

// Alone, @callee holds %d and %e: 64.
// CHECK: @callee - - 64
func.func @callee(%t: tensor<8xf32>) -> tensor<8xf32> {
  %d = tosa.exp %t : (tensor<8xf32>) -> tensor<8xf32>
  %e = tosa.exp %d : (tensor<8xf32>) -> tensor<8xf32>
  return %e : tensor<8xf32>
}

// @caller reads %b last in the call: the callee owns it and frees it after
// its first exp. While the call runs: %a (32) + the callee's peak with %b
// (%b + %d = 64) = 96; 128 if %b stayed alive through the call.
// CHECK: @caller - - 96
func.func @caller(%x: tensor<8xf32>) -> tensor<8xf32> {
  %a = tosa.exp %x : (tensor<8xf32>) -> tensor<8xf32>
  %b = tosa.exp %a : (tensor<8xf32>) -> tensor<8xf32>
  %c = call @callee(%b) : (tensor<8xf32>) -> tensor<8xf32>
  %e = tosa.add %a, %c : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %e : tensor<8xf32>
}

// A callee that returns its argument does not own it: %a and %b stay alive
// through the call (64), which returns 64 bytes (counted as new buffers,
// though one is %b): 128.
// CHECK: @keeps - - 128
func.func @returns(%t: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %d = tosa.exp %t : (tensor<8xf32>) -> tensor<8xf32>
  return %t, %d : tensor<8xf32>, tensor<8xf32>
}
func.func @keeps(%x: tensor<8xf32>) -> tensor<8xf32> {
  %a = tosa.exp %x : (tensor<8xf32>) -> tensor<8xf32>
  %b = tosa.exp %a : (tensor<8xf32>) -> tensor<8xf32>
  %c:2 = call @returns(%b) : (tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>)
  %e = tosa.add %a, %c#1 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %e : tensor<8xf32>
}
