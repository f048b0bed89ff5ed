// RUN: rev-opt %s --rev-differentiate="loss=mse function=net recompute-elementwise=false" --verify-each -split-input-file | FileCheck %s

// The forward returns the loss and the tape; the backward takes the tape and
// the arguments it reads, and returns a gradient per parameter (rev.param);
// train_step calls both.

// CHECK-LABEL: func.func @net_forward(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3xf32> {rev.name = "x"}, %[[W:[^:]+]]: tensor<2x3xf32> {rev.name = "w", rev.param}, %[[B:[^:]+]]: tensor<1x3xf32> {rev.name = "b", rev.param}, %[[T:[^:]+]]: tensor<2x3xf32> {rev.name = "target"})
// CHECK-SAME: -> (tensor<f32> {rev.name = "loss"}, tensor<2x3xf32> {rev.name = "tape.0"}, tensor<2x3xf32> {rev.name = "tape.1"})
// CHECK-SAME: attributes {rev.backward = @net_backward}
// CHECK: %[[M:.+]] = tosa.mul %[[X]], %[[W]]
// CHECK: %[[A:.+]] = tosa.add %[[M]], %[[B]]
// CHECK: %[[Y:.+]] = tosa.tanh %[[A]]
// mse: mean((y - t)^2)
// CHECK: %[[D:.+]] = tosa.sub %[[Y]], %[[T]]
// CHECK: %[[SQ:.+]] = tosa.mul %[[D]], %[[D]]
// CHECK: tosa.reduce_sum %[[SQ]]
// CHECK: %[[LOSS:.+]] = tosa.reshape {{.+}} -> tensor<f32>
// The tape: y - t (for the square) and tanh's result (for its derivative).
// CHECK: return %[[LOSS]], %[[D]], %[[Y]]

// CHECK-LABEL: func.func @net_backward(
// CHECK-SAME: %[[D:[^:]+]]: tensor<2x3xf32> {rev.name = "tape.0"}, %[[Y:[^:]+]]: tensor<2x3xf32> {rev.name = "tape.1"}, %[[X:[^:]+]]: tensor<2x3xf32> {rev.name = "x"})
// CHECK-SAME: -> (tensor<2x3xf32> {rev.name = "grad.w"}, tensor<1x3xf32> {rev.name = "grad.b"})
// CHECK-SAME: attributes {rev.forward = @net_forward}
// tanh: dy * (1 - y^2)
// CHECK: %[[Y2:.+]] = tosa.mul %[[Y]], %[[Y]]
// CHECK: %[[ONE_MINUS:.+]] = tosa.sub %{{.+}}, %[[Y2]]
// CHECK: %[[DA:.+]] = tosa.mul %{{.+}}, %[[ONE_MINUS]]
// The broadcast bias gets its cotangent summed over the batch.
// CHECK: %[[DB:.+]] = tosa.reduce_sum %[[DA]] {axis = 0 : i32} : (tensor<2x3xf32>) -> tensor<1x3xf32>
// mul: d w = dm * x (x is an argument: passed, not taped)
// CHECK: %[[DW:.+]] = tosa.mul %[[DA]], %[[X]]
// CHECK: return %[[DW]], %[[DB]]

// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: -> (tensor<f32> {rev.name = "loss"}, tensor<2x3xf32> {rev.name = "grad.w"}, tensor<1x3xf32> {rev.name = "grad.b"})
// CHECK: %[[F:.+]]:3 = call @net_forward(%arg0, %arg1, %arg2, %arg3)
// CHECK: %[[G:.+]]:2 = call @net_backward(%[[F]]#1, %[[F]]#2, %arg0)
// CHECK: return %[[F]]#0, %[[G]]#0, %[[G]]#1
func.func @net(%x: tensor<2x3xf32> {rev.name = "x"}, %w: tensor<2x3xf32> {rev.name = "w", rev.param},
               %b: tensor<1x3xf32> {rev.name = "b", rev.param}) -> (tensor<2x3xf32> {rev.name = "y"}) {
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %m = tosa.mul %x, %w, %shift : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<1xi8>) -> tensor<2x3xf32>
  %a = tosa.add %m, %b : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  %y = tosa.tanh %a : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// A weight used twice: its cotangents accumulate. The transposed weight is
// recomputed in the backward (a cheap view of an argument), not taped.
// Untrainable arguments and constants get no gradient.

// CHECK-LABEL: func.func @net_forward(
// CHECK-SAME: -> (tensor<f32> {rev.name = "loss"}, tensor<1x2x3xf32> {rev.name = "tape.0"}, tensor<1x2x3xf32> {rev.name = "tape.1"})
// CHECK-LABEL: func.func @net_backward(
// CHECK-SAME: {rev.name = "w", rev.param}
// CHECK-SAME: -> (tensor<3x3xf32> {rev.name = "grad.w"})
// CHECK: tosa.transpose %{{.+}} {perms = array<i32: 1, 0>}
// CHECK: %[[SUM:.+]] = tosa.add %{{.+}}, %{{.+}} : (tensor<3x3xf32>, tensor<3x3xf32>) -> tensor<3x3xf32>
// CHECK-NEXT: return %[[SUM]]
func.func @net(%x: tensor<1x2x3xf32> {rev.name = "x"}, %w: tensor<3x3xf32> {rev.name = "w", rev.param},
               %s: tensor<3x3xf32> {rev.name = "s", rev.param, rev.trainable = false})
    -> (tensor<1x2x3xf32> {rev.name = "y"}) {
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %shape = tosa.const_shape {values = dense<[1, 3, 3]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %wt = tosa.transpose %w {perms = array<i32: 1, 0>} : (tensor<3x3xf32>) -> tensor<3x3xf32>
  %w3 = tosa.reshape %wt, %shape : (tensor<3x3xf32>, !tosa.shape<3>) -> tensor<1x3x3xf32>
  %w3b = tosa.reshape %w, %shape : (tensor<3x3xf32>, !tosa.shape<3>) -> tensor<1x3x3xf32>
  %s3 = tosa.reshape %s, %shape : (tensor<3x3xf32>, !tosa.shape<3>) -> tensor<1x3x3xf32>
  %h = tosa.matmul %x, %w3, %zp, %zp : (tensor<1x2x3xf32>, tensor<1x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x3xf32>
  %h2 = tosa.matmul %h, %w3b, %zp, %zp : (tensor<1x2x3xf32>, tensor<1x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x3xf32>
  %y = tosa.matmul %h2, %s3, %zp, %zp : (tensor<1x2x3xf32>, tensor<1x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x3xf32>
  return %y : tensor<1x2x3xf32>
}


// -----

// Dropout: the derivative is the same dropout (same stream) of the
// cotangent; the stream is recomputed at the top of the backward from the
// seed, passed through like the other arguments, and nothing of the mask is
// taped.

// CHECK-LABEL: func.func @net_forward(
// CHECK-SAME: -> (tensor<f32> {rev.name = "loss"}, tensor<2x3xf32> {rev.name = "tape.0"}, tensor<2x3xf32> {rev.name = "tape.1"})
// CHECK-LABEL: func.func @net_backward(
// CHECK-SAME: %[[SEED:[^:]+]]: tensor<i64> {rev.name = "dropout_seed"}
// CHECK-NEXT: %[[S:.+]] = rev.random_stream %[[SEED]][3] : tensor<i64> -> tensor<2xi64>
// CHECK: %[[DX:.+]] = rev.dropout %{{.+}}, %[[S]] {ratio = 2.500000e-01 : f64} : tensor<2x3xf32>, tensor<2xi64>
// CHECK: tosa.mul %[[DX]], %{{.+}}
func.func @net(%x: tensor<2x3xf32> {rev.name = "x"}, %w: tensor<2x3xf32> {rev.name = "w", rev.param},
               %seed: tensor<i64> {rev.name = "dropout_seed"}) -> (tensor<2x3xf32> {rev.name = "y"}) {
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %s = rev.random_stream %seed[3] : tensor<i64> -> tensor<2xi64>
  %m = tosa.mul %x, %w, %shift : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<1xi8>) -> tensor<2x3xf32>
  %d = rev.dropout %m, %s {ratio = 0.25 : f64} : tensor<2x3xf32>, tensor<2xi64>
  %y = tosa.mul %d, %w, %shift : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<1xi8>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// A coupling whose G is the identity (MomentumNet's x + v after the
// velocity update) never recomputes y1, so the backward reads only x2 of
// its inputs: x1 is not put on the tape (it was, unread, before).

// CHECK-LABEL: func.func @net_forward(
// CHECK-SAME: -> (tensor<f32> {rev.name = "loss"}, tensor<8xf32> {rev.name = "tape.0"}, tensor<4xf32> {rev.name = "tape.1"}) attributes
// CHECK: %[[X1:.+]] = tosa.tanh
// CHECK: %[[X2:.+]] = tosa.tanh
// CHECK: rev.coupling %[[X1]], %[[X2]]
// CHECK: return %{{.+}}, %{{.+}}, %[[X2]] : tensor<f32>, tensor<8xf32>, tensor<4xf32>
// CHECK-LABEL: func.func @net_backward(
// CHECK-SAME: %{{[^:]+}}: tensor<8xf32> {rev.name = "tape.0"}, %{{[^:]+}}: tensor<4xf32> {rev.name = "tape.1"}, %{{[^:]+}}: tensor<4xf32> {rev.name = "w", rev.param})
func.func @net(%a: tensor<4xf32> {rev.name = "a"}, %b: tensor<4xf32> {rev.name = "b"}, %w: tensor<4xf32> {rev.name = "w", rev.param}) -> (tensor<8xf32> {rev.name = "y"}) {
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %x1 = tosa.tanh %a : (tensor<4xf32>) -> tensor<4xf32>
  %x2 = tosa.tanh %b : (tensor<4xf32>) -> tensor<4xf32>
  %y1, %y2 = rev.coupling %x1, %x2 : tensor<4xf32>, tensor<4xf32> f {
  ^bb0(%v: tensor<4xf32>):
    %m = tosa.mul %v, %w, %shift : (tensor<4xf32>, tensor<4xf32>, tensor<1xi8>) -> tensor<4xf32>
    %t = tosa.tanh %m : (tensor<4xf32>) -> tensor<4xf32>
    rev.yield %t : tensor<4xf32>
  } g {
  ^bb0(%v: tensor<4xf32>):
    rev.yield %v : tensor<4xf32>
  }
  %y = tosa.concat %y1, %y2 {axis = 0 : i32} : (tensor<4xf32>, tensor<4xf32>) -> tensor<8xf32>
  return %y : tensor<8xf32>
}
