// RUN: rev-opt %s --split-input-file --rev-lower-library-calls | FileCheck %s
// (Its errors: rev-lower-library-calls-invalid.mlir.)

// Each call on buffers becomes a func.call of rev_<callee>, declared once
// with the C interface; buffers cast to dynamic sizes and strides (one
// declaration for every shape), parameters as i64 constants.
// CHECK-LABEL: module
// CHECK: func.func private @rev_conv2d_forward_f32(memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, i64, i64, i64, i64, i64, i64, i64, i64) attributes {llvm.emit_c_interface}
// CHECK-NOT: func.func private @rev_conv2d_forward_f32
// CHECK-LABEL: func.func @two_shapes
// A static layout is restated with constant offset, sizes and strides (the
// descriptor then needs only the caller's pointers); a dynamic one would
// be cast.
// CHECK: %[[C0:.+]] = arith.constant 0 : index
// CHECK: %[[X:.+]] = memref.reinterpret_cast %arg0 to offset: [%[[C0]]], sizes: [%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}], strides: [%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}] : memref<2x8x8x5xf32> to memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>
// CHECK: %[[C2:.+]] = arith.constant 2 : i64
// CHECK: call @rev_conv2d_forward_f32(%[[X]], {{.*}}%[[C2]], %[[C2]]{{.*}})
// CHECK: %[[C3:.+]] = arith.constant 3 : index
// CHECK: memref.reinterpret_cast %{{.+}} to offset: [%[[C3]]], {{.*}} : memref<1x5x5x5xf32, strided<[400, 80, 16, 1], offset: 3>> to memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>
// CHECK: call @rev_conv2d_forward_f32(
// CHECK-NOT: rev.library_call
func.func @two_shapes(%x: memref<2x8x8x5xf32>, %w: memref<6x3x3x5xf32>, %b: memref<6xf32>, %y: memref<2x4x4x6xf32>, %v: memref<1x5x5x5xf32, strided<[400, 80, 16, 1], offset: 3>>, %y2: memref<1x5x5x6xf32>) {
  rev.library_call "conv2d_forward_f32" ins(%x, %w, %b : memref<2x8x8x5xf32>, memref<6x3x3x5xf32>, memref<6xf32>) outs(%y : memref<2x4x4x6xf32>) {params = array<i64: 1, 0, 1, 0, 2, 2, 1, 1>}
  rev.library_call "conv2d_forward_f32" ins(%v, %w, %b : memref<1x5x5x5xf32, strided<[400, 80, 16, 1], offset: 3>>, memref<6x3x3x5xf32>, memref<6xf32>) outs(%y2 : memref<1x5x5x6xf32>) {params = array<i64: 1, 1, 1, 1, 1, 1, 1, 1>}
  return
}
