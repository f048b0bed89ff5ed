//===- Passes.h - rev lowering passes and pipelines -------------*- C++ -*-===//

#ifndef REV_CONVERSION_PASSES_H
#define REV_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassOptions.h"
#include "rev/Dialect/Rev/IR/RevDialect.h"

namespace rev {

/// The library that computes convolutions and matrix products
/// (rev-library-calls): oneDNN in the CPU runtime, cuDNN and cuBLAS in the
/// CUDA runtime.
enum class KernelLibraryKind { OneDNN, CUDA };

#define GEN_PASS_DECL
#include "rev/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "rev/Conversion/Passes.h.inc"

/// Options of the `rev-lower-cpu` pipeline.
#ifdef REV_HAVE_ONEDNN
inline constexpr bool kHaveOneDNN = true;
#else
inline constexpr bool kHaveOneDNN = false;
#endif

struct LowerCPUOptions : public mlir::PassPipelineOptions<LowerCPUOptions> {
  /// Who computes float32 convolutions, their gradients and matrix
  /// products.
  enum class KernelLibrary { None, OneDNN };
  Option<KernelLibrary> kernelLibrary{
      *this, "kernel-library",
      llvm::cl::desc("Who computes float32 convolutions, their gradients and "
                     "matrix products"),
      llvm::cl::values(
          clEnumValN(KernelLibrary::OneDNN, "onednn",
                     "oneDNN's kernels, called through rev's CPU runtime "
                     "(the default where rev-opt is built with oneDNN)"),
          clEnumValN(KernelLibrary::None, "none",
                     "generated code (tiled and vectorized loops)")),
      llvm::cl::init(kHaveOneDNN ? KernelLibrary::OneDNN
                                 : KernelLibrary::None)};
  Option<bool> fuseLoops{
      *this, "fuse-loops",
      llvm::cl::desc("Fuse parallel loops with the same iteration space "
                     "after convert-linalg-to-parallel-loops "
                     "(rev-fuse-parallel-loops, which rev-lower-gpu does "
                     "always; here to check it on the CPU)"),
      llvm::cl::init(false)};
  Option<bool> genericAlloc{
      *this, "generic-alloc",
      llvm::cl::desc("Allocate through _mlir_memref_to_llvm_alloc/free (which "
                     "rev-run provides to count live bytes) instead of "
                     "malloc/free"),
      llvm::cl::init(true)};
  Option<bool> optimize{
      *this, "optimize",
      llvm::cl::desc("Tile and vectorize convolutions and matrix products "
                     "and fuse elementwise ops (off: naive loops)"),
      llvm::cl::init(true)};
  Option<unsigned> threads{
      *this, "threads",
      llvm::cl::desc("Threads that share large parallel loops (OpenMP; the "
                     "code then needs libomp): 0 = what the OpenMP runtime "
                     "chooses at run time (OMP_NUM_THREADS, else one per "
                     "core), 1 = serial code without OpenMP, N = N threads"),
      llvm::cl::init(0)};
  Option<uint64_t> minParallelWork{
      *this, "min-parallel-work",
      llvm::cl::desc("Smallest estimated work (ops executed) of a loop nest "
                     "that runs on several threads"),
      llvm::cl::init(32768)};
  Option<unsigned> segmentOps{
      *this, "segment-ops",
      llvm::cl::desc("Split long functions into segments of about this many "
                     "TOSA ops before lowering (rev-outline-segments), so "
                     "that identical blocks are lowered once; 0 = do not "
                     "split"),
      llvm::cl::init(64)};
  Option<bool> rematerialize{
      *this, "rematerialize",
      llvm::cl::desc("rev-rematerialize before bufferization: recompute "
                     "elementwise loops before late uses instead of keeping "
                     "their buffers alive (lower peak, some recomputation)"),
      llvm::cl::init(true)};
  Option<bool> checks{
      *this, "checks",
      llvm::cl::desc("Check run-time indices (rev.check_range: cross-entropy "
                     "labels, Gather indices) and report a failure to the "
                     "caller; false drops the checks (faster, but an index out "
                     "of range reads out of bounds)"),
      llvm::cl::init(true)};
  Option<bool> fromMemref{
      *this, "from-memref",
      llvm::cl::desc("The input is already bufferized (memref level): run "
                     "only the steps after bufferization"),
      llvm::cl::init(false)};
  Option<bool> emulateGPUKernels{
      *this, "emulate-gpu-kernels",
      llvm::cl::desc("Testing: compute reductions and the ops around them as "
                     "rev-lower-gpu's kernels do (merged reduction chains, "
                     "recomputed elementwise ops, a block per reduced "
                     "element with its fused ops), each block in turn on one "
                     "thread, so that the CPU checks what they compute"),
      llvm::cl::init(false)};
};

/// TOSA/rev -> linalg -> bufferization with deallocation right after each
/// buffer's last use -> loops/vectors -> LLVM dialect.
void buildLowerCPUPipeline(mlir::OpPassManager &pm,
                           const LowerCPUOptions &options);

/// Registers `rev-lower-cpu`.
void registerLowerCPUPipeline();

/// Options of the `rev-lower-gpu` pipeline.
struct LowerGPUOptions : public mlir::PassPipelineOptions<LowerGPUOptions> {
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("NVIDIA GPU architecture (sm_XX)"),
                           llvm::cl::init("sm_90")};
  Option<std::string> features{
      *this, "features",
      llvm::cl::desc("PTX features; sm_90 needs +ptx80 or newer"),
      llvm::cl::init("+ptx80")};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("What gpu.binary embeds: isa (PTX text, needs no CUDA "
                     "toolkit; the driver compiles it), bin (cubin) or "
                     "fatbin (both need the toolkit's ptxas)"),
      llvm::cl::init("isa")};
  ListOption<int64_t> tileSizes{
      *this, "tile-sizes",
      llvm::cl::desc("Threads per block: the tile size of the (collapsed, "
                     "one-dimensional) parallel loops (default 256)")};
  Option<unsigned> optLevel{*this, "opt-level",
                            llvm::cl::desc("Device code optimization level"),
                            llvm::cl::init(3)};
  enum class Memory { Managed, Device };
  Option<Memory> memory{
      *this, "memory", llvm::cl::desc("Where buffers live"),
      llvm::cl::values(
          clEnumValN(Memory::Device, "device",
                     "buffers that host code never touches are device "
                     "memory (rev-gpu-device-buffers; the default), the "
                     "rest managed"),
          clEnumValN(Memory::Managed, "managed",
                     "every buffer is CUDA managed memory")),
      llvm::cl::init(Memory::Device)};
  enum class KernelLibrary { None, CUDA };
  Option<KernelLibrary> kernelLibrary{
      *this, "kernel-library",
      llvm::cl::desc("Who computes float32 convolutions (padded the same on "
                     "both sides), their gradients and matrix products"),
      llvm::cl::values(
          clEnumValN(KernelLibrary::CUDA, "cuda",
                     "cuDNN and cuBLAS, called on the stream through rev's "
                     "CUDA runtime, which loads them at first use (the "
                     "default)"),
          clEnumValN(KernelLibrary::None, "none",
                     "generated kernels (a naive loop nest each)")),
      llvm::cl::init(KernelLibrary::CUDA)};
  Option<bool> blockReductions{
      *this, "block-reductions",
      llvm::cl::desc("Reductions over many elements (BatchNorm's statistics "
                     "and their gradients) as one thread block per result, "
                     "with chains of reductions merged, cheap elementwise "
                     "ops recomputed in their users, and the elementwise ops "
                     "and same-grid reductions that follow fused into the "
                     "kernel (rev-gpu-merge-reductions, "
                     "rev-gpu-fuse-elementwise, rev-gpu-block-reductions); "
                     "false: one thread per result, serially"),
      llvm::cl::init(true)};
  Option<bool> allowTF32{
      *this, "allow-tf32",
      llvm::cl::desc("Let cuDNN and cuBLAS round float32 products to TF32 "
                     "(tensor cores: faster, about 1e-3 relative error)"),
      llvm::cl::init(false)};
};

/// TOSA/rev -> linalg -> buffers (device or managed GPU memory, freed after last use)
/// -> tiled parallel loops -> GPU kernels -> NVVM -> gpu.binary; host code
/// to the LLVM dialect, calling the mgpu* runtime functions.
void buildLowerGPUPipeline(mlir::OpPassManager &pm,
                           const LowerGPUOptions &options);

/// Registers `rev-lower-gpu`.
void registerLowerGPUPipeline();

} // namespace rev

#endif // REV_CONVERSION_PASSES_H
