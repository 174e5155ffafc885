/*
 * derive.c - indicators limes can know from records rather than from the
 * officer's eyes (domain.md 5.2: "B4 and D5 are where a BMIS adds value").
 *
 *   B4  a companion of the assessed person crossed, within the window,
 *       with at least `min_minors` minors who were with them only once,
 *       spread over two or more journeys (together = same day, crossing
 *       point, direction and flight/vessel/vehicle; a family travelling
 *       together again and again does not count);
 *   D5  the booking agent of this journey booked at least `min_minors`
 *       other minors within the window;
 *   C2  the assessed person's document is recorded lost or stolen.
 *
 * The evidence carries counts only, never the other children's identity.
 * limes_protect_derive() works on an explicit list of crossings (and is
 * what the tests drive); limes_protect_derive_from_store() builds that
 * list from the border records (crossings, travellers, bcp tables).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "protect_int.h"

#define DEFAULT_WINDOW_DAYS 365
#define DEFAULT_MIN_MINORS 2
#define MAX_HISTORY 20000

static bool same_journey(const limes_protect_crossing *a, const limes_protect_crossing *b)
{
    return a->day == b->day && a->travel_ref && a->travel_ref[0] && b->travel_ref &&
           strcmp(a->travel_ref, b->travel_ref) == 0 && a->bcp && b->bcp &&
           strcmp(a->bcp, b->bcp) == 0 && a->direction && b->direction &&
           strcmp(a->direction, b->direction) == 0;
}

static bool is_other_minor(const limes_protect_crossing *x, const limes_protect_history *h,
                           const char *companion)
{
    return x->minor && x->traveller && strcmp(x->traveller, h->subject ? h->subject : "") != 0 &&
           (!companion || strcmp(x->traveller, companion) != 0);
}

static bool in_window(const limes_protect_crossing *x, const limes_protect_history *h, int window)
{
    return x->day <= h->today && x->day >= h->today - window;
}

/* Count distinct travellers kept in `seen` (a JSON object used as a set). */
static void add_distinct(json_t *seen, const char *key)
{
    json_object_set_new(seen, key, json_true());
}
/* Journeys of the companion in the window with other minors: counting them into `seen`
 * (count), or (!count) those with a minor seen only once; returns the number of journeys. */
static int each_journey(const limes_protect_history *h, const char *companion, int window,
                        json_t *seen, bool count)
{
    int journeys = 0;
    for (size_t i = 0; i < h->npast; i++) {
        const limes_protect_crossing *c = &h->past[i];
        if (!c->traveller || strcmp(c->traveller, companion) != 0 || !in_window(c, h, window))
            continue;
        bool hit = false;
        for (size_t j = 0; j < h->npast; j++) {
            const limes_protect_crossing *x = &h->past[j];
            if (!is_other_minor(x, h, companion) || !same_journey(c, x))
                continue;
            json_int_t n = json_integer_value(json_object_get(seen, x->traveller));
            if (count)
                json_object_set_new(seen, x->traveller, json_integer(n + 1));
            hit |= count || n == 1;
        }
        journeys += hit;
    }
    return journeys;
}

/*
 * B4: the companion crossed, within the window, with at least `min_minors`
 * minors who were with them only once, spread over two or more journeys
 * ("repeatedly with different children").  Children who travel with the
 * same adult time and again (a family) do not count, nor does one trip
 * with several children.
 */
static json_t *companion_pattern(const limes_protect_history *h, const char *companion,
                                 int window, int min_minors)
{
    json_t *seen = json_object(); /* minor -> number of journeys with the companion */
    int journeys = each_journey(h, companion, window, seen, true);
    int journeys_once = each_journey(h, companion, window, seen, false);
    json_int_t once = 0;
    const char *key;
    json_t *count;
    json_object_foreach(seen, key, count)
        once += json_integer_value(count) == 1;
    size_t distinct = json_object_size(seen);
    json_decref(seen);
    if (journeys_once < 2 || once < min_minors)
        return NULL;
    return json_pack("{s:s, s:s, s:{s:s, s:I, s:I, s:i, s:i}}", "code", "B4", "source",
                     "records", "evidence", "companion", companion, "other_minors",
                     (json_int_t)distinct, "minors_seen_once", once, "journeys_with_minors",
                     journeys, "window_days", window);
}

static json_t *booking_pattern(const limes_protect_history *h, int window, int min_minors)
{
    if (!h->booking_agent || !h->booking_agent[0])
        return NULL;
    json_t *minors = json_object();
    for (size_t i = 0; i < h->npast; i++) {
        const limes_protect_crossing *x = &h->past[i];
        if (is_other_minor(x, h, NULL) && in_window(x, h, window) && x->booking_agent &&
            strcmp(x->booking_agent, h->booking_agent) == 0)
            add_distinct(minors, x->traveller);
    }
    size_t n = json_object_size(minors);
    json_decref(minors);
    if ((int)n < min_minors)
        return NULL;
    return json_pack("{s:s, s:s, s:{s:I, s:i}}", "code", "D5", "source", "records", "evidence",
                     "other_minors_same_booking_agent", (json_int_t)n, "window_days", window);
}

limes_rc limes_protect_derive(const limes_protect_history *h, json_t **out, limes_error *err)
{
    if (!h || (h->npast && !h->past))
        return limes_fail(err, LIMES_INVALID, "history", "no history given");
    int window = h->window_days > 0 ? h->window_days : DEFAULT_WINDOW_DAYS;
    int min_minors = h->min_minors > 0 ? h->min_minors : DEFAULT_MIN_MINORS;
    json_t *derived = json_array();
    for (size_t i = 0; i < h->ncompanions; i++) {
        json_t *b4 = companion_pattern(h, h->companions[i], window, min_minors);
        if (b4) {
            json_array_append_new(derived, b4);
            break; /* one B4 is enough; the evidence names the first companion found */
        }
    }
    json_t *d5 = booking_pattern(h, window, min_minors);
    if (d5)
        json_array_append_new(derived, d5);
    if (h->document_hit && h->document_hit[0])
        json_array_append_new(derived, json_pack("{s:s, s:s, s:{s:s}}", "code", "C2", "source",
                                                 "records", "evidence", "document_status",
                                                 h->document_hit));
    *out = derived;
    return LIMES_OK;
}

/* ---- reading the history from the border records ------------------------ */

struct history_rows {
    limes_protect_crossing *items;
    char **strings; /* every string the items point to, for freeing */
    size_t n, nstrings;
};

static void history_free(struct history_rows *hr)
{
    for (size_t i = 0; i < hr->nstrings; i++)
        free(hr->strings[i]);
    free(hr->strings);
    free(hr->items);
}

static const char *keep(struct history_rows *hr, const char *s)
{
    char *copy = strdup(s ? s : "");
    if (copy)
        hr->strings[hr->nstrings++] = copy;
    return copy ? copy : "";
}

static bool minor_on(const char *birth_date, int32_t day)
{
    day_t birth;
    if (!birth_date || !birth_date[0] || !date_parse_iso(birth_date, &birth))
        return true; /* unknown or doubtful age counts as a minor */
    return date_age_years(birth, day) < 18;
}

/* Crossings of `who` and of everyone who crossed on the same journeys. */
static limes_rc read_journeys(store_tx *tx, int64_t who, int32_t since,
                              struct history_rows *hr, limes_error *err)
{
    store_val p[] = {sv_int(who), sv_int(since)};
    store_rows *rows;
    limes_rc rc = store_query(
        tx,
        "SELECT c2.traveller_id, t.birth_date, c2.day, b.code, c2.direction, c2.travel_ref"
        " FROM crossings c1 JOIN crossings c2 ON c2.day = c1.day AND c2.bcp_id = c1.bcp_id"
        " AND c2.direction = c1.direction AND c2.travel_ref = c1.travel_ref"
        " JOIN travellers t ON t.id = c2.traveller_id JOIN bcp b ON b.id = c2.bcp_id"
        " WHERE c1.traveller_id = $1 AND c1.day >= $2 AND c1.travel_ref <> ''",
        p, 2, &rows, err);
    if (rc)
        return rc;
    int have;
    while ((have = store_rows_next(rows, err)) == 1 && hr->n < MAX_HISTORY) {
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)store_col_int(rows, 0));
        int32_t day = (int32_t)store_col_int(rows, 2);
        limes_protect_crossing *c = &hr->items[hr->n++];
        c->traveller = keep(hr, key);
        c->minor = minor_on(store_col_text(rows, 1), day);
        c->day = day;
        c->bcp = keep(hr, store_col_text(rows, 3));
        c->direction = keep(hr, store_col_text(rows, 4));
        c->travel_ref = keep(hr, store_col_text(rows, 5));
        c->booking_agent = "";
    }
    store_rows_close(rows);
    return have < 0 ? (err ? err->rc : LIMES_STORE) : LIMES_OK;
}

limes_rc limes_protect_derive_from_store(limes_store *s, int64_t subject_id,
                                         const int64_t *companion_ids, size_t ncompanions,
                                         const char *document_hit, int32_t today, json_t **out,
                                         limes_error *err)
{
    if (ncompanions > 10)
        return limes_fail(err, LIMES_INVALID, "companion_traveller_ids",
                          "at most 10 companions");
    struct history_rows hr = {0};
    hr.items = calloc(MAX_HISTORY, sizeof *hr.items);
    hr.strings = calloc(MAX_HISTORY * 4, sizeof *hr.strings);
    char (*keys)[24] = calloc(ncompanions + 1, sizeof *keys);
    const char **companions = calloc(ncompanions + 1, sizeof *companions);
    limes_rc rc = hr.items && hr.strings && keys && companions ? LIMES_OK : LIMES_NOMEM;
    store_tx *tx = NULL;
    if (!rc)
        rc = store_begin(s, false, &tx, err);
    for (size_t i = 0; !rc && i < ncompanions; i++) {
        snprintf(keys[i], sizeof keys[i], "%lld", (long long)companion_ids[i]);
        companions[i] = keys[i];
        rc = read_journeys(tx, companion_ids[i], today - DEFAULT_WINDOW_DAYS, &hr, err);
    }
    if (tx)
        store_rollback(tx);
    if (!rc) {
        char subject[24];
        snprintf(subject, sizeof subject, "%lld", (long long)subject_id);
        limes_protect_history h = {.past = hr.items, .npast = hr.n, .subject = subject,
                                   .companions = companions, .ncompanions = ncompanions,
                                   .document_hit = document_hit, .today = today};
        rc = limes_protect_derive(&h, out, err);
    } else if (rc == LIMES_NOMEM) {
        limes_fail(err, rc, "", "out of memory reading the travel history");
    }
    free(keys);
    free(companions);
    history_free(&hr);
    return rc;
}
