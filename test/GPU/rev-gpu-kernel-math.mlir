// RUN: rev-opt %s --rev-gpu-kernel-math | FileCheck %s

// In kernels, math functions need no libdevice: rsqrt -> 1 / sqrt,
// polynomial approximations (exp, erf, ...), and PTX's IEEE instructions
// for sqrt, fma and abs. Host code keeps its math ops.
// CHECK-LABEL: func.func @math
// CHECK: gpu.launch
// CHECK-NOT: math.rsqrt
// CHECK-NOT: math.exp
// CHECK-NOT: math.erf
// CHECK-DAG: llvm.inline_asm "sqrt.rn.f32 $0, $1;", "=f,f"
// CHECK-DAG: llvm.inline_asm "abs.f32 $0, $1;", "=f,f"
// CHECK-DAG: llvm.inline_asm "sqrt.rn.f64 $0, $1;", "=d,d"
// CHECK: gpu.terminator
// CHECK: math.sqrt %{{.+}} : f32
// CHECK: return
func.func @math(%x: memref<4xf32>, %y: memref<4xf64>, %out: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    %a = memref.load %x[%tx] : memref<4xf32>
    %r = math.rsqrt %a : f32
    %e = math.exp %r : f32
    %f = math.erf %e : f32
    %g = math.absf %f : f32
    %d = memref.load %y[%tx] : memref<4xf64>
    %s = math.sqrt %d : f64
    %t = arith.truncf %s : f64 to f32
    %u = arith.addf %g, %t : f32
    memref.store %u, %out[%tx] : memref<4xf32>
    gpu.terminator
  }
  %c0 = arith.constant 0 : index
  %h = memref.load %x[%c0] : memref<4xf32>
  %k = math.sqrt %h : f32
  memref.store %k, %out[%c0] : memref<4xf32>
  return
}
