/*
 * similarity.c - string metrics over Unicode code points: Jaro, Jaro-Winkler
 * (with jellyfish's optional long-string tolerance), Levenshtein and
 * unrestricted Damerau-Levenshtein.  They follow jellyfish exactly so that
 * its test vectors (../shared/data/screening/jellyfish_vectors/) hold;
 * names are short, so the O(n*m) forms are the fast ones here and nothing
 * is allocated: inputs beyond fixed limits are refused or truncated.
 */
#include <stdint.h>
#include <string.h>

#include "names.h"

#define JARO_MAX 256   /* code points compared by the Jaro family */
#define EDIT_MAX 255   /* code points accepted by the edit distances */

/*
 * Matching characters and transpositions of the Jaro family, for strings
 * of up to 64 code points: the positions of each code point of b as a bit
 * mask (slot = code point mod 64), so that a[i]'s match is the lowest free
 * bit of its mask inside the window, one step instead of a scan of the
 * window.  Returns false when two code points of b share a slot (the
 * caller then scans); the result is the same as the scan's.
 */
static bool jaro_bits(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, size_t range,
                      size_t *common, size_t *trans)
{
    uint64_t mask[64], used = 0;
    uint32_t cp[64];
    for (size_t j = 0; j < nb; j++) {
        unsigned s = b[j] & 63;
        if (used >> s & 1) {
            if (cp[s] != b[j])
                return false;
            mask[s] |= 1ull << j;
        } else {
            used |= 1ull << s;
            cp[s] = b[j];
            mask[s] = 1ull << j;
        }
    }
    uint64_t fa = 0, fb = 0;
    size_t n = 0;
    for (size_t i = 0; i < na; i++) {
        unsigned s = a[i] & 63;
        if (!(used >> s & 1) || cp[s] != a[i])
            continue;
        size_t lo = i > range ? i - range : 0;
        size_t hi = i + range < nb - 1 ? i + range : nb - 1;
        if (lo > hi)
            continue; /* a far longer than b: no window left */
        uint64_t window = (hi - lo == 63 ? ~0ull : ((1ull << (hi - lo + 1)) - 1)) << lo;
        uint64_t m = mask[s] & window & ~fb;
        if (m) {
            fb |= m & -m;
            fa |= 1ull << i;
            n++;
        }
    }
    *common = n; /* counted: a popcount is a library call without -mpopcnt */
    *trans = 0;
    while (fa) { /* the k-th matched character of a against the k-th of b */
        if (a[__builtin_ctzll(fa)] != b[__builtin_ctzll(fb)])
            (*trans)++;
        fa &= fa - 1;
        fb &= fb - 1;
    }
    return true;
}

/* The same by scanning each window (any length up to JARO_MAX). */
static void jaro_scan(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, size_t range,
                      size_t *common_out, size_t *trans_out)
{
    bool fa[JARO_MAX], fb[JARO_MAX];
    memset(fa, 0, na);
    memset(fb, 0, nb);
    size_t common = 0;
    for (size_t i = 0; i < na; i++) {
        size_t lo = i > range ? i - range : 0;
        size_t hi = i + range < nb - 1 ? i + range : nb - 1;
        for (size_t j = lo; j <= hi; j++) {
            if (!fb[j] && b[j] == a[i]) {
                fa[i] = fb[j] = true;
                common++;
                break;
            }
        }
    }
    size_t k = 0, trans = 0;
    for (size_t i = 0; i < na; i++) {
        if (!fa[i])
            continue;
        size_t j = k;
        while (j < nb && !fb[j])
            j++;
        k = j + 1;
        if (j < nb && a[i] != b[j])
            trans++;
    }
    *common_out = common;
    *trans_out = trans;
}

static double jaro_core(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                        bool winklerize, bool long_tolerance)
{
    if (!na || !nb)
        return 0.0;
    if (na > JARO_MAX)
        na = JARO_MAX;
    if (nb > JARO_MAX)
        nb = JARO_MAX;
    size_t longer = na > nb ? na : nb, min_len = na < nb ? na : nb;
    size_t range = longer / 2 >= 1 ? longer / 2 - 1 : 0;
    size_t common, trans;
    if (na > 64 || nb > 64 || !jaro_bits(a, na, b, nb, range, &common, &trans))
        jaro_scan(a, na, b, nb, range, &common, &trans);
    if (!common)
        return 0.0;
    trans /= 2;
    double c = (double)common;
    double w = (c / (double)na + c / (double)nb + (c - (double)trans) / c) / 3.0;
    if (!winklerize || w <= 0.7)
        return w;
    size_t p = 0, pmax = min_len < 4 ? min_len : 4;
    while (p < pmax && a[p] == b[p] && a[p])
        p++;
    if (p)
        w += (double)p * 0.1 * (1.0 - w);
    /* jellyfish >= 1.0 applies the tolerance to digit-led strings too
       (vector "1abcdefg,1abcdefh,0.96") */
    if (long_tolerance && min_len > 4 && common > p + 1 && 2 * common >= min_len + p)
        w += (1.0 - w) * ((c - (double)p - 1.0) / ((double)na + (double)nb - (double)p * 2 + 2.0));
    return w;
}

double names_jaro(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    return jaro_core(a, na, b, nb, false, false);
}

double names_jaro_winkler(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                          bool long_tolerance)
{
    return jaro_core(a, na, b, nb, true, long_tolerance);
}

static size_t min3(size_t x, size_t y, size_t z)
{
    size_t m = x < y ? x : y;
    return m < z ? m : z;
}

size_t names_levenshtein(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    if (na > EDIT_MAX || nb > EDIT_MAX)
        return SIZE_MAX;
    size_t row[EDIT_MAX + 1];
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            row[j] = min3(row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1]));
            diag = up;
        }
    }
    return row[nb];
}

/* Last row (1-based) in which code point c occurred in a; a tiny linear map. */
struct last_seen {
    uint32_t cp[EDIT_MAX];
    size_t row[EDIT_MAX];
    size_t n;
};

static size_t last_seen_get(const struct last_seen *m, uint32_t c)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->cp[i] == c)
            return m->row[i];
    return 0;
}

static void last_seen_set(struct last_seen *m, uint32_t c, size_t row)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->cp[i] == c) {
            m->row[i] = row;
            return;
        }
    m->cp[m->n] = c;
    m->row[m->n++] = row;
}

/* Unrestricted Damerau-Levenshtein (Lowrance-Wagner), as jellyfish computes it. */
size_t names_damerau(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    if (na > 64 || nb > 64) /* the full matrix lives on the stack */
        return na > EDIT_MAX || nb > EDIT_MAX ? SIZE_MAX : names_levenshtein(a, na, b, nb);
    static _Thread_local size_t score[66][66];
    struct last_seen da = {.n = 0};
    size_t inf = na + nb;
    score[0][0] = inf;
    for (size_t i = 0; i <= na; i++) {
        score[i + 1][0] = inf;
        score[i + 1][1] = i;
    }
    for (size_t j = 0; j <= nb; j++) {
        score[0][j + 1] = inf;
        score[1][j + 1] = j;
    }
    for (size_t i = 1; i <= na; i++) {
        size_t db = 0;
        for (size_t j = 1; j <= nb; j++) {
            size_t i1 = last_seen_get(&da, b[j - 1]), j1 = db, cost = 1;
            if (a[i - 1] == b[j - 1]) {
                cost = 0;
                db = j;
            }
            size_t best = min3(score[i][j] + cost, score[i + 1][j] + 1, score[i][j + 1] + 1);
            size_t transpose = score[i1][j1] + (i - i1 - 1) + 1 + (j - j1 - 1);
            score[i + 1][j + 1] = best < transpose ? best : transpose;
        }
        last_seen_set(&da, a[i - 1], i);
    }
    return score[na + 1][nb + 1];
}

long names_utf8_decode(const char *s, size_t len, uint32_t *out, size_t max)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    size_t n = 0;
    while (p < end) {
        uint32_t c;
        int extra;
        if (*p < 0x80) {
            c = *p;
            extra = 0;
        } else if ((*p & 0xE0) == 0xC0 && *p >= 0xC2) {
            c = *p & 0x1F;
            extra = 1;
        } else if ((*p & 0xF0) == 0xE0) {
            c = *p & 0x0F;
            extra = 2;
        } else if ((*p & 0xF8) == 0xF0 && *p <= 0xF4) {
            c = *p & 0x07;
            extra = 3;
        } else {
            return -1;
        }
        if (end - p <= extra)
            return -1;
        for (int k = 1; k <= extra; k++) {
            if ((p[k] & 0xC0) != 0x80)
                return -1;
            c = (c << 6) | (p[k] & 0x3F);
        }
        if ((extra == 2 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) ||
            (extra == 3 && (c < 0x10000 || c > 0x10FFFF)))
            return -1;
        p += extra + 1;
        if (n < max)
            out[n] = c;
        n++;
    }
    return (long)(n < max ? n : max);
}
