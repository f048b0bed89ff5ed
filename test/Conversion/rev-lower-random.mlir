// RUN: rev-opt %s --rev-lower-random --split-input-file | FileCheck %s

// rev.random_stream is the pair [seed, stream]; rev.dropout one elementwise
// linalg.generic: the row-major position, ten Philox4x32 rounds (two
// 32x32->64 products each, with the multipliers 0xD2511F53 and 0xCD9E8D57),
// and the element kept when the upper 24 bits of the first word reach
// ceil(0.1 * 2^24) = 1677722, scaled by 1/(1 - 0.1) rounded to f32.

// CHECK-LABEL: func.func @dropout(
// CHECK-SAME: %[[X:.+]]: tensor<2x5xf32>, %[[SEED:.+]]: tensor<i64>)
// CHECK-DAG: %[[SV:.+]] = tensor.extract %[[SEED]][] : tensor<i64>
// CHECK-DAG: %[[C7:.+]] = arith.constant 7 : i64
// CHECK: %[[S:.+]] = tensor.from_elements %[[SV]], %[[C7]] : tensor<2xi64>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%[[X]] : tensor<2x5xf32>)
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK-DAG: linalg.index 0 : index
// CHECK-DAG: linalg.index 1 : index
// CHECK-DAG: tensor.extract %[[S]][%{{.+}}] : tensor<2xi64>
// CHECK-DAG: arith.constant -766435501 : i32
// CHECK-DAG: arith.constant -845247145 : i32
// CHECK-COUNT-20: arith.muli %{{.+}}, %{{.+}} : i64
// CHECK-NOT: arith.muli %{{.+}}, %{{.+}} : i64
// CHECK: %[[EIGHT:.+]] = arith.constant 8 : i32
// CHECK: %[[BITS:.+]] = arith.shrui %{{.+}}, %[[EIGHT]] : i32
// CHECK: %[[T:.+]] = arith.constant 1677722 : i32
// CHECK: %[[KEEP:.+]] = arith.cmpi uge, %[[BITS]], %[[T]] : i32
// CHECK: %[[SC:.+]] = arith.constant 1.11111116 : f32
// CHECK: %[[SCALED:.+]] = arith.mulf %[[IN]], %[[SC]] : f32
// CHECK: %[[Y:.+]] = arith.select %[[KEEP]], %[[SCALED]], %{{.+}} : f32
// CHECK: linalg.yield %[[Y]] : f32
// CHECK-NOT: rev.
func.func @dropout(%x: tensor<2x5xf32>, %seed: tensor<i64>) -> tensor<2x5xf32> {
  %s = rev.random_stream %seed[7] : tensor<i64> -> tensor<2xi64>
  %y = rev.dropout %x, %s {ratio = 0.1 : f64} : tensor<2x5xf32>, tensor<2xi64>
  return %y : tensor<2x5xf32>
}

// -----

// float64 keeps the scale in double precision.
// CHECK-LABEL: func.func @dropout_f64(
// CHECK: arith.constant 8388608 : i32
// CHECK: arith.cmpi uge
// CHECK: arith.constant 2.000000e+00 : f64
// CHECK: arith.mulf %{{.+}}, %{{.+}} : f64
func.func @dropout_f64(%x: tensor<7xf64>, %s: tensor<2xi64>) -> tensor<7xf64> {
  %y = rev.dropout %x, %s {ratio = 0.5 : f64} : tensor<7xf64>, tensor<2xi64>
  return %y : tensor<7xf64>
}
