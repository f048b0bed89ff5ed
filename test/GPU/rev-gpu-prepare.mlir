// RUN: rev-opt %s --split-input-file --rev-gpu-prepare | FileCheck %s

// Buffers become managed GPU memory, frees gpu.dealloc (synchronous here:
// gpu-async-region makes them asynchronous in rev-lower-gpu).
// CHECK-LABEL: func.func @buffers
// CHECK: %[[A:.+]] = gpu.alloc  host_shared () : memref<4xf32>
// CHECK: gpu.dealloc  %[[A]] : memref<4xf32>
// CHECK-NEXT: return
// CHECK-NOT: memref.alloc
func.func @buffers(%x: memref<4xf32>, %out: memref<4xf32>) {
  %a = memref.alloc() : memref<4xf32>
  memref.copy %x, %a : memref<4xf32> to memref<4xf32>
  memref.copy %a, %out : memref<4xf32> to memref<4xf32>
  memref.dealloc %a : memref<4xf32>
  return
}

// -----

// A copy becomes a parallel loop of loads and stores (a kernel later),
// strided views included. Its two dimensions are collapsed into one,
// row-major: i = k / 3, j = k mod 3.
// CHECK-LABEL: func.func @copy
// CHECK-NOT: memref.copy
// CHECK: scf.parallel (%[[K:.+]]) = (%{{.+}}) to (%{{.+}}) step (%{{.+}})
// CHECK-DAG: %[[J:.+]] = arith.remsi %[[K]], %{{.+}} : index
// CHECK-DAG: %[[I:.+]] = arith.divsi %[[K]], %{{.+}} : index
// CHECK: %[[V:.+]] = memref.load %{{.+}}[%[[I]], %[[J]]] : memref<2x3xf32, strided<[6, 1], offset: 1>>
// CHECK: memref.store %[[V]], %arg1[%[[I]], %[[J]]] : memref<2x3xf32>
func.func @copy(%x: memref<2x6xf32>, %out: memref<2x3xf32>) {
  %v = memref.subview %x[0, 1] [2, 3] [1, 1] : memref<2x6xf32> to memref<2x3xf32, strided<[6, 1], offset: 1>>
  memref.copy %v, %out : memref<2x3xf32, strided<[6, 1], offset: 1>> to memref<2x3xf32>
  return
}

// -----

// A constant (memref.global, host memory) is copied with gpu.memcpy (the
// driver copies from host memory) into a GPU buffer that the kernels read,
// freed before the return.
// CHECK-LABEL: func.func @constant
// CHECK: %[[G:.+]] = memref.get_global @iota : memref<1x3xi64>
// CHECK: %[[C:.+]] = gpu.alloc  host_shared () : memref<1x3xi64>
// CHECK-NEXT: gpu.memcpy  %[[C]], %[[G]] : memref<1x3xi64>, memref<1x3xi64>
// CHECK-NOT: scf.for
// CHECK: scf.parallel
// CHECK: memref.load %[[C]]
// CHECK: gpu.dealloc  %[[C]]
// CHECK-NEXT: return
memref.global "private" constant @iota : memref<1x3xi64> = dense<[[0, 1, 2]]>
func.func @constant(%out: memref<3xi64>) {
  %g = memref.get_global @iota : memref<1x3xi64>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  scf.parallel (%i) = (%c0) to (%c3) step (%c1) {
    %v = memref.load %g[%c0, %i] : memref<1x3xi64>
    memref.store %v, %out[%i] : memref<3xi64>
  }
  return
}

// -----

// A library call (cuDNN, cuBLAS) on buffers goes on the stream with the
// kernels: gpu-async-region chains rev.gpu_library_call on the token.
// CHECK-LABEL: func.func @library_call
// CHECK: %[[C:.+]] = gpu.alloc  host_shared () : memref<3x5x6xf32>
// CHECK: rev.gpu_library_call "matmul_f32" ins(%arg0, %arg1 : memref<3x5x7xf32>, memref<3x7x6xf32>) outs(%[[C]] : memref<3x5x6xf32>)
// CHECK-NOT: rev.library_call
func.func @library_call(%a: memref<3x5x7xf32>, %b: memref<3x7x6xf32>, %out: memref<3x5x6xf32>) {
  %c = memref.alloc() : memref<3x5x6xf32>
  rev.library_call "matmul_f32" ins(%a, %b : memref<3x5x7xf32>, memref<3x7x6xf32>) outs(%c : memref<3x5x6xf32>)
  memref.copy %c, %out : memref<3x5x6xf32> to memref<3x5x6xf32>
  memref.dealloc %c : memref<3x5x6xf32>
  return
}

// -----

// A check's report becomes a library call without outputs, on the stream
// once gpu-async-region has run: rev_cuda_check_range_i<N>(stream, min, max,
// check, lower, upper) copies the two values to the host.
// CHECK-LABEL: func.func @report
// CHECK: rev.gpu_library_call "check_range_i32" ins(%{{.+}}, %{{.+}} : memref<i32>, memref<i32>) {params = array<i64: 2, -3, 7>}
// CHECK-NOT: rev.report_range
func.func @report(%min: memref<i32>, %max: memref<i32>) {
  rev.report_range 2 : %min, %max in [-3, 7) : memref<i32>
  return
}
