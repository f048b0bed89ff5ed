/*===- RevCudaLibraries.h - cuDNN and cuBLAS kernels of rev's CUDA runtime -===*
 *
 * Code lowered by rev-lower-gpu with kernel-library=cuda calls these for
 * float32 convolutions, their gradients and batched matrix products
 * (rev.gpu_library_call, lowered by rev-gpu-lower-library-calls):
 * `_mlir_ciface_rev_cuda_<kernel>` takes the stream (every launch's: the
 * runtime's one stream), a pointer to each buffer's memref descriptor
 * (inputs, then outputs; device or managed memory), then the parameters
 * pad top, bottom, left, right, stride H, W, dilation H, W for convolutions,
 * and last whether TF32 may be used (0 or 1). Activations are NHWC with any
 * strides, weights [F, KH, KW, C]. The work is queued on the stream; the
 * host does not wait.
 *
 * cuDNN 9 (libcudnn.so.9) and cuBLAS (libcublas.so.13 or .12) are loaded
 * with dlopen at the first call, so programs link only against the driver.
 * They are looked for in the directories of REV_CUDA_LIBRARY_PATH
 * (colon-separated) first, then by the dynamic loader's search
 * (LD_LIBRARY_PATH, the system's cache), then in the CUDA toolkit's library
 * directory that rev was built with. Descriptors and algorithm choices are
 * kept per shape; workspaces come from the runtime's stream-ordered
 * allocator (counted in the peak). A library that cannot be loaded or a
 * failing call prints what failed and exits with status 1, as the rest of
 * the runtime does.
 *
 *===----------------------------------------------------------------------===*/
#ifndef REV_CUDA_LIBRARIES_H
#define REV_CUDA_LIBRARIES_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[4];
  int64_t strides[4];
} RevCudaMemRef4;

typedef struct {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[3];
  int64_t strides[3];
} RevCudaMemRef3;

typedef struct {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[1];
  int64_t strides[1];
} RevCudaMemRef1;

/* y = conv2d(x, w) + b (tosa.conv2d). */
void _mlir_ciface_rev_cuda_conv2d_forward_f32(
    void *stream, RevCudaMemRef4 *x, RevCudaMemRef4 *w, RevCudaMemRef1 *b,
    RevCudaMemRef4 *y, int64_t padTop, int64_t padBottom, int64_t padLeft,
    int64_t padRight, int64_t strideH, int64_t strideW, int64_t dilationH,
    int64_t dilationW, int64_t allowTF32);
/* dx from dy and w (rev.conv2d_backward_data). */
void _mlir_ciface_rev_cuda_conv2d_backward_data_f32(
    void *stream, RevCudaMemRef4 *dy, RevCudaMemRef4 *w, RevCudaMemRef4 *dx,
    int64_t padTop, int64_t padBottom, int64_t padLeft, int64_t padRight,
    int64_t strideH, int64_t strideW, int64_t dilationH, int64_t dilationW,
    int64_t allowTF32);
/* dw from x and dy (rev.conv2d_backward_filter). */
void _mlir_ciface_rev_cuda_conv2d_backward_filter_f32(
    void *stream, RevCudaMemRef4 *x, RevCudaMemRef4 *dy, RevCudaMemRef4 *dw,
    int64_t padTop, int64_t padBottom, int64_t padLeft, int64_t padRight,
    int64_t strideH, int64_t strideW, int64_t dilationH, int64_t dilationW,
    int64_t allowTF32);
/* c[i] = a[i] x b[i] (tosa.matmul: [B, M, K] x [B, K, N]). */
void _mlir_ciface_rev_cuda_matmul_f32(void *stream, RevCudaMemRef3 *a,
                                      RevCudaMemRef3 *b, RevCudaMemRef3 *c,
                                      int64_t allowTF32);

/* Library calls since the last rev_gpu_reset_peak() (which calls
 * rev_gpu_reset_library_calls()). */
uint64_t rev_gpu_library_calls(void);
void rev_gpu_reset_library_calls(void);

#ifdef __cplusplus
}
#endif

#endif
