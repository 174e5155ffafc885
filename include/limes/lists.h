/*
 * limes/lists.h - watchlists: importing the UN, OFAC and national lists,
 * keeping them in the store, and handing them to the screening engine.
 *
 * Importers turn source files (or buffers) into a limes_watch_set without
 * touching a store, so tests, fuzzers and benchmarks can use them alone.
 * limes_lists_import() parses every file first and then replaces the named
 * list in one transaction: a failed import leaves the previous version in
 * force.  limes_lists_load() returns every entry of every list for the
 * engine's index; limes_lists_generation() changes on every import or
 * removal so the engine knows when to rebuild.
 *
 * Formats: "un" (UN Security Council consolidated list XML), "ofac" (the
 * SDN legacy CSV set sdn.csv, alt.csv, add.csv), "csv" (national persons)
 * and "csv-documents" (stolen, lost, revoked and blank documents); the CSV
 * formats are described in docs/lists-csv.md.
 *
 * Memory: every limes_watch_set handed out belongs to the caller, who frees
 * it with limes_watch_set_free().  JSON results are new references the
 * caller must json_decref().  Strings passed in are borrowed for the call.
 * A limes_import_report is a plain value the caller owns; the importers
 * add their counts to it (zero it first), limes_lists_import() zeroes it.
 */
#ifndef LIMES_LISTS_H
#define LIMES_LISTS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "limes/error.h"
#include "limes/store.h"
#include "limes/watchlist.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Progress of a long import: `phase` is "parse" or "store"; done/total in
 * bytes (parse) or entries (store); total may be 0 when unknown.
 */
typedef void (*limes_import_progress_fn)(void *ud, const char *phase, uint64_t done,
                                         uint64_t total);

#define LIMES_IMPORT_MAX_REASONS 8

/* Counts from one import; skipped rows are grouped by reason. */
typedef struct limes_import_report {
    int64_t persons;   /* person entries produced */
    int64_t documents; /* document entries produced (stolen/lost lists) */
    int64_t names;     /* names over all persons, primary and aliases */
    int64_t dobs;      /* dates of birth over all persons */
    int64_t skipped;   /* source records not imported, all reasons */
    struct {
        char reason[96]; /* e.g. "entity (organisation), not a person" */
        int64_t count;
    } skips[LIMES_IMPORT_MAX_REASONS];
    size_t nskips;
    int64_t generation; /* limes_lists_generation() after a stored import, else 0 */
} limes_import_report;

/* Options for the importers; a zeroed struct is valid. */
typedef struct limes_import_options {
    const char *list;   /* list name written into entries; NULL = "" */
    const char *action; /* action for entries that carry none; NULL = format default
                           ("refuse_entry" for un, ofac and csv; "seize_document"
                           for csv-documents) */
    limes_import_progress_fn progress; /* may be NULL */
    void *progress_ud;
} limes_import_options;

/* ---- importers without a store; *out is the caller's on LIMES_OK ---- */

/* UN consolidated list XML from memory (data need not be NUL-terminated). */
limes_rc limes_import_un_xml(const char *data, size_t len, const limes_import_options *opt,
                             limes_watch_set **out, limes_import_report *report,
                             limes_error *err);
limes_rc limes_import_un_xml_file(const char *path, const limes_import_options *opt,
                                  limes_watch_set **out, limes_import_report *report,
                                  limes_error *err);

/* OFAC SDN legacy CSV set; alt and add may be NULL (len 0). */
limes_rc limes_import_ofac(const char *sdn, size_t sdn_len, const char *alt, size_t alt_len,
                           const char *add, size_t add_len, const limes_import_options *opt,
                           limes_watch_set **out, limes_import_report *report,
                           limes_error *err);
/* Same from files; alt_path and add_path may be NULL. */
limes_rc limes_import_ofac_files(const char *sdn_path, const char *alt_path,
                                 const char *add_path, const limes_import_options *opt,
                                 limes_watch_set **out, limes_import_report *report,
                                 limes_error *err);

/* National CSV lists (docs/lists-csv.md). */
limes_rc limes_import_csv_persons(const char *data, size_t len, const limes_import_options *opt,
                                  limes_watch_set **out, limes_import_report *report,
                                  limes_error *err);
limes_rc limes_import_csv_documents(const char *data, size_t len,
                                    const limes_import_options *opt, limes_watch_set **out,
                                    limes_import_report *report, limes_error *err);

/*
 * Any format from files.  For "ofac" the files are told apart by their base
 * names (sdn.csv, alt.csv, add.csv; case-insensitive), else taken in that
 * order; the other formats take one or more files whose entries are joined.
 */
limes_rc limes_import_files(const char *format, const char *const *paths, size_t npaths,
                            const limes_import_options *opt, limes_watch_set **out,
                            limes_import_report *report, limes_error *err);

/* ---- lists in the store ---- */

/*
 * Import `paths` in `format` as list `list` (name: letters, digits, '-',
 * '_', '.', at most 64), replacing any previous version atomically.
 */
limes_rc limes_lists_import(limes_store *s, const char *list, const char *format,
                            const char *const *paths, size_t npaths,
                            limes_import_progress_fn progress, void *ud,
                            limes_import_report *report, limes_error *err);
/* The same with every option (default action, progress). opt->list is ignored. */
limes_rc limes_lists_import_opts(limes_store *s, const char *list, const char *format,
                                 const char *const *paths, size_t npaths,
                                 const limes_import_options *opt, limes_import_report *report,
                                 limes_error *err);
/*
 * Import one file held in memory (an upload) as list `list`.  For "ofac"
 * the buffer is sdn.csv alone (no aliases or addresses: use the files
 * form for the whole set).  `source` names it in the summary (may be NULL).
 */
limes_rc limes_lists_import_buffer(limes_store *s, const char *list, const char *format,
                                   const char *data, size_t len, const char *source,
                                   const limes_import_options *opt, limes_import_report *report,
                                   limes_error *err);
/*
 * Store an already parsed set as list `list` (replacing it atomically).
 * `sources` names the source files for the summary (may be NULL).  The
 * set is not consumed.
 */
limes_rc limes_lists_replace(limes_store *s, const char *list, const char *format,
                             const limes_watch_set *set, const char *const *sources,
                             size_t nsources, const limes_import_options *opt,
                             limes_error *err);

/*
 * Every entry of every list, in import order (ids set, list names filled),
 * read in one transaction.  Entry ids change when a list is re-imported;
 * the stable identity of an entry is (list, ref) and `version` changes when
 * its content does.  About 800 bytes per entry: build an index and free the
 * set rather than keep both.  Caller frees *out.
 */
limes_rc limes_lists_load(limes_store *s, limes_watch_set **out, limes_error *err);

/* Changes on every import, replacement or removal; 0 before the first. */
int64_t limes_lists_generation(limes_store *s);
/* How many list changes this process has committed, to any store: a cache
   of limes_lists_generation() re-reads it when this moves (changes made by
   other processes it must re-read on its own schedule). */
uint64_t limes_lists_local_changes(void);

/*
 * JSON array, one object per list: {name, kind ("persons"|"documents"|
 * "mixed"), format, entries, persons, documents, imported_ms, sources[],
 * generation, default_action}.
 */
limes_rc limes_lists_summary(limes_store *s, json_t **out, limes_error *err);

/* Remove a list and its entries; LIMES_NOT_FOUND if there is none. */
limes_rc limes_lists_remove(limes_store *s, const char *list, limes_error *err);

/*
 * Load the demo lists from data_dir (data/lists/): "UN" from the shipped UN
 * XML, "NATIONAL-PERSONS" and "NATIONAL-SLTD" from the synthetic CSVs.  Does
 * nothing when any list exists already.  *loaded (may be NULL) = lists
 * imported.
 */
limes_rc limes_lists_load_demo(limes_store *s, const char *data_dir, int *loaded,
                               limes_error *err);

/* Append one skip reason to a report (counts merge by reason). */
void limes_import_report_skip(limes_import_report *r, const char *reason, int64_t count);

#ifdef __cplusplus
}
#endif
#endif
