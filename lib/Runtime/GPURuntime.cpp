//===- GPURuntime.cpp - rev's CUDA runtime, loaded at run time ------------===//

#include "rev/Runtime/GPURuntime.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/DynamicLibrary.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <system_error>
#include <type_traits>

namespace rev::runtime {

llvm::Expected<GPURuntime> loadGPURuntime(const char *argv0) {
#ifndef REV_HAVE_CUDA
  (void)argv0;
  return llvm::createStringError(
      std::errc::not_supported,
      "--target=gpu: this rev-run was built without the CUDA toolkit, so "
      "rev's CUDA runtime does not exist (rebuild where /usr/local/cuda is)");
#else
  GPURuntime rt;
  std::string exe = llvm::sys::fs::getMainExecutable(
      argv0, reinterpret_cast<void *>(&loadGPURuntime));
  llvm::SmallString<256> path(llvm::sys::path::parent_path(exe));
  llvm::sys::path::append(path, "..", "lib", "librev_cuda_runtime.so");
  rt.path = std::string(path);
  std::string error;
  auto lib =
      llvm::sys::DynamicLibrary::getPermanentLibrary(rt.path.c_str(), &error);
  if (!lib.isValid())
    return llvm::createStringError(
        std::errc::no_such_file_or_directory,
        "--target=gpu: cannot load rev's CUDA runtime (%s): %s%s",
        rt.path.c_str(), error.c_str(),
        error.find("libcuda.so.1") != std::string::npos
            ? " (no NVIDIA driver on this machine)"
            : "");
  auto get = [&](auto &fn, const char *name) -> bool {
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(
        lib.getAddressOfSymbol(name));
    return fn != nullptr;
  };
  if (!get(rt.init, "rev_gpu_init") || !get(rt.alloc, "mgpuMemAlloc") ||
      !get(rt.free, "mgpuMemFree") || !get(rt.memcpy, "mgpuMemcpy") ||
      !get(rt.synchronize, "rev_gpu_synchronize") ||
      !get(rt.resetPeak, "rev_gpu_reset_peak") ||
      !get(rt.peakBytes, "rev_gpu_peak_bytes") ||
      !get(rt.liveBytes, "rev_gpu_live_bytes") ||
      !get(rt.allocatedBytes, "rev_gpu_allocated_bytes") ||
      !get(rt.allocations, "rev_gpu_allocations") ||
      !get(rt.graphCapture, "rev_gpu_graph_capture") ||
      !get(rt.graphLaunch, "rev_gpu_graph_launch") ||
      !get(rt.graphLaunches, "rev_gpu_graph_launches") ||
      !get(rt.graphDestroy, "rev_gpu_graph_destroy") ||
      !get(rt.checkStatus, "rev_gpu_check_status"))
    return llvm::createStringError(std::errc::invalid_argument,
                                   "--target=gpu: %s lacks rev's functions",
                                   rt.path.c_str());
  char message[512] = {0};
  if (rt.init(message, sizeof(message)) != 0)
    return llvm::createStringError(std::errc::no_such_device,
                                   "--target=gpu: no usable GPU: %s", message);
  return rt;
#endif
}

} // namespace rev::runtime
