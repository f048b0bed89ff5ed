// RUN: rev-opt %s --split-input-file --rev-gpu-block-reductions | FileCheck %s
// RUN: rev-opt %s --split-input-file --rev-gpu-block-reductions="fuse=false" | FileCheck %s --check-prefix=NOFUSE

// A BatchNorm's statistics and normalization over an NHWC buffer, 8 channels
// of 4x16x16: the sum (its output filled with 0 just before), the mean from
// it, the running mean's update, the sum of squares, and the normalization.
// One kernel, a block per channel: each of 256 threads sums a strided
// share of the 1,024 elements, gpu.all_reduce combines the shares, the first
// thread stores the channel's sum (starting from the fill's 0: the fill is
// gone) and computes the mean and the running mean; the second sum (same
// grid, reading nothing the first writes) follows in the same kernel; after
// a barrier every thread normalizes a strided share of the channel.
// CHECK-LABEL: func.func @batchnorm
// CHECK-NOT: linalg.fill
// CHECK: gpu.launch blocks(%[[B:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %c8, %{{.+}} = %c1, %{{.+}} = %c1) threads(%[[T:.+]], %{{.+}}, %{{.+}}) in (%[[BS:.+]] = %c256,
// CHECK: %[[CH:.+]] = arith.remui %[[B]], %{{.+}} : index
// CHECK: %[[P:.+]] = scf.for %[[K:.+]] = %[[T]] to %{{.+}} step %{{.+}} iter_args(%[[ACC:.+]] = %{{.+}}) -> (f32) {
// CHECK:   memref.load %{{.+}} : memref<4x16x16x8xf32>
// CHECK:   arith.addf %[[ACC]],
// CHECK: %[[SUM:.+]] = gpu.all_reduce add %[[P]] uniform
// CHECK: scf.if
// CHECK:   %[[V:.+]] = arith.addf %{{.+}}, %[[SUM]] : f32
// CHECK:   memref.store %[[V]], %{{.+}}[%[[CH]]] : memref<8xf32>
// The second sum.
// CHECK: scf.for
// CHECK:   arith.mulf
// CHECK: gpu.all_reduce add
// CHECK: scf.if
// CHECK:   memref.store
// The mean and the running mean: the first thread, one element.
// CHECK: scf.if
// CHECK:   memref.load %{{.+}}[%[[CH]]] : memref<8xf32>
// CHECK:   arith.mulf
// CHECK:   memref.store %{{.+}}, %{{.+}}[%[[CH]]] : memref<8xf32>
// CHECK: scf.if
// CHECK:   memref.store %{{.+}}, %{{.+}}[%[[CH]]] : memref<8xf32>
// The normalization: all threads, after a barrier.
// CHECK: gpu.barrier
// CHECK: scf.for %{{.+}} = %[[T]] to %{{.+}} step %[[BS]] {
// CHECK:   memref.store %{{.+}}, %arg2[%{{.+}}, %{{.+}}, %{{.+}}, %{{[0-9]+}}] : memref<4x16x16x8xf32>
// CHECK: gpu.terminator
// CHECK-NOT: gpu.launch
// CHECK-NOT: linalg.generic
// CHECK: return
// NOFUSE-LABEL: func.func @batchnorm
// NOFUSE-COUNT-2: gpu.launch
// NOFUSE-COUNT-3: linalg.generic
#x = affine_map<(n, h, w, c) -> (n, h, w, c)>
#c = affine_map<(n, h, w, c) -> (c)>
#e = affine_map<(c) -> (c)>
func.func @batchnorm(%x: memref<4x16x16x8xf32>, %running: memref<8xf32>,
                     %y: memref<4x16x16x8xf32>, %newRunning: memref<8xf32>)
    attributes {rev.abi = {args = [{name = "x", type = memref<4x16x16x8xf32>}, {name = "running", type = memref<8xf32>}], results = []}} {
  %zero = arith.constant 0.0 : f32
  %inv = arith.constant 9.765625E-4 : f32
  %momentum = arith.constant 0.9 : f32
  %sum = memref.alloc() : memref<8xf32>
  linalg.fill ins(%zero : f32) outs(%sum : memref<8xf32>)
  linalg.generic {indexing_maps = [#x, #c], iterator_types = ["reduction", "reduction", "reduction", "parallel"]}
      ins(%x : memref<4x16x16x8xf32>) outs(%sum : memref<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  }
  %squares = memref.alloc() : memref<8xf32>
  linalg.fill ins(%zero : f32) outs(%squares : memref<8xf32>)
  linalg.generic {indexing_maps = [#x, #c], iterator_types = ["reduction", "reduction", "reduction", "parallel"]}
      ins(%x : memref<4x16x16x8xf32>) outs(%squares : memref<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %q = arith.mulf %a, %a : f32
    %s = arith.addf %q, %o : f32
    linalg.yield %s : f32
  }
  %mean = memref.alloc() : memref<8xf32>
  linalg.generic {indexing_maps = [#e, #e], iterator_types = ["parallel"]}
      ins(%sum : memref<8xf32>) outs(%mean : memref<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %inv : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [#e, #e, #e], iterator_types = ["parallel"]}
      ins(%sum, %running : memref<8xf32>, memref<8xf32>) outs(%newRunning : memref<8xf32>) {
  ^bb0(%a: f32, %r: f32, %o: f32):
    %m = arith.mulf %a, %inv : f32
    %k = arith.mulf %r, %momentum : f32
    %u = arith.addf %m, %k : f32
    linalg.yield %u : f32
  }
  linalg.generic {indexing_maps = [#x, #c, #c, #x], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %sum, %squares : memref<4x16x16x8xf32>, memref<8xf32>, memref<8xf32>) outs(%y : memref<4x16x16x8xf32>) {
  ^bb0(%a: f32, %s: f32, %q: f32, %o: f32):
    %m = arith.mulf %s, %inv : f32
    %d = arith.subf %a, %m : f32
    %v = arith.mulf %d, %q : f32
    linalg.yield %v : f32
  }
  memref.dealloc %mean : memref<8xf32>
  memref.dealloc %squares : memref<8xf32>
  memref.dealloc %sum : memref<8xf32>
  return
}

// -----

// Kept apart: an op between the kernel and an elementwise op writes what the
// elementwise op reads (so it cannot move up into the kernel); an
// elementwise op that reads the sum at another channel (another block's);
// a second sum that reads the first one's output (a kernel of its own); a
// sum of 10 elements per output (fewer than min-reduced: one thread per
// output, as before); an integer sum.
// CHECK-LABEL: func.func @kept
// CHECK: gpu.launch
// CHECK: gpu.all_reduce
// CHECK: linalg.copy
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: gpu.launch
// CHECK: gpu.all_reduce
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK-NOT: gpu.launch
#x2 = affine_map<(r, c) -> (r, c)>
#c2 = affine_map<(r, c) -> (c)>
#e = affine_map<(c) -> (c)>
#shift = affine_map<(c) -> (7 - c)>
func.func @kept(%x: memref<128x8xf32>, %other: memref<8xf32>, %small: memref<10x8xf32>, %ints: memref<128x8xi32>,
                %out: memref<8xf32>, %out2: memref<8xf32>, %out3: memref<8xf32>, %out4: memref<8xf32>, %out5: memref<8xi32>)
    attributes {rev.abi = {args = [{name = "x", type = memref<128x8xf32>}, {name = "other", type = memref<8xf32>}, {name = "small", type = memref<10x8xf32>}, {name = "ints", type = memref<128x8xi32>}], results = []}} {
  %zero = arith.constant 0.0 : f32
  %sum = memref.alloc() : memref<8xf32>
  %tmp = memref.alloc() : memref<8xf32>
  linalg.generic {indexing_maps = [#x2, #c2], iterator_types = ["reduction", "parallel"]}
      ins(%x : memref<128x8xf32>) outs(%sum : memref<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  }
  linalg.copy ins(%other : memref<8xf32>) outs(%tmp : memref<8xf32>)
  linalg.generic {indexing_maps = [#e, #e, #e], iterator_types = ["parallel"]}
      ins(%sum, %tmp : memref<8xf32>, memref<8xf32>) outs(%out : memref<8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [#shift, #e], iterator_types = ["parallel"]}
      ins(%sum : memref<8xf32>) outs(%out2 : memref<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  }
  linalg.generic {indexing_maps = [#x2, #c2, #c2], iterator_types = ["reduction", "parallel"]}
      ins(%x, %sum : memref<128x8xf32>, memref<8xf32>) outs(%out3 : memref<8xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %s = arith.addf %d, %o : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#x2, #c2], iterator_types = ["reduction", "parallel"]}
      ins(%small : memref<10x8xf32>) outs(%out4 : memref<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#x2, #c2], iterator_types = ["reduction", "parallel"]}
      ins(%ints : memref<128x8xi32>) outs(%out5 : memref<8xi32>) {
  ^bb0(%a: i32, %o: i32):
    %s = arith.addi %a, %o : i32
    linalg.yield %s : i32
  }
  memref.dealloc %tmp : memref<8xf32>
  memref.dealloc %sum : memref<8xf32>
  return
}
