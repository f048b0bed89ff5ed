//===- Passes.td - rev transformation passes ---------------*- tablegen -*-===//

#ifndef REV_TRANSFORMS_PASSES_TD
#define REV_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def RevBuildInverse : Pass<"rev-build-inverse", "::mlir::ModuleOp"> {
  let summary = "Build the inverse `@<name>_inverse` of invertible functions";
  let description = [{
    For each selected function whose ops are all invertible
    (`InvertibleOpInterface`, or a set of slices that partitions a tensor),
    creates a function `@<name>_inverse` that computes the function's inputs
    from its outputs, by inverting the ops in reverse order.

    The inverse takes the original results first, then the original
    arguments that are only read as context (weights), and returns the
    original data arguments (those it reconstructs), in order. Argument and
    result attributes (such as `rev.name`) follow the values.

    Used for sampling from normalizing flows and to test invertibility
    numerically: `f_inverse(f(x)) == x`.
  }];
  let options = [
    ListOption<"functions", "functions", "std::string",
               "Names of the functions to invert (default: every public "
               "function that does not end in `_inverse`)">,
  ];
  let dependentDialects = ["::mlir::tosa::TosaDialect",
                           "::mlir::func::FuncDialect"];
}

def RevInvertMatrices : Pass<"rev-invert-matrices", "::mlir::ModuleOp"> {
  let summary = "Allow the inversion of square 1x1 convolutions by learned "
                "matrices (Glow's invertible 1x1 convolution)";
  let description = [{
    Sets the module attribute `rev.invert_matrices`. With it, a `tosa.conv2d`
    with a 1x1 kernel, stride and dilation 1, no padding and as many output
    as input channels, whose weight and bias are computed from parameters
    and constants, implements `InvertibleOpInterface`: `rev-form-couplings`
    counts it as glue between couplings, `rev-reconstruct-activations`
    rebuilds its input from its output, `rev-build-inverse` inverts it.

    The inverse is `x = W^-1 (y - b)` with `W^-1` from 40 Newton-Schulz
    steps (matrix products only), followed by one step of iterative
    refinement. A learned matrix is not provably invertible: its error grows
    with the condition number of `W` (the rule and measured errors are in
    docs/reversible.md), which is why this is opt-in. `rev-train`'s
    `invert-matrices=true` runs this pass first.
  }];
}

def RevDifferentiate : Pass<"rev-differentiate", "::mlir::ModuleOp"> {
  let summary = "Build a training step with an explicit tape";
  let description = [{
    Differentiates a function @f (reverse mode) into three functions:

    - `@f_forward(inputs, params, loss input)`: the model and the loss; it
      returns the loss (or, with `loss=vjp`, the outputs), the auxiliary
      results (BatchNorm running statistics) and **the tape**: every
      activation the backward needs, as results named `tape.<n>`;
    - `@f_backward(tape, inputs/params it reads, [output cotangents])`:
      returns `grad.<param>` for every trainable parameter;
    - `@train_step`: calls both; returns `loss` (or the outputs), the
      gradients and the running statistics.

    Each op's derivative comes from its VJPOpInterface rule. Couplings are
    checkpointed: their inputs are on the tape and F and G are recomputed in
    the backward. Constants, function arguments and cheap views of them
    (reshapes and transposes of weights) are not taped but passed or
    recomputed. Gradients accumulate over multiple uses; no gradient is
    built for constants, integer values or untrainable arguments
    (`rev.trainable = false`).

    Parameters: the arguments marked `rev.param` (the importer marks ONNX
    initializers) that are not `rev.trainable = false`; without any
    `rev.param`, every float argument; `wrt` overrides.

    Losses, with PyTorch's mean reduction: `mse` (input `target`, the shape
    of the output), `cross-entropy` (logits [N, C], int64 `labels` [N]),
    `vjp` (arguments `grad.<output>`).
  }];
  let options = [
    Option<"loss", "loss", "::rev::LossKind", /*default=*/"::rev::LossKind::MSE",
           "The loss the step differentiates: mse, cross-entropy or vjp",
           [{::llvm::cl::values(
             clEnumValN(::rev::LossKind::MSE, "mse",
                        "mean squared error against `target` (PyTorch's mse_loss)"),
             clEnumValN(::rev::LossKind::CrossEntropy, "cross-entropy",
                        "softmax cross-entropy against int64 `labels`, mean over the batch"),
             clEnumValN(::rev::LossKind::VJP, "vjp",
                        "none: the backward takes the outputs' cotangents `grad.<output>`"))}]>,
    Option<"function", "function", "std::string", /*default=*/"\"\"",
           "Function to differentiate (default: the only public function)">,
    ListOption<"wrt", "wrt", "std::string",
               "rev.names of the arguments to differentiate with respect to">,
    Option<"recomputeElementwise", "recompute-elementwise", "bool",
           /*default=*/"true",
           "Recompute in the backward the tape entries that a few cheap "
           "elementwise ops rebuild from other entries, instead of storing "
           "them">,
    Option<"recomputeSegments", "recompute-segments", "bool",
           /*default=*/"false",
           "Also recompute tape entries of 4 KiB or more through "
           "convolutions, matmuls, pooling and reductions (up to 32 ops "
           "from a stored value, each op rebuilt once): non-invertible "
           "segments (a stem, a transition, an ordinary residual block) are "
           "checkpointed at their inputs">,
  ];
  let dependentDialects = ["::rev::RevDialect", "::mlir::tosa::TosaDialect",
                           "::mlir::func::FuncDialect"];
}

def RevFormCouplings : Pass<"rev-form-couplings", "::mlir::func::FuncOp"> {
  let summary = "Find reversible blocks in a TOSA graph and form rev couplings";
  let description = [{
    Finds, in an ordinary TOSA graph (as imported from PyTorch), the blocks
    that are reversible and replaces them by rev ops:

    - additive couplings `y1 = x1 + F(x2)`, `y2 = x2 + G(y1)`, where F and G
      are arbitrary subgraphs (convolutions, normalization, activations,
      attention, MLPs) that depend only on their input (x2, resp. y1) and on
      weights and constants, become `rev.coupling`;
    - affine couplings `y2 = x2 * S(x1) + T(x1)` with S provably nonzero (a
      sigmoid or an exponential) become `rev.affine_coupling`.

    The inputs are typically the two halves of a channel split (the slices
    `torch.chunk` exports) or the outputs of the previous block, possibly
    swapped. A subgraph's values used elsewhere (BatchNorm's running
    statistics) stay computed outside the coupling as well, so the running
    statistics are updated once, not by recomputation.

    The pass explains itself: with `explain`, it emits a remark per coupling
    formed and per candidate rejected (with the reason, e.g. "F reads x1"),
    and a summary naming the invertible glue between couplings (channel
    splits, concatenations, reshapes and transposes). A graph with nothing
    reversible is left unchanged.
  }];
  let options = [
    Option<"explain", "explain", "bool", /*default=*/"false",
           "Emit remarks: couplings formed, candidates rejected and why, glue">,
  ];
  let statistics = [
    Statistic<"numAdditive", "additive-couplings", "Additive couplings formed">,
    Statistic<"numAffine", "affine-couplings", "Affine couplings formed">,
    Statistic<"numRejected", "rejected-candidates",
              "Candidates that are not couplings">,
  ];
  let dependentDialects = ["::rev::RevDialect", "::mlir::tosa::TosaDialect"];
}

def RevReconstructActivations
    : Pass<"rev-reconstruct-activations", "::mlir::ModuleOp"> {
  let summary = "Replace stored activations by inverse recomputations";
  let description = [{
    Rewrites each `_forward`/`_backward` pair built by `rev-differentiate`
    (functions linked by `rev.backward`) so that the tape entries that can be
    computed again by inverting later values are no longer stored: the
    backward reconstructs them top-down, block by block, right before their
    first use (RevNet's Algorithm 1, Gomez et al. 2017):

    ```
    x2 = y2 - G(y1)        (rev.coupling)
    x1 = y1 - F(x2)
    x2 = (y2 - T(y1)) / S(y1), x1 = y1   (rev.affine_coupling)
    ```

    A value is reconstructed when it is an input of a coupling, or of glue
    that is exact in floating point (reshape, transpose, concat, identity,
    negate, a partition into slices), whose outputs are available in the
    backward. The outputs of the last coupling of each reversible run are
    stored instead (they become tape entries). What cannot be inverted
    (strided convolutions, pooling, the classifier) stays on the tape. Each
    tape result that stays carries `rev.kept_because`: the op that stops its
    inversion, or that it is a top (`rev-memory-report` lists them).

    The inverses and the couplings' VJPs share F(x2) and G(y1): CSE merges
    them once `(y1 - F(x2)) + F(x2)` folds back to `y1`.

    With the tops stored, the entries that cheap elementwise ops, reductions
    and concatenations rebuild from the entries that stay (within 16 ops)
    leave the tape as well (`recompute-elementwise=false`: they stay), rebuilt before their first use: a final
    LayerNorm's `x - mean` follows from the tops it normalizes (the step
    `rev-differentiate` runs on the tape it builds, which could not count
    on the tops).

    `checkpoint-every=K` keeps the inputs of every K-th coupling stored,
    which bounds the floating-point drift of long reconstructions.

    The train_step call site (the call to the forward, then the backward) is
    updated to pass the new tape.
  }];
  let options = [
    Option<"checkpointEvery", "checkpoint-every", "unsigned", /*default=*/"0",
           "Keep the inputs of every K-th coupling on the tape (0: none)">,
    Option<"explain", "explain", "bool", /*default=*/"false",
           "Emit a remark per function: entries reconstructed, bytes">,
    Option<"recomputeElementwise", "recompute-elementwise", "bool",
           /*default=*/"true",
           "Once the tops are stored, recompute the entries that cheap ops "
           "and reductions rebuild from the entries that stay">,
    Option<"numerics", "numerics", "bool", /*default=*/"false",
           "Check the reconstructions: keep the tape entries too, and make "
           "the backward and the training step also return, per coupling, "
           "reconstruction_error.<block> = max |stored - reconstructed| of "
           "its inputs (costs the memory the rewrite saves)">,
    Option<"checkDrift", "check-drift", "unsigned", /*default=*/"0",
           "Where the backward inverts at least this many couplings (0: "
           "never), store a fingerprint (two numbers) of the inputs of the "
           "couplings at the bottom of each reversible run and check at "
           "run time that the rebuilt inputs' fingerprint is within 0.1% "
           "of their norm: a network whose inverse amplifies rounding is "
           "reported, not trained with wrong gradients (a diagnostic: it "
           "costs memory, docs/reversible.md)">,
  ];
  let statistics = [
    Statistic<"numEntries", "tape-entries-reconstructed",
              "Tape entries rebuilt by inversion instead of stored">,
    Statistic<"numBytes", "tape-bytes-removed",
              "Bytes of those entries">,
    Statistic<"numInverses", "coupling-inverses",
              "Coupling inverses built in the backward">,
    Statistic<"numRecomputed", "tape-entries-recomputed",
              "Tape entries rebuilt from stored ones by cheap ops">,
  ];
  let dependentDialects = ["::mlir::tosa::TosaDialect"];
}

def RevPlanMemory : Pass<"rev-plan-memory", "::mlir::ModuleOp"> {
  let summary = "Choose, per coupling, to store or invert under a memory budget";
  let description = [{
    Plans a reversible training step under a memory budget: each coupling of
    the function to train either has its activations stored (as in store
    mode: no recomputation in the backward) or is inverted (its inputs are
    rebuilt from its outputs, F and G recomputed: about a third more
    compute for that block). Storing saves the most recomputation per byte
    first: couplings are ordered by the multiply-adds of F and G over the
    bytes of their results (the later coupling first among equals), and a
    prefix of that order is stored (see below); the rest are inverted.

    Each candidate is estimated by building it: the rest of rev-train
    (`rev-lower-couplings only-marked`, `rev-differentiate`,
    `rev-reconstruct-activations`, clean-up) runs on a copy and
    `rev::PeakEstimator` takes `@train_step`'s peak as the CPU lowering runs
    it (after `rev-rematerialize`, as `rev-memory-report` does). Every
    coupling stored is chosen if it fits (the least recomputation); else,
    if none stored fits, a binary search over the prefix length finds a
    prefix that fits (about log2(couplings) + 2 copies built). Storing
    usually costs memory, but not always (on small steps an inverted
    coupling's backward can hold more than a stored one's): the search
    finds a prefix that fits, not always the longest.

    When no plan fits, the plan also recomputes what the couplings do not
    rebuild (`rev-differentiate`'s `recompute-segments`: a stem's or a
    strided transition's activations rebuilt from the segment's input
    through its convolution), and searches again (`recompute-segments=false`
    forbids it).

    The chosen couplings are marked `rev.store`; the function gets
    `rev.memory_plan = {budget, estimated_peak, minimum_peak, couplings,
    stored, recompute_segments}`, which `rev-memory-report` prints and
    `rev-differentiate` reads (`recompute_segments`); `minimum_peak` is the
    smallest estimate among the candidates built. A budget below every
    candidate is an error that gives the smallest estimate, and its plan:
    the smallest feasible budget.

    Budgets: bytes with an optional suffix (`K`, `M`, `G` are 10^3, 10^6,
    10^9; `KiB`, `MiB`, `GiB` powers of 1024; a trailing `B` is allowed), or
    `auto`: the memory available on this machine when the plan is made
    (Linux's MemAvailable).

    The options other than `budget` are rev-train's and must match the
    pipeline the plan is for; `rev-train memory-budget=<bytes>` runs this
    pass after `rev-form-couplings` and then `rev-lower-couplings
    only-marked`.
  }];
  let options = [
    Option<"budget", "budget", "std::string", /*default=*/"\"\"",
           "The peak to plan for: bytes (with K/M/G/KiB/MiB/GiB) or auto">,
    Option<"loss", "loss", "::rev::LossKind", /*default=*/"::rev::LossKind::MSE",
           "rev-train's loss",
           [{::llvm::cl::values(
             clEnumValN(::rev::LossKind::MSE, "mse", "mean squared error"),
             clEnumValN(::rev::LossKind::CrossEntropy, "cross-entropy",
                        "softmax cross-entropy"),
             clEnumValN(::rev::LossKind::VJP, "vjp", "output cotangents"))}]>,
    Option<"function", "function", "std::string", /*default=*/"\"\"",
           "Function to train (default: the only public function)">,
    ListOption<"wrt", "wrt", "std::string", "rev-train's wrt">,
    Option<"recomputeElementwise", "recompute-elementwise", "bool",
           /*default=*/"true", "rev-train's recompute-elementwise">,
    Option<"checkpointEvery", "checkpoint-every", "unsigned", /*default=*/"0",
           "rev-train's checkpoint-every">,
    Option<"recomputeSegments", "recompute-segments", "bool",
           /*default=*/"true",
           "Where no plan fits with every coupling inverted, try again with "
           "rev-differentiate's recompute-segments">,
    Option<"explain", "explain", "bool", /*default=*/"false",
           "Emit a remark per coupling (stored or inverted) and one with "
           "the plan's estimates">,
    Option<"mode", "mode", "std::string", /*default=*/"\"reversible\"",
           "rev-train's mode: a plan is for reversible only (any other "
           "value is an error that names it)">,
  ];
  let dependentDialects = ["::rev::RevDialect", "::mlir::tosa::TosaDialect",
                           "::mlir::func::FuncDialect"];
}

def RevRematerialize : Pass<"rev-rematerialize", "::mlir::func::FuncOp"> {
  let summary = "Recompute cheap values after the peak instead of keeping them";
  let description = [{
    Lowers the peak of live tensor bytes of a function by recomputation. A
    value of a cheap elementwise op that is alive across the peak and read
    again after it (in a training step: F, recomputed in the backward,
    computes its internals in forward order, a BatchNorm's affine result and
    the ReLU after it, and F's VJP reads them in reverse order) is
    recomputed right before its first use after the peak, from values alive
    there anyway (read at or after that point, function arguments, constants,
    or at most an eighth of its bytes), with at most `max-ops` cheap ops;
    the later uses read the copy, so the original dies before the peak.

    Greedy, one value at a time, largest first: a copy is kept if the live
    bytes at the peak went down and no point rose above the peak; then the
    new peak is treated the same way, until no value helps. The profile
    counts tensor results (views as their source; constants and
    `tensor.empty` as nothing) from their definition to their last use in
    the function's top-level block (ops with regions count as uses at their
    position). Values under 4 KiB are left alone.

    Cheap ops: TOSA's elementwise ops (add, sub, mul, clamp, rsqrt, exp,
    tanh, comparisons, select, cast, reshape, ...), elementwise
    `linalg.generic`s on tensors, and the `scf.forall` loops that
    rev-cpu-codegen makes of them (`rev.elementwise`). The copies compute the
    same ops on the same operands: results do not change. CSE would merge
    them back: rev-lower-cpu runs this after its last CSE on tensors (where
    the copies are rev-cpu-codegen's loops), not rev-train.
  }];
  let options = [
    Option<"maxOps", "max-ops", "unsigned", /*default=*/"4",
           "Most cheap ops cloned to recompute one value">,
  ];
  let statistics = [
    Statistic<"numRematerialized", "rematerialized",
              "Values recomputed after the peak">,
  ];
  let dependentDialects = ["::mlir::tosa::TosaDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def RevPrintAvailability
    : Pass<"rev-print-availability", "::mlir::func::FuncOp"> {
  let summary = "Remark how the backward would have each value of a function";
  let description = [{
    Emits a remark per tensor value of the function's entry block (its
    arguments at the function, op results at their op) with the class the
    shared availability analysis (`rev::ValueClassifier`, used by
    rev-form-couplings, rev-differentiate and rev-reconstruct-activations)
    gives it: `argument` (an argument not marked `rev.param`),
    `parameter-derived` (a parameter, a constant, or a pure op of those:
    recomputed in the backward), `view` (a cheap view of arguments and
    parameter-derived values: recomputed) or `activation` (stored or
    inverted); and `cheap elementwise` where rev-differentiate's
    recompute-elementwise and rev-rematerialize may recompute the op. For
    inspecting and testing the analysis; changes nothing.
  }];
}

def RevMemoryReport : Pass<"rev-memory-report", "::mlir::ModuleOp"> {
  let summary = "Report the tape's bytes and the estimated peak memory";
  let description = [{
    Prints, per function, the bytes of the tape (the results of a
    `_forward` function named `tape.<n>`) and an estimate of the peak of live
    tensor bytes over the function's schedule, as the CPU lowering runs it
    (`rev::PeakEstimator`): ops run in block order, a value lives from its
    definition to its last use, calls and regions add their own peak while
    they run (so `@train_step`'s estimate covers the forward, the tape and
    the backward). Constants count nothing (read-only data), reshapes are
    views of their source, and a value a caller reads last in a call is
    freed by the callee after its own last use (the backward frees each
    tape entry once it has read it). With `model-lowering` (the default)
    the estimate is taken on a copy after `rev-rematerialize`, as
    `rev-lower-cpu` runs it. Tape entries are also listed per block of
    the model (the first two components of the ONNX node names, e.g.
    `/stage1/stage1.0`), with the reasons their entries stay where
    `rev-reconstruct-activations` recorded them (`rev.kept_because`), and a
    plan of `rev-plan-memory` is printed.

    The estimate ignores in-place reuse of buffers, the lowering's fusion of
    elementwise ops, the temporaries of convolution gradients and the
    allocator; the peak that `rev-run` measures while
    the code runs is the ground truth (docs/memory.md has both).

    ```
    rev-opt model.onnx --rev-train="mode=reversible" \
        --rev-memory-report="json=memory.json" -o train.mlir
    ```

    The IR is not changed.
  }];
  let options = [
    Option<"json", "json", "std::string", /*default=*/"\"\"",
           "Also write the report as JSON to this file">,
    Option<"quiet", "quiet", "bool", /*default=*/"false",
           "Do not print the table (to stderr)">,
    Option<"modelLowering", "model-lowering", "bool",
           /*default=*/"true",
           "Estimate the peak as the CPU lowering runs the step: after "
           "rev-rematerialize (on a copy)">,
  ];
}

#endif // REV_TRANSFORMS_PASSES_TD
