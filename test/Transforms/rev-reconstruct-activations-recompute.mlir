// RUN: rev-opt %s --rev-differentiate="loss=mse" --rev-reconstruct-activations="explain=true" --verify-each 2>&1 | FileCheck %s
// RUN: rev-opt %s --rev-differentiate="loss=mse" --rev-reconstruct-activations="recompute-elementwise=false explain=true" 2>&1 | FileCheck %s --check-prefix=KEEP

// Two couplings, then a normalization of their outputs (a final LayerNorm's
// x - mean, scaled). rev-differentiate stores x - mean (the scale's VJP
// reads it) and the second coupling's inputs; the rewrite rebuilds the
// inputs by inversion and stores the tops, from which a concatenation, a
// reduction and two elementwise ops rebuild x - mean: it leaves the tape.

// CHECK: remark: rev-reconstruct-activations: tape.0 ('tensor<2x8xf32>', 64 bytes) leaves the tape: rebuilt from the entries that stay by cheap ops and reductions
// CHECK-LABEL: func.func @net_forward(
// CHECK-SAME: -> (tensor<f32> {rev.name = "loss"}, tensor<2x4xf32> {rev.kept_because = "the output of the last coupling of a reversible run (its top: the blocks below are rebuilt from it)", rev.name = "tape.3"}, tensor<2x4xf32> {rev.kept_because = "the output of the last coupling of a reversible run (its top: the blocks below are rebuilt from it)", rev.name = "tape.4"})
// CHECK: rev.coupling
// CHECK: %[[Y1:[^,]+]], %[[Y2:[^ ]+]] = rev.coupling
// CHECK: return %{{.+}}, %[[Y1]], %[[Y2]]
// CHECK-LABEL: func.func @net_backward(
// CHECK-SAME: %[[W:[^:]+]]: tensor<1x8xf32> {rev.name = "w", rev.param}
// CHECK-SAME: %[[T3:[^:]+]]: tensor<2x4xf32> {rev.name = "tape.3"}, %[[T4:[^:]+]]: tensor<2x4xf32> {rev.name = "tape.4"})
// CHECK: %[[CAT:.+]] = tosa.concat %[[T3]], %[[T4]] {axis = 1 : i32}
// CHECK: %[[SUM:.+]] = tosa.reduce_sum %[[CAT]] {axis = 1 : i32}
// CHECK: %[[MEAN:.+]] = tosa.mul %[[SUM]], %{{.+}}, %{{.+}} : (tensor<2x1xf32>, tensor<1x1xf32>, tensor<1xi8>)
// CHECK: %[[D:.+]] = tosa.sub %[[CAT]], %[[MEAN]]
// CHECK: tosa.mul %[[D]], %[[W]]
// CHECK-LABEL: func.func @train_step(
// CHECK: %[[F:.+]]:3 = call @net_forward(
// CHECK: call @net_backward(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[F]]#1, %[[F]]#2)

// Without the step, x - mean stays beside the tops.
// KEEP: remark: rev-reconstruct-activations: tape.0 ('tensor<2x8xf32>', 64 bytes) stays on the tape: read by tosa.mul, which is not invertible
// KEEP-LABEL: func.func @net_forward(
// KEEP-SAME: -> (tensor<f32> {rev.name = "loss"}, tensor<2x8xf32> {rev.kept_because = "read by tosa.mul, which is not invertible", rev.name = "tape.0"}, tensor<2x4xf32> {rev.kept_because = "the output of the last coupling of a reversible run (its top: the blocks below are rebuilt from it)", rev.name = "tape.3"}, tensor<2x4xf32> {rev.kept_because = "the output of the last coupling of a reversible run (its top: the blocks below are rebuilt from it)", rev.name = "tape.4"})
func.func @net(%x: tensor<2x4xf32> {rev.name = "x"}, %wf: tensor<1x4xf32> {rev.name = "wf", rev.param}, %w: tensor<1x8xf32> {rev.name = "w", rev.param}) -> (tensor<2x8xf32> {rev.name = "y"}) {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %c = "tosa.const"() <{values = dense<0.125> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %h1, %h2 = rev.coupling %x, %x : tensor<2x4xf32>, tensor<2x4xf32> f {
  ^bb0(%a: tensor<2x4xf32>):
    %m = tosa.mul %a, %wf, %shift : (tensor<2x4xf32>, tensor<1x4xf32>, tensor<1xi8>) -> tensor<2x4xf32>
    %t = tosa.tanh %m : (tensor<2x4xf32>) -> tensor<2x4xf32>
    rev.yield %t : tensor<2x4xf32>
  } g {
  ^bb0(%b: tensor<2x4xf32>):
    %m = tosa.mul %b, %wf, %shift : (tensor<2x4xf32>, tensor<1x4xf32>, tensor<1xi8>) -> tensor<2x4xf32>
    %t = tosa.tanh %m : (tensor<2x4xf32>) -> tensor<2x4xf32>
    rev.yield %t : tensor<2x4xf32>
  }
  %y1, %y2 = rev.coupling %h2, %h1 : tensor<2x4xf32>, tensor<2x4xf32> f {
  ^bb0(%a: tensor<2x4xf32>):
    %m = tosa.mul %a, %wf, %shift : (tensor<2x4xf32>, tensor<1x4xf32>, tensor<1xi8>) -> tensor<2x4xf32>
    %t = tosa.tanh %m : (tensor<2x4xf32>) -> tensor<2x4xf32>
    rev.yield %t : tensor<2x4xf32>
  } g {
  ^bb0(%b: tensor<2x4xf32>):
    %m = tosa.mul %b, %wf, %shift : (tensor<2x4xf32>, tensor<1x4xf32>, tensor<1xi8>) -> tensor<2x4xf32>
    %t = tosa.sigmoid %m : (tensor<2x4xf32>) -> tensor<2x4xf32>
    rev.yield %t : tensor<2x4xf32>
  }
  %cat = tosa.concat %y1, %y2 {axis = 1 : i32} : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x8xf32>
  %sum = tosa.reduce_sum %cat {axis = 1 : i32} : (tensor<2x8xf32>) -> tensor<2x1xf32>
  %mean = tosa.mul %sum, %c, %shift : (tensor<2x1xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<2x1xf32>
  %d = tosa.sub %cat, %mean : (tensor<2x8xf32>, tensor<2x1xf32>) -> tensor<2x8xf32>
  %out = tosa.mul %d, %w, %shift : (tensor<2x8xf32>, tensor<1x8xf32>, tensor<1xi8>) -> tensor<2x8xf32>
  return %out : tensor<2x8xf32>
}
