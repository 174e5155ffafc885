/*
 * screen_int.h - the screening engine's in-memory index, shared by the
 * files of src/screen (internal).
 *
 * Two levels: a vocabulary of distinct normalised name tokens (small even
 * for millions of entries), reached from a query token by exact text,
 * learnt variant group, consonant skeleton and character trigrams; and
 * postings from each vocabulary token to the entry names that use it.  A
 * query therefore compares its tokens with a few hundred vocabulary tokens,
 * never with the whole list, then scores only the names its best tokens
 * lead to.  Strings live in one arena addressed by 32-bit offsets, so an
 * entry costs a few dozen bytes beyond its text.
 *
 * Memory: the engine owns everything reachable from it; query scratch
 * buffers are pooled in the engine and freed with it.
 */
#ifndef LIMES_SCREEN_INT_H
#define LIMES_SCREEN_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "limes/screen.h"
#include "names/names.h"
#include "names/strmap.h"

#define SCREEN_NONE UINT32_MAX
#define TRI_BUCKETS (1u << 18)

/* The compact part of a vocabulary token, for the loops that only filter
 * (the whole token is vtoks[v]). */
struct vtok {
    uint32_t skel;     /* skeleton id or SCREEN_NONE */
    uint32_t skel_na;  /* skeleton id without article or SCREEN_NONE */
    uint8_t ncp, script, flags;
};

struct sname {
    uint32_t person;
    uint32_t tok_off; /* into name_toks */
    uint32_t full;    /* arena offset of the name as written */
    uint8_t ntok;
    uint8_t quality;
};

struct sperson {
    int64_t id;
    uint32_t list, ref, action, version; /* list: index into lists; others arena offsets */
    uint32_t dob_off, nat_off;
    uint8_t ndobs, nnat;
    char gender;
};

struct sdoc {             /* a stolen/lost/revoked/blank document entry */
    int64_t id;
    uint32_t list, ref, number, type, status, action, version;
    char issuer[4];
};

struct pdoc {             /* a document of a listed person */
    uint32_t person;
    uint32_t number;
    char issuer[4];
};

/* CSR: ids[off[k] .. off[k+1]) belong to key k */
struct csr {
    uint32_t *off;
    uint32_t *ids;
    size_t nkeys, nids;
};

/* Pairs of common vocabulary tokens -> names holding both (pairs.c). */
#define PAIR_COMMON_FROM 4  /* postings from which a token is common */
#define PAIR_COMMON_MAX 65535 /* a pair key a * ncommon + b stays below 2^32 */

struct pair_index {
    uint32_t *common;           /* per vocab: common id or SCREEN_NONE */
    uint32_t ncommon, npairs;
    struct pair_slot {
        uint32_t key, id;       /* key + 1 (0 = empty) -> pair id; open addressing */
    } *slots;
    uint32_t nslots;
    struct csr post;            /* pair id -> names, sorted */
    /* per common id a: the common ids it pairs with, partner[part_off[a] ..
       part_off[a + 1]), and those pairs' ids, part_pair[...] (same places) */
    uint32_t *part_off, *part_pair;
    uint16_t *partner;
};

bool screen_pairs_build(limes_screen_engine *e);
void screen_pairs_free(struct pair_index *p);
size_t screen_pairs_bytes(const struct pair_index *p, size_t nvocab);
/* The pair id of common ids a and b (either order), or SCREEN_NONE. */
uint32_t screen_pair_find(const struct pair_index *p, uint32_t a, uint32_t b);
/*
 * The pair ids of common id a with each of b[0..nb) that has one, into ids
 * (at most nb); returns how many.  bset holds the bits of b[0..nb) (bit b
 * of bset[b / 64]): a's partners are scanned against it when that is
 * cheaper than one table look-up per b.
 */
size_t screen_pairs_of(const struct pair_index *p, uint32_t a, const uint32_t *b, size_t nb,
                       const uint64_t *bset, uint32_t *ids);

/* Query tokens' spellings in reach, remembered (spellcache.c). */
struct spelling {
    uint32_t v;   /* vocabulary token */
    float sim;    /* similarity to the query token, >= TOK_MIN */
    uint8_t how;  /* name_match_how */
};
struct spellcache;
#define SPELLCACHE_DEFAULT_TOKENS 65536

struct spellcache *screen_spellcache_new(size_t tokens);
void screen_spellcache_free(struct spellcache *c);
/* Copy a remembered token's spellings into out (at most cap); SIZE_MAX when not remembered. */
size_t screen_spellcache_get(struct spellcache *c, const char *key, size_t len,
                             struct spelling *out, size_t cap);
void screen_spellcache_put(struct spellcache *c, const char *key, size_t len,
                           const struct spelling *hits, size_t n);
void screen_spellcache_counts(const struct spellcache *c, size_t *lookups, size_t *found);

struct scratch;

struct limes_screen_engine {
    /* strings */
    char *arena;
    size_t arena_len, arena_cap;
    /* lists and thresholds */
    strmap lists;
    double *thresholds; /* per list index */
    double default_threshold;
    /* persons and names */
    struct sperson *persons;
    size_t npersons, cap_persons;
    struct sname *names;
    size_t nnames, cap_names;
    uint32_t *name_toks;
    size_t nname_toks, cap_name_toks;
    limes_watch_dob *dobs;
    size_t ndobs, cap_dobs;
    char (*nats)[4];
    size_t nnats, cap_nats;
    /* vocabulary */
    strmap vocab;
    struct vtok *vt;
    size_t cap_vt;
    name_token *vtoks; /* per vocab: the whole token, compared in place (not copied per query) */
    size_t cap_vtoks;
    uint64_t *initial_bits; /* per vocab, bit v: the token is an initial (small: stays cached) */
    strmap skels;
    struct csr postings;  /* vocab -> names */
    struct csr by_skel;   /* skeleton -> vocab */
    struct csr by_group;  /* variant group -> vocab */
    struct csr by_tri;    /* trigram bucket -> vocab */
    struct pair_index pairs;
    struct spellcache *spellings; /* NULL = not remembered */
    /* documents */
    struct sdoc *docs;
    size_t ndocs, cap_docs;
    struct pdoc *pdocs;
    size_t npdocs, cap_pdocs;
    strmap doc_keys, doc_alike; /* normalised number / look-alike key -> key id */
    struct csr doc_exact, doc_near; /* key id -> refs (bit 31 set = person doc) */
    /* query scratch pool */
    pthread_mutex_t pool_lock;
    struct scratch *pool;
    double build_ms;
};

/* arena helpers (index.c) */
const char *eng_str(const limes_screen_engine *e, uint32_t off);

/* Vocabulary token v as a full name_token (built with the index, owned by it). */
static inline const name_token *eng_vtok(const limes_screen_engine *e, uint32_t v)
{
    return &e->vtoks[v];
}

static inline bool eng_vtok_is_initial(const limes_screen_engine *e, uint32_t v)
{
    return e->initial_bits[v >> 6] >> (v & 63) & 1;
}

/* ---- alignment (align.c) ---- */
#define TOK_MIN 0.78

#define MAX_MERGES 48

/* Two adjacent tokens on one side joined and compared with one token of the other. */
struct merge {
    int8_t q0, q1, e0, e1; /* q1 or e1 is -1 (the side that is not joined) */
    float sim;
};

struct align_in {
    int nq, ne;
    float sim[NAMES_MAX_TOKENS][NAMES_MAX_TOKENS];
    uint8_t how[NAMES_MAX_TOKENS][NAMES_MAX_TOKENS];
    float qw[NAMES_MAX_TOKENS];
    struct merge merges[MAX_MERGES];
    int nmerges;
};

struct align_out {
    double score;
    int8_t q_to_e[NAMES_MAX_TOKENS];  /* -1 = unmatched */
    int8_t q_to_e2[NAMES_MAX_TOKENS]; /* second entry token of a merge, else -1 */
    int8_t q_partner[NAMES_MAX_TOKENS]; /* other query token of a merge, else -1 */
    int8_t e_to_q[NAMES_MAX_TOKENS];
    float q_sim[NAMES_MAX_TOKENS];
    uint8_t q_how[NAMES_MAX_TOKENS];
};

void screen_align(const struct align_in *in, struct align_out *out);
/*
 * Add to `in` the merges worth trying: adjacent query tokens joined
 * (qjoin[i] = q[i]+q[i+1], qjoin_ok[i]) against each entry token, and
 * adjacent entry tokens joined against each query token.
 */
void screen_add_merges(const name_token *q, int nq, const name_token *qjoin,
                       const bool *qjoin_ok, const name_token *const *e, int ne,
                       struct align_in *in);

/* ---- evidence (evidence.c) ---- */
struct qdob {
    int year, month, day; /* year 0 = unknown */
};

limes_rc screen_parse_dob(const char *s, struct qdob *out, limes_error *err);
limes_rc screen_parse_country(const char *s, const char *field, char out[4], limes_error *err);
void screen_dob_evidence(const struct qdob *q, const limes_watch_dob *d, size_t n,
                         limes_screen_evidence *ev);
void screen_nationality_evidence(const char *q, const char (*nats)[4], size_t n,
                                 limes_screen_evidence *ev);
void screen_gender_evidence(char q, char entry, limes_screen_evidence *ev);
/* Document number: ASCII letters and digits, upper case; false if nothing left. */
bool screen_doc_normalize(const char *s, char *out, size_t cap);
/* Look-alike key: O,Q,D->0  I,L->1  Z->2  S->5  G->6  B->8 applied to a normalised number. */
void screen_doc_alike(const char *norm, char *out, size_t cap);

#endif
