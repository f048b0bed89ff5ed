// RUN: rev-opt %s -split-input-file --rev-pass-ownership | FileCheck %s
// RUN: rev-opt %s -split-input-file --pass-pipeline="builtin.module(rev-pass-ownership,func.func(rev-insert-deallocs))" | FileCheck %s --check-prefix=FREE

// @seg's first argument is, at every call, a buffer the caller allocated
// and uses last in that call: @seg takes it over and frees it right after
// its last use (before the rest of its work); the calls say so. Its second
// argument is used again after the call, and stays the caller's.
// CHECK-LABEL: func.func private @seg(%{{.*}}: memref<8xf32> {rev.owned}, %{{.*}}: memref<8xf32>)
// CHECK: memref.copy %arg0, %arg1
// CHECK-NEXT: memref.dealloc %arg0
// CHECK: linalg.fill
// CHECK-LABEL: func.func @f
// CHECK: call @seg(%[[A:.*]], %[[B:.*]]) {rev.owned_operands = array<i64: 0>}
// CHECK: call @seg(%{{.*}}, %[[B]]) {rev.owned_operands = array<i64: 0>}
// FREE-LABEL: func.func @f
// FREE: %[[A:.*]] = memref.alloc() : memref<8xf32>
// FREE-NEXT: %[[B:.*]] = memref.alloc() : memref<8xf32>
// FREE-NOT: memref.dealloc %[[A]] :
// FREE: %[[C:.*]] = memref.alloc() : memref<8xf32>
// FREE-NEXT: call @seg(%[[C]], %[[B]])
// FREE-NEXT: memref.copy %[[B]], %arg0
// FREE-NEXT: memref.dealloc %[[B]] :
// FREE-NEXT: return
func.func private @seg(%a: memref<8xf32>, %b: memref<8xf32>) {
  memref.copy %a, %b : memref<8xf32> to memref<8xf32>
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%b : memref<8xf32>)
  return
}
func.func @f(%out: memref<8xf32>) {
  %a = memref.alloc() : memref<8xf32>
  %b = memref.alloc() : memref<8xf32>
  call @seg(%a, %b) : (memref<8xf32>, memref<8xf32>) -> ()
  %c = memref.alloc() : memref<8xf32>
  call @seg(%c, %b) : (memref<8xf32>, memref<8xf32>) -> ()
  memref.copy %b, %out : memref<8xf32> to memref<8xf32>
  return
}

// -----

// Calls that differ: the first passes a function argument (not the
// caller's to give), the second a fresh buffer. The first keeps @seg as it
// is, the second calls a clone that owns its argument.
// CHECK-LABEL: func.func private @seg_0(%{{.*}}: memref<8xf32> {rev.owned})
// CHECK: memref.dealloc %arg0
// CHECK-LABEL: func.func private @seg(%{{.*}}: memref<8xf32>)
// CHECK-NOT: dealloc
// CHECK-LABEL: func.func @g
// CHECK: call @seg(%arg0)
// CHECK-NOT: rev.owned_operands
// CHECK: call @seg_0(%{{.*}}) {rev.owned_operands = array<i64: 0>}
func.func private @seg(%a: memref<8xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%a : memref<8xf32>)
  return
}
func.func @g(%x: memref<8xf32>) {
  call @seg(%x) : (memref<8xf32>) -> ()
  %c = memref.alloc() : memref<8xf32>
  call @seg(%c) : (memref<8xf32>) -> ()
  return
}

// -----

// Not taken over: an argument the callee returns (it escapes), a buffer
// passed twice to one call, and a function referenced other than by calls.
// CHECK-LABEL: func.func private @keep(%{{.*}}: memref<8xf32>) -> memref<8xf32>
// CHECK-LABEL: func.func private @two(%{{.*}}: memref<8xf32>, %{{.*}}: memref<8xf32>)
// CHECK-LABEL: func.func @h
// CHECK-NOT: rev.owned
func.func private @keep(%a: memref<8xf32>) -> memref<8xf32> {
  return %a : memref<8xf32>
}
func.func private @two(%a: memref<8xf32>, %b: memref<8xf32>) {
  memref.copy %a, %b : memref<8xf32> to memref<8xf32>
  return
}
func.func @h() -> memref<8xf32> {
  %a = memref.alloc() : memref<8xf32>
  %k = call @keep(%a) : (memref<8xf32>) -> memref<8xf32>
  %b = memref.alloc() : memref<8xf32>
  call @two(%b, %b) : (memref<8xf32>, memref<8xf32>) -> ()
  return %k : memref<8xf32>
}

// -----

// A view of the caller's buffer, its last use: freeing the view in the
// callee frees the buffer (memref.dealloc releases the allocated pointer).
// CHECK-LABEL: func.func private @view(%{{.*}}: memref<4xf32, strided<[1], offset: 4>> {rev.owned})
// CHECK: memref.dealloc %arg0
// CHECK-LABEL: func.func @v
// CHECK: call @view(%{{.*}}) {rev.owned_operands = array<i64: 0>}
func.func private @view(%a: memref<4xf32, strided<[1], offset: 4>>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%a : memref<4xf32, strided<[1], offset: 4>>)
  return
}
func.func @v() {
  %a = memref.alloc() : memref<8xf32>
  %s = memref.subview %a[4] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1], offset: 4>>
  call @view(%s) : (memref<4xf32, strided<[1], offset: 4>>) -> ()
  return
}
