//===- MemoryEstimate.h - peak of live tensor bytes -------------*- C++ -*-===//
//
// A static estimate of the peak of live tensor bytes of a function, as the
// CPU lowering runs it: ops run in block order; a value lives from its
// definition to its last use; calls and regions add their own peak while
// they run. What the lowering does to buffers is modelled where it changes
// the peak:
//   - constants are read-only data, not heap: they count nothing;
//   - a reshape is a view of its source: it counts nothing and keeps the
//     source alive;
//   - a buffer a caller reads last in a call is freed by the callee after
//     its own last use (rev-pass-ownership), so a training step's tape
//     shrinks while the backward runs.
// rev-memory-report prints it; rev-plan-memory plans against it.
//
//===----------------------------------------------------------------------===//

#ifndef REV_ANALYSIS_MEMORYESTIMATE_H
#define REV_ANALYSIS_MEMORYESTIMATE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

#include <map>
#include <vector>

namespace rev {

class PeakEstimator {
public:
  explicit PeakEstimator(mlir::ModuleOp module) : symbols(module) {}

  /// The estimated peak of live tensor bytes while `func` runs, counting
  /// the values it defines and its arguments marked in `owned` (live on
  /// entry, freed after their last use); 0 for an external function.
  int64_t peakOfFunction(mlir::func::FuncOp func,
                         llvm::ArrayRef<bool> owned = {});

private:
  int64_t peakOfBlock(mlir::Block &block, llvm::ArrayRef<bool> owned = {});

  mlir::SymbolTable symbols;
  std::map<std::pair<mlir::Operation *, std::vector<bool>>, int64_t> cache;
};

} // namespace rev

#endif // REV_ANALYSIS_MEMORYESTIMATE_H
