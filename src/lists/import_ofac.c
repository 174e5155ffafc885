/*
 * import_ofac.c - the OFAC SDN list in its legacy CSV set: sdn.csv (one
 * row per listed party), alt.csv (aliases by ent_num) and add.csv
 * (addresses).  No header; empty fields are "-0-" (often with trailing
 * spaces); lines end in CRLF and the files end with a 0x1A byte.
 *
 * Only individuals become entries (vessels, aircraft and entities are
 * counted as skipped).  The name "SURNAME, Given" gives family and given
 * names; alt.csv adds strong aliases (aka, fka, nka); the Remarks field
 * gives dates of birth ("DOB 01 Jan 1960; alt. DOB 1961", "circa 1960",
 * "1960 to 1962"), places of birth, nationalities and citizenships,
 * passports and national identity numbers ("Passport A123456 (Egypt)"),
 * gender, and weak aliases ("a.k.a. 'ABU ALI'").  ref = ent_num.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lists_int.h"

#define OFAC_DEFAULT_ACTION "refuse_entry"

/* Field i of the current record, trimmed, "" for "-0-".  Points into scratch (mutated). */
static const char *ofac_field(csv_reader *r, size_t i)
{
    if (i >= r->nfields)
        return "";
    char *s = r->fields[i];
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return strcmp(s, "-0-") == 0 ? "" : s;
}

/* ---- Remarks ---- */

static int month_number(const char *s)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    if (strlen(s) < 3)
        return 0;
    for (int i = 0; i < 12; i++)
        if (strncasecmp(s, months + 3 * i, 3) == 0)
            return i + 1;
    return 0;
}

/* "01 Jan 1960", "Jan 1960", "1960" (after "circa ") -> parts; false if not a date. */
static bool ofac_date(const char *s, int *y, int *m, int *d)
{
    char w[3][16] = {{0}};
    int n = sscanf(s, "%15s %15s %15s", w[0], w[1], w[2]);
    *y = *m = *d = 0;
    if (n >= 1 && strcasecmp(w[0], "circa") == 0)
        return ofac_date(s + 5 + strspn(s + 5, " "), y, m, d);
    const char *year = n == 3 ? w[2] : n == 2 ? w[1] : n == 1 ? w[0] : NULL;
    if (!year || strlen(year) != 4 || !isdigit((unsigned char)year[0]) ||
        strspn(year, "0123456789") != 4)
        return false;
    *y = atoi(year);
    if (n >= 2 && !(*m = month_number(n == 3 ? w[1] : w[0])))
        return false;
    if (n == 3)
        *d = atoi(w[0]);
    if (*d < 0 || *d > 31 || *y < 1800 || *y > 2200)
        return false;
    return true;
}

static limes_rc remark_dob(const char *v, limes_watch_person *p)
{
    const char *to = strstr(v, " to ");
    int y, m, d;
    if (!to)
        return ofac_date(v, &y, &m, &d) ? person_add_dob(p, y, m, d, 0) : LIMES_OK;
    char from[64];
    snprintf(from, sizeof from, "%.*s", (int)(to - v) < 63 ? (int)(to - v) : 63, v);
    int y2, m2, d2;
    if (!ofac_date(from, &y, &m, &d) || !ofac_date(to + 4, &y2, &m2, &d2))
        return LIMES_OK;
    return person_add_dob(p, y, 0, 0, y2 > y ? y2 : 0);
}

/* "A123456 (Egypt) issued 01 Jan 2000 expires ..." -> number and issuing country. */
static limes_rc remark_document(const char *v, const char *type, limes_watch_person *p)
{
    size_t n = strlen(v);
    const char *paren = strstr(v, " (");
    const char *issued = strstr(v, " issued");
    const char *expires = strstr(v, " expires");
    if (paren && (size_t)(paren - v) < n)
        n = (size_t)(paren - v);
    if (issued && (size_t)(issued - v) < n)
        n = (size_t)(issued - v);
    if (expires && (size_t)(expires - v) < n)
        n = (size_t)(expires - v);
    char number[128], country[128] = "", a3[4] = "";
    if (n >= sizeof number)
        return LIMES_OK; /* not a document number; never cut UTF-8 text */
    memcpy(number, v, n);
    number[n] = '\0';
    if (paren) {
        const char *close = strchr(paren, ')');
        if (close)
            snprintf(country, sizeof country, "%.*s", (int)(close - paren - 2), paren + 2);
        country_alpha3(country, a3);
    }
    return person_add_doc(p, number, a3, type);
}

/* "a.k.a. 'ABU ALI'" -> ABU ALI (the outer quotes only: names may hold apostrophes). */
static limes_rc remark_aka(const char *v, limes_watch_person *p)
{
    size_t n = strlen(v);
    if (n && v[0] == '\'') {
        v++;
        n--;
    }
    while (n && (v[n - 1] == '.' || v[n - 1] == ' '))
        n--;
    if (n && v[n - 1] == '\'')
        n--;
    char *name = lists_strndup_trim(v, n);
    if (!name)
        return LIMES_NOMEM;
    limes_rc rc = person_add_name(p, name, NULL, NULL, LIMES_NAME_WEAK_ALIAS);
    free(name);
    return rc;
}

/* Does item start with word (case-sensitive, as OFAC writes it)? Returns the rest. */
static const char *after(const char *item, const char *word)
{
    size_t n = strlen(word);
    return strncmp(item, word, n) == 0 ? item + n : NULL;
}

static limes_rc remark_item(char *item, limes_watch_person *p)
{
    const char *v;
    char a3[4];
    if ((v = after(item, "a.k.a. ")))
        return remark_aka(v, p);
    size_t n = strlen(item);
    while (n && item[n - 1] == '.') /* the last item ends the sentence */
        item[--n] = '\0';
    if ((v = after(item, "alt. ")))
        item += 5;
    if ((v = after(item, "DOB ")))
        return remark_dob(v, p);
    if ((v = after(item, "POB ")))
        return person_add_pob(p, v);
    if ((v = after(item, "nationality ")) || (v = after(item, "citizen "))) {
        country_alpha3(v, a3);
        return person_add_nationality(p, a3);
    }
    if ((v = after(item, "Passport ")) || (v = after(item, "Diplomatic Passport ")))
        return remark_document(v, "passport", p);
    if ((v = after(item, "National ID No. ")))
        return remark_document(v, "national id", p);
    if ((v = after(item, "Gender "))) {
        if (strcmp(v, "Male") == 0)
            p->gender = 'M';
        else if (strcmp(v, "Female") == 0)
            p->gender = 'F';
    }
    return LIMES_OK;
}

static limes_rc ofac_remarks(const char *remarks, limes_watch_person *p)
{
    if (!*remarks)
        return LIMES_OK;
    p->remarks = strdup(remarks);
    char *copy = strdup(remarks);
    if (!p->remarks || !copy) {
        free(copy);
        return LIMES_NOMEM;
    }
    limes_rc rc = LIMES_OK;
    char *save = NULL;
    for (char *item = strtok_r(copy, ";", &save); item && !rc;
         item = strtok_r(NULL, ";", &save)) {
        while (isspace((unsigned char)*item))
            item++;
        rc = remark_item(item, p);
    }
    free(copy);
    return rc;
}

/* ---- the three files ---- */

typedef struct ent_index {
    int64_t ent_num;
    size_t person;
} ent_index;

static int cmp_ent(const void *a, const void *b)
{
    int64_t x = ((const ent_index *)a)->ent_num, y = ((const ent_index *)b)->ent_num;
    return x < y ? -1 : x > y;
}

static bool parse_ent_num(const char *s, int64_t *out)
{
    if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 12)
        return false;
    *out = strtoll(s, NULL, 10);
    return true;
}

/* Where in the text is byte offset `off`: line and column (1-based). */
static void locate(const char *data, size_t off, size_t *line, size_t *col)
{
    *line = 1;
    size_t start = 0;
    for (size_t i = 0; i < off; i++)
        if (data[i] == '\n') {
            (*line)++;
            start = i + 1;
        }
    *col = off - start + 1;
}

static limes_rc check_utf8(const char *file, const char *data, size_t len, limes_error *err)
{
    size_t bad, line, col;
    if (utf8_valid(data, len, &bad))
        return LIMES_OK;
    locate(data, bad, &line, &col);
    return limes_fail(err, LIMES_INVALID, "file", "%s line %zu, column %zu: invalid UTF-8",
                      file, line, col);
}

static limes_rc sdn_row(csv_reader *r, limes_watch_set *set, ent_index *idx, size_t *nidx,
                        limes_import_report *report, limes_error *err)
{
    if (r->nfields != 12)
        return limes_fail(err, LIMES_INVALID, "sdn.csv",
                          "sdn.csv line %zu: %zu fields, an SDN row has 12", r->line, r->nfields);
    int64_t ent;
    if (!parse_ent_num(ofac_field(r, 0), &ent))
        return limes_fail(err, LIMES_INVALID, "sdn.csv",
                          "sdn.csv line %zu, column 1: ent_num is not a number", r->line);
    const char *type = ofac_field(r, 2), *name = ofac_field(r, 1);
    if (strcasecmp(type, "individual") != 0) {
        char reason[96];
        snprintf(reason, sizeof reason, "%s, not an individual", *type ? type : "entity");
        limes_import_report_skip(report, reason, 1);
        return LIMES_OK;
    }
    limes_watch_person *p = set_add_person(set);
    if (!p || !(p->ref = strdup(ofac_field(r, 0))))
        return limes_fail(err, LIMES_NOMEM, "sdn.csv", "out of memory");
    const char *comma = strstr(name, ", ");
    char *family = comma ? lists_strndup_trim(name, (size_t)(comma - name)) : NULL;
    limes_rc rc = person_add_name(p, name, comma ? comma + 2 : NULL, family, LIMES_NAME_PRIMARY);
    free(family);
    if (!rc)
        rc = ofac_remarks(ofac_field(r, 11), p);
    if (rc)
        return limes_fail(err, rc, "sdn.csv", "out of memory");
    if (p->nnames == 0) {
        set_drop_last_person(set);
        limes_import_report_skip(report, "individual without a name", 1);
        return LIMES_OK;
    }
    idx[*nidx].ent_num = ent;
    idx[(*nidx)++].person = set->npersons - 1;
    return LIMES_OK;
}

static limes_rc read_sdn(const char *data, size_t len, limes_watch_set *set, ent_index **idx,
                         size_t *nidx, const limes_import_options *opt,
                         limes_import_report *report, limes_error *err)
{
    csv_reader r;
    csv_open(&r, data, len);
    size_t cap = 1024;
    *idx = malloc(cap * sizeof **idx);
    *nidx = 0;
    limes_rc rc = *idx ? LIMES_OK : limes_fail(err, LIMES_NOMEM, "sdn.csv", "out of memory");
    int got = 0;
    while (!rc && (got = csv_next(&r, err)) == 1) {
        if (*nidx == cap) {
            ent_index *grown = realloc(*idx, 2 * cap * sizeof **idx);
            if (!grown) {
                rc = limes_fail(err, LIMES_NOMEM, "sdn.csv", "out of memory");
                break;
            }
            *idx = grown;
            cap *= 2;
        }
        rc = sdn_row(&r, set, *idx, nidx, report, err);
        if (r.line % 512 == 0)
            progress_report(opt, "parse", (uint64_t)(r.pos - r.data), len);
    }
    if (!rc && got < 0)
        rc = err ? err->rc : LIMES_INVALID;
    csv_close(&r);
    if (!rc) {
        progress_report(opt, "parse", len, len);
        qsort(*idx, *nidx, sizeof **idx, cmp_ent);
    }
    return rc;
}

static limes_rc alt_row(csv_reader *r, limes_watch_set *set, const ent_index *idx, size_t nidx,
                        limes_error *err)
{
    if (r->nfields != 5)
        return limes_fail(err, LIMES_INVALID, "alt.csv",
                          "alt.csv line %zu: %zu fields, an alias row has 5", r->line, r->nfields);
    ent_index key;
    if (!parse_ent_num(ofac_field(r, 0), &key.ent_num))
        return limes_fail(err, LIMES_INVALID, "alt.csv",
                          "alt.csv line %zu, column 1: ent_num is not a number", r->line);
    const ent_index *hit = bsearch(&key, idx, nidx, sizeof *idx, cmp_ent);
    if (!hit)
        return LIMES_OK; /* an alias of an entity or vessel */
    const char *remarks = ofac_field(r, 4);
    limes_name_quality q = strcasestr(remarks, "weak") || strcasestr(remarks, "low quality")
                               ? LIMES_NAME_WEAK_ALIAS
                               : LIMES_NAME_STRONG_ALIAS;
    const char *name = ofac_field(r, 3);
    const char *comma = strstr(name, ", ");
    char *family = comma ? lists_strndup_trim(name, (size_t)(comma - name)) : NULL;
    limes_rc rc = person_add_name(&set->persons[hit->person], name, comma ? comma + 2 : NULL,
                                  family, q);
    free(family);
    return rc ? limes_fail(err, rc, "alt.csv", "out of memory") : LIMES_OK;
}

static limes_rc read_alt(const char *data, size_t len, limes_watch_set *set,
                         const ent_index *idx, size_t nidx, limes_error *err)
{
    csv_reader r;
    csv_open(&r, data, len);
    limes_rc rc = LIMES_OK;
    int got = 0;
    while (!rc && (got = csv_next(&r, err)) == 1)
        rc = alt_row(&r, set, idx, nidx, err);
    if (!rc && got < 0)
        rc = err ? err->rc : LIMES_INVALID;
    csv_close(&r);
    return rc;
}

/* add.csv holds addresses, which screening does not use; it is checked for shape only. */
static limes_rc read_add(const char *data, size_t len, limes_error *err)
{
    csv_reader r;
    csv_open(&r, data, len);
    limes_rc rc = LIMES_OK;
    int got = 0;
    while (!rc && (got = csv_next(&r, err)) == 1) {
        int64_t ent;
        if (r.nfields != 6)
            rc = limes_fail(err, LIMES_INVALID, "add.csv",
                            "add.csv line %zu: %zu fields, an address row has 6", r.line,
                            r.nfields);
        else if (!parse_ent_num(ofac_field(&r, 0), &ent))
            rc = limes_fail(err, LIMES_INVALID, "add.csv",
                            "add.csv line %zu, column 1: ent_num is not a number", r.line);
    }
    if (!rc && got < 0)
        rc = err ? err->rc : LIMES_INVALID;
    csv_close(&r);
    return rc;
}

limes_rc limes_import_ofac(const char *sdn, size_t sdn_len, const char *alt, size_t alt_len,
                           const char *add, size_t add_len, const limes_import_options *opt,
                           limes_watch_set **out, limes_import_report *report,
                           limes_error *err)
{
    *out = NULL;
    if (!sdn || sdn_len == 0)
        return limes_fail(err, LIMES_INVALID, "sdn.csv", "sdn.csv is empty");
    limes_rc rc = check_utf8("sdn.csv", sdn, sdn_len, err);
    if (!rc && alt)
        rc = check_utf8("alt.csv", alt, alt_len, err);
    if (!rc && add)
        rc = check_utf8("add.csv", add, add_len, err);
    if (rc)
        return rc;
    limes_watch_set *set = set_new();
    if (!set)
        return limes_fail(err, LIMES_NOMEM, "sdn.csv", "out of memory");
    ent_index *idx = NULL;
    size_t nidx = 0;
    rc = read_sdn(sdn, sdn_len, set, &idx, &nidx, opt, report, err);
    if (!rc && set->npersons == 0 && nidx == 0 && !(report && report->skipped))
        rc = limes_fail(err, LIMES_INVALID, "sdn.csv", "sdn.csv holds no rows");
    if (!rc && alt)
        rc = read_alt(alt, alt_len, set, idx, nidx, err);
    if (!rc && add)
        rc = read_add(add, add_len, err);
    free(idx);
    if (!rc)
        rc = set_finish(set, opt, OFAC_DEFAULT_ACTION, report, err);
    if (rc) {
        limes_watch_set_free(set);
        return rc;
    }
    *out = set;
    return LIMES_OK;
}

limes_rc limes_import_ofac_files(const char *sdn_path, const char *alt_path,
                                 const char *add_path, const limes_import_options *opt,
                                 limes_watch_set **out, limes_import_report *report,
                                 limes_error *err)
{
    char *data[3] = {NULL, NULL, NULL};
    size_t len[3] = {0, 0, 0};
    const char *paths[3] = {sdn_path, alt_path, add_path};
    limes_rc rc = LIMES_OK;
    *out = NULL;
    for (int i = 0; i < 3 && !rc; i++)
        if (paths[i])
            rc = read_file_all(paths[i], LISTS_MAX_FILE, &data[i], &len[i], err);
    if (!rc)
        rc = limes_import_ofac(data[0], len[0], data[1], len[1], data[2], len[2], opt, out,
                               report, err);
    for (int i = 0; i < 3; i++)
        free(data[i]);
    return rc;
}
