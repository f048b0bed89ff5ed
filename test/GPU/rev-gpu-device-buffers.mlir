// RUN: rev-opt %s --rev-gpu-device-buffers | FileCheck %s

// A buffer that only kernels touch (through a view too) becomes device
// memory (synchronous here: gpu-async-region orders it on a stream later);
// one that host code reads stays managed.
// CHECK-LABEL: func.func @buffers
// CHECK: %[[D:.+]] = gpu.alloc  () : memref<4xf32>
// CHECK: %[[H:.+]] = gpu.alloc  host_shared () : memref<4xf32>
// CHECK: memref.expand_shape %[[D]]
// CHECK: gpu.launch
// CHECK: memref.load %[[H]]
// CHECK: gpu.dealloc  %[[D]]
func.func @buffers(%x: memref<4xf32>, %out: memref<f32>) {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c0 = arith.constant 0 : index
  %d = gpu.alloc host_shared () : memref<4xf32>
  %h = gpu.alloc host_shared () : memref<4xf32>
  %v = memref.expand_shape %d [[0, 1]] output_shape [1, 4] : memref<4xf32> into memref<1x4xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    %a = memref.load %x[%tx] : memref<4xf32>
    memref.store %a, %v[%c0, %tx] : memref<1x4xf32>
    %b = memref.load %d[%tx] : memref<4xf32>
    memref.store %b, %h[%tx] : memref<4xf32>
    gpu.terminator
  }
  %r = memref.load %h[%c0] : memref<4xf32>
  memref.store %r, %out[] : memref<f32>
  gpu.dealloc %d : memref<4xf32>
  gpu.dealloc %h : memref<4xf32>
  return
}

// A constant's copy (gpu.memcpy from host memory, which the driver does)
// that only kernels read becomes device memory too.
// CHECK-LABEL: func.func @constant
// CHECK: %[[C:.+]] = gpu.alloc  () : memref<3xf32>
// CHECK-NEXT: gpu.memcpy  %[[C]], %{{.+}}
memref.global "private" constant @three : memref<3xf32> = dense<[1.0, 2.0, 3.0]>
func.func @constant(%out: memref<3xf32>) {
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %g = memref.get_global @three : memref<3xf32>
  %c = gpu.alloc host_shared () : memref<3xf32>
  gpu.memcpy %c, %g : memref<3xf32>, memref<3xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c3, %sy = %c1, %sz = %c1) {
    %v = memref.load %c[%tx] : memref<3xf32>
    memref.store %v, %out[%tx] : memref<3xf32>
    gpu.terminator
  }
  gpu.dealloc %c : memref<3xf32>
  return
}

// An allocation that is already asynchronous (its token in use) is left as
// it is.
// CHECK-LABEL: func.func @async_alloc
// CHECK: gpu.alloc async [%{{.+}}] host_shared () : memref<4xf32>
func.func @async_alloc(%out: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %t0 = gpu.wait async
  %a, %t1 = gpu.alloc async [%t0] host_shared () : memref<4xf32>
  gpu.wait [%t1]
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    %v = memref.load %a[%tx] : memref<4xf32>
    memref.store %v, %out[%tx] : memref<4xf32>
    gpu.terminator
  }
  gpu.dealloc %a : memref<4xf32>
  return
}

// A buffer that a library call writes and a kernel reads is device memory:
// the library reads and writes device memory on the stream.
// CHECK-LABEL: func.func @library
// CHECK: %[[L:.+]] = gpu.alloc  () : memref<3x5x6xf32>
// CHECK: rev.gpu_library_call "matmul_f32" ins(%arg0, %arg1 : memref<3x5x7xf32>, memref<3x7x6xf32>) outs(%[[L]] : memref<3x5x6xf32>)
func.func @library(%a: memref<3x5x7xf32>, %b: memref<3x7x6xf32>, %out: memref<3x5x6xf32>) {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %l = gpu.alloc host_shared () : memref<3x5x6xf32>
  rev.gpu_library_call "matmul_f32" ins(%a, %b : memref<3x5x7xf32>, memref<3x7x6xf32>) outs(%l : memref<3x5x6xf32>)
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %l[%c0, %c0, %c0] : memref<3x5x6xf32>
    memref.store %v, %out[%c0, %c0, %c0] : memref<3x5x6xf32>
    gpu.terminator
  }
  gpu.dealloc %l : memref<3x5x6xf32>
  return
}

// A buffer passed to a function of the module whose argument only kernels
// touch (a training step's tape, from the forward to the backward) becomes
// device memory; one passed to an external function stays managed.
// CHECK-LABEL: func.func @caller
// CHECK: %[[T:.+]] = gpu.alloc  () : memref<4xf32>
// CHECK: %[[E:.+]] = gpu.alloc  host_shared () : memref<4xf32>
// CHECK: call @callee(%[[T]])
// CHECK: call @external(%[[E]])
func.func private @external(memref<4xf32>)
func.func @callee(%t: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %one = arith.constant 1.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    memref.store %one, %t[%c0] : memref<4xf32>
    gpu.terminator
  }
  return
}
func.func @caller() {
  %t = gpu.alloc host_shared () : memref<4xf32>
  %e = gpu.alloc host_shared () : memref<4xf32>
  call @callee(%t) : (memref<4xf32>) -> ()
  call @external(%e) : (memref<4xf32>) -> ()
  gpu.dealloc %t : memref<4xf32>
  gpu.dealloc %e : memref<4xf32>
  return
}
