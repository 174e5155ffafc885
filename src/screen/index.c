/*
 * index.c - building the screening index from a limes_watch_set: every
 * person name is normalised once, its tokens interned into the vocabulary,
 * and the vocabulary indexed by skeleton, variant group and trigram; then
 * postings from vocabulary tokens to names, and the document maps.
 * See screen_int.h for the layout.
 */
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/grow.h"
#include "screen_int.h"

#define GROW(e, arr, n, cap, k) array_grow((void **)&(e)->arr, &(e)->cap, (e)->n + (k), sizeof *(e)->arr)

const char *eng_str(const limes_screen_engine *e, uint32_t off)
{
    return off == SCREEN_NONE ? NULL : e->arena + off;
}

/* Copy a string into the arena; NULL stays SCREEN_NONE. */
static bool put_str(limes_screen_engine *e, const char *s, uint32_t *off)
{
    if (!s) {
        *off = SCREEN_NONE;
        return true;
    }
    size_t len = strlen(s);
    if (e->arena_len + len + 1 >= SCREEN_NONE ||
        !array_grow((void **)&e->arena, &e->arena_cap, e->arena_len + len + 1, 1))
        return false;
    memcpy(e->arena + e->arena_len, s, len + 1);
    *off = (uint32_t)e->arena_len;
    e->arena_len += len + 1;
    return true;
}

static bool intern_list(limes_screen_engine *e, const char *list, uint32_t *idx)
{
    const char *l = list ? list : "";
    return strmap_put(&e->lists, l, strlen(l), 0, idx) == LIMES_OK;
}

static uint32_t skel_id(limes_screen_engine *e, const char *skel, bool *ok)
{
    if (!skel[0])
        return SCREEN_NONE;
    uint32_t id;
    if (strmap_put(&e->skels, skel, strlen(skel), 0, &id))
        *ok = false;
    return id;
}

/* The vocabulary id of a token, adding it if new; SCREEN_NONE on memory failure. */
static uint32_t vocab_id(limes_screen_engine *e, const name_token *t)
{
    size_t len = strlen(t->text);
    uint32_t v = strmap_index(&e->vocab, t->text, len);
    if (v != STRMAP_NONE)
        return v;
    if (strmap_put(&e->vocab, t->text, len, 0, &v) || !GROW(e, vt, vocab.n, cap_vt, 0) ||
        !GROW(e, vtoks, vocab.n, cap_vtoks, 0))
        return SCREEN_NONE;
    bool ok = true;
    struct vtok *x = &e->vt[v];
    x->ncp = t->ncp;
    x->script = t->script;
    x->flags = t->flags;
    x->skel = skel_id(e, t->skel, &ok);
    x->skel_na = skel_id(e, t->skel_na, &ok);
    e->vtoks[v] = *t; /* compared in place by queries: copying per comparison cost a tenth */
    return ok ? v : SCREEN_NONE;
}

static limes_rc add_name(limes_screen_engine *e, uint32_t person, const limes_watch_name *n)
{
    static _Thread_local name_parts np;
    limes_error ignored = {0};
    if (!n->full || names_normalize(n->full, strlen(n->full), 0, &np, &ignored))
        return LIMES_OK; /* a name without letters cannot be screened: skip it */
    if (!GROW(e, names, nnames, cap_names, 1) ||
        !GROW(e, name_toks, nname_toks, cap_name_toks, (size_t)np.n))
        return LIMES_NOMEM;
    struct sname *s = &e->names[e->nnames];
    s->person = person;
    s->tok_off = (uint32_t)e->nname_toks;
    s->ntok = (uint8_t)np.n;
    s->quality = (uint8_t)n->quality;
    if (!put_str(e, n->full, &s->full))
        return LIMES_NOMEM;
    for (int i = 0; i < np.n; i++) {
        uint32_t v = vocab_id(e, &np.tok[i]);
        if (v == SCREEN_NONE)
            return LIMES_NOMEM;
        e->name_toks[e->nname_toks++] = v;
    }
    e->nnames++;
    return LIMES_OK;
}

static limes_rc add_person(limes_screen_engine *e, const limes_watch_person *p)
{
    if (!GROW(e, persons, npersons, cap_persons, 1) ||
        !GROW(e, dobs, ndobs, cap_dobs, p->ndobs) ||
        !GROW(e, nats, nnats, cap_nats, p->nnationalities))
        return LIMES_NOMEM;
    uint32_t idx = (uint32_t)e->npersons;
    struct sperson *s = &e->persons[idx];
    memset(s, 0, sizeof *s);
    s->id = p->id;
    s->gender = p->gender == 'M' || p->gender == 'F' ? p->gender : 0;
    if (!intern_list(e, p->list, &s->list) || !put_str(e, p->ref ? p->ref : "", &s->ref) ||
        !put_str(e, p->action ? p->action : "", &s->action) ||
        !put_str(e, p->version ? p->version : "", &s->version))
        return LIMES_NOMEM;
    s->dob_off = (uint32_t)e->ndobs;
    s->ndobs = (uint8_t)(p->ndobs > 255 ? 255 : p->ndobs);
    if (s->ndobs)
        memcpy(e->dobs + e->ndobs, p->dobs, s->ndobs * sizeof *p->dobs);
    e->ndobs += s->ndobs;
    s->nat_off = (uint32_t)e->nnats;
    s->nnat = (uint8_t)(p->nnationalities > 255 ? 255 : p->nnationalities);
    if (s->nnat)
        memcpy(e->nats + e->nnats, p->nationalities, s->nnat * sizeof *p->nationalities);
    e->nnats += s->nnat;
    e->npersons++;
    for (size_t i = 0; i < p->nnames; i++)
        if (add_name(e, idx, &p->names[i]))
            return LIMES_NOMEM;
    for (size_t i = 0; i < p->ndocs; i++) {
        if (!p->docs[i].number || !GROW(e, pdocs, npdocs, cap_pdocs, 1))
            continue;
        struct pdoc *d = &e->pdocs[e->npdocs];
        d->person = idx;
        memcpy(d->issuer, p->docs[i].issuer, 4);
        d->issuer[3] = '\0';
        if (!put_str(e, p->docs[i].number, &d->number))
            return LIMES_NOMEM;
        e->npdocs++;
    }
    return LIMES_OK;
}

static limes_rc add_document(limes_screen_engine *e, const limes_watch_document *d)
{
    if (!d->number)
        return LIMES_OK;
    if (!GROW(e, docs, ndocs, cap_docs, 1))
        return LIMES_NOMEM;
    struct sdoc *s = &e->docs[e->ndocs];
    memset(s, 0, sizeof *s);
    s->id = d->id;
    memcpy(s->issuer, d->issuer, 4);
    s->issuer[3] = '\0';
    if (!intern_list(e, d->list, &s->list) || !put_str(e, d->ref ? d->ref : "", &s->ref) ||
        !put_str(e, d->number, &s->number) || !put_str(e, d->type, &s->type) ||
        !put_str(e, d->status ? d->status : "", &s->status) ||
        !put_str(e, d->action ? d->action : "", &s->action) ||
        !put_str(e, d->reported, &s->version))
        return LIMES_NOMEM;
    e->ndocs++;
    return LIMES_OK;
}

/* ---- CSR construction ---------------------------------------------------- */

struct pairs {
    uint32_t *key, *id;
    size_t n, cap, cap2;
};

static bool pairs_add(struct pairs *p, uint32_t key, uint32_t id)
{
    size_t cap = p->cap;
    if (!array_grow((void **)&p->key, &cap, p->n + 1, sizeof *p->key) ||
        !array_grow((void **)&p->id, &p->cap, p->n + 1, sizeof *p->id))
        return false;
    p->key[p->n] = key;
    p->id[p->n++] = id;
    return true;
}

/* Counting sort of the pairs into a CSR with nkeys keys. */
static bool csr_build(struct csr *c, size_t nkeys, struct pairs *p)
{
    c->nkeys = nkeys;
    c->nids = p->n;
    c->off = calloc(nkeys + 1, sizeof *c->off);
    c->ids = malloc((p->n ? p->n : 1) * sizeof *c->ids);
    if (!c->off || !c->ids)
        return false;
    for (size_t i = 0; i < p->n; i++)
        c->off[p->key[i] + 1]++;
    for (size_t k = 0; k < nkeys; k++)
        c->off[k + 1] += c->off[k];
    uint32_t *fill = malloc((nkeys + 1) * sizeof *fill);
    if (!fill)
        return false;
    memcpy(fill, c->off, (nkeys + 1) * sizeof *fill);
    for (size_t i = 0; i < p->n; i++)
        c->ids[fill[p->key[i]]++] = p->id[i];
    free(fill);
    free(p->key);
    free(p->id);
    memset(p, 0, sizeof *p);
    return true;
}

static void csr_free(struct csr *c)
{
    free(c->off);
    free(c->ids);
}

uint32_t screen_trigram(uint32_t a, uint32_t b, uint32_t c);
uint32_t screen_trigram(uint32_t a, uint32_t b, uint32_t c)
{
    uint32_t h = a * 0x9E3779B1u ^ (b + 0x7F4A7C15u) * 0x85EBCA77u ^ (c + 0x165667B1u) * 0xC2B2AE3Du;
    return (h ^ (h >> 15)) & (TRI_BUCKETS - 1);
}

/*
 * The token's other skeleton keys (names_token_keys: the other renderings
 * of ambiguous letters), so that an Arabic query token reaches the Latin
 * spellings that write its letters another way, and the other way round.
 */
static bool add_other_keys(limes_screen_engine *e, struct pairs *ps, uint32_t v)
{
    char keys[NAMES_MAX_KEYS][NAMES_SKEL_BYTES];
    const name_token *t = eng_vtok(e, v);
    size_t n = names_token_keys(t, keys, NAMES_MAX_KEYS);
    bool ok = true;
    for (size_t k = 0; ok && k < n; k++) {
        if (!strcmp(keys[k], t->skel) || !strcmp(keys[k], t->skel_na))
            continue; /* filed already */
        uint32_t id = skel_id(e, keys[k], &ok);
        ok = ok && pairs_add(ps, id, v);
    }
    return ok;
}

/* A bit per vocabulary token that is an initial (eng_vtok_is_initial). */
static bool build_initial_bits(limes_screen_engine *e)
{
    e->initial_bits = calloc(e->vocab.n / 64 + 1, sizeof *e->initial_bits);
    if (!e->initial_bits)
        return false;
    for (uint32_t v = 0; v < e->vocab.n; v++)
        if (e->vt[v].flags & NT_INITIAL)
            e->initial_bits[v >> 6] |= 1ull << (v & 63);
    return true;
}

static bool build_vocab_maps(limes_screen_engine *e)
{
    struct pairs ps = {0}, pg = {0}, pt = {0}, pp = {0};
    bool ok = true;
    for (uint32_t v = 0; ok && v < e->vocab.n; v++) {
        const struct vtok *x = &e->vt[v];
        if (x->skel != SCREEN_NONE)
            ok = pairs_add(&ps, x->skel, v);
        if (ok && x->skel_na != SCREEN_NONE)
            ok = pairs_add(&ps, x->skel_na, v);
        if (ok)
            ok = add_other_keys(e, &ps, v);
        const name_token *t = eng_vtok(e, v);
        for (int g = 0; ok && g < t->ngroups; g++)
            ok = pairs_add(&pg, t->groups[g], v);
        const uint32_t *cp = t->cp;
        for (int i = 0; ok && i < x->ncp; i++) {
            uint32_t a = i >= 2 ? cp[i - 2] : 0, b = i >= 1 ? cp[i - 1] : 0;
            ok = pairs_add(&pt, screen_trigram(a, b, cp[i]), v);
        }
    }
    for (uint32_t n = 0; ok && n < e->nnames; n++)
        for (int k = 0; ok && k < e->names[n].ntok; k++)
            ok = pairs_add(&pp, e->name_toks[e->names[n].tok_off + k], n);
    ok = ok && csr_build(&e->by_skel, e->skels.n, &ps) &&
         csr_build(&e->by_group, names_group_count(), &pg) &&
         csr_build(&e->by_tri, TRI_BUCKETS, &pt) && csr_build(&e->postings, e->vocab.n, &pp);
    free(ps.key), free(ps.id), free(pg.key), free(pg.id), free(pt.key), free(pt.id);
    free(pp.key), free(pp.id);
    return ok;
}

static bool doc_pair(strmap *keys, struct pairs *p, const char *key, uint32_t ref)
{
    uint32_t k;
    return strmap_put(keys, key, strlen(key), 0, &k) == LIMES_OK && pairs_add(p, k, ref);
}

static bool build_doc_maps(limes_screen_engine *e)
{
    struct pairs pe = {0}, pn = {0};
    bool ok = true;
    char norm[64], alike[64];
    for (size_t i = 0; ok && i < e->ndocs + e->npdocs; i++) {
        bool person = i >= e->ndocs;
        uint32_t num = person ? e->pdocs[i - e->ndocs].number : e->docs[i].number;
        uint32_t ref = person ? (uint32_t)(i - e->ndocs) | 0x80000000u : (uint32_t)i;
        if (!screen_doc_normalize(eng_str(e, num), norm, sizeof norm))
            continue;
        screen_doc_alike(norm, alike, sizeof alike);
        ok = doc_pair(&e->doc_keys, &pe, norm, ref) && doc_pair(&e->doc_alike, &pn, alike, ref);
    }
    ok = ok && csr_build(&e->doc_exact, e->doc_keys.n, &pe) &&
         csr_build(&e->doc_near, e->doc_alike.n, &pn);
    free(pe.key), free(pe.id), free(pn.key), free(pn.id);
    return ok;
}

static limes_rc set_thresholds(limes_screen_engine *e, const limes_screen_config *cfg)
{
    e->default_threshold = cfg && cfg->default_threshold > 0 ? cfg->default_threshold
                                                             : LIMES_SCREEN_DEFAULT_THRESHOLD;
    e->thresholds = malloc((e->lists.n ? e->lists.n : 1) * sizeof *e->thresholds);
    if (!e->thresholds)
        return LIMES_NOMEM;
    for (size_t i = 0; i < e->lists.n; i++)
        e->thresholds[i] = e->default_threshold;
    for (size_t i = 0; cfg && i < cfg->nthresholds; i++) {
        const char *l = cfg->thresholds[i].list;
        uint32_t k = l ? strmap_index(&e->lists, l, strlen(l)) : STRMAP_NONE;
        if (k != STRMAP_NONE && cfg->thresholds[i].threshold > 0)
            e->thresholds[k] = cfg->thresholds[i].threshold;
    }
    return LIMES_OK;
}

limes_rc limes_screen_engine_build(const limes_watch_set *set, const limes_screen_config *cfg,
                                   limes_screen_engine **out, limes_error *err)
{
    *out = NULL;
    limes_rc rc = names_init(err);
    if (rc)
        return rc;
    int64_t t0 = time_mono_ns();
    limes_screen_engine *e = calloc(1, sizeof *e);
    if (!e)
        return limes_fail(err, LIMES_NOMEM, "lists", "out of memory building the index");
    strmap_init(&e->lists);
    strmap_init(&e->vocab);
    strmap_init(&e->skels);
    strmap_init(&e->doc_keys);
    strmap_init(&e->doc_alike);
    pthread_mutex_init(&e->pool_lock, NULL);
    for (size_t i = 0; set && !rc && i < set->npersons; i++)
        rc = add_person(e, &set->persons[i]);
    for (size_t i = 0; set && !rc && i < set->ndocuments; i++)
        rc = add_document(e, &set->documents[i]);
    if (!rc && (!build_initial_bits(e) || !build_vocab_maps(e) || !screen_pairs_build(e) ||
                !build_doc_maps(e)))
        rc = LIMES_NOMEM;
    if (!rc)
        rc = set_thresholds(e, cfg);
    int cache = cfg ? cfg->spelling_cache : 0;
    if (!rc && cache >= 0 &&
        !(e->spellings = screen_spellcache_new(cache ? (size_t)cache : SPELLCACHE_DEFAULT_TOKENS)))
        rc = LIMES_NOMEM;
    if (rc) {
        limes_screen_engine_free(e);
        return limes_fail(err, rc, "lists", "out of memory building the screening index");
    }
    e->build_ms = (double)(time_mono_ns() - t0) / 1e6;
    *out = e;
    return LIMES_OK;
}

void screen_scratch_free_all(limes_screen_engine *e);

void limes_screen_engine_free(limes_screen_engine *e)
{
    if (!e)
        return;
    screen_scratch_free_all(e);
    pthread_mutex_destroy(&e->pool_lock);
    free(e->arena);
    strmap_free(&e->lists);
    free(e->thresholds);
    free(e->persons);
    free(e->names);
    free(e->name_toks);
    free(e->dobs);
    free(e->nats);
    strmap_free(&e->vocab);
    free(e->vt);
    free(e->vtoks);
    free(e->initial_bits);
    strmap_free(&e->skels);
    csr_free(&e->postings);
    csr_free(&e->by_skel);
    csr_free(&e->by_group);
    csr_free(&e->by_tri);
    screen_pairs_free(&e->pairs);
    screen_spellcache_free(e->spellings);
    free(e->docs);
    free(e->pdocs);
    strmap_free(&e->doc_keys);
    strmap_free(&e->doc_alike);
    csr_free(&e->doc_exact);
    csr_free(&e->doc_near);
    free(e);
}

static size_t csr_bytes(const struct csr *c)
{
    return (c->nkeys + 1) * sizeof *c->off + c->nids * sizeof *c->ids;
}

void limes_screen_engine_stats(const limes_screen_engine *e, limes_screen_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!e)
        return;
    out->persons = e->npersons;
    out->documents = e->ndocs;
    out->names = e->nnames;
    out->vocabulary = e->vocab.n;
    out->build_ms = e->build_ms;
    screen_spellcache_counts(e->spellings, &out->spelling_lookups, &out->spellings_remembered);
    out->memory_bytes =
        e->arena_cap + strmap_bytes(&e->lists) + e->cap_persons * sizeof *e->persons +
        e->cap_names * sizeof *e->names + e->cap_name_toks * sizeof *e->name_toks +
        e->cap_dobs * sizeof *e->dobs + e->cap_nats * sizeof *e->nats + strmap_bytes(&e->vocab) +
        e->cap_vt * sizeof *e->vt + e->cap_vtoks * sizeof *e->vtoks +
        (e->vocab.n / 64 + 1) * sizeof *e->initial_bits +
        strmap_bytes(&e->skels) +
        csr_bytes(&e->postings) + csr_bytes(&e->by_skel) + csr_bytes(&e->by_group) +
        csr_bytes(&e->by_tri) + screen_pairs_bytes(&e->pairs, e->vocab.n) +
        e->cap_docs * sizeof *e->docs + e->cap_pdocs * sizeof *e->pdocs + strmap_bytes(&e->doc_keys) +
        strmap_bytes(&e->doc_alike) + csr_bytes(&e->doc_exact) + csr_bytes(&e->doc_near);
}
