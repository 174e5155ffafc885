/*
 * limes/stay.h - the short-stay rule (90 days in any 180) and the
 * per-nationality regimes that say which rule applies to whom.
 *
 * Dates are day numbers: days since 1970-01-01 (proleptic Gregorian), as in
 * limes/mrz.h.  A stay is the closed interval [entry, exit]: the entry day
 * and the exit day both count, and a same-day entry and exit is one day.
 * An open stay (still present) has exit = LIMES_STAY_OPEN and is counted up
 * to the day of the check.
 *
 * The rule for day D: count the days present in the window [D - (W-1), D]
 * (W = 180 days); more than M (90) is an overstay.  Planning from an entry
 * day E: the longest stay [E, E+n-1] such that every day of it satisfies the
 * rule.  Rule parameters come from the regime table (data file
 * src/stay/regimes.csv, replaceable by a partner's own), never from code.
 *
 * Memory: everything here is plain values the caller owns; the regime table
 * is process-wide, read-only after loading, and needs no cleanup.
 */
#ifndef LIMES_STAY_H
#define LIMES_STAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "limes/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LIMES_STAY_OPEN INT32_MAX /* exit day of a stay still in progress */

typedef struct limes_stay {
    int32_t entry;
    int32_t exit; /* >= entry, or LIMES_STAY_OPEN */
} limes_stay;

/* What kind of short-stay regime applies to a nationality. */
typedef enum limes_stay_regime_kind {
    LIMES_REGIME_VISA_FREE,     /* the rule applies, no visa needed */
    LIMES_REGIME_VISA_REQUIRED, /* the rule applies, a visa is needed */
    LIMES_REGIME_BILATERAL,     /* an agreement sets its own max_days */
    LIMES_REGIME_FREE_MOVEMENT, /* no limit (own or free-movement nationals) */
} limes_stay_regime_kind;

typedef struct limes_stay_rule {
    int max_days;    /* M: days allowed in any window (90) */
    int window_days; /* W: length of the window in days (180) */
} limes_stay_rule;

typedef struct limes_stay_regime {
    char nationality[4]; /* ICAO 9303 three-letter code, or "*" for the default */
    limes_stay_regime_kind kind;
    limes_stay_rule rule;
    char note[96];
} limes_stay_regime;

/* The situation on the day of a check. */
typedef struct limes_stay_status {
    int32_t on;           /* the check day */
    int used;             /* days present in the window ending on `on` */
    int overstay;         /* max(0, used - max_days) */
    bool present;         /* a stay covers `on` (open or not) */
    int32_t stay_entry;   /* entry day of the stay covering `on`, if present */
    /* Present: the last lawful day of the current stay (continuing without
     * a break); stay_entry - 1 if even the entry day was unlawful.
     * Absent: the last day of the longest lawful stay entering on `on`. */
    int32_t latest_exit;
    /* Present: lawful days still ahead after `on` (latest_exit - on, at
     * least 0).  Absent: length of the longest lawful stay entering on `on`. */
    int days_left;
    bool unlimited;       /* free movement: no rule applies */
} limes_stay_status;

/* The Schengen default: 90 days in any 180. */
limes_stay_rule limes_stay_rule_default(void);

/* Days of `stays` that fall within [from, to]; open stays end on `to`. */
int limes_stay_days_in(const limes_stay *stays, size_t n, int32_t from, int32_t to);

/*
 * Check mode on day `on`.  Stays (in any order) are those recorded; a stay
 * exiting after `on` counts only up to `on`; stays entering after `on` are
 * ignored.  LIMES_INVALID (field "stays") if a stay exits before it enters.
 */
limes_rc limes_stay_check(const limes_stay_rule *rule, const limes_stay *stays, size_t n,
                          int32_t on, limes_stay_status *out, limes_error *err);

/*
 * Planning mode: the longest lawful stay entering on `entry`, given the stays
 * before it (stays entering on or after `entry` are ignored; one overlapping
 * `entry` is cut at entry - 1).  *days is 0..max_days.
 */
limes_rc limes_stay_plan(const limes_stay_rule *rule, const limes_stay *stays, size_t n,
                         int32_t entry, int *days, limes_error *err);

/*
 * The regime for a nationality: its own line of the table, else the "*"
 * default.  Uses the table loaded with limes_stay_regimes_load(), or the
 * compiled-in one.
 */
void limes_stay_regime_for(const char *nationality, limes_stay_regime *out);
/*
 * Replace the process-wide regime table with a CSV file of the same format
 * as src/stay/regimes.csv (nationality,regime,max_days,window_days,note).
 * Call once at start-up, before threads use the table.  On error the
 * previous table stays; err names the line.
 */
limes_rc limes_stay_regimes_load(const char *path, limes_error *err);
/* "visa_free", "visa_required", "bilateral", "free_movement". */
const char *limes_stay_regime_name(limes_stay_regime_kind kind);

/* "YYYY-MM-DD" <-> day number; LIMES_INVALID (field `field`) if not a date. */
limes_rc limes_day_parse(const char *iso, const char *field, int32_t *day, limes_error *err);
void limes_day_format(int32_t day, char out[11]);
int32_t limes_day_today(void);

#ifdef __cplusplus
}
#endif
#endif
