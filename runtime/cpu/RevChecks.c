/*===- RevChecks.c - the record of failed run-time checks -----------------===*
 *
 * See RevChecks.h. Compiled into rev-run (lib/Runtime) and into every library
 * utils/aot-compile.py writes.
 *
 *===----------------------------------------------------------------------===*/

#include "RevChecks.h"

#include <stdatomic.h>

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
