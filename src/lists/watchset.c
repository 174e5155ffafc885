/*
 * watchset.c - owning and growing watch sets: the free functions of
 * limes/watchlist.h, appending persons, names, dates and documents entry
 * by entry, and finishing a parsed set (list name, default action,
 * version hash, counts) before it is stored or handed out.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/rand.h"
#include "lists_int.h"

void limes_watch_person_free(limes_watch_person *p)
{
    if (!p)
        return;
    free(p->list);
    free(p->ref);
    free(p->action);
    free(p->remarks);
    for (size_t i = 0; i < p->nnames; i++) {
        free(p->names[i].full);
        free(p->names[i].given);
        free(p->names[i].family);
    }
    free(p->names);
    free(p->dobs);
    free(p->nationalities);
    free(p->place_of_birth);
    for (size_t i = 0; i < p->ndocs; i++) {
        free(p->docs[i].number);
        free(p->docs[i].type);
    }
    free(p->docs);
    free(p->version);
    memset(p, 0, sizeof *p);
}

void limes_watch_document_free(limes_watch_document *d)
{
    if (!d)
        return;
    free(d->list);
    free(d->ref);
    free(d->number);
    free(d->type);
    free(d->status);
    free(d->action);
    memset(d, 0, sizeof *d);
}

void limes_watch_set_free(limes_watch_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->npersons; i++)
        limes_watch_person_free(&set->persons[i]);
    for (size_t i = 0; i < set->ndocuments; i++)
        limes_watch_document_free(&set->documents[i]);
    free(set->persons);
    free(set->documents);
    free(set);
}

limes_watch_set *set_new(void)
{
    return calloc(1, sizeof(limes_watch_set));
}

/* Make room for one more element of size `size` in *arr holding n (capacity = power of two). */
static bool grow(void **arr, size_t n, size_t size)
{
    if (n && (n & (n - 1)) != 0)
        return true; /* capacity is the next power of two above n */
    size_t cap = n ? n * 2 : 1;
    void *p = realloc(*arr, cap * size);
    if (!p)
        return false;
    *arr = p;
    return true;
}

limes_watch_person *set_add_person(limes_watch_set *set)
{
    if (!grow((void **)&set->persons, set->npersons, sizeof *set->persons))
        return NULL;
    limes_watch_person *p = &set->persons[set->npersons++];
    memset(p, 0, sizeof *p);
    return p;
}

limes_watch_document *set_add_document(limes_watch_set *set)
{
    if (!grow((void **)&set->documents, set->ndocuments, sizeof *set->documents))
        return NULL;
    limes_watch_document *d = &set->documents[set->ndocuments++];
    memset(d, 0, sizeof *d);
    return d;
}

void set_drop_last_person(limes_watch_set *set)
{
    if (set->npersons == 0)
        return;
    limes_watch_person_free(&set->persons[--set->npersons]);
}

limes_rc set_append(limes_watch_set *to, limes_watch_set *from)
{
    for (size_t i = 0; i < from->npersons; i++) {
        limes_watch_person *p = set_add_person(to);
        if (!p)
            return LIMES_NOMEM;
        *p = from->persons[i];
        memset(&from->persons[i], 0, sizeof from->persons[i]);
    }
    for (size_t i = 0; i < from->ndocuments; i++) {
        limes_watch_document *d = set_add_document(to);
        if (!d)
            return LIMES_NOMEM;
        *d = from->documents[i];
        memset(&from->documents[i], 0, sizeof from->documents[i]);
    }
    from->npersons = from->ndocuments = 0;
    return LIMES_OK;
}

char *lists_strndup_trim(const char *s, size_t len)
{
    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    memcpy(out, s, len);
    out[len] = '\0';
    return out;
}

char *lists_strdup(const char *s, bool trim)
{
    if (!s)
        return NULL;
    return trim ? lists_strndup_trim(s, strlen(s)) : strdup(s);
}

/* A trimmed copy, or NULL for NULL or blank text; *fail set when out of memory. */
static char *copy_or_null(const char *s, bool *fail)
{
    if (!s)
        return NULL;
    char *c = lists_strdup(s, true);
    if (!c) {
        *fail = true;
        return NULL;
    }
    if (!*c) {
        free(c);
        return NULL;
    }
    return c;
}

limes_rc person_add_name(limes_watch_person *p, const char *full, const char *given,
                         const char *family, limes_name_quality q)
{
    bool fail = false;
    char *f = copy_or_null(full, &fail);
    if (!f)
        return fail ? LIMES_NOMEM : LIMES_OK; /* blank names are not names */
    for (size_t i = 0; i < p->nnames; i++) {
        if (strcmp(p->names[i].full, f) == 0) { /* same spelling twice: keep the stronger */
            if (q < p->names[i].quality)
                p->names[i].quality = q;
            free(f);
            return LIMES_OK;
        }
    }
    if (!grow((void **)&p->names, p->nnames, sizeof *p->names)) {
        free(f);
        return LIMES_NOMEM;
    }
    limes_watch_name *n = &p->names[p->nnames];
    memset(n, 0, sizeof *n);
    n->full = f;
    n->given = copy_or_null(given, &fail);
    n->family = copy_or_null(family, &fail);
    n->quality = q;
    script_detect(f, n->script);
    p->nnames++;
    return fail ? LIMES_NOMEM : LIMES_OK;
}

limes_rc person_add_dob(limes_watch_person *p, int year, int month, int day, int year_to)
{
    if (year <= 0)
        return LIMES_OK;
    limes_watch_dob d = {year, month, day, year_to > year ? year_to : 0};
    for (size_t i = 0; i < p->ndobs; i++)
        if (memcmp(&p->dobs[i], &d, sizeof d) == 0)
            return LIMES_OK;
    if (!grow((void **)&p->dobs, p->ndobs, sizeof *p->dobs))
        return LIMES_NOMEM;
    p->dobs[p->ndobs++] = d;
    return LIMES_OK;
}

limes_rc person_add_nationality(limes_watch_person *p, const char *alpha3)
{
    if (!alpha3 || strlen(alpha3) != 3)
        return LIMES_OK;
    for (size_t i = 0; i < p->nnationalities; i++)
        if (strcmp(p->nationalities[i], alpha3) == 0)
            return LIMES_OK;
    if (!grow((void **)&p->nationalities, p->nnationalities, sizeof *p->nationalities))
        return LIMES_NOMEM;
    memcpy(p->nationalities[p->nnationalities++], alpha3, 4);
    return LIMES_OK;
}

limes_rc person_add_doc(limes_watch_person *p, const char *number, const char *issuer,
                        const char *type)
{
    bool fail = false;
    char *num = copy_or_null(number, &fail);
    if (!num)
        return fail ? LIMES_NOMEM : LIMES_OK;
    if (!grow((void **)&p->docs, p->ndocs, sizeof *p->docs)) {
        free(num);
        return LIMES_NOMEM;
    }
    limes_watch_doc_ref *d = &p->docs[p->ndocs++];
    memset(d, 0, sizeof *d);
    d->number = num;
    if (issuer && strlen(issuer) == 3)
        memcpy(d->issuer, issuer, 4);
    d->type = copy_or_null(type, &fail);
    return fail ? LIMES_NOMEM : LIMES_OK;
}

limes_rc person_add_pob(limes_watch_person *p, const char *pob)
{
    bool fail = false;
    char *add = copy_or_null(pob, &fail);
    if (!add)
        return fail ? LIMES_NOMEM : LIMES_OK;
    if (!p->place_of_birth) {
        p->place_of_birth = add;
        return LIMES_OK;
    }
    size_t a = strlen(p->place_of_birth), b = strlen(add);
    char *joined = realloc(p->place_of_birth, a + 2 + b + 1);
    if (!joined) {
        free(add);
        return LIMES_NOMEM;
    }
    memcpy(joined + a, "; ", 2);
    memcpy(joined + a + 2, add, b + 1);
    p->place_of_birth = joined;
    free(add);
    return LIMES_OK;
}

void limes_import_report_skip(limes_import_report *r, const char *reason, int64_t count)
{
    if (!r || count <= 0)
        return;
    r->skipped += count;
    for (size_t i = 0; i < r->nskips; i++) {
        if (strcmp(r->skips[i].reason, reason) == 0) {
            r->skips[i].count += count;
            return;
        }
    }
    size_t i = r->nskips < LIMES_IMPORT_MAX_REASONS ? r->nskips++ : LIMES_IMPORT_MAX_REASONS - 1;
    snprintf(r->skips[i].reason, sizeof r->skips[i].reason, "%s", reason);
    r->skips[i].count += count;
}

/* Replace *field with a copy of value when it is NULL/empty (or always, when force). */
static bool set_text(char **field, const char *value, bool force)
{
    if (!force && *field && **field)
        return true;
    char *c = strdup(value ? value : "");
    if (!c)
        return false;
    free(*field);
    *field = c;
    return true;
}

/* The version of an entry: SHA-256 of its stored form, so any change shows. */
static bool version_of(char **version, char *json)
{
    if (!json)
        return false;
    char hex[65];
    sha256_hex(hex, json, strlen(json));
    free(json);
    return set_text(version, hex, true);
}

limes_rc set_finish(limes_watch_set *set, const limes_import_options *opt,
                    const char *default_action, limes_import_report *report, limes_error *err)
{
    const char *list = opt && opt->list ? opt->list : "";
    const char *action = opt && opt->action ? opt->action : default_action;
    if (!action_valid(action))
        return limes_fail(err, LIMES_INVALID, "action",
                          "action '%s' is not valid (lower-case letters and '_')", action);
    for (size_t i = 0; i < set->npersons; i++) {
        limes_watch_person *p = &set->persons[i];
        if (!set_text(&p->list, list, true) || !set_text(&p->action, action, false) ||
            !set_text(&p->ref, "", false))
            return limes_fail(err, LIMES_NOMEM, "", "out of memory finishing the list");
        if (!version_of(&p->version, entry_person_json(p)))
            return limes_fail(err, LIMES_INVALID, "entry",
                              "entry '%.*s' cannot be stored (text that is not UTF-8?)",
                              utf8_prefix(p->ref, 60), p->ref);
        if (report) {
            report->names += (int64_t)p->nnames;
            report->dobs += (int64_t)p->ndobs;
        }
    }
    for (size_t i = 0; i < set->ndocuments; i++) {
        limes_watch_document *d = &set->documents[i];
        if (!set_text(&d->list, list, true) || !set_text(&d->action, action, false) ||
            !set_text(&d->ref, d->number, false))
            return limes_fail(err, LIMES_NOMEM, "", "out of memory finishing the list");
    }
    if (report) {
        report->persons += (int64_t)set->npersons;
        report->documents += (int64_t)set->ndocuments;
    }
    return LIMES_OK;
}

void progress_report(const limes_import_options *opt, const char *phase, uint64_t done,
                     uint64_t total)
{
    if (opt && opt->progress)
        opt->progress(opt->progress_ud, phase, done, total);
}
