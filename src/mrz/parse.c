/*
 * parse.c - reading one machine-readable zone: splitting and cleaning the
 * lines, telling the format from the shape and the document code, and
 * recording every defect as a problem.  The fields and check digits of
 * each format are read in fields.c from a layout table.
 *
 * The input is untrusted (OCR output, pasted text, HTTP bodies): every read
 * is bounded by `len`, nothing is assumed NUL-terminated, and the lines are
 * copied into the document with anything outside printable ASCII replaced
 * by '?', so that every later string is plain ASCII.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "mrz/fields.h"
#include "mrz/mrz_int.h"

/* A line as it appears in the input: pointer into the text, length. */
struct raw_line {
    const char *text;
    size_t len;
    int number; /* 1-based line number in the input */
};

struct split {
    struct raw_line lines[3];
    int n;        /* non-empty lines seen (may exceed 3) */
    bool crlf, trimmed;
};

void mrz_problem(limes_mrz_doc *d, limes_mrz_severity sev, const char *code, const char *field,
                 int line, int column, const char *fmt, ...)
{
    if (d->nproblems >= LIMES_MRZ_MAX_PROBLEMS - 1) {
        limes_mrz_problem *last = &d->problems[LIMES_MRZ_MAX_PROBLEMS - 1];
        if (d->nproblems == LIMES_MRZ_MAX_PROBLEMS - 1) {
            memset(last, 0, sizeof *last);
            snprintf(last->code, sizeof last->code, "too-many-problems");
            snprintf(last->message, sizeof last->message, "further problems were not listed");
            last->severity = LIMES_MRZ_WARNING;
            d->nproblems = LIMES_MRZ_MAX_PROBLEMS;
        }
        if (sev == LIMES_MRZ_ERROR)
            last->severity = LIMES_MRZ_ERROR;
        return;
    }
    limes_mrz_problem *p = &d->problems[d->nproblems++];
    memset(p, 0, sizeof *p);
    snprintf(p->code, sizeof p->code, "%s", code);
    snprintf(p->field, sizeof p->field, "%s", field ? field : "");
    p->line = line;
    p->column = column;
    p->severity = sev;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->message, sizeof p->message, fmt, ap);
    va_end(ap);
}

void mrz_suggest(limes_mrz_doc *d, const char *field, int line, int column, const char *value,
                 const char *fmt, ...)
{
    char message[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    size_t before = d->nproblems;
    mrz_problem(d, LIMES_MRZ_WARNING, "ocr-suggestion", field, line, column, "%s", message);
    if (d->nproblems > before && d->nproblems <= LIMES_MRZ_MAX_PROBLEMS - 1)
        snprintf(d->problems[before].suggestion, sizeof d->problems[before].suggestion, "%s",
                 value);
}

static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\f' || c == '\v'; }

/* Cut a trailing CR and surrounding blanks off one line. */
static struct raw_line trim_line(const char *text, size_t len, struct split *s)
{
    if (len > 0 && text[len - 1] == '\r') {
        len--;
        s->crlf = true;
    }
    size_t start = 0, end = len;
    while (start < end && is_blank(text[start]))
        start++;
    while (end > start && is_blank(text[end - 1]))
        end--;
    if (end > start && (start > 0 || end < len))
        s->trimmed = true;
    struct raw_line l = {text + start, end - start, 0};
    return l;
}

/* Split the input into non-empty lines (blank lines are skipped). */
static void split_lines(const char *text, size_t len, struct split *s)
{
    size_t i = 0;
    int number = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && text[end] != '\n' && text[end] != '\r')
            end++;
        if (end < len && text[end] == '\r') /* CR LF, or a lone CR, ends the line */
            s->crlf = true;
        number++;
        struct raw_line l = trim_line(text + i, end - i, s);
        if (l.len > 0) {
            l.number = number;
            if (s->n < 3)
                s->lines[s->n] = l;
            s->n++;
        }
        i = end + 1;
    }
}

/* One run-together line of 90, 72 or 88 characters is cut into its lines. */
static bool unjoin_single_line(struct split *s)
{
    if (s->n != 1)
        return false;
    size_t len = s->lines[0].len;
    int parts = len == 90 ? 3 : (len == 72 || len == 88) ? 2 : 0;
    if (!parts)
        return false;
    size_t width = len / (size_t)parts;
    struct raw_line whole = s->lines[0];
    for (int k = 0; k < parts; k++) {
        s->lines[k].text = whole.text + (size_t)k * width;
        s->lines[k].len = width;
        s->lines[k].number = whole.number;
    }
    s->n = parts;
    return true;
}

/* Report characters outside the MRZ set, once per kind and line. */
static void check_characters(limes_mrz_doc *d, const struct raw_line *l, int line)
{
    bool lower = false, nul = false, other = false, space = false;
    for (size_t i = 0; i < l->len; i++) {
        unsigned char c = (unsigned char)l->text[i];
        int col = (int)i + 1;
        if (mrz_char_value((char)c) >= 0)
            continue;
        if (c >= 'a' && c <= 'z' && !lower) {
            lower = true;
            mrz_problem(d, LIMES_MRZ_ERROR, "lower-case", "", line, col,
                        "line %d has lower-case letters (first at column %d); the MRZ uses "
                        "upper case only", line, col);
        } else if (c == 0 && !nul) {
            nul = true;
            mrz_problem(d, LIMES_MRZ_ERROR, "nul-byte", "", line, col,
                        "line %d has a NUL byte at column %d", line, col);
        } else if (is_blank((char)c) && !space) {
            space = true;
            mrz_problem(d, LIMES_MRZ_ERROR, "bad-character", "", line, col,
                        "line %d has a space at column %d; empty positions are written '<'",
                        line, col);
        } else if (!(c >= 'a' && c <= 'z') && c != 0 && !is_blank((char)c) && !other) {
            other = true;
            mrz_problem(d, LIMES_MRZ_ERROR, "bad-character", "", line, col,
                        "line %d has a character outside A-Z 0-9 < at column %d", line, col);
        }
    }
}

/* Copy the lines into the document, as printable ASCII. */
static void keep_lines(limes_mrz_doc *d, const struct split *s)
{
    d->nlines = s->n < 3 ? s->n : 3;
    for (int k = 0; k < d->nlines; k++) {
        size_t n = s->lines[k].len < 44 ? s->lines[k].len : 44;
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)s->lines[k].text[i];
            d->lines[k][i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
        }
        d->lines[k][n] = '\0';
    }
}

static limes_mrz_format format_by_shape(const struct split *s)
{
    if (s->n == 3 && s->lines[0].len == 30 && s->lines[1].len == 30 && s->lines[2].len == 30)
        return LIMES_MRZ_TD1;
    if (s->n != 2 || s->lines[0].len != s->lines[1].len)
        return LIMES_MRZ_UNKNOWN;
    bool visa = s->lines[0].text[0] == 'V';
    if (s->lines[0].len == 36)
        return visa ? LIMES_MRZ_MRVB : LIMES_MRZ_TD2;
    if (s->lines[0].len == 44)
        return visa ? LIMES_MRZ_MRVA : LIMES_MRZ_TD3;
    return LIMES_MRZ_UNKNOWN;
}

/* Say precisely what is wrong with a shape that matches no format. */
static void report_shape(limes_mrz_doc *d, const struct split *s)
{
    if (s->n < 2 || s->n > 3) {
        mrz_problem(d, LIMES_MRZ_ERROR, "bad-line-count", "", 0, 0,
                    "found %d line%s; an MRZ has 2 lines (TD2, TD3, MRV) or 3 (TD1)", s->n,
                    s->n == 1 ? "" : "s");
        return;
    }
    size_t want = s->n == 3 ? 30 : s->lines[0].len;
    if (s->n == 2 && want != 36 && want != 44)
        want = s->lines[0].len < 40 ? 36 : 44;
    for (int k = 0; k < s->n; k++)
        if (s->lines[k].len != want)
            mrz_problem(d, LIMES_MRZ_ERROR, "bad-line-length", "", k + 1, 0,
                        "line %d has %zu characters; %s lines have %zu", k + 1, s->lines[k].len,
                        s->n == 3 ? "TD1" : want == 36 ? "TD2 and MRV-B" : "TD3 and MRV-A", want);
}

/* National zones outside ICAO 9303 that look like one: say what they are. */
static void report_national_format(limes_mrz_doc *d, const struct split *s)
{
    const char *what = NULL;
    if (s->n == 2 && s->lines[0].len == 36 &&
        memcmp(s->lines[0].text, "IDFRA", 5) == 0)
        what = "a French national identity card (format before 2021)";
    else if (s->n == 3 && s->lines[0].len == 9 && s->lines[1].len == 30)
        what = "a Swiss driving licence";
    else if (s->n == 1 && s->lines[0].len == 30 && memcmp(s->lines[0].text, "D1", 2) == 0)
        what = "a driving licence (ISO 18013 / French format)";
    if (what)
        mrz_problem(d, LIMES_MRZ_WARNING, "national-format", "", 0, 0,
                    "this looks like %s, a national format outside ICAO 9303 that limes does "
                    "not read", what);
}

static void report_input_warnings(limes_mrz_doc *d, const struct split *s, bool unjoined)
{
    if (s->crlf)
        mrz_problem(d, LIMES_MRZ_WARNING, "crlf", "", 0, 0,
                    "lines end in CR LF (or CR); read as plain line ends");
    if (s->trimmed)
        mrz_problem(d, LIMES_MRZ_WARNING, "whitespace", "", 0, 0,
                    "spaces before or after the lines were ignored");
    if (unjoined)
        mrz_problem(d, LIMES_MRZ_WARNING, "single-line", "", 1, 0,
                    "the lines were run together on one line; cut by length");
}

static bool has_errors(const limes_mrz_doc *d)
{
    for (size_t i = 0; i < d->nproblems; i++)
        if (d->problems[i].severity == LIMES_MRZ_ERROR)
            return true;
    return false;
}

limes_rc limes_mrz_day_from_iso(const char *iso, int32_t *day, limes_error *err)
{
    day_t v;
    if (!iso || !date_parse_iso(iso, &v))
        return limes_fail(err, LIMES_INVALID, "on", "'%s' is not a date (YYYY-MM-DD)",
                          iso ? iso : "");
    *day = v;
    return LIMES_OK;
}

limes_rc limes_mrz_parse(const char *text, size_t len, int32_t reference_day,
                         limes_mrz_doc *out, limes_error *err)
{
    memset(out, 0, offsetof(limes_mrz_doc, problems)); /* problems are cleared as added */
    if (!text && len)
        return limes_fail(err, LIMES_INVALID, "mrz", "no text given");
    if (len > LIMES_MRZ_MAX_INPUT)
        return limes_fail(err, LIMES_TOO_LARGE, "mrz",
                          "%zu bytes is too long for a machine-readable zone (at most %d)", len,
                          LIMES_MRZ_MAX_INPUT);
    struct split s = {0};
    split_lines(text, len, &s);
    if (s.n == 0)
        return limes_fail(err, LIMES_BAD_MRZ, "mrz", "the input holds no text");
    bool unjoined = unjoin_single_line(&s);
    report_input_warnings(out, &s, unjoined);
    for (int k = 0; k < s.n && k < 3; k++)
        check_characters(out, &s.lines[k], k + 1);
    keep_lines(out, &s);
    out->format = format_by_shape(&s);
    if (out->format == LIMES_MRZ_UNKNOWN)
        report_shape(out, &s);
    else
        mrz_read_fields(out, reference_day == LIMES_MRZ_TODAY ? date_today() : reference_day);
    if (out->format == LIMES_MRZ_UNKNOWN || has_errors(out))
        report_national_format(out, &s);
    out->valid = !has_errors(out);
    return LIMES_OK;
}

const char *limes_mrz_format_name(limes_mrz_format f)
{
    switch (f) {
    case LIMES_MRZ_TD1: return "TD1";
    case LIMES_MRZ_TD2: return "TD2";
    case LIMES_MRZ_TD3: return "TD3";
    case LIMES_MRZ_MRVA: return "MRVA";
    case LIMES_MRZ_MRVB: return "MRVB";
    default: return NULL;
    }
}
