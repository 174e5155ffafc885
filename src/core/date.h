/*
 * date.h - calendar arithmetic on day numbers.
 *
 * Dates are days since 1970-01-01 (proleptic Gregorian), so stays, windows
 * and ages are integer arithmetic.  Conversions follow Howard Hinnant's
 * days_from_civil algorithm.  No memory is allocated.
 */
#ifndef LIMES_CORE_DATE_H
#define LIMES_CORE_DATE_H

#include <stdbool.h>
#include <stdint.h>

typedef int32_t day_t; /* days since 1970-01-01 */

day_t date_from_civil(int y, int m, int d);
void date_to_civil(day_t day, int *y, int *m, int *d);
bool date_valid(int y, int m, int d);
int date_days_in_month(int y, int m);
/* Parse "YYYY-MM-DD" exactly; false if malformed or not a real date. */
bool date_parse_iso(const char *s, day_t *out);
/* Write "YYYY-MM-DD" into out (at least 11 bytes). */
void date_format_iso(day_t day, char out[11]);
/* Today in UTC. */
day_t date_today(void);
/* Milliseconds since the epoch, wall clock. */
int64_t time_now_ms(void);
/* Monotonic clock in nanoseconds, for measuring durations. */
int64_t time_mono_ns(void);
/* RFC 3339 UTC timestamp with milliseconds into out (at least 25 bytes). */
void time_format_rfc3339(int64_t ms, char out[32]);
/* Whole years of age on `on` for someone born on `birth`. */
int date_age_years(day_t birth, day_t on);

#endif
