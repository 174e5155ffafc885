/*
 * storage.c - lists in the store: importing files as a named list
 * (parse everything first, then replace the list's entries in one
 * transaction, so a failed import leaves the previous version in force),
 * loading every entry for the screening engine, the generation counter,
 * the per-list summary, removal and the demo lists.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/date.h"
#include "core/rand.h"
#include "lists_int.h"
#include "store/store.h"

static bool list_name_valid(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

static limes_rc check_list_name(const char *name, limes_error *err)
{
    if (!list_name_valid(name))
        return limes_fail(err, LIMES_INVALID, "list",
                          "list name must be 1 to 64 letters, digits, '-', '_' or '.'");
    return LIMES_OK;
}

static bool format_known(const char *f)
{
    return f && (strcmp(f, "un") == 0 || strcmp(f, "ofac") == 0 || strcmp(f, "csv") == 0 ||
                 strcmp(f, "csv-documents") == 0);
}

/* ---- importing files without a store ---- */

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static limes_rc import_ofac_paths(const char *const *paths, size_t npaths,
                                  const limes_import_options *opt, limes_watch_set **out,
                                  limes_import_report *report, limes_error *err)
{
    static const char *const names[3] = {"sdn.csv", "alt.csv", "add.csv"};
    const char *by_role[3] = {NULL, NULL, NULL};
    bool named = false;
    if (npaths > 3)
        return limes_fail(err, LIMES_INVALID, "paths", "ofac takes sdn.csv, alt.csv and add.csv");
    for (size_t i = 0; i < npaths; i++)
        for (int k = 0; k < 3; k++)
            if (strcasecmp(base_name(paths[i]), names[k]) == 0) {
                by_role[k] = paths[i];
                named = true;
            }
    if (!named)
        for (size_t i = 0; i < npaths; i++)
            by_role[i] = paths[i];
    if (!by_role[0])
        return limes_fail(err, LIMES_INVALID, "paths", "ofac needs sdn.csv");
    return limes_import_ofac_files(by_role[0], by_role[1], by_role[2], opt, out, report, err);
}

static limes_rc import_one(const char *format, const char *path, const limes_import_options *opt,
                           limes_watch_set **out, limes_import_report *report, limes_error *err)
{
    if (strcmp(format, "un") == 0)
        return limes_import_un_xml_file(path, opt, out, report, err);
    char *data;
    size_t len;
    limes_rc rc = read_file_all(path, LISTS_MAX_FILE, &data, &len, err);
    if (rc)
        return rc;
    if (strcmp(format, "csv") == 0)
        rc = limes_import_csv_persons(data, len, opt, out, report, err);
    else
        rc = limes_import_csv_documents(data, len, opt, out, report, err);
    free(data);
    if (rc && err && !strstr(err->message, base_name(path))) {
        char msg[600];
        int n = snprintf(msg, sizeof msg, "%s: %s", base_name(path), err->message);
        size_t k = n < 0 ? 0 : (size_t)n < sizeof err->message ? (size_t)n : sizeof err->message - 1;
        memcpy(err->message, msg, k);
        err->message[k] = '\0';
    }
    return rc;
}

/* A ref (document: ref and issuer) may appear in only one of several files. */
static limes_rc refs_unique_across_files(const limes_watch_set *one, const char *path,
                                         json_t *seen, limes_error *err)
{
    char key[300];
    for (size_t i = 0; i < one->npersons + one->ndocuments; i++) {
        bool person = i < one->npersons;
        const char *ref = person ? one->persons[i].ref : one->documents[i - one->npersons].ref;
        const char *issuer = person ? "" : one->documents[i - one->npersons].issuer;
        snprintf(key, sizeof key, "%c/%s/%s", person ? 'p' : 'd', issuer, ref ? ref : "");
        const char *first = json_string_value(json_object_get(seen, key));
        if (first)
            return limes_fail(err, LIMES_INVALID, "paths", "ref '%.*s' is in both %s and %s",
                              utf8_prefix(ref ? ref : "", 60), ref ? ref : "", first,
                              base_name(path));
        json_object_set_new(seen, key, json_string(base_name(path)));
    }
    return LIMES_OK;
}

limes_rc limes_import_files(const char *format, const char *const *paths, size_t npaths,
                            const limes_import_options *opt, limes_watch_set **out,
                            limes_import_report *report, limes_error *err)
{
    *out = NULL;
    if (!format_known(format))
        return limes_fail(err, LIMES_INVALID, "format",
                          "format must be un, ofac, csv or csv-documents");
    if (npaths == 0)
        return limes_fail(err, LIMES_INVALID, "paths", "no file to import");
    if (strcmp(format, "ofac") == 0)
        return import_ofac_paths(paths, npaths, opt, out, report, err);
    limes_watch_set *all = set_new();
    json_t *seen = json_object();
    if (!all || !seen) {
        limes_watch_set_free(all);
        json_decref(seen);
        return limes_fail(err, LIMES_NOMEM, "paths", "out of memory");
    }
    limes_rc rc = LIMES_OK;
    for (size_t i = 0; i < npaths && !rc; i++) {
        limes_watch_set *one = NULL;
        rc = import_one(format, paths[i], opt, &one, report, err);
        if (!rc && npaths > 1)
            rc = refs_unique_across_files(one, paths[i], seen, err);
        if (!rc && set_append(all, one))
            rc = limes_fail(err, LIMES_NOMEM, "paths", "out of memory");
        limes_watch_set_free(one);
    }
    json_decref(seen);
    if (rc) {
        limes_watch_set_free(all);
        return rc;
    }
    *out = all;
    return LIMES_OK;
}

/* ---- writing a list ---- */

static atomic_uint_least64_t local_changes;

uint64_t limes_lists_local_changes(void)
{
    return local_changes;
}

/* Commit a change to the lists; counted after it is committed (or not). */
static limes_rc commit_change(store_tx *tx, limes_error *err)
{
    limes_rc rc = store_commit(tx, err);
    local_changes++;
    return rc;
}

static limes_rc bump_generation(store_tx *tx, int64_t *gen, limes_error *err)
{
    limes_rc rc = store_exec(tx, "UPDATE watch_generation SET value = value + 1 WHERE id = 1",
                             NULL, 0, err);
    if (!rc)
        rc = store_query_int(tx, "SELECT value FROM watch_generation WHERE id = 1", NULL, 0, gen,
                             err);
    return rc;
}

/* The list's row, created or updated; its old entries deleted. */
static limes_rc upsert_list(store_tx *tx, const char *list, const char *format,
                            const limes_watch_set *set, const char *sources, const char *action,
                            int64_t gen, int64_t *list_id, limes_error *err)
{
    store_val q[] = {sv_text(list)};
    limes_rc rc = store_query_int(tx, "SELECT id FROM watch_lists WHERE name = $1", q, 1,
                                  list_id, err);
    store_val p[] = {sv_text(format), sv_text(action), sv_int((int64_t)set->npersons),
                     sv_int((int64_t)set->ndocuments), sv_int(time_now_ms()), sv_text(sources),
                     sv_int(gen), sv_text(list)};
    if (rc == LIMES_NOT_FOUND) {
        if (err)
            *err = (limes_error){0};
        return store_insert_id(tx,
                               "INSERT INTO watch_lists (format, default_action, persons,"
                               " documents, imported_ms, sources, generation, name)"
                               " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                               p, 8, list_id, err);
    }
    if (rc)
        return rc;
    store_val id[] = {sv_int(*list_id)};
    rc = store_exec(tx, "DELETE FROM watch_entries WHERE list_id = $1", id, 1, err);
    if (!rc)
        rc = store_exec(tx,
                        "UPDATE watch_lists SET format = $1, default_action = $2, persons = $3,"
                        " documents = $4, imported_ms = $5, sources = $6, generation = $7"
                        " WHERE name = $8",
                        p, 8, err);
    return rc;
}

static limes_rc insert_entry(store_tx *tx, int64_t list_id, const char *kind, const char *ref,
                             const char *version, char *json, limes_error *err)
{
    if (!json)
        return limes_fail(err, LIMES_INVALID, "entry",
                          "entry '%s' cannot be stored (text is not UTF-8?)", ref ? ref : "");
    char hex[65];
    if (!version) {
        sha256_hex(hex, json, strlen(json));
        version = hex;
    }
    store_val p[] = {sv_int(list_id), sv_text(kind), sv_text(ref ? ref : ""), sv_text(version),
                     sv_text(json)};
    limes_rc rc = store_exec(tx,
                             "INSERT INTO watch_entries (list_id, kind, ref, version, data)"
                             " VALUES ($1, $2, $3, $4, $5)",
                             p, 5, err);
    free(json);
    return rc;
}

static limes_rc insert_entries(store_tx *tx, int64_t list_id, const limes_watch_set *set,
                               const limes_import_options *opt, limes_error *err)
{
    uint64_t total = set->npersons + set->ndocuments, done = 0;
    limes_rc rc = LIMES_OK;
    for (size_t i = 0; i < set->npersons && !rc; i++, done++) {
        const limes_watch_person *p = &set->persons[i];
        rc = insert_entry(tx, list_id, "person", p->ref, p->version, entry_person_json(p), err);
        if (done % 2048 == 0)
            progress_report(opt, "store", done, total);
    }
    for (size_t i = 0; i < set->ndocuments && !rc; i++, done++) {
        const limes_watch_document *d = &set->documents[i];
        rc = insert_entry(tx, list_id, "document", d->ref ? d->ref : d->number, NULL,
                          entry_document_json(d), err);
        if (done % 2048 == 0)
            progress_report(opt, "store", done, total);
    }
    if (!rc)
        progress_report(opt, "store", total, total);
    return rc;
}

static char *sources_json(const char *const *sources, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        if (sources[i])
            json_array_append_new(a, json_string(base_name(sources[i])));
    char *s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return s;
}

limes_rc limes_lists_replace(limes_store *s, const char *list, const char *format,
                             const limes_watch_set *set, const char *const *sources,
                             size_t nsources, const limes_import_options *opt,
                             limes_error *err)
{
    limes_rc rc = check_list_name(list, err);
    if (rc)
        return rc;
    if (!format_known(format))
        return limes_fail(err, LIMES_INVALID, "format",
                          "format must be un, ofac, csv or csv-documents");
    const char *action = opt && opt->action ? opt->action
                         : strcmp(format, "csv-documents") == 0 ? "seize_document"
                                                                : "refuse_entry";
    char *src = sources_json(sources, nsources);
    if (!src)
        return limes_fail(err, LIMES_NOMEM, "sources", "out of memory");
    store_tx *tx;
    rc = store_begin(s, true, &tx, err);
    if (rc) {
        free(src);
        return rc;
    }
    int64_t gen = 0, list_id = 0;
    rc = bump_generation(tx, &gen, err);
    if (!rc)
        rc = upsert_list(tx, list, format, set, src, action, gen, &list_id, err);
    if (!rc)
        rc = insert_entries(tx, list_id, set, opt, err);
    free(src);
    if (rc) {
        store_rollback(tx);
        return rc;
    }
    return commit_change(tx, err);
}

/* What both imports check first: the list name, the options, an empty report. */
static limes_rc prepare_import(const char *list, const limes_import_options *opt,
                               limes_import_options *o, limes_import_report *report,
                               limes_error *err)
{
    memset(report, 0, sizeof *report);
    limes_rc rc = check_list_name(list, err);
    if (rc)
        return rc;
    *o = opt ? *opt : (limes_import_options){0};
    o->list = list;
    if (o->action && !action_valid(o->action))
        return limes_fail(err, LIMES_INVALID, "action",
                          "action must be lower-case letters and '_' (e.g. refuse_entry)");
    return LIMES_OK;
}

limes_rc limes_lists_import_opts(limes_store *s, const char *list, const char *format,
                                 const char *const *paths, size_t npaths,
                                 const limes_import_options *opt, limes_import_report *report,
                                 limes_error *err)
{
    limes_import_report local;
    if (!report)
        report = &local;
    limes_import_options o;
    limes_rc rc = prepare_import(list, opt, &o, report, err);
    if (rc)
        return rc;
    limes_watch_set *set = NULL;
    rc = limes_import_files(format, paths, npaths, &o, &set, report, err);
    if (!rc)
        rc = limes_lists_replace(s, list, format, set, paths, npaths, &o, err);
    limes_watch_set_free(set);
    if (!rc)
        report->generation = limes_lists_generation(s);
    return rc;
}

/* Parse a buffer in any format (ofac: sdn.csv alone). */
static limes_rc import_buffer(const char *format, const char *data, size_t len,
                              const limes_import_options *o, limes_watch_set **set,
                              limes_import_report *report, limes_error *err)
{
    if (!format_known(format))
        return limes_fail(err, LIMES_INVALID, "format",
                          "format must be un, ofac, csv or csv-documents");
    if (strcmp(format, "un") == 0)
        return limes_import_un_xml(data, len, o, set, report, err);
    if (strcmp(format, "ofac") == 0)
        return limes_import_ofac(data, len, NULL, 0, NULL, 0, o, set, report, err);
    if (strcmp(format, "csv") == 0)
        return limes_import_csv_persons(data, len, o, set, report, err);
    return limes_import_csv_documents(data, len, o, set, report, err);
}

limes_rc limes_lists_import_buffer(limes_store *s, const char *list, const char *format,
                                   const char *data, size_t len, const char *source,
                                   const limes_import_options *opt, limes_import_report *report,
                                   limes_error *err)
{
    limes_import_report local;
    if (!report)
        report = &local;
    limes_import_options o;
    limes_rc rc = prepare_import(list, opt, &o, report, err);
    if (rc)
        return rc;
    limes_watch_set *set = NULL;
    rc = import_buffer(format, data ? data : "", data ? len : 0, &o, &set, report, err);
    const char *sources[] = {source};
    if (!rc)
        rc = limes_lists_replace(s, list, format, set, sources, source ? 1 : 0, &o, err);
    limes_watch_set_free(set);
    if (!rc)
        report->generation = limes_lists_generation(s);
    return rc;
}

limes_rc limes_lists_import(limes_store *s, const char *list, const char *format,
                            const char *const *paths, size_t npaths,
                            limes_import_progress_fn progress, void *ud,
                            limes_import_report *report, limes_error *err)
{
    limes_import_options o = {.progress = progress, .progress_ud = ud};
    return limes_lists_import_opts(s, list, format, paths, npaths, &o, report, err);
}

/* ---- reading ---- */

/*
 * The loaded set's arrays are sized from a count taken in the same read
 * transaction (growing by doubling would waste a third of the memory of a
 * million entries); if more rows arrive than counted they still grow.
 * Such a set is never grown with set_add_*(), whose capacity rule differs.
 */
typedef struct loader {
    limes_watch_set *set;
    size_t pcap, dcap;
} loader;

static limes_watch_person *next_person(loader *l)
{
    limes_watch_set *set = l->set;
    if (set->npersons == l->pcap) {
        size_t cap = l->pcap ? 2 * l->pcap : 64;
        limes_watch_person *g = realloc(set->persons, cap * sizeof *g);
        if (!g)
            return NULL;
        set->persons = g;
        l->pcap = cap;
    }
    limes_watch_person *p = &set->persons[set->npersons++];
    memset(p, 0, sizeof *p);
    return p;
}

static limes_watch_document *next_document(loader *l)
{
    limes_watch_set *set = l->set;
    if (set->ndocuments == l->dcap) {
        size_t cap = l->dcap ? 2 * l->dcap : 64;
        limes_watch_document *g = realloc(set->documents, cap * sizeof *g);
        if (!g)
            return NULL;
        set->documents = g;
        l->dcap = cap;
    }
    limes_watch_document *d = &set->documents[set->ndocuments++];
    memset(d, 0, sizeof *d);
    return d;
}

static limes_rc load_row(store_rows *rows, loader *l, limes_error *err)
{
    int64_t id = store_col_int(rows, 0);
    const char *kind = store_col_text(rows, 1);
    bool ok;
    if (strcmp(kind, "person") == 0) {
        limes_watch_person *p = next_person(l);
        if (!p)
            return limes_fail(err, LIMES_NOMEM, "", "out of memory loading lists");
        p->id = id;
        ok = entry_person_from_json(store_col_text(rows, 4), p);
        p->ref = strdup(store_col_text(rows, 2));
        p->version = strdup(store_col_text(rows, 3));
        p->list = strdup(store_col_text(rows, 5));
        ok = ok && p->ref && p->version && p->list;
    } else {
        limes_watch_document *d = next_document(l);
        if (!d)
            return limes_fail(err, LIMES_NOMEM, "", "out of memory loading lists");
        d->id = id;
        ok = entry_document_from_json(store_col_text(rows, 4), d);
        d->ref = strdup(store_col_text(rows, 2));
        d->list = strdup(store_col_text(rows, 5));
        ok = ok && d->ref && d->list;
    }
    if (!ok)
        return limes_fail(err, LIMES_STORE, "watch_entries",
                          "watch entry %lld cannot be read back", (long long)id);
    return LIMES_OK;
}

/* Size the arrays from the counts of persons and documents. */
static limes_rc load_presize(store_tx *tx, loader *l, limes_error *err)
{
    int64_t persons = 0, documents = 0;
    store_val p[] = {sv_text("person")}, d[] = {sv_text("document")};
    limes_rc rc = store_query_int(tx, "SELECT COUNT(*) FROM watch_entries WHERE kind = $1", p, 1,
                                  &persons, err);
    if (!rc)
        rc = store_query_int(tx, "SELECT COUNT(*) FROM watch_entries WHERE kind = $1", d, 1,
                             &documents, err);
    if (rc)
        return rc;
    if (persons > 0 && !(l->set->persons = malloc((size_t)persons * sizeof(limes_watch_person))))
        return limes_fail(err, LIMES_NOMEM, "", "out of memory loading lists");
    l->pcap = (size_t)persons;
    if (documents > 0 &&
        !(l->set->documents = malloc((size_t)documents * sizeof(limes_watch_document))))
        return limes_fail(err, LIMES_NOMEM, "", "out of memory loading lists");
    l->dcap = (size_t)documents;
    return LIMES_OK;
}

limes_rc limes_lists_load(limes_store *s, limes_watch_set **out, limes_error *err)
{
    *out = NULL;
    loader l = {set_new(), 0, 0};
    if (!l.set)
        return limes_fail(err, LIMES_NOMEM, "", "out of memory");
    store_tx *tx;
    limes_rc rc = store_begin(s, false, &tx, err);
    if (rc) {
        free(l.set);
        return rc;
    }
    store_rows *rows = NULL;
    rc = load_presize(tx, &l, err);
    if (!rc)
        rc = store_query(tx,
                         "SELECT e.id, e.kind, e.ref, e.version, e.data, l.name FROM watch_entries e"
                         " JOIN watch_lists l ON l.id = e.list_id ORDER BY e.id",
                         NULL, 0, &rows, err);
    int got = 0;
    while (!rc && (got = store_rows_next(rows, err)) == 1)
        rc = load_row(rows, &l, err);
    if (!rc && got < 0)
        rc = err ? err->rc : LIMES_STORE;
    if (rows)
        store_rows_close(rows);
    store_rollback(tx);
    if (rc) {
        limes_watch_set_free(l.set);
        return rc;
    }
    *out = l.set;
    return LIMES_OK;
}

int64_t limes_lists_generation(limes_store *s)
{
    store_tx *tx;
    int64_t gen = 0;
    if (store_begin(s, false, &tx, NULL))
        return 0;
    if (store_query_int(tx, "SELECT value FROM watch_generation WHERE id = 1", NULL, 0, &gen,
                        NULL))
        gen = 0;
    store_rollback(tx);
    return gen;
}

static void summary_kind(json_t *o)
{
    json_int_t persons = json_integer_value(json_object_get(o, "persons"));
    json_int_t documents = json_integer_value(json_object_get(o, "documents"));
    json_object_set_new(o, "entries", json_integer(persons + documents));
    json_object_set_new(o, "kind", json_string(documents == 0  ? "persons"
                                               : persons == 0 ? "documents"
                                                              : "mixed"));
}

limes_rc limes_lists_summary(limes_store *s, json_t **out, limes_error *err)
{
    limes_rc rc = store_read_json(s,
                                  "SELECT name, format, default_action, persons, documents,"
                                  " imported_ms, sources AS sources_json, generation"
                                  " FROM watch_lists ORDER BY name",
                                  NULL, 0, out, err);
    if (rc)
        return rc;
    size_t i;
    json_t *o;
    json_array_foreach(*out, i, o) summary_kind(o);
    return LIMES_OK;
}

limes_rc limes_lists_remove(limes_store *s, const char *list, limes_error *err)
{
    limes_rc rc = check_list_name(list, err);
    if (rc)
        return rc;
    store_tx *tx;
    rc = store_begin(s, true, &tx, err);
    if (rc)
        return rc;
    int64_t id = 0, gen = 0;
    store_val q[] = {sv_text(list)};
    rc = store_query_int(tx, "SELECT id FROM watch_lists WHERE name = $1", q, 1, &id, err);
    if (rc == LIMES_NOT_FOUND)
        rc = limes_fail(err, LIMES_NOT_FOUND, "list", "no list named '%s'", list);
    store_val p[] = {sv_int(id)};
    if (!rc)
        rc = store_exec(tx, "DELETE FROM watch_entries WHERE list_id = $1", p, 1, err);
    if (!rc)
        rc = store_exec(tx, "DELETE FROM watch_lists WHERE id = $1", p, 1, err);
    if (!rc)
        rc = bump_generation(tx, &gen, err);
    if (rc) {
        store_rollback(tx);
        return rc;
    }
    return commit_change(tx, err);
}

/* ---- demo ---- */

limes_rc limes_lists_load_demo(limes_store *s, const char *data_dir, int *loaded,
                               limes_error *err)
{
    static const struct {
        const char *list, *format, *file;
    } demo[] = {
        {"UN", "un", "UN_consolidated_2026-02-27.xml"},
        {"NATIONAL-PERSONS", "csv", "national_persons.csv"},
        {"NATIONAL-SLTD", "csv-documents", "stolen_documents.csv"},
    };
    if (loaded)
        *loaded = 0;
    json_t *summary;
    limes_rc rc = limes_lists_summary(s, &summary, err);
    if (rc)
        return rc;
    size_t existing = json_array_size(summary);
    json_decref(summary);
    if (existing)
        return LIMES_OK;
    for (size_t i = 0; i < sizeof demo / sizeof demo[0]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", data_dir, demo[i].file);
        const char *paths[] = {path};
        rc = limes_lists_import(s, demo[i].list, demo[i].format, paths, 1, NULL, NULL, NULL, err);
        if (rc)
            return rc;
        if (loaded)
            (*loaded)++;
    }
    return LIMES_OK;
}
