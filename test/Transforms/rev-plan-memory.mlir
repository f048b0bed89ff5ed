// The memory planner's decisions on a chain of six couplings: F and G of
// couplings 1 and 3 are a matmul and a tanh (9.2e3 multiply-adds), the
// others a tanh (1.0e3), all on 1x64x8 tensors. Storing saves the most
// recomputation per byte first: the matmul couplings (the later first), then
// the tanh ones, later first (1x64x8xf32 is 2048 bytes: F and G of a
// matmul coupling have 4 results, 8192 bytes). Tape entries are not recomputed
// (recompute-elementwise=false), so every stored coupling adds to the tape.
//
// The plan's numbers are rev::PeakEstimator's: the planner's estimate of the
// all-inverted and all-stored steps must be what rev-memory-report says of
// the reversible and store steps rev-train builds (first two RUN lines),
// and a plan's estimate what it says of the step built with that plan.

// RUN: rev-opt %s --rev-train="mode=reversible loss=vjp recompute-elementwise=false" --rev-memory-report -o /dev/null 2>&1 | FileCheck %s --check-prefix=REV
// REV: @train_step - - 22784
// RUN: rev-opt %s --rev-train="mode=store loss=vjp recompute-elementwise=false" --rev-memory-report -o /dev/null 2>&1 | FileCheck %s --check-prefix=STORE
// STORE: @train_step - - 34816

// One byte less than the reversible step's estimate: the planner also tries
// recomputing the non-invertible segments (nothing here is 4 KiB: the same
// estimate), no plan fits, and the error names that estimate.
// RUN: not rev-opt %s --rev-plan-memory="budget=22783 loss=vjp recompute-elementwise=false" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BELOW
// BELOW: error: memory budget of 22783 bytes is below the estimated peak of every plan of this training step; the smallest, 22784 bytes, stores 0 of 6 couplings: the smallest feasible budget is 22784 bytes

// At the minimum nothing is stored.
// RUN: rev-opt %s --rev-plan-memory="budget=22784 loss=vjp recompute-elementwise=false explain=true" -o /dev/null 2>&1 | FileCheck %s --check-prefix=MIN
// MIN-COUNT-6: memory plan: inverted
// MIN: remark: memory plan: 0 of 6 couplings stored, estimated peak 22784 bytes for a budget of 22784 (the smallest plan estimated: 22784;

// The first of the order: the later matmul coupling (coupling3).
// RUN: rev-opt %s --rev-plan-memory="budget=25000 loss=vjp recompute-elementwise=false explain=true" -o /dev/null 2>&1 | FileCheck %s --check-prefix=ONE
// ONE: "coupling0"{{.*}} inverted
// ONE: "coupling1"{{.*}} inverted
// ONE: "coupling2"{{.*}} inverted
// ONE: "coupling3"{{.*}} stored (F and G: 9.22E+03 multiply-adds, 8192 bytes of results)
// ONE: "coupling4"{{.*}} inverted
// ONE: "coupling5"{{.*}} inverted
// ONE: remark: memory plan: 1 of 6 couplings stored, estimated peak 24576 bytes for a budget of 25000

// Four: both matmul couplings, then the last two tanh ones.
// RUN: rev-opt %s --rev-plan-memory="budget=32000 loss=vjp recompute-elementwise=false explain=true" -o /dev/null 2>&1 | FileCheck %s --check-prefix=FOUR
// FOUR: "coupling0"{{.*}} inverted
// FOUR: "coupling1"{{.*}} stored
// FOUR: "coupling2"{{.*}} inverted
// FOUR: "coupling3"{{.*}} stored
// FOUR: "coupling4"{{.*}} stored
// FOUR: "coupling5"{{.*}} stored
// FOUR: remark: memory plan: 4 of 6 couplings stored, estimated peak 30720 bytes for a budget of 32000

// Enough for everything: all stored; the IR marks them.
// RUN: rev-opt %s --rev-plan-memory="budget=1MiB loss=vjp recompute-elementwise=false" | FileCheck %s --check-prefix=ALL
// ALL: func.func @chain({{.*}} attributes {rev.memory_plan = {budget = 1048576 : i64, couplings = 6 : i64, estimated_peak = 34816 : i64, minimum_peak = 22784 : i64, recompute_segments = 0 : i64, stored = 6 : i64}}
// ALL-COUNT-6: rev.coupling {{.*}} {rev.store}

// rev-train with the plan: the step's own estimate is the plan's; the
// stored couplings were expanded before differentiation.
// RUN: rev-opt %s --rev-train="memory-budget=25000 loss=vjp recompute-elementwise=false" --rev-memory-report -o /dev/null 2>&1 | FileCheck %s --check-prefix=TRAIN
// TRAIN: @train_step - - 24576
// TRAIN: memory plan of @chain: 1 of 6 couplings stored (the rest inverted), estimated peak 24576 bytes for a budget of 25000 (smallest: 22784)

func.func @chain(%x1: tensor<1x64x8xf32> {rev.name = "x1"}, %x2: tensor<1x64x8xf32> {rev.name = "x2"}, %w: tensor<1x8x8xf32> {rev.name = "w", rev.param}) -> (tensor<1x64x8xf32> {rev.name = "y1"}, tensor<1x64x8xf32> {rev.name = "y2"}) {
  %a0, %b0 = rev.coupling %x1, %x2 : tensor<1x64x8xf32>, tensor<1x64x8xf32>
    f {
    ^bb0(%a: tensor<1x64x8xf32>):
      %r = tosa.tanh %a : (tensor<1x64x8xf32>) -> tensor<1x64x8xf32>
      rev.yield %r : tensor<1x64x8xf32>
    } g {
    ^bb0(%b: tensor<1x64x8xf32>):
      %r = tosa.tanh %b : (tensor<1x64x8xf32>) -> tensor<1x64x8xf32>
      rev.yield %r : tensor<1x64x8xf32>
    } loc("coupling0")
  %a1, %b1 = rev.coupling %a0, %b0 : tensor<1x64x8xf32>, tensor<1x64x8xf32>
    f {
    ^bb0(%a: tensor<1x64x8xf32>):
      %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
      %m = tosa.matmul %a, %w, %zp, %zp : (tensor<1x64x8xf32>, tensor<1x8x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x64x8xf32>
      %r = tosa.tanh %m : (tensor<1x64x8xf32>) -> tensor<1x64x8xf32>
      rev.yield %r : tensor<1x64x8xf32>
    } g {
    ^bb0(%b: tensor<1x64x8xf32>):
      %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
      %m = tosa.matmul %b, %w, %zp, %zp : (tensor<1x64x8xf32>, tensor<1x8x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x64x8xf32>
      %r = tosa.tanh %m : (tensor<1x64x8xf32>) -> tensor<1x64x8xf32>
      rev.yield %r : tensor<1x64x8xf32>
    } loc("coupling1")
  %a2, %b2 = rev.coupling %a1, %b1 : tensor<1x64x8xf32>, tensor<1x64x8xf32>
    f {
    ^bb0(%a: tensor<1x64x8xf32>):
      %r = tosa.tanh %a : (tensor<1x64x8xf32>) -> tensor<1x64x8xf32>
      rev.yield %r : tensor<1x64x8xf32>
    } g {
    ^bb0(%b: tensor<1x64x8xf32>):
      %r = tosa.tanh %b : (tensor<1x64x8xf32>) -> tensor<1x64x8xf32>
      rev.yield %r : tensor<1x64x8xf32>
    } loc("coupling2")
  %a3, %b3 = rev.coupling %a2, %b2 : tensor<1x64x8xf32>, tensor<1x64x8xf32>
    f {
    ^bb0(%a: tensor<1x64x8xf32>):
      %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
      %m = tosa.matmul %a, %w, %zp, %zp : (tensor<1x64x8xf32>, tensor<1x8x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x64x8xf32>
      %r = tosa.tanh %m : (tensor<1x64x8xf32>) -> tensor<1x64x8xf32>
      rev.yield %r : tensor<1x64x8xf32>
    } g {
    ^bb0(%b: tensor<1x64x8xf32>):
      %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
      %m = tosa.matmul %b, %w, %zp, %zp : (tensor<1x64x8xf32>, tensor<1x8x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x64x8xf32>
      %r = tosa.tanh %m : (tensor<1x64x8xf32>) -> tensor<1x64x8xf32>
      rev.yield %r : tensor<1x64x8xf32>
    } loc("coupling3")
  %a4, %b4 = rev.coupling %a3, %b3 : tensor<1x64x8xf32>, tensor<1x64x8xf32>
    f {
    ^bb0(%a: tensor<1x64x8xf32>):
      %r = tosa.tanh %a : (tensor<1x64x8xf32>) -> tensor<1x64x8xf32>
      rev.yield %r : tensor<1x64x8xf32>
    } g {
    ^bb0(%b: tensor<1x64x8xf32>):
      %r = tosa.tanh %b : (tensor<1x64x8xf32>) -> tensor<1x64x8xf32>
      rev.yield %r : tensor<1x64x8xf32>
    } loc("coupling4")
  %a5, %b5 = rev.coupling %a4, %b4 : tensor<1x64x8xf32>, tensor<1x64x8xf32>
    f {
    ^bb0(%a: tensor<1x64x8xf32>):
      %r = tosa.tanh %a : (tensor<1x64x8xf32>) -> tensor<1x64x8xf32>
      rev.yield %r : tensor<1x64x8xf32>
    } g {
    ^bb0(%b: tensor<1x64x8xf32>):
      %r = tosa.tanh %b : (tensor<1x64x8xf32>) -> tensor<1x64x8xf32>
      rev.yield %r : tensor<1x64x8xf32>
    } loc("coupling5")
  return %a5, %b5 : tensor<1x64x8xf32>, tensor<1x64x8xf32>
}
