//===- Pipelines.cpp - the rev-lower-cpu pipeline -------------------------===//

#include "rev/Conversion/Passes.h"
#include "rev/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

namespace rev {

/// Appends a textual pipeline of upstream passes (parsed against the
/// registry, so the names are the documented command-line ones).
static void addUpstream(OpPassManager &pm, StringRef pipeline) {
  if (failed(parsePassPipeline(pipeline, pm, llvm::errs())))
    llvm::report_fatal_error("rev-lower-cpu: invalid upstream pipeline");
}

static void addTensorSteps(OpPassManager &pm, const LowerCPUOptions &options);
static void addLoopsToLLVMSteps(OpPassManager &pm,
                                const LowerCPUOptions &options);

void buildLowerCPUPipeline(OpPassManager &pm, const LowerCPUOptions &options) {
  pm.addPass(createRevAnnotateABI());
  if (options.fromMemref) {
    addUpstream(pm, "buffer-results-to-out-params{modify-public-functions "
                    "hoist-static-allocs}");
  } else {
    addTensorSteps(pm, options);
  }
  addLoopsToLLVMSteps(pm, options);
}

/// Bufferization, shared by the CPU and GPU pipelines: results become
/// caller-allocated out-parameters, and every buffer is freed right after
/// its last use (rev-insert-deallocs: what upstream's deallocation pipeline
/// and optimize-allocation-liveness give for our straight-line functions,
/// without their superlinear analyses).
static void addBufferizationSteps(OpPassManager &pm, bool passOwnership) {
  addUpstream(pm,
              "one-shot-bufferize{bufferize-function-boundaries "
              "function-boundary-type-conversion=identity-layout-map},"
              // (loop-carried buffers fold away, so that a returned result
              // is its allocation and can become the out-parameter)
              "canonicalize,cse,canonicalize");
  // (upstream's buffer-results-to-out-params{modify-public-functions
  // hoist-static-allocs}; segments hand results that are not only returned
  // over to their callers instead)
  pm.addPass(createRevResultsToOutParams());
  addUpstream(pm, "convert-bufferization-to-memref");
  pm.addNestedPass<func::FuncOp>(createRevForwardOutParams());
  if (passOwnership)
    pm.addPass(createRevPassOwnership());
  pm.addNestedPass<func::FuncOp>(createRevInsertDeallocs());
}

/// From TOSA (and rev) on tensors to bufferized linalg.
static void addTensorSteps(OpPassManager &pm, const LowerCPUOptions &options) {
  // With segments, calls between the module's functions (a training step
  // calling its forward and backward) are inlined first: the segments then
  // take only the parameters they read, where an inlined-later call passes
  // every parameter of the model (thousands of descriptors on deep models,
  // and their code grows with depth). Identical segments of the callers and
  // of the callees (kept when public) are merged below.
  if (options.segmentOps > 0)
    addUpstream(pm, "inline{default-pipeline=},symbol-dce");
  pm.addPass(createRevLowerCouplings());
  // (transpose_conv2d decomposes into conv2d, which the library computes
  // and f64 may need to catch)
  addUpstream(pm, "func.func(tosa-optional-decompositions)");
  if (options.optimize &&
      options.kernelLibrary == LowerCPUOptions::KernelLibrary::OneDNN)
    pm.addPass(createRevCPULibraryCalls());
  // (the convolution gradients that no library computes)
  pm.addPass(createRevDecomposeConvGradients());
  pm.addNestedPass<func::FuncOp>(createRevLowerTosaF64());
  if (options.segmentOps > 0) {
    RevOutlineSegmentsOptions segments;
    segments.segmentOps = options.segmentOps;
    pm.addPass(createRevOutlineSegments(segments));
    addUpstream(pm, "duplicate-function-elimination");
  }
  RevExpandChecksOptions checks;
  checks.enable = options.checks;
  pm.addPass(createRevExpandChecks(checks));
  addUpstream(pm, "func.func(tosa-to-linalg-named,tosa-to-linalg,tosa-to-arith,"
                  "tosa-to-tensor),canonicalize,cse");
  if (options.optimize)
    addUpstream(pm, "func.func(linalg-fuse-elementwise-ops),canonicalize,cse");
  if (options.optimize) {
    pm.addNestedPass<func::FuncOp>(createRevCPUCodegen());
    addUpstream(pm, "canonicalize,cse");
  }
  // (after the last CSE on tensors, which would merge the copies back)
  if (options.rematerialize)
    pm.addNestedPass<func::FuncOp>(createRevRematerialize());
  pm.addNestedPass<func::FuncOp>(createRevUnshareDestinations());
  // (segments free the buffers their callers pass them last)
  addBufferizationSteps(pm, /*passOwnership=*/options.segmentOps > 0);
  if (options.optimize) {
    pm.addNestedPass<func::FuncOp>(createRevHoistVectorTransfers());
    addUpstream(pm, "canonicalize,cse");
  }
}

/// From linalg on buffers to the LLVM dialect.
static void addLoopsToLLVMSteps(OpPassManager &pm,
                                const LowerCPUOptions &options) {
  pm.addPass(createRevLowerLibraryCalls());
  addUpstream(pm, "func.func(lower-vector-multi-reduction,convert-vector-to-scf{full-unroll=1},"
                  "convert-linalg-to-parallel-loops)");
  bool parallel = options.threads != 1;
  RevCPUParallelizeOptions parallelize;
  parallelize.minWork = parallel ? uint64_t(options.minParallelWork) : 0;
  pm.addNestedPass<func::FuncOp>(createRevCPUParallelize(parallelize));
  pm.addPass(createRevOutlineLoops());
  addUpstream(pm, "duplicate-function-elimination");
  if (parallel)
    addUpstream(pm, "convert-scf-to-openmp{num-threads=" +
                        std::to_string(options.threads) + "}");
  addUpstream(pm, "expand-strided-metadata,lower-affine,"
                  "convert-vector-to-llvm{vector-contract-lowering=outerproduct}");
  // Aligned allocations request exactly the buffer's size (the plain path
  // over-allocates by the alignment), so measured bytes are buffer bytes.
  // (Before convert-scf-to-cf: the memref.alloca_scope that
  // convert-scf-to-openmp puts in each parallel loop must hold one block.)
  addUpstream(pm, std::string("finalize-memref-to-llvm{use-aligned-alloc=1 "
                              "use-generic-functions=") +
                      (options.genericAlloc ? "1" : "0") + "},convert-scf-to-cf");
  // One conversion for the remaining dialects (each separate conversion
  // pass walks the whole module: seconds apiece on deep models).
  addUpstream(pm, "convert-math-to-llvm,convert-math-to-libm,convert-to-llvm,"
                  "reconcile-unrealized-casts");
  if (parallel) { // (omp ops whose regions now hold LLVM ops only)
    addUpstream(pm, "convert-openmp-to-llvm,reconcile-unrealized-casts");
    pm.addNestedPass<LLVM::LLVMFuncOp>(createRevHoistOMPCaptures());
  }
  pm.addPass(createRevDropUnusedArguments());
}

void buildLowerGPUPipeline(OpPassManager &pm, const LowerGPUOptions &options) {
  pm.addPass(createRevAnnotateABI());
  pm.addPass(createRevLowerCouplings());
  pm.addPass(createRevDecomposeConvGradients());
  // Kernels cannot call the host: indices are clamped, not reported.
  RevExpandChecksOptions checks;
  checks.report = false;
  pm.addPass(createRevExpandChecks(checks));
  addUpstream(pm, "func.func(tosa-optional-decompositions)");
  // (float64 convolutions and pools, as on the CPU)
  pm.addNestedPass<func::FuncOp>(createRevLowerTosaF64());
  addUpstream(pm, "func.func(tosa-to-linalg-named,tosa-to-linalg,tosa-to-arith,"
                  "tosa-to-tensor),canonicalize,cse,"
                  "func.func(linalg-fuse-elementwise-ops),canonicalize,cse");
  pm.addNestedPass<func::FuncOp>(createRevUnshareDestinations());
  addBufferizationSteps(pm, /*passOwnership=*/false);
  pm.addNestedPass<func::FuncOp>(createRevGPULoopOrder());
  addUpstream(pm, "func.func(convert-linalg-to-parallel-loops)");
  pm.addNestedPass<func::FuncOp>(createRevGPUPrepare());
  // (canonicalize folds the collapsed loops' bounds to constants; not
  // after the tiling, which would fold away the one-iteration block loop of
  // a 256-iteration loop and map its threads to blocks. Fixed-size tiles
  // with a bounds check inside: the kernels' thread counts are constant.)
  addUpstream(pm, "canonicalize,func.func(scf-parallel-loop-tiling{"
                  "parallel-loop-tile-sizes=" +
                      options.tileSizes +
                      " no-min-max-bounds=true},gpu-map-parallel-loops,"
                      "convert-parallel-loops-to-gpu),canonicalize,cse");
  if (options.memory == LowerGPUOptions::Memory::Device) {
    pm.addNestedPass<func::FuncOp>(createRevGPUDeviceBuffers());
    pm.addPass(createRevGPUDeviceArguments());
  }
  pm.addNestedPass<func::FuncOp>(createRevGPUKernelMath());
  // Launches, allocations and frees asynchronous, chained on one stream
  // token: the host waits only where host code touches memory (or calls,
  // or returns), not after every launch.
  addUpstream(pm, "gpu-kernel-outlining");
  // (one kernel per distinct body: identical blocks share their kernels)
  pm.addPass(createRevGPUDedupKernels());
  addUpstream(pm, "func.func(gpu-async-region)");
  pm.addNestedPass<func::FuncOp>(createRevGPUSyncSharedAllocs());
  addUpstream(pm, "gpu-lower-to-nvvm-pipeline{cubin-chip=" + options.chip +
                      " cubin-features=" + options.features +
                      " cubin-format=" + options.format +
                      " opt-level=" + std::to_string(options.optLevel) + "}");
}

void registerLowerGPUPipeline() {
  PassPipelineRegistration<LowerGPUOptions>(
      "rev-lower-gpu",
      "Lower TOSA (and rev couplings) to NVIDIA GPU kernels (NVVM, embedded "
      "in gpu.binary as PTX or cubin) and host code in the LLVM dialect that "
      "calls the mgpu* runtime functions (librev_cuda_runtime); every buffer "
      "is managed GPU memory freed right after its last use",
      buildLowerGPUPipeline);
}

void registerLowerCPUPipeline() {
  PassPipelineRegistration<LowerCPUOptions>(
      "rev-lower-cpu",
      "Lower TOSA (and rev couplings) to the LLVM dialect for CPUs: linalg, "
      "bufferization with each buffer freed right after its last use, "
      "loops/vectors, LLVM; public functions get C interfaces and a rev.abi "
      "signature for rev-run",
      buildLowerCPUPipeline);
}

} // namespace rev
