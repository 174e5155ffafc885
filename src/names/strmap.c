/*
 * strmap.c - string-keyed hash map with linear probing and a key arena;
 * see strmap.h.  FNV-1a hashing; the table doubles at 70% load.
 */
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "strmap.h"

static uint32_t fnv1a(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

void strmap_init(strmap *m) { memset(m, 0, sizeof *m); }

void strmap_free(strmap *m)
{
    free(m->slots);
    free(m->entries);
    free(m->arena);
    memset(m, 0, sizeof *m);
}

static size_t find_slot(const strmap *m, const char *key, size_t len, uint32_t h)
{
    size_t mask = m->nslots - 1, i = h & mask;
    for (;;) {
        uint32_t s = m->slots[i];
        if (!s)
            return i;
        const struct strmap_entry *e = &m->entries[s - 1];
        if (e->hash == h && e->len == len && memcmp(m->arena + e->off, key, len) == 0)
            return i;
        i = (i + 1) & mask;
    }
}

uint32_t strmap_index(const strmap *m, const char *key, size_t len)
{
    if (!m->nslots)
        return STRMAP_NONE;
    uint32_t s = m->slots[find_slot(m, key, len, fnv1a(key, len))];
    return s ? s - 1 : STRMAP_NONE;
}

uint32_t strmap_get(const strmap *m, const char *key, size_t len)
{
    uint32_t i = strmap_index(m, key, len);
    return i == STRMAP_NONE ? STRMAP_NONE : m->entries[i].value;
}

static limes_rc grow_slots(strmap *m)
{
    size_t n = m->nslots ? m->nslots * 2 : 64;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (!slots)
        return LIMES_NOMEM;
    free(m->slots);
    m->slots = slots;
    m->nslots = n;
    for (size_t e = 0; e < m->n; e++) {
        size_t i = m->entries[e].hash & (n - 1);
        while (slots[i])
            i = (i + 1) & (n - 1);
        slots[i] = (uint32_t)e + 1;
    }
    return LIMES_OK;
}

static limes_rc reserve(void **p, size_t *cap, size_t need, size_t size)
{
    return array_grow(p, cap, need, size) ? LIMES_OK : LIMES_NOMEM;
}

limes_rc strmap_put(strmap *m, const char *key, size_t len, uint32_t value, uint32_t *index)
{
    if ((m->n + 1) * 10 >= m->nslots * 7 && grow_slots(m))
        return LIMES_NOMEM;
    uint32_t h = fnv1a(key, len);
    size_t slot = find_slot(m, key, len, h);
    if (m->slots[slot]) {
        if (index)
            *index = m->slots[slot] - 1;
        return LIMES_OK;
    }
    if (reserve((void **)&m->entries, &m->cap, m->n + 1, sizeof *m->entries) ||
        reserve((void **)&m->arena, &m->arena_cap, m->arena_len + len + 1, 1))
        return LIMES_NOMEM;
    memcpy(m->arena + m->arena_len, key, len);
    m->arena[m->arena_len + len] = '\0';
    m->entries[m->n] = (struct strmap_entry){.off = m->arena_len, .len = (uint32_t)len,
                                             .value = value, .hash = h};
    m->arena_len += len + 1;
    m->slots[slot] = (uint32_t)m->n + 1;
    if (index)
        *index = (uint32_t)m->n;
    m->n++;
    return LIMES_OK;
}

const char *strmap_key(const strmap *m, uint32_t index, size_t *len)
{
    if (len)
        *len = m->entries[index].len;
    return m->arena + m->entries[index].off;
}

size_t strmap_bytes(const strmap *m)
{
    return m->nslots * sizeof *m->slots + m->cap * sizeof *m->entries + m->arena_cap;
}
