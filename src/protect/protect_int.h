/*
 * protect_int.h - what the files of the protect module share: the data
 * files compiled in, small JSON field readers that name the wrong field,
 * and time helpers.  Not part of the public API.
 */
#ifndef LIMES_PROTECT_INT_H
#define LIMES_PROTECT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "limes/error.h"
#include "limes/protect.h"
#include "store/store.h"

#define MS_PER_HOUR INT64_C(3600000)
#define MS_PER_DAY INT64_C(86400000)

/* Parse a compiled-in data file (indicators-child.json, rules.json, ...). */
limes_rc protect_embedded(const char *name, json_t **out, limes_error *err);

/* Read an optional (or required) string member; NULL when absent or null. */
limes_rc pj_str(const json_t *in, const char *key, bool required, size_t maxlen,
                const char **out, limes_error *err);
/* Read an optional integer member in [min, max]; *given tells whether present. */
limes_rc pj_int(const json_t *in, const char *key, int64_t min, int64_t max, bool *given,
                int64_t *out, limes_error *err);
limes_rc pj_bool(const json_t *in, const char *key, bool *given, bool *out, limes_error *err);
/* An optional array of strings, each at most maxlen bytes, at most maxn items. */
limes_rc pj_str_array(const json_t *in, const char *key, size_t maxn, size_t maxlen,
                      const json_t **out, limes_error *err);

/* True if s is in the JSON array of strings `list`. */
bool pj_array_has(const json_t *list, const char *s);
/* Each object of `array` whose member "code" is a string, as "a, b, c" into out. */
void pj_join_codes(const json_t *array, char *out, size_t n);

/*
 * Companions as declared by the officer: at most 10 objects {name?,
 * traveller_id?, check_id?, relationship: parent|legal_guardian|
 * other_adult|none, relationship_documented?, consent_documented?}.
 */
limes_rc protect_check_companions(const json_t *list, const char *field, limes_error *err);

/* Set names and versions: 1-maxlen of a-z 0-9 . - _ */
bool protect_name_ok(const char *s, size_t maxlen);
/* A {en, ar, fr} object of non-empty texts; `where` names it in the error. */
limes_rc protect_check_texts(const json_t *t, const char *where, limes_error *err);

/* "YYYY-MM" of an epoch-ms time (UTC). */
void protect_month(int64_t ms, char out[8]);
/* An RFC 3339 string for ms, or JSON null when ms is 0/negative. */
json_t *protect_time_json(int64_t ms);
/* Crossing point codes: 2-16 of A-Z 0-9 - _ (as the border module's). */
bool protect_point_code_ok(const char *s);

/* Find the step in workflow.json's "steps" by code; NULL if unknown. */
const json_t *protect_workflow_step(const json_t *workflow, const char *code);
/* Steps allowed from `state` for `subject_kind`, as a new JSON array of codes. */
json_t *protect_allowed_steps(const json_t *workflow, const char *state,
                              const char *subject_kind);

/* What a first-line check tells about protection (checks.c). */
struct protect_check {
    char officer[64], bcp[17];
    int64_t traveller_id;
    bool minor, age_known, adult_companion, protect_hit;
    int64_t companions[10]; /* traveller ids of the adult companions */
    size_t ncompanions;
    char document_hit[80];  /* "listed on NATIONAL-SLTD", "" if none */
    json_t *subject;        /* who was checked: {name, date_of_birth, nationality, sex,
                               age_doubtful, document, companions}; owned, json_decref() */
};

/* Read check `check_id`; LIMES_UNPROCESSABLE (field check_id) if there is none. */
limes_rc protect_check_read(limes_store *s, int64_t check_id, struct protect_check *pc,
                            limes_error *err);

#endif
