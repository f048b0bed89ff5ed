// RUN: rev-opt %s --split-input-file --rev-gpu-host-kernels | FileCheck %s

// A serial loop at the top level (a full reduction) runs in a one-thread
// kernel: it is wrapped in a one-iteration scf.parallel, with the store of
// its initial value before it. A loop that carries values goes into one
// too, with the store of its result.
// CHECK-LABEL: func.func @serial
// CHECK: scf.parallel (%{{.+}}) = (%c0{{.*}}) to (%c1{{.*}}) step (%c1{{.*}})
// CHECK-NEXT: memref.store
// CHECK-NEXT: scf.for
// CHECK: scf.reduce
// CHECK: scf.parallel
// CHECK-NEXT: %[[R:.+]] = scf.for {{.+}} iter_args
// CHECK: memref.store %[[R]]
// CHECK: scf.reduce
// CHECK-NEXT: }
// CHECK-NEXT: return
func.func @serial(%x: memref<8xf32>, %out: memref<f32>, %out2: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  memref.store %zero, %out[] : memref<f32>
  scf.for %i = %c0 to %c8 step %c1 {
    %a = memref.load %x[%i] : memref<8xf32>
    %s = memref.load %out[] : memref<f32>
    %t = arith.addf %a, %s : f32
    memref.store %t, %out[] : memref<f32>
  }
  gpu.dealloc %x : memref<8xf32>
  %r = scf.for %i = %c0 to %c8 step %c1 iter_args(%acc = %zero) -> f32 {
    %a = memref.load %x[%i] : memref<8xf32>
    %t = arith.addf %a, %acc : f32
    scf.yield %t : f32
  }
  memref.store %r, %out2[] : memref<f32>
  return
}

// -----

// Scalar code (a 0-d op: the loss's final scaling) with a constant defined
// in the middle of it: the kernel goes after the run, so the constant still
// dominates its use. A run whose value is used after it (by a call) stays on
// the host; a loop that launches kernels (a parallel loop inside) is not
// scalar code and ends a run.
// CHECK-LABEL: func.func @scalars
// CHECK: %[[C:.+]] = arith.constant 5.000000e-01 : f32
// CHECK: scf.parallel
// CHECK-NEXT: %[[V:.+]] = memref.load %arg0[] : memref<f32>
// CHECK-NEXT: %[[M:.+]] = arith.mulf %[[V]], %[[C]] : f32
// CHECK-NEXT: memref.store %[[M]], %arg1[] : memref<f32>
// CHECK: %[[U:.+]] = memref.load %arg1[] : memref<f32>
// CHECK-NEXT: call @use(%[[U]])
// CHECK: scf.for
// CHECK-NEXT: scf.parallel
// CHECK: scf.parallel
// CHECK-NEXT: memref.store
func.func private @use(f32)
func.func @scalars(%in: memref<f32>, %out: memref<f32>, %v: memref<4xf32>) {
  %v0 = memref.load %in[] : memref<f32>
  %half = arith.constant 0.5 : f32
  %m = arith.mulf %v0, %half : f32
  memref.store %m, %out[] : memref<f32>
  gpu.wait
  %u = memref.load %out[] : memref<f32>
  call @use(%u) : (f32) -> ()
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    scf.parallel (%j) = (%c0) to (%c4) step (%c1) {
      memref.store %half, %v[%j] : memref<4xf32>
      scf.reduce
    }
  }
  memref.store %half, %out[] : memref<f32>
  return
}
