/*
 * tables.c - the name data of data/names/, compiled in by tools/embed.py and
 * parsed once per process: folding of letter variants, the skeleton
 * alphabet, particles, titles and the learnt Arabic->Latin variant groups.
 * Parsing is strict about structure (a malformed line is a build-time bug,
 * reported by names_init()) and lenient about content (a line whose name
 * does not normalise to one token is skipped).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/embed.h"
#include "core/grow.h"
#include "names.h"
#include "names_int.h"
#include "strmap.h"

extern const struct embedded_file names_data[];
extern const size_t names_data_count;

struct fold_rule {
    uint32_t from;
    uint32_t to[3];
    int n;
};

struct latin_group {
    char s[4];
    size_t len;
    char cls;
    char alt[4]; /* other classes (skeleton_alt.tsv), "" if none */
};

static struct {
    struct fold_rule fold[256];
    size_t nfold;
    struct fold_rule skel_ar[96]; /* to[0] = class char or 0; to[1] = alternatives (4 chars) */
    size_t nskel_ar;
    char class_alt[26][4];        /* upper-case class -> the classes it reads as */
    bool split[128][128];         /* Latin two-letter groups also read as two letters */
    struct latin_group latin[64];
    size_t nlatin;
    size_t latin_first[128]; /* first group starting with each ASCII letter (groups sorted) */
    strmap particles;
    strmap titles;
    /* variant groups: token text -> [group ids]; group -> spellings */
    strmap group_tokens;           /* value = index into tok_first */
    uint32_t *tok_ids;             /* CSR over group_tokens entries */
    uint32_t *tok_off;             /* n + 1 offsets into tok_ids */
    uint32_t *spell_off;           /* ngroups + 1 offsets into spell_cp_off */
    uint32_t *spell_cp_off;        /* per spelling: offset into cp pool (+ length in next) */
    uint8_t *spell_len;
    uint32_t *spell_skel;          /* per spelling: hash of its skeleton */
    uint32_t *cp_pool;
    size_t ngroups;
    limes_rc rc;
    limes_error err;
} T;

static pthread_once_t once = PTHREAD_ONCE_INIT;

/* ---- small parsing helpers ----------------------------------------------- */

/* Next line of a text; returns false at the end.  Comments and blank lines are skipped. */
static bool next_line(const char **p, const char *end, const char **line, size_t *len)
{
    while (*p < end) {
        const char *s = *p, *nl = memchr(s, '\n', (size_t)(end - s));
        const char *e = nl ? nl : end;
        *p = nl ? nl + 1 : end;
        if (e > s && e[-1] == '\r')
            e--;
        if (e == s || *s == '#')
            continue;
        *line = s;
        *len = (size_t)(e - s);
        return true;
    }
    return false;
}

static const struct embedded_file *data_file(const char *name)
{
    const struct embedded_file *f = embed_find(names_data, names_data_count, name);
    if (!f)
        limes_fail(&T.err, LIMES_INTERNAL, "names", "name table %s is not compiled in", name);
    return f;
}

static int cmp_fold(const void *a, const void *b)
{
    uint32_t x = ((const struct fold_rule *)a)->from, y = ((const struct fold_rule *)b)->from;
    return x < y ? -1 : x > y;
}

static const struct fold_rule *find_rule(const struct fold_rule *rules, size_t n, uint32_t c)
{
    struct fold_rule key = {.from = c};
    return bsearch(&key, rules, n, sizeof key, cmp_fold);
}

typedef limes_rc (*line_fn)(void *ctx, const char *line, size_t len);

/* Call fn on each line of a compiled-in table, up to its first error. */
static limes_rc each_line(const char *name, line_fn fn, void *ctx)
{
    const struct embedded_file *f = data_file(name);
    if (!f)
        return T.err.rc;
    const char *p = f->data, *end = f->data + f->len, *line;
    size_t len;
    limes_rc rc = LIMES_OK;
    while (!rc && next_line(&p, end, &line, &len))
        rc = fn(ctx, line, len);
    return rc;
}

/* "from <TAB> to" lines, to possibly empty; ctx is the table's name. */
static limes_rc fold_line(void *ctx, const char *line, size_t len)
{
    const char *name = ctx;
    const char *tab = memchr(line, '\t', len);
    uint32_t from[2], to[4];
    if (!tab || names_utf8_decode(line, (size_t)(tab - line), from, 2) != 1)
        return limes_fail(&T.err, LIMES_INTERNAL, name, "malformed line in %s", name);
    long nt = names_utf8_decode(tab + 1, (size_t)(line + len - tab - 1), to, 4);
    if (nt < 0 || nt > 3 || T.nfold >= sizeof T.fold / sizeof T.fold[0])
        return limes_fail(&T.err, LIMES_INTERNAL, name, "malformed line in %s", name);
    struct fold_rule *r = &T.fold[T.nfold++];
    r->from = from[0];
    r->n = (int)nt;
    memcpy(r->to, to, (size_t)nt * sizeof to[0]);
    return LIMES_OK;
}

static limes_rc load_fold(const char *name)
{
    return each_line(name, fold_line, (void *)name);
}

static int cmp_latin(const void *a, const void *b)
{
    return strcmp(((const struct latin_group *)a)->s, ((const struct latin_group *)b)->s);
}

static limes_rc skeleton_line(void *ctx, const char *line, size_t len)
{
    (void)ctx;
    const char *tab = memchr(line, '\t', len);
    if (!tab || line + len - tab != 2)
        return limes_fail(&T.err, LIMES_INTERNAL, "skeleton.tsv", "malformed line");
    char cls = tab[1] == '-' ? 0 : tab[1];
    size_t slen = (size_t)(tab - line);
    if ((unsigned char)line[0] < 0x80) {
        if (slen > 3 || T.nlatin >= sizeof T.latin / sizeof T.latin[0])
            return limes_fail(&T.err, LIMES_INTERNAL, "skeleton.tsv", "malformed line");
        memcpy(T.latin[T.nlatin].s, line, slen);
        T.latin[T.nlatin].s[slen] = '\0';
        T.latin[T.nlatin].len = slen;
        T.latin[T.nlatin++].cls = cls;
    } else {
        uint32_t c[2];
        if (names_utf8_decode(line, slen, c, 2) != 1 ||
            T.nskel_ar >= sizeof T.skel_ar / sizeof T.skel_ar[0])
            return limes_fail(&T.err, LIMES_INTERNAL, "skeleton.tsv", "malformed line");
        T.skel_ar[T.nskel_ar++] = (struct fold_rule){.from = c[0], .to = {(uint32_t)cls}};
    }
    return LIMES_OK;
}

static limes_rc load_skeleton(void)
{
    limes_rc rc = each_line("skeleton.tsv", skeleton_line, NULL);
    if (rc)
        return rc;
    qsort(T.skel_ar, T.nskel_ar, sizeof T.skel_ar[0], cmp_fold);
    qsort(T.latin, T.nlatin, sizeof T.latin[0], cmp_latin);
    for (size_t c = 0; c < 128; c++)
        T.latin_first[c] = T.nlatin;
    for (size_t i = T.nlatin; i-- > 0;)
        T.latin_first[(unsigned char)T.latin[i].s[0] & 127] = i;
    return LIMES_OK;
}

/*
 * Has a Latin group's list of alternatives a reading of its own, one the
 * similarity compares and not only the index: two letters ("sh" as s + h)
 * or another lower-case class ("ch" as the kh of German "Chalid")?
 * Upper-case alternatives (an ambiguous Arabic letter) are index keys only.
 */
static bool latin_reading(const char *alt)
{
    for (const char *a = alt; *a; a++)
        if (a[1] == '+' || (*a >= 'a' && *a <= 'z'))
            return true;
    return false;
}

/* "source <TAB> classes": alternatives of a Latin group, class or Arabic letter. */
static limes_rc skeleton_alt_line(void *ctx, const char *line, size_t len)
{
    (void)ctx;
    const char *tab = memchr(line, '\t', len);
    size_t slen = tab ? (size_t)(tab - line) : 0, alen = tab ? (size_t)(line + len - tab - 1) : 0;
    char alt[4] = {0};
    if (!tab || alen == 0 || alen > 3)
        return limes_fail(&T.err, LIMES_INTERNAL, "skeleton_alt.tsv", "malformed line");
    memcpy(alt, tab + 1, alen);
    bool done = false;
    if (slen == 1 && line[0] >= 'A' && line[0] <= 'Z') {
        memcpy(T.class_alt[line[0] - 'A'], alt, 4);
        done = true;
    } else if ((unsigned char)line[0] < 0x80) {
        for (size_t i = 0; i < T.nlatin; i++)
            if (T.latin[i].len == slen && !memcmp(T.latin[i].s, line, slen)) {
                memcpy(T.latin[i].alt, alt, 4);
                T.split[line[0] & 127][line[1] & 127] = slen == 2 && latin_reading(alt);
                done = true;
            }
    } else {
        uint32_t c[2];
        struct fold_rule *r = names_utf8_decode(line, slen, c, 2) == 1
                                  ? (struct fold_rule *)find_rule(T.skel_ar, T.nskel_ar, c[0])
                                  : NULL;
        if (r) {
            memcpy(&r->to[1], alt, 4);
            done = true;
        }
    }
    if (!done)
        return limes_fail(&T.err, LIMES_INTERNAL, "skeleton_alt.tsv",
                          "alternative for a letter skeleton.tsv does not list");
    return LIMES_OK;
}

static limes_rc load_skeleton_alt(void)
{
    return each_line("skeleton_alt.tsv", skeleton_alt_line, NULL);
}

/* Words of a line, normalised by the ICU stage only, joined by one space. */
static bool raw_words(const char *s, size_t len, char *out, size_t cap, size_t *nwords)
{
    static struct raw_tokens rt;
    limes_error e = {0};
    if (names_raw_tokens(s, len, 0, &rt, &e) || rt.n == 0)
        return false;
    size_t o = 0;
    for (size_t i = 0; i < rt.n; i++) {
        char w[NAMES_TEXT_BYTES];
        names_raw_text(&rt.tok[i], w, sizeof w);
        size_t wl = strlen(w);
        if (o + wl + 2 > cap)
            return false;
        if (i)
            out[o++] = ' ';
        memcpy(out + o, w, wl);
        o += wl;
    }
    out[o] = '\0';
    *nwords = rt.n;
    return true;
}

static limes_rc particle_line(void *ctx, const char *line, size_t len)
{
    (void)ctx;
    const char *tab = memchr(line, '\t', len);
    char words[256];
    size_t nw;
    if (!tab || !raw_words(line, (size_t)(tab - line), words, sizeof words, &nw) || nw != 1)
        return limes_fail(&T.err, LIMES_INTERNAL, "particles.tsv", "malformed line");
    size_t rl = (size_t)(line + len - tab - 1);
    uint32_t rule = rl == 4 && !memcmp(tab + 1, "glue", 4)      ? NP_GLUE
                    : rl == 4 && !memcmp(tab + 1, "drop", 4)    ? NP_DROP
                    : rl == 7 && !memcmp(tab + 1, "article", 7) ? NP_ARTICLE
                    : rl == 6 && !memcmp(tab + 1, "suffix", 6)  ? NP_SUFFIX
                    : rl == 4 && !memcmp(tab + 1, "link", 4)    ? NP_LINK
                    : rl == 6 && !memcmp(tab + 1, "second", 6)  ? NP_SECOND
                                                                : NP_NONE;
    if (rule == NP_NONE)
        return limes_fail(&T.err, LIMES_INTERNAL, "particles.tsv", "unknown rule");
    if (strmap_put(&T.particles, words, strlen(words), rule, NULL))
        return limes_fail(&T.err, LIMES_NOMEM, "names", "out of memory");
    return LIMES_OK;
}

static limes_rc load_particles(void)
{
    return each_line("particles.tsv", particle_line, NULL);
}

static limes_rc title_line(void *ctx, const char *line, size_t len)
{
    (void)ctx;
    char words[256];
    size_t nw;
    if (!raw_words(line, len, words, sizeof words, &nw) || nw > 4)
        return LIMES_OK;
    if (strmap_put(&T.titles, words, strlen(words), (uint32_t)nw, NULL))
        return limes_fail(&T.err, LIMES_NOMEM, "names", "out of memory");
    return LIMES_OK;
}

static limes_rc load_titles(void)
{
    return each_line("titles.txt", title_line, NULL);
}

/* ---- variant groups ------------------------------------------------------ */

struct pending {
    uint32_t *tok, *grp; /* membership pairs (token index, group) */
    size_t n, cap;
    uint32_t *sp_group, *sp_off; /* spellings in load order */
    uint8_t *sp_len;
    size_t nsp, spcap;
    uint32_t *pool;
    size_t npool, poolcap;
};

static bool add_member(struct pending *pd, const char *text, uint32_t group)
{
    uint32_t idx;
    if (strmap_put(&T.group_tokens, text, strlen(text), 0, &idx))
        return false;
    for (size_t i = pd->n, k = 0; i-- > 0 && k < 16; k++) /* repeats sit close together */
        if (pd->tok[i] == idx && pd->grp[i] == group)
            return true;
    size_t cap = pd->cap;
    if (!array_grow((void **)&pd->tok, &cap, pd->n + 1, sizeof *pd->tok) ||
        !array_grow((void **)&pd->grp, &pd->cap, pd->n + 1, sizeof *pd->grp))
        return false;
    pd->tok[pd->n] = idx;
    pd->grp[pd->n++] = group;
    return true;
}

static bool add_spelling(struct pending *pd, const name_token *t, uint32_t group)
{
    size_t cap = pd->spcap, cap2 = pd->spcap;
    if (!array_grow((void **)&pd->sp_group, &cap, pd->nsp + 1, sizeof *pd->sp_group) ||
        !array_grow((void **)&pd->sp_len, &cap2, pd->nsp + 1, 1) ||
        !array_grow((void **)&pd->sp_off, &pd->spcap, pd->nsp + 1, sizeof *pd->sp_off) ||
        !array_grow((void **)&pd->pool, &pd->poolcap, pd->npool + t->ncp, sizeof *pd->pool))
        return false;
    pd->sp_group[pd->nsp] = group;
    pd->sp_off[pd->nsp] = (uint32_t)pd->npool;
    pd->sp_len[pd->nsp++] = t->ncp;
    memcpy(pd->pool + pd->npool, t->cp, t->ncp * sizeof t->cp[0]);
    pd->npool += t->ncp;
    return true;
}

/* One normalised token of the given script from text, or false. */
static bool single_token(const char *s, size_t len, name_script script, name_token *out)
{
    static name_parts np;
    limes_error e = {0};
    if (names_normalize_raw(s, len, 0, &np, &e) || np.n != 1 || np.tok[0].script != script)
        return false;
    *out = np.tok[0];
    return true;
}

/* One table line: "arabic <TAB> latin:count,latin:count,...". */
static bool load_variant_line(struct pending *pd, const char *line, size_t len)
{
    const char *tab = memchr(line, '\t', len);
    name_token ar, la;
    if (!tab || !single_token(line, (size_t)(tab - line), NS_ARABIC, &ar))
        return true; /* not a usable Arabic token: skip */
    uint32_t group = (uint32_t)T.ngroups;
    const char *p = tab + 1, *end = line + len;
    long top = 0;
    size_t kept = 0;
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *e = comma ? comma : end, *colon = memchr(p, ':', (size_t)(e - p));
        if (colon) {
            long count = strtol(colon + 1, NULL, 10);
            if (!top)
                top = count;
            /* count >= 2 came from Wikidata; a lone count-1 spelling from Google */
            bool strong = count >= 2 && count * 40 >= top;
            bool lone = count == 1 && top == 1 && kept == 0;
            if ((strong || lone) && single_token(p, (size_t)(colon - p), NS_LATIN, &la)) {
                if (!add_member(pd, la.text, group) || !add_spelling(pd, &la, group))
                    return false;
                kept++;
            }
        }
        p = e + 1;
    }
    if (kept) {
        if (!add_member(pd, ar.text, group))
            return false;
        T.ngroups++;
    }
    return true;
}

static int cmp_pair(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static limes_rc finish_groups(struct pending *pd)
{
    size_t ntok = T.group_tokens.n;
    uint64_t *pairs = malloc((pd->n ? pd->n : 1) * sizeof *pairs);
    T.tok_ids = malloc((pd->n ? pd->n : 1) * sizeof *T.tok_ids);
    T.tok_off = calloc(ntok + 1, sizeof *T.tok_off);
    T.spell_off = calloc(T.ngroups + 1, sizeof *T.spell_off);
    T.spell_cp_off = malloc((pd->nsp ? pd->nsp : 1) * sizeof *T.spell_cp_off);
    T.spell_len = malloc(pd->nsp ? pd->nsp : 1);
    T.spell_skel = malloc((pd->nsp ? pd->nsp : 1) * sizeof *T.spell_skel);
    if (!pairs || !T.tok_ids || !T.tok_off || !T.spell_off || !T.spell_cp_off || !T.spell_len ||
        !T.spell_skel) {
        free(pairs);
        return limes_fail(&T.err, LIMES_NOMEM, "names", "out of memory");
    }
    for (size_t i = 0; i < pd->n; i++)
        pairs[i] = (uint64_t)pd->tok[i] << 32 | pd->grp[i];
    qsort(pairs, pd->n, sizeof *pairs, cmp_pair);
    size_t kept = 0;
    for (size_t i = 0; i < pd->n; i++) {
        if (i && pairs[i] == pairs[i - 1])
            continue;
        T.tok_ids[kept++] = (uint32_t)pairs[i];
        T.tok_off[(pairs[i] >> 32) + 1]++;
    }
    for (size_t t = 0; t < ntok; t++)
        T.tok_off[t + 1] += T.tok_off[t];
    free(pairs);
    /* spellings were appended group by group, in group order */
    for (size_t s = 0; s < pd->nsp; s++) {
        T.spell_off[pd->sp_group[s] + 1]++;
        T.spell_cp_off[s] = pd->sp_off[s];
        T.spell_len[s] = pd->sp_len[s];
        char skel[NAMES_SKEL_BYTES];
        names_skeleton(pd->pool + pd->sp_off[s], pd->sp_len[s], NS_LATIN, skel);
        T.spell_skel[s] = names_skel_hash(skel);
    }
    for (size_t g = 0; g < T.ngroups; g++)
        T.spell_off[g + 1] += T.spell_off[g];
    T.cp_pool = pd->pool;
    pd->pool = NULL;
    return LIMES_OK;
}

static limes_rc variant_line(void *ctx, const char *line, size_t len)
{
    if (!load_variant_line(ctx, line, len))
        return limes_fail(&T.err, LIMES_NOMEM, "names", "out of memory");
    return LIMES_OK;
}

static limes_rc load_variants(void)
{
    struct pending pd = {0};
    limes_rc rc = each_line("variants.tsv", variant_line, &pd);
    if (!rc)
        rc = finish_groups(&pd);
    free(pd.tok);
    free(pd.grp);
    free(pd.sp_group);
    free(pd.sp_off);
    free(pd.sp_len);
    free(pd.pool);
    return rc;
}

static void load_all(void)
{
    strmap_init(&T.particles);
    strmap_init(&T.titles);
    strmap_init(&T.group_tokens);
    if (load_fold("arabic_fold.tsv") || load_fold("latin_fold.tsv")) {
        T.rc = T.err.rc;
        return;
    }
    qsort(T.fold, T.nfold, sizeof T.fold[0], cmp_fold);
    if (load_skeleton() || load_skeleton_alt() || load_particles() || load_titles() || load_variants())
        T.rc = T.err.rc;
}

limes_rc names_init(limes_error *err)
{
    pthread_once(&once, load_all);
    if (T.rc && err)
        *err = T.err;
    return T.rc;
}

/* ---- lookups ------------------------------------------------------------- */

int names_fold(uint32_t c, uint32_t out[3])
{
    if (c < 0x80)
        return -1;
    const struct fold_rule *r = find_rule(T.fold, T.nfold, c);
    if (!r)
        return -1;
    memcpy(out, r->to, sizeof r->to);
    return r->n;
}

int names_skel_arabic(uint32_t c, const char **alt)
{
    const struct fold_rule *r = find_rule(T.skel_ar, T.nskel_ar, c);
    *alt = r ? (const char *)&r->to[1] : "";
    return r ? (int)r->to[0] : -1;
}

bool names_skel_split(uint32_t a, uint32_t b)
{
    return a < 128 && b < 128 && T.split[a][b];
}

const char *names_skel_class_alt(int cls)
{
    return cls >= 'A' && cls <= 'Z' ? T.class_alt[cls - 'A'] : "";
}

int names_skel_latin(const char *s, size_t n, size_t *used, const char **alt)
{
    int best = -1;
    size_t best_len = 0;
    *alt = "";
    unsigned char c = (unsigned char)s[0];
    size_t from = c < 128 ? T.latin_first[c] : T.nlatin;
    for (size_t i = from; i < T.nlatin && T.latin[i].s[0] == s[0]; i++) {
        size_t gl = T.latin[i].len;
        if (gl > best_len && gl <= n && s[0] == T.latin[i].s[0] &&
            memcmp(s, T.latin[i].s, gl) == 0) {
            best = T.latin[i].cls;
            best_len = gl;
            *alt = T.latin[i].alt;
        }
    }
    *used = best_len ? best_len : 1;
    return best;
}

enum names_particle names_particle(const char *text)
{
    uint32_t v = strmap_get(&T.particles, text, strlen(text));
    return v == STRMAP_NONE ? NP_NONE : (enum names_particle)v;
}

size_t names_title_len(const char *const *words, size_t n)
{
    char buf[512];
    size_t best = 0, o = 0;
    for (size_t k = 0; k < n && k < 4; k++) {
        size_t wl = strlen(words[k]);
        if (o + wl + 2 > sizeof buf)
            break;
        if (k)
            buf[o++] = ' ';
        memcpy(buf + o, words[k], wl);
        o += wl;
        if (strmap_get(&T.titles, buf, o) != STRMAP_NONE)
            best = k + 1;
    }
    /* a title alone is not removed: "Imam" may be all that is known */
    return best < n ? best : 0;
}

size_t names_groups(const char *text, size_t len, const uint32_t **ids)
{
    uint32_t t = T.tok_off ? strmap_index(&T.group_tokens, text, len) : STRMAP_NONE;
    if (t == STRMAP_NONE) {
        *ids = NULL;
        return 0;
    }
    *ids = T.tok_ids + T.tok_off[t];
    return T.tok_off[t + 1] - T.tok_off[t];
}

size_t names_group_count(void) { return T.ngroups; }

size_t names_group_nspellings(uint32_t group)
{
    return group < T.ngroups ? T.spell_off[group + 1] - T.spell_off[group] : 0;
}

uint32_t names_skel_hash(const char *skel)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *skel; skel++)
        h = (h ^ (unsigned char)*skel) * 16777619u;
    return h;
}

uint32_t names_group_spelling_skel(uint32_t group, size_t k)
{
    return T.spell_skel[T.spell_off[group] + k];
}

const uint32_t *names_group_spelling(uint32_t group, size_t k, size_t *ncp)
{
    size_t s = T.spell_off[group] + k;
    *ncp = T.spell_len[s];
    return T.cp_pool + T.spell_cp_off[s];
}
