/*===- RevCudaRuntime.h - rev's CUDA runtime: the program-facing part -----===*
 *
 * Besides the mgpu* functions that lowered host code calls, the runtime
 * reports device memory: every allocation through it is counted.
 *
 *===----------------------------------------------------------------------===*/
#ifndef REV_CUDA_RUNTIME_H
#define REV_CUDA_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Initializes the driver and device 0. Returns 0 and the device's name in
 * `message`, or non-zero and the reason (no driver, no device). */
int rev_gpu_init(char *message, size_t size);
/* Live device bytes allocated through the runtime. */
uint64_t rev_gpu_live_bytes(void);
/* Peak of live device bytes since the last reset, above the live bytes at
 * that reset. */
uint64_t rev_gpu_peak_bytes(void);
void rev_gpu_reset_peak(void);
/* Bytes and number of allocations since the last reset (rev_gpu_reset_peak). */
uint64_t rev_gpu_allocated_bytes(void);
uint64_t rev_gpu_allocations(void);
/* Kernel launches since the last reset. */
uint64_t rev_gpu_launches(void);
void rev_gpu_synchronize(void);

/* Run-time checks (rev.check_range: cross-entropy labels, Gather indices).
 * The lowered code calls _mlir_ciface_rev_cuda_check_range_i<N>(stream,
 * min, max, check, lower, upper, site, tf32) with 0-d memref descriptors of
 * the indices' smallest and largest element in device memory: the two
 * values are copied to pinned host memory kept for `site` (the report's
 * number in the module), in stream order (also when the call is captured
 * into a graph: every replay copies them again). After the stream is
 * synchronized, rev_gpu_check_status returns 1 with the lowest failed
 * check's number (its index in rev.checks) and an offending value (the
 * smallest when it lies below the range, else the largest), or 0 when the
 * checks of the last call all held. Either pointer may be null. */
typedef struct {
  void *allocated;
  void *aligned;
  int64_t offset;
} RevCudaMemRef0;
#define REV_CUDA_CHECK_RANGE(bits)                                             \
  void _mlir_ciface_rev_cuda_check_range_i##bits(                              \
      void *stream, RevCudaMemRef0 *min, RevCudaMemRef0 *max, int64_t check,   \
      int64_t lower, int64_t upper, int64_t site, int64_t tf32);
REV_CUDA_CHECK_RANGE(8)
REV_CUDA_CHECK_RANGE(16)
REV_CUDA_CHECK_RANGE(32)
REV_CUDA_CHECK_RANGE(64)
#undef REV_CUDA_CHECK_RANGE
int rev_gpu_check_status(int64_t *check, int64_t *value);

/* CUDA graphs, for entries whose rev.abi says `graph = true` (their host
 * code only enqueues work: rev-gpu-graph-entries). rev_gpu_graph_capture
 * runs `call(context)` once while capturing the runtime's stream into a
 * graph (its kernels, copies, library calls, and stream-ordered
 * allocations and frees, which the graph then owns; the allocations are
 * counted as the call makes them); rev_gpu_graph_launch replays the graph
 * on the stream, with the same buffers. Call the entry once without
 * capturing first (kernel modules load, libraries plan). Returns 0, or
 * non-zero and the reason in `message` (nothing captured). */
typedef struct RevGPUGraph RevGPUGraph;
int rev_gpu_graph_capture(void (*call)(void *), void *context,
                          RevGPUGraph **graph, char *message, size_t size);
void rev_gpu_graph_launch(RevGPUGraph *graph);
/* Kernel launches captured into the graph. */
uint64_t rev_gpu_graph_launches(const RevGPUGraph *graph);
void rev_gpu_graph_destroy(RevGPUGraph *graph);

/* Managed (host-shared) or device allocation, counted. */
void *mgpuMemAlloc(uint64_t size, void *stream, bool hostShared);
void mgpuMemFree(void *ptr, void *stream);
/* Any direction (unified addressing); synchronous when stream is null. */
void mgpuMemcpy(void *dst, void *src, size_t size, void *stream);

#ifdef __cplusplus
}
#endif

#endif
