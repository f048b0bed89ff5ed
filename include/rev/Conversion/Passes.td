//===- Passes.td - rev lowering passes ---------------------*- tablegen -*-===//

#ifndef REV_CONVERSION_PASSES_TD
#define REV_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// rev to TOSA (lib/Conversion/RevToTosa: rev-train uses them too)
//===----------------------------------------------------------------------===//

def RevLowerCouplings : Pass<"rev-lower-couplings"> {
  let summary = "Expand rev couplings into plain TOSA";
  let description = [{
    Replaces every `rev.coupling` and `rev.affine_coupling` by its forward
    computation in plain TOSA: the F, G (or S/T) regions are inlined and the
    coupling arithmetic becomes `tosa.add` / `tosa.mul`. After this pass the
    IR uses no `rev` op and any TOSA consumer (e.g. `tosa-to-linalg`) can
    take it.

    Example: `y1 = x1 + F(x2)` becomes the ops of F applied to `x2` followed
    by `tosa.add %x1, %f`.

    With `only-marked`, only the couplings `rev-plan-memory` marked
    `rev.store` are expanded (their activations go on the tape as in store
    mode); the others stay couplings.
  }];
  let options = [
    Option<"onlyMarked", "only-marked", "bool", /*default=*/"false",
           "Expand only the couplings marked rev.store">,
  ];
  let dependentDialects = ["::mlir::tosa::TosaDialect"];
}

def RevDecomposeConvGradients : Pass<"rev-decompose-conv-gradients"> {
  let summary = "Write rev.conv2d_backward_data/filter as TOSA";
  let description = [{
    `rev-differentiate` gives the gradients of `tosa.conv2d` as
    `rev.conv2d_backward_data` and `rev.conv2d_backward_filter`, so that a
    target with a convolution library (rev-lower-cpu with oneDNN) calls its
    backward kernels. This pass replaces each of them by TOSA that computes
    the same (zero-stuffing, padding, transposes and a `tosa.conv2d`), for
    the targets and element types without such a library; rev-lower-cpu and
    rev-lower-gpu run it, and a pipeline that hands a training step to
    `tosa-to-linalg` itself runs it with `rev-lower-couplings`.
  }];
  let dependentDialects = ["::mlir::tosa::TosaDialect"];
}

def RevAnnotateABI : Pass<"rev-annotate-abi", "::mlir::ModuleOp"> {
  let summary = "Record the tensor-level signature of entry points";
  let description = [{
    Attaches to every public function with ranked tensor (or memref)
    arguments and results a `rev.abi` attribute that records, for each
    argument and result, its `rev.name`, element type and shape, and marks
    the function `llvm.emit_c_interface`. The attribute survives lowering to
    the LLVM dialect, so that `rev-run` (and ahead-of-time users) can call
    the compiled `_mlir_ciface_<name>` function with memref descriptors even
    when given LLVM-level IR. Results become trailing out-parameters (the
    caller allocates them) during bufferization.
  }];
}

def RevExpandChecks : Pass<"rev-expand-checks", "::mlir::ModuleOp"> {
  let summary = "Lower rev.check_range to a reduction, a report and a clamp";
  let description = [{
    Replaces each `rev.check_range` (numbered by `rev-annotate-abi`, which
    records their messages in the module's `rev.checks`) with code that
    computes the input's minimum and maximum (one reduction), a
    `rev.report_range` of them, which makes the caller report the check's
    failure after the call, and the input clamped to the range, so that no
    later op reads out of bounds. `rev-lower-check-reports` (CPU) and
    `rev-gpu-prepare` (GPU) lower the report after bufferization.

    `report=false` only clamps; `enable=false` drops the checks (the
    `checks=false` option of `rev-lower-cpu`, for speed).
  }];
  let options = [
    Option<"report", "report", "bool", /*default=*/"true",
           "Report a failed check (rev.report_range; else only clamp)">,
    Option<"enable", "enable", "bool", /*default=*/"true",
           "Check at all (false: the input passes through unchanged)">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect"];
}

def RevLowerRandom : Pass<"rev-lower-random"> {
  let summary = "Lower rev.random_stream and rev.dropout to linalg and arith";
  let description = [{
    Writes `rev.random_stream %seed[k]` as the tensor `[seed, k]`, and
    `rev.dropout` as a `linalg.generic` over its input that computes, per
    element, its row-major position, the first word of Philox4x32-10 (ten
    rounds of two 32x32->64-bit products and xors, keyed by the seed, with
    the position and the stream as the counter) and keeps the element, scaled,
    when the word's upper 24 bits reach `ceil(ratio * 2^24)`: the
    definition in `rev.dropout`'s description. The stream is read inside the
    loop body, so that the generic stays one kernel on a GPU. Runs before
    TOSA is lowered in `rev-lower-cpu` and `rev-lower-gpu`.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

def RevLibraryCalls : Pass<"rev-library-calls"> {
  let summary = "Compute float32 convolutions and matrix products with the "
                "runtime's library";
  let description = [{
    Replaces `tosa.conv2d`, `rev.conv2d_backward_data` and
    `rev.conv2d_backward_filter` on float32 tensors with static shapes (and a
    bias with one value per output channel) by `rev.library_call`s of the
    runtime's convolution kernels (`conv2d_forward_f32`,
    `conv2d_backward_data_f32`, `conv2d_backward_filter_f32`), with the
    parameters pad top, bottom, left, right, stride H, W, dilation H, W; and
    `tosa.matmul` on float32 tensors with static shapes by `matmul_f32` (a
    batched matrix product). Other element types and shapes keep the
    generated code.

    `library=onednn` (the CPU runtime; rev-lower-cpu runs it with
    `kernel-library=onednn`, the default when rev-opt is built with oneDNN)
    takes every such convolution; `library=cuda` (cuDNN and cuBLAS, through
    rev's CUDA runtime; rev-lower-gpu runs it with `kernel-library=cuda`)
    only those padded by the same amount on both sides of each spatial
    dimension, which is what cuDNN computes.
  }];
  let options = [
    Option<"library", "library", "::rev::KernelLibraryKind",
           /*default=*/"::rev::KernelLibraryKind::OneDNN",
           "The library whose kernels are called",
           [{::llvm::cl::values(
             clEnumValN(::rev::KernelLibraryKind::OneDNN, "onednn",
                        "oneDNN, in the CPU runtime"),
             clEnumValN(::rev::KernelLibraryKind::CUDA, "cuda",
                        "cuDNN and cuBLAS, in the CUDA runtime"))}]>,
  ];
  let dependentDialects = ["::rev::RevDialect"];
}

def RevLowerCheckReports : Pass<"rev-lower-check-reports",
                                "::mlir::ModuleOp"> {
  let summary = "Lower rev.report_range on buffers to a call of "
                "rev_check_failed (CPU)";
  let description = [{
    Each `rev.report_range` (on buffers) becomes loads of its two values, a
    comparison with the range and, when one lies outside, a call of
    `rev_check_failed(check, value)` with the smallest value when it lies
    below the range, else the largest. The caller provides
    `rev_check_failed` (rev-run's JIT, `runtime/cpu/RevChecks.c` in
    ahead-of-time libraries) and reports the failure after the call.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect"];
}

def RevLowerLibraryCalls : Pass<"rev-lower-library-calls",
                                "::mlir::ModuleOp"> {
  let summary = "Lower rev.library_call on buffers to func.call";
  let description = [{
    Each `rev.library_call "name"` on buffers becomes a `func.call` of the
    external function `rev_<name>` (declared once, `llvm.emit_c_interface`),
    with every buffer cast to a memref with dynamic sizes and strides (one
    declaration serves every shape) and the parameters as `i64` constants:
    the runtime defines `_mlir_ciface_rev_<name>`, which takes a pointer to
    each buffer's descriptor and then the parameters.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}

def RevLowerTosaF64 : Pass<"rev-lower-tosa-f64", "::mlir::func::FuncOp"> {
  let summary = "Lower f64 convolutions and average pools to linalg";
  let description = [{
    Upstream `tosa-to-linalg(-named)` assumes an f32 (or integer)
    accumulator for `tosa.conv2d`, `tosa.depthwise_conv2d` and
    `tosa.avg_pool2d`, and cannot lower `tosa.max_pool2d`, on f64 tensors. This pass lowers those ops on
    f64 tensors directly to `tensor.pad` + linalg named ops accumulating in
    f64, so that whole training steps can run in float64 (the
    finite-difference checks of the VJP rules do).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

def RevOutlineLoops : Pass<"rev-outline-loops", "::mlir::ModuleOp"> {
  let summary = "Split functions with many loop nests into smaller functions";
  let description = [{
    After linalg is lowered to loops, a training step is one function with a
    thousand loop nests, and some of LLVM's loop passes (IndVarSimplify,
    LoopRotate) take time superlinear in the number of loops in a function
    (measured: 48 s of `opt -O3` for the RevNet's training step, 28 s of it
    in IndVarSimplify). This pass cuts the body of each function with more
    than `loops-per-function` top-level loop nests into runs of ops holding
    that many, each moved into a private `noinline` function (values used
    from before become arguments, constants are cloned, values used after
    become results).

    A function whose loops were outlined is left holding the calls of its
    parts; it (like any function that only calls others and manages
    buffers) is cut into functions of `calls-per-function` calls, which can
    be compiled in parallel, all marked `noinline optnone`: optimizing and
    selecting instructions for a thousand calls in one block cost seconds
    of compilation (measured on the bundled RevNet's backward: 1.0 of 2.6 s
    of LLVM code generation) and gains nothing at run time
    (`optimize-callers=true` keeps LLVM's optimizations for them). Moving
    runs of calls, allocations and frees keeps their order: memory use does
    not change.
    `duplicate-function-elimination` after this pass merges the parts that
    identical blocks produce.
  }];
  let options = [
    Option<"loopsPerFunction", "loops-per-function", "unsigned",
           /*default=*/"1", "Loop nests per function">,
    Option<"callsPerFunction", "calls-per-function", "unsigned",
           /*default=*/"256",
           "Calls per function when a function that only calls others is "
           "split (0: not split)">,
    Option<"optimizeCallers", "optimize-callers", "bool", /*default=*/"false",
           "Let LLVM optimize the functions whose loops were outlined (by "
           "default they are marked noinline optnone)">,
  ];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

def RevOutlineSegments : Pass<"rev-outline-segments", "::mlir::ModuleOp"> {
  let summary = "Split long tensor-level functions into functions at narrow points";
  let description = [{
    A deep model's training step is a few functions with thousands of ops,
    and lowering them costs time in proportion to the depth. This pass, run
    on TOSA before lowering, cuts the body of each function with more than
    twice `segment-ops` ops into segments of about `segment-ops` ops, each
    moved into a private function (values used from before become
    arguments, constants are cloned, values used after become results).
    Each cut is placed where the fewest bytes of tensors cross it (values
    only returned do not count), searched from half to three times
    `segment-ops` ops after the previous cut, and among the places where
    the ops that follow have the shape of those that followed an earlier
    cut, if there are any (shape: op names, attributes, types, and how far
    back each operand was computed). In a chain of identical blocks the cuts
    then fall at the same places in every block, the segments are identical
    up to their names, and `duplicate-function-elimination` after this pass
    keeps one of each, so that lowering and code generation work on the
    distinct blocks only. (The narrowest point alone drifts from block to
    block by the few bytes of a per-channel statistic: the backward of a
    RevNet with 32 blocks per stage was cut with a period of three blocks,
    into 20 distinct segments, 13 with the rule.) The segments are private,
    with internal linkage once lowered to LLVM.
  }];
  let options = [
    Option<"segmentOps", "segment-ops", "unsigned", /*default=*/"64",
           "Target number of ops per segment">,
  ];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::LLVM::LLVMDialect"];
  let statistics = [
    Statistic<"numSegments", "segments", "Segments outlined">
  ];
}

def RevCPUCodegen : Pass<"rev-cpu-codegen", "::mlir::func::FuncOp"> {
  let summary = "Tile and vectorize linalg on tensors for CPUs";
  let description = [{
    The fast path of `rev-lower-cpu`, on linalg ops on tensors:

    - 2-D convolutions get their filter in [kH, kW, C, F] order (one
      transpose of the weight) so that output channels are contiguous, are
      tiled into `1 x 1 x TW x TF` output tiles with reduction loops over the
      kernel window and the input channels, reduced to 1-D convolutions and
      vectorized: each step is TW broadcasts of an input value times a vector
      of TF filter values, accumulated in registers (after bufferization,
      `rev-hoist-vector-transfers` keeps the accumulators out of memory);
    - batched matrix products are tiled into `TM x TN` blocks with a
      reduction loop over K and vectorized the same way;
    - elementwise ops and reductions are tiled so that the innermost
      dimension becomes a vector.

    Tile sizes divide the dimensions exactly (static shapes), so no masking is
    needed.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

def RevHoistVectorTransfers : Pass<"rev-hoist-vector-transfers",
                                   "::mlir::func::FuncOp"> {
  let summary = "Hoist loop-invariant vector transfers out of reduction loops";
  let description = [{
    After bufferization, the vectorized tiles of `rev-cpu-codegen` read and
    write their accumulator in every iteration of the reduction loops. This
    runs upstream's `linalg::hoistRedundantVectorTransfers`, which keeps such
    accumulators in registers across the loops.
  }];
}

def RevCPUParallelize : Pass<"rev-cpu-parallelize", "::mlir::func::FuncOp"> {
  let summary = "Choose the loops that run on several threads";
  let description = [{
    On bufferized loops: `scf.forall` loops (the row tasks of
    `rev-cpu-codegen`) become `scf.parallel`; then each outermost
    `scf.parallel` whose estimated work reaches `min-work` is kept, for
    `convert-scf-to-openmp` to share its iterations between threads, and
    every other `scf.parallel` (small ones, ones nested in a kept loop, all
    of them with `min-work=0`) becomes serial `scf.for` loops. A kept loop
    stays parallel over its outer dimensions only (as few as give 32 tasks),
    its other dimensions become serial loops inside; constants it uses are
    cloned into it. Copies of 32768 elements or more become loops first
    (instead of calls of MLIR's generic `memrefCopy`).

    The work of a loop is its trip count times the ops of its body, nested
    loops counted with their own trip counts (a vector op counts once). A
    parallel loop with reductions (results) is always made serial, so the
    order of floating-point sums, and the results, do not depend on the
    number of threads.
  }];
  let options = [
    Option<"minWork", "min-work", "uint64_t", /*default=*/"32768",
           "Smallest estimated work (ops executed) of a loop run on several "
           "threads; 0 makes every loop serial">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

def RevHoistOMPCaptures : Pass<"rev-hoist-omp-captures",
                                "::mlir::LLVM::LLVMFuncOp"> {
  let summary = "Capture buffer pointers, not whole descriptors, in OpenMP "
                "regions";
  let description = [{
    On the LLVM dialect, after `convert-openmp-to-llvm`: every
    `llvm.extractvalue` inside an `omp.parallel` region whose operand is
    defined outside moves before the region. The OpenMP translation passes
    each value a region uses from outside through memory; a whole memref
    descriptor stored there keeps LLVM from seeing its constant sizes and
    strides in the caller as well (measured on the depth-2 RevNet's training
    step: 40% more machine code and 50% more instruction-selection time than
    the serial code), while the region only needs the buffer's pointer.
  }];
}

def RevDropUnusedArguments : Pass<"rev-drop-unused-arguments",
                                  "::mlir::ModuleOp"> {
  let summary = "Pass module-internal functions only the descriptor fields "
                "they read";
  let description = [{
    On the LLVM dialect, after the conversion: a memref crosses a call as
    its whole descriptor, 3 + 2 x rank scalars, which the callee packs into
    a struct at its entry and unpacks where it is used. A statically shaped
    buffer's callee reads only its aligned pointer (and its allocated pointer
    if it frees the buffer): the offset, sizes and strides are constants of
    its type. This pass folds each `llvm.extractvalue` of an
    `llvm.insertvalue` chain to the inserted value, erases the packing left
    unused, then removes from every function private or internal to the
    module the arguments it no longer reads, and the matching operands of its calls (a function whose
    symbol is used other than as a direct callee keeps its signature).

    A public function with a C interface (`llvm.emit_c_interface`, whose
    wrapper `_mlir_ciface_<name>` takes pointers to descriptors) is called
    only through that wrapper: it becomes internal to the module, and the
    wrapper loads only the fields the function reads. The wrapper (and
    rev-run's and aot-compile.py's `rev_<name>`) is the interface of the
    compiled code; `keep-entry-symbols` keeps the expanded-descriptor symbol
    as well.

    The call-only functions of a deep model (a training step calling a few
    hundred segments, each with a dozen buffers; its C interface passing a
    thousand parameters) pass about a fifth as many scalars; LLVM's
    instruction selection of such a function grows faster than their number.
  }];
  let options = [
    Option<"keepEntrySymbols", "keep-entry-symbols", "bool",
           /*default=*/"false",
           "Keep the public functions that have a C interface public, with "
           "every descriptor field as an argument">,
  ];
}

def RevUnshareDestinations : Pass<"rev-unshare-destinations",
                                  "::mlir::func::FuncOp"> {
  let summary = "Give each destination-style op its own initial value";
  let description = [{
    CSE merges the identical `linalg.fill` / `tensor.empty` values that
    several ops write their results into (the zero accumulator of every
    matrix product, say; a fill of a reshaped empty tensor, the accumulator
    of a reduction that keeps the reduced dimensions, counts too). One-shot bufferization must then copy the shared
    buffer before each write, adding an allocation and a copy per op (one
    more live buffer on the measured peak), and the shared buffer lives
    from its first to its last use. This pass gives each destination use a
    clone of such a producer, right before the use, so that each op writes
    in place into a buffer of its own that lives only as long as needed. It
    runs right before bufferization.
  }];
}

def RevForwardOutParams
    : Pass<"rev-forward-out-params", "::mlir::func::FuncOp"> {
  let summary = "Compute reshaped results directly in their out-parameters";
  let description = [{
    Run after `buffer-results-to-out-params{hoist-static-allocs}` (the CPU
    and GPU pipelines do). That pass writes a result straight into the
    caller's buffer when the returned value is an allocation it made; when
    it is a reshape of one (`memref.collapse_shape`/`expand_shape`, as the
    tape values of a training step's forward function often are), or an
    allocation that a call fills (the step calling its backward function),
    it leaves a copy at the end of the function. Here, when the
    out-parameter has no other use and only such copies follow, the
    allocation is replaced by the out-parameter (or its inverse reshape)
    and the copy is removed: one buffer and one copy (a kernel on the GPU)
    fewer per result.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
  let statistics = [
    Statistic<"numForwarded", "forwarded", "Copies into out-parameters removed">
  ];
}

def RevInsertDeallocs : Pass<"rev-insert-deallocs", "::mlir::func::FuncOp"> {
  let summary = "Free each buffer right after the last use of its aliases";
  let description = [{
    For bufferized functions without unstructured control flow (what
    rev-lower-cpu produces): each `memref.alloc` whose aliases are neither
    returned, stored nor used outside its block gets a `memref.dealloc`
    right after the last op of its block that uses one of them. Aliases are
    the results of ops that take an alias and return memrefs (views, casts,
    loops with memref iteration arguments) and the region arguments they
    bind. Buffers that escape are left alone.

    This is what `buffer-deallocation-pipeline` followed by
    `optimize-allocation-liveness` gives for such code, in linear time.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def RevResultsToOutParams
    : Pass<"rev-results-to-out-params", "::mlir::ModuleOp"> {
  let summary = "Buffer results become out-parameters; segments hand theirs over";
  let description = [{
    Upstream's `buffer-results-to-out-params` (public functions included,
    static allocations hoisted into the caller, so that a result is computed
    in place) on every function but the segments of `rev-outline-segments`
    (`rev.segment`). A segment's results marked `rev.out_param` (the caller
    returns them) become out-parameters the same way; its other
    results stay returned buffers: a caller allocating them before the call
    would hold them for the whole segment, while the segment computes them
    late. Each is made a fresh allocation of its own (an argument, a
    constant or a second view of one buffer is copied first) and the calls
    are marked `rev.owned_results`: the caller owns the buffers, and
    `rev-insert-deallocs` (or a later segment, `rev-pass-ownership`) frees
    them.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def RevPassOwnership : Pass<"rev-pass-ownership", "::mlir::ModuleOp"> {
  let summary = "Callees free the buffers their callers no longer need";
  let description = [{
    On bufferized code, before `rev-insert-deallocs` (`rev-lower-cpu` runs
    it when `rev-outline-segments` split the functions): a buffer that a
    caller allocates and passes to a call as its last use would stay
    allocated until the callee returns, although the callee may be done
    with it much earlier. For each private function that calls no other
    (a segment), and each argument that
    every call passes such a buffer (a `memref.alloc` of the caller's body,
    used last by that call, given once) and that the function does not let
    escape (return or store), the function takes ownership: the argument is
    marked `rev.owned` and freed in the function right after its last use,
    and the calls are marked `rev.owned_operands`, so that
    `rev-insert-deallocs` does not free it again. Where calls of one
    function differ (the first block of a stage gets a function argument,
    the others a fresh buffer), the function is cloned once per distinct
    set of owned arguments.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
  let statistics = [
    Statistic<"numOwned", "owned-arguments", "Arguments whose callee frees them">,
    Statistic<"numClones", "clones", "Functions cloned for another set of owned arguments">
  ];
}

def RevGPUMergeReductions : Pass<"rev-gpu-merge-reductions",
                                 "::mlir::func::FuncOp"> {
  let summary = "One TOSA reduction for a chain of them over neighbouring axes";
  let description = [{
    A chain of `tosa.reduce_sum` (or `reduce_max`, `reduce_min`) ops, each
    reducing the previous one's result (its only use) over another axis,
    becomes one reduction over those axes collapsed into one (a
    `tosa.reshape` before and after): BatchNorm's statistics, three sums
    over N, H and W, become one sum over N*H*W per channel. Chains whose
    axes are not neighbours are left alone (that would take a
    transposition). `rev-lower-gpu` runs it so that
    `rev-gpu-block-reductions` computes each such sum in one kernel; the CPU
    keeps the chain (there a single serial sum of N*H*W elements would be
    less accurate: each thread of the GPU's block sums a strided share and
    the shares are combined as a tree).
  }];
  let statistics = [
    Statistic<"numMerged", "merged", "Chains of reductions merged into one">,
  ];
  let dependentDialects = ["::mlir::tosa::TosaDialect"];
}

def RevGPUFuseElementwise : Pass<"rev-gpu-fuse-elementwise",
                                 "::mlir::func::FuncOp"> {
  let summary = "Fuse cheap elementwise ops into each of their users";
  let description = [{
    After `linalg-fuse-elementwise-ops` (which fuses a producer only into its
    single user): an elementwise `linalg.generic` whose body is at most
    `max-ops` arithmetic ops (no math functions) and whose users are all
    `linalg.generic` ops is fused into each of them, recomputing it, so
    that it needs no kernel and no buffer of its own. A BatchNorm's
    centering `x - mean`, read by the variance's sum and by the
    normalization, and the ReLU mask of its gradient, read by three sums
    and a product, are such ops. A kernel reads the producer's inputs
    instead of its result. `rev-lower-gpu` runs it; the CPU, where a
    separate loop costs no launch, does not.
  }];
  let options = [
    Option<"maxOps", "max-ops", "unsigned", /*default=*/"8",
           "Fuse a producer with several users when its body has at most "
           "this many ops">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def RevGPUBlockReductions : Pass<"rev-gpu-block-reductions",
                                 "::mlir::func::FuncOp"> {
  let summary = "Reductions over many elements as one thread block per result";
  let description = [{
    On buffers, before `convert-linalg-to-parallel-loops`: a
    `linalg.generic` whose body combines a value computed from its inputs
    with the output element (`arith.addf`, `maximumf`, `minimumf`,
    `maxnumf`, `minnumf`; float32), whose output is indexed by parallel
    loops only, and which reduces at least `min-reduced` elements into each
    output element, becomes a `gpu.launch` with one block per output
    element: each of its threads (`threads`, fewer when there are fewer
    elements to reduce, in whole warps) computes the body for a strided
    share of the reduced elements and accumulates it, `gpu.all_reduce`
    combines the block's shares (warp shuffles and shared memory), and the
    first thread stores the output element. A `linalg.fill` of the output
    just before (nothing touching memory between them) is folded in: the
    kernel starts from the fill's value instead of reading the buffer.

    With `fuse` (the default), the ops that follow within `window` ops are
    moved into the kernel where that keeps every read and write: an
    elementwise `linalg.generic` over one of its outputs' shapes that reads
    that output at the same indices (a mean from a sum, a running
    statistic's update) runs in each block's first thread after the store;
    a block reduction over the same grid that reads nothing the kernel
    writes (a BatchNorm gradient's three sums) runs after the kernel's own
    code. The ops they move past must touch none of their buffers
    (allocations are told apart; function arguments may alias each other).

    Otherwise such a reduction becomes a loop with one thread per output
    element that reduces serially (a BatchNorm's sum over the batch and the
    image: 16 threads, each summing thousands of elements). `rev-lower-gpu`
    runs it after `rev-gpu-merge-reductions`.
  }];
  let options = [
    Option<"minReduced", "min-reduced", "unsigned", /*default=*/"64",
           "Reduce with a block only where each output element reduces at "
           "least this many elements">,
    Option<"threads", "threads", "unsigned", /*default=*/"256",
           "Threads per block (at most)">,
    Option<"fuse", "fuse", "bool", /*default=*/"true",
           "Move elementwise ops over the reduced elements, and block "
           "reductions over the same grid, into the kernels">,
    Option<"window", "window", "unsigned", /*default=*/"64",
           "How many ops after a kernel to look at for ops to move into it">,
    Option<"emulate", "emulate", "bool", /*default=*/"false",
           "Testing: instead of a gpu.launch, a sequential scf.for over the "
           "blocks, in which a loop over the threads computes their shares "
           "in turn and combines them in order (no gpu.all_reduce, no "
           "barrier; the fused ops run once per element), so that the CPU "
           "can run what the kernels compute (rev-lower-cpu "
           "emulate-gpu-kernels=true)">,
  ];
  let statistics = [
    Statistic<"numLowered", "lowered", "Reductions lowered to block reductions">,
    Statistic<"numFills", "fills", "Fills folded into block reductions">,
    Statistic<"numEpilogues", "epilogues",
              "Elementwise ops computed in a block reduction's first thread">,
    Statistic<"numSiblings", "siblings",
              "Block reductions merged into an earlier one">,
  ];
  let dependentDialects = [
    "::mlir::affine::AffineDialect", "::mlir::gpu::GPUDialect",
    "::mlir::scf::SCFDialect", "::mlir::memref::MemRefDialect",
    "::mlir::arith::ArithDialect"
  ];
}

def RevGPULoopOrder : Pass<"rev-gpu-loop-order", "::mlir::func::FuncOp"> {
  let summary = "Parallel loops outermost in linalg.generic, for GPU kernels";
  let description = [{
    Interchanges the loops of each `linalg.generic` whose reduction loops
    are not all innermost (a sum over the batch, say: `tosa.reduce_sum` on
    axis 0), so that its parallel loops come first. Then
    `convert-linalg-to-parallel-loops` makes one `scf.parallel` over all of
    them with the reductions serial inside (one kernel), instead of a serial
    host loop that launches a kernel per step. Named ops whose loops are
    in such an order (`linalg.reduce` over the batch: a bias gradient) are
    made generic first. `rev-lower-gpu` runs it before the conversion to
    loops.
  }];
  let statistics = [
    Statistic<"numKept", "kept", "Named ops that could not be made generic">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def RevGPUPrepare : Pass<"rev-gpu-prepare", "::mlir::func::FuncOp"> {
  let summary = "Managed GPU buffers, library calls on the stream, loops "
                "collapsed";
  let description = [{
    Run between `convert-linalg-to-parallel-loops` and the mapping of
    parallel loops to GPU kernels (`rev-lower-gpu` does):

    - every `memref.alloc` becomes `gpu.alloc host_shared` (managed memory,
      which the kernels and the few host-side accesses share; the runtime
      counts its bytes), and every `memref.dealloc` a `gpu.dealloc`
      (synchronous: `gpu-async-region` then makes it asynchronous, the only
      form upstream's `gpu-to-llvm` lowers);
    - `rev.library_call` on buffers becomes `rev.gpu_library_call`, which
      `gpu-async-region` puts on the stream with the kernels;
    - `memref.copy` becomes a parallel loop of loads and stores (a kernel),
      instead of a call to MLIR's host runtime function `memrefCopy`;
    - each constant (`memref.get_global`, host memory that kernels cannot
      read) is copied with `gpu.memcpy` into a GPU buffer at the function's
      entry (device memory with `memory=device`), freed before it returns;
    - with `fuse` (the default), parallel loops with the same iteration
      space that follow each other are fused (upstream's
      `naivelyFuseParallelOps`: a loop that reads a buffer the first one
      writes must read it at the same indices; buffers of two allocations
      do not alias, function arguments may), after the allocations and
      frees between two such loops are moved out of the way (an
      allocation before the first, a free after the second: a buffer lives
      one kernel longer) and their bounds made the same values: a fill, the
      copy of the filled buffer and the reduction into it become one
      kernel, and so do elementwise ops over the same shape;
    - each outermost `scf.parallel` of several dimensions is collapsed into
      one (row-major: consecutive iterations vary the last dimension, so
      neighbouring threads touch neighbouring elements); tiling it by the
      pipeline's tile size (256) then gives 256-thread blocks whatever the
      loop's rank and shape, where per-dimension tiles of small or odd
      dimensions gave one-thread blocks.
  }];
  let options = [
    Option<"fuse", "fuse", "bool", /*default=*/"true",
           "Fuse parallel loops with the same iteration space that follow "
           "each other">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect"];
}

def RevGPULowerLibraryCalls
    : Pass<"rev-gpu-lower-library-calls", "::mlir::ModuleOp"> {
  let summary = "Lower rev.gpu_library_call to calls of rev's CUDA runtime";
  let description = [{
    Run after `gpu-async-region` (`rev-lower-gpu` does). Each
    `rev.gpu_library_call "name" [%token]` becomes a `func.call` of the
    external function `rev_cuda_<name>` (declared once,
    `llvm.emit_c_interface`) whose first argument is the stream of its
    dependency (an `!llvm.ptr` cast from the token; upstream's `gpu-to-llvm`
    turns tokens into streams, and `reconcile-unrealized-casts` removes the
    casts), then the buffers' descriptors as `rev-lower-library-calls` passes
    them, then the parameters and `allow-tf32` as `i64` constants. Its
    result token is its dependency's: the library runs in stream order, so
    the host does not wait for it. Several dependencies are joined first
    with `gpu.wait async`.
  }];
  let options = [
    Option<"allowTF32", "allow-tf32", "bool", /*default=*/"false",
           "Let cuDNN and cuBLAS round float32 products to TF32 (tensor "
           "cores; faster, about 1e-3 relative error)">,
  ];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

def RevGPUHostKernels : Pass<"rev-gpu-host-kernels", "::mlir::func::FuncOp"> {
  let summary = "Host code that reads or writes buffers into one-thread kernels";
  let description = [{
    Run after `rev-gpu-prepare` and the canonicalization after it (which
    folds the collapsed loops' bounds, and would inline a one-iteration
    loop made before it), before the parallel loops are tiled and mapped
    (`rev-lower-gpu` does). Each run of consecutive top-level host code that
    reads or writes buffers (loads, stores, scalar arith and math, serial
    loops of such code: the full reductions and 0-d ops of a loss) is
    wrapped in a one-iteration `scf.parallel`, which becomes a one-thread
    kernel. The host then touches no memory between launches: it does not
    wait for them, and the step can be captured into a CUDA graph. A run
    whose values are used after it stays on the host (counted).
  }];
  let statistics = [
    Statistic<"numWrapped", "wrapped", "Runs of host code moved into kernels">,
    Statistic<"numLeft", "left-on-host",
              "Runs of host code left on the host (their values used after)">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect"];
}

def RevGPUGraphEntries : Pass<"rev-gpu-graph-entries", "::mlir::ModuleOp"> {
  let summary = "Mark the entries that a CUDA graph can replay";
  let description = [{
    Run after `rev-gpu-lower-library-calls` (`rev-lower-gpu` does). An entry
    (a public function with `rev.abi`) whose host code, and that of the
    functions it calls, only enqueues work on the stream (kernel launches,
    device allocations and frees, copies, library calls, waits) and computes
    addresses and sizes does the same work at every call with the same
    buffers: a CUDA graph captured from one call replays it. Such entries
    get `graph = true` in their `rev.abi`, and rev's runtime (rev-run
    `--target=gpu`, the AOT GPU programs) captures and replays only those.
    Host code that reads or writes memory, managed allocations (allocated
    and freed synchronously) or calls of other external functions keep an
    entry out.
  }];
  let statistics = [
    Statistic<"numGraphs", "graphs", "Entries a graph can replay">,
    Statistic<"numHostCode", "host-code", "Entries with other host code">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def RevFuseParallelLoops
    : Pass<"rev-fuse-parallel-loops", "::mlir::func::FuncOp"> {
  let summary = "Fuse parallel loops with the same iteration space";
  let description = [{
    Fuses the top-level `scf.parallel` loops of a function that have the
    same iteration space and follow each other, with upstream's
    `naivelyFuseParallelOps` (a loop that reads a buffer the first one
    writes must read it at the same indices; buffers of two allocations do
    not alias, function arguments may; and, which upstream does not check,
    two loops that write one buffer at other indices stay apart), after
    moving the allocations and
    frees between two such loops out of the way (an allocation before the
    first, a free after the second) and making their constant bounds one
    value each. `rev-gpu-prepare` does the same before it collapses the
    loops (`fuse`, on by default: fewer kernels); `rev-lower-cpu
    fuse-loops` runs this pass after `convert-linalg-to-parallel-loops`,
    which lets the fusion be checked numerically on the CPU.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect"];
}

def RevGPUSyncSharedAllocs
    : Pass<"rev-gpu-sync-shared-allocs", "::mlir::func::FuncOp"> {
  let summary = "Managed allocations synchronous again after gpu-async-region";
  let description = [{
    `gpu-async-region` makes every `gpu.alloc` asynchronous, but upstream's
    `gpu-to-llvm` lowers `gpu.alloc host_shared` (managed memory) only
    synchronously. A managed allocation needs no stream order (it is usable
    as soon as it returns), so each asynchronous one becomes synchronous
    and its token is replaced by the token it depended on (or, with none, by
    a new `gpu.wait async`). `rev-lower-gpu` runs it after
    `gpu-async-region`.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def RevGPUDedupKernels : Pass<"rev-gpu-dedup-kernels", "::mlir::ModuleOp"> {
  let summary = "One GPU kernel per distinct body";
  let description = [{
    Run after `gpu-kernel-outlining` (`rev-lower-gpu` does): kernels
    (`gpu.func` in `gpu.module`s of their own) whose signatures, attributes
    and bodies are the same up to their names are merged: every
    `gpu.launch_func` of a duplicate launches the first such kernel, and the
    duplicate's module is erased, so identical blocks of a deep model give
    one PTX kernel each, compiled once. Modules holding several functions
    are left alone.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
  let statistics = [
    Statistic<"numMerged", "merged-kernels",
              "Kernels replaced by an identical one">
  ];
}

def RevGPUKernelMath : Pass<"rev-gpu-kernel-math", "::mlir::func::FuncOp"> {
  let summary = "Math functions in GPU kernels without libdevice";
  let description = [{
    Run on `gpu.launch` bodies before kernel outlining (`rev-lower-gpu`
    does, after `convert-parallel-loops-to-gpu`): math functions are
    expanded into arithmetic (`rsqrt` into `1 / sqrt`; polynomial
    approximations of `exp`, `log`, `erf`, `tanh`, ...), and what is left
    (`sqrt`, `fma`, `absf`, `floor`, `ceil`, `trunc`, `roundeven` on f32
    and f64) becomes PTX's own IEEE instructions (`sqrt.rn`, `fma.rn`,
    `abs`, `cvt.rmi`, ...) as inline assembly. The kernels then call no
    libdevice function (`__nv_*`), and their PTX assembles with `ptxas`
    without the CUDA toolkit's bitcode library. Host code is not touched.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::arith::ArithDialect"];
}

def RevGPUDeviceBuffers
    : Pass<"rev-gpu-device-buffers", "::mlir::ModuleOp"> {
  let summary = "Buffers that only kernels touch become device memory";
  let description = [{
    Run after kernel mapping (`convert-parallel-loops-to-gpu`; `rev-lower-gpu
    memory=device` does). A managed buffer (`gpu.alloc host_shared`) whose
    every use, through views (subview, expand/collapse_shape, casts), is
    inside a `gpu.launch` or a `rev.gpu_library_call`, is its `gpu.dealloc`
    or a `gpu.memcpy`, or passes it to a function of the module whose
    argument only such uses touch (a training step's tape, passed from the
    forward to the backward) becomes a device allocation (`gpu.alloc`;
    `gpu-async-region` then orders it on the function's stream, and rev's
    runtime takes it from the stream-ordered pool, `cuMemAllocAsync`).
    Buffers that host code reads or writes, returns or passes to an
    external function stay managed, and so do allocations that are already
    asynchronous.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
  let statistics = [
    Statistic<"numDevice", "device-buffers", "Buffers made device memory">,
    Statistic<"numManaged", "managed-buffers", "Buffers left managed">
  ];
}

def RevGPUDeviceArguments
    : Pass<"rev-gpu-device-arguments", "::mlir::ModuleOp"> {
  let summary = "Mark the entry arguments that only kernels touch";
  let description = [{
    Run after `rev-gpu-device-buffers` (`rev-lower-gpu memory=device` does).
    For each public function with a `rev.abi` signature, an argument (the
    caller's inputs and result buffers) whose every use, through views and
    through calls into functions of the module (their arguments checked the
    same way), is inside a `gpu.launch` gets `device = true` in its
    `rev.abi` entry. Callers (`rev-run --target=gpu`, whose default is
    `--gpu-memory=device`, and the AOT GPU programs) then keep it in device memory and copy it explicitly (host to device
    before the call, device to host after it for results) instead of
    passing managed memory.
  }];
}

#endif // REV_CONVERSION_PASSES_TD
