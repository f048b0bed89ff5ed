// RUN: rev-opt %s | FileCheck %s
// Round trip: the printed form parses again and prints the same.
// RUN: rev-opt %s | rev-opt | FileCheck %s
// RUN: rev-opt -mlir-print-op-generic %s | rev-opt | FileCheck %s
// RUN: rev-opt --canonicalize %s | FileCheck %s --check-prefix=FOLD

// CHECK-LABEL: func.func @additive
// CHECK-SAME: (%[[X1:.+]]: tensor<1x8x8x4xf32>, %[[X2:.+]]: tensor<1x8x8x4xf32>, %[[W:.+]]: tensor<1x1x1x4xf32>)
func.func @additive(%x1: tensor<1x8x8x4xf32>, %x2: tensor<1x8x8x4xf32>,
                    %w: tensor<1x1x1x4xf32>) -> (tensor<1x8x8x4xf32>, tensor<1x8x8x4xf32>) {
  // CHECK: %[[Y1:.+]], %[[Y2:.+]] = rev.coupling %[[X1]], %[[X2]] : tensor<1x8x8x4xf32>, tensor<1x8x8x4xf32> f {
  // CHECK-NEXT: ^bb0(%[[A:.+]]: tensor<1x8x8x4xf32>):
  // CHECK-NEXT:   %[[T:.+]] = tosa.tanh %[[A]]
  // CHECK-NEXT:   rev.yield %[[T]] : tensor<1x8x8x4xf32>
  // CHECK-NEXT: } g {
  // CHECK-NEXT: ^bb0(%[[B:.+]]: tensor<1x8x8x4xf32>):
  // CHECK-NEXT:   %[[S:.+]] = tosa.add %[[B]], %[[W]]
  // CHECK-NEXT:   rev.yield %[[S]] : tensor<1x8x8x4xf32>
  // CHECK-NEXT: }
  %y1, %y2 = rev.coupling %x1, %x2 : tensor<1x8x8x4xf32>, tensor<1x8x8x4xf32>
    f {
    ^bb0(%a: tensor<1x8x8x4xf32>):
      %r = tosa.tanh %a : (tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32>
      rev.yield %r : tensor<1x8x8x4xf32>
    } g {
    ^bb0(%b: tensor<1x8x8x4xf32>):
      %r = tosa.add %b, %w : (tensor<1x8x8x4xf32>, tensor<1x1x1x4xf32>) -> tensor<1x8x8x4xf32>
      rev.yield %r : tensor<1x8x8x4xf32>
    }
  // CHECK: return %[[Y1]], %[[Y2]]
  return %y1, %y2 : tensor<1x8x8x4xf32>, tensor<1x8x8x4xf32>
}

// An unequal split: F maps x2's type to x1's, G maps y1's type to x2's.
// CHECK-LABEL: func.func @unequal
// CHECK: rev.coupling %{{.+}}, %{{.+}} : tensor<2x3xf32>, tensor<2x5xf32> f {
// CHECK: ^bb0(%{{.+}}: tensor<2x5xf32>):
// CHECK: rev.yield %{{.+}} : tensor<2x3xf32>
// CHECK: } g {
// CHECK: ^bb0(%{{.+}}: tensor<2x3xf32>):
// CHECK: rev.yield %{{.+}} : tensor<2x5xf32>
func.func @unequal(%x1: tensor<2x3xf32>, %x2: tensor<2x5xf32>) -> (tensor<2x3xf32>, tensor<2x5xf32>) {
  %y1, %y2 = rev.coupling %x1, %x2 : tensor<2x3xf32>, tensor<2x5xf32>
    f {
    ^bb0(%a: tensor<2x5xf32>):
      %s = tosa.const_shape {values = dense<[0, 0]> : tensor<2xindex>} : () -> !tosa.shape<2>
      %z = tosa.const_shape {values = dense<[2, 3]> : tensor<2xindex>} : () -> !tosa.shape<2>
      %r = tosa.slice %a, %s, %z : (tensor<2x5xf32>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<2x3xf32>
      rev.yield %r : tensor<2x3xf32>
    } g {
    ^bb0(%b: tensor<2x3xf32>):
      %r = tosa.concat %b, %b, %b {axis = 1 : i32} : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x9xf32>
      %s = tosa.const_shape {values = dense<[0, 0]> : tensor<2xindex>} : () -> !tosa.shape<2>
      %z = tosa.const_shape {values = dense<[2, 5]> : tensor<2xindex>} : () -> !tosa.shape<2>
      %q = tosa.slice %r, %s, %z : (tensor<2x9xf32>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<2x5xf32>
      rev.yield %q : tensor<2x5xf32>
    }
  return %y1, %y2 : tensor<2x3xf32>, tensor<2x5xf32>
}

// CHECK-LABEL: func.func @affine
// CHECK: %{{.+}}, %{{.+}} = rev.affine_coupling %{{.+}}, %{{.+}} : tensor<2x4xf32>, tensor<2x4xf32> st {
// CHECK-NEXT: ^bb0(%[[A:.+]]: tensor<2x4xf32>):
// CHECK-NEXT:   %[[S:.+]] = tosa.sigmoid %[[A]]
// CHECK-NEXT:   %[[T:.+]] = tosa.tanh %[[A]]
// CHECK-NEXT:   rev.yield %[[S]], %[[T]] : tensor<2x4xf32>, tensor<2x4xf32>
func.func @affine(%x1: tensor<2x4xf32>, %x2: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %y1, %y2 = rev.affine_coupling %x1, %x2 : tensor<2x4xf32>, tensor<2x4xf32>
    st {
    ^bb0(%a: tensor<2x4xf32>):
      %s = tosa.sigmoid %a : (tensor<2x4xf32>) -> tensor<2x4xf32>
      %t = tosa.tanh %a : (tensor<2x4xf32>) -> tensor<2x4xf32>
      rev.yield %s, %t : tensor<2x4xf32>, tensor<2x4xf32>
    }
  return %y1, %y2 : tensor<2x4xf32>, tensor<2x4xf32>
}

// Couplings nest: F may itself be a reversible computation.
// CHECK-LABEL: func.func @nested
// CHECK: rev.coupling
// CHECK: rev.coupling
func.func @nested(%x1: tensor<4xf32>, %x2: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %y1, %y2 = rev.coupling %x1, %x2 : tensor<4xf32>, tensor<4xf32>
    f {
    ^bb0(%a: tensor<4xf32>):
      %p, %q = rev.coupling %a, %a : tensor<4xf32>, tensor<4xf32>
        f {
        ^bb0(%c: tensor<4xf32>):
          rev.yield %c : tensor<4xf32>
        } g {
        ^bb0(%d: tensor<4xf32>):
          rev.yield %d : tensor<4xf32>
        }
      rev.yield %q : tensor<4xf32>
    } g {
    ^bb0(%b: tensor<4xf32>):
      rev.yield %b : tensor<4xf32>
    }
  return %y1, %y2 : tensor<4xf32>, tensor<4xf32>
}

// A region may read values computed outside the op from anything but its
// inputs, even when they are computed after the inputs (and from values the
// inputs are computed from).
// CHECK-LABEL: func.func @captures_not_from_inputs
// CHECK: %[[X1:.+]] = tosa.exp %[[X:.+]] :
// CHECK: %[[T:.+]] = tosa.tanh %[[X]] :
// CHECK: rev.coupling %[[X1]], %{{.+}} : tensor<4xf32>, tensor<4xf32> f {
// CHECK: tosa.add %{{.+}}, %[[T]]
func.func @captures_not_from_inputs(%x: tensor<4xf32>, %x2: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %x1 = tosa.exp %x : (tensor<4xf32>) -> tensor<4xf32>
  %t = tosa.tanh %x : (tensor<4xf32>) -> tensor<4xf32>
  %y1, %y2 = rev.coupling %x1, %x2 : tensor<4xf32>, tensor<4xf32>
    f {
    ^bb0(%a: tensor<4xf32>):
      %r = tosa.add %a, %t : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
      rev.yield %r : tensor<4xf32>
    } g {
    ^bb0(%b: tensor<4xf32>):
      rev.yield %b : tensor<4xf32>
    }
  return %y1, %y2 : tensor<4xf32>, tensor<4xf32>
}

// CHECK-LABEL: func.func @check_range
// CHECK: rev.check_range %{{.+}} in [-5, 5) "indices" : tensor<3xi32>
func.func @check_range(%i: tensor<3xi32>) -> tensor<3xi32> {
  %c = rev.check_range %i in [-5, 5) "indices" : tensor<3xi32>
  return %c : tensor<3xi32>
}

// CHECK-LABEL: func.func @report_range
// CHECK: rev.report_range 3 : %{{.+}}, %{{.+}} in [0, 10) : tensor<i64>
// CHECK: rev.report_range 4 : %{{.+}}, %{{.+}} in [-5, 5) : memref<i32>
func.func @report_range(%lo: tensor<i64>, %hi: tensor<i64>, %a: memref<i32>, %b: memref<i32>) {
  rev.report_range 3 : %lo, %hi in [0, 10) : tensor<i64>
  rev.report_range 4 : %a, %b in [-5, 5) : memref<i32>
  return
}

// A GPU library call without outputs reports to the runtime (run-time checks).
// CHECK-LABEL: func.func @gpu_library_call_report
// CHECK: rev.gpu_library_call "check_range_i64" ins(%{{.+}}, %{{.+}} : memref<i64>, memref<i64>) {params = array<i64: 0, 0, 10>}
func.func @gpu_library_call_report(%a: memref<i64>, %b: memref<i64>) {
  rev.gpu_library_call "check_range_i64" ins(%a, %b : memref<i64>, memref<i64>) {params = array<i64: 0, 0, 10>}
  return
}

// CHECK-LABEL: func.func @dropout
// CHECK: %[[S:.+]] = rev.random_stream %{{.+}}[7] : tensor<i64> -> tensor<2xi64>
// CHECK: rev.dropout %{{.+}}, %[[S]] {ratio = 1.000000e-01 : f64} : tensor<2x5xf32>, tensor<2xi64>
func.func @dropout(%x: tensor<2x5xf32>, %seed: tensor<i64>) -> tensor<2x5xf32> {
  %s = rev.random_stream %seed[7] : tensor<i64> -> tensor<2xi64>
  %y = rev.dropout %x, %s {ratio = 0.1 : f64} : tensor<2x5xf32>, tensor<2xi64>
  return %y : tensor<2x5xf32>
}

// A ratio of 0 keeps everything: the op folds to its input.
// CHECK-LABEL: func.func @dropout_nothing
// CHECK: rev.dropout %{{.+}}, %{{.+}} {ratio = 0.000000e+00 : f64} : tensor<3xf64>, tensor<2xi64>
// FOLD-LABEL: func.func @dropout_nothing
// FOLD-NEXT: return %arg0
func.func @dropout_nothing(%x: tensor<3xf64>, %s: tensor<2xi64>) -> tensor<3xf64> {
  %y = rev.dropout %x, %s {ratio = 0.0 : f64} : tensor<3xf64>, tensor<2xi64>
  return %y : tensor<3xf64>
}

// CHECK-LABEL: func.func @conv_gradients
// CHECK: rev.conv2d_backward_data %{{.+}}, %{{.+}} {dilation = array<i64: 1, 1>, pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>} : (tensor<2x4x4x6xf32>, tensor<6x3x3x5xf32>) -> tensor<2x8x8x5xf32>
// CHECK: rev.conv2d_backward_filter %{{.+}}, %{{.+}} {dilation = array<i64: 1, 1>, pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>} : (tensor<2x8x8x5xf32>, tensor<2x4x4x6xf32>) -> tensor<6x3x3x5xf32>
func.func @conv_gradients(%x: tensor<2x8x8x5xf32>, %w: tensor<6x3x3x5xf32>, %g: tensor<2x4x4x6xf32>) -> (tensor<2x8x8x5xf32>, tensor<6x3x3x5xf32>) {
  %dx = rev.conv2d_backward_data %g, %w {pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>, dilation = array<i64: 1, 1>} : (tensor<2x4x4x6xf32>, tensor<6x3x3x5xf32>) -> tensor<2x8x8x5xf32>
  %dw = rev.conv2d_backward_filter %x, %g {pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>, dilation = array<i64: 1, 1>} : (tensor<2x8x8x5xf32>, tensor<2x4x4x6xf32>) -> tensor<6x3x3x5xf32>
  return %dx, %dw : tensor<2x8x8x5xf32>, tensor<6x3x3x5xf32>
}

// CHECK-LABEL: func.func @library_call
// CHECK: rev.library_call "matmul_f32" ins(%{{.+}}, %{{.+}} : tensor<1x2x3xf32>, tensor<1x3x4xf32>) -> tensor<1x2x4xf32>
// CHECK: rev.library_call "matmul_f32" ins(%{{.+}}, %{{.+}} : memref<1x2x3xf32>, memref<1x3x4xf32>) outs(%{{.+}} : memref<1x2x4xf32>) {params = array<i64: 7>}
func.func @library_call(%a: tensor<1x2x3xf32>, %b: tensor<1x3x4xf32>, %ma: memref<1x2x3xf32>, %mb: memref<1x3x4xf32>, %mc: memref<1x2x4xf32>) -> tensor<1x2x4xf32> {
  %c = rev.library_call "matmul_f32" ins(%a, %b : tensor<1x2x3xf32>, tensor<1x3x4xf32>) -> tensor<1x2x4xf32>
  rev.library_call "matmul_f32" ins(%ma, %mb : memref<1x2x3xf32>, memref<1x3x4xf32>) outs(%mc : memref<1x2x4xf32>) {params = array<i64: 7>}
  return %c : tensor<1x2x4xf32>
}
