/*
 * spellcache.c - the vocabulary spellings in reach of a query token,
 * remembered across queries.
 *
 * Why: finding the spellings of a query token (query.c, step 2: variant
 * groups, skeletons, trigrams, then a string comparison with each
 * candidate spelling) is a third of a query's time at 1M entries, and
 * travellers' name tokens repeat: a border post sees "mohamed", "ali" and
 * "hassan" all day.  The result depends only on the token and the
 * vocabulary, which is fixed for the engine's life, so it can be kept.
 *
 * Sharded by hash, each shard under its own mutex; a full shard is emptied
 * (the working set refills it), so memory stays bounded by the capacity.
 * Entries are copied out under the lock, so readers never see a shard
 * being emptied.
 *
 * Memory: owned by the engine (screen_spellcache_free).
 */
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "screen_int.h"

#define SHARDS 16
#define SPELLINGS_PER_TOKEN 64 /* average room per remembered token */

struct shard {
    pthread_mutex_t lock;
    strmap keys;          /* token key -> entry index */
    uint32_t *start, *count; /* per entry: its spellings in hits[] */
    size_t cap_start, cap_count;
    struct spelling *hits;
    size_t nhits, cap_hits;
};

struct spellcache {
    struct shard shard[SHARDS];
    size_t tokens_per_shard;
    atomic_size_t lookups, found;
};

struct spellcache *screen_spellcache_new(size_t tokens)
{
    struct spellcache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->tokens_per_shard = tokens / SHARDS ? tokens / SHARDS : 1;
    for (int i = 0; i < SHARDS; i++) {
        pthread_mutex_init(&c->shard[i].lock, NULL);
        strmap_init(&c->shard[i].keys);
    }
    return c;
}

static void shard_empty(struct shard *s)
{
    strmap_free(&s->keys);
    strmap_init(&s->keys);
    s->nhits = 0;
}

void screen_spellcache_free(struct spellcache *c)
{
    if (!c)
        return;
    for (int i = 0; i < SHARDS; i++) {
        struct shard *s = &c->shard[i];
        pthread_mutex_destroy(&s->lock);
        strmap_free(&s->keys);
        free(s->start), free(s->count), free(s->hits);
    }
    free(c);
}

static struct shard *shard_of(struct spellcache *c, const char *key, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)key[i]) * 16777619u;
    return &c->shard[h % SHARDS];
}

size_t screen_spellcache_get(struct spellcache *c, const char *key, size_t len,
                             struct spelling *out, size_t cap)
{
    if (!c)
        return SIZE_MAX;
    atomic_fetch_add_explicit(&c->lookups, 1, memory_order_relaxed);
    struct shard *s = shard_of(c, key, len);
    size_t n = SIZE_MAX;
    pthread_mutex_lock(&s->lock);
    uint32_t k = strmap_index(&s->keys, key, len);
    if (k != STRMAP_NONE && s->count[k] <= cap) {
        n = s->count[k];
        if (n) /* a token with no spelling in reach has no hits (s->hits may be NULL) */
            memcpy(out, s->hits + s->start[k], n * sizeof *out);
    }
    pthread_mutex_unlock(&s->lock);
    if (n != SIZE_MAX)
        atomic_fetch_add_explicit(&c->found, 1, memory_order_relaxed);
    return n;
}

void screen_spellcache_put(struct spellcache *c, const char *key, size_t len,
                           const struct spelling *hits, size_t n)
{
    if (!c)
        return;
    struct shard *s = shard_of(c, key, len);
    pthread_mutex_lock(&s->lock);
    if (s->keys.n >= c->tokens_per_shard ||
        s->nhits + n > c->tokens_per_shard * SPELLINGS_PER_TOKEN)
        shard_empty(s);
    uint32_t k;
    size_t before = s->keys.n;
    if (strmap_put(&s->keys, key, len, 0, &k) == LIMES_OK && s->keys.n > before &&
        array_grow((void **)&s->start, &s->cap_start, s->keys.n, sizeof *s->start) &&
        array_grow((void **)&s->count, &s->cap_count, s->keys.n, sizeof *s->count) &&
        array_grow((void **)&s->hits, &s->cap_hits, s->nhits + n, sizeof *s->hits)) {
        s->start[k] = (uint32_t)s->nhits;
        s->count[k] = (uint32_t)n;
        if (n)
            memcpy(s->hits + s->nhits, hits, n * sizeof *hits);
        s->nhits += n;
    } else if (s->keys.n > before) {
        shard_empty(s); /* out of memory half-way: drop the shard rather than keep a bad key */
    }
    pthread_mutex_unlock(&s->lock);
}

void screen_spellcache_counts(const struct spellcache *c, size_t *lookups, size_t *found)
{
    *lookups = c ? atomic_load(&c->lookups) : 0;
    *found = c ? atomic_load(&c->found) : 0;
}
