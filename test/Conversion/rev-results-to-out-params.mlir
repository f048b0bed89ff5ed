// RUN: rev-opt %s --rev-results-to-out-params | FileCheck %s

// A returned allocation becomes a trailing out-parameter, computed in place.
// CHECK-LABEL: func.func @f(%arg0: memref<4xf32>, %arg1: memref<4xf32>) {
// CHECK-NEXT: linalg.copy ins(%arg0 : memref<4xf32>) outs(%arg1 : memref<4xf32>)
// CHECK-NEXT: return
func.func @f(%x: memref<4xf32>) -> memref<4xf32> {
  %a = memref.alloc() : memref<4xf32>
  linalg.copy ins(%x : memref<4xf32>) outs(%a : memref<4xf32>)
  return %a : memref<4xf32>
}

// A segment: its rev.out_param result (which its caller returns) becomes an
// out-parameter; the other result stays returned, as a fresh allocation
// (an argument is copied first) that the caller owns.
// CHECK-LABEL: func.func private @seg(%arg0: memref<4xf32>, %arg1: memref<4xf32>) -> memref<4xf32> attributes {rev.segment}
// CHECK-NEXT: linalg.copy ins(%arg0 : memref<4xf32>) outs(%arg1 : memref<4xf32>)
// CHECK: linalg.copy ins(%arg1 : memref<4xf32>)
// CHECK-NEXT: %[[FRESH:.+]] = memref.alloc() : memref<4xf32>
// CHECK-NEXT: memref.copy %arg0, %[[FRESH]]
// CHECK-NEXT: return %[[FRESH]] : memref<4xf32>
func.func private @seg(%x: memref<4xf32>) -> (memref<4xf32> {rev.out_param}, memref<4xf32>) attributes {rev.segment} {
  %a = memref.alloc() : memref<4xf32>
  linalg.copy ins(%x : memref<4xf32>) outs(%a : memref<4xf32>)
  %b = memref.alloc() : memref<4xf32>
  linalg.copy ins(%a : memref<4xf32>) outs(%b : memref<4xf32>)
  return %a, %x : memref<4xf32>, memref<4xf32>
}

// The caller passes its own out-parameter to the segment and owns the
// returned buffer (rev.owned_results: rev-insert-deallocs frees it).
// CHECK-LABEL: func.func @caller(%arg0: memref<4xf32>, %arg1: memref<4xf32>) {
// CHECK-NEXT: call @seg(%arg0, %arg1) {rev.owned_results = array<i64: 0>}
// CHECK-NEXT: return
func.func @caller(%x: memref<4xf32>) -> memref<4xf32> {
  %r:2 = call @seg(%x) : (memref<4xf32>) -> (memref<4xf32>, memref<4xf32>)
  return %r#0 : memref<4xf32>
}
