// RUN: rev-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(rev-cpu-parallelize))' | FileCheck %s
// RUN: rev-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(rev-cpu-parallelize{min-work=0}))' | FileCheck %s --check-prefix=SERIAL

// A large elementwise loop stays parallel over its outer dimensions (at
// least 32 tasks: 64 rows) and its inner dimension becomes a serial loop;
// the constants it uses are cloned into it (the OpenMP lowering would pass
// them through memory).
// CHECK-LABEL: func.func @large
// CHECK: scf.parallel (%[[I:.*]]) = (%{{.*}}) to (%{{.*}}) step (%{{.*}}) {
// CHECK-DAG: arith.constant 0 : index
// CHECK-DAG: arith.constant 1024 : index
// CHECK-DAG: arith.constant 2.000000e+00 : f32
// CHECK: scf.for %[[J:.*]] =
// CHECK: memref.load %{{.*}}[%[[I]], %[[J]]]
// CHECK: arith.mulf
// CHECK: memref.store
// SERIAL-LABEL: func.func @large
// SERIAL-NOT: scf.parallel
// SERIAL: scf.for
// SERIAL: scf.for
func.func @large(%a: memref<64x1024xf32>, %b: memref<64x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c1024 = arith.constant 1024 : index
  %two = arith.constant 2.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c1024) step (%c1, %c1) {
    %v = memref.load %a[%i, %j] : memref<64x1024xf32>
    %w = arith.mulf %v, %two : f32
    memref.store %w, %b[%i, %j] : memref<64x1024xf32>
  }
  return
}

// -----

// Too little work to pay for threads: serial loops.
// CHECK-LABEL: func.func @small
// CHECK-NOT: scf.parallel
// CHECK: scf.for
// CHECK: scf.for
func.func @small(%a: memref<4x8xf32>, %b: memref<4x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c8) step (%c1, %c1) {
    %v = memref.load %a[%i, %j] : memref<4x8xf32>
    memref.store %v, %b[%i, %j] : memref<4x8xf32>
  }
  return
}

// -----

// The row tasks of rev-cpu-codegen (scf.forall) run in parallel; a
// parallel loop inside a kept one becomes serial.
// CHECK-LABEL: func.func @nested
// CHECK: scf.parallel (%[[I:.*]]) =
// CHECK-NOT: scf.parallel
// CHECK: scf.for %[[J:.*]] =
// CHECK-NEXT: memref.store %{{.*}}, %{{.*}}[%[[I]], %[[J]]]
// CHECK-NOT: scf.forall
func.func @nested(%a: memref<512x512xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c512 = arith.constant 512 : index
  %f = arith.constant 1.0 : f32
  scf.forall (%i) in (512) {
    scf.parallel (%j) = (%c0) to (%c512) step (%c1) {
      memref.store %f, %a[%i, %j] : memref<512x512xf32>
    }
  }
  return
}

// -----

// A reduction is never shared between threads (the sum's order, and the
// result, would depend on the thread count): serial loops that carry the
// partial sum, combined in iteration order.
// CHECK-LABEL: func.func @reduction
// CHECK-NOT: scf.parallel
// CHECK: %[[S:.*]] = scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (f32) {
// CHECK: %[[V:.*]] = memref.load
// CHECK: %[[SUM:.*]] = arith.addf %[[ACC]], %[[V]] : f32
// CHECK: scf.yield %[[SUM]] : f32
// CHECK: return %[[S]] : f32
func.func @reduction(%a: memref<1048576xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 1048576 : index
  %zero = arith.constant 0.0 : f32
  %s = scf.parallel (%i) = (%c0) to (%n) step (%c1) init (%zero) -> f32 {
    %v = memref.load %a[%i] : memref<1048576xf32>
    scf.reduce(%v : f32) {
    ^bb0(%x: f32, %y: f32):
      %r = arith.addf %x, %y : f32
      scf.reduce.return %r : f32
    }
  }
  return %s : f32
}

// -----

// A large copy (into the interior of a padded buffer) becomes a parallel
// loop instead of a call of MLIR's generic memrefCopy (a serial loop without
// threads); a small one stays a copy.
// CHECK-LABEL: func.func @copies
// CHECK: scf.parallel
// CHECK: memref.load
// CHECK: memref.store
// CHECK: memref.copy %{{.*}}, %{{.*}} : memref<2x2xf32> to memref<2x2xf32>
// CHECK-NOT: memref.copy
// SERIAL-LABEL: func.func @copies
// SERIAL-NOT: scf.parallel
// SERIAL: scf.for
// SERIAL: memref.store
// SERIAL: memref.copy %{{.*}}, %{{.*}} : memref<2x2xf32> to memref<2x2xf32>
func.func @copies(%a: memref<64x64x64xf32>, %b: memref<66x66x64xf32>,
                  %c: memref<2x2xf32>, %d: memref<2x2xf32>) {
  %sv = memref.subview %b[1, 1, 0] [64, 64, 64] [1, 1, 1] : memref<66x66x64xf32> to memref<64x64x64xf32, strided<[4224, 64, 1], offset: 4288>>
  memref.copy %a, %sv : memref<64x64x64xf32> to memref<64x64x64xf32, strided<[4224, 64, 1], offset: 4288>>
  memref.copy %c, %d : memref<2x2xf32> to memref<2x2xf32>
  return
}
