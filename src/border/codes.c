/*
 * codes.c - the code tables of the border records, as data: refusal
 * reasons (Schengen Borders Code Annex V Part B, A-I) and detection kinds
 * with their fraud types.  The defaults are compiled in from
 * src/border/refusal_codes.csv and detection_codes.csv; a partner state replaces the refusal table with its own
 * file.  Tables are parsed once; a replaced table is kept reachable (never
 * freed) because a request on another thread may still be reading it.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "border_int.h"
#include "core/embed.h"

extern const struct embedded_file border_data[];
extern const size_t border_data_count;

#define MAX_CODES 64

struct code_row {
    char code[32];
    char fraud_type[32]; /* detections only */
    char label_en[200];
    char label_fr[200];
};

struct code_table {
    char name[64];
    struct code_row rows[MAX_CODES];
    int n;
    const struct code_table *previous;
};

static const struct code_table *refusals, *detections;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t swap_lock = PTHREAD_MUTEX_INITIALIZER;

int border_csv_split(char *line, char **cols, int max)
{
    int n = 0;
    char *r = line, *w = line;
    while (n < max) {
        cols[n++] = w;
        bool quoted = *r == '"';
        if (quoted)
            r++;
        for (;;) {
            if (!*r)
                break;
            if (quoted && *r == '"' && r[1] == '"') {
                *w++ = '"';
                r += 2;
            } else if (quoted && *r == '"') {
                quoted = false;
                r++;
            } else if (!quoted && *r == ',') {
                break;
            } else {
                *w++ = *r++;
            }
        }
        bool more = *r == ',';
        *w++ = '\0';
        if (!more)
            return n;
        r++;
    }
    return n;
}

static bool code_ok(const char *c)
{
    size_t len = strlen(c);
    if (len < 1 || len > 8)
        return false;
    for (; *c; c++)
        if (!((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
            return false;
    return true;
}

/* Refusal table: "table,NAME" line, "code,..." header, then code,label_en,label_fr. */
static limes_rc parse_refusals(const char *text, struct code_table *t, limes_error *err)
{
    char *copy = strdup(text);
    if (!copy)
        return limes_fail(err, LIMES_NOMEM, "", "out of memory");
    limes_rc rc = LIMES_OK;
    int lineno = 0;
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line && !rc;
         line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        line[strcspn(line, "\r")] = '\0';
        if (!*line || line[0] == '#' || strncmp(line, "code,", 5) == 0)
            continue;
        char *c[3] = {0};
        int n = border_csv_split(line, c, 3);
        if (strcmp(c[0], "table") == 0 && n >= 2) {
            snprintf(t->name, sizeof t->name, "%s", c[1]);
        } else if (n < 2 || !code_ok(c[0]) || !*c[1]) {
            rc = limes_fail(err, LIMES_INVALID, "codes",
                            "line %d: expected code (A-Z, 0-9),label_en[,label_fr]", lineno);
        } else if (t->n == MAX_CODES) {
            rc = limes_fail(err, LIMES_TOO_LARGE, "codes", "more than %d codes", MAX_CODES);
        } else {
            struct code_row *r = &t->rows[t->n++];
            snprintf(r->code, sizeof r->code, "%s", c[0]);
            snprintf(r->label_en, sizeof r->label_en, "%s", c[1]);
            snprintf(r->label_fr, sizeof r->label_fr, "%s", n > 2 ? c[2] : "");
        }
    }
    free(copy);
    if (!rc && (!t->name[0] || t->n == 0))
        rc = limes_fail(err, LIMES_INVALID, "codes",
                        "a code table needs a 'table,NAME' line and at least one code");
    return rc;
}

static limes_rc parse_detections(const char *text, struct code_table *t)
{
    char *copy = strdup(text);
    if (!copy)
        return LIMES_NOMEM;
    char *save = NULL;
    snprintf(t->name, sizeof t->name, "detections");
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        line[strcspn(line, "\r")] = '\0';
        if (!*line || line[0] == '#' || strncmp(line, "kind,", 5) == 0)
            continue;
        char *c[3] = {0};
        if (border_csv_split(line, c, 3) < 3 || t->n == MAX_CODES)
            continue;
        struct code_row *r = &t->rows[t->n++];
        snprintf(r->code, sizeof r->code, "%s", c[0]);
        snprintf(r->fraud_type, sizeof r->fraud_type, "%s", c[1]);
        snprintf(r->label_en, sizeof r->label_en, "%s", c[2]);
    }
    free(copy);
    return LIMES_OK;
}

static void load_builtin(void)
{
    const struct embedded_file *f = embed_find(border_data, border_data_count,
                                               "refusal_codes.csv");
    struct code_table *t = calloc(1, sizeof *t);
    if (f && t && parse_refusals(f->data, t, NULL) == LIMES_OK)
        refusals = t;
    else
        free(t);
    f = embed_find(border_data, border_data_count, "detection_codes.csv");
    t = calloc(1, sizeof *t);
    if (f && t && parse_detections(f->data, t) == LIMES_OK)
        detections = t;
    else
        free(t);
}

static const struct code_table *get_table(const struct code_table *const *which)
{
    pthread_once(&once, load_builtin);
    pthread_mutex_lock(&swap_lock);
    const struct code_table *t = *which;
    pthread_mutex_unlock(&swap_lock);
    return t;
}

bool limes_refusal_code_known(const char *code)
{
    const struct code_table *t = get_table(&refusals);
    for (int i = 0; t && code && i < t->n; i++)
        if (strcmp(t->rows[i].code, code) == 0)
            return true;
    return false;
}

const char *border_refusal_table_name(void)
{
    const struct code_table *t = get_table(&refusals);
    return t ? t->name : "";
}

json_t *limes_refusal_codes(void)
{
    const struct code_table *t = get_table(&refusals);
    json_t *codes = json_array();
    for (int i = 0; t && i < t->n; i++)
        json_array_append_new(codes, json_pack("{s:s, s:s, s:s}", "code", t->rows[i].code,
                                               "label_en", t->rows[i].label_en, "label_fr",
                                               t->rows[i].label_fr));
    return json_pack("{s:s, s:o}", "table", t ? t->name : "", "codes", codes);
}

limes_rc limes_refusal_codes_load(const char *path, limes_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return limes_fail(err, LIMES_IO, "codes", "cannot open %s", path);
    char *text = calloc(1, 1 << 18);
    size_t len = text ? fread(text, 1, (1 << 18) - 1, f) : 0;
    fclose(f);
    (void)len;
    struct code_table *t = calloc(1, sizeof *t);
    if (!text || !t) {
        free(text);
        free(t);
        return limes_fail(err, LIMES_NOMEM, "", "out of memory");
    }
    limes_rc rc = parse_refusals(text, t, err);
    free(text);
    if (rc) {
        free(t);
        return rc;
    }
    pthread_once(&once, load_builtin);
    pthread_mutex_lock(&swap_lock);
    t->previous = refusals;
    refusals = t;
    pthread_mutex_unlock(&swap_lock);
    return LIMES_OK;
}

bool border_detection_known(const char *kind, const char *fraud_type)
{
    const struct code_table *t = get_table(&detections);
    for (int i = 0; t && i < t->n; i++)
        if (strcmp(t->rows[i].code, kind) == 0 &&
            strcmp(t->rows[i].fraud_type, fraud_type ? fraud_type : "") == 0)
            return true;
    return false;
}

json_t *limes_detection_codes(void)
{
    const struct code_table *t = get_table(&detections);
    json_t *kinds = json_array();
    for (int i = 0; t && i < t->n; i++)
        json_array_append_new(kinds, json_pack("{s:s, s:s, s:s}", "kind", t->rows[i].code,
                                               "fraud_type", t->rows[i].fraud_type, "label_en",
                                               t->rows[i].label_en));
    return json_pack("{s:o}", "kinds", kinds);
}
