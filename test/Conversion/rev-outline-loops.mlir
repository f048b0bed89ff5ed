// RUN: rev-opt %s --rev-outline-loops | FileCheck %s

// Each loop nest moves into a function of its own; constants are cloned
// into every part that uses them (as arguments, LLVM would no longer see
// constant loop bounds), values flow between parts as arguments/results.
// CHECK-LABEL: func.func private @f_part0(%{{.*}}: memref<16xf32>) -> memref<16xf32>
// CHECK-DAG: arith.constant 16 : index
// CHECK: scf.for
// CHECK-LABEL: func.func private @f_part1(%{{.*}}: memref<16xf32>, %{{.*}}: memref<16xf32>)
// CHECK-DAG: arith.constant 16 : index
// CHECK: scf.for
// CHECK-LABEL: func.func @f
// CHECK: %[[T:.*]] = call @f_part0(%arg0)
// CHECK: call @f_part1(%[[T]], %arg1)
func.func @f(%a: memref<16xf32>, %b: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %t = memref.alloc() : memref<16xf32>
  scf.for %i = %c0 to %c16 step %c1 {
    %v = memref.load %a[%i] : memref<16xf32>
    memref.store %v, %t[%i] : memref<16xf32>
  }
  scf.for %i = %c0 to %c16 step %c1 {
    %v = memref.load %t[%i] : memref<16xf32>
    memref.store %v, %b[%i] : memref<16xf32>
  }
  memref.dealloc %t : memref<16xf32>
  return
}
