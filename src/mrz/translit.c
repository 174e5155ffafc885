/*
 * translit.c - loads the ICAO transliteration tables from the data files
 * compiled in by tools/embed.py (translit-latin.tsv, translit-cyrillic.tsv,
 * translit-arabic.tsv, translit-arabic-reverse.tsv) into sorted arrays, once
 * per process, and answers lookups by binary search.
 *
 * The files are ours (committed, re-keyed from ICAO Doc 9303 Part 3), so a
 * malformed line is a build defect: it is skipped, and the unit tests check
 * the entry counts.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embed.h"
#include "mrz/translit.h"

extern const struct embedded_file mrz_tables[];
extern const size_t mrz_tables_count;

#define MAX_FORWARD 320
#define MAX_REVERSE 96

struct reverse_entry {
    char token[4];
    int32_t cp;
};

static struct translit_entry forward[MAX_FORWARD];
static size_t nforward;
static struct reverse_entry reverse[MAX_REVERSE];
static size_t nreverse;
static pthread_once_t loaded = PTHREAD_ONCE_INIT;

/* Split one line at tabs into at most max fields (in place). */
static int split_tabs(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        fields[n++] = p;
        char *tab = strchr(p, '\t');
        if (!tab)
            break;
        *tab = '\0';
        p = tab + 1;
    }
    return n;
}

static int32_t parse_code_point(const char *s)
{
    if (strncmp(s, "U+", 2) != 0)
        return -1;
    char *end;
    long v = strtol(s + 2, &end, 16);
    return *end || v <= 0 || v > 0x10FFFF ? -1 : (int32_t)v;
}

static void copy_field(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", strcmp(src, "-") == 0 ? "" : src);
}

static void add_forward(char **f, int n, enum translit_script script)
{
    if (n < 4 || nforward >= MAX_FORWARD)
        return;
    struct translit_entry *e = &forward[nforward];
    memset(e, 0, sizeof *e);
    e->cp = parse_code_point(f[0]);
    if (e->cp < 0)
        return;
    e->script = script;
    copy_field(e->value, sizeof e->value, f[2]);
    if (script == TRANSLIT_LATIN) {
        char *comma = strchr(f[3], ',');
        if (comma)
            *comma = '\0';
        copy_field(e->alt, sizeof e->alt, f[3]);
    } else if (script == TRANSLIT_CYRILLIC) {
        copy_field(e->exceptions, sizeof e->exceptions, f[3]);
    } else if (strncmp(f[3], "end=", 4) == 0) {
        copy_field(e->end_value, sizeof e->end_value, f[3] + 4);
    }
    nforward++;
}

static void add_reverse(char **f, int n)
{
    if (n < 2 || nreverse >= MAX_REVERSE || strlen(f[0]) > 3)
        return;
    int32_t cp = parse_code_point(f[1]);
    if (cp < 0)
        return;
    snprintf(reverse[nreverse].token, sizeof reverse[nreverse].token, "%s", f[0]);
    reverse[nreverse++].cp = cp;
}

static void load_file(const char *name, int kind)
{
    const struct embedded_file *file = embed_find(mrz_tables, mrz_tables_count, name);
    if (!file)
        return;
    char *copy = strdup(file->data);
    if (!copy)
        return;
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#' || !line[0])
            continue;
        char *f[4];
        int n = split_tabs(line, f, 4);
        if (kind < 0)
            add_reverse(f, n);
        else
            add_forward(f, n, (enum translit_script)kind);
    }
    free(copy);
}

static int compare_forward(const void *a, const void *b)
{
    int32_t x = ((const struct translit_entry *)a)->cp, y = ((const struct translit_entry *)b)->cp;
    return x < y ? -1 : x > y;
}

static int compare_reverse(const void *a, const void *b)
{
    return strcmp(((const struct reverse_entry *)a)->token,
                  ((const struct reverse_entry *)b)->token);
}

static void load_tables(void)
{
    load_file("translit-latin.tsv", TRANSLIT_LATIN);
    load_file("translit-cyrillic.tsv", TRANSLIT_CYRILLIC);
    load_file("translit-arabic.tsv", TRANSLIT_ARABIC);
    load_file("translit-arabic-reverse.tsv", -1);
    qsort(forward, nforward, sizeof forward[0], compare_forward);
    qsort(reverse, nreverse, sizeof reverse[0], compare_reverse);
}

const struct translit_entry *translit_find(int32_t cp)
{
    pthread_once(&loaded, load_tables);
    struct translit_entry key = {.cp = cp};
    return bsearch(&key, forward, nforward, sizeof forward[0], compare_forward);
}

int32_t translit_reverse(const char *token, size_t len)
{
    pthread_once(&loaded, load_tables);
    struct reverse_entry key = {{0}, 0};
    if (len == 0 || len > 3)
        return 0;
    memcpy(key.token, token, len);
    const struct reverse_entry *e =
        bsearch(&key, reverse, nreverse, sizeof reverse[0], compare_reverse);
    return e ? e->cp : 0;
}
