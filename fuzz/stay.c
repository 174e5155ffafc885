/*
 * stay.c - fuzz target for the 90/180 calculator: the input is a rule and
 * up to 64 stays (closed or open) and a check day; the target checks the
 * calculator's invariants and aborts when one breaks:
 *   - days used lie in [0, window] and never exceed the days of the stays;
 *   - overstay = max(0, used - max_days);
 *   - planning gives 0..max_days days, every day of that stay is lawful,
 *     and one more day would not be (the planned stay is the longest).
 * Bytes: [max-1] [window-max] [check lo] [check hi] then per stay
 * [entry lo] [entry hi] [length, 255 = open].
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "limes/stay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BASE 20000 /* a day number in 2024 */

static void must(int cond)
{
    if (!cond)
        abort();
}

static int used_with(const limes_stay_rule *rule, limes_stay *stays, size_t n, limes_stay extra,
                     int32_t on)
{
    stays[n] = extra;
    limes_stay_status st;
    must(limes_stay_check(rule, stays, n + 1, on, &st, NULL) == LIMES_OK);
    return st.used;
}

static void check_plan(const limes_stay_rule *rule, limes_stay *stays, size_t n, int32_t entry)
{
    /* what the plan sees: stays entering before the entry, cut the day before it */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (stays[i].entry >= entry)
            continue;
        stays[k] = stays[i];
        if (stays[k].exit == LIMES_STAY_OPEN || stays[k].exit >= entry)
            stays[k].exit = entry - 1;
        k++;
    }
    int days = -1;
    must(limes_stay_plan(rule, stays, k, entry, &days, NULL) == LIMES_OK);
    must(days >= 0 && days <= rule->max_days);
    for (int d = 0; d < days; d++)
        must(used_with(rule, stays, k, (limes_stay){entry, entry + d}, entry + d) <=
             rule->max_days);
    if (days < rule->max_days)
        must(used_with(rule, stays, k, (limes_stay){entry, entry + days}, entry + days) >
             rule->max_days);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    limes_stay_rule rule = {1 + data[0] % 120, 0};
    rule.window_days = rule.max_days + data[1];
    int32_t on = BASE + (data[2] | data[3] << 8) % 2000;
    limes_stay stays[65];
    size_t n = 0;
    int64_t total = 0;
    for (size_t i = 4; i + 2 < size && n < 64; i += 3) {
        int32_t entry = BASE + (data[i] | data[i + 1] << 8) % 2000;
        int32_t exit = data[i + 2] == 255 ? LIMES_STAY_OPEN : entry + data[i + 2];
        stays[n++] = (limes_stay){entry, exit};
        if (entry <= on)
            total += (exit == LIMES_STAY_OPEN || exit > on ? on : exit) - entry + 1;
    }
    limes_stay_status st;
    must(limes_stay_check(&rule, stays, n, on, &st, NULL) == LIMES_OK);
    must(st.used >= 0 && st.used <= rule.window_days && st.used <= total);
    must(st.overstay == (st.used > rule.max_days ? st.used - rule.max_days : 0));
    must(st.days_left >= 0 && st.days_left <= rule.max_days);
    check_plan(&rule, stays, n, on + 1);
    return 0;
}
