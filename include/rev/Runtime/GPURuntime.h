//===- GPURuntime.h - rev's CUDA runtime, loaded at run time ----*- C++ -*-===//

#ifndef REV_RUNTIME_GPURUNTIME_H
#define REV_RUNTIME_GPURUNTIME_H

#include "llvm/Support/Error.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace rev::runtime {

/// rev's CUDA runtime (librev_cuda_runtime.so next to rev's libraries),
/// loaded for --target=gpu: the JIT-compiled host code calls its mgpu*
/// functions, and rev-run allocates arguments and results in managed memory
/// (device memory with explicit copies for those rev.abi marks `device`)
/// and reads the device byte counters through it.
struct GPURuntime {
  std::string path;
  int (*init)(char *, size_t) = nullptr;
  void *(*alloc)(uint64_t, void *, bool) = nullptr;
  void (*free)(void *, void *) = nullptr;
  void (*memcpy)(void *, void *, size_t, void *) = nullptr;
  void (*synchronize)() = nullptr;
  void (*resetPeak)() = nullptr;
  uint64_t (*peakBytes)() = nullptr;
  uint64_t (*liveBytes)() = nullptr;
  uint64_t (*allocatedBytes)() = nullptr;
  uint64_t (*allocations)() = nullptr;
  // CUDA graphs (RevCudaRuntime.h).
  int (*graphCapture)(void (*)(void *), void *, void **, char *,
                      size_t) = nullptr;
  void (*graphLaunch)(void *) = nullptr;
  uint64_t (*graphLaunches)(const void *) = nullptr;
  void (*graphDestroy)(void *) = nullptr;
  // Run-time checks of the last call, after a synchronize.
  int (*checkStatus)(int64_t *, int64_t *) = nullptr;
};

/// Loads librev_cuda_runtime.so from the lib/ directory next to the
/// executable's bin/ (`argv0`: the executable) and initializes a GPU. Fails
/// with a message naming the cause: built without the CUDA toolkit, the
/// library or the NVIDIA driver missing, no usable GPU.
llvm::Expected<GPURuntime> loadGPURuntime(const char *argv0);

} // namespace rev::runtime

#endif // REV_RUNTIME_GPURUNTIME_H
