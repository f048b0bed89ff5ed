/*===- RevChecks.c - the runtime of ahead-of-time libraries ---------------===*
 *
 * Compiled into every library utils/aot-compile.py writes.
 *
 * Run-time checks: code lowered by rev-lower-cpu calls
 * rev_check_failed(check, value) when a check (rev.check_range: cross-entropy
 * labels, Gather indices) fails, clamps the indices and goes on; the caller
 * asks rev_check_status() after the call. The first failure is kept; OpenMP
 * worker threads may report concurrently.
 *
 * Allocation: the code allocates through _mlir_memref_to_llvm_alloc and
 * friends (rev-lower-cpu generic-alloc). When malloc fails, the call is
 * abandoned: rev_<entry>(), the generated wrapper, set a jump buffer on its
 * thread and returns 2 (the buffers allocated so far are lost). Without a
 * wrapper (a direct call of _mlir_ciface_<entry>), or on another thread, the
 * library prints a message and aborts.
 *
 *===----------------------------------------------------------------------===*/

#include <setjmp.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static atomic_int rev_failed;
static int64_t rev_failed_check = -1, rev_failed_value;

void rev_check_failed(int64_t check, int64_t value) {
  int expected = 0;
  if (atomic_compare_exchange_strong(&rev_failed, &expected, 1)) {
    rev_failed_check = check;
    rev_failed_value = value;
  }
}

int rev_check_pending(void) { return atomic_load(&rev_failed); }

int rev_check_status(int64_t *check, int64_t *value) {
  if (!atomic_load(&rev_failed))
    return 0;
  if (check)
    *check = rev_failed_check;
  if (value)
    *value = rev_failed_value;
  rev_failed_check = -1;
  rev_failed_value = 0;
  atomic_store(&rev_failed, 0);
  return 1;
}

static _Thread_local jmp_buf *rev_jump;
static _Atomic uint64_t rev_failed_bytes;

void rev_set_jump(jmp_buf *env) { rev_jump = env; }

uint64_t rev_out_of_memory_bytes(void) { return rev_failed_bytes; }

static void *rev_checked(void *p, uint64_t size) {
  if (p || !size)
    return p;
  rev_failed_bytes = size;
  if (rev_jump)
    longjmp(*rev_jump, 1);
  fprintf(stderr, "error: out of memory: the compiled code asked for %llu "
                  "bytes\n", (unsigned long long)size);
  abort();
}

void *_mlir_memref_to_llvm_alloc(uint64_t size) {
  return rev_checked(malloc(size), size);
}

void *_mlir_memref_to_llvm_aligned_alloc(uint64_t alignment, uint64_t size) {
  if (size > UINT64_MAX - alignment)
    return rev_checked(NULL, size);
  uint64_t rounded = (size + alignment - 1) / alignment * alignment;
  return rev_checked(aligned_alloc(alignment, rounded), size);
}

void _mlir_memref_to_llvm_free(void *p) { free(p); }
