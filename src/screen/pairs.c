/*
 * pairs.c - postings for pairs of common name tokens.
 *
 * Why: a reportable name must hold most of the query's tokens (align.c:
 * the score is at most the weighted share of query tokens matched), so the
 * names worth scoring are those holding at least two tokens of a small set
 * of query tokens (query.c works out which).  When those tokens are common
 * ("mohamed", "ahmed", "ali" each sit in tens of thousands of names),
 * walking the postings of either one touches far more names than their
 * intersection holds.  This index keeps, for every pair of common
 * vocabulary tokens that occur in one name, the names holding both; the
 * query reads the intersection directly, and walks only the postings of
 * the rare spellings.
 *
 * Layout: common[v] numbers the vocabulary tokens with at least
 * PAIR_COMMON_FROM postings; a pair (a <= b) of common ids has the key
 * a * ncommon + b, found through an open-addressing table of keys to pair
 * ids, and the names of pair id k are ids[off[k] .. off[k+1]), sorted.
 * Each common id also lists its partners (the common ids it shares a name
 * with) and their pair ids: a query asks for the pairs between two sets of
 * spellings, and nearly all of those pairs do not exist (at 1M entries, 29
 * of ~2,000 look-ups per query found one); a spelling with few partners is
 * answered by scanning them against the other set, at a fraction of the
 * cost of one table look-up (a cache miss) per member of that set.
 *
 * Memory: owned by the engine (screen_pairs_free).
 */
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "screen_int.h"

static uint32_t hash_key(uint32_t key)
{
    uint32_t h = key * 0x9E3779B1u;
    return h ^ (h >> 16);
}

/* The slot of key: where it is, or the empty slot where it would go. */
static uint32_t find_slot(const struct pair_index *p, uint32_t key)
{
    uint32_t mask = p->nslots - 1, i = hash_key(key) & mask;
    while (p->slots[i].key && p->slots[i].key != key + 1)
        i = (i + 1) & mask;
    return i;
}

static bool grow_slots(struct pair_index *p)
{
    uint32_t old_n = p->nslots;
    struct pair_slot *old = p->slots;
    p->nslots = old_n ? old_n * 2 : 1024;
    p->slots = calloc(p->nslots, sizeof *p->slots);
    if (!p->slots) {
        free(old);
        return false;
    }
    for (uint32_t i = 0; i < old_n; i++)
        if (old[i].key)
            p->slots[find_slot(p, old[i].key - 1)] = old[i];
    free(old);
    return true;
}

/* The pair id of key, numbering it if new; SCREEN_NONE on memory failure. */
static uint32_t intern_pair(struct pair_index *p, uint32_t key)
{
    if ((p->npairs + 1) * 2 > p->nslots && !grow_slots(p))
        return SCREEN_NONE;
    uint32_t s = find_slot(p, key);
    if (!p->slots[s].key)
        p->slots[s] = (struct pair_slot){key + 1, p->npairs++};
    return p->slots[s].id;
}

static uint32_t pair_key(const struct pair_index *p, uint32_t a, uint32_t b)
{
    return a <= b ? a * p->ncommon + b : b * p->ncommon + a;
}

uint32_t screen_pair_find(const struct pair_index *p, uint32_t a, uint32_t b)
{
    if (!p->nslots)
        return SCREEN_NONE;
    uint32_t s = find_slot(p, pair_key(p, a, b));
    return p->slots[s].key ? p->slots[s].id : SCREEN_NONE;
}

/* A partner scanned costs about this many times less than a table look-up (a cache miss). */
#define SCAN_PER_LOOKUP 16

size_t screen_pairs_of(const struct pair_index *p, uint32_t a, const uint32_t *b, size_t nb,
                       const uint64_t *bset, uint32_t *ids)
{
    if (!p->nslots)
        return 0;
    uint32_t from = p->part_off[a], to = p->part_off[a + 1];
    if (to - from <= nb * SCAN_PER_LOOKUP) {
        size_t n = 0;
        for (uint32_t k = from; k < to; k++)
            if (bset[p->partner[k] >> 6] >> (p->partner[k] & 63) & 1)
                ids[n++] = p->part_pair[k];
        return n;
    }
    for (size_t j = 0; j < nb; j++) /* the slots are far apart: ask for them all at once */
        __builtin_prefetch(&p->slots[hash_key(pair_key(p, a, b[j])) & (p->nslots - 1)]);
    size_t n = 0;
    for (size_t j = 0; j < nb; j++) {
        uint32_t s = find_slot(p, pair_key(p, a, b[j]));
        if (p->slots[s].key)
            ids[n++] = p->slots[s].id;
    }
    return n;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The distinct pair keys of one name's common tokens; returns how many. */
static int name_pair_keys(const limes_screen_engine *e, const struct sname *sn, uint32_t *keys)
{
    uint32_t c[NAMES_MAX_TOKENS];
    int nc = 0, nk = 0;
    for (int j = 0; j < sn->ntok && j < NAMES_MAX_TOKENS; j++) {
        uint32_t id = e->pairs.common[e->name_toks[sn->tok_off + j]];
        if (id != SCREEN_NONE)
            c[nc++] = id;
    }
    qsort(c, (size_t)nc, sizeof *c, cmp_u32);
    for (int i = 0; i < nc; i++)
        for (int j = i + 1; j < nc; j++)
            keys[nk++] = c[i] * e->pairs.ncommon + c[j];
    qsort(keys, (size_t)nk, sizeof *keys, cmp_u32);
    int n = 0;
    for (int i = 0; i < nk; i++)
        if (!n || keys[n - 1] != keys[i])
            keys[n++] = keys[i];
    return n;
}

static bool number_common(limes_screen_engine *e)
{
    struct pair_index *p = &e->pairs;
    p->common = malloc((e->vocab.n ? e->vocab.n : 1) * sizeof *p->common);
    if (!p->common)
        return false;
    for (uint32_t v = 0; v < e->vocab.n; v++) {
        uint32_t df = e->postings.off[v + 1] - e->postings.off[v];
        p->common[v] = df >= PAIR_COMMON_FROM && p->ncommon < PAIR_COMMON_MAX ? p->ncommon++
                                                                             : SCREEN_NONE;
    }
    return true;
}

/* Each pair (a, b) once in a's partners and, unless a == b, once in b's. */
static bool build_partners(struct pair_index *p)
{
    p->part_off = calloc((size_t)p->ncommon + 1, sizeof *p->part_off);
    size_t n = (size_t)p->npairs * 2 + 1;
    p->part_pair = malloc(n * sizeof *p->part_pair);
    p->partner = malloc(n * sizeof *p->partner);
    if (!p->part_off || !p->part_pair || !p->partner)
        return false;
    for (uint32_t s = 0; s < p->nslots; s++) {
        if (!p->slots[s].key)
            continue;
        uint32_t a = (p->slots[s].key - 1) / p->ncommon, b = (p->slots[s].key - 1) % p->ncommon;
        p->part_off[a + 1]++;
        p->part_off[b + 1] += a != b;
    }
    for (uint32_t a = 0; a < p->ncommon; a++)
        p->part_off[a + 1] += p->part_off[a];
    uint32_t *next = malloc(((size_t)p->ncommon + 1) * sizeof *next);
    if (!next)
        return false;
    memcpy(next, p->part_off, ((size_t)p->ncommon + 1) * sizeof *next);
    for (uint32_t s = 0; s < p->nslots; s++) {
        if (!p->slots[s].key)
            continue;
        uint32_t a = (p->slots[s].key - 1) / p->ncommon, b = (p->slots[s].key - 1) % p->ncommon;
        p->partner[next[a]] = (uint16_t)b;
        p->part_pair[next[a]++] = p->slots[s].id;
        if (a != b) {
            p->partner[next[b]] = (uint16_t)a;
            p->part_pair[next[b]++] = p->slots[s].id;
        }
    }
    free(next);
    return true;
}

/* Two passes over the names: count each pair's names, then place them. */
bool screen_pairs_build(limes_screen_engine *e)
{
    struct pair_index *p = &e->pairs;
    if (!number_common(e))
        return false;
    if (p->ncommon == 0)
        return true;
    static _Thread_local uint32_t keys[NAMES_MAX_TOKENS * NAMES_MAX_TOKENS];
    uint32_t *count = NULL;
    size_t cap = 0;
    for (uint32_t n = 0; n < e->nnames; n++) {
        int nk = name_pair_keys(e, &e->names[n], keys);
        for (int k = 0; k < nk; k++) {
            uint32_t before = p->npairs, id = intern_pair(p, keys[k]);
            if (id == SCREEN_NONE || !array_grow((void **)&count, &cap, p->npairs, sizeof *count))
                return free(count), false;
            if (p->npairs > before)
                count[id] = 0; /* a new pair */
            count[id]++;
        }
    }
    p->post.nkeys = p->npairs;
    p->post.off = malloc((p->npairs + 1) * sizeof *p->post.off);
    if (!p->post.off)
        return free(count), false;
    p->post.off[0] = 0;
    for (uint32_t k = 0; k < p->npairs; k++)
        p->post.off[k + 1] = p->post.off[k] + count[k];
    p->post.nids = p->post.off[p->npairs];
    p->post.ids = malloc((p->post.nids ? p->post.nids : 1) * sizeof *p->post.ids);
    if (!p->post.ids)
        return free(count), false;
    memcpy(count, p->post.off, p->npairs * sizeof *count); /* next free place per pair */
    for (uint32_t n = 0; n < e->nnames; n++) {
        int nk = name_pair_keys(e, &e->names[n], keys);
        for (int k = 0; k < nk; k++)
            p->post.ids[count[screen_pair_find(p, keys[k] / p->ncommon, keys[k] % p->ncommon)]++] = n;
    }
    free(count);
    return build_partners(p);
}

void screen_pairs_free(struct pair_index *p)
{
    free(p->common);
    free(p->slots);
    free(p->post.off);
    free(p->post.ids);
    free(p->part_off);
    free(p->part_pair);
    free(p->partner);
    memset(p, 0, sizeof *p);
}

size_t screen_pairs_bytes(const struct pair_index *p, size_t nvocab)
{
    size_t partners = p->part_off ? p->part_off[p->ncommon] : 0;
    return (p->common ? nvocab * sizeof *p->common : 0) +
           (size_t)p->nslots * sizeof *p->slots +
           (p->part_off ? ((size_t)p->ncommon + 1) * sizeof *p->part_off : 0) +
           partners * (sizeof *p->part_pair + sizeof *p->partner) +
           (p->post.off ? (p->post.nkeys + 1) * sizeof *p->post.off : 0) +
           p->post.nids * sizeof *p->post.ids;
}
