// RUN: rev-opt %s --rev-annotate-abi --rev-expand-checks | FileCheck %s
// RUN: rev-opt %s --rev-expand-checks="report=false" | FileCheck %s --check-prefix=CLAMP
// RUN: rev-opt %s --rev-annotate-abi --rev-expand-checks="enable=false" | FileCheck %s --check-prefix=DROP

// The checks are numbered in walk order; their messages go to rev.checks.
// CHECK: module attributes {rev.checks = ["labels must lie in [0, 10)", "ids must lie in [-4, 4)"]}
// CHECK: func.func private @rev_check_failed(i64, i64)
// CHECK-LABEL: func.func @f
// Minimum and maximum in one reduction.
// CHECK: %[[MM:.+]]:2 = linalg.generic {{.+}} iterator_types = ["reduction"]
// CHECK: arith.minsi
// CHECK: arith.maxsi
// CHECK: %[[MIN:.+]] = tensor.extract %[[MM]]#0[]
// CHECK: %[[MAX:.+]] = tensor.extract %[[MM]]#1[]
// CHECK: %[[BELOW:.+]] = arith.cmpi slt, %[[MIN]], %c0_i64
// CHECK: %[[ABOVE:.+]] = arith.cmpi sgt, %[[MAX]], %c9_i64
// CHECK: %[[BAD:.+]] = arith.ori %[[BELOW]], %[[ABOVE]]
// CHECK: scf.if %[[BAD]] {
// CHECK:   %[[V:.+]] = arith.select %[[BELOW]], %[[MIN]], %[[MAX]]
// CHECK:   %[[ID:.+]] = arith.constant 0 : i64
// CHECK:   func.call @rev_check_failed(%[[ID]], %[[V]])
// The result is the input clamped to the range.
// CHECK: %[[CLAMPED:.+]] = linalg.generic {{.+}} iterator_types = ["parallel"]
// CHECK:   arith.maxsi %{{.+}}, %c0_i64
// CHECK:   arith.minsi %{{.+}}, %c9_i64
// CHECK: return %[[CLAMPED]]
// The second check (i32) reports an i64 value, with number 1.
// CHECK-LABEL: func.func @g
// CHECK: scf.if
// CHECK:   arith.extsi %{{.+}} : i32 to i64
// CHECK:   arith.constant 1 : i64
// CHECK:   func.call @rev_check_failed

// CLAMP-NOT: rev_check_failed
// CLAMP-LABEL: func.func @f
// CLAMP: linalg.generic {{.+}} iterator_types = ["parallel"]
// CLAMP-NOT: scf.if

// DROP-NOT: rev.checks
// DROP-LABEL: func.func @f(%arg0: tensor<4xi64>) -> tensor<4xi64>
// DROP-NEXT: return %arg0

func.func @f(%labels: tensor<4xi64>) -> tensor<4xi64> {
  %c = rev.check_range %labels in [0, 10) "labels" : tensor<4xi64>
  return %c : tensor<4xi64>
}

func.func @g(%ids: tensor<2x3xi32>) -> tensor<2x3xi32> {
  %c = rev.check_range %ids in [-4, 4) "ids" : tensor<2x3xi32>
  return %c : tensor<2x3xi32>
}
