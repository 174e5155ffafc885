/*
 * stay.c - the short-stay calculator: days used in the sliding window,
 * overstay, latest lawful exit, and planning from a future entry.
 *
 * Stays are first put in order and merged (overlapping records of the same
 * days must not count twice), then the window sums are plain interval
 * overlaps.  Planning steps day by day over at most max_days days, each
 * step O(stays): the algorithm of domain.md section 8.4.
 */
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "limes/stay.h"

limes_stay_rule limes_stay_rule_default(void) { return (limes_stay_rule){90, 180}; }

static int64_t overlap(int32_t a0, int32_t a1, int32_t b0, int32_t b1)
{
    int32_t lo = a0 > b0 ? a0 : b0;
    int32_t hi = a1 < b1 ? a1 : b1;
    return hi >= lo ? (int64_t)hi - lo + 1 : 0;
}

int limes_stay_days_in(const limes_stay *stays, size_t n, int32_t from, int32_t to)
{
    int64_t days = 0;
    for (size_t i = 0; i < n; i++) {
        int32_t exit = stays[i].exit == LIMES_STAY_OPEN ? to : stays[i].exit;
        days += overlap(stays[i].entry, exit, from, to);
    }
    return days > INT32_MAX ? INT32_MAX : (int)days;
}

static int by_entry(const void *a, const void *b)
{
    const limes_stay *x = a, *y = b;
    return (x->entry > y->entry) - (x->entry < y->entry);
}

static limes_rc validate(const limes_stay_rule *rule, const limes_stay *stays, size_t n,
                         limes_error *err)
{
    if (!rule || rule->max_days < 1 || rule->window_days < rule->max_days ||
        rule->window_days > 3660)
        return limes_fail(err, LIMES_INVALID, "rule",
                          "the stay rule needs 1 <= max_days <= window_days <= 3660");
    for (size_t i = 0; i < n; i++)
        if (stays[i].exit < stays[i].entry)
            return limes_fail(err, LIMES_INVALID, "stays",
                              "stay %zu exits before it enters", i + 1);
    return LIMES_OK;
}

/*
 * The stays that touch days up to `last`, cut at `last` (open stays end
 * there too), sorted and merged into *out (caller frees).  *count is the
 * number of merged stays.
 */
static limes_rc cut_and_merge(const limes_stay *stays, size_t n, int32_t last, limes_stay **out,
                              size_t *count)
{
    limes_stay *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return LIMES_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (stays[i].entry > last)
            continue;
        v[k].entry = stays[i].entry;
        v[k].exit = stays[i].exit > last ? last : stays[i].exit;
        k++;
    }
    qsort(v, k, sizeof *v, by_entry);
    size_t m = 0;
    for (size_t i = 0; i < k; i++) {
        if (m > 0 && (int64_t)v[i].entry <= (int64_t)v[m - 1].exit + 1) {
            if (v[i].exit > v[m - 1].exit)
                v[m - 1].exit = v[i].exit;
        } else {
            v[m++] = v[i];
        }
    }
    *out = v;
    *count = m;
    return LIMES_OK;
}

/* Longest lawful stay from `entry` given merged stays that all end before it. */
static int plan_from(const limes_stay_rule *rule, const limes_stay *prior, size_t n,
                     int32_t entry)
{
    int days = 0;
    for (int k = 0; k < rule->max_days; k++) {
        int32_t d = entry + k;
        int used = limes_stay_days_in(prior, n, d - rule->window_days + 1, d) + k + 1;
        if (used > rule->max_days)
            break;
        days = k + 1;
    }
    return days;
}

limes_rc limes_stay_plan(const limes_stay_rule *rule, const limes_stay *stays, size_t n,
                         int32_t entry, int *days, limes_error *err)
{
    limes_rc rc = validate(rule, stays, n, err);
    if (rc)
        return rc;
    limes_stay *prior;
    size_t m;
    if (cut_and_merge(stays, n, entry - 1, &prior, &m))
        return limes_fail(err, LIMES_NOMEM, "", "out of memory");
    *days = plan_from(rule, prior, m, entry);
    free(prior);
    return LIMES_OK;
}

limes_rc limes_stay_check(const limes_stay_rule *rule, const limes_stay *stays, size_t n,
                          int32_t on, limes_stay_status *out, limes_error *err)
{
    memset(out, 0, sizeof *out);
    limes_rc rc = validate(rule, stays, n, err);
    if (rc)
        return rc;
    limes_stay *v;
    size_t m;
    if (cut_and_merge(stays, n, on, &v, &m))
        return limes_fail(err, LIMES_NOMEM, "", "out of memory");
    out->on = on;
    out->used = limes_stay_days_in(v, m, on - rule->window_days + 1, on);
    out->overstay = out->used > rule->max_days ? out->used - rule->max_days : 0;
    out->present = m > 0 && v[m - 1].exit == on;
    if (out->present) {
        /* The current stay against the stays before it, continuing unbroken. */
        out->stay_entry = v[m - 1].entry;
        int lawful = plan_from(rule, v, m - 1, out->stay_entry);
        out->latest_exit = out->stay_entry + lawful - 1;
        out->days_left = out->latest_exit > on ? out->latest_exit - on : 0;
    } else {
        out->days_left = plan_from(rule, v, m, on);
        out->latest_exit = on + out->days_left - 1;
    }
    free(v);
    return LIMES_OK;
}

limes_rc limes_day_parse(const char *iso, const char *field, int32_t *day, limes_error *err)
{
    day_t d;
    if (!iso || !date_parse_iso(iso, &d))
        return limes_fail(err, LIMES_INVALID, field ? field : "date",
                          "'%s' is not a date (YYYY-MM-DD)", iso ? iso : "");
    *day = d;
    return LIMES_OK;
}

void limes_day_format(int32_t day, char out[11]) { date_format_iso(day, out); }

int32_t limes_day_today(void) { return date_today(); }
