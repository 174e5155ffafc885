/*
 * lists_int.h - pieces shared by the list importers and the list storage:
 * growing a watch set entry by entry, country names to alpha-3 codes,
 * script detection, UTF-8 checks, a small RFC 4180 CSV reader, and the
 * compact JSON form in which entries are stored.
 *
 * Memory: set_* helpers copy every string they are given into the entry
 * (malloc'd), so callers may pass borrowed text.  csv_reader fields live
 * until the next csv_next() call.  entry_*_json() hands out a malloc'd
 * string the caller frees.
 */
#ifndef LIMES_LISTS_INT_H
#define LIMES_LISTS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/buf.h"
#include "limes/lists.h"

/* ---- building a set (watchset.c) ----
 * Sets built with set_add_*() keep a power-of-two capacity; a set from
 * limes_lists_load() is sized exactly and must not be grown with them. */
limes_watch_set *set_new(void);
/* A new zeroed person / document at the end of the set; NULL if out of memory. */
limes_watch_person *set_add_person(limes_watch_set *set);
limes_watch_document *set_add_document(limes_watch_set *set);
/* Drop the last person (after a row turned out to be unusable). */
void set_drop_last_person(limes_watch_set *set);
/* Move every entry of `from` to the end of `to`; `from` is left empty. */
limes_rc set_append(limes_watch_set *to, limes_watch_set *from);

/* strdup that accepts NULL; text is trimmed of surrounding white space when trim. */
char *lists_strdup(const char *s, bool trim);
/* Copy [s, s+len) into a new NUL-terminated string, trimmed. */
char *lists_strndup_trim(const char *s, size_t len);

limes_rc person_add_name(limes_watch_person *p, const char *full, const char *given,
                         const char *family, limes_name_quality q);
limes_rc person_add_dob(limes_watch_person *p, int year, int month, int day, int year_to);
/* Adds an alpha-3 code once (duplicates ignored); "" ignored. */
limes_rc person_add_nationality(limes_watch_person *p, const char *alpha3);
limes_rc person_add_doc(limes_watch_person *p, const char *number, const char *issuer,
                        const char *type);
/* Append text to place_of_birth, "; "-separated. */
limes_rc person_add_pob(limes_watch_person *p, const char *pob);

/* Set list, default action and version hash on every entry; counts into report. */
limes_rc set_finish(limes_watch_set *set, const limes_import_options *opt,
                    const char *default_action, limes_import_report *report, limes_error *err);

/* ---- text (text.c) ---- */
/* Valid UTF-8 without NUL; on failure *bad = byte offset of the first bad byte. */
bool utf8_valid(const char *s, size_t len, size_t *bad);
/* Bytes of s to print so that at most max bytes are shown and no UTF-8 sequence is cut
 * (for "%.*s" in messages). */
int utf8_prefix(const char *s, size_t max);
/* ISO 15924 code of the dominant script of the letters in s ("" if none). */
void script_detect(const char *s, char out[8]);
/* Country name to alpha-3 ("" if unknown); codes are not accepted ("na" is not Namibia). */
void country_alpha3(const char *name, char out[4]);
/* Alpha-3 or alpha-2 code (any case), or else a country name, to alpha-3. */
void country_code_alpha3(const char *name, char out[4]);
/* Action names: lower-case letters and '_', 1..32 characters. */
bool action_valid(const char *a);
/* Parse "YYYY", "YYYY-MM", "YYYY-MM-DD"; false if malformed or not a real date. */
bool dob_parse_iso(const char *s, limes_watch_dob *out);
/* Read a whole file (at most max bytes) into a malloc'd buffer. */
limes_rc read_file_all(const char *path, size_t max, char **data, size_t *len,
                       limes_error *err);
#define LISTS_MAX_FILE ((size_t)2 << 30)

/* ---- CSV (csv.c) ---- */
typedef struct csv_reader {
    const char *data, *end, *pos;
    size_t line;         /* line number of the current record (1-based) */
    char **fields;       /* the current record's fields, NUL-terminated */
    size_t nfields, cap;
    buf scratch;
} csv_reader;

void csv_open(csv_reader *r, const char *data, size_t len);
/* 1 = a record is ready, 0 = end of data, -1 = malformed (err names the line). */
int csv_next(csv_reader *r, limes_error *err);
void csv_close(csv_reader *r);

/* ---- stored form (entry_json.c) ---- */
char *entry_person_json(const limes_watch_person *p);
char *entry_document_json(const limes_watch_document *d);
/* Fill p / d (zeroed by the caller) from their stored JSON; false if malformed. */
bool entry_person_from_json(const char *json, limes_watch_person *p);
bool entry_document_from_json(const char *json, limes_watch_document *d);

/* ---- progress ---- */
void progress_report(const limes_import_options *opt, const char *phase, uint64_t done,
                     uint64_t total);

#endif
