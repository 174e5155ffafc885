/*
 * stats.c - counts without personal data for the partners' risk analysis:
 * per crossing point and month, minors checked (first-line checks),
 * assessments by subject and recommendation, cases opened, referrals and
 * closures by outcome.  Only codes, months and counts leave this file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/date.h"
#include "protect_int.h"

static const char *const count_columns[] = {
    "minors_checked", "assessments_child", "assessments_adult", "recommended_second_line",
    "recommended_referral", "cases_opened", "referrals", "closed",
};
#define NCOUNTS (sizeof count_columns / sizeof count_columns[0])

static bool month_ok(const char *m)
{
    int y, mo;
    char tail;
    return m && strlen(m) == 7 && sscanf(m, "%4d-%2d%c", &y, &mo, &tail) == 2 && m[4] == '-' &&
           mo >= 1 && mo <= 12 && y >= 1970;
}

/* The row for (point, month), created with zero counts when new. */
static json_t *row_for(json_t *rows, const json_t *outcomes, const char *point, const char *month)
{
    char key[40];
    snprintf(key, sizeof key, "%s|%s", month, point);
    json_t *row = json_object_get(rows, key);
    if (row)
        return row;
    row = json_pack("{s:s, s:s}", "crossing_point", point, "month", month);
    for (size_t i = 0; i < NCOUNTS; i++)
        json_object_set_new(row, count_columns[i], json_integer(0));
    size_t i;
    const json_t *o;
    json_array_foreach(outcomes, i, o) {
        char col[64];
        snprintf(col, sizeof col, "outcome_%s", json_string_value(o));
        json_object_set_new(row, col, json_integer(0));
    }
    json_object_set_new(rows, key, row);
    return row;
}

static void add_count(json_t *row, const char *col, int64_t n)
{
    json_object_set_new(row, col, json_integer(json_integer_value(json_object_get(row, col)) + n));
}

/* Run a grouped query whose first two columns are point and month, last is the count. */
static limes_rc tally(store_tx *tx, const char *sql, const char *from, const char *to,
                      json_t *rows, const json_t *outcomes,
                      const char *(*column)(store_rows *r, char *out, size_t n), limes_error *err)
{
    store_val p[] = {sv_text(from), sv_text(to)};
    store_rows *r;
    limes_rc rc = store_query(tx, sql, p, 2, &r, err);
    if (rc)
        return rc;
    int have;
    while ((have = store_rows_next(r, err)) == 1) {
        char colbuf[64];
        const char *col = column(r, colbuf, sizeof colbuf);
        if (!col)
            continue;
        if (col != colbuf)
            snprintf(colbuf, sizeof colbuf, "%s", col);
        json_t *row = row_for(rows, outcomes, store_col_text(r, 0), store_col_text(r, 1));
        if (json_object_get(row, colbuf))
            add_count(row, colbuf, store_col_int(r, 3));
    }
    store_rows_close(r);
    return have < 0 ? (err ? err->rc : LIMES_STORE) : LIMES_OK;
}

static const char *assessment_column(store_rows *r, char *out, size_t n)
{
    return strcmp(store_col_text(r, 2), "adult") == 0 ? "assessments_adult" : "assessments_child";
}

static const char *recommendation_column(store_rows *r, char *out, size_t n)
{
    const char *rec = store_col_text(r, 2);
    if (strcmp(rec, "referral") == 0)
        return "recommended_referral";
    if (strcmp(rec, "second_line_interview") == 0)
        return "recommended_second_line";
    return NULL;
}

static const char *opened_column(store_rows *r, char *out, size_t n) { return "cases_opened"; }
static const char *referral_column(store_rows *r, char *out, size_t n) { return "referrals"; }

static const char *outcome_column(store_rows *r, char *out, size_t n)
{
    snprintf(out, n, "outcome_%s", store_col_text(r, 2));
    return out;
}

#define MONTH_FILTER " (CAST($1 AS TEXT) IS NULL OR month >= $1) AND (CAST($2 AS TEXT) IS NULL OR month <= $2)"

static limes_rc tally_all(store_tx *tx, const char *from, const char *to, json_t *rows,
                          const json_t *outcomes, limes_error *err)
{
    limes_rc rc = tally(tx, "SELECT crossing_point, month, subject_kind, COUNT(*) FROM"
                            " protect_assessments WHERE" MONTH_FILTER
                            " GROUP BY crossing_point, month, subject_kind",
                        from, to, rows, outcomes, assessment_column, err);
    if (!rc)
        rc = tally(tx, "SELECT crossing_point, month, recommendation, COUNT(*) FROM"
                       " protect_assessments WHERE" MONTH_FILTER
                       " GROUP BY crossing_point, month, recommendation",
                   from, to, rows, outcomes, recommendation_column, err);
    if (!rc)
        rc = tally(tx, "SELECT crossing_point, month, '', COUNT(*) FROM protect_cases WHERE"
                       MONTH_FILTER " GROUP BY crossing_point, month",
                   from, to, rows, outcomes, opened_column, err);
    if (!rc)
        rc = tally(tx, "SELECT crossing_point, month, '', COUNT(*) FROM protect_case_steps WHERE"
                       " step = 'referred' AND" MONTH_FILTER " GROUP BY crossing_point, month",
                   from, to, rows, outcomes, referral_column, err);
    if (!rc)
        rc = tally(tx, "SELECT crossing_point, month, outcome, COUNT(*) FROM protect_case_steps"
                       " WHERE step = 'closed' AND" MONTH_FILTER
                       " GROUP BY crossing_point, month, outcome",
                   from, to, rows, outcomes, outcome_column, err);
    return rc;
}

/*
 * Minors checked: first-line checks (src/border, table `checks`) whose
 * traveller was a minor on the day (unknown or doubtful age counts as a
 * minor), per crossing point and month of the check.
 */
static limes_rc tally_minors(limes_store *s, const char *from, const char *to, json_t *rows,
                             const json_t *outcomes, bool *available, limes_error *err)
{
    int fy = 1970, fm = 1, ty = 9999, tm = 12;
    if (from)
        sscanf(from, "%4d-%2d", &fy, &fm);
    if (to)
        sscanf(to, "%4d-%2d", &ty, &tm);
    day_t first = date_from_civil(fy, fm, 1);
    day_t last = to ? date_from_civil(ty, tm, date_days_in_month(ty, tm)) : INT32_MAX / 2;
    store_tx *tx;
    *available = false;
    limes_rc rc = store_begin(s, false, &tx, err);
    if (rc)
        return rc;
    store_val p[] = {sv_int(first), sv_int(last)};
    store_rows *r;
    rc = store_query(tx, "SELECT b.code, c.day FROM checks c JOIN bcp b ON b.id = c.bcp_id"
                         " WHERE c.minor = 1 AND c.day >= $1 AND c.day <= $2", p, 2, &r, err);
    if (rc) {
        store_rollback(tx);
        return rc;
    }
    int have;
    while ((have = store_rows_next(r, err)) == 1) {
        int y, m, d;
        date_to_civil((day_t)store_col_int(r, 1), &y, &m, &d);
        char month[12];
        snprintf(month, sizeof month, "%04d-%02d", y % 10000, m % 100);
        add_count(row_for(rows, outcomes, store_col_text(r, 0), month), "minors_checked", 1);
    }
    store_rows_close(r);
    store_rollback(tx);
    *available = have == 0;
    return have < 0 ? (err ? err->rc : LIMES_STORE) : LIMES_OK;
}

static int compare_rows(const void *a, const void *b)
{
    const json_t *ra = *(json_t *const *)a, *rb = *(json_t *const *)b;
    int c = strcmp(json_string_value(json_object_get(ra, "month")),
                   json_string_value(json_object_get(rb, "month")));
    return c ? c : strcmp(json_string_value(json_object_get(ra, "crossing_point")),
                          json_string_value(json_object_get(rb, "crossing_point")));
}

static json_t *sorted_rows(json_t *rows)
{
    size_t n = json_object_size(rows), i = 0;
    json_t **items = calloc(n ? n : 1, sizeof *items);
    const char *key;
    json_t *row;
    json_object_foreach(rows, key, row)
        items[i++] = row;
    qsort(items, n, sizeof *items, compare_rows);
    json_t *out = json_array();
    for (i = 0; i < n; i++)
        json_array_append(out, items[i]);
    free(items);
    return out;
}

limes_rc limes_protect_stats(limes_store *s, const char *from_month, const char *to_month,
                             json_t **out, limes_error *err)
{
    if (from_month && !month_ok(from_month))
        return limes_fail(err, LIMES_INVALID, "from", "'from' must be a month YYYY-MM");
    if (to_month && !month_ok(to_month))
        return limes_fail(err, LIMES_INVALID, "to", "'to' must be a month YYYY-MM");
    json_t *wf;
    limes_rc rc = limes_protect_workflow(&wf, err);
    if (rc)
        return rc;
    json_t *outcomes = json_array();
    size_t i;
    const json_t *o;
    json_array_foreach(json_object_get(wf, "outcomes"), i, o)
        json_array_append(outcomes, json_object_get(o, "code"));
    json_decref(wf);
    json_t *rows = json_object();
    store_tx *tx;
    rc = store_begin(s, false, &tx, err);
    if (!rc) {
        rc = tally_all(tx, from_month, to_month, rows, outcomes, err);
        store_rollback(tx);
    }
    bool minors = false;
    if (!rc)
        rc = tally_minors(s, from_month, to_month, rows, outcomes, &minors, err);
    if (rc) {
        json_decref(rows);
        json_decref(outcomes);
        return rc;
    }
    *out = json_pack("{s:o, s:o, s:b, s:s}", "rows", sorted_rows(rows), "outcomes", outcomes,
                     "minors_checked_available", minors, "note",
                     "Counts only; no personal data. Months are UTC.");
    json_decref(rows);
    return LIMES_OK;
}

limes_rc limes_protect_stats_csv(const json_t *stats, char **csv, limes_error *err)
{
    buf b;
    buf_init(&b, 64u << 20);
    limes_rc rc = buf_puts(&b, "crossing_point,month");
    for (size_t i = 0; !rc && i < NCOUNTS; i++)
        rc = buf_printf(&b, ",%s", count_columns[i]);
    size_t i;
    const json_t *o, *row;
    json_array_foreach(json_object_get(stats, "outcomes"), i, o)
        if (!rc)
            rc = buf_printf(&b, ",outcome_%s", json_string_value(o));
    if (!rc)
        rc = buf_puts(&b, "\r\n");
    json_array_foreach(json_object_get(stats, "rows"), i, row) {
        if (rc)
            break;
        /* codes are A-Z 0-9 - _ only (validated on input), so no quoting is needed */
        rc = buf_printf(&b, "%s,%s", json_string_value(json_object_get(row, "crossing_point")),
                        json_string_value(json_object_get(row, "month")));
        for (size_t c = 0; !rc && c < NCOUNTS; c++)
            rc = buf_printf(&b, ",%lld",
                            (long long)json_integer_value(json_object_get(row, count_columns[c])));
        size_t k;
        json_array_foreach(json_object_get(stats, "outcomes"), k, o) {
            char col[64];
            snprintf(col, sizeof col, "outcome_%s", json_string_value(o));
            if (!rc)
                rc = buf_printf(&b, ",%lld",
                                (long long)json_integer_value(json_object_get(row, col)));
        }
        if (!rc)
            rc = buf_puts(&b, "\r\n");
    }
    if (rc) {
        buf_release(&b);
        return limes_fail(err, rc, "", "cannot build the CSV");
    }
    *csv = buf_take(&b);
    return LIMES_OK;
}
