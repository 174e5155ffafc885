/*
 * names.h - personal names for screening: normalisation, tokens, keys and
 * string similarity (internal to the library; the public face is
 * include/limes/screen.h).
 *
 * A name goes through names_normalize(): ICU NFKC + case folding, removal
 * of combining marks (accents, harakat), folding of Arabic letter variants
 * (alef forms, hamza carriers, ta marbuta, alef maqsura, tatweel, Persian
 * and Urdu forms) and of non-decomposing Latin letters, tokenisation,
 * removal of titles, and the particle rules of data/names/particles.tsv.
 * Each token then carries its cross-script consonant skeleton
 * (data/names/skeleton.tsv), so "محمد", "Mohammed" and "Muhammad" share the
 * key "mhmd", and may belong to variant groups learnt from Wikidata
 * (data/names/variants.tsv, see tools/gen-name-variants.py).  Arabic
 * letters that Latin writes in more than one way (ث as th or s, ض as d or
 * z) give a token further keys and readings (data/names/skeleton_alt.tsv:
 * names_token_keys, names_token_readings).
 *
 * Memory: nothing here allocates per call.  name_parts is a plain value the
 * caller owns (on the stack is fine).  Tables are loaded once per process
 * (names_init(), thread-safe, idempotent) and live until exit.
 */
#ifndef LIMES_NAMES_H
#define LIMES_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "limes/error.h"

#define NAMES_MAX_INPUT 1024     /* bytes of a query name (longer: LIMES_TOO_LARGE) */
#define NAMES_MAX_TOKENS 16      /* tokens kept per name */
#define NAMES_MAX_CHARS 40       /* code points kept per token */
#define NAMES_TEXT_BYTES (NAMES_MAX_CHARS * 3 + 1)
#define NAMES_SKEL_BYTES 24
#define NAMES_MAX_GROUPS 4       /* variant groups remembered per token */

typedef enum name_script { NS_NONE = 0, NS_LATIN = 1, NS_ARABIC = 2, NS_OTHER = 3 } name_script;

enum name_token_flags {
    NT_INITIAL = 1 << 0, /* a single Latin letter: "J." */
    NT_GLUED = 1 << 1,   /* built by gluing a particle to the next token */
    NT_READINGS = 1 << 2, /* letters with other readings: Arabic ث ض ..., Latin sh zh dh */
};

typedef struct name_token {
    char text[NAMES_TEXT_BYTES]; /* normalised UTF-8 */
    uint32_t cp[NAMES_MAX_CHARS];
    uint8_t ncp;
    uint8_t script;    /* name_script */
    uint8_t flags;     /* name_token_flags */
    uint8_t art;       /* code points of a leading article ("al", "ال"), 0 if none */
    char skel[NAMES_SKEL_BYTES];     /* consonant skeleton of the whole token */
    char skel_na[NAMES_SKEL_BYTES];  /* skeleton without the leading article ("" if art == 0) */
    uint32_t groups[NAMES_MAX_GROUPS]; /* learnt variant groups of the token */
    uint8_t ngroups;
} name_token;

typedef struct name_parts {
    name_token tok[NAMES_MAX_TOKENS];
    int n;
    int dropped;       /* titles and particles removed */
    unsigned scripts;  /* bit (1 << name_script) for each script seen */
    bool truncated;    /* tokens or characters beyond the limits were ignored */
} name_parts;

enum names_flags {
    NAMES_STRICT = 1 << 0, /* query input: reject over-long names instead of truncating */
};

/* Load the data tables (once; later calls return the first result). */
limes_rc names_init(limes_error *err);

/*
 * Normalise and tokenise `len` bytes of UTF-8.  Errors (field "name"):
 * LIMES_INVALID for invalid UTF-8, no letters at all, or nothing but
 * titles and particles; LIMES_TOO_LARGE for strict input over
 * NAMES_MAX_INPUT bytes.
 */
limes_rc names_normalize(const char *s, size_t len, unsigned flags, name_parts *out,
                         limes_error *err);

/* Skeleton of a code point sequence in one script into out[NAMES_SKEL_BYTES]. */
void names_skeleton(const uint32_t *cp, size_t n, name_script script, char *out);
/*
 * The Latin skeleton of cp[0..n) into cls[NAMES_SKEL_BYTES] and, place by
 * place, the first alternative class of the letter group written there
 * into alt[] (0 if none: "nazir" -> "nzr", "\0d\0"); returns the length.
 */
size_t names_skeleton_alts(const uint32_t *cp, size_t n, char *cls, char *alt);
/*
 * Has this sequence letters with other readings (skeleton_alt.tsv)?  Arabic:
 * any; Latin: a letter group also read as two letters ("sh" as s + h).
 */
bool names_has_readings(const uint32_t *cp, size_t n, name_script script);

#define NAMES_MAX_KEYS 16
/*
 * The skeleton keys of a token for the screening index: its skeleton, its
 * skeleton without the article, then those the other renderings of its
 * letters give (data/names/skeleton_alt.tsv).  An Arabic token is also
 * keyed by the other Latin readings of its ambiguous letters (وثيق: wtk,
 * wsk), a Latin token by the first reading of the ambiguous Arabic letters
 * it may write ("wasiq": wsk, wtk), so that a query looking up its
 * skeleton alone finds the other script's spellings either way.  Returns
 * the number of distinct keys written (at most max).
 */
size_t names_token_keys(const name_token *t, char (*keys)[NAMES_SKEL_BYTES], size_t max);
/*
 * The keys an Arabic token may be read as in Latin (its skeleton and every
 * other reading of its ambiguous letters); for a Latin token its skeleton,
 * its skeleton without the article, and those its digraphs give read as
 * two letters ("ishaq": sk, shk).  An Arabic token and a Latin one are one
 * skeleton when they share a reading.
 */
size_t names_token_readings(const name_token *t, char (*keys)[NAMES_SKEL_BYTES], size_t max);

/*
 * Variant groups (one per Arabic token of the learnt table) that the
 * normalised token text belongs to; returns the count, *ids borrowed from
 * the table.  A group's Latin spellings are normalised code point
 * sequences (borrowed): names_group_spelling(g, k, &n) for k below
 * names_group_nspellings(g).
 */
size_t names_groups(const char *text, size_t len, const uint32_t **ids);
size_t names_group_nspellings(uint32_t group);
const uint32_t *names_group_spelling(uint32_t group, size_t k, size_t *ncp);
size_t names_group_count(void);
/* Hash of a skeleton, and of the skeleton of spelling k of a group (precomputed). */
uint32_t names_skel_hash(const char *skel);
uint32_t names_group_spelling_skel(uint32_t group, size_t k);

/* ---- tables (tables.c), used by the normaliser ------------------------- */
/* Replacement of a code point by the fold tables: count (0 = remove), or -1 if none. */
int names_fold(uint32_t c, uint32_t out[3]);
/*
 * Skeleton class of an Arabic-script letter: 'a'..'z' or an upper-case
 * ambiguity class, 0 = dropped, -1 unknown; *alt = its other classes
 * (data/names/skeleton_alt.tsv; "" if none, never NULL).
 */
int names_skel_arabic(uint32_t c, const char **alt);
/* Skeleton class of the Latin letter group at s (ASCII); *used = letters consumed. */
int names_skel_latin(const char *s, size_t n, size_t *used, const char **alt);
/* The Latin classes an upper-case class reads as ("" for other classes). */
const char *names_skel_class_alt(int cls);
/* Is the Latin group a b (ASCII) also read as two letters ("sh": s + h)? */
bool names_skel_split(uint32_t a, uint32_t b);
enum names_particle {
    NP_NONE = 0, NP_GLUE = 1, NP_DROP = 2, NP_ARTICLE = 3, NP_SUFFIX = 4, NP_LINK = 5, NP_SECOND = 6
};
enum names_particle names_particle(const char *text);
/* Number of words (1..4) of a title starting at words[0], or 0. */
size_t names_title_len(const char *const *words, size_t n);

/* ---- string metrics over code points (jellyfish semantics) -------------- */
double names_jaro(const uint32_t *a, size_t na, const uint32_t *b, size_t nb);
double names_jaro_winkler(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                          bool long_tolerance);
/* Jaro-Winkler of two skeletons (ASCII class letters, at most NAMES_SKEL_BYTES). */
double names_skeleton_jw(const char *a, const char *b);
/* Edit distances; strings longer than 255 code points return SIZE_MAX. */
size_t names_levenshtein(const uint32_t *a, size_t na, const uint32_t *b, size_t nb);
size_t names_damerau(const uint32_t *a, size_t na, const uint32_t *b, size_t nb);
/* Decode UTF-8 into at most max code points; returns the count, or -1 if invalid. */
long names_utf8_decode(const char *s, size_t len, uint32_t *out, size_t max);

/* ---- comparing two tokens ----------------------------------------------- */
typedef enum name_match_how {
    NM_NONE = 0,
    NM_EXACT,     /* same normalised token */
    NM_VARIANT,   /* both spellings in one learnt variant group */
    NM_TRANSLIT,  /* Arabic token vs a Latin token near one of its learnt spellings */
    NM_SKELETON,  /* same consonant skeleton */
    NM_FUZZY,     /* Jaro-Winkler on the text */
    NM_INITIAL,   /* an initial against a token starting with it */
    NM_MERGED,    /* one token against two adjacent tokens joined */
} name_match_how;

const char *names_how_name(name_match_how how);

/*
 * Join two tokens of one script into one ("abu" "bakr" -> "abubakr"), with
 * the same canonical forms as the normaliser; false if they cannot be
 * joined (different scripts, initials, too long).
 */
bool names_join_tokens(const name_token *a, const name_token *b, name_token *out);

/* Similarity of two tokens in [0,1] and how it was reached. */
double names_token_sim(const name_token *a, const name_token *b, name_match_how *how);
/* Are a and b spellings in one learnt variant group (لالا and lala)? */
bool names_share_group(const name_token *a, const name_token *b);

#endif
