/*
 * names.c - Unicode names into MRZ name fields (Doc 9303 Part 3 sections
 * 4.6 and 6, Appendix B) and MRZ Arabic transliterations back into Arabic.
 *
 * Order of work: NFKC (ICU: presentation forms and ligatures become table
 * letters), full upper-casing (ß -> SS), then one pass over the code points
 * with the ICAO tables: Latin, Cyrillic with the language exceptions, Arabic
 * with teh marbuta (XAH at the end of a component, XTA inside), shadda
 * (repeat the previous value) and the optional split of a one-word
 * "abd al-..." compound.  Punctuation: apostrophes are dropped and the parts
 * joined, hyphens and spaces separate components, the first comma of a
 * whole name separates the identifiers, other punctuation is dropped,
 * digits are refused.  Letters no table lists fall back to their NFD base
 * letter when it is A-Z (common practice, not an ICAO rule).
 */
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include "core/buf.h"
#include "mrz/mrz_int.h"
#include "mrz/translit.h"

#define NAME_MAX_INPUT 1024 /* bytes of UTF-8 accepted per name */
#define NAME_MAX_CPS (NAME_MAX_INPUT * 3) /* the upper-cased UTF-16 buffer is this large */

/* Pending separator before the next letter. */
enum pending { SEP_NONE, SEP_COMPONENT, SEP_IDENTIFIER };

struct writer {
    buf out;
    const limes_mrz_name_options *opts;
    enum pending pending;
    bool component_empty; /* nothing written since the last separator */
    bool identifiers_split;
    bool split_first_comma;
    char last[8];         /* last value written, for shadda */
};

/* NFKC then full upper case; code points into cps.  Returns count or -1. */
static int normalise(const char *utf8, UChar32 *cps, int max, limes_error *err)
{
    UErrorCode st = U_ZERO_ERROR;
    UChar src[NAME_MAX_INPUT], nfkc[NAME_MAX_INPUT * 2], upper[NAME_MAX_INPUT * 3];
    int32_t n = 0;
    u_strFromUTF8(src, NAME_MAX_INPUT, &n, utf8, -1, &st);
    const UNormalizer2 *norm = unorm2_getNFKCInstance(&st);
    int32_t m = U_SUCCESS(st) ? unorm2_normalize(norm, src, n, nfkc, NAME_MAX_INPUT * 2, &st) : 0;
    int32_t k = U_SUCCESS(st) ? u_strToUpper(upper, NAME_MAX_INPUT * 3, nfkc, m, "", &st) : 0;
    if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING) {
        limes_fail(err, LIMES_INVALID, "name", "the name is not valid UTF-8 or is too long");
        return -1;
    }
    int count = 0;
    for (int32_t i = 0; i < k && count < max;) {
        UChar32 c;
        U16_NEXT(upper, i, k, c);
        cps[count++] = c;
    }
    return count;
}

static bool is_apostrophe(UChar32 c)
{
    return c == '\'' || c == 0x2019 || c == 0x2018 || c == 0x02BC || c == 0x0060 ||
           c == 0x00B4 || c == 0x02B9;
}

static bool is_comma(UChar32 c) { return c == ',' || c == 0x060C; }

static bool is_component_break(UChar32 c)
{
    return c == ' ' || c == '<' || c == '-' || c == '\t' || c == 0x2010 || c == 0x2011 ||
           c == 0x2012 || c == 0x2013 || u_isUWhiteSpace(c);
}

static bool is_arabic_ignorable(UChar32 c)
{
    const struct translit_entry *e = translit_find(c);
    return e && e->script == TRANSLIT_ARABIC && (!e->value[0] || strcmp(e->value, "*") == 0);
}

static void separate(struct writer *w, enum pending kind)
{
    if (kind == SEP_IDENTIFIER) {
        w->pending = SEP_IDENTIFIER;
        w->identifiers_split = true;
    } else if (!w->component_empty && w->pending == SEP_NONE) {
        w->pending = SEP_COMPONENT;
    }
    w->component_empty = true;
    w->last[0] = '\0';
}

static limes_rc emit(struct writer *w, const char *value)
{
    limes_rc rc = LIMES_OK;
    if (w->pending == SEP_IDENTIFIER)
        rc = buf_puts(&w->out, "<<");
    else if (w->pending == SEP_COMPONENT && w->out.len)
        rc = buf_puts(&w->out, "<");
    char copy[8];
    snprintf(copy, sizeof copy, "%s", value); /* value may be w->last itself */
    w->pending = SEP_NONE;
    w->component_empty = false;
    memcpy(w->last, copy, sizeof copy);
    return rc ? rc : buf_puts(&w->out, copy);
}

/* Cyrillic exception for the language hint, if any ("ukr^=YA" only first in component). */
static const char *cyrillic_value(const struct translit_entry *e, const char *lang, bool first)
{
    if (!lang || !e->exceptions[0])
        return e->value;
    size_t ll = strlen(lang);
    static _Thread_local char value[8];
    for (const char *p = e->exceptions; *p;) {
        const char *end = strchr(p, ' ');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        bool only_first = n > ll && p[ll] == '^';
        const char *eq = memchr(p, '=', n);
        if (eq && strncmp(p, lang, ll) == 0 && (p[ll] == '=' || only_first) &&
            (!only_first || first)) {
            snprintf(value, sizeof value, "%.*s", (int)(n - (size_t)(eq + 1 - p)), eq + 1);
            return value;
        }
        p += n + (end ? 1 : 0);
    }
    return e->value;
}

/* True when nothing but ignorable marks lie between i and the end of the component. */
static bool ends_component(const UChar32 *cps, int n, int i)
{
    for (int j = i + 1; j < n; j++) {
        if (is_component_break(cps[j]) || is_comma(cps[j]))
            return true;
        if (!is_arabic_ignorable(cps[j]))
            return false;
    }
    return true;
}

/* ع ب د ا ل + more letters, at the start of a component. */
static bool abd_compound(const UChar32 *cps, int n, int i)
{
    static const UChar32 abd_al[] = {0x0639, 0x0628, 0x062F, 0x0627, 0x0644};
    if (i + 5 >= n)
        return false;
    for (int k = 0; k < 5; k++)
        if (cps[i + k] != abd_al[k])
            return false;
    return !is_component_break(cps[i + 5]);
}

static limes_rc write_arabic(struct writer *w, const struct translit_entry *e,
                             const UChar32 *cps, int n, int i)
{
    if (strcmp(e->value, "*") == 0) /* shadda: repeat the previous letter */
        return w->last[0] ? emit(w, w->last) : LIMES_OK;
    if (!e->value[0])
        return LIMES_OK;
    if (e->end_value[0] && ends_component(cps, n, i))
        return emit(w, e->end_value);
    return emit(w, e->value);
}

/* Fallback for letters outside the tables: their NFD base letter if it is A-Z. */
static limes_rc write_fallback(struct writer *w, UChar32 c, limes_error *err)
{
    UErrorCode st = U_ZERO_ERROR;
    UChar src[4], nfd[16];
    int32_t len = 0;
    U16_APPEND_UNSAFE(src, len, c);
    const UNormalizer2 *norm = unorm2_getNFDInstance(&st);
    int32_t m = U_SUCCESS(st) ? unorm2_normalize(norm, src, len, nfd, 16, &st) : 0;
    if (U_SUCCESS(st) && m > 0 && nfd[0] >= 'A' && nfd[0] <= 'Z') {
        char base[2] = {(char)nfd[0], '\0'};
        return emit(w, base);
    }
    int8_t type = u_charType(c);
    if ((type >= U_DASH_PUNCTUATION && type <= U_OTHER_SYMBOL) || type == U_NON_SPACING_MARK ||
        type == U_FORMAT_CHAR || type == U_CONTROL_CHAR)
        return LIMES_OK; /* other punctuation, symbols and marks are omitted */
    return limes_fail(err, LIMES_UNSUPPORTED, "name",
                      "the character U+%04X has no MRZ transliteration", (unsigned)c);
}

static limes_rc write_char(struct writer *w, const UChar32 *cps, int n, int i, limes_error *err)
{
    UChar32 c = cps[i];
    if (c >= 'A' && c <= 'Z') {
        char s[2] = {(char)c, '\0'};
        return emit(w, s);
    }
    if (u_isdigit(c))
        return limes_fail(err, LIMES_INVALID, "name", "digits are not allowed in MRZ names");
    const struct translit_entry *e = translit_find(c);
    if (!e)
        return write_fallback(w, c, err);
    if (!e->value[0] && e->script != TRANSLIT_ARABIC)
        return LIMES_OK; /* listed as not written */
    if (e->script == TRANSLIT_LATIN)
        return emit(w, w->opts->second_choice && e->alt[0] ? e->alt : e->value);
    if (e->script == TRANSLIT_CYRILLIC)
        return emit(w, cyrillic_value(e, w->opts->lang, w->component_empty));
    return write_arabic(w, e, cps, n, i);
}

static limes_rc write_name(struct writer *w, const UChar32 *cps, int n, limes_error *err)
{
    for (int i = 0; i < n; i++) {
        UChar32 c = cps[i];
        if (is_apostrophe(c))
            continue;
        if (is_comma(c)) {
            bool split = w->split_first_comma && !w->identifiers_split;
            separate(w, split ? SEP_IDENTIFIER : SEP_COMPONENT);
            continue;
        }
        if (is_component_break(c)) {
            separate(w, SEP_COMPONENT);
            continue;
        }
        if (w->opts->split_abd && w->component_empty && abd_compound(cps, n, i)) {
            limes_rc rc = emit(w, "EBD");
            if (rc)
                return rc;
            separate(w, SEP_COMPONENT);
            i += 2; /* continue at the alef of "al" */
            continue;
        }
        limes_rc rc = write_char(w, cps, n, i, err);
        if (rc)
            return rc == LIMES_TOO_LARGE ? limes_fail(err, rc, "name", "the name is too long")
                                         : rc;
    }
    return LIMES_OK;
}

static limes_rc transliterate(struct writer *w, const char *utf8, limes_error *err)
{
    if (strlen(utf8) >= NAME_MAX_INPUT)
        return limes_fail(err, LIMES_TOO_LARGE, "name", "the name is longer than %d bytes",
                          NAME_MAX_INPUT - 1);
    UChar32 *cps = malloc(sizeof *cps * NAME_MAX_CPS);
    if (!cps)
        return limes_fail(err, LIMES_NOMEM, "name", "out of memory");
    int n = normalise(utf8, cps, NAME_MAX_CPS, err);
    limes_rc rc = n < 0 ? LIMES_INVALID : write_name(w, cps, n, err);
    free(cps);
    return rc;
}

static void writer_init(struct writer *w, const limes_mrz_name_options *opts)
{
    static const limes_mrz_name_options defaults = {0};
    memset(w, 0, sizeof *w);
    buf_init(&w->out, 4096);
    w->opts = opts ? opts : &defaults;
    w->component_empty = true;
}

static limes_rc finish(struct writer *w, char **out, limes_error *err)
{
    if (w->out.len == 0) {
        buf_release(&w->out);
        return limes_fail(err, LIMES_INVALID, "name", "the name has no letters");
    }
    *out = buf_take(&w->out);
    return *out ? LIMES_OK : limes_fail(err, LIMES_NOMEM, "name", "out of memory");
}

limes_rc limes_mrz_name_from_unicode(const char *utf8, const limes_mrz_name_options *opts,
                                     char **out, limes_error *err)
{
    struct writer w;
    if (!utf8)
        return limes_fail(err, LIMES_INVALID, "name", "no name given");
    writer_init(&w, opts);
    w.split_first_comma = true;
    limes_rc rc = transliterate(&w, utf8, err);
    if (rc) {
        buf_release(&w.out);
        return rc;
    }
    return finish(&w, out, err);
}

limes_rc limes_mrz_name_from_parts(const char *primary, const char *secondary,
                                   const limes_mrz_name_options *opts, char **out,
                                   limes_error *err)
{
    struct writer w;
    writer_init(&w, opts);
    limes_rc rc = primary ? transliterate(&w, primary, err) : LIMES_OK;
    if (!rc && secondary && secondary[0]) {
        separate(&w, SEP_IDENTIFIER);
        rc = transliterate(&w, secondary, err);
    }
    if (rc) {
        buf_release(&w.out);
        return rc;
    }
    return finish(&w, out, err);
}
