/*
 * keys.c - the cross-script consonant skeleton of a token, and its other
 * keys.  Unvocalised Arabic writes consonants and long vowels; Latin
 * spellings of the same name differ mostly in vowels and in how they
 * render a consonant ("kh", "q", "g").  Mapping both onto the reduced
 * alphabet of data/names/skeleton.tsv and dropping vowels, non-initial w/y,
 * a final h and repeats makes "Mohammed", "Muhammad" and "محمد" all "mhmd".
 *
 * Some Arabic letters are written in more than one way (ث as th or s, ض as
 * d or z): their class is an upper-case one, and data/names/skeleton_alt.tsv
 * says which Latin groups may write them and how they read.  A token's keys
 * are every combination of its letters' classes (names_token_keys), so
 * "wasiq" and وثيق share the key wTk.  The skeleton is an index key and one
 * of the similarity signals; it is never the only evidence of a hit.
 */
#include <string.h>

#include "names.h"
#include "names_int.h"

#define MAX_OPTIONS 6
#define MAX_LEAVES 256 /* combinations tried per token, whatever max says */

/*
 * One letter or letter group: what it may write (opt[0]: its own class),
 * each option one class or two ("sh" read as s + h); 0 = nothing.
 */
struct unit {
    char opt[MAX_OPTIONS][2];
    uint8_t n;
};

struct units {
    struct unit u[NAMES_MAX_CHARS];
    size_t n;
};

/* The class as written at this place: w and y only at the start. */
static char written(int cls, bool initial)
{
    if (cls <= 0 || ((cls == 'w' || cls == 'y') && !initial))
        return 0;
    return (char)cls;
}

static void put_class(char *out, size_t *o, int cls, bool initial)
{
    char c = written(cls, initial);
    if (!c || (*o > 0 && out[*o - 1] == c))
        return; /* a repeated class is written once */
    if (*o + 1 < NAMES_SKEL_BYTES)
        out[(*o)++] = c;
}

static void finish(char *out, size_t o)
{
    if (o > 1 && out[o - 1] == 'h')
        o--; /* a final h is dropped */
    out[o] = '\0';
}

/* The Latin class an upper-case (ambiguous Arabic) class is written as first. */
static int resolve(int cls)
{
    const char *reads = names_skel_class_alt(cls);
    return reads[0] ? reads[0] : cls;
}

static bool has_option(const struct unit *u, char a, char b)
{
    for (int k = 0; k < u->n; k++)
        if (u->opt[k][0] == a && u->opt[k][1] == b)
            return true;
    return false;
}

/*
 * A unit writing cls or one of the alternatives in alt and alt2: each
 * character one class, "x+y" two classes in a row (a Latin digraph read
 * as two letters).  splits_only keeps only the two-class alternatives.
 */
static void add_unit(struct units *us, int cls, const char *alt, const char *alt2, bool initial,
                     bool splits_only)
{
    struct unit *u = &us->u[us->n];
    u->n = 0;
    u->opt[0][0] = written(cls, initial);
    u->opt[0][1] = 0;
    u->n = 1;
    for (const char *list[2] = {alt, alt2}, **l = list; l < list + 2; l++)
        for (const char *a = *l; *a && u->n < MAX_OPTIONS; a++) {
            bool split = a[1] == '+' && a[2];
            if (splits_only && !split && !(*a >= 'a' && *a <= 'z'))
                continue;
            char c = written(resolve(*a), initial), c2 = split ? written(resolve(a[2]), false) : 0;
            if (split)
                a += 2;
            if (!has_option(u, c, c2)) {
                u->opt[u->n][0] = c;
                u->opt[u->n++][1] = c2;
            }
        }
    if (u->n > 1 || u->opt[0][0])
        us->n++; /* a unit that never writes anything is left out */
}


/* A letter (Arabic) or letter group (Latin) with its class and alternatives. */
struct letter {
    int cls;           /* skeleton.tsv class; upper case: an ambiguous Arabic letter */
    const char *alt;   /* other classes of this letter or group (may be upper case) */
    const char *reads; /* the Latin readings of an upper-case class, else "" */
    bool initial;      /* first of the token */
};

/* The letters of cp[0..n) of one script into out[NAMES_MAX_CHARS]; returns the count. */
static size_t letters(const uint32_t *cp, size_t n, name_script script, struct letter *out)
{
    size_t k = 0;
    if (script == NS_ARABIC) {
        for (size_t i = 0; i < n && k < NAMES_MAX_CHARS; i++) {
            struct letter *l = &out[k++];
            l->alt = "";
            l->cls = cp[i] >= '0' && cp[i] <= '9' ? (int)cp[i] : names_skel_arabic(cp[i], &l->alt);
            l->reads = names_skel_class_alt(l->cls);
            l->initial = i == 0;
        }
    } else if (script == NS_LATIN) {
        char ascii[NAMES_MAX_CHARS + 1];
        size_t na = 0;
        for (size_t i = 0; i < n && na < NAMES_MAX_CHARS; i++)
            if (cp[i] < 0x80)
                ascii[na++] = (char)cp[i];
        for (size_t i = 0, used = 1; i < na && k < NAMES_MAX_CHARS; i += used) {
            struct letter *l = &out[k++];
            l->alt = l->reads = "";
            used = 1;
            l->cls = ascii[i] >= '0' && ascii[i] <= '9'
                         ? ascii[i]
                         : names_skel_latin(ascii + i, na - i, &used, &l->alt);
            l->initial = i == 0;
        }
    }
    return k;
}

/*
 * Units of cp[0..n) of one script.  EX_NONE: each unit writes its
 * canonical class only (an ambiguous Arabic letter: its first reading);
 * EX_ALL: an Arabic letter also writes its other readings, a Latin group
 * the first readings of the ambiguous Arabic letters it may write and its
 * reading as two letters; EX_SPLITS: a Latin group only the latter.
 */
enum expand { EX_NONE, EX_SPLITS, EX_ALL };

static void build_units(const uint32_t *cp, size_t n, name_script script, enum expand ex,
                        struct units *us)
{
    struct letter ls[NAMES_MAX_CHARS];
    size_t nl = letters(cp, n, script, ls);
    for (size_t i = 0; i < nl && us->n < NAMES_MAX_CHARS; i++)
        add_unit(us, resolve(ls[i].cls), ex == EX_ALL ? ls[i].reads : "",
                 ex == EX_NONE ? "" : ls[i].alt, ls[i].initial, ex == EX_SPLITS);
}

struct keyset {
    char (*keys)[NAMES_SKEL_BYTES];
    size_t n, max;
    int leaves;
};

static void keyset_add(struct keyset *ks, const char *k)
{
    if (!k[0] || ks->n >= ks->max)
        return;
    for (size_t i = 0; i < ks->n; i++)
        if (!strcmp(ks->keys[i], k))
            return;
    memcpy(ks->keys[ks->n++], k, strlen(k) + 1);
}

/* Every combination of the units' classes from unit i on (first: all canonical). */
static void combine(const struct units *us, size_t i, char *buf, size_t o, struct keyset *ks)
{
    if (ks->n >= ks->max || ks->leaves >= MAX_LEAVES)
        return;
    if (i == us->n) {
        ks->leaves++;
        finish(buf, o);
        keyset_add(ks, buf);
        return;
    }
    for (int k = 0; k < us->u[i].n; k++) {
        size_t o2 = o;
        for (int j = 0; j < 2; j++) {
            char c = us->u[i].opt[k][j];
            if (c && !(o2 > 0 && buf[o2 - 1] == c) && o2 + 1 < NAMES_SKEL_BYTES)
                buf[o2++] = c; /* a repeated class is written once */
        }
        combine(us, i + 1, buf, o2, ks);
    }
}

/* The canonical skeleton: what combine() gives first, without the units. */
void names_skeleton(const uint32_t *cp, size_t n, name_script script, char *out)
{
    struct letter ls[NAMES_MAX_CHARS];
    size_t nl = letters(cp, n, script, ls), o = 0;
    for (size_t i = 0; i < nl; i++)
        put_class(out, &o, resolve(ls[i].cls), ls[i].initial);
    finish(out, o);
}

size_t names_skeleton_alts(const uint32_t *cp, size_t n, char *cls, char *alt)
{
    struct letter ls[NAMES_MAX_CHARS];
    size_t nl = letters(cp, n, NS_LATIN, ls), o = 0;
    for (size_t i = 0; i < nl; i++) {
        char w = written(ls[i].cls, ls[i].initial);
        char a = ls[i].alt[0] ? written(resolve(ls[i].alt[0]), ls[i].initial) : 0;
        if (w && !(o > 0 && cls[o - 1] == w) && o + 1 < NAMES_SKEL_BYTES) {
            cls[o] = w;
            alt[o++] = a;
        }
    }
    if (o > 1 && cls[o - 1] == 'h')
        o--;
    cls[o] = alt[o] = '\0';
    return o;
}

bool names_has_readings(const uint32_t *cp, size_t n, name_script script)
{
    for (size_t i = 0; script == NS_ARABIC && i < n; i++) {
        const char *alt;
        int cls = names_skel_arabic(cp[i], &alt);
        if (alt[0] || names_skel_class_alt(cls)[0])
            return true;
    }
    for (size_t i = 1; script == NS_LATIN && i < n; i++)
        if (cp[i] < 0x80 && cp[i - 1] < 0x80 && names_skel_split(cp[i - 1], cp[i]))
            return true;
    return false;
}

size_t names_abd_prefix(const name_token *t)
{
    static const uint32_t abd_ar[] = {0x639, 0x628, 0x62F}; /* عبد */
    if (t->ncp <= 4)
        return 0;
    if (t->script == NS_ARABIC)
        return memcmp(t->cp, abd_ar, sizeof abd_ar) == 0 ? 3 : 0;
    return t->script == NS_LATIN && t->cp[0] == 'a' && t->cp[1] == 'b' && t->cp[2] == 'd' ? 3 : 0;
}

/* Keys of a token; all: a Latin token's alternatives too, else only its two-letter readings. */
static size_t token_keys(const name_token *t, bool all, char (*keys)[NAMES_SKEL_BYTES], size_t max)
{
    static _Thread_local struct units us;
    struct keyset ks = {.keys = keys, .max = max};
    char buf[NAMES_SKEL_BYTES];
    keyset_add(&ks, t->skel);
    keyset_add(&ks, t->skel_na);
    enum expand ex = t->script == NS_ARABIC ? ((t->flags & NT_READINGS) ? EX_ALL : EX_NONE)
                     : all                  ? EX_ALL
                     : (t->flags & NT_READINGS) ? EX_SPLITS
                                                : EX_NONE;
    if (ex == EX_NONE)
        return ks.n;
    /* an "abd" compound keys as "abd" + the name (see token_skeleton) */
    size_t abd = names_abd_prefix(t);
    us.n = 0;
    build_units(t->cp, abd, (name_script)t->script, EX_NONE, &us);
    build_units(t->cp + abd, t->ncp - abd, (name_script)t->script, ex, &us);
    combine(&us, 0, buf, 0, &ks);
    if (t->art) {
        us.n = 0;
        ks.leaves = 0;
        build_units(t->cp + t->art, t->ncp - t->art, (name_script)t->script, ex, &us);
        combine(&us, 0, buf, 0, &ks);
    }
    return ks.n;
}

size_t names_token_keys(const name_token *t, char (*keys)[NAMES_SKEL_BYTES], size_t max)
{
    return token_keys(t, true, keys, max);
}

size_t names_token_readings(const name_token *t, char (*keys)[NAMES_SKEL_BYTES], size_t max)
{
    return token_keys(t, false, keys, max);
}
