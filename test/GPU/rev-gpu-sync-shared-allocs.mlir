// RUN: rev-opt %s --split-input-file --rev-gpu-sync-shared-allocs | FileCheck %s

// After gpu-async-region: a managed allocation is synchronous again (the
// only form upstream's gpu-to-llvm lowers), and what waited on its token
// waits on the token it depended on; a device allocation stays
// asynchronous.
// CHECK-LABEL: func.func @chain
// CHECK: %[[T0:.+]] = gpu.wait async
// CHECK-NEXT: %[[M:.+]] = gpu.alloc  host_shared () : memref<4xf32>
// CHECK-NEXT: %[[D:.+]], %[[T1:.+]] = gpu.alloc async [%[[T0]]] () : memref<4xf32>
// CHECK-NEXT: %[[T2:.+]] = gpu.dealloc async [%[[T1]]] %[[M]]
func.func @chain() {
  %t0 = gpu.wait async
  %m, %t1 = gpu.alloc async [%t0] host_shared () : memref<4xf32>
  %d, %t2 = gpu.alloc async [%t1] () : memref<4xf32>
  %t3 = gpu.dealloc async [%t2] %m : memref<4xf32>
  %t4 = gpu.dealloc async [%t3] %d : memref<4xf32>
  gpu.wait [%t4]
  return
}

// -----

// Several tokens (or none) to wait for: joined by a gpu.wait async.
// CHECK-LABEL: func.func @join
// CHECK: %[[A:.+]] = gpu.wait async
// CHECK: %[[B:.+]] = gpu.wait async
// CHECK: %[[J:.+]] = gpu.wait async [%[[A]], %[[B]]]
// CHECK-NEXT: %[[M:.+]] = gpu.alloc  host_shared () : memref<4xf32>
// CHECK-NEXT: gpu.wait [%[[J]]]
func.func @join() {
  %a = gpu.wait async
  %b = gpu.wait async
  %m, %t = gpu.alloc async [%a, %b] host_shared () : memref<4xf32>
  gpu.wait [%t]
  gpu.dealloc %m : memref<4xf32>
  return
}
