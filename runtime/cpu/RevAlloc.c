/*===- RevAlloc.c - allocation for ahead-of-time libraries ----------------===*
 *
 * Compiled into every library utils/aot-compile.py writes. The code
 * allocates through _mlir_memref_to_llvm_alloc and friends (rev-lower-cpu
 * generic-alloc). When malloc fails, the call is abandoned: rev_<entry>(),
 * the generated wrapper, set a jump buffer on its thread and returns 2 (the
 * buffers allocated so far are lost). Without a wrapper (a direct call of
 * _mlir_ciface_<entry>), or on another thread, the library prints a message
 * and aborts.
 *
 *===----------------------------------------------------------------------===*/

#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

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
