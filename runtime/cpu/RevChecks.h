/*===- RevChecks.h - the record of failed run-time checks ------*- C -*-===*
 *
 * Code lowered by rev-lower-cpu calls rev_check_failed(check, value) when a
 * run-time check (rev.check_range: cross-entropy labels, Gather indices)
 * fails, clamps the indices and goes on; the caller asks rev_check_status()
 * after the call. The first failure is kept; OpenMP worker threads may
 * report concurrently. rev-run (lib/Runtime) and every ahead-of-time library
 * (utils/aot-compile.py) use this one implementation, RevChecks.c.
 *
 *===----------------------------------------------------------------------===*/

#ifndef REV_RUNTIME_CPU_REVCHECKS_H
#define REV_RUNTIME_CPU_REVCHECKS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Records a failed check (its number in rev.checks, an offending value).
void rev_check_failed(int64_t check, int64_t value);
/// 1 when a check failed since the last rev_check_status, else 0.
int rev_check_pending(void);
/// 1 and the failure (then cleared) when a check failed, else 0; either
/// pointer may be null.
int rev_check_status(int64_t *check, int64_t *value);

#ifdef __cplusplus
}
#endif

#endif /* REV_RUNTIME_CPU_REVCHECKS_H */
