// RUN: rev-opt %s --rev-differentiate="loss=mse" | FileCheck %s --check-prefix=STORED
// RUN: rev-opt %s --rev-differentiate="loss=mse" --rev-reconstruct-activations="explain=true" --verify-each 2>&1 | FileCheck %s
// RUN: rev-opt %s --rev-differentiate="loss=mse" --rev-reconstruct-activations="checkpoint-every=2 explain=true" 2>&1 | FileCheck %s --check-prefix=EVERY2
// RUN: rev-opt %s --rev-train="mode=reversible loss=mse" | FileCheck %s --check-prefix=PIPELINE
// RUN: rev-opt %s --rev-train="mode=reversible loss=mse numerics=true" | FileCheck %s --check-prefix=NUMERICS

// Three couplings in a row (with swaps), as rev-form-couplings leaves a
// RevNet stage; the input is tanh(x), split in two.

// Without the rewrite, the forward stores the inputs of every coupling (six
// halves) besides the loss's y - target.
// STORED-LABEL: func.func @net_forward(
// STORED-SAME: -> (tensor<f32> {rev.name = "loss"}, tensor<2x8xf32> {rev.name = "tape.0"}, tensor<2x4xf32> {rev.name = "tape.1"}, tensor<2x4xf32> {rev.name = "tape.2"}, tensor<2x4xf32> {rev.name = "tape.3"}, tensor<2x4xf32> {rev.name = "tape.4"}, tensor<2x4xf32> {rev.name = "tape.5"}, tensor<2x4xf32> {rev.name = "tape.6"})
// STORED: %[[A1:.+]], %[[A2:.+]] = rev.coupling %[[X1:.+]], %[[X2:[^ ]+]] :
// STORED: %[[B1:.+]], %[[B2:.+]] = rev.coupling %[[A2]], %[[A1]] :
// STORED: %[[C1:.+]], %[[C2:.+]] = rev.coupling %[[B2]], %[[B1]] :
// STORED: return %{{.+}}, %{{.+}}, %[[B2]], %[[B1]], %[[A2]], %[[A1]], %[[X1]], %[[X2]] :

// With it, nothing is stored but the loss's y - target: the couplings'
// outputs are rebuilt too, y = (y - target) + target (an add of an argument
// inverts up to one rounding), and everything below from them. The kept
// entry is explained.
// CHECK: remark: rev-reconstruct-activations: tape.0 ('tensor<2x8xf32>', 64 bytes) stays on the tape: read by tosa.mul, which is not invertible
// CHECK: remark: rev-reconstruct-activations: @net_forward: 6 tape entries (192 bytes) reconstructed in @net_backward by 3 coupling inverse(s); 0 bytes of coupling outputs stored instead
// CHECK-LABEL: func.func @net_forward(
// CHECK-SAME: -> (tensor<f32> {rev.name = "loss"}, tensor<2x8xf32> {rev.kept_because = "read by tosa.mul, which is not invertible", rev.name = "tape.0"})
// CHECK: = rev.coupling
// CHECK: = rev.coupling
// CHECK: = rev.coupling
// CHECK: return %{{.+}}, %{{.+}} :

// The backward reads the weights it needs for the inverses, and the target.
// CHECK-LABEL: func.func @net_backward(
// CHECK-SAME: %[[D:[^:]+]]: tensor<2x8xf32> {rev.name = "tape.0"}, %[[WF3:[^:]+]]: tensor<2x4xf32> {rev.name = "wf3", rev.param}, %[[WG3:[^:]+]]: tensor<2x4xf32> {rev.name = "wg3", rev.param}, %[[WF2:[^:]+]]: tensor<2x4xf32> {rev.name = "wf2", rev.param}, %[[WG2:[^:]+]]: tensor<2x4xf32> {rev.name = "wg2", rev.param}
// CHECK-SAME: %[[T:[^:]+]]: tensor<2x8xf32> {rev.name = "target"})
// CHECK: %[[Y:.+]] = tosa.add %[[D]], %[[T]]
// CHECK-NEXT: %[[Y1:.+]] = tosa.slice %[[Y]]
// CHECK-NEXT: %[[Y2:.+]] = tosa.slice %[[Y]]
// Top block first: x2 = y2 - G(y1), x1 = y1 - F(x2).
// CHECK: %[[GM:.+]] = tosa.mul %[[Y1]], %[[WG3]]
// CHECK-NEXT: %[[G:.+]] = tosa.sigmoid %[[GM]]
// CHECK-NEXT: %[[X2:.+]] = tosa.sub %[[Y2]], %[[G]]
// CHECK-NEXT: %[[FM:.+]] = tosa.mul %[[X2]], %[[WF3]]
// CHECK-NEXT: %[[F:.+]] = tosa.tanh %[[FM]]
// CHECK-NEXT: %[[X1:.+]] = tosa.sub %[[Y1]], %[[F]]
// The coupling's VJP reuses G(y1) and F(x2) (sigmoid' = s (1 - s),
// tanh' = 1 - t^2): no second sigmoid or tanh of these.
// CHECK-NOT: tosa.sigmoid %[[GM]]
// CHECK: tosa.mul %[[G]], %{{.+}}
// CHECK: tosa.mul %[[F]], %[[F]]
// Then the block below, from the rebuilt x1 and x2.
// CHECK: %[[GM2:.+]] = tosa.mul %[[X2]], %[[WG2]]
// CHECK-NEXT: %[[G2:.+]] = tosa.sigmoid %[[GM2]]
// CHECK-NEXT: %[[X2B:.+]] = tosa.sub %[[X1]], %[[G2]]
// CHECK-NEXT: %[[FM2:.+]] = tosa.mul %[[X2B]], %[[WF2]]
// CHECK-NEXT: tosa.tanh %[[FM2]]

// The training step passes the new tape.
// CHECK-LABEL: func.func @train_step(
// CHECK: %[[FWD:.+]]:2 = call @net_forward(
// CHECK: call @net_backward(%[[FWD]]#1, %arg5, %arg6, %arg3, %arg4, %arg1, %arg2, %arg7)

// checkpoint-every=2: the second coupling's inputs stay stored, so only the
// first and the third are inverted.
// EVERY2: 4 tape entries (128 bytes) reconstructed in @net_backward by 2 coupling inverse(s); 0 bytes of coupling outputs stored instead
// EVERY2-LABEL: func.func @net_forward(
// EVERY2: %[[A1:.+]], %[[A2:.+]] = rev.coupling
// EVERY2: = rev.coupling
// EVERY2: = rev.coupling
// EVERY2: return %{{.+}}, %{{.+}}, %[[A2]], %[[A1]] :

// numerics: the tape entries stay, and the backward also returns, per
// coupling, the largest difference between the stored and the rebuilt input.
// NUMERICS-LABEL: func.func @net_forward(
// NUMERICS-SAME: {rev.kept_because = "rebuilt by an inverse; kept to measure the reconstruction (numerics=true)", rev.name = "tape.5"}, tensor<2x4xf32> {rev.kept_because = "rebuilt by an inverse; kept to measure the reconstruction (numerics=true)", rev.name = "tape.6"})
// NUMERICS-LABEL: func.func @net_backward(
// (the stored x2 minus the rebuilt one, |.|, max over both axes)
// NUMERICS-SAME: -> (tensor<2x4xf32> {rev.name = "grad.wf1"}, {{.*}}, tensor<f32> {rev.name = "reconstruction_error.coupling0"}, tensor<f32> {rev.name = "reconstruction_error.coupling1"}, tensor<f32> {rev.name = "reconstruction_error.coupling2"})
// NUMERICS: %[[A:.+]] = tosa.abs %{{.+}} :
// NUMERICS-NEXT: tosa.reduce_max %[[A]] {axis = 0 : i32}
// NUMERICS-NEXT: tosa.reduce_max %{{.+}} {axis = 1 : i32}
// NUMERICS-LABEL: func.func @train_step(
// NUMERICS-SAME: tensor<f32> {rev.name = "reconstruction_error.coupling2"})

// The pipeline: couplings already formed here; the same tape.
// PIPELINE-LABEL: func.func @net_forward(
// PIPELINE-SAME: -> (tensor<f32> {rev.name = "loss"}, tensor<2x8xf32> {rev.kept_because = "read by tosa.mul, which is not invertible", rev.name = "tape.0"})

func.func @net(%in: tensor<2x8xf32> {rev.name = "x"},
               %wf1: tensor<2x4xf32> {rev.name = "wf1", rev.param}, %wg1: tensor<2x4xf32> {rev.name = "wg1", rev.param},
               %wf2: tensor<2x4xf32> {rev.name = "wf2", rev.param}, %wg2: tensor<2x4xf32> {rev.name = "wg2", rev.param},
               %wf3: tensor<2x4xf32> {rev.name = "wf3", rev.param}, %wg3: tensor<2x4xf32> {rev.name = "wg3", rev.param})
    -> (tensor<2x8xf32> {rev.name = "y"}) {
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %start1 = tosa.const_shape {values = dense<[0, 0]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %start2 = tosa.const_shape {values = dense<[0, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %size = tosa.const_shape {values = dense<[2, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %x = tosa.tanh %in : (tensor<2x8xf32>) -> tensor<2x8xf32>
  %x1 = tosa.slice %x, %start1, %size : (tensor<2x8xf32>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<2x4xf32>
  %x2 = tosa.slice %x, %start2, %size : (tensor<2x8xf32>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<2x4xf32>
  %a1, %a2 = rev.coupling %x1, %x2 : tensor<2x4xf32>, tensor<2x4xf32> f {
  ^bb0(%v: tensor<2x4xf32>):
    %m = tosa.mul %v, %wf1, %shift : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<1xi8>) -> tensor<2x4xf32>
    %r = tosa.tanh %m : (tensor<2x4xf32>) -> tensor<2x4xf32>
    rev.yield %r : tensor<2x4xf32>
  } g {
  ^bb0(%v: tensor<2x4xf32>):
    %m = tosa.mul %v, %wg1, %shift : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<1xi8>) -> tensor<2x4xf32>
    %r = tosa.sigmoid %m : (tensor<2x4xf32>) -> tensor<2x4xf32>
    rev.yield %r : tensor<2x4xf32>
  }
  %b1, %b2 = rev.coupling %a2, %a1 : tensor<2x4xf32>, tensor<2x4xf32> f {
  ^bb0(%v: tensor<2x4xf32>):
    %m = tosa.mul %v, %wf2, %shift : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<1xi8>) -> tensor<2x4xf32>
    %r = tosa.tanh %m : (tensor<2x4xf32>) -> tensor<2x4xf32>
    rev.yield %r : tensor<2x4xf32>
  } g {
  ^bb0(%v: tensor<2x4xf32>):
    %m = tosa.mul %v, %wg2, %shift : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<1xi8>) -> tensor<2x4xf32>
    %r = tosa.sigmoid %m : (tensor<2x4xf32>) -> tensor<2x4xf32>
    rev.yield %r : tensor<2x4xf32>
  }
  %c1, %c2 = rev.coupling %b2, %b1 : tensor<2x4xf32>, tensor<2x4xf32> f {
  ^bb0(%v: tensor<2x4xf32>):
    %m = tosa.mul %v, %wf3, %shift : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<1xi8>) -> tensor<2x4xf32>
    %r = tosa.tanh %m : (tensor<2x4xf32>) -> tensor<2x4xf32>
    rev.yield %r : tensor<2x4xf32>
  } g {
  ^bb0(%v: tensor<2x4xf32>):
    %m = tosa.mul %v, %wg3, %shift : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<1xi8>) -> tensor<2x4xf32>
    %r = tosa.sigmoid %m : (tensor<2x4xf32>) -> tensor<2x4xf32>
    rev.yield %r : tensor<2x4xf32>
  }
  %y = tosa.concat %c1, %c2 {axis = 1 : i32} : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}
