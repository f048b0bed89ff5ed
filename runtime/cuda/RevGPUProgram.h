/*===- RevGPUProgram.h - main() of AOT-compiled GPU programs --------------===*/
#ifndef REV_GPU_PROGRAM_H
#define REV_GPU_PROGRAM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One argument or result of the compiled entry point. */
typedef struct RevTensorSpec {
  const char *name;  /* rev.name: the .npy file's name */
  const char *dtype; /* float32, float64, int64, int32, bool */
  int rank;
  int64_t shape[8];
  int isResult;
  int device; /* rev.abi device: only kernels touch it; kept in device
                 memory, copied from and to the host around the calls */
} RevTensorSpec;

/* Reads the arguments, calls `call` with one memref descriptor per argument
 * then per result, writes the results; see GPUProgram.cpp. `graph`: the
 * entry's rev.abi says a CUDA graph can replay it (rev-gpu-graph-entries).
 * `checks`: the messages of the module's run-time checks (rev.checks), by
 * number; a call whose check fails ends the program with status 1 and the
 * message. */
int rev_gpu_program_main(int argc, char **argv, const char *entry,
                         const RevTensorSpec *specs, int count,
                         void (*call)(void **descriptors), int graph,
                         const char *const *checks, int checkCount);

#ifdef __cplusplus
}
#endif

#endif
