/*
 * entry_json.c - the stored form of a watch entry: one compact JSON
 * object per entry (one row per entry in watch_entries), short keys so
 * that a million entries load in seconds.  The list name, ref, version
 * and id live in their own columns and are not repeated here.
 *
 * Person: {"n":[[full,given,family,script,quality],...], "d":[[y,m,d,to],...],
 *          "c":["IRQ",...], "g":"M", "p":pob, "x":[[number,issuer,type],...],
 *          "a":action, "r":remarks}
 * Document: {"num":number, "i":issuer, "t":type, "s":status, "rd":reported,
 *            "a":action}
 * Absent or empty members are left out.
 */
#include <stdlib.h>
#include <string.h>

#include "lists_int.h"

static void put_str(json_t *o, const char *key, const char *v)
{
    if (v && *v)
        json_object_set_new(o, key, json_string(v));
}

/* A string or null, for positions in arrays. */
static json_t *str_or_null(const char *v)
{
    return v && *v ? json_string(v) : json_null();
}

static char *dump_compact(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

char *entry_person_json(const limes_watch_person *p)
{
    json_t *o = json_object();
    json_t *names = json_array();
    for (size_t i = 0; i < p->nnames; i++) {
        const limes_watch_name *n = &p->names[i];
        json_array_append_new(names, json_pack("[oooso]", str_or_null(n->full),
                                               str_or_null(n->given), str_or_null(n->family),
                                               n->script, json_integer(n->quality)));
    }
    json_object_set_new(o, "n", names);
    if (p->ndobs) {
        json_t *dobs = json_array();
        for (size_t i = 0; i < p->ndobs; i++)
            json_array_append_new(dobs, json_pack("[iiii]", p->dobs[i].year, p->dobs[i].month,
                                                  p->dobs[i].day, p->dobs[i].year_to));
        json_object_set_new(o, "d", dobs);
    }
    if (p->nnationalities) {
        json_t *c = json_array();
        for (size_t i = 0; i < p->nnationalities; i++)
            json_array_append_new(c, json_string(p->nationalities[i]));
        json_object_set_new(o, "c", c);
    }
    if (p->gender)
        json_object_set_new(o, "g", json_stringn(&p->gender, 1));
    put_str(o, "p", p->place_of_birth);
    if (p->ndocs) {
        json_t *x = json_array();
        for (size_t i = 0; i < p->ndocs; i++)
            json_array_append_new(x, json_pack("[oso]", str_or_null(p->docs[i].number),
                                               p->docs[i].issuer, str_or_null(p->docs[i].type)));
        json_object_set_new(o, "x", x);
    }
    put_str(o, "a", p->action);
    put_str(o, "r", p->remarks);
    return dump_compact(o);
}

char *entry_document_json(const limes_watch_document *d)
{
    json_t *o = json_object();
    put_str(o, "num", d->number);
    put_str(o, "i", d->issuer);
    put_str(o, "t", d->type);
    put_str(o, "s", d->status);
    put_str(o, "rd", d->reported);
    put_str(o, "a", d->action);
    return dump_compact(o);
}

/* A malloc'd copy of a JSON string member or array item; NULL when absent. */
static char *dup_json(json_t *v)
{
    const char *s = json_string_value(v);
    return s ? strdup(s) : NULL;
}

static void copy_fixed(char *dst, size_t n, json_t *v)
{
    const char *s = json_string_value(v);
    dst[0] = '\0';
    if (s && strlen(s) < n)
        memcpy(dst, s, strlen(s) + 1);
}

static bool names_from_json(json_t *arr, limes_watch_person *p)
{
    size_t n = json_array_size(arr);
    if (!n)
        return true;
    p->names = calloc(n, sizeof *p->names);
    if (!p->names)
        return false;
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(arr, i);
        limes_watch_name *nm = &p->names[p->nnames++];
        nm->full = dup_json(json_array_get(e, 0));
        nm->given = dup_json(json_array_get(e, 1));
        nm->family = dup_json(json_array_get(e, 2));
        copy_fixed(nm->script, sizeof nm->script, json_array_get(e, 3));
        nm->quality = (limes_name_quality)json_integer_value(json_array_get(e, 4));
        if (!nm->full)
            return false;
    }
    return true;
}

static bool dobs_from_json(json_t *arr, limes_watch_person *p)
{
    size_t n = json_array_size(arr);
    if (!n)
        return true;
    p->dobs = calloc(n, sizeof *p->dobs);
    if (!p->dobs)
        return false;
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(arr, i);
        limes_watch_dob *d = &p->dobs[p->ndobs++];
        d->year = (int)json_integer_value(json_array_get(e, 0));
        d->month = (int)json_integer_value(json_array_get(e, 1));
        d->day = (int)json_integer_value(json_array_get(e, 2));
        d->year_to = (int)json_integer_value(json_array_get(e, 3));
    }
    return true;
}

static bool rest_from_json(json_t *o, limes_watch_person *p)
{
    json_t *c = json_object_get(o, "c");
    size_t n = json_array_size(c);
    if (n) {
        p->nationalities = calloc(n, sizeof *p->nationalities);
        if (!p->nationalities)
            return false;
        for (size_t i = 0; i < n; i++)
            copy_fixed(p->nationalities[p->nnationalities++], 4, json_array_get(c, i));
    }
    json_t *x = json_object_get(o, "x");
    n = json_array_size(x);
    if (n) {
        p->docs = calloc(n, sizeof *p->docs);
        if (!p->docs)
            return false;
        for (size_t i = 0; i < n; i++) {
            json_t *e = json_array_get(x, i);
            limes_watch_doc_ref *d = &p->docs[p->ndocs++];
            d->number = dup_json(json_array_get(e, 0));
            copy_fixed(d->issuer, sizeof d->issuer, json_array_get(e, 1));
            d->type = dup_json(json_array_get(e, 2));
        }
    }
    const char *g = json_string_value(json_object_get(o, "g"));
    p->gender = g ? g[0] : 0;
    p->place_of_birth = dup_json(json_object_get(o, "p"));
    p->action = dup_json(json_object_get(o, "a"));
    p->remarks = dup_json(json_object_get(o, "r"));
    return true;
}

bool entry_person_from_json(const char *text, limes_watch_person *p)
{
    json_t *o = json_loads(text, 0, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        return false;
    }
    bool ok = names_from_json(json_object_get(o, "n"), p) &&
              dobs_from_json(json_object_get(o, "d"), p) && rest_from_json(o, p);
    json_decref(o);
    return ok;
}

bool entry_document_from_json(const char *text, limes_watch_document *d)
{
    json_t *o = json_loads(text, 0, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        return false;
    }
    d->number = dup_json(json_object_get(o, "num"));
    copy_fixed(d->issuer, sizeof d->issuer, json_object_get(o, "i"));
    d->type = dup_json(json_object_get(o, "t"));
    d->status = dup_json(json_object_get(o, "s"));
    copy_fixed(d->reported, sizeof d->reported, json_object_get(o, "rd"));
    d->action = dup_json(json_object_get(o, "a"));
    json_decref(o);
    return d->number != NULL;
}
