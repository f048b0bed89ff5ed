// RUN: rev-opt %s --rev-memory-report="json=%t.json" -o /dev/null 2>&1 | FileCheck %s
// RUN: FileCheck %s --check-prefix=JSON < %t.json

// Sizes by hand: tensor<4xf32> is 16 bytes, tensor<8xf32> 32.
// @f_forward: a (16) is live until exp; with b (32) and c (16) the peak is
// 64 bytes. Its tape is b. @f_backward: its result, 32. @train_step: the
// forward's peak (64), then its two results (48) while the backward builds
// its result (32): 80.

// CHECK: rev-memory-report: tape and estimated peak of live tensor bytes
// CHECK-NEXT: function tape entries tape bytes est. peak bytes
// CHECK-NEXT: @f_forward 1 32 64
// CHECK-NEXT: @f_backward - - 32
// CHECK-NEXT: @train_step - - 80
// CHECK-NEXT: tape of @f_forward by block:
// CHECK-NEXT: /blk/blk.1 1 32
// (why it stays: rev-reconstruct-activations' rev.kept_because)
// CHECK-NEXT: 1 x read by tosa.exp, which is not invertible

// JSON: "functions": [
// JSON: "estimated_peak_bytes": 64,
// JSON: "name": "f_forward",
// JSON: "tape_by_block": [
// JSON: "block": "/blk/blk.1",
// JSON: "kept": [
// JSON: "kept_because": "read by tosa.exp, which is not invertible",
// JSON: "tape_bytes": 32,
// JSON: "tape_entries": 1
// JSON: "tape_bytes": 32,
// JSON: "tape_entries": 1
// JSON: "tape_bytes": 32,
// JSON: "tape_entries": 1
// JSON: "estimated_peak_bytes": 80,
// JSON: "name": "train_step",

func.func @f_forward(%x: tensor<4xf32>) -> (tensor<4xf32> {rev.name = "loss"}, tensor<8xf32> {rev.name = "tape.0", rev.kept_because = "read by tosa.exp, which is not invertible"}) attributes {rev.backward = @f_backward} {
  %a = tosa.tanh %x : (tensor<4xf32>) -> tensor<4xf32> loc("/blk/blk.0/Tanh (Tanh)")
  %b = tosa.concat %a, %a {axis = 0 : i32} : (tensor<4xf32>, tensor<4xf32>) -> tensor<8xf32> loc("/blk/blk.1/Concat (Concat)")
  %c = tosa.exp %a : (tensor<4xf32>) -> tensor<4xf32>
  return %c, %b : tensor<4xf32>, tensor<8xf32>
}

func.func @f_backward(%t: tensor<8xf32> {rev.name = "tape.0"}) -> tensor<8xf32> attributes {rev.forward = @f_forward} {
  %d = tosa.exp %t : (tensor<8xf32>) -> tensor<8xf32>
  return %d : tensor<8xf32>
}

func.func @train_step(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<8xf32>) {
  %r:2 = call @f_forward(%x) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<8xf32>)
  %g = call @f_backward(%r#1) : (tensor<8xf32>) -> tensor<8xf32>
  return %r#0, %g : tensor<4xf32>, tensor<8xf32>
}
