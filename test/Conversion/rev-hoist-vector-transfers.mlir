// RUN: rev-opt %s --pass-pipeline="builtin.module(func.func(rev-hoist-vector-transfers))" -split-input-file | FileCheck %s

// A reduction loop reading and writing its accumulator every iteration:
// the accumulator is read once before the loop, carried in registers
// (iter_args) and written once after it.
// CHECK-LABEL: func.func @acc
// CHECK: %[[INIT:.+]] = vector.transfer_read %arg1[%{{.+}}], %{{.+}} {in_bounds = [true]} : memref<8xf32>, vector<8xf32>
// CHECK-NEXT: %[[SUM:.+]] = scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[ACC:.+]] = %[[INIT]]) -> (vector<8xf32>) {
// CHECK-NEXT: %[[V:.+]] = vector.transfer_read %arg0
// CHECK-NEXT: %[[NEXT:.+]] = arith.addf %[[ACC]], %[[V]]
// CHECK-NEXT: scf.yield %[[NEXT]]
// CHECK-NEXT: }
// CHECK-NEXT: vector.transfer_write %[[SUM]], %arg1
func.func @acc(%a: memref<16x8xf32>, %acc: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %pad = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c16 step %c1 {
    %v = vector.transfer_read %a[%i, %c0], %pad {in_bounds = [true]} : memref<16x8xf32>, vector<8xf32>
    %s = vector.transfer_read %acc[%c0], %pad {in_bounds = [true]} : memref<8xf32>, vector<8xf32>
    %r = arith.addf %s, %v : vector<8xf32>
    vector.transfer_write %r, %acc[%c0] {in_bounds = [true]} : vector<8xf32>, memref<8xf32>
  }
  return
}

// -----

// The accumulator's index depends on the loop: nothing to hoist.
// CHECK-LABEL: func.func @varying
// CHECK: scf.for
// CHECK-NOT: iter_args
// CHECK: vector.transfer_write
// CHECK: }
func.func @varying(%a: memref<16x8xf32>, %out: memref<16x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %pad = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c16 step %c1 {
    %v = vector.transfer_read %a[%i, %c0], %pad {in_bounds = [true]} : memref<16x8xf32>, vector<8xf32>
    %s = vector.transfer_read %out[%i, %c0], %pad {in_bounds = [true]} : memref<16x8xf32>, vector<8xf32>
    %r = arith.addf %s, %v : vector<8xf32>
    vector.transfer_write %r, %out[%i, %c0] {in_bounds = [true]} : vector<8xf32>, memref<16x8xf32>
  }
  return
}
