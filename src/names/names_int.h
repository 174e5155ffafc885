/*
 * names_int.h - pieces shared by the files of src/names only: the raw
 * tokens the ICU stage produces before particle and title rules, and the
 * entry points the table loader uses while names_init() is still running.
 * Memory: plain values, owned by the caller.
 */
#ifndef LIMES_NAMES_INT_H
#define LIMES_NAMES_INT_H

#include "names.h"

#define RAW_MAX_TOKENS 64

struct raw_token {
    uint32_t cp[NAMES_MAX_CHARS];
    uint8_t ncp;
    uint8_t script;
};

struct raw_tokens {
    struct raw_token tok[RAW_MAX_TOKENS];
    size_t n;
    bool truncated;
};

limes_rc names_raw_tokens(const char *s, size_t len, unsigned flags, struct raw_tokens *rt,
                          limes_error *err);
void names_raw_text(const struct raw_token *t, char *out, size_t cap);
limes_rc names_apply_rules(const struct raw_tokens *rt, name_parts *out, limes_error *err);
/* names_normalize() without names_init(): for the loader of the tables. */
limes_rc names_normalize_raw(const char *s, size_t len, unsigned flags, name_parts *out,
                             limes_error *err);
void names_finish_token(name_token *t);
/* 3 if the token is an "abd"/"عبد" compound (keyed as "abd" + the name), else 0. */
size_t names_abd_prefix(const name_token *t);

#endif
