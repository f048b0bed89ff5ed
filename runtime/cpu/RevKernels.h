/*===- RevKernels.h - library kernels of rev's CPU runtime ------*- C -*-===*
 *
 * Code lowered by rev-lower-cpu with kernel-library=onednn calls these for
 * float32 convolutions, their gradients and batched matrix products
 * (rev.library_call, lowered by rev-lower-library-calls):
 * `_mlir_ciface_rev_<kernel>` takes a pointer to each buffer's memref
 * descriptor (inputs, then outputs), then the parameters pad top, bottom,
 * left, right, stride H, W, dilation H, W. Activations are NHWC, weights
 * [F, KH, KW, C]; any strides are accepted (views are copied to dense
 * buffers first). oneDNN computes them; its primitives are created once per
 * shape and kept.
 *
 * A kernel that fails (oneDNN refuses the shapes, memory runs out) leaves
 * its output zero and records the failure; the caller asks
 * rev_kernels_status() after the call. rev-run (lib/Runtime) and every
 * ahead-of-time library (utils/aot-compile.py) link this one implementation.
 *
 *===----------------------------------------------------------------------===*/

#ifndef REV_RUNTIME_CPU_REVKERNELS_H
#define REV_RUNTIME_CPU_REVKERNELS_H

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
} RevKernelMemRef4;

typedef struct {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[1];
  int64_t strides[1];
} RevKernelMemRef1;

/// y = conv2d(x, w) + b (the semantics of tosa.conv2d).
void _mlir_ciface_rev_conv2d_forward_f32(
    RevKernelMemRef4 *x, RevKernelMemRef4 *w, RevKernelMemRef1 *b,
    RevKernelMemRef4 *y, int64_t padTop, int64_t padBottom, int64_t padLeft,
    int64_t padRight, int64_t strideH, int64_t strideW, int64_t dilationH,
    int64_t dilationW);
/// dx from dy and w (rev.conv2d_backward_data).
void _mlir_ciface_rev_conv2d_backward_data_f32(
    RevKernelMemRef4 *dy, RevKernelMemRef4 *w, RevKernelMemRef4 *dx,
    int64_t padTop, int64_t padBottom, int64_t padLeft, int64_t padRight,
    int64_t strideH, int64_t strideW, int64_t dilationH, int64_t dilationW);
/// dw from x and dy (rev.conv2d_backward_filter).
void _mlir_ciface_rev_conv2d_backward_filter_f32(
    RevKernelMemRef4 *x, RevKernelMemRef4 *dy, RevKernelMemRef4 *dw,
    int64_t padTop, int64_t padBottom, int64_t padLeft, int64_t padRight,
    int64_t strideH, int64_t strideW, int64_t dilationH, int64_t dilationW);

typedef struct {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[3];
  int64_t strides[3];
} RevKernelMemRef3;

/// c[b] = a[b] x b[b] (the semantics of tosa.matmul: [B, M, K] x [B, K, N]).
void _mlir_ciface_rev_matmul_f32(RevKernelMemRef3 *a, RevKernelMemRef3 *b,
                                 RevKernelMemRef3 *c);

/// Threads the library uses (its OpenMP runtime); 0 leaves its default.
void rev_kernels_set_num_threads(int threads);
/// Where the kernels' temporary buffers come from (rev-run counts them in
/// the measured peak); null restores aligned_alloc/free.
void rev_kernels_set_allocator(void *(*alloc)(uint64_t alignment,
                                              uint64_t size),
                               void (*release)(void *));
/// 1 when a kernel failed since the last rev_kernels_status, else 0.
int rev_kernels_pending(void);
/// 1 and a message (valid until the next failure) when a kernel failed
/// since the last call, else 0; clears the failure.
int rev_kernels_status(const char **message);

#ifdef __cplusplus
}
#endif

#endif /* REV_RUNTIME_CPU_REVKERNELS_H */
