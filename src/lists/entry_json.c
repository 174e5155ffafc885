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
 *
 * Writing goes through jansson.  Reading is a small pull parser for
 * exactly this shape (unknown members are skipped), because building a
 * jansson tree per entry made loading a million entries several times
 * slower (bench/lists).
 */
#include <stdlib.h>
#include <string.h>

#include "lists_int.h"

/* Set key to v unless v is empty; false when v cannot be stored (not UTF-8). */
static bool put_str(json_t *o, const char *key, const char *v)
{
    if (!v || !*v)
        return true;
    json_t *s = json_string(v);
    return s && json_object_set_new(o, key, s) == 0;
}

/* A string or null, for positions in arrays. */
static json_t *str_or_null(const char *v)
{
    return v && *v ? json_string(v) : json_null();
}

/* Append to an array, remembering a failure (a NULL item: text that is not UTF-8). */
static void append(json_t *arr, json_t *item, bool *failed)
{
    if (!item || json_array_append_new(arr, item) != 0)
        *failed = true;
}

static char *dump_compact(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

char *entry_person_json(const limes_watch_person *p)
{
    bool failed = false;
    json_t *o = json_object();
    json_t *names = json_array();
    for (size_t i = 0; i < p->nnames; i++) {
        const limes_watch_name *n = &p->names[i];
        append(names, json_pack("[oooso]", str_or_null(n->full), str_or_null(n->given),
                                str_or_null(n->family), n->script, json_integer(n->quality)),
               &failed);
    }
    json_object_set_new(o, "n", names);
    if (p->ndobs) {
        json_t *dobs = json_array();
        for (size_t i = 0; i < p->ndobs; i++)
            append(dobs, json_pack("[iiii]", p->dobs[i].year, p->dobs[i].month, p->dobs[i].day,
                                   p->dobs[i].year_to),
                   &failed);
        json_object_set_new(o, "d", dobs);
    }
    if (p->nnationalities) {
        json_t *c = json_array();
        for (size_t i = 0; i < p->nnationalities; i++)
            append(c, json_string(p->nationalities[i]), &failed);
        json_object_set_new(o, "c", c);
    }
    if (p->gender)
        json_object_set_new(o, "g", json_stringn(&p->gender, 1));
    failed |= !put_str(o, "p", p->place_of_birth);
    if (p->ndocs) {
        json_t *x = json_array();
        for (size_t i = 0; i < p->ndocs; i++)
            append(x, json_pack("[oso]", str_or_null(p->docs[i].number), p->docs[i].issuer,
                                str_or_null(p->docs[i].type)),
                   &failed);
        json_object_set_new(o, "x", x);
    }
    failed |= !put_str(o, "a", p->action) ||
              !put_str(o, "r", p->remarks);
    if (failed) {
        json_decref(o);
        return NULL;
    }
    return dump_compact(o);
}

char *entry_document_json(const limes_watch_document *d)
{
    json_t *o = json_object();
    bool ok = put_str(o, "num", d->number) && put_str(o, "i", d->issuer) &&
              put_str(o, "t", d->type) && put_str(o, "s", d->status) &&
              put_str(o, "rd", d->reported) && put_str(o, "a", d->action);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return dump_compact(o);
}

/* ---- reading: a pull parser over the stored shape ---- */

typedef struct jreader {
    const char *p;
    bool bad;
} jreader;

static void ws(jreader *r)
{
    while (*r->p == ' ' || *r->p == '\n' || *r->p == '\t' || *r->p == '\r')
        r->p++;
}

/* Consume c (after white space) or mark the input bad. */
static bool eat(jreader *r, char c)
{
    ws(r);
    if (*r->p != c) {
        r->bad = true;
        return false;
    }
    r->p++;
    return true;
}

/* Consume c if it is next. */
static bool maybe(jreader *r, char c)
{
    ws(r);
    if (*r->p != c)
        return false;
    r->p++;
    return true;
}

static int hex4(const char *s)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return -1;
    }
    return v;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* One \u escape at s (after the backslash-u), with a surrogate pair; advances *s. */
static bool unicode_escape(const char **s, unsigned *cp)
{
    int hi = hex4(*s);
    if (hi < 0)
        return false;
    *s += 4;
    if (hi >= 0xD800 && hi <= 0xDBFF) {
        if ((*s)[0] != '\\' || (*s)[1] != 'u')
            return false;
        int lo = hex4(*s + 2);
        if (lo < 0xDC00 || lo > 0xDFFF)
            return false;
        *s += 6;
        *cp = 0x10000 + (((unsigned)hi - 0xD800) << 10) + ((unsigned)lo - 0xDC00);
        return true;
    }
    *cp = (unsigned)hi;
    return hi < 0xDC00 || hi > 0xDFFF;
}

/* A JSON string (malloc'd, unescaped), or NULL for null; marks bad on anything else. */
static char *str(jreader *r)
{
    ws(r);
    if (strncmp(r->p, "null", 4) == 0) {
        r->p += 4;
        return NULL;
    }
    if (*r->p != '"') {
        r->bad = true;
        return NULL;
    }
    const char *s = ++r->p;
    size_t n = strcspn(s, "\"\\");
    char *out = malloc(2 * n + 8); /* grown below only if escapes need it */
    size_t cap = 2 * n + 8, len = 0;
    while (out) {
        size_t run = strcspn(s, "\"\\");
        if (len + run + 8 > cap) {
            cap = 2 * (len + run) + 8;
            char *g = realloc(out, cap);
            if (!g)
                break;
            out = g;
        }
        memcpy(out + len, s, run);
        len += run;
        s += run;
        if (*s == '"') {
            out[len] = '\0';
            r->p = s + 1;
            return out;
        }
        if (*s != '\\')
            break; /* end of text inside a string */
        s++;
        unsigned cp;
        switch (*s++) {
        case '"': out[len++] = '"'; break;
        case '\\': out[len++] = '\\'; break;
        case '/': out[len++] = '/'; break;
        case 'b': out[len++] = '\b'; break;
        case 'f': out[len++] = '\f'; break;
        case 'n': out[len++] = '\n'; break;
        case 'r': out[len++] = '\r'; break;
        case 't': out[len++] = '\t'; break;
        case 'u':
            if (!unicode_escape(&s, &cp) || cp == 0)
                goto fail;
            len += put_utf8(out + len, cp);
            break;
        default: goto fail;
        }
    }
fail:
    free(out);
    r->bad = true;
    return NULL;
}

static int64_t num(jreader *r)
{
    ws(r);
    char *end;
    long long v = strtoll(r->p, &end, 10);
    if (end == r->p)
        r->bad = true;
    r->p = end;
    return v;
}

/* Skip any value (for members this reader does not know). */
static void skip_value(jreader *r, int depth)
{
    ws(r);
    if (depth > 32) {
        r->bad = true;
        return;
    }
    char c = *r->p;
    if (c == '"') {
        free(str(r));
    } else if (c == '[' || c == '{') {
        char close = c == '[' ? ']' : '}';
        r->p++;
        if (maybe(r, close))
            return;
        do {
            if (close == '}') {
                free(str(r));
                eat(r, ':');
            }
            skip_value(r, depth + 1);
        } while (!r->bad && maybe(r, ','));
        eat(r, close);
    } else if (strncmp(r->p, "true", 4) == 0 || strncmp(r->p, "null", 4) == 0) {
        r->p += 4;
    } else if (strncmp(r->p, "false", 5) == 0) {
        r->p += 5;
    } else {
        char *end;
        strtod(r->p, &end);
        if (end == r->p)
            r->bad = true;
        r->p = end;
    }
}

/* Copy a string into a fixed field (truncating is refused). */
static void fixed(jreader *r, char *dst, size_t n)
{
    char *s = str(r);
    dst[0] = '\0';
    if (s && strlen(s) < n)
        memcpy(dst, s, strlen(s) + 1);
    else if (s)
        r->bad = true;
    free(s);
}

/* Iterate the items of an array: call with *first = true; returns false after the last. */
static bool next_item(jreader *r, bool *first)
{
    if (*first) {
        *first = false;
        if (!eat(r, '['))
            return false;
        return !maybe(r, ']');
    }
    if (r->bad)
        return false;
    if (maybe(r, ','))
        return true;
    eat(r, ']');
    return false;
}

/* Give back the unused tail of an array read item by item (a million entries add up). */
static void shrink(void **arr, size_t n, size_t size)
{
    if (!*arr || n == 0)
        return;
    void *exact = realloc(*arr, n * size);
    if (exact)
        *arr = exact;
}

static void read_names(jreader *r, limes_watch_person *p)
{
    size_t cap = 0;
    bool first = true;
    while (next_item(r, &first)) {
        if (p->nnames == cap) {
            cap = cap ? 2 * cap : 4;
            limes_watch_name *g = realloc(p->names, cap * sizeof *g);
            if (!g) {
                r->bad = true;
                return;
            }
            p->names = g;
        }
        limes_watch_name *n = &p->names[p->nnames++];
        memset(n, 0, sizeof *n);
        eat(r, '[');
        n->full = str(r);
        eat(r, ',');
        n->given = str(r);
        eat(r, ',');
        n->family = str(r);
        eat(r, ',');
        fixed(r, n->script, sizeof n->script);
        eat(r, ',');
        n->quality = (limes_name_quality)num(r);
        eat(r, ']');
        if (!n->full)
            r->bad = true;
    }
    shrink((void **)&p->names, p->nnames, sizeof *p->names);
}

static void read_dobs(jreader *r, limes_watch_person *p)
{
    size_t cap = 0;
    bool first = true;
    while (next_item(r, &first)) {
        if (p->ndobs == cap) {
            cap = cap ? 2 * cap : 2;
            limes_watch_dob *g = realloc(p->dobs, cap * sizeof *g);
            if (!g) {
                r->bad = true;
                return;
            }
            p->dobs = g;
        }
        limes_watch_dob *d = &p->dobs[p->ndobs++];
        eat(r, '[');
        d->year = (int)num(r);
        eat(r, ',');
        d->month = (int)num(r);
        eat(r, ',');
        d->day = (int)num(r);
        eat(r, ',');
        d->year_to = (int)num(r);
        eat(r, ']');
    }
    shrink((void **)&p->dobs, p->ndobs, sizeof *p->dobs);
}

static void read_nationalities(jreader *r, limes_watch_person *p)
{
    size_t cap = 0;
    bool first = true;
    while (next_item(r, &first)) {
        if (p->nnationalities == cap) {
            cap = cap ? 2 * cap : 2;
            char(*g)[4] = realloc(p->nationalities, cap * sizeof *g);
            if (!g) {
                r->bad = true;
                return;
            }
            p->nationalities = g;
        }
        fixed(r, p->nationalities[p->nnationalities++], 4);
    }
    shrink((void **)&p->nationalities, p->nnationalities, sizeof *p->nationalities);
}

static void read_docs(jreader *r, limes_watch_person *p)
{
    size_t cap = 0;
    bool first = true;
    while (next_item(r, &first)) {
        if (p->ndocs == cap) {
            cap = cap ? 2 * cap : 2;
            limes_watch_doc_ref *g = realloc(p->docs, cap * sizeof *g);
            if (!g) {
                r->bad = true;
                return;
            }
            p->docs = g;
        }
        limes_watch_doc_ref *d = &p->docs[p->ndocs++];
        memset(d, 0, sizeof *d);
        eat(r, '[');
        d->number = str(r);
        eat(r, ',');
        fixed(r, d->issuer, sizeof d->issuer);
        eat(r, ',');
        d->type = str(r);
        eat(r, ']');
        if (!d->number)
            r->bad = true;
    }
    shrink((void **)&p->docs, p->ndocs, sizeof *p->docs);
}

/* Replace *field with a string member value (a repeated member keeps the last). */
static void member_str(jreader *r, char **field)
{
    free(*field);
    *field = str(r);
}

static void person_member(jreader *r, const char *key, limes_watch_person *p)
{
    if (strcmp(key, "n") == 0 && !p->names) {
        read_names(r, p);
    } else if (strcmp(key, "d") == 0 && !p->dobs) {
        read_dobs(r, p);
    } else if (strcmp(key, "c") == 0 && !p->nationalities) {
        read_nationalities(r, p);
    } else if (strcmp(key, "x") == 0 && !p->docs) {
        read_docs(r, p);
    } else if (strcmp(key, "g") == 0) {
        char *g = str(r);
        p->gender = g ? g[0] : 0;
        free(g);
    } else if (strcmp(key, "p") == 0) {
        member_str(r, &p->place_of_birth);
    } else if (strcmp(key, "a") == 0) {
        member_str(r, &p->action);
    } else if (strcmp(key, "r") == 0) {
        member_str(r, &p->remarks);
    } else {
        skip_value(r, 0);
    }
}

static void document_member(jreader *r, const char *key, limes_watch_document *d)
{
    if (strcmp(key, "num") == 0)
        member_str(r, &d->number);
    else if (strcmp(key, "i") == 0)
        fixed(r, d->issuer, sizeof d->issuer);
    else if (strcmp(key, "t") == 0)
        member_str(r, &d->type);
    else if (strcmp(key, "s") == 0)
        member_str(r, &d->status);
    else if (strcmp(key, "rd") == 0)
        fixed(r, d->reported, sizeof d->reported);
    else if (strcmp(key, "a") == 0)
        member_str(r, &d->action);
    else
        skip_value(r, 0);
}

/* Walk the members of the top-level object, handing each to fn. */
static bool read_object(const char *text, void (*fn)(jreader *, const char *, void *), void *ud)
{
    jreader r = {text, false};
    if (!eat(&r, '{'))
        return false;
    if (!maybe(&r, '}')) {
        do {
            char *key = str(&r);
            if (!key || !eat(&r, ':')) {
                free(key);
                return false;
            }
            fn(&r, key, ud);
            free(key);
        } while (!r.bad && maybe(&r, ','));
        eat(&r, '}');
    }
    ws(&r);
    return !r.bad && *r.p == '\0';
}

static void person_cb(jreader *r, const char *key, void *ud)
{
    person_member(r, key, ud);
}

static void document_cb(jreader *r, const char *key, void *ud)
{
    document_member(r, key, ud);
}

bool entry_person_from_json(const char *text, limes_watch_person *p)
{
    return read_object(text, person_cb, p) && p->nnames > 0;
}

bool entry_document_from_json(const char *text, limes_watch_document *d)
{
    return read_object(text, document_cb, d) && d->number != NULL;
}
