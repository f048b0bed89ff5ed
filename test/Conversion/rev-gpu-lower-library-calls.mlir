// RUN: rev-opt %s --split-input-file --rev-gpu-lower-library-calls | FileCheck %s
// RUN: rev-opt %s --split-input-file --rev-gpu-lower-library-calls=allow-tf32 | FileCheck %s --check-prefix=TF32

// A library call chained on the stream token (as gpu-async-region leaves
// it) becomes a call of rev_cuda_<callee> whose first argument is the
// token's stream; its own token is its dependency's, so the launch after it
// waits on the same stream and the host does not wait. Buffers are passed
// as memrefs of dynamic shape, then the parameters, then allow-tf32.
// CHECK-LABEL: func.func private @rev_cuda_conv2d_forward_f32(!llvm.ptr, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, i64, i64, i64, i64, i64, i64, i64, i64, i64) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @chained
// CHECK: %[[T0:.+]] = gpu.wait async
// CHECK: %[[S:.+]] = builtin.unrealized_conversion_cast %[[T0]] : !gpu.async.token to !llvm.ptr
// CHECK-COUNT-4: arith.constant 1 : i64
// CHECK-COUNT-2: arith.constant 2 : i64
// CHECK-COUNT-2: arith.constant 1 : i64
// CHECK-NEXT: arith.constant 0 : i64
// CHECK-NEXT: call @rev_cuda_conv2d_forward_f32(%[[S]], {{.*}}) : (!llvm.ptr, {{.*}}, i64) -> ()
// CHECK-NOT: rev.gpu_library_call
// CHECK: gpu.dealloc async [%[[T0]]]
// TF32-LABEL: func.func @chained
// TF32-COUNT-2: arith.constant 2 : i64
// TF32-COUNT-3: arith.constant 1 : i64
// TF32-NEXT: call @rev_cuda_conv2d_forward_f32(
func.func @chained(%x: memref<2x8x8x5xf32>, %w: memref<6x3x3x5xf32>, %b: memref<6xf32>, %y: memref<2x4x4x6xf32>, %tmp: memref<4xf32>) {
  %t0 = gpu.wait async
  %t1 = rev.gpu_library_call "conv2d_forward_f32" [%t0] ins(%x, %w, %b : memref<2x8x8x5xf32>, memref<6x3x3x5xf32>, memref<6xf32>) outs(%y : memref<2x4x4x6xf32>) {params = array<i64: 1, 1, 1, 1, 2, 2, 1, 1>} -> !gpu.async.token
  %t2 = gpu.dealloc async [%t1] %tmp : memref<4xf32>
  gpu.wait [%t2]
  return
}

// -----

// Several dependencies are joined on a new token first; a call without a
// token (synchronous) makes the host wait for its stream after it; a call
// without dependencies gets a stream of its own. One declaration serves
// both matrix products.
// CHECK-LABEL: func.func private @rev_cuda_matmul_f32(!llvm.ptr, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, i64)
// CHECK-NOT: func.func private
// CHECK-LABEL: func.func @joined
// CHECK: %[[J:.+]] = gpu.wait async [%{{.+}}, %{{.+}}]
// CHECK: %[[S:.+]] = builtin.unrealized_conversion_cast %[[J]]
// CHECK: call @rev_cuda_matmul_f32(%[[S]], {{.*}}) :
// CHECK-NEXT: gpu.wait [%[[J]]]
// CHECK: %[[N:.+]] = gpu.wait async
// CHECK: %[[S2:.+]] = builtin.unrealized_conversion_cast %[[N]]
// CHECK: call @rev_cuda_matmul_f32(%[[S2]], {{.*}}) :
// CHECK-NEXT: gpu.wait [%[[N]]]
func.func @joined(%a: memref<3x5x7xf32>, %b: memref<3x7x6xf32>, %c: memref<3x5x6xf32>) {
  %t0 = gpu.wait async
  %t1 = gpu.wait async
  rev.gpu_library_call "matmul_f32" [%t0, %t1] ins(%a, %b : memref<3x5x7xf32>, memref<3x7x6xf32>) outs(%c : memref<3x5x6xf32>)
  %t2 = rev.gpu_library_call "matmul_f32" ins(%a, %b : memref<3x5x7xf32>, memref<3x7x6xf32>) outs(%c : memref<3x5x6xf32>) -> !gpu.async.token
  gpu.wait [%t2]
  return
}
