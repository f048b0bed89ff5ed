/*===- RevChecks.c - run-time checks of ahead-of-time libraries -----------===*
 *
 * Compiled into every library utils/aot-compile.py writes. Code lowered by
 * rev-lower-cpu calls rev_check_failed(check, value) when a run-time check
 * (rev.check_range: cross-entropy labels, Gather indices) fails, clamps the
 * indices and goes on; the caller asks rev_check_status() after the call.
 * The first failure is kept; OpenMP worker threads may report concurrently.
 *
 *===----------------------------------------------------------------------===*/

#include <stdatomic.h>
#include <stdint.h>

static atomic_int rev_failed;
static int64_t rev_failed_check = -1, rev_failed_value;

void rev_check_failed(int64_t check, int64_t value) {
  int expected = 0;
  if (atomic_compare_exchange_strong(&rev_failed, &expected, 1)) {
    rev_failed_check = check;
    rev_failed_value = value;
  }
}

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
