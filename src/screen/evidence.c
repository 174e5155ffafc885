/*
 * evidence.c - date of birth, nationality, gender and document numbers as
 * evidence beside the name.  Each piece adds a signed delta to the name
 * score and says why, so an officer sees what moved the score.
 *
 * Date of birth (best over the entry's dates; sources give year-only,
 * year-month, full dates and ranges):
 *   exact full date +0.06; same year and month +0.04; same year where one
 *   side has only the year, or inside a range, +0.03; day and month
 *   swapped +0.02; same year, other day -0.03; one year apart -0.04 (a
 *   common data-entry slip); two years -0.12; further -0.25.
 * Nationality: shared +0.03; entry has others -0.05 (people hold several,
 *   lists are incomplete, so the penalty is mild).  Gender: differs -0.10.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uloc.h>

#include "core/date.h"
#include "screen_int.h"

limes_rc screen_parse_dob(const char *s, struct qdob *out, limes_error *err)
{
    *out = (struct qdob){0};
    if (!s || !*s)
        return LIMES_OK;
    int y = 0, m = 0, d = 0, n = 0;
    size_t len = strlen(s);
    bool ok = false;
    if (len == 4)
        ok = sscanf(s, "%4d%n", &y, &n) == 1 && n == 4;
    else if (len == 7)
        ok = sscanf(s, "%4d-%2d%n", &y, &m, &n) == 2 && n == 7 && m >= 1 && m <= 12;
    else if (len == 10)
        ok = sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && n == 10 && date_valid(y, m, d);
    for (size_t i = 0; ok && i < len; i++)
        ok = isdigit((unsigned char)s[i]) || (s[i] == '-' && (i == 4 || i == 7));
    if (!ok || y < 1800 || y > 2200)
        return limes_fail(err, LIMES_INVALID, "dob",
                          "date of birth '%.20s' is not YYYY, YYYY-MM or YYYY-MM-DD", s);
    *out = (struct qdob){y, m, d};
    return LIMES_OK;
}

limes_rc screen_parse_country(const char *s, const char *field, char out[4], limes_error *err)
{
    out[0] = '\0';
    if (!s || !*s)
        return LIMES_OK;
    size_t len = strlen(s);
    for (size_t i = 0; i < len; i++)
        if (!isalpha((unsigned char)s[i]))
            len = 0;
    if (len == 3) {
        for (int i = 0; i < 3; i++)
            out[i] = (char)toupper((unsigned char)s[i]);
        out[3] = '\0';
        return LIMES_OK;
    }
    if (len == 2) {
        char loc[8] = "und_";
        loc[4] = (char)toupper((unsigned char)s[0]);
        loc[5] = (char)toupper((unsigned char)s[1]);
        loc[6] = '\0';
        const char *a3 = uloc_getISO3Country(loc);
        if (a3 && strlen(a3) == 3) {
            memcpy(out, a3, 4);
            return LIMES_OK;
        }
    }
    return limes_fail(err, LIMES_INVALID, field, "'%.20s' is not an ISO 3166 country code", s);
}

static void note(limes_screen_evidence *ev, double delta, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note(limes_screen_evidence *ev, double delta, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ev->delta = delta;
    vsnprintf(ev->note, sizeof ev->note, fmt, ap);
    va_end(ap);
}

/* Evidence of one entry date against the query date. */
static void one_dob(const struct qdob *q, const limes_watch_dob *d, limes_screen_evidence *ev)
{
    *ev = (limes_screen_evidence){0};
    if (d->year_to > d->year) {
        if (q->year >= d->year && q->year <= d->year_to)
            note(ev, 0.03, "born within the listed range %d-%d", d->year, d->year_to);
        else {
            int gap = q->year < d->year ? d->year - q->year : q->year - d->year_to;
            note(ev, gap == 1 ? -0.04 : gap == 2 ? -0.12 : -0.25,
                 "%d years outside the listed range (query %d)", gap, q->year);
        }
        return;
    }
    int dy = abs(q->year - d->year);
    if (dy == 1) {
        note(ev, -0.04, "one year apart (%d vs %d)", q->year, d->year);
        return;
    }
    if (dy >= 2) {
        note(ev, dy == 2 ? -0.12 : -0.25, "born %d years apart (listed %d)", dy, d->year);
        return;
    }
    if (!q->month || !d->month) {
        note(ev, 0.03, "same year of birth (%d)", q->year);
        return;
    }
    if (q->month == d->month) {
        if (!q->day || !d->day)
            note(ev, 0.04, "same year and month of birth (%d-%02d)", q->year, q->month);
        else if (q->day == d->day)
            note(ev, 0.06, "exact date of birth (%d-%02d-%02d)", q->year, q->month, q->day);
        else
            note(ev, -0.03, "same year and month, day %d vs %d", q->day, d->day);
        return;
    }
    if (q->day && d->day && q->month == d->day && q->day == d->month) {
        note(ev, 0.02, "day and month swapped (%02d-%02d)", q->month, q->day);
        return;
    }
    note(ev, -0.03, "same year, month %d vs %d", q->month, d->month);
}

void screen_dob_evidence(const struct qdob *q, const limes_watch_dob *d, size_t n,
                         limes_screen_evidence *ev)
{
    *ev = (limes_screen_evidence){0};
    if (!q->year) {
        snprintf(ev->note, sizeof ev->note, "no date of birth given");
        return;
    }
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        if (!d[i].year)
            continue;
        limes_screen_evidence one;
        one_dob(q, &d[i], &one);
        if (!any || one.delta > ev->delta)
            *ev = one;
        any = true;
    }
    if (!any)
        snprintf(ev->note, sizeof ev->note, "entry has no date of birth");
}

void screen_nationality_evidence(const char *q, const char (*nats)[4], size_t n,
                                 limes_screen_evidence *ev)
{
    *ev = (limes_screen_evidence){0};
    if (!q || !q[0]) {
        snprintf(ev->note, sizeof ev->note, "no nationality given");
        return;
    }
    if (!n) {
        snprintf(ev->note, sizeof ev->note, "entry has no nationality");
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (!strcmp(q, nats[i])) {
            ev->delta = 0.03;
            snprintf(ev->note, sizeof ev->note, "same nationality (%s)", q);
            return;
        }
    ev->delta = -0.05;
    snprintf(ev->note, sizeof ev->note, "different nationality (%s; listed %s%s)", q, nats[0],
             n > 1 ? ", ..." : "");
}

void screen_gender_evidence(char q, char entry, limes_screen_evidence *ev)
{
    *ev = (limes_screen_evidence){0};
    if (!q || !entry) {
        snprintf(ev->note, sizeof ev->note, "%s", q ? "entry has no gender" : "no gender given");
        return;
    }
    if (q == entry) {
        snprintf(ev->note, sizeof ev->note, "same gender (%c)", q);
        return;
    }
    ev->delta = -0.10;
    snprintf(ev->note, sizeof ev->note, "different gender (%c vs %c)", q, entry);
}

bool screen_doc_normalize(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    for (; s && *s && o + 1 < cap; s++)
        if (isalnum((unsigned char)*s) && (unsigned char)*s < 0x80)
            out[o++] = (char)toupper((unsigned char)*s);
    out[o] = '\0';
    return o > 0;
}

void screen_doc_alike(const char *norm, char *out, size_t cap)
{
    size_t o = 0;
    for (; *norm && o + 1 < cap; norm++) {
        char c = *norm;
        switch (c) {
        case 'O': case 'Q': case 'D': c = '0'; break;
        case 'I': case 'L': c = '1'; break;
        case 'Z': c = '2'; break;
        case 'S': c = '5'; break;
        case 'G': c = '6'; break;
        case 'B': c = '8'; break;
        default: break;
        }
        out[o++] = c;
    }
    out[o] = '\0';
}
