// RUN: rev-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(rev-cpu-codegen))' | FileCheck %s

// An elementwise op: rows shared by an scf.forall (the threads), the inner
// dimension in vectors of 64 (exp on vector<1x64xf32>), no linalg left.
// CHECK-LABEL: func.func @elementwise
// CHECK: scf.forall (%{{.*}}) in (64)
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}}
// CHECK: vector.transfer_read {{.*}} : tensor<1x64xf32>, vector<1x64xf32>
// CHECK: math.exp %{{.*}} : vector<1x64xf32>
// CHECK: vector.transfer_write
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @elementwise(%a: tensor<64x1024xf32>) -> tensor<64x1024xf32> {
  %e = tensor.empty() : tensor<64x1024xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<64x1024xf32>) outs(%e : tensor<64x1024xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = math.exp %x : f32
    linalg.yield %y : f32
  } -> tensor<64x1024xf32>
  return %r : tensor<64x1024xf32>
}

// -----

// A batched matrix product: output blocks of 8 rows shared by an
// scf.forall, a reduction loop over K accumulating a vector<1x8x32xf32> of
// the block in registers (iteration argument), no batch_matmul left.
// CHECK-LABEL: func.func @matmul
// CHECK: scf.forall
// CHECK: vector.transfer_read {{.*}} : tensor<1x8x32xf32>, vector<1x8x32xf32>
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (tensor<1x8x64xf32>, tensor<1x8x32xf32>, vector<1x8x32xf32>)
// CHECK: vector.multi_reduction <add>, {{.*}} [3] : vector<1x8x32x1xf32> to vector<1x8x32xf32>
// CHECK-NOT: linalg.batch_matmul
// CHECK: return
func.func @matmul(%a: tensor<1x16x32xf32>, %b: tensor<1x32x64xf32>) -> tensor<1x16x64xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x16x64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<1x16x64xf32>) -> tensor<1x16x64xf32>
  %r = linalg.batch_matmul ins(%a, %b : tensor<1x16x32xf32>, tensor<1x32x64xf32>) outs(%f : tensor<1x16x64xf32>) -> tensor<1x16x64xf32>
  return %r : tensor<1x16x64xf32>
}
