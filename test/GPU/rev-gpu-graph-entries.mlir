// RUN: rev-opt %s --rev-gpu-graph-entries | FileCheck %s

// An entry whose host code, and its callees', only enqueues work on the
// stream (launches, device allocations and frees, library calls, waits,
// views, address arithmetic) can be replayed by a CUDA graph: graph = true.
// CHECK-LABEL: func.func @enqueues
// CHECK-SAME: rev.abi = {args = [{name = "x", type = tensor<4xf32>}], graph = true, results = []}
// CHECK-LABEL: func.func @reads_memory
// CHECK-SAME: rev.abi = {args = [{name = "x", type = tensor<4xf32>}], results = []}
// CHECK-LABEL: func.func @managed
// CHECK-SAME: rev.abi = {args = [{name = "x", type = tensor<4xf32>}], results = []}
// CHECK-LABEL: func.func @calls_external
// CHECK-SAME: rev.abi = {args = [{name = "x", type = tensor<4xf32>}], results = []}
// CHECK-LABEL: func.func private @helper
// CHECK-NOT: graph
// CHECK-LABEL: func.func @calls_host_code
// CHECK-SAME: rev.abi = {args = [{name = "x", type = tensor<4xf32>}], results = []}
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @k(%x: memref<4xf32>) kernel {
      gpu.return
    }
  }
  func.func private @rev_cuda_matmul_f32(!llvm.ptr, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, i64)
  func.func private @other(memref<4xf32>)

  func.func @enqueues(%x: memref<4xf32>, %a: memref<1x2x2xf32>) attributes {rev.abi = {args = [{name = "x", type = tensor<4xf32>}], results = []}} {
    %c1 = arith.constant 1 : index
    %c0 = arith.constant 0 : i64
    %t0 = gpu.wait async
    %m, %t1 = gpu.alloc async [%t0] () : memref<4xf32>
    %t2 = gpu.launch_func async [%t1] @kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xf32>)
    %s = builtin.unrealized_conversion_cast %t2 : !gpu.async.token to !llvm.ptr
    %v = memref.cast %a : memref<1x2x2xf32> to memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>
    call @rev_cuda_matmul_f32(%s, %v, %v, %v, %c0) : (!llvm.ptr, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, i64) -> ()
    %t3 = gpu.dealloc async [%t2] %m : memref<4xf32>
    gpu.wait [%t3]
    return
  }

  // Host code that reads a buffer: not replayable.
  func.func @reads_memory(%x: memref<4xf32>, %out: memref<f32>) attributes {rev.abi = {args = [{name = "x", type = tensor<4xf32>}], results = []}} {
    %c0 = arith.constant 0 : index
    %v = memref.load %x[%c0] : memref<4xf32>
    memref.store %v, %out[] : memref<f32>
    return
  }

  // A managed buffer is allocated and freed synchronously.
  func.func @managed(%x: memref<4xf32>) attributes {rev.abi = {args = [{name = "x", type = tensor<4xf32>}], results = []}} {
    %m = gpu.alloc host_shared () : memref<4xf32>
    gpu.dealloc %m : memref<4xf32>
    return
  }

  // An external function other than a library kernel may do anything.
  func.func @calls_external(%x: memref<4xf32>) attributes {rev.abi = {args = [{name = "x", type = tensor<4xf32>}], results = []}} {
    call @other(%x) : (memref<4xf32>) -> ()
    return
  }

  // A callee's host code counts (a host loop that reads memory).
  func.func private @helper(%x: memref<4xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    scf.for %i = %c0 to %c4 step %c1 {
      %v = memref.load %x[%i] : memref<4xf32>
      memref.store %v, %x[%c0] : memref<4xf32>
    }
    return
  }
  func.func @calls_host_code(%x: memref<4xf32>) attributes {rev.abi = {args = [{name = "x", type = tensor<4xf32>}], results = []}} {
    call @helper(%x) : (memref<4xf32>) -> ()
    return
  }
}
