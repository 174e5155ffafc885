/*
 * import_csv.c - the national list CSV formats (docs/lists-csv.md): one
 * file of persons, one of documents (stolen, lost, revoked, blank).  The
 * first line is a header naming the columns (any order); a wrong or
 * missing column, a bad date, an unknown status, a duplicate ref or bytes
 * that are not UTF-8 fail the whole file with the line and column named,
 * so nothing half-imported ever reaches the store.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lists_int.h"

#define CSV_PERSONS_DEFAULT_ACTION "refuse_entry"
#define CSV_DOCUMENTS_DEFAULT_ACTION "seize_document"
#define CSV_MAX_COLUMNS 16

/* Column names of each format; index = position in the table. */
enum { P_REF, P_FULL, P_GIVEN, P_FAMILY, P_ALIASES, P_WEAK, P_DOB, P_NAT, P_GENDER, P_POB,
       P_DOCS, P_ACTION, P_REMARKS, P_COUNT };
static const char *const person_columns[P_COUNT] = {
    "ref", "full_name", "given_name", "family_name", "aliases", "weak_aliases", "dob",
    "nationality", "gender", "place_of_birth", "documents", "action", "remarks"};

enum { D_REF, D_NUMBER, D_ISSUER, D_TYPE, D_STATUS, D_REPORTED, D_ACTION, D_COUNT };
static const char *const document_columns[D_COUNT] = {"ref",    "number",   "issuer", "type",
                                                      "status", "reported", "action"};

/* Where each known column sits in the file (-1 = absent). */
typedef struct csv_layout {
    int at[CSV_MAX_COLUMNS];
    size_t nfields;
} csv_layout;

static limes_rc read_header(csv_reader *r, const char *const *names, int n, csv_layout *lay,
                            limes_error *err)
{
    int got = csv_next(r, err);
    if (got < 0)
        return err ? err->rc : LIMES_INVALID;
    if (got == 0)
        return limes_fail(err, LIMES_INVALID, "file", "the file is empty (a header line is needed)");
    for (int i = 0; i < n; i++)
        lay->at[i] = -1;
    lay->nfields = r->nfields;
    for (size_t f = 0; f < r->nfields; f++) {
        char *h = r->fields[f];
        while (isspace((unsigned char)*h))
            h++;
        h[strcspn(h, " \t\r")] = '\0';
        int k = 0;
        while (k < n && strcasecmp(h, names[k]) != 0)
            k++;
        if (k == n)
            return limes_fail(err, LIMES_INVALID, "header",
                              "line 1, column %zu: unknown column '%.*s'", f + 1,
                              utf8_prefix(h, 60), h);
        if (lay->at[k] >= 0)
            return limes_fail(err, LIMES_INVALID, "header",
                              "line 1, column %zu: column '%s' appears twice", f + 1, names[k]);
        lay->at[k] = (int)f;
    }
    return LIMES_OK;
}

/* The trimmed value of known column k in the current row ("" if the column is absent). */
static const char *col(csv_reader *r, const csv_layout *lay, int k)
{
    if (lay->at[k] < 0)
        return "";
    char *s = r->fields[lay->at[k]];
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static limes_rc bad_cell(limes_error *err, csv_reader *r, const csv_layout *lay, int k,
                         const char *const *names, const char *what, const char *value)
{
    return limes_fail(err, LIMES_INVALID, names[k], "line %zu, column %d (%s): %s: '%.*s'",
                      r->line, lay->at[k] + 1, names[k], what, utf8_prefix(value, 60), value);
}

/* Split s on '|' into trimmed non-empty pieces, calling fn for each; stops at the first error. */
typedef limes_rc (*piece_fn)(const char *piece, limes_watch_person *p, const char **why);

static limes_rc each_piece(const char *s, limes_watch_person *p, piece_fn fn, const char **why)
{
    char *copy = strdup(s);
    if (!copy)
        return LIMES_NOMEM;
    limes_rc rc = LIMES_OK;
    char *save = NULL;
    for (char *t = strtok_r(copy, "|", &save); t && !rc; t = strtok_r(NULL, "|", &save)) {
        char *v = lists_strndup_trim(t, strlen(t));
        if (!v) {
            rc = LIMES_NOMEM;
            break;
        }
        if (*v)
            rc = fn(v, p, why);
        free(v);
    }
    free(copy);
    return rc;
}

static limes_rc piece_alias(const char *v, limes_watch_person *p, const char **why)
{
    return person_add_name(p, v, NULL, NULL, LIMES_NAME_STRONG_ALIAS);
}

static limes_rc piece_weak(const char *v, limes_watch_person *p, const char **why)
{
    return person_add_name(p, v, NULL, NULL, LIMES_NAME_WEAK_ALIAS);
}

/* "1970-05-01", "1970-05", "1970" or a range of years "1960..1962". */
static limes_rc piece_dob(const char *v, limes_watch_person *p, const char **why)
{
    const char *dots = strstr(v, "..");
    limes_watch_dob a, b;
    *why = "not a date of birth (YYYY, YYYY-MM, YYYY-MM-DD or YYYY..YYYY)";
    if (dots) {
        char from[16];
        snprintf(from, sizeof from, "%.*s", (int)(dots - v) < 15 ? (int)(dots - v) : 15, v);
        if (strlen(from) != 4 || !dob_parse_iso(from, &a) || strlen(dots + 2) != 4 ||
            !dob_parse_iso(dots + 2, &b) || b.year <= a.year)
            return LIMES_INVALID;
        return person_add_dob(p, a.year, 0, 0, b.year);
    }
    if (!dob_parse_iso(v, &a))
        return LIMES_INVALID;
    return person_add_dob(p, a.year, a.month, a.day, 0);
}

static limes_rc piece_nationality(const char *v, limes_watch_person *p, const char **why)
{
    char a3[4];
    country_code_alpha3(v, a3);
    *why = "not a country code (ISO alpha-3, alpha-2 or a country name)";
    return *a3 ? person_add_nationality(p, a3) : LIMES_INVALID;
}

/* "NUMBER", "NUMBER/ISSUER" or "NUMBER/ISSUER/TYPE". */
static limes_rc piece_document(const char *v, limes_watch_person *p, const char **why)
{
    char number[128] = "", issuer[64] = "", type[64] = "";
    const char *s1 = strchr(v, '/');
    const char *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
    *why = "not a document (NUMBER, NUMBER/ISSUER or NUMBER/ISSUER/TYPE)";
    size_t nlen = s1 ? (size_t)(s1 - v) : strlen(v);
    if (nlen == 0 || nlen >= sizeof number || (s2 && strchr(s2 + 1, '/')))
        return LIMES_INVALID;
    memcpy(number, v, nlen);
    size_t ilen = s1 ? (s2 ? (size_t)(s2 - s1 - 1) : strlen(s1 + 1)) : 0;
    if (ilen >= sizeof issuer || (s2 && strlen(s2 + 1) >= sizeof type))
        return LIMES_INVALID; /* never cut text: a cut may split a UTF-8 sequence */
    if (s1)
        memcpy(issuer, s1 + 1, ilen);
    if (s2)
        memcpy(type, s2 + 1, strlen(s2 + 1) + 1);
    char a3[4] = "";
    if (*issuer) {
        country_code_alpha3(issuer, a3);
        if (!*a3) {
            *why = "unknown issuing country in document";
            return LIMES_INVALID;
        }
    }
    return person_add_doc(p, number, a3, *type ? type : "passport");
}

static limes_rc person_lists(csv_reader *r, const csv_layout *lay, limes_watch_person *p,
                             limes_error *err)
{
    static const struct {
        int column;
        piece_fn fn;
    } lists[] = {{P_ALIASES, piece_alias},   {P_WEAK, piece_weak}, {P_DOB, piece_dob},
                 {P_NAT, piece_nationality}, {P_DOCS, piece_document}};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        const char *why = "invalid value";
        const char *v = col(r, lay, lists[i].column);
        limes_rc rc = each_piece(v, p, lists[i].fn, &why);
        if (rc == LIMES_NOMEM)
            return limes_fail(err, rc, "file", "out of memory");
        if (rc)
            return bad_cell(err, r, lay, lists[i].column, person_columns, why, v);
    }
    return LIMES_OK;
}

static limes_rc person_names(csv_reader *r, const csv_layout *lay, limes_watch_person *p,
                             limes_error *err)
{
    const char *full = col(r, lay, P_FULL), *given = col(r, lay, P_GIVEN),
               *family = col(r, lay, P_FAMILY);
    char *joined = NULL;
    if (!*full) {
        size_t n = strlen(given) + strlen(family) + 2;
        if (!(joined = malloc(n)))
            return limes_fail(err, LIMES_NOMEM, "file", "out of memory");
        snprintf(joined, n, "%s%s%s", given, *given && *family ? " " : "", family);
        full = joined;
    }
    limes_rc rc = LIMES_OK;
    if (!*full)
        rc = limes_fail(err, LIMES_INVALID, "full_name",
                        "line %zu: no name (full_name or given_name/family_name)", r->line);
    else if (person_add_name(p, full, given, family, LIMES_NAME_PRIMARY))
        rc = limes_fail(err, LIMES_NOMEM, "file", "out of memory");
    free(joined);
    return rc;
}

static limes_rc person_scalars(csv_reader *r, const csv_layout *lay, limes_watch_person *p,
                               limes_error *err)
{
    const char *g = col(r, lay, P_GENDER), *action = col(r, lay, P_ACTION);
    if (*g && strcasecmp(g, "M") && strcasecmp(g, "F"))
        return bad_cell(err, r, lay, P_GENDER, person_columns, "gender must be M, F or empty", g);
    p->gender = *g ? (char)toupper((unsigned char)*g) : 0;
    if (*action && !action_valid(action))
        return bad_cell(err, r, lay, P_ACTION, person_columns,
                        "action must be lower-case letters and '_'", action);
    const char *pob = col(r, lay, P_POB), *remarks = col(r, lay, P_REMARKS);
    if ((*action && !(p->action = strdup(action))) || person_add_pob(p, pob) ||
        (*remarks && !(p->remarks = strdup(remarks))))
        return limes_fail(err, LIMES_NOMEM, "file", "out of memory");
    return LIMES_OK;
}

/* Has an earlier entry used this ref?  (A sorted check at the end would lose the line.) */
static bool ref_seen(json_t *seen, const char *ref)
{
    if (json_object_get(seen, ref))
        return true;
    json_object_set_new(seen, ref, json_true());
    return false;
}

static limes_rc csv_row_shape(csv_reader *r, const csv_layout *lay, limes_error *err)
{
    if (r->nfields != lay->nfields)
        return limes_fail(err, LIMES_INVALID, "line", "line %zu: %zu fields, the header has %zu",
                          r->line, r->nfields, lay->nfields);
    return LIMES_OK;
}

static limes_rc person_row(csv_reader *r, const csv_layout *lay, limes_watch_set *set,
                           json_t *seen, limes_error *err)
{
    limes_rc rc = csv_row_shape(r, lay, err);
    if (rc)
        return rc;
    const char *ref = col(r, lay, P_REF);
    if (!*ref)
        return bad_cell(err, r, lay, P_REF, person_columns, "ref is empty", ref);
    if (ref_seen(seen, ref))
        return bad_cell(err, r, lay, P_REF, person_columns, "ref used twice in the file", ref);
    limes_watch_person *p = set_add_person(set);
    if (!p || !(p->ref = strdup(ref)))
        return limes_fail(err, LIMES_NOMEM, "file", "out of memory");
    rc = person_names(r, lay, p, err);
    if (!rc)
        rc = person_lists(r, lay, p, err);
    if (!rc)
        rc = person_scalars(r, lay, p, err);
    return rc;
}

static limes_rc check_text(const char *data, size_t len, limes_error *err)
{
    size_t bad;
    if (len == 0)
        return limes_fail(err, LIMES_INVALID, "file", "the file is empty (a header line is needed)");
    if (utf8_valid(data, len, &bad))
        return LIMES_OK;
    size_t line = 1, start = 0;
    for (size_t i = 0; i < bad; i++)
        if (data[i] == '\n') {
            line++;
            start = i + 1;
        }
    /* Name the CSV column: count separators outside quotes on that line. */
    size_t column = 1;
    bool quoted = false;
    for (size_t i = start; i < bad; i++) {
        if (data[i] == '"')
            quoted = !quoted;
        else if (data[i] == ',' && !quoted)
            column++;
    }
    return limes_fail(err, LIMES_INVALID, "file",
                      "line %zu, column %zu: invalid UTF-8 (byte %zu of the line)", line, column,
                      bad - start + 1);
}

typedef limes_rc (*row_fn)(csv_reader *r, const csv_layout *lay, limes_watch_set *set,
                           json_t *seen, limes_error *err);

static limes_rc csv_import(const char *data, size_t len, const char *const *names, int ncols,
                           int required_a, int required_b, row_fn row,
                           const limes_import_options *opt, limes_watch_set *set,
                           limes_error *err)
{
    limes_rc rc = check_text(data, len, err);
    if (rc)
        return rc;
    csv_reader r;
    csv_open(&r, data, len);
    csv_layout lay;
    json_t *seen = json_object();
    rc = read_header(&r, names, ncols, &lay, err);
    if (!rc && lay.at[required_a] < 0)
        rc = limes_fail(err, LIMES_INVALID, "header", "line 1: column '%s' is missing",
                        names[required_a]);
    if (!rc && required_b >= 0 && lay.at[required_b] < 0)
        rc = limes_fail(err, LIMES_INVALID, "header", "line 1: column '%s' is missing",
                        names[required_b]);
    int got = 0;
    while (!rc && (got = csv_next(&r, err)) == 1) {
        rc = row(&r, &lay, set, seen, err);
        if (r.line % 1024 == 0)
            progress_report(opt, "parse", (uint64_t)(r.pos - r.data), len);
    }
    if (!rc && got < 0)
        rc = err ? err->rc : LIMES_INVALID;
    if (!rc)
        progress_report(opt, "parse", len, len);
    if (!rc && set->npersons + set->ndocuments == 0)
        rc = limes_fail(err, LIMES_INVALID, "file", "the file holds a header but no entries");
    json_decref(seen);
    csv_close(&r);
    return rc;
}

/* Persons need a ref and a name column (full_name, or given_name/family_name). */
static limes_rc persons_columns_ok(const csv_layout *lay, limes_error *err)
{
    if (lay->at[P_FULL] < 0 && lay->at[P_GIVEN] < 0 && lay->at[P_FAMILY] < 0)
        return limes_fail(err, LIMES_INVALID, "header",
                          "line 1: a name column is missing (full_name, or given_name and "
                          "family_name)");
    return LIMES_OK;
}

static limes_rc person_row_checked(csv_reader *r, const csv_layout *lay, limes_watch_set *set,
                                   json_t *seen, limes_error *err)
{
    limes_rc rc = persons_columns_ok(lay, err);
    return rc ? rc : person_row(r, lay, set, seen, err);
}

limes_rc limes_import_csv_persons(const char *data, size_t len, const limes_import_options *opt,
                                  limes_watch_set **out, limes_import_report *report,
                                  limes_error *err)
{
    *out = NULL;
    limes_watch_set *set = set_new();
    if (!set)
        return limes_fail(err, LIMES_NOMEM, "file", "out of memory");
    limes_rc rc = csv_import(data, len, person_columns, P_COUNT, P_REF, -1, person_row_checked,
                             opt, set, err);
    if (!rc)
        rc = set_finish(set, opt, CSV_PERSONS_DEFAULT_ACTION, report, err);
    if (rc) {
        limes_watch_set_free(set);
        return rc;
    }
    *out = set;
    return LIMES_OK;
}

/* ---- documents ---- */

static bool status_valid(const char *s)
{
    return strcmp(s, "stolen") == 0 || strcmp(s, "lost") == 0 || strcmp(s, "revoked") == 0 ||
           strcmp(s, "blank") == 0;
}

static limes_rc document_row(csv_reader *r, const csv_layout *lay, limes_watch_set *set,
                             json_t *seen, limes_error *err)
{
    limes_rc rc = csv_row_shape(r, lay, err);
    if (rc)
        return rc;
    const char *number = col(r, lay, D_NUMBER), *issuer = col(r, lay, D_ISSUER),
               *status = col(r, lay, D_STATUS), *reported = col(r, lay, D_REPORTED),
               *action = col(r, lay, D_ACTION), *type = col(r, lay, D_TYPE),
               *ref = col(r, lay, D_REF);
    char a3[4] = "";
    if (!*number || strlen(number) > 64)
        return bad_cell(err, r, lay, D_NUMBER, document_columns,
                        "number must have 1 to 64 characters", number);
    if (*issuer && (country_code_alpha3(issuer, a3), !*a3))
        return bad_cell(err, r, lay, D_ISSUER, document_columns, "unknown issuing country",
                        issuer);
    if (!status_valid(status))
        return bad_cell(err, r, lay, D_STATUS, document_columns,
                        "status must be stolen, lost, revoked or blank", status);
    limes_watch_dob rd;
    if (*reported && (strlen(reported) != 10 || !dob_parse_iso(reported, &rd)))
        return bad_cell(err, r, lay, D_REPORTED, document_columns,
                        "reported must be a date YYYY-MM-DD", reported);
    if (*action && !action_valid(action))
        return bad_cell(err, r, lay, D_ACTION, document_columns,
                        "action must be lower-case letters and '_'", action);
    char key[160];
    snprintf(key, sizeof key, "%s/%s", *ref ? ref : number, a3);
    if (ref_seen(seen, key))
        return bad_cell(err, r, lay, *ref ? D_REF : D_NUMBER, document_columns,
                        "document listed twice in the file", *ref ? ref : number);
    limes_watch_document *d = set_add_document(set);
    if (!d)
        return limes_fail(err, LIMES_NOMEM, "file", "out of memory");
    memcpy(d->issuer, a3, 4);
    snprintf(d->reported, sizeof d->reported, "%s", reported);
    d->number = strdup(number);
    d->type = strdup(*type ? type : "passport");
    d->status = strdup(status);
    d->ref = *ref ? strdup(ref) : NULL;
    d->action = *action ? strdup(action) : NULL;
    if (!d->number || !d->type || !d->status || (*ref && !d->ref) || (*action && !d->action))
        return limes_fail(err, LIMES_NOMEM, "file", "out of memory");
    return LIMES_OK;
}

limes_rc limes_import_csv_documents(const char *data, size_t len,
                                    const limes_import_options *opt, limes_watch_set **out,
                                    limes_import_report *report, limes_error *err)
{
    *out = NULL;
    limes_watch_set *set = set_new();
    if (!set)
        return limes_fail(err, LIMES_NOMEM, "file", "out of memory");
    limes_rc rc = csv_import(data, len, document_columns, D_COUNT, D_NUMBER, D_STATUS,
                             document_row, opt, set, err);
    if (!rc)
        rc = set_finish(set, opt, CSV_DOCUMENTS_DEFAULT_ACTION, report, err);
    if (rc) {
        limes_watch_set_free(set);
        return rc;
    }
    *out = set;
    return LIMES_OK;
}
