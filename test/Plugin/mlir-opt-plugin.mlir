// Debian's own upstream mlir-opt loads rev's dialect and passes from
// RevPlugin.so, parses rev ops and runs rev passes.
//
// (Not in a sanitized build: the uninstrumented mlir-opt cannot load an
// instrumented plugin.)
// UNSUPPORTED: sanitizers
// RUN: %mlir-opt %s --load-dialect-plugin=%rev_plugin | FileCheck %s --check-prefix=PARSE
// RUN: %mlir-opt %s --load-dialect-plugin=%rev_plugin --load-pass-plugin=%rev_plugin \
// RUN:   --pass-pipeline="builtin.module(rev-build-inverse,func.func(rev-lower-couplings))" \
// RUN: | FileCheck %s
// RUN: %mlir-opt --load-pass-plugin=%rev_plugin --help | FileCheck %s --check-prefix=HELP
// The reversible training pipeline, from upstream's tool.
// RUN: %mlir-opt %s --load-dialect-plugin=%rev_plugin --load-pass-plugin=%rev_plugin \
// RUN:   --pass-pipeline="builtin.module(rev-differentiate{loss=vjp},rev-reconstruct-activations{explain=true},rev-memory-report)" \
// RUN:   -o /dev/null 2>&1 | FileCheck %s --check-prefix=TRAIN

// PARSE: rev.coupling
// HELP: --rev-build-inverse
// HELP: --rev-lower-couplings
// HELP: --rev-memory-report
// HELP: --rev-reconstruct-activations
// TRAIN: rev-reconstruct-activations:
// TRAIN: rev-memory-report: tape and estimated peak of live tensor bytes

// CHECK-LABEL: func.func @block(
// CHECK-NOT: rev.coupling
// CHECK: %[[F:.+]] = tosa.tanh %arg1
// CHECK: %[[Y1:.+]] = tosa.add %arg0, %[[F]]
// CHECK: %[[G:.+]] = tosa.sigmoid %[[Y1]]
// CHECK: tosa.add %arg1, %[[G]]
// CHECK-LABEL: func.func @block_inverse(
// CHECK: %[[IG:.+]] = tosa.sigmoid %arg0
// CHECK: %[[X2:.+]] = tosa.sub %arg1, %[[IG]]
// CHECK: %[[IF:.+]] = tosa.tanh %[[X2]]
// CHECK: %[[X1:.+]] = tosa.sub %arg0, %[[IF]]
// CHECK: return %[[X1]], %[[X2]]
func.func @block(%x1: tensor<2x4xf32>, %x2: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %y1, %y2 = rev.coupling %x1, %x2 : tensor<2x4xf32>, tensor<2x4xf32>
    f {
    ^bb0(%a: tensor<2x4xf32>):
      %r = tosa.tanh %a : (tensor<2x4xf32>) -> tensor<2x4xf32>
      rev.yield %r : tensor<2x4xf32>
    } g {
    ^bb0(%b: tensor<2x4xf32>):
      %r = tosa.sigmoid %b : (tensor<2x4xf32>) -> tensor<2x4xf32>
      rev.yield %r : tensor<2x4xf32>
    }
  return %y1, %y2 : tensor<2x4xf32>, tensor<2x4xf32>
}
