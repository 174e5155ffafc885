/*
 * query.c - screening one traveller against an engine.
 *
 * 1. Normalise the query name (strict: bad input is an error, not a miss).
 * 2. For each query token, find the vocabulary tokens within reach (same
 *    text, shared variant group, same skeleton, enough shared trigrams) and
 *    keep those whose similarity is at least TOK_MIN in a per-query hit map.
 * 3. Find the names worth scoring.  A name that can be reported holds most
 *    of the query's weight, hence at least two of its k rarest tokens (k
 *    from the threshold: pair_set_size); those names are met by walking the
 *    postings of rare spellings and reading the pair index (pairs.c) for
 *    two common ones, never by walking "mohamed".  When the threshold is
 *    too low for that, the postings are walked rarest query token first,
 *    and very common tokens beyond a budget are not walked (their
 *    similarity still counts in step 4).
 * 4. Score the best-supported names by token alignment (align.c), keep each
 *    person's best name, add date of birth, nationality and gender
 *    evidence (evidence.c), apply the list's threshold.
 * 5. Documents: exact number (plus issuer) and look-alike number maps.
 * Scratch memory is pooled per engine, so a query allocates only its result.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "screen_int.h"

#define MAX_ROWS 4096        /* vocabulary tokens in reach of one query */
#define MAX_CANDIDATES 256   /* names scored per query */
#define POSTING_BUDGET 100000
#define EVIDENCE_MAX 0.15    /* more than date/nationality/gender can add (evidence.c: 0.06 + 0.03) */
#define BOUND_FROM 4096      /* postings below which a token is always walked */
#define NAME_FLOOR 0.50      /* below this a name is not a hit whatever the evidence */
#define SKEL_FANOUT 3000
#define MERGE_FROM 0.25      /* names scoring this much without joins may gain by them */
#define MERGE_CANDIDATES 24     /* vocabulary tokens taken from one skeleton key */
#define PAIR_WALK_UP_TO 256 /* postings up to which a token is walked, not paired */
#define PAIR_MODE_FROM 4096 /* postings of the pair set beyond which pairs are read */
#define JOIN_POSTINGS_MAX 256 /* postings up to which a joined spelling leads to names */
#define POSTING_AHEAD 16    /* postings read ahead of the one being walked */

uint32_t screen_trigram(uint32_t a, uint32_t b, uint32_t c);

struct row {
    float sim[NAMES_MAX_TOKENS];
    uint8_t how[NAMES_MAX_TOKENS];
    uint32_t v;
    float idf; /* 1 + log(names / (1 + postings)): rarer tokens say more */
    float join_sim; /* as a spelling of query tokens join_at and join_at + 1 written as one */
    int8_t join_at;
};

struct scratch {
    struct scratch *next;
    float *acc;          /* per name */
    uint32_t *touched;   /* names with acc > 0 */
    size_t ntouched;
    uint32_t *vseen;     /* per vocab: stamp of the last token step that compared it */
    uint32_t *vrow_at;   /* per vocab: stamp of the query that gave it a row */
    uint32_t *vrow;      /* per vocab: row index */
    uint16_t *tri_count; /* per vocab */
    uint8_t *held;       /* per name: marked by collect_by_pairs */
    uint16_t *tri_count_bins; /* per touched name: support bin (select_candidates) */
    uint32_t *tri_touched;
    size_t ntri;
    uint32_t stamp, qstamp;
    struct row rows[MAX_ROWS];
    size_t nrows;
};

static struct scratch *scratch_get(const limes_screen_engine *ce)
{
    limes_screen_engine *e = (limes_screen_engine *)ce; /* only the pool is touched */
    pthread_mutex_lock(&e->pool_lock);
    struct scratch *s = e->pool;
    if (s)
        e->pool = s->next;
    pthread_mutex_unlock(&e->pool_lock);
    if (s)
        return s;
    s = calloc(1, sizeof *s);
    size_t nn = e->nnames ? e->nnames : 1, nv = e->vocab.n ? e->vocab.n : 1;
    if (!s)
        return NULL;
    s->acc = calloc(nn, sizeof *s->acc);
    s->touched = malloc(nn * sizeof *s->touched);
    s->vseen = calloc(nv, sizeof *s->vseen);
    s->vrow_at = calloc(nv, sizeof *s->vrow_at);
    s->vrow = malloc(nv * sizeof *s->vrow);
    s->tri_count = calloc(nv, sizeof *s->tri_count);
    s->held = calloc(nn, sizeof *s->held);
    s->tri_count_bins = malloc(nn * sizeof *s->tri_count_bins);
    s->tri_touched = malloc(nv * sizeof *s->tri_touched);
    if (!s->acc || !s->touched || !s->vseen || !s->vrow_at || !s->vrow || !s->tri_count ||
        !s->tri_touched || !s->tri_count_bins || !s->held) {
        free(s->acc), free(s->touched), free(s->vseen), free(s->vrow_at), free(s->vrow);
        free(s->tri_count), free(s->tri_touched), free(s->tri_count_bins), free(s->held), free(s);
        return NULL;
    }
    return s;
}

static void scratch_put(const limes_screen_engine *ce, struct scratch *s)
{
    limes_screen_engine *e = (limes_screen_engine *)ce;
    for (size_t i = 0; i < s->ntouched; i++)
        s->acc[s->touched[i]] = 0;
    s->ntouched = 0;
    pthread_mutex_lock(&e->pool_lock);
    s->next = e->pool;
    e->pool = s;
    pthread_mutex_unlock(&e->pool_lock);
}

void screen_scratch_free_all(limes_screen_engine *e);
void screen_scratch_free_all(limes_screen_engine *e)
{
    while (e->pool) {
        struct scratch *s = e->pool;
        e->pool = s->next;
        free(s->acc), free(s->touched), free(s->vseen), free(s->vrow_at), free(s->vrow);
        free(s->tri_count), free(s->tri_touched), free(s->tri_count_bins), free(s->held), free(s);
    }
}

/* ---- step 2: vocabulary tokens in reach of a query token ------------------ */

struct qctx {
    const limes_screen_engine *e;
    struct scratch *s;
    const name_parts *q;
    float qw[NAMES_MAX_TOKENS];
    name_token qjoin[NAMES_MAX_TOKENS]; /* q[i] + q[i+1] */
    bool qjoin_ok[NAMES_MAX_TOKENS];
    float report_from; /* name score below which no hit can be reported */
    struct spelling found[MAX_ROWS]; /* the token being reached: its spellings, in order */
    size_t njoined; /* rows that are spellings of two query tokens written as one */
    size_t nfound;
    bool found_all;
    bool any_initial; /* some query token is an initial */
};

static struct row *row_for(struct qctx *c, uint32_t v)
{
    struct scratch *s = c->s;
    if (s->vrow_at[v] == s->qstamp)
        return &s->rows[s->vrow[v]];
    if (s->nrows >= MAX_ROWS)
        return NULL;
    s->vrow_at[v] = s->qstamp;
    s->vrow[v] = (uint32_t)s->nrows;
    struct row *r = &s->rows[s->nrows++];
    memset(r, 0, sizeof *r);
    r->v = v;
    float df = (float)(c->e->postings.off[v + 1] - c->e->postings.off[v]);
    r->idf = 1.0f + logf((float)c->e->nnames / (1.0f + df));
    return r;
}

/* Compare vocabulary token v with t (once per token step); keep it if close. */
static void consider(struct qctx *c, const name_token *t, uint32_t v)
{
    struct scratch *s = c->s;
    if (s->vseen[v] == s->stamp)
        return;
    s->vseen[v] = s->stamp;
    name_match_how how;
    double sim = names_token_sim(t, eng_vtok(c->e, v), &how);
    if (sim < TOK_MIN)
        return;
    if (c->nfound >= MAX_ROWS)
        c->found_all = false; /* more spellings than rows: this token's reach is not whole */
    else
        c->found[c->nfound++] = (struct spelling){v, (float)sim, (uint8_t)how};
}

static void consider_csr(struct qctx *c, const name_token *t, const struct csr *m, uint32_t key,
                         size_t cap)
{
    if (key == STRMAP_NONE || key >= m->nkeys)
        return;
    uint32_t from = m->off[key], to = m->off[key + 1];
    if (to - from > cap)
        to = from + (uint32_t)cap;
    for (uint32_t k = from; k < to; k++)
        consider(c, t, m->ids[k]);
}

static void reach_by_trigrams(struct qctx *c, const name_token *t)
{
    struct scratch *s = c->s;
    const struct csr *m = &c->e->by_tri;
    s->ntri = 0;
    for (int i = 0; i < t->ncp; i++) {
        uint32_t a = i >= 2 ? t->cp[i - 2] : 0, b = i >= 1 ? t->cp[i - 1] : 0;
        uint32_t key = screen_trigram(a, b, t->cp[i]);
        for (uint32_t k = m->off[key]; k < m->off[key + 1]; k++) {
            uint32_t v = m->ids[k];
            if (!s->tri_count[v]++)
                s->tri_touched[s->ntri++] = v;
        }
    }
    unsigned need = t->ncp <= 2 ? 1u : (unsigned)(t->ncp + 1) / 2;
    for (size_t k = 0; k < s->ntri; k++) {
        uint32_t v = s->tri_touched[k];
        if (s->tri_count[v] >= need) { /* only then read its length: most fall short */
            const struct vtok *x = &c->e->vt[v];
            if (x->ncp + 3 >= t->ncp && t->ncp + 3 >= x->ncp)
                consider(c, t, v);
        }
        s->tri_count[v] = 0;
    }
}

/* t's spellings by exact text, variant group and skeleton; by trigrams too if fuzzy. */
static void reach_in_index(struct qctx *c, const name_token *t, bool fuzzy)
{
    const limes_screen_engine *e = c->e;
    c->s->stamp++;
    uint32_t v = strmap_index(&e->vocab, t->text, strlen(t->text));
    if (v != STRMAP_NONE)
        consider(c, t, v);
    for (int g = 0; g < t->ngroups; g++)
        consider_csr(c, t, &e->by_group, t->groups[g], SKEL_FANOUT);
    if (t->skel[0] && strlen(t->skel) >= 2)
        consider_csr(c, t, &e->by_skel, strmap_index(&e->skels, t->skel, strlen(t->skel)),
                     SKEL_FANOUT);
    if (t->skel_na[0])
        consider_csr(c, t, &e->by_skel, strmap_index(&e->skels, t->skel_na, strlen(t->skel_na)),
                     SKEL_FANOUT);
    if (fuzzy)
        reach_by_trigrams(c, t);
}

/* What the token's spellings depend on: its text and how it was read. */
static size_t spelling_key(const name_token *t, char *key, size_t cap)
{
    size_t len = strlen(t->text);
    if (len + 4 > cap)
        return 0;
    memcpy(key, t->text, len);
    key[len] = '\x1f';
    key[len + 1] = (char)(t->script + 1);
    key[len + 2] = (char)(t->flags + 1);
    key[len + 3] = (char)(t->art + 1);
    return len + 4;
}

/* The spellings in reach of t into c->found: remembered, else found in the index and remembered. */
static void find_spellings(struct qctx *c, const name_token *t)
{
    char key[NAMES_TEXT_BYTES + 4];
    size_t klen = spelling_key(t, key, sizeof key);
    size_t n = klen ? screen_spellcache_get(c->e->spellings, key, klen, c->found, MAX_ROWS)
                    : SIZE_MAX;
    if (n != SIZE_MAX) {
        c->nfound = n;
        return;
    }
    c->nfound = 0;
    c->found_all = true;
    reach_in_index(c, t, true);
    if (klen && c->found_all)
        screen_spellcache_put(c->e->spellings, key, klen, c->found, c->nfound);
}

/* Step 2 for query token qi: a row for each of its spellings. */
static void reach(struct qctx *c, int qi)
{
    find_spellings(c, &c->q->tok[qi]);
    for (size_t k = 0; k < c->nfound; k++) {
        struct row *r = row_for(c, c->found[k].v);
        if (!r)
            break;
        r->sim[qi] = c->found[k].sim;
        r->how[qi] = c->found[k].how;
    }
}

/*
 * Query tokens i and i+1 written as one ("wali jan" / WALIJAN, "ولی جان"):
 * the joined token's spellings mark rows as holding both.  Only exact
 * keys (text, variant group, skeleton: no trigrams, which a long joined
 * token would pay dearly for) and spellings with few postings (a common
 * one would flood the candidates) are taken; not remembered, since joined
 * tokens seldom repeat.
 */
static void reach_joined(struct qctx *c, int i)
{
    c->nfound = 0;
    c->found_all = true;
    reach_in_index(c, &c->qjoin[i], false);
    const struct csr *p = &c->e->postings;
    const name_token *t = &c->qjoin[i];
    for (size_t k = 0; k < c->nfound; k++) {
        uint32_t v = c->found[k].v;
        const struct vtok *x = &c->e->vt[v];
        bool whole = x->ncp + 2 >= t->ncp && t->ncp + 2 >= x->ncp; /* not one half of it */
        if (!whole || p->off[v + 1] - p->off[v] > JOIN_POSTINGS_MAX)
            continue;
        struct row *r = row_for(c, v);
        if (!r)
            break;
        if (r->sim[i] > 0 || r->sim[i + 1] > 0)
            continue; /* a spelling of one of the two already */
        if (c->found[k].sim > r->join_sim) {
            c->njoined += r->join_sim == 0;
            r->join_sim = c->found[k].sim;
            r->join_at = (int8_t)i;
        }
    }
}

/* ---- step 3: postings ---------------------------------------------------- */

static size_t token_postings(const struct qctx *c, int qi)
{
    size_t n = 0;
    for (size_t r = 0; r < c->s->nrows; r++)
        if (c->s->rows[r].sim[qi] > 0) {
            uint32_t v = c->s->rows[r].v;
            n += c->e->postings.off[v + 1] - c->e->postings.off[v];
        }
    return n;
}

static void walk_postings(struct qctx *c, int qi, float min_sim)
{
    struct scratch *s = c->s;
    const struct csr *p = &c->e->postings;
    for (size_t r = 0; r < s->nrows; r++) {
        float sim = s->rows[r].sim[qi];
        if (sim <= 0 || sim < min_sim)
            continue;
        uint32_t v = s->rows[r].v;
        float w = c->qw[qi] * sim * s->rows[r].idf;
        uint32_t end = p->off[v + 1];
        for (uint32_t k = p->off[v]; k < end; k++) {
            if (k + POSTING_AHEAD < end) /* each name's accumulator is a cache miss: ask early */
                __builtin_prefetch(&s->acc[p->ids[k + POSTING_AHEAD]], 1);
            uint32_t n = p->ids[k];
            if (s->acc[n] == 0)
                s->touched[s->ntouched++] = n;
            s->acc[n] += w;
        }
    }
}

/* Add query token qi's evidence to the names already touched, via the hit rows. */
static void credit_touched(struct qctx *c, int qi)
{
    struct scratch *s = c->s;
    const limes_screen_engine *e = c->e;
    for (size_t t = 0; t < s->ntouched; t++) {
        const struct sname *sn = &e->names[s->touched[t]];
        for (int j = 0; j < sn->ntok; j++) {
            uint32_t v = e->name_toks[sn->tok_off + j];
            if (s->vrow_at[v] != s->qstamp)
                continue;
            const struct row *r = &s->rows[s->vrow[v]];
            if (r->sim[qi] > 0) {
                s->acc[s->touched[t]] += c->qw[qi] * r->sim[qi] * r->idf;
                break;
            }
        }
    }
}

/* ---- step 3, by pairs: names holding at least two of the rarest tokens --- */

static void mark(struct scratch *s, uint32_t name)
{
    if (!s->held[name]) {
        s->held[name] = 1;
        s->touched[s->ntouched++] = name;
    }
}

/* Mark names[0..n), their marks read ahead (each is a cache miss). */
static void mark_all(struct scratch *s, const uint32_t *names, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++) {
        if (k + POSTING_AHEAD < n)
            __builtin_prefetch(&s->held[names[k + POSTING_AHEAD]], 1);
        mark(s, names[k]);
    }
}

/* Every name reached by query token qi; only through its rare spellings if rare_only. */
static void mark_token(struct qctx *c, int qi, bool rare_only)
{
    const struct csr *p = &c->e->postings;
    for (size_t r = 0; r < c->s->nrows; r++) {
        uint32_t v = c->s->rows[r].v;
        if (c->s->rows[r].sim[qi] <= 0 || (rare_only && c->e->pairs.common[v] != SCREEN_NONE))
            continue;
        mark_all(c->s, p->ids + p->off[v], p->off[v + 1] - p->off[v]);
    }
}

/* The common ids of the spellings of query token qi; returns how many. */
static size_t common_rows(const struct qctx *c, int qi, uint32_t *out)
{
    size_t n = 0;
    for (size_t r = 0; r < c->s->nrows; r++) {
        uint32_t id = c->e->pairs.common[c->s->rows[r].v];
        if (c->s->rows[r].sim[qi] > 0 && id != SCREEN_NONE)
            out[n++] = id;
    }
    return n;
}

/*
 * Names holding a common spelling of query token a and one of token b, or
 * one token that is a spelling of both (close query tokens: "mohamed
 * mohammed"; the alignment then decides).
 */
static void mark_pairs(struct qctx *c, int a, int b)
{
    const struct csr *post = &c->e->postings;
    for (size_t r = 0; r < c->s->nrows; r++) {
        const struct row *rw = &c->s->rows[r];
        if (rw->sim[a] > 0 && rw->sim[b] > 0)
            mark_all(c->s, post->ids + post->off[rw->v], post->off[rw->v + 1] - post->off[rw->v]);
    }
    static _Thread_local uint32_t ca[MAX_ROWS], cb[MAX_ROWS], ids[MAX_ROWS];
    static _Thread_local uint64_t bset[(PAIR_COMMON_MAX + 63) / 64];
    size_t na = common_rows(c, a, ca), nb = common_rows(c, b, cb);
    for (size_t j = 0; j < nb; j++)
        bset[cb[j] >> 6] |= 1ull << (cb[j] & 63);
    const struct pair_index *p = &c->e->pairs;
    for (size_t i = 0; i < na; i++) {
        size_t nid = screen_pairs_of(p, ca[i], cb, nb, bset, ids);
        for (size_t j = 0; j < nid; j++)
            mark_all(c->s, p->post.ids + p->post.off[ids[j]],
                     p->post.off[ids[j] + 1] - p->post.off[ids[j]]);
    }
    for (size_t j = 0; j < nb; j++)
        bset[cb[j] >> 6] = 0;
}

/* Names holding a spelling of two query tokens written as one (reach_joined). */
static void mark_joined(struct qctx *c)
{
    const struct csr *p = &c->e->postings;
    for (size_t r = 0; r < c->s->nrows; r++) {
        const struct row *rw = &c->s->rows[r];
        if (rw->join_sim <= 0)
            continue;
        for (uint32_t k = p->off[rw->v]; k < p->off[rw->v + 1]; k++)
            mark(c->s, p->ids[k]);
    }
}

/* For each query token, its best weighted spelling among the name's tokens, into best[]. */
static void best_spellings(const struct qctx *c, const struct sname *sn, float *best)
{
    const limes_screen_engine *e = c->e;
    const struct scratch *s = c->s;
    for (int j = 0; j < sn->ntok; j++) {
        uint32_t v = e->name_toks[sn->tok_off + j];
        if (s->vrow_at[v] != s->qstamp)
            continue;
        const struct row *r = &s->rows[s->vrow[v]];
        for (int i = 0; i < c->q->n; i++)
            if (r->sim[i] * r->idf * c->qw[i] > best[i])
                best[i] = r->sim[i] * r->idf * c->qw[i];
        for (int i = r->join_at; r->join_sim > 0 && i <= r->join_at + 1; i++)
            if (r->join_sim * r->idf * c->qw[i] > best[i])
                best[i] = r->join_sim * r->idf * c->qw[i];
    }
}

/*
 * Keep the marked names holding two or more of the set's tokens (through
 * any spelling: a mark says only how the name was reached), with their
 * support summed over all query tokens (each token's best spelling in the
 * name), as walking every token's postings would give; clear the marks.
 * The names are read ahead (prefetched) because each costs two dependent
 * cache misses, the name and then its tokens.
 */
static void support_of_held(struct qctx *c, const int *set, int nset)
{
    struct scratch *s = c->s;
    const limes_screen_engine *e = c->e;
    enum { AHEAD = 8 };
    size_t kept = 0, n = s->ntouched;
    for (size_t t = 0; t < n; t++) {
        if (t + 2 * AHEAD < n)
            __builtin_prefetch(&e->names[s->touched[t + 2 * AHEAD]]);
        if (t + AHEAD < n)
            __builtin_prefetch(&e->name_toks[e->names[s->touched[t + AHEAD]].tok_off]);
        uint32_t name = s->touched[t];
        s->held[name] = 0;
        float best[NAMES_MAX_TOKENS] = {0}, acc = 0;
        best_spellings(c, &e->names[name], best);
        int nheld = 0;
        for (int k = 0; k < nset; k++)
            nheld += best[set[k]] > 0;
        for (int i = 0; i < c->q->n; i++)
            acc += best[i];
        if (nheld >= 2) {
            s->acc[name] = acc;
            s->touched[kept++] = name;
        }
    }
    s->ntouched = kept;
}

/*
 * A name that can still be reported holds query tokens of at least
 * report_from of the query's weight (align.c), so it misses at most
 * (1 - report_from) of it; a name holding fewer than two of the k rarest
 * reachable tokens misses k - 1 of them.  Returns the k for which that is
 * too much, or 0 when there are not that many tokens (then every token's
 * postings are walked).  Tokens no spelling reaches are left out: scoring
 * may still meet them directly, so they do not count as missed.
 */
static int pair_set_size(const struct qctx *c, int nreach)
{
    float total = 0;
    for (int i = 0; i < c->q->n; i++)
        total += c->qw[i];
    int k = (int)floorf((1 - c->report_from) * total) + 2;
    return c->e->pairs.common && k <= nreach ? k : 0;
}

/* Names holding two of the tokens set[] (rarest first): walk the rare, pair the common. */
static void collect_by_pairs(struct qctx *c, const int *set, int nset, const size_t *sizes)
{
    bool walked[NAMES_MAX_TOKENS];
    for (int k = 0; k < nset; k++) {
        walked[k] = sizes[set[k]] <= PAIR_WALK_UP_TO;
        mark_token(c, set[k], !walked[k]);
    }
    for (int a = 0; a < nset; a++)
        for (int b = a + 1; b < nset; b++)
            if (!walked[a] && !walked[b])
                mark_pairs(c, set[a], set[b]);
    mark_joined(c);
    support_of_held(c, set, nset);
}

/* The query's non-initial tokens by postings, rarest first; returns how many. */
static int order_tokens(const struct qctx *c, int *order, size_t *sizes)
{
    int n = 0;
    for (int i = 0; i < c->q->n; i++) {
        if (c->q->tok[i].flags & NT_INITIAL)
            continue;
        sizes[i] = token_postings(c, i);
        int k = n++;
        while (k > 0 && sizes[order[k - 1]] > sizes[i]) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = i;
    }
    return n;
}

/* Every token's postings, rarest first, within the bound and the budget. */
static void walk_rarest_first(struct qctx *c, const int *order, int n, const size_t *sizes)
{
    /* Bound (MaxScore-like): a name not yet touched shares no token with
       the query tokens walked so far, so its name score is at most the
       weighted share of the tokens not walked (align.c: score <= sum of
       matched weights / all weights).  Once that share cannot reach the
       reporting floor, a common token's postings would only bring names
       that cannot be reported: its evidence goes to the names in hand. */
    float total = 0, walked = 0;
    for (int i = 0; i < c->q->n; i++)
        total += c->qw[i];
    size_t used = 0;
    for (int k = 0; k < n; k++) {
        int i = order[k];
        if (k > 0 && sizes[i] > BOUND_FROM && (total - walked) < c->report_from * total &&
            c->s->ntouched * 4 < sizes[i]) { /* crediting is the cheaper of the two */
            if (c->s->ntouched > MAX_CANDIDATES) /* else support does not choose */
                credit_touched(c, i);
            continue;
        }
        if (k > 0 && used + sizes[i] > POSTING_BUDGET) {
            /* too common to walk: credit the names already in hand instead */
            if (c->s->ntouched * 4 < sizes[i])
                credit_touched(c, i);
            continue;
        }
        /* even the rarest token can be common: then only its close
           spellings lead to candidates (the rest still count in scoring) */
        walk_postings(c, i, sizes[i] > POSTING_BUDGET ? 0.9f : 0.0f);
        used += sizes[i];
        if (sizes[i] <= POSTING_BUDGET) /* a partial walk leaves names unseen */
            walked += c->qw[i];
    }
}

/* Names holding a spelling of two query tokens written as one, with both tokens' weight. */
static void walk_joined(struct qctx *c)
{
    struct scratch *s = c->s;
    const struct csr *p = &c->e->postings;
    for (size_t r = 0; r < s->nrows; r++) {
        const struct row *rw = &s->rows[r];
        if (rw->join_sim <= 0)
            continue;
        float w = (c->qw[rw->join_at] + c->qw[rw->join_at + 1]) * rw->join_sim * rw->idf;
        for (uint32_t k = p->off[rw->v]; k < p->off[rw->v + 1]; k++) {
            uint32_t n = p->ids[k];
            if (s->acc[n] == 0)
                s->touched[s->ntouched++] = n;
            s->acc[n] += w;
        }
    }
}

/* Step 3: the names in reach, each with its support (acc). */
static void accumulate(struct qctx *c)
{
    int order[NAMES_MAX_TOKENS], nreach = 0;
    size_t sizes[NAMES_MAX_TOKENS];
    int n = order_tokens(c, order, sizes);
    for (int k = 0; k < n; k++)
        nreach += sizes[order[k]] > 0;
    const int *reachable = order + (n - nreach); /* no spelling reaches the others */
    int nset = pair_set_size(c, nreach);
    size_t set_postings = 0;
    for (int k = 0; k < nset; k++)
        set_postings += sizes[reachable[k]];
    if (nset && set_postings > PAIR_MODE_FROM) {
        collect_by_pairs(c, reachable, nset, sizes);
    } else {
        walk_rarest_first(c, order, n, sizes);
        walk_joined(c);
    }
}

/* The touched names worth scoring: at most MAX_CANDIDATES, best supported first. */
static size_t select_candidates(struct qctx *c, uint32_t *out)
{
    struct scratch *s = c->s;
    if (s->ntouched <= MAX_CANDIDATES) {
        memcpy(out, s->touched, s->ntouched * sizeof *out);
        return s->ntouched;
    }
    /* histogram of support in 1/4 steps, then take from the top; one random
       access per name (the bins are kept beside the touched list) */
    enum { BINS = 1024 };
    static _Thread_local uint32_t hist[BINS];
    memset(hist, 0, sizeof hist);
    uint16_t *bins = s->tri_count_bins;
    for (size_t i = 0; i < s->ntouched; i++) {
        int b = (int)(s->acc[s->touched[i]] * 4);
        bins[i] = (uint16_t)(b >= BINS ? BINS - 1 : b);
        hist[bins[i]]++;
    }
    int cut = BINS - 1;
    size_t total = 0;
    while (cut > 0 && total + hist[cut] <= MAX_CANDIDATES)
        total += hist[cut--];
    size_t n = 0;
    for (size_t i = 0; i < s->ntouched && n < MAX_CANDIDATES; i++)
        if (bins[i] > cut)
            out[n++] = s->touched[i];
    for (size_t i = 0; i < s->ntouched && n < MAX_CANDIDATES; i++) /* the rest from the cut bin */
        if (bins[i] == cut)
            out[n++] = s->touched[i];
    return n;
}

/* ---- step 4: scoring a name ---------------------------------------------- */

static float initial_sim(const limes_screen_engine *e, const name_token *q, uint32_t v)
{
    const struct vtok *x = &e->vt[v];
    bool qi = q->flags & NT_INITIAL, ei = x->flags & NT_INITIAL;
    if (!qi && !ei)
        return 0;
    if (q->script != NS_LATIN || x->script != NS_LATIN || q->cp[0] != eng_vtok(e, v)->cp[0])
        return 0;
    return qi && ei ? 1.0f : 0.8f;
}

static void fill_align(const struct qctx *c, uint32_t name, struct align_in *in)
{
    const limes_screen_engine *e = c->e;
    const struct sname *sn = &e->names[name];
    in->nq = c->q->n;
    in->ne = sn->ntok > NAMES_MAX_TOKENS ? NAMES_MAX_TOKENS : sn->ntok;
    memcpy(in->qw, c->qw, sizeof in->qw);
    for (int j = 0; j < in->ne; j++) {
        uint32_t v = e->name_toks[sn->tok_off + j];
        const struct row *r =
            c->s->vrow_at[v] == c->s->qstamp ? &c->s->rows[c->s->vrow[v]] : NULL;
        /* only an initial on either side makes initial_sim read the entry token */
        bool initials = c->any_initial || eng_vtok_is_initial(e, v);
        for (int i = 0; i < in->nq; i++) {
            float s = r ? r->sim[i] : 0;
            uint8_t how = r ? r->how[i] : NM_NONE;
            if (s == 0 && initials) {
                s = initial_sim(e, &c->q->tok[i], v);
                how = s > 0 ? NM_INITIAL : NM_NONE;
            }
            in->sim[i][j] = s;
            in->how[i][j] = how;
        }
    }
}

/* Whether the name holds a spelling of two query tokens written as one (it needs merges). */
static bool holds_joined(const struct qctx *c, uint32_t name)
{
    if (!c->njoined)
        return false;
    const struct sname *sn = &c->e->names[name];
    for (int j = 0; j < sn->ntok; j++) {
        uint32_t v = c->e->name_toks[sn->tok_off + j];
        if (c->s->vrow_at[v] == c->s->qstamp && c->s->rows[c->s->vrow[v]].join_sim > 0)
            return true;
    }
    return false;
}

/* Whether joining tokens or comparing the unmatched ones could change this alignment. */
static bool merges_may_help(const struct qctx *c, uint32_t name, const struct align_in *in,
                            const struct align_out *out)
{
    if (out->score >= 0.97 || in->nq + in->ne < 3 ||
        (out->score < MERGE_FROM && !holds_joined(c, name)))
        return false;
    for (int i = 0; i < in->nq; i++)
        if (out->q_to_e[i] < 0)
            return true;
    for (int j = 0; j < in->ne; j++)
        if (out->e_to_q[j] < 0)
            return true;
    return false;
}

/*
 * Align a name with the query, then, if try_merges, with joined tokens
 * where they may help.  Returns whether they may help but were not tried
 * (so that only those names are aligned again with them).
 */
static bool score_name(const struct qctx *c, uint32_t name, struct align_in *in,
                       struct align_out *out, bool try_merges)
{
    fill_align(c, name, in);
    in->nmerges = 0;
    screen_align(in, out);
    if (!merges_may_help(c, name, in, out))
        return false;
    if (!try_merges)
        return true;
    const name_token *et[NAMES_MAX_TOKENS];
    const uint32_t *ev = &c->e->name_toks[c->e->names[name].tok_off];
    for (int j = 0; j < in->ne; j++)
        et[j] = eng_vtok(c->e, ev[j]);
    /* token pairs the index did not bring together (a transposition early in
       a short token defeats trigrams and skeletons): compare them directly */
    bool changed = false;
    for (int i = 0; i < in->nq; i++)
        for (int j = 0; j < in->ne; j++)
            if (out->q_to_e[i] < 0 && out->e_to_q[j] < 0 && in->sim[i][j] == 0) {
                name_match_how how;
                double sim = names_token_sim(&c->q->tok[i], et[j], &how);
                if (sim >= TOK_MIN) {
                    in->sim[i][j] = (float)sim;
                    in->how[i][j] = (uint8_t)how;
                    changed = true;
                }
            }
    screen_add_merges(c->q->tok, c->q->n, c->qjoin, c->qjoin_ok, et, in->ne, in);
    if (in->nmerges || changed)
        screen_align(in, out);
    return false;
}

struct cand {
    uint32_t person, name;
    double score;
    bool retry; /* joined tokens may change its score and were not tried */
};

static int cmp_cand(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    if (x->person != y->person)
        return x->person < y->person ? -1 : 1;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->name < y->name ? -1 : x->name > y->name; /* one order whatever came before */
}

/* The k-th largest score of c[0..n) (1 <= k <= n <= MAX_CANDIDATES). */
static double kth_largest(const struct cand *c, size_t n, size_t k)
{
    double best[MAX_CANDIDATES]; /* the m largest so far, largest first */
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double v = c[i].score;
        if (m == k && v <= best[k - 1])
            continue;
        size_t j = m < k ? m++ : k - 1;
        while (j > 0 && best[j - 1] < v) {
            best[j] = best[j - 1];
            j--;
        }
        best[j] = v;
    }
    return best[k - 1];
}

/*
 * The k best-scored candidates first, best first, as a stable sort by
 * score would place them (ties in their order); the others after them.
 * Only the best are retried with merges and the list is sorted by person
 * afterwards, so sorting all of them (~5% of a query) was wasted.
 */
static void best_first(struct cand *c, size_t n, size_t k)
{
    if (k > n)
        k = n;
    if (k == 0)
        return;
    static _Thread_local struct cand top[MAX_CANDIDATES], rest[MAX_CANDIDATES];
    double t = kth_largest(c, n, k);
    size_t above = 0, ntop = 0, nrest = 0;
    for (size_t i = 0; i < n; i++)
        above += c[i].score > t;
    size_t ties = k - above; /* the first ones scoring t also belong to the best */
    for (size_t i = 0; i < n; i++) {
        bool best = c[i].score > t || (c[i].score == t && ties > 0);
        ties -= c[i].score == t && best;
        if (best) {
            size_t j = ntop++; /* insertion, stable: after every score >= this one */
            while (j > 0 && top[j - 1].score < c[i].score) {
                top[j] = top[j - 1];
                j--;
            }
            top[j] = c[i];
        } else {
            rest[nrest++] = c[i];
        }
    }
    memcpy(c, top, ntop * sizeof *c);
    memcpy(c + ntop, rest, nrest * sizeof *c);
}

/* ---- results ------------------------------------------------------------- */

static char *dup(const char *s) { return strdup(s ? s : ""); }

/*
 * Copy a, then " " and b if b is given, into dst (cap bytes), cutting only
 * at a UTF-8 character boundary so that the text stays valid for JSON.
 */
static void put_text(char *dst, size_t cap, const char *a, const char *b)
{
    size_t o = 0;
    for (int part = 0; part < 2; part++) {
        const char *src = part ? b : a;
        if (!src)
            break;
        if (part && o + 1 < cap)
            dst[o++] = ' ';
        size_t n = strlen(src);
        if (o + n >= cap) {
            n = cap - 1 - o;
            while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
                n--;
        }
        memcpy(dst + o, src, n);
        o += n;
    }
    dst[o] = '\0';
}

static void fill_matches(const struct qctx *c, uint32_t name, limes_screen_hit *h)
{
    struct align_in in;
    struct align_out out;
    score_name(c, name, &in, &out, true);
    const limes_screen_engine *e = c->e;
    const struct sname *sn = &e->names[name];
    h->nmatches = 0;
    for (int i = 0; i < in.nq && h->nmatches < LIMES_SCREEN_MAX_MATCHES; i++) {
        int partner = out.q_partner[i];
        if (partner >= 0 && partner < i)
            continue; /* shown with the first token of the merge */
        limes_screen_match *m = &h->matches[h->nmatches++];
        put_text(m->query, sizeof m->query, c->q->tok[i].text,
                 partner >= 0 ? c->q->tok[partner].text : NULL);
        int j = out.q_to_e[i], j2 = out.q_to_e2[i];
        if (j < 0) {
            m->entry[0] = '\0';
            m->how = "missing";
            m->score = 0;
            continue;
        }
        const char *t1 = strmap_key(&e->vocab, e->name_toks[sn->tok_off + j], NULL);
        put_text(m->entry, sizeof m->entry, t1,
                 j2 >= 0 ? strmap_key(&e->vocab, e->name_toks[sn->tok_off + j2], NULL) : NULL);
        m->how = names_how_name((name_match_how)out.q_how[i]);
        m->score = round(out.q_sim[i] * 1000) / 1000;
    }
    for (int j = 0; j < in.ne && h->nmatches < LIMES_SCREEN_MAX_MATCHES; j++) {
        if (out.e_to_q[j] >= 0)
            continue;
        limes_screen_match *m = &h->matches[h->nmatches++];
        m->query[0] = '\0';
        put_text(m->entry, sizeof m->entry,
                 strmap_key(&e->vocab, e->name_toks[sn->tok_off + j], NULL), NULL);
        m->how = "missing";
        m->score = 0;
    }
}

struct qin {
    struct qdob dob;
    char nat[4], issuer[4];
    char gender;
    char doc[64], doc_alike[64];
    uint32_t list; /* STRMAP_NONE = all */
    double min_score;
    int limit;
};

static bool grow_hits(limes_screen_result *r, size_t *cap)
{
    if (r->nhits < *cap)
        return true;
    size_t n = *cap ? *cap * 2 : 16;
    limes_screen_hit *h = realloc(r->hits, n * sizeof *h);
    if (!h)
        return false;
    r->hits = h;
    *cap = n;
    return true;
}

static limes_screen_hit *new_hit(limes_screen_result *r, size_t *cap)
{
    if (!grow_hits(r, cap))
        return NULL;
    limes_screen_hit *h = &r->hits[r->nhits++];
    memset(h, 0, sizeof *h);
    return h;
}

static bool person_hit(const struct qctx *c, const struct qin *qi, const struct cand *cd,
                       limes_screen_result *r, size_t *cap)
{
    const limes_screen_engine *e = c->e;
    const struct sperson *p = &e->persons[cd->person];
    double threshold = e->thresholds[p->list];
    double floor = qi->min_score > 0 ? qi->min_score : threshold;
    if (cd->score + EVIDENCE_MAX < floor)
        return true; /* no evidence can lift it that far: spare writing the notes */
    limes_screen_evidence dob, nat, gen;
    screen_dob_evidence(&qi->dob, e->dobs + p->dob_off, p->ndobs, &dob);
    screen_nationality_evidence(qi->nat, (const char(*)[4])(e->nats + p->nat_off), p->nnat,
                                &nat);
    screen_gender_evidence(qi->gender, p->gender, &gen);
    double score = cd->score + dob.delta + nat.delta + gen.delta;
    score = score < 0 ? 0 : score > 1 ? 1 : score;
    if (score < floor)
        return true;
    limes_screen_hit *h = new_hit(r, cap);
    if (!h)
        return false;
    h->score = round(score * 1000) / 1000;
    h->name_score = round(cd->score * 1000) / 1000;
    h->threshold = threshold;
    h->alert = score >= threshold;
    h->kind = "person";
    h->entry_id = p->id;
    h->list = dup(strmap_key(&e->lists, p->list, NULL));
    h->ref = dup(eng_str(e, p->ref));
    h->action = dup(eng_str(e, p->action));
    h->version = dup(eng_str(e, p->version));
    h->matched_name = dup(eng_str(e, e->names[cd->name].full));
    h->dob = dob;
    h->nationality = nat;
    h->gender = gen;
    fill_matches(c, cd->name, h);
    return h->list && h->ref && h->action && h->version && h->matched_name;
}

static limes_rc screen_names(struct qctx *c, const struct qin *qi, limes_screen_result *r,
                             size_t *cap)
{
    struct scratch *s = c->s;
    const limes_screen_engine *e = c->e;
    s->qstamp++;
    s->nrows = 0;
    double floor = qi->min_score;
    if (floor <= 0) { /* the lowest list threshold */
        floor = 1;
        for (size_t l = 0; l < e->lists.n; l++)
            if (e->thresholds[l] < floor)
                floor = e->thresholds[l];
    }
    floor -= EVIDENCE_MAX;
    c->report_from = (float)(floor > NAME_FLOOR ? floor : NAME_FLOOR);
    for (int i = 0; i < c->q->n; i++)
        if (!(c->q->tok[i].flags & NT_INITIAL))
            reach(c, i);
    c->njoined = 0;
    for (int i = 0; i + 1 < c->q->n; i++)
        if (c->qjoin_ok[i] && !((c->q->tok[i].flags | c->q->tok[i + 1].flags) & NT_INITIAL))
            reach_joined(c, i);
    accumulate(c);
    uint32_t names[MAX_CANDIDATES];
    size_t n = select_candidates(c, names);
    r->candidates = n;
    struct cand cands[MAX_CANDIDATES];
    size_t nc = 0;
    enum { AHEAD = 4 }; /* the names, then their tokens, are read ahead: each is a cache miss */
    for (size_t k = 0; k < n && k < 2 * AHEAD; k++)
        __builtin_prefetch(&e->names[names[k]]);
    for (size_t k = 0; k < n; k++) {
        if (k + 2 * AHEAD < n)
            __builtin_prefetch(&e->names[names[k + 2 * AHEAD]]);
        if (k + AHEAD < n)
            __builtin_prefetch(&e->name_toks[e->names[names[k + AHEAD]].tok_off]);
        const struct sname *sn = &e->names[names[k]];
        if (qi->list != STRMAP_NONE && e->persons[sn->person].list != qi->list)
            continue;
        struct align_in in;
        struct align_out out;
        bool retry = score_name(c, names[k], &in, &out, holds_joined(c, names[k]));
        if (out.score >= MERGE_FROM)
            cands[nc++] = (struct cand){sn->person, names[k], out.score, retry};
    }
    /* joined/split tokens: retried on the best few only (they cost a token join each) */
    best_first(cands, nc, MERGE_CANDIDATES);
    for (size_t k = 0; k < nc && k < MERGE_CANDIDATES; k++) {
        struct align_in in;
        struct align_out out;
        if (!cands[k].retry)
            continue;
        score_name(c, cands[k].name, &in, &out, true);
        cands[k].score = out.score;
    }
    size_t kept = 0;
    for (size_t k = 0; k < nc; k++)
        if (cands[k].score >= NAME_FLOOR)
            cands[kept++] = cands[k];
    nc = kept;
    if (nc)
        qsort(cands, nc, sizeof *cands, cmp_cand);
    for (size_t k = 0; k < nc; k++) {
        if (k > 0 && cands[k].person == cands[k - 1].person)
            continue; /* the person's best name came first */
        if (!person_hit(c, qi, &cands[k], r, cap))
            return LIMES_NOMEM;
    }
    return LIMES_OK;
}

/* ---- step 5: documents ----------------------------------------------------- */

static bool issuer_compatible(const char *a, const char *b) { return !a[0] || !b[0] || !strcmp(a, b); }

static limes_screen_hit *find_person_hit(limes_screen_result *r, int64_t id, const char *ref,
                                         const char *list)
{
    for (size_t i = 0; i < r->nhits; i++)
        if (!strcmp(r->hits[i].kind, "person") && r->hits[i].entry_id == id &&
            !strcmp(r->hits[i].ref, ref) && !strcmp(r->hits[i].list, list))
            return &r->hits[i];
    return NULL;
}

static bool doc_hit(const limes_screen_engine *e, const struct qin *qi, uint32_t ref, bool near,
                    limes_screen_result *r, size_t *cap)
{
    const char *note = near ? "near match: the numbers differ only in look-alike characters "
                              "(O/0, I/1, S/5, B/8, Z/2, G/6); verify the document"
                            : "exact document number";
    double score = near ? 0.90 : 1.0;
    if (ref & 0x80000000u) {
        const struct pdoc *d = &e->pdocs[ref & 0x7FFFFFFFu];
        const struct sperson *p = &e->persons[d->person];
        if (!issuer_compatible(qi->issuer, d->issuer) ||
            (qi->list != STRMAP_NONE && p->list != qi->list))
            return true;
        const char *list = strmap_key(&e->lists, p->list, NULL);
        limes_screen_hit *h = find_person_hit(r, p->id, eng_str(e, p->ref), list);
        if (!h) {
            if (!(h = new_hit(r, cap)))
                return false;
            h->kind = "person";
            h->entry_id = p->id;
            h->threshold = e->thresholds[p->list];
            h->list = dup(list);
            h->ref = dup(eng_str(e, p->ref));
            h->action = dup(eng_str(e, p->action));
            h->version = dup(eng_str(e, p->version));
            h->matched_name = dup(eng_str(e, d->number));
        }
        double s = near ? 0.90 : 0.97;
        h->document.delta = s > h->score ? s - h->score : 0;
        snprintf(h->document.note, sizeof h->document.note, "%s of a listed person's document",
                 near ? "look-alike near match" : "exact number");
        if (s > h->score)
            h->score = s;
        h->alert = h->score >= h->threshold;
        return true;
    }
    const struct sdoc *d = &e->docs[ref];
    if (!issuer_compatible(qi->issuer, d->issuer) || (qi->list != STRMAP_NONE && d->list != qi->list))
        return true;
    limes_screen_hit *h = new_hit(r, cap);
    if (!h)
        return false;
    h->kind = near ? "document-near" : "document";
    h->score = h->name_score = score;
    h->threshold = e->thresholds[d->list];
    h->alert = true; /* a listed document always goes to the officer */
    h->entry_id = d->id;
    h->list = dup(strmap_key(&e->lists, d->list, NULL));
    h->ref = dup(eng_str(e, d->ref));
    h->action = dup(eng_str(e, d->action));
    h->version = dup(eng_str(e, d->version));
    h->matched_name = dup(eng_str(e, d->number));
    h->document.delta = score;
    snprintf(h->document.note, sizeof h->document.note, "%.100s; %.20s %.20s (%.13s)", note,
             eng_str(e, d->status), eng_str(e, d->type) ? eng_str(e, d->type) : "document",
             d->issuer[0] ? d->issuer : "issuer unknown");
    return true;
}

static limes_rc screen_document(const limes_screen_engine *e, const struct qin *qi,
                                limes_screen_result *r, size_t *cap)
{
    uint32_t k = strmap_index(&e->doc_keys, qi->doc, strlen(qi->doc));
    if (k != STRMAP_NONE)
        for (uint32_t i = e->doc_exact.off[k]; i < e->doc_exact.off[k + 1]; i++)
            if (!doc_hit(e, qi, e->doc_exact.ids[i], false, r, cap))
                return LIMES_NOMEM;
    k = strmap_index(&e->doc_alike, qi->doc_alike, strlen(qi->doc_alike));
    if (k == STRMAP_NONE)
        return LIMES_OK;
    for (uint32_t i = e->doc_near.off[k]; i < e->doc_near.off[k + 1]; i++) {
        uint32_t ref = e->doc_near.ids[i];
        uint32_t num = ref & 0x80000000u ? e->pdocs[ref & 0x7FFFFFFFu].number : e->docs[ref].number;
        char norm[64];
        screen_doc_normalize(eng_str(e, num), norm, sizeof norm);
        if (strcmp(norm, qi->doc) != 0 && !doc_hit(e, qi, ref, true, r, cap))
            return LIMES_NOMEM;
    }
    return LIMES_OK;
}

/* ---- the query ------------------------------------------------------------- */

static int cmp_hit(const void *a, const void *b)
{
    const limes_screen_hit *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->entry_id < y->entry_id ? -1 : x->entry_id > y->entry_id;
}

static int cmp_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Order-independent traveller identity: BLAKE2b of sorted tokens, date of birth, nationality. */
static void identity_key(const name_parts *q, const limes_screen_query *sq, const struct qin *qi,
                         char out[65])
{
    if (sq->identity_key && sq->identity_key[0]) {
        snprintf(out, 65, "%s", sq->identity_key);
        return;
    }
    const char *words[NAMES_MAX_TOKENS];
    int n = q ? q->n : 0;
    for (int i = 0; i < n; i++)
        words[i] = q->tok[i].text;
    if (n)
        qsort(words, (size_t)n, sizeof *words, cmp_text);
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 16);
    for (int i = 0; i < n; i++)
        crypto_generichash_update(&st, (const unsigned char *)words[i], strlen(words[i]) + 1);
    char extra[128];
    snprintf(extra, sizeof extra, "|%04d-%02d-%02d|%s|%s", qi->dob.year, qi->dob.month,
             qi->dob.day, qi->nat, qi->doc);
    crypto_generichash_update(&st, (const unsigned char *)extra, strlen(extra));
    unsigned char h[16];
    crypto_generichash_final(&st, h, sizeof h);
    sodium_bin2hex(out, 65, h, sizeof h);
}

static limes_rc parse_query(const limes_screen_engine *e, const limes_screen_query *q,
                            struct qin *qi, limes_error *err)
{
    memset(qi, 0, sizeof *qi);
    limes_rc rc;
    if ((rc = screen_parse_dob(q->dob, &qi->dob, err)) ||
        (rc = screen_parse_country(q->nationality, "nationality", qi->nat, err)) ||
        (rc = screen_parse_country(q->issuer, "issuer", qi->issuer, err)))
        return rc;
    if (q->gender && q->gender != 'M' && q->gender != 'F')
        return limes_fail(err, LIMES_INVALID, "gender", "gender must be M or F");
    qi->gender = q->gender;
    if (q->document && !screen_doc_normalize(q->document, qi->doc, sizeof qi->doc))
        return limes_fail(err, LIMES_INVALID, "document",
                          "document number has no letters or digits");
    if (q->document && strlen(q->document) > 60)
        return limes_fail(err, LIMES_INVALID, "document", "document number is too long");
    screen_doc_alike(qi->doc, qi->doc_alike, sizeof qi->doc_alike);
    if (q->limit < 0 || q->limit > LIMES_SCREEN_MAX_LIMIT)
        return limes_fail(err, LIMES_INVALID, "limit", "limit must be between 1 and %d",
                          LIMES_SCREEN_MAX_LIMIT);
    qi->limit = q->limit ? q->limit : 10;
    if (q->min_score < 0 || q->min_score > 1 || isnan(q->min_score))
        return limes_fail(err, LIMES_INVALID, "min_score", "min_score must be within [0, 1]");
    qi->min_score = q->min_score;
    qi->list = STRMAP_NONE;
    if (q->list && q->list[0]) {
        qi->list = strmap_index(&e->lists, q->list, strlen(q->list));
        if (qi->list == STRMAP_NONE)
            return limes_fail(err, LIMES_NOT_FOUND, "list", "no list named '%.64s'", q->list);
    }
    if ((!q->name || !q->name[0]) && !q->document)
        return limes_fail(err, LIMES_INVALID, "name", "a name or a document number is required");
    return LIMES_OK;
}

limes_rc limes_screen_engine_query(const limes_screen_engine *e, const limes_screen_query *q,
                                   limes_screen_result *out, limes_error *err)
{
    memset(out, 0, sizeof *out);
    if (!e || !q)
        return limes_fail(err, LIMES_INVALID, "query", "no query");
    struct qin qi;
    limes_rc rc = parse_query(e, q, &qi, err);
    if (rc)
        return rc;
    static _Thread_local name_parts np;
    bool have_name = q->name && q->name[0];
    if (have_name && (rc = names_normalize(q->name, strlen(q->name), NAMES_STRICT, &np, err)))
        return rc;
    identity_key(have_name ? &np : NULL, q, &qi, out->identity_key);
    size_t cap = 0;
    if (have_name) {
        size_t o = 0;
        for (int i = 0; i < np.n; i++) { /* whole tokens only: the text stays valid UTF-8 */
            size_t len = strlen(np.tok[i].text);
            if (o + len + 2 > sizeof out->query_tokens)
                break;
            if (i)
                out->query_tokens[o++] = ' ';
            memcpy(out->query_tokens + o, np.tok[i].text, len + 1);
            o += len;
        }
        static _Thread_local struct qctx c;
        c.e = e;
        c.q = &np;
        c.any_initial = false;
        for (int i = 0; i < np.n; i++) {
            c.any_initial |= (np.tok[i].flags & NT_INITIAL) != 0;
            c.qw[i] = np.tok[i].flags & NT_INITIAL ? 0.5f : 1.0f;
            c.qjoin_ok[i] = i + 1 < np.n && names_join_tokens(&np.tok[i], &np.tok[i + 1], &c.qjoin[i]);
        }
        c.s = scratch_get(e);
        if (!c.s)
            return limes_fail(err, LIMES_NOMEM, "query", "out of memory");
        rc = screen_names(&c, &qi, out, &cap);
        scratch_put(e, c.s);
    }
    if (!rc && qi.doc[0])
        rc = screen_document(e, &qi, out, &cap);
    if (rc) {
        limes_screen_result_free(out);
        return limes_fail(err, rc, "query", "out of memory");
    }
    if (out->nhits)
        qsort(out->hits, out->nhits, sizeof *out->hits, cmp_hit);
    while (out->nhits > (size_t)qi.limit) {
        limes_screen_hit *h = &out->hits[--out->nhits];
        free(h->list), free(h->ref), free(h->action), free(h->version), free(h->matched_name);
        free(h->suppression);
    }
    return LIMES_OK;
}

/* ---- two names, for tuning ---------------------------------------------------- */

limes_rc limes_names_score(const char *a, const char *b, double *score, json_t **explain,
                           limes_error *err)
{
    static _Thread_local name_parts pa, pb;
    limes_rc rc;
    *score = 0;
    if (explain)
        *explain = NULL;
    if ((rc = names_normalize(a, a ? strlen(a) : 0, NAMES_STRICT, &pa, err)))
        return rc;
    if ((rc = names_normalize(b, b ? strlen(b) : 0, NAMES_STRICT, &pb, err))) {
        if (err)
            snprintf(err->field, sizeof err->field, "name_b");
        return rc;
    }
    struct align_in in = {.nq = pa.n, .ne = pb.n};
    for (int i = 0; i < pa.n; i++) {
        in.qw[i] = pa.tok[i].flags & NT_INITIAL ? 0.5f : 1.0f;
        for (int j = 0; j < pb.n; j++) {
            name_match_how how;
            in.sim[i][j] = (float)names_token_sim(&pa.tok[i], &pb.tok[j], &how);
            in.how[i][j] = (uint8_t)how;
        }
    }
    struct align_out out;
    screen_align(&in, &out);
    static _Thread_local name_token qjoin[NAMES_MAX_TOKENS];
    bool qjoin_ok[NAMES_MAX_TOKENS] = {0};
    for (int i = 0; i + 1 < pa.n; i++)
        qjoin_ok[i] = names_join_tokens(&pa.tok[i], &pa.tok[i + 1], &qjoin[i]);
    const name_token *eb[NAMES_MAX_TOKENS];
    for (int j = 0; j < pb.n; j++)
        eb[j] = &pb.tok[j];
    screen_add_merges(pa.tok, pa.n, qjoin, qjoin_ok, eb, pb.n, &in);
    if (in.nmerges)
        screen_align(&in, &out);
    *score = round(out.score * 1000) / 1000;
    if (!explain)
        return LIMES_OK;
    json_t *qt = json_array(), *et = json_array(), *ms = json_array();
    for (int i = 0; i < pa.n; i++)
        json_array_append_new(qt, json_string(pa.tok[i].text));
    for (int j = 0; j < pb.n; j++)
        json_array_append_new(et, json_string(pb.tok[j].text));
    for (int i = 0; i < pa.n; i++) {
        int j = out.q_to_e[i], j2 = out.q_to_e2[i], p = out.q_partner[i];
        if (p >= 0 && p < i)
            continue;
        char qtext[2 * NAMES_TEXT_BYTES], etext[2 * NAMES_TEXT_BYTES];
        put_text(qtext, sizeof qtext, pa.tok[i].text, p >= 0 ? pa.tok[p].text : NULL);
        put_text(etext, sizeof etext, j >= 0 ? pb.tok[j].text : "",
                 j2 >= 0 ? pb.tok[j2].text : NULL);
        json_array_append_new(
            ms, json_pack("{s:s, s:s, s:s, s:f}", "query", qtext, "entry", etext, "how",
                          j >= 0 ? names_how_name((name_match_how)out.q_how[i]) : "missing",
                          "score", j >= 0 ? round(out.q_sim[i] * 1000) / 1000 : 0.0));
    }
    for (int j = 0; j < pb.n; j++)
        if (out.e_to_q[j] < 0)
            json_array_append_new(ms, json_pack("{s:s, s:s, s:s, s:f}", "query", "", "entry",
                                                pb.tok[j].text, "how", "missing", "score", 0.0));
    *explain = json_pack("{s:f, s:o, s:o, s:o}", "score", *score, "query_tokens", qt,
                         "entry_tokens", et, "matches", ms);
    return LIMES_OK;
}
