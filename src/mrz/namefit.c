/*
 * namefit.c - fitting an MRZ name into its field (Doc 9303 Part 3 section
 * 4.6: padding, and truncation that keeps "<<" and at least the first
 * letter of the secondary identifier, ending on a letter so that a reader
 * sees "possibly truncated"), reading MRZ Arabic transliterations back
 * into Arabic script (Appendix B.6), and folding them for matching.
 */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "mrz/mrz_int.h"
#include "mrz/translit.h"

/* Copy s[0..n) collapsing runs of '<' into one and dropping them at both ends. */
static size_t collapse(char *dst, const char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '<' && (o == 0 || dst[o - 1] == '<'))
            continue;
        dst[o++] = s[i];
    }
    while (o > 0 && dst[o - 1] == '<')
        o--;
    dst[o] = '\0';
    return o;
}

/*
 * Cut s (single-'<' separated, longer than k) to exactly k characters ending
 * on a letter: when the cut falls on a separator, the last letter before it
 * gives way to the initial of the next component (unless that component is a
 * single letter, where the swap would fake a "<<").
 */
static void cut_to(char *dst, const char *s, size_t k)
{
    memcpy(dst, s, k);
    if (k >= 3 && s[k - 1] == '<' && s[k - 3] != '<') { /* never makes a "<<" */
        dst[k - 2] = '<';
        dst[k - 1] = s[k];
    }
    dst[k] = '\0';
}

static bool mrz_name_chars(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || *s == '<'))
            return false;
    return true;
}

static limes_rc fit_long(const char *primary, size_t plen, const char *secondary, size_t slen,
                         size_t width, char *res, bool *truncated)
{
    size_t total = plen + (slen ? 2 + slen : 0);
    if (total <= width) { /* only surplus fillers were too many */
        memcpy(res, primary, plen);
        if (slen) {
            memcpy(res + plen, "<<", 2);
            memcpy(res + plen + 2, secondary, slen);
        }
        memset(res + total, '<', width - total);
        res[width] = '\0';
        *truncated = false;
        return LIMES_OK;
    }
    if (slen == 0) {
        cut_to(res, primary, width);
        return LIMES_OK;
    }
    if (plen + 3 <= width) { /* the secondary identifier gives way */
        memcpy(res, primary, plen);
        memcpy(res + plen, "<<", 2);
        cut_to(res + plen + 2, secondary, width - plen - 2);
        return LIMES_OK;
    }
    cut_to(res, primary, width - 3); /* primary too long: keep one secondary letter */
    res[width - 3] = '<';
    res[width - 2] = '<';
    res[width - 1] = secondary[0];
    res[width] = '\0';
    return LIMES_OK;
}

limes_rc limes_mrz_name_fit(const char *mrz_name, size_t width, char **out, bool *truncated,
                            limes_error *err)
{
    if (!mrz_name || !mrz_name_chars(mrz_name))
        return limes_fail(err, LIMES_INVALID, "name", "an MRZ name holds only A-Z and '<'");
    if (width < 4 || width > 64)
        return limes_fail(err, LIMES_INVALID, "width", "name fields are 4 to 64 characters");
    size_t len = strlen(mrz_name);
    char *res = malloc(width + 1);
    if (!res)
        return limes_fail(err, LIMES_NOMEM, "name", "out of memory");
    *truncated = len > width;
    if (!*truncated) {
        memcpy(res, mrz_name, len);
        memset(res + len, '<', width - len);
        res[width] = '\0';
        *out = res;
        return LIMES_OK;
    }
    const char *sep = strstr(mrz_name, "<<");
    char *primary = malloc(len + 1), *secondary = malloc(len + 1);
    limes_rc rc = LIMES_NOMEM;
    if (primary && secondary) {
        size_t plen = collapse(primary, mrz_name, sep ? (size_t)(sep - mrz_name) : len);
        size_t slen = sep ? collapse(secondary, sep + 2, strlen(sep + 2)) : 0;
        rc = plen == 0 ? limes_fail(err, LIMES_INVALID, "name", "the primary identifier is empty")
                       : fit_long(primary, plen, secondary, slen, width, res, truncated);
    }
    free(primary);
    free(secondary);
    if (rc) {
        free(res);
        return rc == LIMES_NOMEM ? limes_fail(err, rc, "name", "out of memory") : rc;
    }
    *out = res;
    return LIMES_OK;
}

/* Length of the token at s: X + 1 or 2 letters (the code is prefix-free), else 1. */
static size_t token_length(const char *s, size_t left)
{
    if (s[0] != 'X')
        return 1;
    if (left >= 2 && translit_reverse(s, 2))
        return 2;
    return left >= 3 ? 3 : left;
}

static limes_rc put_code_point(buf *b, int32_t cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2; /* every Arabic letter is below U+0800 */
    }
    return buf_append(b, u, n);
}

limes_rc limes_mrz_name_to_arabic(const char *mrz, bool shadda, char **out, limes_error *err)
{
    if (!mrz || strlen(mrz) > 256 || !mrz_name_chars(mrz))
        return limes_fail(err, LIMES_INVALID, "mrz", "an MRZ name holds only A-Z and '<'");
    buf b;
    buf_init(&b, 4096);
    size_t len = strlen(mrz), i = 0;
    int32_t previous = 0;
    limes_rc rc = LIMES_OK;
    while (i < len && !rc) {
        if (mrz[i] == '<') {
            while (i < len && mrz[i] == '<')
                i++;
            rc = i < len && b.len ? buf_putc(&b, ' ') : LIMES_OK;
            previous = 0;
            continue;
        }
        size_t n = token_length(mrz + i, len - i);
        int32_t cp = translit_reverse(mrz + i, n);
        if (!cp) {
            buf_release(&b);
            return limes_fail(err, LIMES_INVALID, "mrz",
                              "'%.*s' at position %zu is not an Arabic transliteration token",
                              (int)n, mrz + i, i + 1);
        }
        rc = shadda && cp == previous ? put_code_point(&b, 0x0651) : put_code_point(&b, cp);
        previous = shadda && cp == previous ? 0 : cp;
        i += n;
    }
    if (rc || !b.len) {
        buf_release(&b);
        return limes_fail(err, rc ? rc : LIMES_INVALID, "mrz", "no Arabic name could be read");
    }
    *out = buf_take(&b);
    return *out ? LIMES_OK : limes_fail(err, LIMES_NOMEM, "mrz", "out of memory");
}

/* The matching form of one Arabic token (B.5.5.6 and the Persian/Arabic pairs). */
static const char *folded_token(const char *t, size_t n)
{
    static const char *const pairs[][2] = {
        {"XTA", "XAH"}, {"XYA", "Y"}, {"XAY", "Y"}, {"XKK", "K"},
        {"XAE", "A"},   {"XAA", "A"}, {"I", "A"},   {"XXA", "A"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (strlen(pairs[i][0]) == n && memcmp(pairs[i][0], t, n) == 0)
            return pairs[i][1];
    return NULL;
}

/* Fold one component (no '<') into b; false if it is not an Arabic token sequence. */
static bool fold_component(buf *b, const char *s, size_t len)
{
    size_t start = b->len, i = 0;
    char previous[4] = "";
    while (i < len) {
        size_t n = token_length(s + i, len - i);
        if (!translit_reverse(s + i, n))
            return false;
        const char *f = folded_token(s + i, n);
        char token[4];
        snprintf(token, sizeof token, "%.*s", f ? (int)strlen(f) : (int)n, f ? f : s + i);
        if (strcmp(token, previous) != 0 && buf_puts(b, token))
            return false;
        snprintf(previous, sizeof previous, "%s", token);
        i += n;
    }
    return b->len > start || len == 0;
}

limes_rc limes_mrz_name_fold(const char *mrz, char **out, limes_error *err)
{
    if (!mrz || strlen(mrz) > 256 || !mrz_name_chars(mrz))
        return limes_fail(err, LIMES_INVALID, "mrz", "an MRZ name holds only A-Z and '<'");
    buf b;
    buf_init(&b, 1024);
    bool arabic = true;
    for (const char *p = mrz; *p && arabic;) {
        size_t n = strcspn(p, "<");
        arabic = fold_component(&b, p, n);
        p += n;
        while (*p == '<' && arabic)
            arabic = buf_putc(&b, *p++) == LIMES_OK;
    }
    if (!arabic) {
        buf_reset(&b);
        if (buf_puts(&b, mrz)) {
            buf_release(&b);
            return limes_fail(err, LIMES_NOMEM, "mrz", "out of memory");
        }
    }
    *out = buf_take(&b);
    if (!*out)
        *out = strdup("");
    return *out ? LIMES_OK : limes_fail(err, LIMES_NOMEM, "mrz", "out of memory");
}
