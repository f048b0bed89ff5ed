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

/* Managed (host-shared) or device allocation, counted. */
void *mgpuMemAlloc(uint64_t size, void *stream, bool hostShared);
void mgpuMemFree(void *ptr, void *stream);
/* Any direction (unified addressing); synchronous when stream is null. */
void mgpuMemcpy(void *dst, void *src, size_t size, void *stream);

#ifdef __cplusplus
}
#endif

#endif
