// RUN: rev-opt %s --rev-differentiate="loss=mse" -split-input-file --verify-each | FileCheck %s
// RUN: rev-opt %s --rev-differentiate="loss=mse recompute-elementwise=false" -split-input-file | FileCheck %s --check-prefix=STORE

// A BatchNorm-like chain then a ReLU: the backward reads x - mean, the
// inverse deviation, the affine result (ReLU's mask) and the ReLU output
// (the matmul's gradient). x - mean is computed from a matmul and a
// reduction and stays; rstd stays (a reduction's result); the rest is
// rebuilt in the backward from these two and the parameters.

// CHECK-LABEL: func.func @bn_forward
// CHECK-SAME: -> (tensor<f32> {rev.name = "loss"}, tensor<1x2x4xf32> {rev.name = "tape.0"}, tensor<1x1x4xf32> {rev.name = "tape.1"}, tensor<1x2x4xf32> {rev.name = "tape.2"})
// CHECK: %[[C:.+]] = tosa.sub
// CHECK: %[[R:.+]] = tosa.rsqrt
// CHECK: return %{{.+}}, %{{.+}}, %[[R]], %[[C]] :
// CHECK-LABEL: func.func @bn_backward
// CHECK-SAME: (%{{.+}}: tensor<1x2x4xf32> {rev.name = "tape.0"}, %[[TR:[^:]+]]: tensor<1x1x4xf32> {rev.name = "tape.1"}, %[[TC:[^:]+]]: tensor<1x2x4xf32> {rev.name = "tape.2"}, %[[W:[^:]+]]: tensor<1x4x4xf32> {rev.name = "w", rev.param}, %[[G:[^:]+]]: tensor<1x1x4xf32> {rev.name = "g", rev.param}, %{{.+}}: tensor<1x2x4xf32> {rev.name = "x"}, %[[B:[^:]+]]: tensor<1x1x4xf32> {rev.name = "b", rev.param})
// The ReLU output, rebuilt before the matmul's gradient reads it:
// CHECK: %[[N:.+]] = tosa.mul %[[TC]], %[[TR]]
// CHECK-NEXT: %[[A:.+]] = tosa.mul %[[N]], %[[G]]
// CHECK-NEXT: %[[Y:.+]] = tosa.add %[[A]], %[[B]]
// CHECK-NEXT: %[[RELU:.+]] = tosa.clamp %[[Y]]
// CHECK-NEXT: tosa.transpose %[[RELU]]
// The affine result, rebuilt for the ReLU's mask:
// CHECK: %[[N2:.+]] = tosa.mul %[[TC]], %[[TR]]
// CHECK-NEXT: %[[A2:.+]] = tosa.mul %[[N2]], %[[G]]
// CHECK-NEXT: %[[Y2:.+]] = tosa.add %[[A2]], %[[B]]
// CHECK-NEXT: tosa.greater_equal %{{.+}}, %[[Y2]]
// CHECK-LABEL: func.func @train_step

// Without recompute-elementwise, each of them is on the tape.
// STORE-LABEL: func.func @bn_forward
// STORE-SAME: {rev.name = "tape.5"}) attributes
func.func @bn(%x: tensor<1x2x4xf32> {rev.name = "x"}, %w: tensor<1x4x4xf32> {rev.name = "w", rev.param}, %g: tensor<1x1x4xf32> {rev.name = "g", rev.param}, %b: tensor<1x1x4xf32> {rev.name = "b", rev.param}) -> tensor<1x2x4xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %h = tosa.matmul %x, %w, %zp, %zp : (tensor<1x2x4xf32>, tensor<1x4x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x4xf32>
  %sum = tosa.reduce_sum %h {axis = 1 : i32} : (tensor<1x2x4xf32>) -> tensor<1x1x4xf32>
  %c = tosa.sub %h, %sum : (tensor<1x2x4xf32>, tensor<1x1x4xf32>) -> tensor<1x2x4xf32>
  %sq = tosa.mul %c, %c, %shift : (tensor<1x2x4xf32>, tensor<1x2x4xf32>, tensor<1xi8>) -> tensor<1x2x4xf32>
  %var = tosa.reduce_sum %sq {axis = 1 : i32} : (tensor<1x2x4xf32>) -> tensor<1x1x4xf32>
  %r = tosa.rsqrt %var : (tensor<1x1x4xf32>) -> tensor<1x1x4xf32>
  %n = tosa.mul %c, %r, %shift : (tensor<1x2x4xf32>, tensor<1x1x4xf32>, tensor<1xi8>) -> tensor<1x2x4xf32>
  %a = tosa.mul %n, %g, %shift : (tensor<1x2x4xf32>, tensor<1x1x4xf32>, tensor<1xi8>) -> tensor<1x2x4xf32>
  %y = tosa.add %a, %b : (tensor<1x2x4xf32>, tensor<1x1x4xf32>) -> tensor<1x2x4xf32>
  %relu = tosa.clamp %y {min_val = 0.0 : f32, max_val = 3.4e38 : f32} : (tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %o = tosa.matmul %relu, %w, %zp, %zp : (tensor<1x2x4xf32>, tensor<1x4x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x4xf32>
  return %o : tensor<1x2x4xf32>
}

// -----

// At most eight ops per entry: the tanh VJPs read every tanh's output. t1
// (from a matmul) stays; t2 ... t9 are rebuilt from it (t9 with eight ops);
// the loss's t9 - target would take nine and stays.

// CHECK-LABEL: func.func @long_forward
// CHECK-SAME: -> (tensor<f32> {rev.name = "loss"}, tensor<1x2x2xf32> {rev.name = "tape.0"}, tensor<1x2x2xf32> {rev.name = "tape.1"}) attributes
// CHECK: %[[T1:.+]] = tosa.tanh
// CHECK: %[[D:.+]] = tosa.sub
// CHECK: return %{{.+}}, %[[D]], %[[T1]] :
// CHECK-LABEL: func.func @long_backward
// CHECK-COUNT-8: tosa.tanh
// CHECK-LABEL: func.func @train_step
// STORE-LABEL: func.func @long_forward
// STORE-SAME: {rev.name = "tape.9"}) attributes
func.func @long(%x: tensor<1x2x2xf32> {rev.name = "x"}, %w: tensor<1x2x2xf32> {rev.name = "w", rev.param}) -> tensor<1x2x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %h = tosa.matmul %x, %w, %zp, %zp : (tensor<1x2x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2xf32>
  %t1 = tosa.tanh %h : (tensor<1x2x2xf32>) -> tensor<1x2x2xf32>
  %t2 = tosa.tanh %t1 : (tensor<1x2x2xf32>) -> tensor<1x2x2xf32>
  %t3 = tosa.tanh %t2 : (tensor<1x2x2xf32>) -> tensor<1x2x2xf32>
  %t4 = tosa.tanh %t3 : (tensor<1x2x2xf32>) -> tensor<1x2x2xf32>
  %t5 = tosa.tanh %t4 : (tensor<1x2x2xf32>) -> tensor<1x2x2xf32>
  %t6 = tosa.tanh %t5 : (tensor<1x2x2xf32>) -> tensor<1x2x2xf32>
  %t7 = tosa.tanh %t6 : (tensor<1x2x2xf32>) -> tensor<1x2x2xf32>
  %t8 = tosa.tanh %t7 : (tensor<1x2x2xf32>) -> tensor<1x2x2xf32>
  %t9 = tosa.tanh %t8 : (tensor<1x2x2xf32>) -> tensor<1x2x2xf32>
  return %t9 : tensor<1x2x2xf32>
}
