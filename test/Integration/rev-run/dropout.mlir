// rev.dropout run by rev-run (rev-lower-random on the CPU) against
// utils/models/philox.py: the same masks bit for bit, for float32 tensors
// (one fused with an add, which rev-cpu-codegen vectorizes into n-D vectors:
// arith.mului_extended on those once failed to reach LLVM IR) and two
// streams of a float64 one, with a negative seed.
//
// REQUIRES: numpy
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/dropout_expect.py %t | FileCheck %s --check-prefix=NUMPY
// NUMPY: kept {{.*}} at ratio 0.500: ok
// NUMPY: kept {{.*}} at ratio 0.125: ok
// NUMPY: streams differ: ok
// RUN: rev-run %s --inputs %t/in --expect %t/ref --rtol 0 --atol 0 | FileCheck %s
// RUN: rev-run %s --naive --inputs %t/in --expect %t/ref --rtol 0 --atol 0 | FileCheck %s
// CHECK: compared 4 result(s): all within tolerance

func.func @f(%x: tensor<3x4x5xf32> {rev.name = "x"}, %z: tensor<40x50xf64> {rev.name = "z"},
             %w: tensor<4x64x96xf32> {rev.name = "w"}, %v: tensor<4x64x96xf32> {rev.name = "v"},
             %seed: tensor<i64> {rev.name = "dropout_seed"})
    -> (tensor<3x4x5xf32> {rev.name = "a"}, tensor<40x50xf64> {rev.name = "b"},
        tensor<40x50xf64> {rev.name = "c"}, tensor<4x64x96xf32> {rev.name = "e"}) {
  %s0 = rev.random_stream %seed[0] : tensor<i64> -> tensor<2xi64>
  %s9 = rev.random_stream %seed[9] : tensor<i64> -> tensor<2xi64>
  %s10 = rev.random_stream %seed[10] : tensor<i64> -> tensor<2xi64>
  %a = rev.dropout %x, %s0 {ratio = 0.3 : f64} : tensor<3x4x5xf32>, tensor<2xi64>
  %b = rev.dropout %z, %s9 {ratio = 0.5 : f64} : tensor<40x50xf64>, tensor<2xi64>
  %c = rev.dropout %z, %s10 {ratio = 0.125 : f64} : tensor<40x50xf64>, tensor<2xi64>
  %s3 = rev.random_stream %seed[3] : tensor<i64> -> tensor<2xi64>
  %wv = tosa.add %w, %v : (tensor<4x64x96xf32>, tensor<4x64x96xf32>) -> tensor<4x64x96xf32>
  %e = rev.dropout %wv, %s3 {ratio = 0.1 : f64} : tensor<4x64x96xf32>, tensor<2xi64>
  return %a, %b, %c, %e : tensor<3x4x5xf32>, tensor<40x50xf64>, tensor<40x50xf64>, tensor<4x64x96xf32>
}
