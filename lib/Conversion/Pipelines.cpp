//===- Pipelines.cpp - the rev-lower-cpu and rev-lower-gpu pipelines -----===//
//
// Built from typed pass creators and option structs (upstream's and ours),
// the CPU and GPU pipelines sharing the TOSA-to-linalg and bufferization
// steps.
//
//===----------------------------------------------------------------------===//

#include "rev/Conversion/Passes.h"
#include "rev/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/Transforms/Passes.h"
#include "mlir/Dialect/GPU/Pipelines/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Tosa/Transforms/Passes.h"
#include "mlir/Dialect/Vector/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace rev {

/// canonicalize, cse.
static void addCleanup(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

/// TOSA to linalg, arith and tensor ops, on every function.
static void addTosaToLinalg(OpPassManager &pm) {
  OpPassManager &fpm = pm.nest<func::FuncOp>();
  fpm.addPass(tosa::createTosaToLinalgNamed());
  fpm.addPass(tosa::createTosaToLinalg());
  fpm.addPass(createTosaToArithPass());
  fpm.addPass(createTosaToTensorPass());
}

static void addTensorSteps(OpPassManager &pm, const LowerCPUOptions &options);
static void addLoopsToLLVMSteps(OpPassManager &pm,
                                const LowerCPUOptions &options);

void buildLowerCPUPipeline(OpPassManager &pm, const LowerCPUOptions &options) {
  pm.addPass(createRevAnnotateABI());
  if (options.fromMemref) {
    bufferization::BufferResultsToOutParamsPassOptions outParams;
    outParams.modifyPublicFunctions = true;
    outParams.hoistStaticAllocs = true;
    pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
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
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  // (loop-carried buffers fold away, so that a returned result is its
  // allocation and can become the out-parameter)
  addCleanup(pm);
  pm.addPass(createCanonicalizerPass());
  // (upstream's buffer-results-to-out-params{modify-public-functions
  // hoist-static-allocs}; segments hand results that are not only returned
  // over to their callers instead)
  pm.addPass(createRevResultsToOutParams());
  pm.addPass(createConvertBufferizationToMemRefPass());
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
  if (options.segmentOps > 0) {
    // (no simplification pipeline between inlining steps)
    pm.addPass(
        createInlinerPass(/*opPipelines=*/{},
                          /*defaultPipelineBuilder=*/[](OpPassManager &) {}));
    pm.addPass(createSymbolDCEPass());
  }
  pm.addPass(createRevLowerCouplings());
  // (transpose_conv2d decomposes into conv2d, which the library computes
  // and f64 may need to catch)
  pm.addNestedPass<func::FuncOp>(tosa::createTosaOptionalDecompositionsPass());
  if (options.optimize &&
      options.kernelLibrary == LowerCPUOptions::KernelLibrary::OneDNN)
    pm.addPass(createRevLibraryCalls());
  // (the convolution gradients that no library computes)
  pm.addPass(createRevDecomposeConvGradients());
  pm.addNestedPass<func::FuncOp>(createRevLowerTosaF64());
  if (options.segmentOps > 0) {
    RevOutlineSegmentsOptions segments;
    segments.segmentOps = options.segmentOps;
    pm.addPass(createRevOutlineSegments(segments));
    pm.addPass(func::createDuplicateFunctionEliminationPass());
  }
  RevExpandChecksOptions checks;
  checks.enable = options.checks;
  pm.addPass(createRevExpandChecks(checks));
  pm.addPass(createRevLowerRandom());
  if (options.emulateGPUKernels)
    pm.addNestedPass<func::FuncOp>(createRevGPUMergeReductions());
  addTosaToLinalg(pm);
  addCleanup(pm);
  if (options.emulateGPUKernels) {
    pm.addNestedPass<func::FuncOp>(createLinalgElementwiseOpFusionPass());
    pm.addNestedPass<func::FuncOp>(createRevGPUFuseElementwise());
    addCleanup(pm);
  } else if (options.optimize) {
    pm.addNestedPass<func::FuncOp>(createLinalgElementwiseOpFusionPass());
    addCleanup(pm);
    pm.addNestedPass<func::FuncOp>(createRevCPUCodegen());
    addCleanup(pm);
  }
  // (after the last CSE on tensors, which would merge the copies back)
  if (options.rematerialize)
    pm.addNestedPass<func::FuncOp>(createRevRematerialize());
  pm.addNestedPass<func::FuncOp>(createRevUnshareDestinations());
  // (segments free the buffers their callers pass them last)
  addBufferizationSteps(pm, /*passOwnership=*/options.segmentOps > 0);
  if (options.emulateGPUKernels) {
    RevGPUBlockReductionsOptions blocks;
    blocks.emulate = true;
    pm.addNestedPass<func::FuncOp>(createRevGPUBlockReductions(blocks));
  }
  if (options.optimize) {
    pm.addNestedPass<func::FuncOp>(createRevHoistVectorTransfers());
    addCleanup(pm);
  }
}

/// From linalg on buffers to the LLVM dialect.
static void addLoopsToLLVMSteps(OpPassManager &pm,
                                const LowerCPUOptions &options) {
  pm.addPass(createRevLowerCheckReports());
  pm.addPass(createRevLowerLibraryCalls());
  {
    OpPassManager &fpm = pm.nest<func::FuncOp>();
    fpm.addPass(vector::createLowerVectorMultiReductionPass());
    fpm.addPass(createConvertVectorToSCFPass(
        VectorTransferToSCFOptions().enableFullUnroll()));
    fpm.addPass(createConvertLinalgToParallelLoopsPass());
    if (options.fuseLoops)
      fpm.addPass(createRevFuseParallelLoops());
  }
  bool parallel = options.threads != 1;
  RevCPUParallelizeOptions parallelize;
  parallelize.minWork = parallel ? uint64_t(options.minParallelWork) : 0;
  pm.addNestedPass<func::FuncOp>(createRevCPUParallelize(parallelize));
  pm.addPass(createRevOutlineLoops());
  pm.addPass(func::createDuplicateFunctionEliminationPass());
  if (parallel) {
    ConvertSCFToOpenMPPassOptions openmp;
    openmp.numThreads = options.threads;
    pm.addPass(createConvertSCFToOpenMPPass(openmp));
  }
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.vectorContractLowering =
      vector::VectorContractLowering::OuterProduct;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  // Aligned allocations request exactly the buffer's size (the plain path
  // over-allocates by the alignment), so measured bytes are buffer bytes.
  // (Before convert-scf-to-cf: the memref.alloca_scope that
  // convert-scf-to-openmp puts in each parallel loop must hold one block.)
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useAlignedAlloc = true;
  memrefToLLVM.useGenericFunctions = options.genericAlloc;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createSCFToControlFlowPass());
  // One conversion for the remaining dialects (each separate conversion
  // pass walks the whole module: seconds apiece on deep models).
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  if (parallel) { // (omp ops whose regions now hold LLVM ops only)
    pm.addPass(createConvertOpenMPToLLVMPass());
    pm.addPass(createReconcileUnrealizedCastsPass());
    pm.addNestedPass<LLVM::LLVMFuncOp>(createRevHoistOMPCaptures());
  }
  pm.addPass(createRevDropUnusedArguments());
}

void buildLowerGPUPipeline(OpPassManager &pm, const LowerGPUOptions &options) {
  pm.addPass(createRevAnnotateABI());
  pm.addPass(createRevLowerCouplings());
  pm.addNestedPass<func::FuncOp>(tosa::createTosaOptionalDecompositionsPass());
  if (options.kernelLibrary == LowerGPUOptions::KernelLibrary::CUDA) {
    RevLibraryCallsOptions library;
    library.library = KernelLibraryKind::CUDA;
    pm.addPass(createRevLibraryCalls(library));
  }
  // (the convolution gradients that no library computes)
  pm.addPass(createRevDecomposeConvGradients());
  // (the reports become library calls on the stream: rev-gpu-prepare)
  pm.addPass(createRevExpandChecks());
  pm.addPass(createRevLowerRandom());
  // (float64 convolutions and pools, as on the CPU)
  pm.addNestedPass<func::FuncOp>(createRevLowerTosaF64());
  // (BatchNorm's sums over N, H and W: one reduction, one kernel below)
  if (options.blockReductions)
    pm.addNestedPass<func::FuncOp>(createRevGPUMergeReductions());
  addTosaToLinalg(pm);
  addCleanup(pm);
  pm.addNestedPass<func::FuncOp>(createLinalgElementwiseOpFusionPass());
  // (cheap elementwise ops recomputed in each user: no kernel of their own)
  if (options.blockReductions)
    pm.addNestedPass<func::FuncOp>(createRevGPUFuseElementwise());
  addCleanup(pm);
  pm.addNestedPass<func::FuncOp>(createRevUnshareDestinations());
  addBufferizationSteps(pm, /*passOwnership=*/false);
  if (options.blockReductions)
    pm.addNestedPass<func::FuncOp>(createRevGPUBlockReductions());
  pm.addNestedPass<func::FuncOp>(createRevGPULoopOrder());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  pm.addNestedPass<func::FuncOp>(createRevGPUPrepare());
  // (canonicalize folds the collapsed loops' bounds to constants; not
  // after the tiling, which would fold away the one-iteration block loop of
  // a 256-iteration loop and map its threads to blocks. Fixed-size tiles
  // with a bounds check inside: the kernels' thread counts are constant.)
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createRevGPUHostKernels());
  {
    SmallVector<int64_t> tiles(options.tileSizes.begin(),
                               options.tileSizes.end());
    if (tiles.empty())
      tiles.push_back(256);
    OpPassManager &fpm = pm.nest<func::FuncOp>();
    fpm.addPass(createParallelLoopTilingPass(tiles, /*noMinMaxBounds=*/true));
    fpm.addPass(createGpuMapParallelLoopsPass());
    fpm.addPass(createConvertParallelLoopToGpuPass());
  }
  addCleanup(pm);
  if (options.memory == LowerGPUOptions::Memory::Device) {
    pm.addPass(createRevGPUDeviceBuffers());
    pm.addPass(createRevGPUDeviceArguments());
  }
  pm.addNestedPass<func::FuncOp>(createRevGPUKernelMath());
  // Launches, allocations and frees asynchronous, chained on one stream
  // token: the host waits only where host code touches memory (or calls,
  // or returns), not after every launch.
  pm.addPass(createGpuKernelOutliningPass());
  // (one kernel per distinct body: identical blocks share their kernels)
  pm.addPass(createRevGPUDedupKernels());
  pm.addNestedPass<func::FuncOp>(createGpuAsyncRegionPass());
  pm.addNestedPass<func::FuncOp>(createRevGPUSyncSharedAllocs());
  // (library calls on the stream of the launches around them)
  RevGPULowerLibraryCallsOptions libraryCalls;
  libraryCalls.allowTF32 = options.allowTF32;
  pm.addPass(createRevGPULowerLibraryCalls(libraryCalls));
  pm.addPass(createRevGPUGraphEntries());
  gpu::GPUToNVVMPipelineOptions nvvm;
  nvvm.cubinChip = options.chip;
  nvvm.cubinFeatures = options.features;
  nvvm.cubinFormat = options.format;
  nvvm.optLevel = options.optLevel;
  gpu::buildLowerToNVVMPassPipeline(pm, nvvm);
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
