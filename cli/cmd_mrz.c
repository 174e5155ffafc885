/*
 * cmd_mrz.c - `limes mrz parse|make|name|arabic|codes`: read and validate machine-readable
 * zones from a file or standard input (documents separated by blank lines),
 * write a complete zone from fields, and turn a Unicode name into an MRZ
 * name field.  Invalid documents are a result, not a failure: parse exits 0
 * whenever at least one document could be read (2 when none could: empty or
 * oversized input).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "limes/mrz.h"

/* Whole input files are small (zones are ~90 bytes); cap what we read. */
#define MRZ_INPUT_MAX (16u << 20)

static const char mrz_usage[] =
    "usage: limes mrz parse [--json] [--on YYYY-MM-DD] [FILE|-]\n"
    "       limes mrz make --json FILE|-\n"
    "       limes mrz name [--lang LANG] [--split-abd] [--width N] \"NAME\"\n"
    "       limes mrz arabic MRZ-NAME\n"
    "       limes mrz codes [CODE]\n"
    "parse: documents are separated by blank lines; --json prints one JSON object\n"
    "per document per line.  --on sets the date two-digit years are resolved\n"
    "against (default today).  make: a JSON object with the fields of `parse --json`\n"
    "(format, document_code, issuing_state, primary_identifier, ...).\n"
    "name: 'PRIMARY, SECONDARY' or --lang ukr|bel|srp|mkd|bul|rus for Cyrillic.\n";

/* Read all of FILE (or stdin for "-"/NULL) into a malloc'd buffer. */
static int read_input(const char *path, char **out, size_t *len)
{
    FILE *f = !path || strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "limes: cannot open '%s'\n", path);
        return EXIT_USAGE;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    int rc = EXIT_OK;
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
        if (n == cap) {
            if (cap >= MRZ_INPUT_MAX) {
                fprintf(stderr, "limes: input larger than %u bytes\n", MRZ_INPUT_MAX);
                rc = EXIT_USAGE;
                break;
            }
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    if (ferror(f))
        rc = EXIT_FAIL;
    if (f != stdin)
        fclose(f);
    if (!buf)
        return EXIT_FAIL;
    if (rc) {
        free(buf);
        return rc;
    }
    *out = buf;
    *len = n;
    return EXIT_OK;
}

static void print_text(const limes_mrz_doc *d)
{
    const char *format = limes_mrz_format_name(d->format);
    printf("%s %s\n", d->valid ? "VALID" : "INVALID", format ? format : "(unknown format)");
    if (format) {
        printf("  %s %s  number %s  nationality %s\n", d->document_code, d->issuing_state,
               d->document_number, d->nationality);
        printf("  name %s, %s\n", d->primary_identifier, d->secondary_identifier);
        printf("  born %s  sex %c  expires %s\n", d->birth_date[0] ? d->birth_date : "?",
               d->sex ? d->sex : '?', d->expiry_date[0] ? d->expiry_date : "?");
        if (d->optional_data[0] || d->optional_data_2[0])
            printf("  optional data %s%s%s\n", d->optional_data[0] ? d->optional_data : "-",
                   d->format == LIMES_MRZ_TD1 ? " / " : "",
                   d->format == LIMES_MRZ_TD1 ? d->optional_data_2 : "");
    }
    for (size_t i = 0; i < d->nproblems; i++) {
        const limes_mrz_problem *p = &d->problems[i];
        printf("  %s %s", p->severity == LIMES_MRZ_ERROR ? "error" : "warning", p->code);
        if (p->line)
            printf(" (line %d, column %d)", p->line, p->column);
        printf(": %s%s%s\n", p->message, p->suggestion[0] ? " -> " : "", p->suggestion);
    }
}

static void print_unusable(const limes_error *err, bool json)
{
    if (!json) {
        printf("UNREADABLE %s\n", limes_error_text(err));
        return;
    }
    json_t *o = json_pack("{s:n, s:b, s:[{s:s, s:s, s:i, s:i, s:s, s:s}]}", "format", "valid", 0,
                          "problems", "code", limes_rc_code(err->rc), "field", "mrz", "line", 0,
                          "column", 0, "message", limes_error_text(err), "severity", "error");
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    if (text)
        printf("%s\n", text);
    free(text);
    json_decref(o);
}

/* Parse and print one document; false when it was unusable (no zone at all). */
static bool parse_one(const char *text, size_t len, int32_t on, bool json)
{
    limes_mrz_doc *d = malloc(sizeof *d);
    limes_error err = {0};
    bool usable = true;
    if (!d)
        return false;
    if (limes_mrz_parse(text, len, on, d, &err)) {
        print_unusable(&err, json);
        usable = false;
    } else if (json) {
        json_t *o = limes_mrz_to_json(d);
        char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;
        if (line)
            printf("%s\n", line);
        free(line);
        json_decref(o);
    } else {
        print_text(d);
    }
    free(d);
    return usable;
}

static bool blank_line(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

/* Each run of non-blank lines is one document.  Fails only when none was usable. */
static int parse_documents(const char *buf, size_t len, int32_t on, bool json)
{
    size_t i = 0, start = 0;
    bool in_doc = false;
    int count = 0, usable = 0;
    while (i <= len) {
        size_t end = i;
        while (end < len && buf[end] != '\n')
            end++;
        bool blank = blank_line(buf + i, end - i);
        if (!blank && !in_doc) {
            in_doc = true;
            start = i;
        }
        if ((blank || end >= len) && in_doc) {
            usable += parse_one(buf + start, (blank ? i : end) - start, on, json);
            in_doc = false;
            count++;
        }
        i = end + 1;
    }
    if (count == 0)
        return cli_usage("mrz parse: the input holds no machine-readable zone");
    return usable ? EXIT_OK : EXIT_USAGE;
}

static int run_parse(int argc, char **argv)
{
    static const struct option longs[] = {
        {"json", no_argument, 0, 'j'}, {"on", required_argument, 0, 'o'}, {0, 0, 0, 0}};
    bool json = false;
    int32_t on = LIMES_MRZ_TODAY;
    limes_error err = {0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        if (c == 'j')
            json = true;
        else if (c == 'o' && limes_mrz_day_from_iso(optarg, &on, &err))
            return cli_error(&err);
        else if (c != 'o')
            return EXIT_USAGE;
    }
    if (argc - optind > 1)
        return cli_usage("mrz parse: at most one FILE");
    char *buf;
    size_t len;
    int rc = read_input(optind < argc ? argv[optind] : NULL, &buf, &len);
    if (rc)
        return rc;
    rc = parse_documents(buf, len, on, json);
    free(buf);
    return rc;
}

static int run_make(int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0 && i + 1 < argc)
            path = argv[++i];
        else
            return cli_usage("mrz make: usage: limes mrz make --json FILE|-");
    }
    if (!path)
        return cli_usage("mrz make: --json FILE is required");
    char *buf;
    size_t len;
    int rc = read_input(path, &buf, &len);
    if (rc)
        return rc;
    json_error_t jerr;
    json_t *fields = json_loadb(buf, len, 0, &jerr);
    free(buf);
    if (!fields)
        return cli_usage("mrz make: %s: line %d: %s", path, jerr.line, jerr.text);
    char *zone;
    limes_error err = {0};
    rc = limes_mrz_make_json(fields, &zone, &err) ? cli_error(&err) : EXIT_OK;
    json_decref(fields);
    if (!rc) {
        printf("%s\n", zone);
        free(zone);
    }
    return rc;
}

static int run_name(int argc, char **argv)
{
    static const struct option longs[] = {{"lang", required_argument, 0, 'l'},
                                          {"split-abd", no_argument, 0, 's'},
                                          {"width", required_argument, 0, 'w'},
                                          {0, 0, 0, 0}};
    limes_mrz_name_options opts = {0};
    long width = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        if (c == 'l')
            opts.lang = optarg;
        else if (c == 's')
            opts.split_abd = true;
        else if (c == 'w')
            width = strtol(optarg, NULL, 10);
        else
            return EXIT_USAGE;
    }
    if (optind != argc - 1)
        return cli_usage("mrz name: one NAME is required");
    char *name, *fitted = NULL;
    limes_error err = {0};
    bool truncated = false;
    if (limes_mrz_name_from_unicode(argv[optind], &opts, &name, &err))
        return cli_error(&err);
    if (width > 0 && limes_mrz_name_fit(name, (size_t)width, &fitted, &truncated, &err)) {
        free(name);
        return cli_error(&err);
    }
    printf("%s%s\n", fitted ? fitted : name, truncated ? "  (truncated)" : "");
    free(name);
    free(fitted);
    return EXIT_OK;
}

static int run_arabic(int argc, char **argv)
{
    if (argc != 2)
        return cli_usage("mrz arabic: one MRZ name is required");
    char *text;
    limes_error err = {0};
    if (limes_mrz_name_to_arabic(argv[1], true, &text, &err))
        return cli_error(&err);
    printf("%s\n", text);
    free(text);
    return EXIT_OK;
}

static void print_country(const limes_country *c)
{
    printf("%-3s %s  %s | %s | %s\n", c->code, c->icao_only ? "ICAO" : "ISO ", c->name_en,
           c->name_ar ? c->name_ar : "-", c->name_fr ? c->name_fr : "-");
}

static int run_codes(int argc, char **argv)
{
    if (argc > 2)
        return cli_usage("mrz codes: at most one CODE");
    if (argc == 2) {
        const limes_country *c = limes_country_find(argv[1], strlen(argv[1]));
        if (!c) {
            fprintf(stderr, "limes: '%s' is not an ISO 3166-1 or ICAO code\n", argv[1]);
            return EXIT_FAIL;
        }
        print_country(c);
        return EXIT_OK;
    }
    for (size_t i = 0; i < limes_country_count(); i++)
        print_country(limes_country_at(i));
    return EXIT_OK;
}

static int run_mrz(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fputs(mrz_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (strcmp(argv[1], "parse") == 0)
        return run_parse(argc - 1, argv + 1);
    if (strcmp(argv[1], "make") == 0)
        return run_make(argc - 1, argv + 1);
    if (strcmp(argv[1], "name") == 0)
        return run_name(argc - 1, argv + 1);
    if (strcmp(argv[1], "arabic") == 0)
        return run_arabic(argc - 1, argv + 1);
    if (strcmp(argv[1], "codes") == 0)
        return run_codes(argc - 1, argv + 1);
    return cli_usage("mrz: unknown action '%s'", argv[1]);
}

const struct cli_command cli_mrz_cmd = {"mrz", "read, check and write machine-readable zones",
                                        run_mrz};
