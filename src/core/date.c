/*
 * date.c - civil-date conversions and clocks; see date.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "date.h"

day_t date_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (day_t)(era * 146097 + (int)doe - 719468);
}

void date_to_civil(day_t z, int *y, int *m, int *d)
{
    z += 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const int dd = (int)(doy - (153 * mp + 2) / 5 + 1);
    const int mm = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)yoe + era * 400 + (mm <= 2);
    *m = mm;
    *d = dd;
}

static bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int date_days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

bool date_valid(int y, int m, int d)
{
    return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= date_days_in_month(y, m);
}

static bool all_digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

bool date_parse_iso(const char *s, day_t *out)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    if (!all_digits(s, 4) || !all_digits(s + 5, 2) || !all_digits(s + 8, 2))
        return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    if (!date_valid(y, m, d))
        return false;
    *out = date_from_civil(y, m, d);
    return true;
}

void date_format_iso(day_t day, char out[11])
{
    int y, m, d;
    date_to_civil(day, &y, &m, &d);
    snprintf(out, 11, "%04d-%02d-%02d", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);
}

int64_t time_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t time_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

day_t date_today(void) { return (day_t)(time_now_ms() / 86400000); }

void time_format_rfc3339(int64_t ms, char out[32])
{
    day_t day = (day_t)(ms / 86400000);
    int64_t rem = ms % 86400000;
    if (rem < 0) {
        rem += 86400000;
        day -= 1;
    }
    int y, m, d;
    date_to_civil(day, &y, &m, &d);
    int sec = (int)(rem / 1000);
    snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y % 10000, m, d, sec / 3600,
             sec / 60 % 60, sec % 60, (int)(rem % 1000));
}

int date_age_years(day_t birth, day_t on)
{
    int by, bm, bd, oy, om, od;
    date_to_civil(birth, &by, &bm, &bd);
    date_to_civil(on, &oy, &om, &od);
    int age = oy - by;
    if (om < bm || (om == bm && od < bd))
        age--;
    return age;
}
