//===- RevCudaRuntime.cpp - the mgpu* functions over the CUDA driver ------===//
//
// The functions that host code lowered by rev-lower-gpu (gpu-to-llvm) calls:
// module loading (PTX is compiled by the driver), kernel launches, streams,
// and memory. Every allocation is counted, so that programs can report the
// peak of live device bytes. Needs only the NVIDIA driver (libcuda.so.1) at
// run time; no LLVM or MLIR library.
//
// Errors cannot be returned through these signatures: a failing driver call
// prints what failed and exits with status 1.
//
//===----------------------------------------------------------------------===//

#include "RevCudaRuntime.h"
#include "RevCudaLibraries.h"

#include <cuda.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

namespace {

std::mutex mutex;
struct Allocation {
  uint64_t size;
  bool streamOrdered; // cuMemAllocAsync: freed with cuMemFreeAsync
};
std::unordered_map<void *, Allocation> sizes;
/// Whether device allocations on a stream use the stream-ordered allocator
/// (cuMemAllocAsync from the device's default pool, which keeps freed
/// memory for reuse). REV_GPU_SYNC_ALLOC=1 turns it off (cuMemAlloc and a
/// synchronizing cuMemFree), and so does a driver that does not support it.
bool streamOrderedAlloc = true;
uint64_t liveBytes = 0, peakBytes = 0, baseline = 0;
std::atomic<uint64_t> launches{0};
uint64_t allocatedBytes = 0, allocations = 0; // since the last reset
CUcontext context = nullptr;
CUstream sharedStream = nullptr;
/// Whether the shared stream is being captured into a CUDA graph
/// (rev_gpu_graph_capture): waits for the stream are then left out (the
/// graph's replay is waited for instead), and host memory that a copy reads
/// is staged in pinned memory, which graphs can copy from.
bool capturing = false;

/// The name of a driver error. CUDA's stub library answers no query, so the
/// errors that mean "no driver" are named here.
std::string errorName(CUresult result) {
  switch (result) {
  case CUDA_ERROR_STUB_LIBRARY:
    return "CUDA_ERROR_STUB_LIBRARY";
  case CUDA_ERROR_NO_DEVICE:
    return "CUDA_ERROR_NO_DEVICE";
  case CUDA_ERROR_NOT_INITIALIZED:
    return "CUDA_ERROR_NOT_INITIALIZED";
  default:
    break;
  }
  const char *name = nullptr;
  if (cuGetErrorName(result, &name) == CUDA_SUCCESS && name)
    return name;
  return "CUresult " + std::to_string(static_cast<int>(result));
}

[[noreturn]] void fail(const char *call, CUresult result) {
  std::string nameText = errorName(result);
  const char *name = nameText.c_str(), *text = nullptr;
  cuGetErrorString(result, &text);
  if (result == CUDA_ERROR_STUB_LIBRARY || result == CUDA_ERROR_NO_DEVICE ||
      result == CUDA_ERROR_NOT_INITIALIZED)
    std::fprintf(stderr,
                 "rev-cuda-runtime: %s failed: %s (%s): no usable NVIDIA GPU "
                 "and driver on this machine\n",
                 call, name ? name : "?", text ? text : "?");
  else
    std::fprintf(stderr, "rev-cuda-runtime: %s failed: %s (%s)\n", call,
                 name ? name : "?", text ? text : "?");
  // Not exit(): the static destructors of the lowered code call back into
  // this runtime.
  std::fflush(stderr);
  std::_Exit(1);
}

#define CHECK(call)                                                            \
  do {                                                                         \
    CUresult result_ = (call);                                                 \
    if (result_ != CUDA_SUCCESS)                                               \
      fail(#call, result_);                                                    \
  } while (false)

/// The primary context of device 0, current on this thread.
void ensureContext() {
  static std::once_flag once;
  std::call_once(once, [] {
    CHECK(cuInit(0));
    CUdevice device;
    CHECK(cuDeviceGet(&device, 0));
    CHECK(cuDevicePrimaryCtxRetain(&context, device));
    CHECK(cuCtxSetCurrent(context));
    const char *sync = std::getenv("REV_GPU_SYNC_ALLOC");
    int supported = 0;
    CUmemoryPool pool;
    if ((sync && std::string(sync) == "1") ||
        cuDeviceGetAttribute(&supported,
                             CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED,
                             device) != CUDA_SUCCESS ||
        !supported || cuDeviceGetDefaultMemPool(&pool, device) != CUDA_SUCCESS) {
      streamOrderedAlloc = false;
    } else {
      // Keep freed memory in the pool between calls.
      uint64_t keep = UINT64_MAX;
      if (cuMemPoolSetAttribute(pool, CU_MEMPOOL_ATTR_RELEASE_THRESHOLD,
                                &keep) != CUDA_SUCCESS)
        streamOrderedAlloc = false;
    }
  });
  // Once per thread: the host code calls in here around every launch.
  thread_local bool current = false;
  if (!current) {
    CHECK(cuCtxSetCurrent(context));
    current = true;
  }
}

[[noreturn]] void failCapture(const char *what) {
  std::fprintf(stderr,
               "rev-cuda-runtime: %s while capturing a CUDA graph: the entry "
               "was marked replayable (rev.abi graph) but is not\n",
               what);
  std::fflush(stderr);
  std::_Exit(1);
}

/// The pinned copy of `size` bytes of host memory at `src` that a copy
/// captured into a graph reads: graphs copy only from device, managed or
/// pinned memory. The host copy is made now; a captured copy of host
/// memory is a constant's (rev-gpu-prepare copies constants at the start of
/// a function), so it is the same at every replay. Kept per address.
void *stagedSource(void *src, size_t size) {
  unsigned type = 0;
  if (cuPointerGetAttribute(&type, CU_POINTER_ATTRIBUTE_MEMORY_TYPE,
                            reinterpret_cast<CUdeviceptr>(src)) == CUDA_SUCCESS)
    return src; // (device or managed memory)
  static std::unordered_map<void *, std::pair<void *, size_t>> staged;
  auto &entry = staged[src];
  if (entry.second < size) {
    if (entry.first)
      CHECK(cuMemFreeHost(entry.first));
    CHECK(cuMemAllocHost(&entry.first, size));
    entry.second = size;
  }
  std::memcpy(entry.first, src, size);
  return entry.first;
}

/// A check's report: the two values (smallest, largest) its last call
/// copied into pinned host memory, and the check's number and range.
struct CheckSlot {
  void *values = nullptr; // 2 x `bytes` bytes, pinned
  int bytes = 8;
  int64_t check = 0, lower = 0, upper = 0;
};
/// By report site; never destroyed (the slots live as long as the process,
/// and the lowered code's static destructors may still run).
std::map<int64_t, CheckSlot> &checkSlots = *new std::map<int64_t, CheckSlot>;

int64_t signExtend(const void *p, int bytes) {
  switch (bytes) {
  case 1:
    return *static_cast<const int8_t *>(p);
  case 2:
    return *static_cast<const int16_t *>(p);
  case 4:
    return *static_cast<const int32_t *>(p);
  default:
    return *static_cast<const int64_t *>(p);
  }
}

void checkRange(void *stream, RevCudaMemRef0 *min, RevCudaMemRef0 *max,
                int64_t check, int64_t lower, int64_t upper, int64_t site,
                int bytes) {
  ensureContext();
  CheckSlot *slot;
  {
    std::lock_guard<std::mutex> lock(mutex);
    slot = &checkSlots[site];
  }
  if (!slot->values) {
    // (relaxed capture mode: allowed while capturing)
    CHECK(cuMemAllocHost(&slot->values, 16));
    std::memset(slot->values, 0, 16);
  }
  slot->bytes = bytes;
  slot->check = check;
  slot->lower = lower;
  slot->upper = upper;
  auto address = [&](RevCudaMemRef0 *m) {
    return reinterpret_cast<CUdeviceptr>(static_cast<char *>(m->aligned) +
                                         m->offset * bytes);
  };
  char *host = static_cast<char *>(slot->values);
  CUstream s = static_cast<CUstream>(stream); // (the launches' stream)
  CHECK(cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(host), address(min), bytes,
                      s));
  CHECK(cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(host + bytes), address(max),
                      bytes, s));
}

} // namespace

extern "C" {

#define REV_CHECK_RANGE(bits)                                                  \
  void _mlir_ciface_rev_cuda_check_range_i##bits(                              \
      void *stream, RevCudaMemRef0 *min, RevCudaMemRef0 *max, int64_t check,   \
      int64_t lower, int64_t upper, int64_t site, int64_t /*tf32*/) {          \
    checkRange(stream, min, max, check, lower, upper, site, bits / 8);         \
  }
REV_CHECK_RANGE(8)
REV_CHECK_RANGE(16)
REV_CHECK_RANGE(32)
REV_CHECK_RANGE(64)
#undef REV_CHECK_RANGE

int rev_gpu_check_status(int64_t *check, int64_t *value) {
  std::lock_guard<std::mutex> lock(mutex);
  const CheckSlot *failed = nullptr;
  int64_t offending = 0;
  for (const auto &[site, slot] : checkSlots) {
    const char *host = static_cast<const char *>(slot.values);
    int64_t min = signExtend(host, slot.bytes);
    int64_t max = signExtend(host + slot.bytes, slot.bytes);
    if ((min >= slot.lower && max < slot.upper) ||
        (failed && failed->check <= slot.check))
      continue;
    failed = &slot;
    offending = min < slot.lower ? min : max;
  }
  if (!failed)
    return 0;
  if (check)
    *check = failed->check;
  if (value)
    *value = offending;
  return 1;
}

int rev_gpu_init(char *message, size_t size) {
  CUresult result = cuInit(0);
  if (result != CUDA_SUCCESS) {
    std::snprintf(message, size, "cuInit failed: %s%s",
                  errorName(result).c_str(),
                  result == CUDA_ERROR_STUB_LIBRARY
                      ? " (libcuda.so.1 is CUDA's stub: no NVIDIA driver)"
                      : "");
    return 1;
  }
  int count = 0;
  if (cuDeviceGetCount(&count) != CUDA_SUCCESS || count == 0) {
    std::snprintf(message, size, "no CUDA device");
    return 1;
  }
  ensureContext();
  CUdevice device;
  CHECK(cuDeviceGet(&device, 0));
  char name[256] = {0};
  CHECK(cuDeviceGetName(name, sizeof(name) - 1, device));
  std::snprintf(message, size, "%s", name);
  return 0;
}

uint64_t rev_gpu_live_bytes(void) {
  std::lock_guard<std::mutex> lock(mutex);
  return liveBytes;
}

uint64_t rev_gpu_peak_bytes(void) {
  std::lock_guard<std::mutex> lock(mutex);
  return peakBytes - baseline;
}

void rev_gpu_reset_peak(void) {
  std::lock_guard<std::mutex> lock(mutex);
  peakBytes = baseline = liveBytes;
  allocatedBytes = allocations = 0;
  launches = 0;
  rev_gpu_reset_library_calls();
}

uint64_t rev_gpu_launches(void) { return launches.load(); }

uint64_t rev_gpu_allocated_bytes(void) {
  std::lock_guard<std::mutex> lock(mutex);
  return allocatedBytes;
}

uint64_t rev_gpu_allocations(void) {
  std::lock_guard<std::mutex> lock(mutex);
  return allocations;
}

void rev_gpu_synchronize(void) {
  ensureContext();
  CHECK(cuCtxSynchronize());
}

// The lowered host code loads every kernel module in a global constructor,
// before main() can check for a driver. Loading is therefore deferred to the
// first use of a module's function: a program without a GPU can still print
// its --help, and says clearly that there is no driver.
namespace {
struct LazyModule {
  const void *data;
  bool jit;
  int optLevel;
  CUmodule module = nullptr;
  // The lowered code asks for the function at every launch (with the same
  // name string each time): the last answer is kept.
  const char *lastName = nullptr;
  CUfunction lastFunction = nullptr;
};
} // namespace

void *mgpuModuleLoad(void *data, size_t /*size*/) {
  return new LazyModule{data, /*jit=*/false, 0};
}

void *mgpuModuleLoadJIT(void *data, int optLevel) {
  return new LazyModule{data, /*jit=*/true, optLevel};
}

void mgpuModuleUnload(void *handle) {
  auto *lazy = static_cast<LazyModule *>(handle);
  if (lazy->module)
    cuModuleUnload(lazy->module); // (at exit: nothing to report)
  delete lazy;
}

void *mgpuModuleGetFunction(void *handle, const char *name) {
  auto *lazy = static_cast<LazyModule *>(handle);
  if (name == lazy->lastName)
    return lazy->lastFunction;
  ensureContext();
  if (!lazy->module) {
    if (lazy->jit) {
      CUjit_option options[] = {CU_JIT_OPTIMIZATION_LEVEL};
      void *values[] = {
          reinterpret_cast<void *>(static_cast<intptr_t>(lazy->optLevel))};
      CHECK(cuModuleLoadDataEx(&lazy->module, lazy->data, 1, options, values));
    } else {
      CHECK(cuModuleLoadData(&lazy->module, lazy->data));
    }
  }
  CUfunction function = nullptr;
  CHECK(cuModuleGetFunction(&function, lazy->module, name));
  lazy->lastName = name;
  lazy->lastFunction = function;
  return function;
}

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t sharedBytes, void *stream,
                      void **params, void **extra, size_t /*paramsCount*/) {
  ensureContext();
  launches.fetch_add(1, std::memory_order_relaxed);
  CHECK(cuLaunchKernel(static_cast<CUfunction>(function), gridX, gridY, gridZ,
                       blockX, blockY, blockZ, sharedBytes,
                       static_cast<CUstream>(stream), params, extra));
}

// The lowered host code creates a stream around every synchronous launch
// and for every function that frees buffers; all of them share one stream,
// created once, so that launches and frees stay in program order and cost
// no driver call beyond the launch itself.
void *mgpuStreamCreate(void) {
  ensureContext();
  std::lock_guard<std::mutex> lock(mutex);
  if (!sharedStream)
    CHECK(cuStreamCreate(&sharedStream, CU_STREAM_NON_BLOCKING));
  return sharedStream;
}

void mgpuStreamDestroy(void * /*stream*/) {}

void mgpuStreamSynchronize(void *stream) {
  if (capturing)
    return;
  CHECK(cuStreamSynchronize(static_cast<CUstream>(stream)));
}

void mgpuSetDefaultDevice(int32_t /*device*/) {}

void *mgpuMemAlloc(uint64_t size, void *stream, bool hostShared) {
  ensureContext();
  CUdeviceptr ptr = 0;
  if (size == 0)
    size = 1;
  if (capturing && (hostShared || !stream || !streamOrderedAlloc))
    failCapture("a synchronous allocation");
  bool ordered = !hostShared && stream && streamOrderedAlloc;
  if (hostShared)
    CHECK(cuMemAllocManaged(&ptr, size, CU_MEM_ATTACH_GLOBAL));
  else if (ordered)
    CHECK(cuMemAllocAsync(&ptr, size, static_cast<CUstream>(stream)));
  else
    CHECK(cuMemAlloc(&ptr, size));
  void *p = reinterpret_cast<void *>(ptr);
  std::lock_guard<std::mutex> lock(mutex);
  sizes[p] = {size, ordered};
  liveBytes += size;
  allocatedBytes += size;
  ++allocations;
  if (liveBytes > peakBytes)
    peakBytes = liveBytes;
  return p;
}

// A stream-ordered allocation is freed in stream order (every launch that
// uses it was queued before, on the same stream); any other waits for the
// device first.
void mgpuMemFree(void *ptr, void *stream) {
  if (!ptr)
    return;
  ensureContext();
  Allocation allocation{0, false};
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = sizes.find(ptr);
    if (it != sizes.end()) {
      allocation = it->second;
      liveBytes -= it->second.size;
      sizes.erase(it);
    }
  }
  if (allocation.streamOrdered) {
    CHECK(cuMemFreeAsync(reinterpret_cast<CUdeviceptr>(ptr),
                         stream ? static_cast<CUstream>(stream)
                                : static_cast<CUstream>(mgpuStreamCreate())));
    return;
  }
  if (capturing)
    failCapture("a synchronous free");
  if (stream)
    CHECK(cuStreamSynchronize(static_cast<CUstream>(stream)));
  else
    CHECK(cuCtxSynchronize());
  CHECK(cuMemFree(reinterpret_cast<CUdeviceptr>(ptr)));
}

// Events, for launches that wait on several tokens (upstream's gpu-to-llvm
// joins streams with them).
void *mgpuEventCreate(void) {
  ensureContext();
  CUevent event = nullptr;
  CHECK(cuEventCreate(&event, CU_EVENT_DISABLE_TIMING));
  return event;
}

void mgpuEventDestroy(void *event) {
  CHECK(cuEventDestroy(static_cast<CUevent>(event)));
}

void mgpuEventSynchronize(void *event) {
  if (capturing)
    return;
  CHECK(cuEventSynchronize(static_cast<CUevent>(event)));
}

void mgpuEventRecord(void *event, void *stream) {
  CHECK(cuEventRecord(static_cast<CUevent>(event), static_cast<CUstream>(stream)));
}

void mgpuStreamWaitEvent(void *stream, void *event) {
  CHECK(cuStreamWaitEvent(static_cast<CUstream>(stream),
                          static_cast<CUevent>(event), 0));
}

void mgpuMemcpy(void *dst, void *src, size_t size, void *stream) {
  ensureContext();
  if (capturing) {
    CHECK(cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(dst),
                        reinterpret_cast<CUdeviceptr>(stagedSource(src, size)),
                        size, sharedStream));
    return;
  }
  CHECK(cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(dst),
                      reinterpret_cast<CUdeviceptr>(src), size,
                      static_cast<CUstream>(stream)));
  if (!stream)
    CHECK(cuCtxSynchronize());
}

void mgpuMemset32(void *dst, unsigned int value, size_t count, void *stream) {
  ensureContext();
  CHECK(cuMemsetD32Async(reinterpret_cast<CUdeviceptr>(dst), value, count,
                         static_cast<CUstream>(stream)));
  if (!stream)
    CHECK(cuCtxSynchronize());
}

void mgpuMemset16(void *dst, unsigned short value, size_t count,
                  void *stream) {
  ensureContext();
  CHECK(cuMemsetD16Async(reinterpret_cast<CUdeviceptr>(dst), value, count,
                         static_cast<CUstream>(stream)));
  if (!stream)
    CHECK(cuCtxSynchronize());
}

struct RevGPUGraph {
  CUgraph graph = nullptr;
  CUgraphExec exec = nullptr;
  uint64_t launches = 0; // (kernel launches captured)
};

int rev_gpu_graph_capture(void (*call)(void *), void *context,
                          RevGPUGraph **out, char *message, size_t size) {
  ensureContext();
  CUstream stream = static_cast<CUstream>(mgpuStreamCreate());
  CHECK(cuStreamSynchronize(stream));
  // Relaxed: the runtime's own calls that are not stream work (module
  // loads, cuDNN's and cuBLAS's set-up) may run while capturing.
  CUresult result =
      cuStreamBeginCapture(stream, CU_STREAM_CAPTURE_MODE_RELAXED);
  if (result != CUDA_SUCCESS) {
    std::snprintf(message, size, "cuStreamBeginCapture failed: %s",
                  errorName(result).c_str());
    return 1;
  }
  capturing = true;
  uint64_t launchesBefore = launches.load();
  call(context);
  capturing = false;
  auto *graph = new RevGPUGraph;
  graph->launches = launches.load() - launchesBefore;
  result = cuStreamEndCapture(stream, &graph->graph);
  if (result == CUDA_SUCCESS)
    result = cuGraphInstantiate(&graph->exec, graph->graph, 0);
  if (result != CUDA_SUCCESS) {
    std::snprintf(message, size,
                  "capturing the call into a CUDA graph "
                  "failed: %s",
                  errorName(result).c_str());
    if (graph->graph)
      cuGraphDestroy(graph->graph);
    delete graph;
    return 1;
  }
  *out = graph;
  return 0;
}

void rev_gpu_graph_launch(RevGPUGraph *graph) {
  ensureContext();
  CHECK(cuGraphLaunch(graph->exec, static_cast<CUstream>(mgpuStreamCreate())));
}

uint64_t rev_gpu_graph_launches(const RevGPUGraph *graph) {
  return graph->launches;
}

void rev_gpu_graph_destroy(RevGPUGraph *graph) {
  if (!graph)
    return;
  cuGraphExecDestroy(graph->exec);
  cuGraphDestroy(graph->graph);
  delete graph;
}

} // extern "C"
