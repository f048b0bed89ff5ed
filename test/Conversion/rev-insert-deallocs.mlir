// RUN: rev-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(rev-insert-deallocs))' | FileCheck %s

// A temporary is freed right after the last use of any of its aliases (the
// copy through a subview), before the ops that follow.
// CHECK-LABEL: func.func @temporary
// CHECK: %[[T:.*]] = memref.alloc() : memref<64xf32>
// CHECK: %[[V:.*]] = memref.subview %[[T]]
// CHECK: memref.copy %[[V]],
// CHECK-NEXT: memref.dealloc %[[T]] : memref<64xf32>
// CHECK-NEXT: linalg.exp
// CHECK-NEXT: return
func.func @temporary(%a: memref<64xf32>, %out: memref<64xf32>) {
  %t = memref.alloc() : memref<64xf32>
  linalg.exp ins(%a : memref<64xf32>) outs(%t : memref<64xf32>)
  %v = memref.subview %t[0] [32] [1] : memref<64xf32> to memref<32xf32, strided<[1]>>
  %o = memref.subview %out[0] [32] [1] : memref<64xf32> to memref<32xf32, strided<[1]>>
  memref.copy %v, %o : memref<32xf32, strided<[1]>> to memref<32xf32, strided<[1]>>
  linalg.exp ins(%a : memref<64xf32>) outs(%out : memref<64xf32>)
  return
}

// -----

// A buffer that escapes (returned) is left alone.
// CHECK-LABEL: func.func @escapes
// CHECK-NOT: memref.dealloc
// CHECK: return
func.func @escapes(%a: memref<64xf32>) -> memref<64xf32> {
  %t = memref.alloc() : memref<64xf32>
  linalg.exp ins(%a : memref<64xf32>) outs(%t : memref<64xf32>)
  return %t : memref<64xf32>
}

// -----

// Used inside a loop: freed after the loop, not inside it.
// CHECK-LABEL: func.func @loop
// CHECK: %[[T:.*]] = memref.alloc()
// CHECK: scf.for
// CHECK-NOT: memref.dealloc
// CHECK: }
// CHECK-NEXT: memref.dealloc %[[T]]
// CHECK-NEXT: return
func.func @loop(%a: memref<64xf32>, %out: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %t = memref.alloc() : memref<64xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    linalg.exp ins(%a : memref<64xf32>) outs(%t : memref<64xf32>)
    linalg.exp ins(%t : memref<64xf32>) outs(%out : memref<64xf32>)
  }
  return
}
