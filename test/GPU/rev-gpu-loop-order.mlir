// RUN: rev-opt %s --split-input-file --rev-gpu-loop-order | FileCheck %s

// A sum over the batch (tosa.reduce_sum on axis 0): the reduction loop is
// outermost; it moves innermost, so that the parallel loops make one kernel.
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2) -> (d2, d0, d1)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2) -> (0, d0, d1)>
// CHECK-LABEL: func.func @batch_sum
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: arith.addf
func.func @batch_sum(%x: memref<4x8x16xf32>, %out: memref<1x8x16xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>,
                                   affine_map<(d0, d1, d2) -> (0, d1, d2)>],
                  iterator_types = ["reduction", "parallel", "parallel"]}
      ins(%x : memref<4x8x16xf32>) outs(%out : memref<1x8x16xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Parallel loops already outermost: unchanged.
// CHECK-LABEL: func.func @row_sum
// CHECK: iterator_types = ["parallel", "reduction"]
func.func @row_sum(%x: memref<4x8xf32>, %out: memref<4xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>,
                                   affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<4x8xf32>) outs(%out : memref<4xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A named op with the reduction first (linalg.reduce over the batch: a
// bias gradient) becomes a generic op, parallel loop first; one whose
// reduction is already last stays named.
// CHECK-LABEL: func.func @bias_grad
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #{{.+}}], iterator_types = ["parallel", "reduction"]} ins(%arg0 : memref<4x10xf32>) outs(%arg1 : memref<10xf32>)
// CHECK: linalg.reduce ins(%arg0 : memref<4x10xf32>) outs(%arg2 : memref<4xf32>) dimensions = [1]
func.func @bias_grad(%g: memref<4x10xf32>, %db: memref<10xf32>, %rows: memref<4xf32>) {
  linalg.reduce ins(%g : memref<4x10xf32>) outs(%db : memref<10xf32>) dimensions = [0]
    (%a: f32, %acc: f32) {
      %s = arith.addf %a, %acc : f32
      linalg.yield %s : f32
    }
  linalg.reduce ins(%g : memref<4x10xf32>) outs(%rows : memref<4xf32>) dimensions = [1]
    (%a: f32, %acc: f32) {
      %s = arith.addf %a, %acc : f32
      linalg.yield %s : f32
    }
  return
}
