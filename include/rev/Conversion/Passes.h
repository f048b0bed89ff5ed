//===- Passes.h - rev lowering passes and pipelines -------------*- C++ -*-===//

#ifndef REV_CONVERSION_PASSES_H
#define REV_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassOptions.h"

namespace rev {

#define GEN_PASS_DECL
#include "rev/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "rev/Conversion/Passes.h.inc"

/// Options of the `rev-lower-cpu` pipeline.
struct LowerCPUOptions : public mlir::PassPipelineOptions<LowerCPUOptions> {
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
  Option<bool> fromMemref{
      *this, "from-memref",
      llvm::cl::desc("The input is already bufferized (memref level): run "
                     "only the steps after bufferization"),
      llvm::cl::init(false)};
};

/// TOSA/rev -> linalg -> bufferization with deallocation right after each
/// buffer's last use -> loops/vectors -> LLVM dialect.
void buildLowerCPUPipeline(mlir::OpPassManager &pm,
                           const LowerCPUOptions &options);

/// Registers `rev-lower-cpu`.
void registerLowerCPUPipeline();

} // namespace rev

#endif // REV_CONVERSION_PASSES_H
