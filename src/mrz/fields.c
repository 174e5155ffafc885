/*
 * fields.c - the fields and check digits of TD1, TD2, TD3, MRV-A and MRV-B
 * (Doc 9303 Parts 4-7), read from one layout table per format.
 *
 * Everything is read as written.  Where a check digit fails and swapping
 * OCR look-alikes (0/O, 1/I, 2/Z, 5/S, 6/G, 8/B) inside the field or in the
 * check digit makes exactly one reading verify, that reading is proposed as
 * an "ocr-suggestion" problem; the data itself is never changed.
 */
#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "mrz/fields.h"
#include "mrz/mrz_int.h"

struct pos {
    int line, col; /* 0-based; line -1 = the format has no such position */
};
struct span {
    int line, col, len; /* len 0 = absent */
};

struct layout {
    limes_mrz_format format;
    struct span name, number, nationality, birth, expiry, optional, optional2;
    struct pos number_check, birth_check, sex, expiry_check, optional_check, composite;
    struct span composite_parts[4];
};

#define NONE {-1, -1}
static const struct layout layouts[] = {
    {LIMES_MRZ_TD1, {2, 0, 30}, {0, 5, 9}, {1, 15, 3}, {1, 0, 6}, {1, 8, 6}, {0, 15, 15},
     {1, 18, 11}, {0, 14}, {1, 6}, {1, 7}, {1, 14}, NONE, {1, 29},
     {{0, 5, 25}, {1, 0, 7}, {1, 8, 7}, {1, 18, 11}}},
    {LIMES_MRZ_TD2, {0, 5, 31}, {1, 0, 9}, {1, 10, 3}, {1, 13, 6}, {1, 21, 6}, {1, 28, 7},
     {0, 0, 0}, {1, 9}, {1, 19}, {1, 20}, {1, 27}, NONE, {1, 35},
     {{1, 0, 10}, {1, 13, 7}, {1, 21, 14}, {0, 0, 0}}},
    {LIMES_MRZ_TD3, {0, 5, 39}, {1, 0, 9}, {1, 10, 3}, {1, 13, 6}, {1, 21, 6}, {1, 28, 14},
     {0, 0, 0}, {1, 9}, {1, 19}, {1, 20}, {1, 27}, {1, 42}, {1, 43},
     {{1, 0, 10}, {1, 13, 7}, {1, 21, 22}, {0, 0, 0}}},
    {LIMES_MRZ_MRVA, {0, 5, 39}, {1, 0, 9}, {1, 10, 3}, {1, 13, 6}, {1, 21, 6}, {1, 28, 16},
     {0, 0, 0}, {1, 9}, {1, 19}, {1, 20}, {1, 27}, NONE, NONE, {{0, 0, 0}}},
    {LIMES_MRZ_MRVB, {0, 5, 31}, {1, 0, 9}, {1, 10, 3}, {1, 13, 6}, {1, 21, 6}, {1, 28, 8},
     {0, 0, 0}, {1, 9}, {1, 19}, {1, 20}, {1, 27}, NONE, NONE, {{0, 0, 0}}},
};

/* Reading state shared by the steps below. */
struct reader {
    limes_mrz_doc *d;
    const struct layout *L;
    int ref_year, ref_month, ref_day;
    int32_t reference_day;
    size_t optional_skip; /* characters of the optional field used by a long number */
};

static const char *at_span(const struct reader *r, struct span s)
{
    return &r->d->lines[s.line][s.col];
}

static char at_pos(const struct reader *r, struct pos p)
{
    return r->d->lines[p.line][p.col];
}

/* Copy n characters and cut trailing fillers. */
static void copy_trimmed(char *dst, size_t cap, const char *src, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    while (n > 0 && src[n - 1] == '<')
        n--;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_letter(char c) { return c >= 'A' && c <= 'Z'; }

/* ---- check digits ---------------------------------------------------- */

static bool digit_matches(const char *s, size_t n, char check)
{
    int cd = limes_mrz_check_digit(s, n);
    return cd >= 0 && cd == check;
}

static limes_mrz_check verify(struct reader *r, const char *field, const char *s, size_t n,
                              struct pos p)
{
    char check = at_pos(r, p);
    int cd = limes_mrz_check_digit(s, n);
    if (cd >= 0 && cd == check)
        return LIMES_MRZ_CHECK_OK;
    if (cd < 0)
        mrz_problem(r->d, LIMES_MRZ_ERROR, "check-digit", field, p.line + 1, p.col + 1,
                    "the %s check digit cannot be computed: the field has characters outside "
                    "A-Z 0-9 <", field);
    else
        mrz_problem(r->d, LIMES_MRZ_ERROR, "check-digit", field, p.line + 1, p.col + 1,
                    "%s check digit is '%c' but the field gives %c", field, check, cd);
    return LIMES_MRZ_CHECK_BAD;
}

/*
 * Try single look-alike swaps in field[0..n) (and a look-alike check
 * character); if exactly one reading verifies, write it (field + check
 * digit) to out and return true.  digits_only: the field is numeric.
 */
static bool find_ocr_reading(const char *field, size_t n, char check, bool digits_only,
                             char *out, size_t cap)
{
    char buf[32], fixed_check = is_digit(check) ? check : mrz_digit_for_letter(check);
    int found = 0;
    if (n + 2 > sizeof buf || n + 2 > cap || !fixed_check)
        return false;
    memcpy(buf, field, n);
    if (digits_only) { /* numeric fields: every letter look-alike becomes its digit */
        for (size_t i = 0; i < n; i++)
            if (is_letter(buf[i]) && mrz_digit_for_letter(buf[i]))
                buf[i] = mrz_digit_for_letter(buf[i]);
        if (memcmp(buf, field, n) == 0 && fixed_check == check)
            return false;
        if (!digit_matches(buf, n, fixed_check))
            return false;
        memcpy(out, buf, n);
        out[n] = fixed_check;
        out[n + 1] = '\0';
        return true;
    }
    if (fixed_check != check && digit_matches(buf, n, fixed_check)) {
        memcpy(out, buf, n);
        found++;
    }
    for (size_t i = 0; i < n && found < 2; i++) {
        char orig = buf[i];
        char alt = is_digit(orig) ? mrz_letter_for_digit(orig) : mrz_digit_for_letter(orig);
        if (!alt)
            continue;
        buf[i] = alt;
        if (digit_matches(buf, n, fixed_check)) {
            if (found == 0)
                memcpy(out, buf, n);
            found++;
        }
        buf[i] = orig;
    }
    if (found != 1)
        return false;
    out[n] = fixed_check;
    out[n + 1] = '\0';
    return true;
}

static void propose_reading(struct reader *r, const char *field, const char *s, size_t n,
                            struct pos check, bool digits_only, int line, int col)
{
    char reading[32];
    if (!find_ocr_reading(s, n, at_pos(r, check), digits_only, reading, sizeof reading))
        return;
    char check_digit = reading[n];
    reading[n] = '\0';
    mrz_suggest(r->d, field, line, col, reading,
                "reading %s as '%s' (check digit %c) makes the check digit verify: likely an "
                "OCR look-alike, confirm against the document", field, reading, check_digit);
}

/* ---- document code, codes, names -------------------------------------- */

static void read_document_code(struct reader *r)
{
    limes_mrz_doc *d = r->d;
    char c0 = d->lines[0][0], c1 = d->lines[0][1];
    d->document_code[0] = c0;
    d->document_code[1] = c1 == '<' ? '\0' : c1;
    const char *why = NULL;
    if (!is_letter(c1) && c1 != '<')
        why = "the second character must be a letter or '<'";
    else if (d->format == LIMES_MRZ_TD3 && c0 != 'P')
        why = "a TD3 document is a passport: its code starts with P";
    else if ((d->format == LIMES_MRZ_TD1 || d->format == LIMES_MRZ_TD2) &&
             c0 != 'A' && c0 != 'C' && c0 != 'I')
        why = "TD1 and TD2 document codes start with A, C or I";
    else if ((d->format == LIMES_MRZ_TD1 || d->format == LIMES_MRZ_TD2) && c1 == 'V')
        why = "V is not allowed as second character of a TD1 or TD2 code";
    else if (d->format == LIMES_MRZ_TD1 && c0 == 'A' && c1 == 'I')
        why = "AI is not allowed on a TD1 document";
    else if (d->format == LIMES_MRZ_TD2 && c0 == 'A' && c1 == 'C')
        why = "AC is not allowed on a TD2 document";
    if (why)
        mrz_problem(d, LIMES_MRZ_ERROR, "bad-document-code", "document_code", 1, 1,
                    "document code '%s': %s", d->document_code, why);
}

/*
 * Letters an OCR engine reads instead of c in an alphabetic field: the
 * digit look-alikes, and the letter confusions seen in practice (0ZE for
 * CZE, HAC for MAC, UT0 for UTO; documents.md sections 7.2 and 8).
 */
static const char *code_lookalikes(char c)
{
    switch (c) {
    case '0': return "OCDQ";
    case '1': return "IL";
    case '2': return "Z";
    case '4': return "A";
    case '5': return "S";
    case '6': return "G";
    case '7': return "T";
    case '8': return "B";
    case 'O': return "CDQ";
    case 'C': return "OG";
    case 'D': return "O";
    case 'G': return "C";
    case 'H': return "MN";
    case 'M': return "HN";
    case 'N': return "HM";
    case 'E': return "F";
    case 'F': return "E";
    case 'I': return "L";
    case 'L': return "I";
    case 'U': return "V";
    case 'V': return "UY";
    default: return "";
    }
}

/* Known codes one look-alike away from raw; returns how many (up to 4 kept). */
static int code_readings(const char *raw, char found[4][4])
{
    int n = 0;
    for (int i = 0; i < 3; i++) {
        for (const char *alt = code_lookalikes(raw[i]); *alt; alt++) {
            char c[4] = {raw[0], raw[1], raw[2], '\0'};
            c[i] = *alt;
            const limes_country *k = limes_country_find(c, 3);
            bool seen = false;
            for (int j = 0; k && j < n && j < 4; j++)
                seen |= strcmp(found[j], k->code) == 0;
            if (k && !seen) {
                if (n < 4)
                    snprintf(found[n], 4, "%s", k->code);
                n++;
            }
        }
    }
    return n;
}

static void read_code(struct reader *r, const char *field, struct span s, char out[4])
{
    const char *raw = at_span(r, s);
    copy_trimmed(out, 4, raw, 3);
    if (limes_country_find(raw, 3))
        return;
    mrz_problem(r->d, LIMES_MRZ_ERROR, "unknown-code", field, s.line + 1, s.col + 1,
                "'%.3s' is not an ISO 3166-1 or ICAO code", raw);
    char found[4][4];
    int n = code_readings(raw, found);
    if (n == 1)
        mrz_suggest(r->d, field, s.line + 1, s.col + 1, found[0],
                    "'%.3s' is one OCR look-alike away from the code %s", raw, found[0]);
    else if (n > 1)
        mrz_problem(r->d, LIMES_MRZ_WARNING, "ocr-ambiguous", field, s.line + 1, s.col + 1,
                    "'%.3s' is one OCR look-alike away from %d codes (%s, %s%s): check the "
                    "document", raw, n, found[0], found[1], n > 2 ? ", ..." : "");
}

/* Copy a name part turning each run of fillers into one space. */
static void name_part(char *dst, size_t cap, const char *src, size_t n)
{
    size_t o = 0;
    while (n > 0 && src[n - 1] == '<')
        n--;
    size_t i = 0;
    while (i < n && src[i] == '<')
        i++;
    for (; i < n && o + 1 < cap; i++) {
        if (src[i] != '<')
            dst[o++] = src[i];
        else if (dst[o - 1] != ' ')
            dst[o++] = ' ';
    }
    dst[o] = '\0';
}

static void report_name_characters(struct reader *r, const char *name, int len)
{
    char fixed[40];
    bool bad = false, fixable = true;
    int first = -1;
    for (int i = 0; i < len; i++) {
        char c = name[i];
        fixed[i] = c;
        if (is_letter(c) || c == '<')
            continue;
        bad = true;
        first = first < 0 ? i : first;
        char alt = mrz_letter_for_digit(c);
        fixable &= alt != 0;
        fixed[i] = alt ? alt : c;
    }
    if (!bad)
        return;
    struct span s = r->L->name;
    mrz_problem(r->d, LIMES_MRZ_ERROR, "bad-character", "primary_identifier", s.line + 1,
                s.col + first + 1, "the name field has a character other than A-Z or '<'");
    if (fixable) {
        char shown[40];
        name_part(shown, sizeof shown, fixed, (size_t)len);
        mrz_suggest(r->d, "primary_identifier", s.line + 1, s.col + first + 1, shown,
                    "with letters for look-alike digits the name reads '%s'", shown);
    }
}

static void read_name(struct reader *r)
{
    limes_mrz_doc *d = r->d;
    struct span s = r->L->name;
    const char *name = at_span(r, s);
    report_name_characters(r, name, s.len);
    const char *sep = NULL;
    for (int i = 0; i + 1 < s.len && !sep; i++)
        if (name[i] == '<' && name[i + 1] == '<')
            sep = name + i;
    size_t primary_len = sep ? (size_t)(sep - name) : (size_t)s.len;
    name_part(d->primary_identifier, sizeof d->primary_identifier, name, primary_len);
    if (sep)
        name_part(d->secondary_identifier, sizeof d->secondary_identifier, sep + 2,
                  (size_t)(name + s.len - sep - 2));
    if (!d->primary_identifier[0] && !d->secondary_identifier[0])
        mrz_problem(d, LIMES_MRZ_ERROR, "empty-name", "primary_identifier", s.line + 1,
                    s.col + 1, "the name field is empty");
    if (is_letter(name[s.len - 1])) {
        d->name_truncated = true;
        mrz_problem(d, LIMES_MRZ_WARNING, "name-truncated", "secondary_identifier", s.line + 1,
                    s.col + s.len, "the name fills the whole field: it may be truncated");
    }
}

/* ---- document number -------------------------------------------------- */

/* Long number (Part 5 note j): '<' in the check position, the rest in the optional data. */
static bool read_long_number(struct reader *r)
{
    limes_mrz_doc *d = r->d;
    struct span opt = r->L->optional;
    const char *head = at_span(r, r->L->number), *ext = at_span(r, opt);
    size_t n = 0;
    while (n < (size_t)opt.len && ext[n] != '<')
        n++;
    if (n < 2 || 9 + n > sizeof d->document_number) {
        mrz_problem(d, LIMES_MRZ_ERROR, "missing-check-digit", "document_number",
                    r->L->number_check.line + 1, r->L->number_check.col + 1,
                    "the document number check digit is '<' and the optional data holds no "
                    "continuation with a check digit");
        d->checks.document_number = LIMES_MRZ_CHECK_BAD;
        copy_trimmed(d->document_number, sizeof d->document_number, head, 9);
        return false;
    }
    char joined[32], with_filler[32], check = ext[n - 1];
    memcpy(joined, head, 9);
    memcpy(joined + 9, ext, n - 1);
    memcpy(with_filler, head, 9);
    with_filler[9] = '<';
    memcpy(with_filler + 10, ext, n - 1);
    memcpy(d->document_number, joined, 9 + n - 1);
    d->document_number[9 + n - 1] = '\0';
    r->optional_skip = n + 1 < (size_t)opt.len ? n + 1 : (size_t)opt.len;
    if (digit_matches(joined, 9 + n - 1, check)) {
        d->number_kind = LIMES_MRZ_NUMBER_LONG_ICAO;
        d->checks.document_number = LIMES_MRZ_CHECK_OK;
    } else if (digit_matches(with_filler, 10 + n - 1, check)) {
        d->number_kind = LIMES_MRZ_NUMBER_LONG_WITH_FILLER;
        d->checks.document_number = LIMES_MRZ_CHECK_OK;
    } else {
        d->number_kind = LIMES_MRZ_NUMBER_LONG_ICAO;
        d->checks.document_number = LIMES_MRZ_CHECK_BAD;
        int cd = limes_mrz_check_digit(joined, 9 + n - 1);
        mrz_problem(d, LIMES_MRZ_ERROR, "check-digit", "document_number", opt.line + 1,
                    opt.col + (int)n, "long document number check digit is '%c' but the "
                    "number gives %c (with the filler: %c)", check, cd < 0 ? '?' : cd,
                    limes_mrz_check_digit(with_filler, 10 + n - 1) < 0
                        ? '?' : limes_mrz_check_digit(with_filler, 10 + n - 1));
    }
    return true;
}

static void read_number(struct reader *r)
{
    limes_mrz_doc *d = r->d;
    const struct layout *L = r->L;
    const char *field = at_span(r, L->number);
    bool may_be_long = d->format != LIMES_MRZ_TD3;
    if (may_be_long && at_pos(r, L->number_check) == '<' && at_span(r, L->optional)[0] != '<') {
        read_long_number(r);
        return;
    }
    copy_trimmed(d->document_number, sizeof d->document_number, field, 9);
    d->checks.document_number = verify(r, "document_number", field, 9, L->number_check);
    if (d->checks.document_number == LIMES_MRZ_CHECK_BAD)
        propose_reading(r, "document_number", field, 9, L->number_check, false,
                        L->number.line + 1, L->number.col + 1);
}

/* ---- dates ------------------------------------------------------------ */

/* Two characters: value 0-99, -1 both fillers (unknown), -2 anything else. */
static int two_digits(const char *s)
{
    if (is_digit(s[0]) && is_digit(s[1]))
        return (s[0] - '0') * 10 + (s[1] - '0');
    if (s[0] == '<' && s[1] == '<')
        return -1;
    return -2;
}

static int resolve_birth_year(const struct reader *r, int yy, int mm, int dd)
{
    int y = 2000 + yy;
    if (y > r->ref_year)
        return y - 100;
    if (y == r->ref_year && mm > 0 &&
        (mm > r->ref_month || (mm == r->ref_month && dd > 0 && dd > r->ref_day)))
        return y - 100;
    return y;
}

static int resolve_expiry_year(const struct reader *r, int yy)
{
    int y = 2000 + yy;
    while (y > r->ref_year + 30)
        y -= 100;
    while (y < r->ref_year - 70)
        y += 100;
    return y;
}

/* Write n digits of v, or n '?' when v is 0 (unknown). */
static void put_digits(char *out, int v, int n)
{
    bool known = v != 0;
    for (int i = n - 1; i >= 0; i--) {
        out[i] = known ? (char)('0' + v % 10) : '?';
        v /= 10;
    }
}

static void format_date(char out[11], const limes_mrz_date *v)
{
    put_digits(out, v->year, 4);
    out[4] = '-';
    put_digits(out + 5, v->month, 2);
    out[7] = '-';
    put_digits(out + 8, v->day, 2);
    out[10] = '\0';
}

/* Check the parts; returns a complaint or NULL. */
static const char *date_complaint(int yy, int mm, int dd, bool expiry)
{
    if (yy == -2 || mm == -2 || dd == -2)
        return "has characters other than digits (or '<<' for an unknown part)";
    if (expiry && (yy < 0 || mm < 0 || dd < 0))
        return "cannot be unknown";
    if (mm == 0 || mm > 12)
        return "has no month 00 or above 12";
    if (dd == 0 || dd > 31)
        return "has a day outside 01-31";
    return NULL;
}

static void read_date(struct reader *r, bool expiry)
{
    limes_mrz_doc *d = r->d;
    const char *field = expiry ? "expiry_date" : "birth_date";
    struct span s = expiry ? r->L->expiry : r->L->birth;
    struct pos check = expiry ? r->L->expiry_check : r->L->birth_check;
    const char *raw = at_span(r, s);
    char *raw_out = expiry ? d->expiry_date_raw : d->birth_date_raw;
    memcpy(raw_out, raw, 6);
    raw_out[6] = '\0';
    limes_mrz_check *c = expiry ? &d->checks.expiry_date : &d->checks.birth_date;
    *c = verify(r, field, raw, 6, check);
    if (*c == LIMES_MRZ_CHECK_BAD)
        propose_reading(r, field, raw, 6, check, true, s.line + 1, s.col + 1);
    int yy = two_digits(raw), mm = two_digits(raw + 2), dd = two_digits(raw + 4);
    const char *complaint = date_complaint(yy, mm, dd, expiry);
    limes_mrz_date v = {0, mm > 0 ? mm : 0, dd > 0 ? dd : 0};
    if (!complaint && yy >= 0)
        v.year = expiry ? resolve_expiry_year(r, yy) : resolve_birth_year(r, yy, v.month, v.day);
    if (!complaint && v.day && v.month &&
        v.day > date_days_in_month(v.year ? v.year : 2000, v.month))
        complaint = "is not a calendar date";
    if (complaint) {
        mrz_problem(d, LIMES_MRZ_ERROR, "bad-date", field, s.line + 1, s.col + 1,
                    "the %s '%.6s' %s", expiry ? "expiry date" : "birth date", raw, complaint);
        return;
    }
    format_date(expiry ? d->expiry_date : d->birth_date, &v);
    if (expiry)
        d->expiry = v;
    else
        d->birth = v;
}

/* A document cannot expire before its holder was born. */
static void report_date_order(struct reader *r)
{
    const limes_mrz_date *b = &r->d->birth, *e = &r->d->expiry;
    if (!b->year || !b->month || !b->day || !e->year || !e->month || !e->day)
        return;
    if (date_from_civil(e->year, e->month, e->day) >= date_from_civil(b->year, b->month, b->day))
        return;
    mrz_problem(r->d, LIMES_MRZ_WARNING, "dates-inconsistent", "expiry_date",
                r->L->expiry.line + 1, r->L->expiry.col + 1,
                "the expiry date %s lies before the birth date %s", r->d->expiry_date,
                r->d->birth_date);
}

static void report_expired(struct reader *r)
{
    limes_mrz_doc *d = r->d;
    if (!d->expiry.year || !d->expiry.month || !d->expiry.day)
        return;
    if (date_from_civil(d->expiry.year, d->expiry.month, d->expiry.day) >= r->reference_day)
        return;
    char on[11];
    date_format_iso(r->reference_day, on);
    mrz_problem(d, LIMES_MRZ_WARNING, "expired", "expiry_date", r->L->expiry.line + 1,
                r->L->expiry.col + 1, "the document expired on %s (reference date %s)",
                d->expiry_date, on);
}

/* ---- sex, optional data, composite --------------------------------------- */

static void read_sex(struct reader *r)
{
    char c = at_pos(r, r->L->sex);
    if (c == 'F' || c == 'M')
        r->d->sex = c;
    else if (c == '<')
        r->d->sex = 'X';
    else
        mrz_problem(r->d, LIMES_MRZ_ERROR, "bad-sex", "sex", r->L->sex.line + 1,
                    r->L->sex.col + 1, "sex '%c' is not F, M or '<'", c);
    const char *reading = c == 'H' || c == 'N' ? "M" : c == 'E' || c == 'P' ? "F"
                        : c == 'K' ? "<" : NULL; /* K: a common OCR reading of '<' */
    if (reading)
        mrz_suggest(r->d, "sex", r->L->sex.line + 1, r->L->sex.col + 1, reading,
                    "'%c' is an OCR look-alike of '%s' in the sex field (no check digit "
                    "covers it): confirm against the document", c, reading);
}

static bool all_fillers(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != '<')
            return false;
    return true;
}

static void read_optional(struct reader *r)
{
    limes_mrz_doc *d = r->d;
    struct span s = r->L->optional;
    const char *opt = at_span(r, s);
    size_t skip = r->optional_skip;
    while (skip < (size_t)s.len && opt[skip] == '<')
        skip++; /* fillers are not data, at either end */
    copy_trimmed(d->optional_data, sizeof d->optional_data, opt + skip, (size_t)s.len - skip);
    if (r->L->optional2.len) {
        const char *o2 = at_span(r, r->L->optional2);
        size_t lead = strspn(o2, "<") < (size_t)r->L->optional2.len ? strspn(o2, "<") : 0;
        copy_trimmed(d->optional_data_2, sizeof d->optional_data_2, o2 + lead,
                     (size_t)r->L->optional2.len - lead);
    }
    if (r->L->optional_check.line < 0)
        return;
    char check = at_pos(r, r->L->optional_check);
    if (all_fillers(opt, (size_t)s.len) && (check == '<' || check == '0')) {
        d->checks.personal_number = LIMES_MRZ_CHECK_OK;
        return;
    }
    d->checks.personal_number = verify(r, "optional_data", opt, (size_t)s.len,
                                       r->L->optional_check);
    if (d->checks.personal_number == LIMES_MRZ_CHECK_BAD)
        propose_reading(r, "optional_data", opt, (size_t)s.len, r->L->optional_check, false,
                        s.line + 1, s.col + 1);
}

/* The composite check digit the zone gives ('0'-'9'), 0 if it cannot be computed. */
static char composite_digit(const struct reader *r)
{
    const struct layout *L = r->L;
    unsigned pos = 0, sum = 0;
    bool ok = true;
    for (int i = 0; i < 4 && L->composite_parts[i].len; i++)
        ok &= mrz_weighted_sum(at_span(r, L->composite_parts[i]),
                               (size_t)L->composite_parts[i].len, &pos, &sum);
    return ok ? (char)('0' + sum % 10) : 0;
}

/*
 * The optional fields of TD1 and TD2 have no check digit of their own; only
 * the composite covers them.  When it alone fails, a single look-alike swap
 * there that makes it verify is proposed (tried on the zone, then undone).
 */
static void propose_optional_reading(struct reader *r, struct span s, const char *field)
{
    limes_mrz_doc *d = r->d;
    char *text = &d->lines[s.line][s.col], check = at_pos(r, r->L->composite);
    char reading[24] = "";
    int found = 0;
    for (int i = 0; i < s.len && found < 2; i++) {
        char orig = text[i];
        char alt = is_digit(orig) ? mrz_letter_for_digit(orig) : mrz_digit_for_letter(orig);
        if (!alt)
            continue;
        text[i] = alt;
        if (composite_digit(r) == check && found++ == 0)
            copy_trimmed(reading, sizeof reading, text, (size_t)s.len);
        text[i] = orig;
    }
    if (found == 1)
        mrz_suggest(d, field, s.line + 1, s.col + 1, reading,
                    "reading %s as '%s' makes the composite check digit verify: likely an OCR "
                    "look-alike, confirm against the document", field, reading);
    else if (found > 1)
        mrz_problem(d, LIMES_MRZ_WARNING, "ocr-ambiguous", field, s.line + 1, s.col + 1,
                    "several look-alike readings of %s make the composite check digit verify: "
                    "compare it with the document", field);
}

static void propose_composite_fix(struct reader *r)
{
    const limes_mrz_checks *c = &r->d->checks;
    if (c->document_number != LIMES_MRZ_CHECK_OK || c->birth_date != LIMES_MRZ_CHECK_OK ||
        c->expiry_date != LIMES_MRZ_CHECK_OK || r->d->format == LIMES_MRZ_TD3)
        return; /* TD3's optional field has its own check digit */
    propose_optional_reading(r, r->L->optional, "optional_data");
    if (r->L->optional2.len)
        propose_optional_reading(r, r->L->optional2, "optional_data_2");
}

static void read_composite(struct reader *r)
{
    const struct layout *L = r->L;
    if (L->composite.line < 0)
        return;
    char want = composite_digit(r);
    bool ok = want != 0;
    char check = at_pos(r, L->composite);
    if (ok && check == want) {
        r->d->checks.composite = LIMES_MRZ_CHECK_OK;
        return;
    }
    r->d->checks.composite = LIMES_MRZ_CHECK_BAD;
    if (!ok)
        mrz_problem(r->d, LIMES_MRZ_ERROR, "composite-check", "composite", L->composite.line + 1,
                    L->composite.col + 1, "the composite check digit cannot be computed: the "
                    "zone has characters outside A-Z 0-9 <");
    else
        mrz_problem(r->d, LIMES_MRZ_ERROR, "composite-check", "composite", L->composite.line + 1,
                    L->composite.col + 1, "composite check digit is '%c' but the zone gives %c",
                    check, want);
    if (ok && mrz_digit_for_letter(check) == want) {
        char value[2] = {want, '\0'};
        mrz_suggest(r->d, "composite", L->composite.line + 1, L->composite.col + 1, value,
                    "reading the composite check digit '%c' as '%c' makes it verify", check,
                    want);
    } else if (ok && is_digit(check)) {
        propose_composite_fix(r);
    }
}

static bool composite_covers(const char *field)
{
    return strcmp(field, "document_number") == 0 || strcmp(field, "birth_date") == 0 ||
           strcmp(field, "expiry_date") == 0 || strcmp(field, "optional_data") == 0 ||
           strcmp(field, "optional_data_2") == 0;
}

/* Put each proposed reading (and look-alike check digits) into the zone; count them. */
static int apply_readings(struct reader *r)
{
    limes_mrz_doc *d = r->d;
    int applied = 0;
    for (size_t i = 0; i < d->nproblems && i < LIMES_MRZ_MAX_PROBLEMS - 1; i++) {
        const limes_mrz_problem *p = &d->problems[i];
        if (strcmp(p->code, "ocr-suggestion") != 0 || !composite_covers(p->field))
            continue;
        char *at = &d->lines[p->line - 1][p->column - 1];
        size_t room = strlen(at), n = strlen(p->suggestion);
        memcpy(at, p->suggestion, n < room ? n : room);
        applied++;
    }
    const struct pos checks[] = {r->L->number_check, r->L->birth_check, r->L->expiry_check,
                                 r->L->optional_check, r->L->composite};
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        char *c = checks[i].line < 0 ? NULL : &d->lines[checks[i].line][checks[i].col];
        if (c && is_letter(*c) && mrz_digit_for_letter(*c))
            *c = mrz_digit_for_letter(*c);
    }
    return applied;
}

/*
 * When readings were proposed for fields the composite covers and the
 * composite fails as read: does it verify with the proposed readings?  If so,
 * that is strong evidence of OCR trouble rather than an altered document.
 */
static void confirm_readings(struct reader *r)
{
    limes_mrz_doc *d = r->d;
    if (d->checks.composite != LIMES_MRZ_CHECK_BAD)
        return;
    char saved[3][45];
    memcpy(saved, d->lines, sizeof saved);
    int applied = apply_readings(r);
    bool verifies = applied > 0 && composite_digit(r) == at_pos(r, r->L->composite);
    memcpy(d->lines, saved, sizeof saved);
    if (verifies)
        mrz_problem(d, LIMES_MRZ_WARNING, "ocr-consistent", "composite", r->L->composite.line + 1,
                    r->L->composite.col + 1, "with the %d proposed reading%s the composite check "
                    "digit verifies too: most likely OCR errors, not an altered zone", applied,
                    applied == 1 ? "" : "s");
}

void mrz_read_fields(limes_mrz_doc *d, int32_t reference_day)
{
    struct reader r = {.d = d, .reference_day = reference_day};
    for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++)
        if (layouts[i].format == d->format)
            r.L = &layouts[i];
    if (!r.L)
        return;
    date_to_civil(reference_day, &r.ref_year, &r.ref_month, &r.ref_day);
    read_document_code(&r);
    read_code(&r, "issuing_state", (struct span){0, 2, 3}, d->issuing_state);
    read_name(&r);
    read_number(&r);
    read_code(&r, "nationality", r.L->nationality, d->nationality);
    read_date(&r, false);
    read_sex(&r);
    read_date(&r, true);
    report_date_order(&r);
    report_expired(&r);
    read_optional(&r);
    read_composite(&r);
    confirm_readings(&r);
}
