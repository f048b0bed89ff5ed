//===- Memory.cpp - counting the heap use of compiled code ----------------===//

#include "rev/Runtime/Memory.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <unordered_map>

namespace rev::runtime {
namespace {

struct Tracker {
  std::mutex mutex;
  std::unordered_map<void *, uint64_t> sizes;
  AllocationStats stats;

  void *record(void *p, uint64_t size) {
    if (!p)
      return p;
    std::lock_guard<std::mutex> lock(mutex);
    sizes[p] = size;
    stats.liveBytes += size;
    stats.allocatedBytes += size;
    ++stats.allocations;
    if (stats.liveBytes > stats.peakBytes)
      stats.peakBytes = stats.liveBytes;
    return p;
  }

  void release(void *p) {
    if (!p)
      return;
    std::lock_guard<std::mutex> lock(mutex);
    auto it = sizes.find(p);
    if (it != sizes.end()) {
      stats.liveBytes -= it->second;
      sizes.erase(it);
    }
    ++stats.frees;
  }
};

Tracker &tracker() {
  static Tracker t;
  return t;
}

} // namespace

void resetAllocationStats() {
  Tracker &t = tracker();
  std::lock_guard<std::mutex> lock(t.mutex);
  t.sizes.clear();
  t.stats = AllocationStats();
}

AllocationStats getAllocationStats() {
  Tracker &t = tracker();
  std::lock_guard<std::mutex> lock(t.mutex);
  return t.stats;
}

/// Compiled code cannot go on without the buffer it asked for (it would
/// write through a null pointer): say so and exit instead of crashing.
[[noreturn]] static void outOfMemory(uint64_t size) {
  AllocationStats stats = getAllocationStats();
  std::fprintf(stderr,
               "error: out of memory: the compiled code asked for %llu bytes "
               "(%llu bytes live in %llu buffers)\n",
               static_cast<unsigned long long>(size),
               static_cast<unsigned long long>(stats.liveBytes),
               static_cast<unsigned long long>(stats.allocations -
                                               stats.frees));
  std::fflush(stdout);
  std::_Exit(1);
}

void *trackedAlloc(uint64_t size) {
  void *p = std::malloc(size);
  if (!p && size)
    outOfMemory(size);
  return tracker().record(p, size);
}

void *trackedAlignedAlloc(uint64_t alignment, uint64_t size) {
  // aligned_alloc needs a size that is a multiple of the alignment.
  if (size > UINT64_MAX - alignment)
    outOfMemory(size);
  uint64_t rounded = (size + alignment - 1) / alignment * alignment;
  void *p = std::aligned_alloc(alignment, rounded);
  if (!p && size)
    outOfMemory(size);
  return tracker().record(p, size);
}

void trackedFree(void *ptr) {
  tracker().release(ptr);
  std::free(ptr);
}

} // namespace rev::runtime
