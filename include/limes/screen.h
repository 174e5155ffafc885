/*
 * limes/screen.h - screening travellers against watch lists: is this
 * person, or this document, on a list?
 *
 * Names are matched across Latin and Arabic script, in any token order,
 * with missing middle names, initials, glued or split particles and typos;
 * date of birth, nationality and gender count as evidence for and against.
 * Documents (stolen, lost, revoked, blank) match exactly after
 * normalisation; numbers that differ only in look-alike characters (O/0,
 * I/1, ...) are reported as a clearly labelled near match.  Every hit
 * carries a score in [0,1], the list, the entry and its source reference,
 * the action, and an explanation of how each part counted.  Every hit goes
 * to a person: thresholds only rank and filter.
 *
 * Two ways in:
 *  - limes_screen(store, ...): the engine for the store's current lists,
 *    built on first use and rebuilt when limes_lists_generation() changes
 *    (queries keep using the previous index while a rebuild runs); applies
 *    per-list thresholds and reviewed false-positive marks from the store.
 *  - limes_screen_engine_*: an engine over a limes_watch_set in memory,
 *    for tests, benchmarks and tools.
 *
 * Memory: a limes_screen_result is a value the caller owns; its hits and
 * their strings are freed by limes_screen_result_free().  Engines are
 * freed with limes_screen_engine_free() and may be queried from many
 * threads at once.  JSON returned is a new reference (json_decref()).
 * Strings passed in are borrowed for the call.
 */
#ifndef LIMES_SCREEN_H
#define LIMES_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "limes/error.h"
#include "limes/store.h"
#include "limes/watchlist.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LIMES_SCREEN_DEFAULT_THRESHOLD 0.86
#define LIMES_SCREEN_MAX_LIMIT 100
#define LIMES_SCREEN_MAX_MATCHES 16

/* One traveller to screen.  A zeroed struct plus a name or a document is valid. */
typedef struct limes_screen_query {
    const char *name;         /* any script; NULL when screening a document only */
    const char *dob;          /* "YYYY", "YYYY-MM" or "YYYY-MM-DD"; NULL if unknown */
    const char *nationality;  /* ISO alpha-3 (alpha-2 accepted); NULL if unknown */
    char gender;              /* 'M', 'F' or 0 */
    const char *document;     /* travel document number; NULL if none */
    const char *issuer;       /* issuing state of the document, alpha-3; NULL if unknown */
    const char *identity_key; /* traveller identity for false-positive marks; NULL =
                                 derived from name, date of birth and nationality */
    const char *list;         /* screen against this list only; NULL = all lists */
    double min_score;         /* report hits from this score; 0 = each list's threshold */
    int limit;                /* at most this many hits; 0 = 10, max LIMES_SCREEN_MAX_LIMIT */
} limes_screen_query;

/* How one query token met one entry token. */
typedef struct limes_screen_match {
    char query[128]; /* normalised query token(s) ("" = none: an entry token left over) */
    char entry[128]; /* normalised entry token(s) ("" = none: a query token left over) */
    const char *how; /* "exact", "variant", "transliteration", "skeleton", "fuzzy",
                        "initial", "merged", "missing" (static string) */
    double score;    /* token similarity in [0,1] (Jaro-Winkler for "fuzzy") */
} limes_screen_match;

/* How a piece of supporting evidence counted: delta added to the name score. */
typedef struct limes_screen_evidence {
    double delta;     /* 0 when not compared */
    char note[160];   /* e.g. "exact date of birth", "one year apart (1971 vs 1972)" */
} limes_screen_evidence;

typedef struct limes_screen_hit {
    double score;        /* final score in [0,1] */
    double name_score;   /* name alignment alone */
    double threshold;    /* the list's alert threshold */
    bool alert;          /* score >= threshold and not suppressed */
    bool suppressed;     /* a reviewed false positive for this traveller and entry version */
    const char *kind;    /* "person", "document", "document-near" (static) */
    int64_t entry_id;    /* store id (0 for engines over an unstored set) */
    char *list, *ref, *action, *version;
    char *matched_name;  /* the entry's name (or document number) that matched */
    limes_screen_match matches[LIMES_SCREEN_MAX_MATCHES];
    int nmatches;
    limes_screen_evidence dob, nationality, gender, document;
    char *suppression;   /* reviewer and reason of the mark, NULL if not suppressed */
} limes_screen_hit;

typedef struct limes_screen_result {
    limes_screen_hit *hits; /* best first */
    size_t nhits;
    size_t candidates;      /* entry names scored */
    int64_t generation;     /* lists generation screened against (0 for in-memory engines) */
    char identity_key[65];  /* the traveller identity used for false-positive marks */
    char query_tokens[256]; /* the normalised query name, for the explanation */
} limes_screen_result;

void limes_screen_result_free(limes_screen_result *r);
/* {identity_key, generation, candidates, query_tokens, hits: [...]} */
json_t *limes_screen_result_json(const limes_screen_result *r);

/* ---- in-memory engine ---------------------------------------------------- */
typedef struct limes_screen_engine limes_screen_engine;

typedef struct limes_screen_threshold {
    const char *list;
    double threshold;
} limes_screen_threshold;

typedef struct limes_screen_config {
    double default_threshold;                 /* 0 = LIMES_SCREEN_DEFAULT_THRESHOLD */
    const limes_screen_threshold *thresholds; /* per-list overrides */
    size_t nthresholds;
    /* Query tokens whose spellings in the index are remembered between
       queries (they repeat: "mohamed", "ali"): 0 = 65,536, -1 = none. */
    int spelling_cache;
} limes_screen_config;

/* Build an index over set (copied: set may be freed afterwards); cfg may be NULL. */
limes_rc limes_screen_engine_build(const limes_watch_set *set, const limes_screen_config *cfg,
                                   limes_screen_engine **out, limes_error *err);
limes_rc limes_screen_engine_query(const limes_screen_engine *e, const limes_screen_query *q,
                                   limes_screen_result *out, limes_error *err);
void limes_screen_engine_free(limes_screen_engine *e);

typedef struct limes_screen_stats {
    size_t persons, documents, names, vocabulary;
    size_t memory_bytes; /* bytes held by the index */
    double build_ms;
    size_t spelling_lookups, spellings_remembered; /* query tokens looked up, found remembered */
} limes_screen_stats;
void limes_screen_engine_stats(const limes_screen_engine *e, limes_screen_stats *out);

/* ---- against the store's lists ----------------------------------------------- */
limes_rc limes_screen(limes_store *s, const limes_screen_query *q, limes_screen_result *out,
                      limes_error *err);
/* The statistics of the store's cached engine; false (out zeroed) when none is built yet. */
bool limes_screen_store_stats(limes_store *s, limes_screen_stats *out);
/* Drop the cached engine of a store (call before closing a store that screened). */
void limes_screen_forget(limes_store *s);

/* Per-list alert thresholds kept in the store; threshold in (0,1]. */
limes_rc limes_screen_set_threshold(limes_store *s, const char *list, double threshold,
                                    limes_error *err);
/* JSON array [{list, threshold}] of the stored overrides. */
limes_rc limes_screen_thresholds(limes_store *s, json_t **out, limes_error *err);

/*
 * Mark a reviewed false positive: this traveller identity against this entry
 * (at its current version) stops alerting.  reviewer and reason are
 * required and kept (and audited by the caller).  *mark_id receives the id.
 * LIMES_NOT_FOUND if the entry is not in the current lists.
 */
limes_rc limes_screen_mark_false_positive(limes_store *s, const char *identity_key,
                                          int64_t entry_id, const char *reviewer,
                                          const char *reason, int64_t *mark_id,
                                          limes_error *err);

/* ---- comparing two names (tuning and tests) -------------------------------- */
/*
 * Score of name b as an entry for query name a, in [0,1], with the same
 * alignment the engine uses; *explain (may be NULL) receives
 * {score, query_tokens, entry_tokens, matches: [{query, entry, how, score}]}.
 */
limes_rc limes_names_score(const char *a, const char *b, double *score, json_t **explain,
                           limes_error *err);

#ifdef __cplusplus
}
#endif
#endif
