//===- RevCudaLibraries.cpp - cuDNN and cuBLAS, loaded at first use -------===//
//
// The library kernels of rev's CUDA runtime (RevCudaLibraries.h). The
// libraries' headers give the types; the functions are looked up with dlsym
// in libraries opened at the first call, so that a program links only the
// driver and runs without them as long as it calls no library kernel.
//
//===----------------------------------------------------------------------===//

#include "RevCudaLibraries.h"
#include "RevCudaRuntime.h"

#include <cublas_v2.h>
#include <cudnn.h>
#include <dlfcn.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#ifndef REV_CUDA_LIBRARY_DIR
#define REV_CUDA_LIBRARY_DIR ""
#endif

namespace {

std::atomic<uint64_t> libraryCalls{0};

[[noreturn]] void fail(const std::string &message) {
  std::fprintf(stderr, "rev-cuda-runtime: %s\n", message.c_str());
  std::fflush(stderr);
  std::_Exit(1);
}

/// Opens the first of `names` found in REV_CUDA_LIBRARY_PATH's directories,
/// by the loader's search, or in the toolkit's library directory.
void *openLibrary(const std::vector<const char *> &names, const char *what) {
  std::vector<std::string> dirs;
  if (const char *path = std::getenv("REV_CUDA_LIBRARY_PATH")) {
    std::string all(path);
    size_t start = 0;
    while (start <= all.size()) {
      size_t end = all.find(':', start);
      if (end == std::string::npos)
        end = all.size();
      if (end > start)
        dirs.push_back(all.substr(start, end - start));
      start = end + 1;
    }
  }
  dirs.push_back(""); // (the loader's own search)
  if (*REV_CUDA_LIBRARY_DIR)
    dirs.push_back(REV_CUDA_LIBRARY_DIR);
  std::string tried;
  for (const std::string &dir : dirs) {
    for (const char *name : names) {
      std::string file = dir.empty() ? name : dir + "/" + name;
      if (void *handle = dlopen(file.c_str(), RTLD_NOW | RTLD_GLOBAL))
        return handle;
      const char *error = dlerror();
      tried += "\n  " + file + ": " + (error ? error : "not found");
    }
  }
  fail(std::string("cannot load ") + what + "; tried:" + tried +
       "\nset REV_CUDA_LIBRARY_PATH to the directory that holds it (for "
       "example PyTorch's site-packages/nvidia/" +
       (std::string(what).find("cuDNN") != std::string::npos ? "cudnn"
                                                             : "cublas") +
       "/lib), or lower with rev-lower-gpu kernel-library=none");
}

template <typename Fn> Fn symbol(void *library, const char *name) {
  void *fn = dlsym(library, name);
  if (!fn)
    fail(std::string("the library has no ") + name);
  return reinterpret_cast<Fn>(fn);
}

#define REV_FN(name) decltype(&::name) name = nullptr

/// cuDNN's functions that the kernels use.
struct CuDNN {
  REV_FN(cudnnGetErrorString);
  REV_FN(cudnnCreate);
  REV_FN(cudnnSetStream);
  REV_FN(cudnnCreateTensorDescriptor);
  REV_FN(cudnnSetTensor4dDescriptorEx);
  REV_FN(cudnnCreateFilterDescriptor);
  REV_FN(cudnnSetFilter4dDescriptor);
  REV_FN(cudnnCreateConvolutionDescriptor);
  REV_FN(cudnnSetConvolution2dDescriptor);
  REV_FN(cudnnSetConvolutionMathType);
  REV_FN(cudnnGetConvolutionForwardAlgorithm_v7);
  REV_FN(cudnnGetConvolutionForwardWorkspaceSize);
  REV_FN(cudnnConvolutionForward);
  REV_FN(cudnnAddTensor);
  REV_FN(cudnnTransformTensor);
  REV_FN(cudnnGetConvolutionBackwardDataAlgorithm_v7);
  REV_FN(cudnnGetConvolutionBackwardDataWorkspaceSize);
  REV_FN(cudnnConvolutionBackwardData);
  REV_FN(cudnnGetConvolutionBackwardFilterAlgorithm_v7);
  REV_FN(cudnnGetConvolutionBackwardFilterWorkspaceSize);
  REV_FN(cudnnConvolutionBackwardFilter);
  cudnnHandle_t handle = nullptr;
};

/// cuBLAS's.
struct CuBLAS {
  REV_FN(cublasCreate_v2);
  REV_FN(cublasSetStream_v2);
  REV_FN(cublasSetMathMode);
  REV_FN(cublasSgemmStridedBatched);
  cublasHandle_t handle = nullptr;
};

#undef REV_FN

std::mutex mutex;

CuDNN &cudnn() {
  static CuDNN lib = [] {
    CuDNN l;
    void *so = openLibrary({"libcudnn.so.9"}, "cuDNN 9 (libcudnn.so.9)");
#define GET(name) l.name = symbol<decltype(l.name)>(so, #name)
    GET(cudnnGetErrorString);
    GET(cudnnCreate);
    GET(cudnnSetStream);
    GET(cudnnCreateTensorDescriptor);
    GET(cudnnSetTensor4dDescriptorEx);
    GET(cudnnCreateFilterDescriptor);
    GET(cudnnSetFilter4dDescriptor);
    GET(cudnnCreateConvolutionDescriptor);
    GET(cudnnSetConvolution2dDescriptor);
    GET(cudnnSetConvolutionMathType);
    GET(cudnnGetConvolutionForwardAlgorithm_v7);
    GET(cudnnGetConvolutionForwardWorkspaceSize);
    GET(cudnnConvolutionForward);
    GET(cudnnAddTensor);
    GET(cudnnTransformTensor);
    GET(cudnnGetConvolutionBackwardDataAlgorithm_v7);
    GET(cudnnGetConvolutionBackwardDataWorkspaceSize);
    GET(cudnnConvolutionBackwardData);
    GET(cudnnGetConvolutionBackwardFilterAlgorithm_v7);
    GET(cudnnGetConvolutionBackwardFilterWorkspaceSize);
    GET(cudnnConvolutionBackwardFilter);
#undef GET
    cudnnStatus_t status = l.cudnnCreate(&l.handle);
    if (status != CUDNN_STATUS_SUCCESS)
      fail(std::string("cudnnCreate failed: ") + l.cudnnGetErrorString(status));
    return l;
  }();
  return lib;
}

CuBLAS &cublas() {
  static CuBLAS lib = [] {
    CuBLAS l;
    void *so = openLibrary({"libcublas.so.13", "libcublas.so.12"},
                           "cuBLAS (libcublas.so.13 or .12)");
#define GET(name) l.name = symbol<decltype(l.name)>(so, #name)
    GET(cublasCreate_v2);
    GET(cublasSetStream_v2);
    GET(cublasSetMathMode);
    GET(cublasSgemmStridedBatched);
#undef GET
    cublasStatus_t status = l.cublasCreate_v2(&l.handle);
    if (status != CUBLAS_STATUS_SUCCESS)
      fail("cublasCreate failed: status " + std::to_string(status));
    return l;
  }();
  return lib;
}

#define CUDNN_CHECK(call)                                                      \
  do {                                                                         \
    cudnnStatus_t status_ = (call);                                            \
    if (status_ != CUDNN_STATUS_SUCCESS)                                       \
      fail(std::string(#call " failed: ") +                                    \
           cudnn().cudnnGetErrorString(status_));                              \
  } while (false)

/// An NHWC view with any strides.
cudnnTensorDescriptor_t tensorDesc(const RevCudaMemRef4 &m) {
  CuDNN &l = cudnn();
  cudnnTensorDescriptor_t desc;
  CUDNN_CHECK(l.cudnnCreateTensorDescriptor(&desc));
  CUDNN_CHECK(l.cudnnSetTensor4dDescriptorEx(
      desc, CUDNN_DATA_FLOAT, int(m.sizes[0]), int(m.sizes[3]), int(m.sizes[1]),
      int(m.sizes[2]), int(m.strides[0]), int(m.strides[3]), int(m.strides[1]),
      int(m.strides[2])));
  return desc;
}

/// Whether [F, KH, KW, C] is stored densely (what a filter descriptor
/// describes).
bool isDenseFilter(const RevCudaMemRef4 &m) {
  int64_t expected = 1;
  for (int d = 3; d >= 0; --d) {
    if (m.sizes[d] != 1 && m.strides[d] != expected)
      return false;
    expected *= m.sizes[d];
  }
  return true;
}

cudnnFilterDescriptor_t filterDesc(const RevCudaMemRef4 &m) {
  CuDNN &l = cudnn();
  cudnnFilterDescriptor_t desc;
  CUDNN_CHECK(l.cudnnCreateFilterDescriptor(&desc));
  CUDNN_CHECK(l.cudnnSetFilter4dDescriptor(
      desc, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NHWC, int(m.sizes[0]),
      int(m.sizes[3]), int(m.sizes[1]), int(m.sizes[2])));
  return desc;
}

float *data(const RevCudaMemRef4 &m) { return m.aligned + m.offset; }

enum class Kind { Forward, BackwardData, BackwardFilter };

/// Descriptors and the algorithm of one convolution shape, kept.
struct ConvPlan {
  cudnnTensorDescriptor_t x = nullptr, y = nullptr, bias = nullptr,
                          denseFilter = nullptr;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  int algo = 0;
  size_t workspace = 0;
};

/// The key: kind, every size and stride of the three buffers, the
/// parameters.
using PlanKey = std::vector<int64_t>;
std::map<PlanKey, ConvPlan> plans;

void appendShape(PlanKey &key, const RevCudaMemRef4 &m) {
  key.insert(key.end(), m.sizes, m.sizes + 4);
  key.insert(key.end(), m.strides, m.strides + 4);
}

/// The first of cuDNN's ranked algorithms (`returned` of them) that can
/// run; an error if none can.
template <typename Perf>
int firstUsable(const Perf *perf, int returned, const char *what) {
  for (int i = 0; i < returned; ++i)
    if (perf[i].status == CUDNN_STATUS_SUCCESS)
      return i;
  fail(std::string("cuDNN has no ") + what + " algorithm for this convolution");
}

/// x: the activation (input of the forward), y: its output, w: the filter,
/// each as its memref (for the kinds that do not read one, its shape only).
ConvPlan &plan(Kind kind, const RevCudaMemRef4 &x, const RevCudaMemRef4 &w,
               const RevCudaMemRef4 &y, const int64_t params[8],
               bool allowTF32) {
  PlanKey key{int64_t(kind), allowTF32};
  appendShape(key, x);
  appendShape(key, w);
  appendShape(key, y);
  key.insert(key.end(), params, params + 8);
  auto it = plans.find(key);
  if (it != plans.end())
    return it->second;
  if (params[0] != params[1] || params[2] != params[3])
    fail("cuDNN takes the same padding on both sides; got pad " +
         std::to_string(params[0]) + ", " + std::to_string(params[1]) + ", " +
         std::to_string(params[2]) + ", " + std::to_string(params[3]) +
         " (rev-library-calls library=cuda keeps such convolutions)");
  if (kind == Kind::BackwardFilter && !isDenseFilter(w))
    fail("cuDNN writes a filter gradient densely; got a strided one");
  CuDNN &l = cudnn();
  ConvPlan p;
  p.x = tensorDesc(x);
  p.y = tensorDesc(y);
  p.w = filterDesc(w);
  if (kind != Kind::BackwardFilter && !isDenseFilter(w))
    p.denseFilter = tensorDesc(w); // (copied into a dense buffer first)
  CUDNN_CHECK(l.cudnnCreateConvolutionDescriptor(&p.conv));
  CUDNN_CHECK(l.cudnnSetConvolution2dDescriptor(
      p.conv, int(params[0]), int(params[2]), int(params[4]), int(params[5]),
      int(params[6]), int(params[7]), CUDNN_CROSS_CORRELATION,
      CUDNN_DATA_FLOAT));
  // FMA math: no TF32 rounding, unless allowed (cuDNN's default math lets
  // Ampere and later GPUs use TF32 tensor cores).
  CUDNN_CHECK(l.cudnnSetConvolutionMathType(
      p.conv, allowTF32 ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH));
  int returned = 0;
  switch (kind) {
  case Kind::Forward: {
    cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
    CUDNN_CHECK(l.cudnnGetConvolutionForwardAlgorithm_v7(
        l.handle, p.x, p.w, p.conv, p.y, CUDNN_CONVOLUTION_FWD_ALGO_COUNT,
        &returned, perf));
    int i = firstUsable(perf, returned, "forward");
    p.algo = perf[i].algo;
    CUDNN_CHECK(l.cudnnGetConvolutionForwardWorkspaceSize(
        l.handle, p.x, p.w, p.conv, p.y, perf[i].algo, &p.workspace));
    // The bias, one value per output channel.
    CUDNN_CHECK(l.cudnnCreateTensorDescriptor(&p.bias));
    CUDNN_CHECK(l.cudnnSetTensor4dDescriptorEx(p.bias, CUDNN_DATA_FLOAT, 1,
                                               int(y.sizes[3]), 1, 1,
                                               int(y.sizes[3]), 1, 1, 1));
    break;
  }
  case Kind::BackwardData: {
    cudnnConvolutionBwdDataAlgoPerf_t
        perf[CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT];
    CUDNN_CHECK(l.cudnnGetConvolutionBackwardDataAlgorithm_v7(
        l.handle, p.w, p.y, p.conv, p.x, CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT,
        &returned, perf));
    int i = firstUsable(perf, returned, "backward-data");
    p.algo = perf[i].algo;
    CUDNN_CHECK(l.cudnnGetConvolutionBackwardDataWorkspaceSize(
        l.handle, p.w, p.y, p.conv, p.x, perf[i].algo, &p.workspace));
    break;
  }
  case Kind::BackwardFilter: {
    cudnnConvolutionBwdFilterAlgoPerf_t
        perf[CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT];
    CUDNN_CHECK(l.cudnnGetConvolutionBackwardFilterAlgorithm_v7(
        l.handle, p.x, p.y, p.conv, p.w,
        CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT, &returned, perf));
    int i = firstUsable(perf, returned, "backward-filter");
    p.algo = perf[i].algo;
    CUDNN_CHECK(l.cudnnGetConvolutionBackwardFilterWorkspaceSize(
        l.handle, p.x, p.y, p.conv, p.w, perf[i].algo, &p.workspace));
    break;
  }
  }
  return plans.emplace(key, p).first->second;
}

/// A buffer from the runtime's stream-ordered allocator (counted), freed in
/// stream order after the library's work.
struct StreamBuffer {
  void *stream, *ptr = nullptr;
  StreamBuffer(size_t bytes, void *stream) : stream(stream) {
    if (bytes)
      ptr = mgpuMemAlloc(bytes, stream, /*hostShared=*/false);
  }
  ~StreamBuffer() {
    if (ptr)
      mgpuMemFree(ptr, stream);
  }
};

/// The filter's data, densely: the buffer itself or a dense copy.
const float *denseFilter(ConvPlan &p, const RevCudaMemRef4 &w,
                         StreamBuffer &copy) {
  if (!p.denseFilter)
    return data(w);
  CuDNN &l = cudnn();
  // (the same shape, packed NHWC strides)
  cudnnTensorDescriptor_t packed;
  CUDNN_CHECK(l.cudnnCreateTensorDescriptor(&packed));
  int f = int(w.sizes[0]), kh = int(w.sizes[1]), kw = int(w.sizes[2]),
      c = int(w.sizes[3]);
  CUDNN_CHECK(l.cudnnSetTensor4dDescriptorEx(packed, CUDNN_DATA_FLOAT, f, c, kh,
                                             kw, kh * kw * c, 1, kw * c, c));
  const float one = 1.f, zero = 0.f;
  CUDNN_CHECK(l.cudnnTransformTensor(l.handle, &one, p.denseFilter, data(w),
                                     &zero, packed, copy.ptr));
  return static_cast<const float *>(copy.ptr);
}

size_t bytes(const RevCudaMemRef4 &m) {
  return size_t(m.sizes[0] * m.sizes[1] * m.sizes[2] * m.sizes[3]) *
         sizeof(float);
}

/// What each convolution kernel does first: hold the lock (the plans are
/// shared), count the call, plan the shape, put cuDNN on the stream.
struct ConvCall {
  std::lock_guard<std::mutex> lock{mutex};
  CuDNN &l = cudnn();
  ConvPlan &p;
  ConvCall(void *stream, Kind kind, const RevCudaMemRef4 &x,
           const RevCudaMemRef4 &w, const RevCudaMemRef4 &y,
           const int64_t params[8], int64_t allowTF32)
      : p(plan(kind, x, w, y, params, allowTF32 != 0)) {
    ++libraryCalls;
    CUDNN_CHECK(l.cudnnSetStream(l.handle, static_cast<cudaStream_t>(stream)));
  }
};

} // namespace

extern "C" {

uint64_t rev_gpu_library_calls(void) { return libraryCalls.load(); }

void rev_gpu_reset_library_calls(void) { libraryCalls = 0; }

void _mlir_ciface_rev_cuda_conv2d_forward_f32(
    void *stream, RevCudaMemRef4 *x, RevCudaMemRef4 *w, RevCudaMemRef1 *b,
    RevCudaMemRef4 *y, int64_t padTop, int64_t padBottom, int64_t padLeft,
    int64_t padRight, int64_t strideH, int64_t strideW, int64_t dilationH,
    int64_t dilationW, int64_t allowTF32) {
  const int64_t params[8] = {padTop,  padBottom, padLeft,   padRight,
                             strideH, strideW,   dilationH, dilationW};
  ConvCall c(stream, Kind::Forward, *x, *w, *y, params, allowTF32);
  CuDNN &l = c.l;
  ConvPlan &p = c.p;
  StreamBuffer copy(p.denseFilter ? bytes(*w) : 0, stream);
  const float *filter = denseFilter(p, *w, copy);
  StreamBuffer workspace(p.workspace, stream);
  const float one = 1.f, zero = 0.f;
  CUDNN_CHECK(l.cudnnConvolutionForward(
      l.handle, &one, p.x, data(*x), p.w, filter, p.conv,
      static_cast<cudnnConvolutionFwdAlgo_t>(p.algo), workspace.ptr,
      p.workspace, &zero, p.y, data(*y)));
  if (b->strides[0] != 1 && b->sizes[0] != 1)
    fail("the convolution's bias is strided");
  CUDNN_CHECK(l.cudnnAddTensor(l.handle, &one, p.bias, b->aligned + b->offset,
                               &one, p.y, data(*y)));
}

void _mlir_ciface_rev_cuda_conv2d_backward_data_f32(
    void *stream, RevCudaMemRef4 *dy, RevCudaMemRef4 *w, RevCudaMemRef4 *dx,
    int64_t padTop, int64_t padBottom, int64_t padLeft, int64_t padRight,
    int64_t strideH, int64_t strideW, int64_t dilationH, int64_t dilationW,
    int64_t allowTF32) {
  const int64_t params[8] = {padTop,  padBottom, padLeft,   padRight,
                             strideH, strideW,   dilationH, dilationW};
  ConvCall c(stream, Kind::BackwardData, *dx, *w, *dy, params, allowTF32);
  CuDNN &l = c.l;
  ConvPlan &p = c.p;
  StreamBuffer copy(p.denseFilter ? bytes(*w) : 0, stream);
  const float *filter = denseFilter(p, *w, copy);
  StreamBuffer workspace(p.workspace, stream);
  const float one = 1.f, zero = 0.f;
  CUDNN_CHECK(l.cudnnConvolutionBackwardData(
      l.handle, &one, p.w, filter, p.y, data(*dy), p.conv,
      static_cast<cudnnConvolutionBwdDataAlgo_t>(p.algo), workspace.ptr,
      p.workspace, &zero, p.x, data(*dx)));
}

void _mlir_ciface_rev_cuda_conv2d_backward_filter_f32(
    void *stream, RevCudaMemRef4 *x, RevCudaMemRef4 *dy, RevCudaMemRef4 *dw,
    int64_t padTop, int64_t padBottom, int64_t padLeft, int64_t padRight,
    int64_t strideH, int64_t strideW, int64_t dilationH, int64_t dilationW,
    int64_t allowTF32) {
  const int64_t params[8] = {padTop,  padBottom, padLeft,   padRight,
                             strideH, strideW,   dilationH, dilationW};
  ConvCall c(stream, Kind::BackwardFilter, *x, *dw, *dy, params, allowTF32);
  CuDNN &l = c.l;
  ConvPlan &p = c.p;
  StreamBuffer workspace(p.workspace, stream);
  const float one = 1.f, zero = 0.f;
  CUDNN_CHECK(l.cudnnConvolutionBackwardFilter(
      l.handle, &one, p.x, data(*x), p.y, data(*dy), p.conv,
      static_cast<cudnnConvolutionBwdFilterAlgo_t>(p.algo), workspace.ptr,
      p.workspace, &zero, p.w, data(*dw)));
}

void _mlir_ciface_rev_cuda_matmul_f32(void *stream, RevCudaMemRef3 *a,
                                      RevCudaMemRef3 *b, RevCudaMemRef3 *c,
                                      int64_t allowTF32) {
  std::lock_guard<std::mutex> lock(mutex);
  ++libraryCalls;
  CuBLAS &l = cublas();
  int64_t batch = a->sizes[0], m = a->sizes[1], k = a->sizes[2],
          n = b->sizes[2];
  // Row-major c = a x b is column-major c^T = b^T x a^T. A row-major
  // matrix with unit column stride is its transpose in column-major order
  // (leading dimension: its row stride); with unit row stride it is itself
  // (leading dimension: its column stride), used transposed.
  auto operand = [](const RevCudaMemRef3 &t, cublasOperation_t &op,
                    int64_t &ld) {
    if (t.strides[2] == 1 || t.sizes[2] == 1) {
      op = CUBLAS_OP_N;
      ld = t.sizes[1] == 1 ? t.sizes[2] : t.strides[1];
    } else if (t.strides[1] == 1 || t.sizes[1] == 1) {
      op = CUBLAS_OP_T;
      ld = t.sizes[2] == 1 ? t.sizes[1] : t.strides[2];
    } else {
      fail("cuBLAS needs a unit stride in one of a matrix's dimensions");
    }
    if (ld < 1)
      ld = 1;
  };
  cublasOperation_t opA, opB, opC;
  int64_t lda, ldb, ldc;
  operand(*a, opA, lda);
  operand(*b, opB, ldb);
  operand(*c, opC, ldc);
  if (opC != CUBLAS_OP_N)
    fail("cuBLAS writes the product with a unit column stride; got a "
         "transposed view");
  // (the leading dimension is at least the rows of the column-major view)
  if (opA == CUBLAS_OP_N && lda < k)
    lda = k;
  if (opA == CUBLAS_OP_T && lda < m)
    lda = m;
  if (opB == CUBLAS_OP_N && ldb < n)
    ldb = n;
  if (opB == CUBLAS_OP_T && ldb < k)
    ldb = k;
  if (ldc < n)
    ldc = n;
  if (l.cublasSetStream_v2(l.handle, static_cast<cudaStream_t>(stream)) !=
          CUBLAS_STATUS_SUCCESS ||
      l.cublasSetMathMode(l.handle, allowTF32 ? CUBLAS_TF32_TENSOR_OP_MATH
                                              : CUBLAS_DEFAULT_MATH) !=
          CUBLAS_STATUS_SUCCESS)
    fail("cublasSetStream/cublasSetMathMode failed");
  const float one = 1.f, zero = 0.f;
  cublasStatus_t status = l.cublasSgemmStridedBatched(
      l.handle, opB, opA, int(n), int(m), int(k), &one, b->aligned + b->offset,
      int(ldb), b->strides[0], a->aligned + a->offset, int(lda), a->strides[0],
      &zero, c->aligned + c->offset, int(ldc), c->strides[0], int(batch));
  if (status != CUBLAS_STATUS_SUCCESS)
    fail("cublasSgemmStridedBatched failed: status " + std::to_string(status));
}

} // extern "C"
