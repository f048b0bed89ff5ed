//===- runtime_checks.cpp - the CUDA runtime's check reports, no GPU ------===//
//
// rev's CUDA runtime (RevCudaRuntime) over a fake driver: the few driver
// functions the check reports use are defined here (they take precedence
// over libcuda.so.1, CUDA's stub on a machine without a GPU), the copies
// are plain memcpy. Runs the reports that rev-lower-gpu's host code makes
// (_mlir_ciface_rev_cuda_check_range_i<N>) and prints what
// rev_gpu_check_status says after each "call". test/GPU/runtime-checks.test.
//
//===----------------------------------------------------------------------===//

#include "RevCudaRuntime.h"

#include <cuda.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {
int copies = 0;
CUstream lastStream = nullptr;
} // namespace

extern "C" {
CUresult CUDAAPI cuInit(unsigned int) { return CUDA_SUCCESS; }
CUresult CUDAAPI cuDeviceGet(CUdevice *device, int) {
  *device = 0;
  return CUDA_SUCCESS;
}
CUresult CUDAAPI cuDevicePrimaryCtxRetain(CUcontext *context, CUdevice) {
  static int fake;
  *context = reinterpret_cast<CUcontext>(&fake);
  return CUDA_SUCCESS;
}
CUresult CUDAAPI cuCtxSetCurrent(CUcontext) { return CUDA_SUCCESS; }
// (no memory pools: the runtime then allocates synchronously)
CUresult CUDAAPI cuDeviceGetAttribute(int *, CUdevice_attribute, CUdevice) {
  return CUDA_ERROR_NOT_SUPPORTED;
}
CUresult CUDAAPI cuMemAllocHost(void **p, size_t bytes) {
  *p = std::malloc(bytes);
  return *p ? CUDA_SUCCESS : CUDA_ERROR_OUT_OF_MEMORY;
}
CUresult CUDAAPI cuMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes,
                               CUstream stream) {
  std::memcpy(reinterpret_cast<void *>(dst), reinterpret_cast<void *>(src),
              bytes);
  ++copies;
  lastStream = stream;
  return CUDA_SUCCESS;
}
}

namespace {

RevCudaMemRef0 at(void *base, int64_t offset) { return {base, base, offset}; }

void status(const char *when) {
  int64_t check = -7, value = -7;
  int failed = rev_gpu_check_status(&check, &value);
  if (failed)
    std::printf("%s: failed check %lld, value %lld\n", when,
                static_cast<long long>(check), static_cast<long long>(value));
  else
    std::printf("%s: all held\n", when);
}

} // namespace

int main() {
  void *stream = reinterpret_cast<void *>(0x5);
  // Check 0: labels in [0, 10), i64.
  int64_t labels[2] = {0, 9};
  RevCudaMemRef0 min = at(labels, 0), max = at(labels, 1);
  _mlir_ciface_rev_cuda_check_range_i64(stream, &min, &max, 0, 0, 10, 0, 0);
  status("in range");
  std::printf("copies %d on stream %p\n", copies, (void *)lastStream);
  labels[1] = 10;
  _mlir_ciface_rev_cuda_check_range_i64(stream, &min, &max, 0, 0, 10, 0, 0);
  status("largest 10");
  labels[0] = -3;
  _mlir_ciface_rev_cuda_check_range_i64(stream, &min, &max, 0, 0, 10, 0, 0);
  status("smallest -3, largest 10");
  // Check 2: i32 ids in [-5, 5), the descriptors' offsets counted in
  // elements; a negative value is sign-extended.
  labels[0] = 0;
  labels[1] = 9;
  int32_t ids[4] = {99, -6, 4, 99};
  RevCudaMemRef0 idMin = at(ids, 1), idMax = at(ids, 2);
  _mlir_ciface_rev_cuda_check_range_i64(stream, &min, &max, 0, 0, 10, 0, 0);
  _mlir_ciface_rev_cuda_check_range_i32(stream, &idMin, &idMax, 2, -5, 5, 1, 0);
  status("i32 smallest -6");
  // Two failures: the lower check number is reported.
  labels[1] = 11;
  _mlir_ciface_rev_cuda_check_range_i64(stream, &min, &max, 0, 0, 10, 0, 0);
  _mlir_ciface_rev_cuda_check_range_i32(stream, &idMin, &idMax, 2, -5, 5, 1, 0);
  status("both");
  // i8 and i16 at their types' limits.
  labels[1] = 9;
  ids[1] = -5;
  int8_t bytes[2] = {-128, 3};
  RevCudaMemRef0 bMin = at(bytes, 0), bMax = at(bytes, 1);
  int16_t shorts[2] = {0, 32767};
  RevCudaMemRef0 sMin = at(shorts, 0), sMax = at(shorts, 1);
  _mlir_ciface_rev_cuda_check_range_i64(stream, &min, &max, 0, 0, 10, 0, 0);
  _mlir_ciface_rev_cuda_check_range_i32(stream, &idMin, &idMax, 2, -5, 5, 1, 0);
  _mlir_ciface_rev_cuda_check_range_i8(stream, &bMin, &bMax, 3, -4, 4, 2, 0);
  _mlir_ciface_rev_cuda_check_range_i16(stream, &sMin, &sMax, 4, 0, 100, 3, 0);
  status("i8 -128");
  bytes[0] = -4;
  _mlir_ciface_rev_cuda_check_range_i8(stream, &bMin, &bMax, 3, -4, 4, 2, 0);
  status("i16 32767");
  shorts[1] = 99;
  _mlir_ciface_rev_cuda_check_range_i16(stream, &sMin, &sMax, 4, 0, 100, 3, 0);
  status("all in range again");
  // Check 0 reported from a second site (a copy of the check, say in a
  // recomputed forward): each site keeps its own values.
  int64_t other[2] = {0, 12};
  RevCudaMemRef0 oMin = at(other, 0), oMax = at(other, 1);
  _mlir_ciface_rev_cuda_check_range_i64(stream, &oMin, &oMax, 0, 0, 10, 4, 0);
  _mlir_ciface_rev_cuda_check_range_i64(stream, &min, &max, 0, 0, 10, 0, 0);
  status("second site 12");
  return 0;
}
