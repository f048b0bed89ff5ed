// A select on a boolean (i1) condition large enough for rev-cpu-codegen's
// vectorization (8192 elements): the op keeps scalar loops, because a
// vector of i1 read from a memref<...xi1> (a byte per element) lowers to a
// load of bit-packed bits and reads the wrong conditions. Against numpy.
//
// REQUIRES: numpy
// RUN: rm -rf %t && mkdir -p %t/in %t/ref
// RUN: %python -c "import numpy as n; r = n.random.default_rng(0); c = r.random((64,128)) > 0.5; x = r.standard_normal((64,128)).astype(n.float32); y = r.standard_normal((64,128)).astype(n.float32); n.save('%t/in/c.npy', c); n.save('%t/in/x.npy', x); n.save('%t/in/y.npy', y); n.save('%t/ref/r.npy', n.where(c, x, y))"
// RUN: rev-run %s --inputs %t/in --expect %t/ref --rtol 0 --atol 0 | FileCheck %s
// CHECK: all within tolerance

func.func @f(%c: tensor<64x128xi1> {rev.name = "c"}, %x: tensor<64x128xf32> {rev.name = "x"}, %y: tensor<64x128xf32> {rev.name = "y"}) -> (tensor<64x128xf32> {rev.name = "r"}) {
  %r = tosa.select %c, %x, %y : (tensor<64x128xi1>, tensor<64x128xf32>, tensor<64x128xf32>) -> tensor<64x128xf32>
  return %r : tensor<64x128xf32>
}
