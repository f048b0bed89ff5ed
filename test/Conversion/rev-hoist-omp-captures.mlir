// RUN: rev-opt %s --pass-pipeline='builtin.module(llvm.func(rev-hoist-omp-captures))' | FileCheck %s

// The region needs only the buffer's pointer: the extract moves out, so
// that the OpenMP translation captures the pointer, not the descriptor.
// CHECK-LABEL: llvm.func @f
// CHECK: %[[P:.*]] = llvm.extractvalue %arg0[1]
// CHECK-NEXT: omp.parallel {
// CHECK-NOT: llvm.extractvalue
// CHECK: llvm.store %{{.*}}, %[[P]]
llvm.func @f(%d: !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>) {
  omp.parallel {
    %p = llvm.extractvalue %d[1] : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>
    %v = llvm.mlir.constant(1.0 : f32) : f32
    llvm.store %v, %p : f32, !llvm.ptr
    omp.terminator
  }
  llvm.return
}
