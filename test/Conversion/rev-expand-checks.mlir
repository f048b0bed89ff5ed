// RUN: rev-opt %s --rev-annotate-abi --rev-expand-checks | FileCheck %s
// RUN: rev-opt %s --rev-expand-checks="report=false" | FileCheck %s --check-prefix=CLAMP
// RUN: rev-opt %s --rev-annotate-abi --rev-expand-checks="enable=false" | FileCheck %s --check-prefix=DROP
// The CPU's lowering of the reports, after bufferization.
// RUN: rev-opt %s --rev-annotate-abi --rev-expand-checks --one-shot-bufferize="bufferize-function-boundaries" --rev-lower-check-reports | FileCheck %s --check-prefix=CPU

// The checks are numbered in walk order; their messages go to rev.checks.
// CHECK: module attributes {rev.checks = ["labels must lie in [0, 10)", "ids must lie in [-4, 4)"]}
// CHECK-LABEL: func.func @f
// Minimum and maximum in one reduction, reported as check 0.
// CHECK: %[[MM:.+]]:2 = linalg.generic {{.+}} iterator_types = ["reduction"]
// CHECK: arith.minsi
// CHECK: arith.maxsi
// CHECK: rev.report_range 0 : %[[MM]]#0, %[[MM]]#1 in [0, 10) : tensor<i64>
// The result is the input clamped to the range.
// CHECK: %[[CLAMPED:.+]] = linalg.generic {{.+}} iterator_types = ["parallel"]
// CHECK:   arith.maxsi %{{.+}}, %c0_i64
// CHECK:   arith.minsi %{{.+}}, %c9_i64
// CHECK: return %[[CLAMPED]]
// CHECK-LABEL: func.func @g
// CHECK: rev.report_range 1 : %{{.+}}#0, %{{.+}}#1 in [-4, 4) : tensor<i32>

// CLAMP-NOT: rev.report_range
// CLAMP-LABEL: func.func @f
// CLAMP: linalg.generic {{.+}} iterator_types = ["parallel"]
// CLAMP-NOT: rev.report_range

// DROP-NOT: rev.checks
// DROP-LABEL: func.func @f(%arg0: tensor<4xi64>) -> tensor<4xi64>
// DROP-NEXT: return %arg0

// CPU: func.func private @rev_check_failed(i64, i64)
// CPU-LABEL: func.func @f
// CPU: %[[MIN:.+]] = memref.load %{{.+}}[] : memref<i64>
// CPU: %[[MAX:.+]] = memref.load %{{.+}}[] : memref<i64>
// CPU: %[[BELOW:.+]] = arith.cmpi slt, %[[MIN]], %c0_i64
// CPU: %[[ABOVE:.+]] = arith.cmpi sgt, %[[MAX]], %c9_i64
// CPU: %[[BAD:.+]] = arith.ori %[[BELOW]], %[[ABOVE]]
// CPU: scf.if %[[BAD]] {
// CPU:   %[[V:.+]] = arith.select %[[BELOW]], %[[MIN]], %[[MAX]]
// CPU:   %[[ID:.+]] = arith.constant 0 : i64
// CPU:   func.call @rev_check_failed(%[[ID]], %[[V]])
// The second check (i32) reports an i64 value, with number 1.
// CPU-LABEL: func.func @g
// CPU: scf.if
// CPU:   arith.extsi %{{.+}} : i32 to i64
// CPU:   arith.constant 1 : i64
// CPU:   func.call @rev_check_failed
// CPU-NOT: rev.report_range

func.func @f(%labels: tensor<4xi64>) -> tensor<4xi64> {
  %c = rev.check_range %labels in [0, 10) "labels" : tensor<4xi64>
  return %c : tensor<4xi64>
}

func.func @g(%ids: tensor<2x3xi32>) -> tensor<2x3xi32> {
  %c = rev.check_range %ids in [-4, 4) "ids" : tensor<2x3xi32>
  return %c : tensor<2x3xi32>
}
