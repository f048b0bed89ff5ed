/*===- RevGompBridge.c - LLVM OpenMP entry points on GCC's libgomp --------===*
 *
 * Compiled (with -fopenmp) into the libraries utils/aot-compile.py writes
 * with `--openmp gomp`, the libraries python/revopt loads into PyTorch
 * processes.
 *
 * The generated code's parallel loops call LLVM's OpenMP runtime (libomp):
 * MLIR's OpenMP translation emits __kmpc_* calls. PyTorch, and oneDNN as
 * Debian builds it, run on GCC's libgomp. Two runtimes in one process are
 * two thread pools on the same cores, each spinning while the other works:
 * a RevNet step measured 2-3x slower in a PyTorch process than alone. These
 * definitions run the generated regions on libgomp's pool instead, the one
 * PyTorch sizes with torch.set_num_threads.
 *
 * Only what rev-lower-cpu's code calls is provided: a parallel region with
 * its captures in one argument (MLIR's translation packs them into a
 * struct), static schedules of 64-bit unsigned loops, barriers, the thread
 * number, and num_threads clauses. Anything else fails to link (a missing
 * symbol), not silently at run time. The definitions are hidden: they bind
 * inside the library and never interpose on another library's libomp.
 *
 *===----------------------------------------------------------------------===*/

#include <omp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define REV_HIDDEN __attribute__((visibility("hidden")))

typedef void (*rev_microtask)(int32_t *global_tid, int32_t *bound_tid, ...);

/* A num_threads clause: the size of the next region forked by this thread. */
static _Thread_local int32_t rev_next_threads;

REV_HIDDEN void __kmpc_push_num_threads(void *loc, int32_t gtid,
                                        int32_t threads) {
  (void)loc;
  (void)gtid;
  rev_next_threads = threads;
}

REV_HIDDEN void __kmpc_fork_call(void *loc, int32_t argc, rev_microtask task,
                                 ...) {
  (void)loc;
  void *captures = 0;
  if (argc > 1) {
    fprintf(stderr,
            "rev-opt: a parallel region passes %d arguments; the "
            "libgomp bridge takes one\n",
            (int)argc);
    abort();
  }
  if (argc == 1) {
    va_list ap;
    va_start(ap, task);
    captures = va_arg(ap, void *);
    va_end(ap);
  }
  int threads = rev_next_threads > 0 ? rev_next_threads : omp_get_max_threads();
  rev_next_threads = 0;
#pragma omp parallel num_threads(threads)
  {
    int32_t tid = omp_get_thread_num();
    int32_t bound = tid;
    if (argc == 1)
      task(&tid, &bound, captures);
    else
      task(&tid, &bound);
  }
}

REV_HIDDEN int32_t __kmpc_global_thread_num(void *loc) {
  (void)loc;
  return omp_get_thread_num();
}

REV_HIDDEN void __kmpc_barrier(void *loc, int32_t gtid) {
  (void)loc;
  (void)gtid;
#pragma omp barrier
}

/* Schedule 34 (static, no chunk): the iterations [*lower, *upper] (upper
 * inclusive, step `incr` > 0) are split into one contiguous block per
 * thread, the first `trips % threads` blocks one longer. A thread without
 * iterations gets *lower > *upper. */
REV_HIDDEN void __kmpc_for_static_init_8u(void *loc, int32_t gtid,
                                          int32_t schedule, int32_t *last,
                                          uint64_t *lower, uint64_t *upper,
                                          int64_t *stride, int64_t incr,
                                          int64_t chunk) {
  (void)loc;
  (void)gtid;
  (void)chunk;
  if (schedule != 34 || incr <= 0) {
    fprintf(stderr,
            "rev-opt: the libgomp bridge runs static schedules with "
            "a positive step (schedule %d, step %lld)\n",
            (int)schedule, (long long)incr);
    abort();
  }
  uint64_t threads = (uint64_t)omp_get_num_threads();
  uint64_t tid = (uint64_t)omp_get_thread_num();
  if (*upper < *lower) {
    *last = 0;
    return;
  }
  uint64_t trips = (*upper - *lower) / (uint64_t)incr + 1;
  *stride = (int64_t)(trips * (uint64_t)incr);
  uint64_t base = trips / threads, extra = trips % threads;
  uint64_t first = tid * base + (tid < extra ? tid : extra);
  uint64_t count = base + (tid < extra ? 1 : 0);
  uint64_t start = *lower + first * (uint64_t)incr;
  *last = count > 0 && first + count == trips;
  *lower = start;
  /* No iterations: an upper bound below the lower one. */
  *upper = count > 0 ? start + (count - 1) * (uint64_t)incr : start - 1;
  if (count == 0 && start == 0) {
    *lower = 1;
    *upper = 0;
  }
}

REV_HIDDEN void __kmpc_for_static_fini(void *loc, int32_t gtid) {
  (void)loc;
  (void)gtid;
}
