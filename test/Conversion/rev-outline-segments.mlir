// RUN: rev-opt %s --rev-outline-segments=segment-ops=4 | FileCheck %s
// RUN: rev-opt %s --rev-outline-segments=segment-ops=4 --duplicate-function-elimination | FileCheck %s --check-prefix=DEDUP
// RUN: rev-opt %s --rev-outline-segments=segment-ops=100 | FileCheck %s --check-prefix=SHORT

// A chain of four identical blocks (tanh, add the input, then a wide
// 2x8x8 intermediate reduced back to 2x8x1 and reshaped). Cuts fall where
// the fewest bytes cross (one 64-byte tensor, never the 512-byte
// intermediate), from half to three times segment-ops ops after the
// previous cut, preferring a place where the ops that follow are those
// that followed an earlier cut: @chain_segment1 is a whole block, cut where
// @chain_segment0's first cut was; the segments repeat (@chain_segment2
// twice), and duplicate-function-elimination keeps one of each kind.
// Constants are cloned into the segments that use them; segments are
// internal to the module once lowered to LLVM.
// CHECK-LABEL: func.func private @chain_segment0(%{{.*}}: tensor<2x8xf32>) -> tensor<2x8xf32>
// CHECK-SAME: llvm.linkage = #llvm.linkage<internal>
// CHECK-NEXT: tosa.tanh
// CHECK-NEXT: tosa.add
// CHECK-NEXT: return
// CHECK-LABEL: func.func private @chain_segment1(%{{.*}}: tensor<2x8xf32>) -> tensor<2x8xf32>
// CHECK: tosa.reshape
// CHECK-NEXT: tosa.tile
// CHECK-NEXT: tosa.reduce_sum
// CHECK-NEXT: tosa.reshape
// CHECK-NEXT: tosa.tanh
// CHECK-NEXT: tosa.add
// CHECK-NEXT: return
// CHECK-LABEL: func.func private @chain_segment2(%{{.*}}: tensor<2x8xf32>) -> tensor<2x8x1xf32>
// CHECK: tosa.reduce_sum
// CHECK-NEXT: return
// CHECK-LABEL: func.func private @chain_segment3(%{{.*}}: tensor<2x8x1xf32>) -> tensor<2x8xf32>
// CHECK-LABEL: func.func private @chain_segment4(
// CHECK-LABEL: func.func private @chain_segment5(
// CHECK-LABEL: func.func @chain
// CHECK: %[[S0:.*]] = call @chain_segment0(%arg0)
// CHECK-NEXT: %[[S1:.*]] = call @chain_segment1(%[[S0]])
// CHECK-NEXT: call @chain_segment2(%[[S1]])
// DEDUP-LABEL: func.func private @chain_segment0(
// DEDUP-LABEL: func.func private @chain_segment1(
// DEDUP-LABEL: func.func private @chain_segment2(
// DEDUP-LABEL: func.func private @chain_segment3(
// DEDUP-LABEL: func.func private @chain_segment5(
// DEDUP-NOT: func.func private
// DEDUP-LABEL: func.func @chain
// DEDUP: call @chain_segment0
// DEDUP-NEXT: call @chain_segment1
// DEDUP-NEXT: call @chain_segment2
// DEDUP-NEXT: call @chain_segment3
// DEDUP-NEXT: call @chain_segment2
// DEDUP-NEXT: call @chain_segment5
// DEDUP-NEXT: return
// A function of no more than twice segment-ops ops is left whole.
// SHORT-NOT: func.func private
// SHORT-LABEL: func.func @chain
// SHORT-NOT: call
func.func @chain(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %shape = tosa.const_shape {values = dense<[2, 8, 1]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %multiples = tosa.const_shape {values = dense<[1, 1, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %back = tosa.const_shape {values = dense<[2, 8]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %t0 = tosa.tanh %x : (tensor<2x8xf32>) -> tensor<2x8xf32>
  %a0 = tosa.add %t0, %x : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %r0 = tosa.reshape %a0, %shape : (tensor<2x8xf32>, !tosa.shape<3>) -> tensor<2x8x1xf32>
  %w0 = tosa.tile %r0, %multiples : (tensor<2x8x1xf32>, !tosa.shape<3>) -> tensor<2x8x8xf32>
  %s0 = tosa.reduce_sum %w0 {axis = 2 : i32} : (tensor<2x8x8xf32>) -> tensor<2x8x1xf32>
  %y0 = tosa.reshape %s0, %back : (tensor<2x8x1xf32>, !tosa.shape<2>) -> tensor<2x8xf32>
  %t1 = tosa.tanh %y0 : (tensor<2x8xf32>) -> tensor<2x8xf32>
  %a1 = tosa.add %t1, %y0 : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %r1 = tosa.reshape %a1, %shape : (tensor<2x8xf32>, !tosa.shape<3>) -> tensor<2x8x1xf32>
  %w1 = tosa.tile %r1, %multiples : (tensor<2x8x1xf32>, !tosa.shape<3>) -> tensor<2x8x8xf32>
  %s1 = tosa.reduce_sum %w1 {axis = 2 : i32} : (tensor<2x8x8xf32>) -> tensor<2x8x1xf32>
  %y1 = tosa.reshape %s1, %back : (tensor<2x8x1xf32>, !tosa.shape<2>) -> tensor<2x8xf32>
  %t2 = tosa.tanh %y1 : (tensor<2x8xf32>) -> tensor<2x8xf32>
  %a2 = tosa.add %t2, %y1 : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %r2 = tosa.reshape %a2, %shape : (tensor<2x8xf32>, !tosa.shape<3>) -> tensor<2x8x1xf32>
  %w2 = tosa.tile %r2, %multiples : (tensor<2x8x1xf32>, !tosa.shape<3>) -> tensor<2x8x8xf32>
  %s2 = tosa.reduce_sum %w2 {axis = 2 : i32} : (tensor<2x8x8xf32>) -> tensor<2x8x1xf32>
  %y2 = tosa.reshape %s2, %back : (tensor<2x8x1xf32>, !tosa.shape<2>) -> tensor<2x8xf32>
  %t3 = tosa.tanh %y2 : (tensor<2x8xf32>) -> tensor<2x8xf32>
  %a3 = tosa.add %t3, %y2 : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %r3 = tosa.reshape %a3, %shape : (tensor<2x8xf32>, !tosa.shape<3>) -> tensor<2x8x1xf32>
  %w3 = tosa.tile %r3, %multiples : (tensor<2x8x1xf32>, !tosa.shape<3>) -> tensor<2x8x8xf32>
  %s3 = tosa.reduce_sum %w3 {axis = 2 : i32} : (tensor<2x8x8xf32>) -> tensor<2x8x1xf32>
  %y3 = tosa.reshape %s3, %back : (tensor<2x8x1xf32>, !tosa.shape<2>) -> tensor<2x8xf32>
  return %y3 : tensor<2x8xf32>
}
