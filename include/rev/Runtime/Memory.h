//===- Memory.h - counting the heap use of compiled code --------*- C++ -*-===//
//
// Code lowered with `finalize-memref-to-llvm{use-generic-functions}` (the
// default of rev-lower-cpu) allocates through _mlir_memref_to_llvm_alloc,
// _mlir_memref_to_llvm_aligned_alloc and _mlir_memref_to_llvm_free. rev-run
// provides them to the JIT, counting live bytes, so that peak memory is
// measured, not estimated.
//
//===----------------------------------------------------------------------===//

#ifndef REV_RUNTIME_MEMORY_H
#define REV_RUNTIME_MEMORY_H

#include <cstdint>

namespace rev::runtime {

struct AllocationStats {
  uint64_t liveBytes = 0;      // bytes allocated and not yet freed
  uint64_t peakBytes = 0;      // the largest liveBytes seen
  uint64_t allocatedBytes = 0; // all bytes allocated
  uint64_t allocations = 0;
  uint64_t frees = 0;
};

/// Starts counting afresh (blocks still live are forgotten).
void resetAllocationStats();
AllocationStats getAllocationStats();

// The counting allocator (registered under the names above).
void *trackedAlloc(uint64_t size);
void *trackedAlignedAlloc(uint64_t alignment, uint64_t size);
void trackedFree(void *ptr);

} // namespace rev::runtime

#endif // REV_RUNTIME_MEMORY_H
