/*
 * strmap.h - an open-addressing hash map from byte strings to uint32 values,
 * with the keys copied into one growing arena.  Used for the name tables
 * and the screening index's vocabulary, where millions of short keys must
 * cost little memory and no per-key allocation.
 *
 * Memory: the map owns its slots and key arena; strmap_free() releases
 * them.  Pointers returned by strmap_key() stay valid until the next put.
 */
#ifndef LIMES_NAMES_STRMAP_H
#define LIMES_NAMES_STRMAP_H

#include <stddef.h>
#include <stdint.h>

#include "limes/error.h"

#define STRMAP_NONE UINT32_MAX

typedef struct strmap {
    uint32_t *slots;   /* index into entries + 1, 0 = empty */
    size_t nslots;     /* power of two */
    struct strmap_entry {
        uint64_t off;  /* key offset in arena */
        uint32_t len;
        uint32_t value;
        uint32_t hash;
    } *entries;
    size_t n, cap;
    char *arena;
    size_t arena_len, arena_cap;
} strmap;

void strmap_init(strmap *m);
void strmap_free(strmap *m);
/* The value stored for the key, or STRMAP_NONE. */
uint32_t strmap_get(const strmap *m, const char *key, size_t len);
/*
 * Insert the key with `value` unless present; *index receives the entry's
 * index (dense, 0..n-1, in insertion order).  Returns LIMES_NOMEM on
 * allocation failure.
 */
limes_rc strmap_put(strmap *m, const char *key, size_t len, uint32_t value, uint32_t *index);
/* Entry index of a key, or STRMAP_NONE. */
uint32_t strmap_index(const strmap *m, const char *key, size_t len);
const char *strmap_key(const strmap *m, uint32_t index, size_t *len);
/* Bytes held by the map (for memory reports). */
size_t strmap_bytes(const strmap *m);

#endif
