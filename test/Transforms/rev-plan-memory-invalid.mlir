// RUN: rev-opt %s --rev-plan-memory="budget=10 loss=vjp" -split-input-file -verify-diagnostics
// RUN: rev-opt %s --rev-train="memory-budget=10B loss=vjp" -split-input-file -verify-diagnostics
// RUN: not rev-opt %s --rev-plan-memory="budget=12XB loss=vjp" -split-input-file 2>&1 | FileCheck %s --check-prefix=UNIT
// RUN: not rev-opt %s --rev-plan-memory="budget=-5 loss=vjp" -split-input-file 2>&1 | FileCheck %s --check-prefix=NUMBER
// RUN: not rev-opt %s --rev-plan-memory="loss=vjp" -split-input-file 2>&1 | FileCheck %s --check-prefix=NUMBER
// RUN: not rev-opt %s --rev-train="mode=store memory-budget=1G loss=vjp" -split-input-file 2>&1 | FileCheck %s --check-prefix=MODE
// RUN: not rev-opt %s --rev-plan-memory="budget=1G loss=vjp function=nope" -split-input-file 2>&1 | FileCheck %s --check-prefix=FUNCTION
// RUN: not rev-opt %s --pass-pipeline="builtin.module(rev-plan-memory{budget=1G loss=vjp})" 2>&1 | FileCheck %s --check-prefix=PUBLIC

// UNIT: error: rev-plan-memory: memory-budget='12XB': unknown unit or too large; use K, M, G (powers of 1000), KiB, MiB, GiB (powers of 1024)
// NUMBER: error: rev-plan-memory: memory-budget='{{.*}}': expected a positive number of bytes with an optional unit (K, M, G, KiB, MiB, GiB) or auto
// MODE: error: memory-budget plans a reversible step (each coupling stored or inverted); it does not combine with mode=store
// FUNCTION: error: rev-plan-memory: no function named @nope
// (without -split-input-file, the file is one module of two functions)
// PUBLIC: error: rev-plan-memory: the module has 2 public functions; choose one with function=

// No plan fits 10 bytes: the error gives the smallest budget that does
// (rev-plan-memory.mlir checks that number against rev-memory-report).
// expected-error-re @below {{memory budget of 10 bytes is below the estimated peak of every plan of this training step; the smallest, {{[0-9]+}} bytes, stores {{[01]}} of 1 couplings: the smallest feasible budget is {{[0-9]+}} bytes}}
func.func @one(%x1: tensor<1x4xf32> {rev.name = "x1"}, %x2: tensor<1x4xf32> {rev.name = "x2"}) -> (tensor<1x4xf32> {rev.name = "y1"}, tensor<1x4xf32> {rev.name = "y2"}) {
  %y1, %y2 = rev.coupling %x1, %x2 : tensor<1x4xf32>, tensor<1x4xf32>
    f {
    ^bb0(%a: tensor<1x4xf32>):
      %r = tosa.tanh %a : (tensor<1x4xf32>) -> tensor<1x4xf32>
      rev.yield %r : tensor<1x4xf32>
    } g {
    ^bb0(%b: tensor<1x4xf32>):
      %r = tosa.tanh %b : (tensor<1x4xf32>) -> tensor<1x4xf32>
      rev.yield %r : tensor<1x4xf32>
    }
  return %y1, %y2 : tensor<1x4xf32>, tensor<1x4xf32>
}

// -----

// Nothing to plan for but the step itself: without couplings, the budget
// must still hold the step.
// expected-error @below {{memory budget of 10 bytes is below the estimated peak of every plan of this training step}}
func.func @none(%x: tensor<1x4xf32> {rev.name = "x"}) -> (tensor<1x4xf32> {rev.name = "y"}) {
  %y = tosa.tanh %x : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}
