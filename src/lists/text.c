/*
 * text.c - small text services for the importers: UTF-8 validation,
 * script detection (ICU's script property, majority of the letters),
 * country names to alpha-3 codes (Debian iso-codes, embedded at build
 * time, plus data/country_names.tsv for the UN's and OFAC's own
 * spellings), action names, ISO dates of birth and reading whole files.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>

#include "core/date.h"
#include "core/embed.h"
#include "lists_int.h"

extern const struct embedded_file lists_data[];
extern const size_t lists_data_count;

bool utf8_valid(const char *s, size_t len, size_t *bad)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned c = u[i];
        size_t n;
        unsigned min;
        if (c == 0)
            goto invalid;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            min = 0x10000;
        } else {
            goto invalid;
        }
        if (i + n >= len)
            goto invalid;
        unsigned cp = c & (0x3F >> n);
        for (size_t k = 1; k <= n; k++) {
            if ((u[i + k] & 0xC0) != 0x80)
                goto invalid;
            cp = (cp << 6) | (u[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            goto invalid;
        i += n + 1;
    }
    return true;
invalid:
    if (bad)
        *bad = i;
    return false;
}

int utf8_prefix(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return (int)n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) /* s[n] continues a sequence */
        n--;
    return (int)n;
}

/* Decode one code point from valid UTF-8 at *s, advancing *s. */
static UChar32 next_cp(const unsigned char **s)
{
    const unsigned char *u = *s;
    UChar32 c = u[0];
    int n = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
    if (n)
        c &= 0x3F >> n;
    for (int k = 1; k <= n; k++) {
        if ((u[k] & 0xC0) != 0x80) { /* not valid: stop at the bad byte */
            *s = u + k;
            return 0xFFFD;
        }
        c = (c << 6) | (u[k] & 0x3F);
    }
    *s = u + n + 1;
    return c;
}

void script_detect(const char *s, char out[8])
{
    out[0] = '\0';
    UScriptCode best = USCRIPT_INVALID_CODE;
    int counts[8] = {0};
    UScriptCode codes[8];
    int ncodes = 0;
    const unsigned char *u = (const unsigned char *)s;
    while (*u) {
        UChar32 c = next_cp(&u);
        if (!u_isalpha(c))
            continue;
        UErrorCode status = U_ZERO_ERROR;
        UScriptCode sc = uscript_getScript(c, &status);
        if (U_FAILURE(status) || sc == USCRIPT_COMMON || sc == USCRIPT_INHERITED)
            continue;
        int i = 0;
        while (i < ncodes && codes[i] != sc)
            i++;
        if (i == ncodes) {
            if (ncodes == 8)
                continue;
            codes[ncodes++] = sc;
        }
        counts[i]++;
    }
    int top = 0;
    for (int i = 0; i < ncodes; i++) {
        if (counts[i] > top) {
            top = counts[i];
            best = codes[i];
        }
    }
    if (best != USCRIPT_INVALID_CODE)
        snprintf(out, 8, "%s", uscript_getShortName(best));
}

/* ---- countries ---- */

static json_t *country_map; /* normalised name -> alpha-3 */
static json_t *code_map;    /* alpha-2 and alpha-3 (upper case) -> alpha-3 */
static pthread_once_t country_once = PTHREAD_ONCE_INIT;

/* Lower-case ASCII, single spaces, no leading "the ", no trailing dot. */
static void country_key(const char *name, char *out, size_t n)
{
    size_t o = 0;
    bool space = false;
    while (*name && isspace((unsigned char)*name))
        name++;
    if (strncasecmp(name, "the ", 4) == 0)
        name += 4;
    for (; *name && o + 1 < n; name++) {
        unsigned char c = (unsigned char)*name;
        if (isspace(c)) {
            space = o > 0;
            continue;
        }
        if (space && o + 2 < n)
            out[o++] = ' ';
        space = false;
        out[o++] = (char)tolower(c);
    }
    while (o && out[o - 1] == '.')
        o--;
    out[o] = '\0';
}

static void country_put(const char *name, const char *alpha3)
{
    char key[160];
    country_key(name, key, sizeof key);
    if (*key && !json_object_get(country_map, key))
        json_object_set_new(country_map, key, json_string(alpha3));
}

static void country_load_iso(void)
{
    const struct embedded_file *f = embed_find(lists_data, lists_data_count, "iso_3166-1.json");
    json_t *root = f ? json_loadb(f->data, f->len, 0, NULL) : NULL;
    json_t *arr = json_object_get(root, "3166-1");
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) {
        const char *a3 = json_string_value(json_object_get(e, "alpha_3"));
        const char *a2 = json_string_value(json_object_get(e, "alpha_2"));
        if (!a3)
            continue;
        json_object_set_new(code_map, a3, json_string(a3));
        if (a2)
            json_object_set_new(code_map, a2, json_string(a3));
        static const char *const keys[] = {"name", "official_name", "common_name"};
        for (size_t k = 0; k < 3; k++) {
            const char *nm = json_string_value(json_object_get(e, keys[k]));
            if (nm)
                country_put(nm, a3);
        }
    }
    json_decref(root);
}

static void country_load_tsv(void)
{
    const struct embedded_file *f = embed_find(lists_data, lists_data_count, "country_names.tsv");
    if (!f)
        return;
    const char *p = f->data;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        const char *tab = memchr(p, '\t', len);
        if (*p != '#' && tab && (size_t)(p + len - tab - 1) == 3) {
            char name[160], a3[4];
            snprintf(name, sizeof name, "%.*s", (int)(tab - p), p);
            memcpy(a3, tab + 1, 3);
            a3[3] = '\0';
            country_put(name, a3);
        }
        p += len + (eol ? 1 : 0);
    }
}

static void country_init(void)
{
    country_map = json_object();
    code_map = json_object();
    /* Codes ICAO uses beyond ISO 3166-1 (Doc 9303 part 3), including its specimens'. */
    static const char *const icao[] = {"RKS", "GBD", "GBN", "GBO", "GBP", "GBS",
                                       "UNO", "UNA", "UNK", "XXA", "XXB", "XXC", "XXX",
                                       "UTO" /* the specimen state "Utopia" */};
    for (size_t i = 0; i < sizeof icao / sizeof icao[0]; i++)
        json_object_set_new(code_map, icao[i], json_string(icao[i]));
    json_object_set_new(code_map, "D", json_string("DEU")); /* Germany's MRZ code */
    country_load_tsv(); /* the project's spellings win over iso-codes */
    country_load_iso();
}

void country_alpha3(const char *name, char out[4])
{
    out[0] = '\0';
    if (!name)
        return;
    pthread_once(&country_once, country_init);
    char key[160];
    country_key(name, key, sizeof key);
    const char *a3 = json_string_value(json_object_get(country_map, key));
    if (a3)
        memcpy(out, a3, 4);
}

void country_code_alpha3(const char *name, char out[4])
{
    out[0] = '\0';
    if (!name)
        return;
    pthread_once(&country_once, country_init);
    char code[4] = {0};
    size_t len = strlen(name);
    if (len == 2 || len == 3) {
        for (size_t i = 0; i < len; i++)
            code[i] = (char)toupper((unsigned char)name[i]);
        const char *a3 = json_string_value(json_object_get(code_map, code));
        if (a3) {
            memcpy(out, a3, 4);
            return;
        }
    }
    country_alpha3(name, out);
}

bool action_valid(const char *a)
{
    size_t n = a ? strlen(a) : 0;
    if (n == 0 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(a[i] >= 'a' && a[i] <= 'z') && a[i] != '_')
            return false;
    return true;
}

bool dob_parse_iso(const char *s, limes_watch_dob *out)
{
    int y = 0, m = 0, d = 0, used = 0;
    size_t len = strlen(s);
    memset(out, 0, sizeof *out);
    if (len == 4 && sscanf(s, "%4d%n", &y, &used) == 1 && used == 4)
        m = d = 0;
    else if (len == 7 && sscanf(s, "%4d-%2d%n", &y, &m, &used) == 2 && used == 7)
        d = 0;
    else if (!(len == 10 && sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &used) == 3 && used == 10))
        return false;
    for (size_t i = 0; i < len; i++)
        if (!isdigit((unsigned char)s[i]) && s[i] != '-')
            return false;
    if (y < 1800 || y > 2200 || m < 0 || m > 12 || (m == 0 && d))
        return false;
    if (d && !date_valid(y, m, d))
        return false;
    out->year = y;
    out->month = m;
    out->day = d;
    return true;
}

limes_rc read_file_all(const char *path, size_t max, char **data, size_t *len,
                       limes_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return limes_fail(err, LIMES_IO, "path", "cannot open %s: %s", path, strerror(errno));
    buf b;
    buf_init(&b, max);
    char chunk[65536];
    size_t n;
    limes_rc rc = LIMES_OK;
    while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = buf_append(&b, chunk, n);
    bool failed = ferror(f);
    fclose(f);
    if (rc || failed) {
        buf_release(&b);
        return rc == LIMES_TOO_LARGE
                   ? limes_fail(err, rc, "path", "%s is larger than %zu bytes", path, max)
                   : limes_fail(err, rc ? rc : LIMES_IO, "path", "cannot read %s", path);
    }
    *len = b.len;
    *data = b.data ? buf_take(&b) : strdup("");
    return *data ? LIMES_OK : limes_fail(err, LIMES_NOMEM, "path", "out of memory");
}
