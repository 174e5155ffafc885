/*
 * regimes.c - the per-nationality short-stay regime table.
 *
 * The table is data: src/stay/regimes.csv is compiled in as the default
 * profile, and a partner state loads its own file with the same columns
 * (nationality,regime,max_days,window_days,note).  Lines starting with '#'
 * and the header line are skipped.  The table in use is swapped in whole;
 * the replaced one is kept (never freed) so a reader never sees freed
 * memory, which costs a few kilobytes per load.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embed.h"
#include "limes/stay.h"

extern const struct embedded_file stay_data[];
extern const size_t stay_data_count;

struct regime_table {
    limes_stay_regime *rows;
    size_t n;
    limes_stay_regime fallback; /* the "*" line */
    const struct regime_table *previous; /* kept reachable, never freed */
};

static const struct regime_table *current;
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t swap_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const kind_names[] = {"visa_free", "visa_required", "bilateral",
                                         "free_movement"};

const char *limes_stay_regime_name(limes_stay_regime_kind kind)
{
    return (unsigned)kind < 4 ? kind_names[kind] : "";
}

static bool kind_parse(const char *s, limes_stay_regime_kind *out)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, kind_names[i]) == 0) {
            *out = (limes_stay_regime_kind)i;
            return true;
        }
    return false;
}

static bool int_field(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

/* Split one CSV line (no quoting: the note is everything after the 4th comma). */
static int split(char *line, char **cols, int max)
{
    int n = 0;
    cols[n++] = line;
    for (char *p = line; *p && n < max; p++)
        if (*p == ',') {
            *p = '\0';
            cols[n++] = p + 1;
        }
    return n;
}

static limes_rc parse_line(char *line, int lineno, limes_stay_regime *r, limes_error *err)
{
    char *c[5];
    int n = split(line, c, 5);
    memset(r, 0, sizeof *r);
    if (n < 4)
        return limes_fail(err, LIMES_INVALID, "regimes",
                          "line %d: expected nationality,regime,max_days,window_days", lineno);
    size_t len = strlen(c[0]);
    if (len < 1 || len > 3 || (len != 1 && c[0][0] == '*'))
        return limes_fail(err, LIMES_INVALID, "regimes", "line %d: bad nationality '%s'", lineno,
                          c[0]);
    memcpy(r->nationality, c[0], len + 1);
    if (!kind_parse(c[1], &r->kind))
        return limes_fail(err, LIMES_INVALID, "regimes", "line %d: unknown regime '%s'", lineno,
                          c[1]);
    int lo = r->kind == LIMES_REGIME_FREE_MOVEMENT ? 0 : 1;
    if (!int_field(c[2], lo, 3660, &r->rule.max_days) ||
        !int_field(c[3], lo, 3660, &r->rule.window_days) ||
        r->rule.window_days < r->rule.max_days)
        return limes_fail(err, LIMES_INVALID, "regimes",
                          "line %d: max_days and window_days must be numbers with max <= window",
                          lineno);
    if (n == 5)
        snprintf(r->note, sizeof r->note, "%s", c[4]);
    return LIMES_OK;
}

static bool skip_line(const char *line)
{
    return !*line || line[0] == '#' || strncmp(line, "nationality,", 12) == 0;
}

/* Parse a whole CSV text into a new table. */
static limes_rc parse_table(const char *text, struct regime_table **out, limes_error *err)
{
    struct regime_table *t = calloc(1, sizeof *t);
    char *copy = strdup(text);
    size_t cap = 1;
    for (const char *p = text; *p; p++)
        cap += *p == '\n';
    if (t)
        t->rows = calloc(cap, sizeof *t->rows);
    if (!t || !copy || !t->rows) {
        free(copy);
        if (t)
            free(t->rows);
        free(t);
        return limes_fail(err, LIMES_NOMEM, "", "out of memory");
    }
    limes_rc rc = LIMES_OK;
    bool have_default = false;
    int lineno = 0;
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line && !rc; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        line[strcspn(line, "\r")] = '\0';
        if (skip_line(line))
            continue;
        limes_stay_regime r;
        rc = parse_line(line, lineno, &r, err);
        if (rc)
            break;
        if (strcmp(r.nationality, "*") == 0) {
            t->fallback = r;
            have_default = true;
        } else {
            t->rows[t->n++] = r;
        }
    }
    free(copy);
    if (!rc && !have_default)
        rc = limes_fail(err, LIMES_INVALID, "regimes", "the table has no '*' default line");
    if (rc) {
        free(t->rows);
        free(t);
        return rc;
    }
    *out = t;
    return LIMES_OK;
}

static void load_builtin(void)
{
    const struct embedded_file *f = embed_find(stay_data, stay_data_count, "regimes.csv");
    struct regime_table *t = NULL;
    if (f && parse_table(f->data, &t, NULL) == LIMES_OK)
        current = t;
}

static const struct regime_table *table(void)
{
    pthread_once(&builtin_once, load_builtin);
    pthread_mutex_lock(&swap_lock);
    const struct regime_table *t = current;
    pthread_mutex_unlock(&swap_lock);
    return t;
}

void limes_stay_regime_for(const char *nationality, limes_stay_regime *out)
{
    const struct regime_table *t = table();
    if (!t) { /* the built-in table cannot fail to parse; be safe anyway */
        *out = (limes_stay_regime){.nationality = "*", .kind = LIMES_REGIME_VISA_REQUIRED,
                                   .rule = limes_stay_rule_default()};
        return;
    }
    *out = t->fallback;
    for (size_t i = 0; nationality && i < t->n; i++)
        if (strcmp(t->rows[i].nationality, nationality) == 0) {
            *out = t->rows[i];
            return;
        }
}

limes_rc limes_stay_regimes_load(const char *path, limes_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return limes_fail(err, LIMES_IO, "regimes", "cannot open %s", path);
    char *text = calloc(1, 1 << 20);
    size_t len = text ? fread(text, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (!text)
        return limes_fail(err, LIMES_NOMEM, "", "out of memory");
    if (len == (1 << 20) - 1) {
        free(text);
        return limes_fail(err, LIMES_TOO_LARGE, "regimes", "%s is larger than 1 MiB", path);
    }
    struct regime_table *t;
    limes_rc rc = parse_table(text, &t, err);
    free(text);
    if (rc)
        return rc;
    pthread_once(&builtin_once, load_builtin);
    pthread_mutex_lock(&swap_lock);
    t->previous = current; /* readers may still hold the old table */
    current = t;
    pthread_mutex_unlock(&swap_lock);
    return LIMES_OK;
}
