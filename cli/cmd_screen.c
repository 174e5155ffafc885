/*
 * cmd_screen.c - `limes screen` (one traveller or a CSV batch against the
 * store's watch lists, thresholds, false-positive marks) and
 * `limes names score` (two names compared with the engine's alignment,
 * for tuning and tests).  Every screening is audited.
 *
 * Batch CSV (UTF-8, header required, columns in any order, only `name` or
 * `document` needed per row):
 *     name,dob,nationality,gender,document,issuer
 * Output: with --json one JSON object per input row and line
 * ({"row": N, ...result} or {"row": N, "error": {...}}); otherwise text.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "limes/limes.h"
#include "limes/screen.h"

struct screen_opts {
    const char *db, *batch, *list;
    limes_screen_query q;
    bool json;
};

static void print_json(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(4));
    if (s)
        puts(s);
    free(s);
    json_decref(j);
}

static void print_hit_text(const limes_screen_hit *h)
{
    printf("%s %.3f  %s %s  action=%s  entry=%lld  \"%s\"\n",
           h->suppressed ? "SUPPRESSED" : h->alert ? "ALERT" : "hit  ", h->score, h->list, h->ref,
           h->action, (long long)h->entry_id, h->matched_name);
    for (int i = 0; i < h->nmatches; i++) {
        const limes_screen_match *m = &h->matches[i];
        printf("    %-20s ~ %-20s %s %.3f\n", m->query[0] ? m->query : "-",
               m->entry[0] ? m->entry : "-", m->how, m->score);
    }
    printf("    name %.3f; dob %+.2f (%s); nationality %+.2f (%s); gender %+.2f (%s)\n",
           h->name_score, h->dob.delta, h->dob.note, h->nationality.delta, h->nationality.note,
           h->gender.delta, h->gender.note);
    if (h->document.note[0])
        printf("    document: %s\n", h->document.note);
    if (h->suppression)
        printf("    %s\n", h->suppression);
}

static void print_result_text(const limes_screen_result *r)
{
    size_t alerts = 0;
    for (size_t i = 0; i < r->nhits; i++)
        alerts += r->hits[i].alert;
    printf("query \"%s\": %zu hit(s), %zu alert(s)  [identity %s, lists generation %lld]\n",
           r->query_tokens, r->nhits, alerts, r->identity_key, (long long)r->generation);
    for (size_t i = 0; i < r->nhits; i++)
        print_hit_text(&r->hits[i]);
}

static int screen_one(limes_store *s, const struct screen_opts *o, const limes_screen_query *q,
                      long row)
{
    limes_screen_result r;
    limes_error err = {0};
    if (limes_screen(s, q, &r, &err)) {
        if (row > 0 && o->json) {
            print_json(json_pack("{s:i, s:{s:s, s:s, s:s}}", "row", (int)row, "error", "code",
                                 limes_rc_code(err.rc), "field", err.field, "message",
                                 limes_error_text(&err)));
            return EXIT_USAGE;
        }
        if (row > 0)
            fprintf(stderr, "row %ld: ", row);
        return cli_error(&err);
    }
    char record[96];
    snprintf(record, sizeof record, "screening:%s", r.identity_key);
    cli_audit(s, "cli screen", record, "ok");
    if (o->json) {
        json_t *j = limes_screen_result_json(&r);
        if (row > 0)
            json_object_set_new(j, "row", json_integer(row));
        print_json(j);
    } else {
        if (row > 0)
            printf("row %ld: ", row);
        print_result_text(&r);
    }
    limes_screen_result_free(&r);
    return EXIT_OK;
}

/* Split one CSV line (RFC 4180 quotes, no embedded newlines) in place. */
static int csv_split(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        char *out = p;
        f[n++] = out;
        if (*p == '"') {
            p++;
            while (*p) {
                if (*p == '"' && p[1] == '"') {
                    *out++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *out++ = *p++;
                }
            }
        }
        while (*p && *p != ',')
            *out++ = *p++;
        char c = *p;
        *out = '\0';
        if (c != ',')
            break;
        p++;
    }
    return n;
}

enum { COL_NAME, COL_DOB, COL_NAT, COL_GENDER, COL_DOC, COL_ISSUER, NCOLS };
static const char *const col_names[NCOLS] = {"name", "dob", "nationality", "gender", "document",
                                             "issuer"};

static int batch_header(char *line, int *map, int *nfields)
{
    char *f[32];
    int n = csv_split(line, f, 32);
    *nfields = n;
    for (int i = 0; i < n; i++) {
        map[i] = -1;
        for (int c = 0; c < NCOLS; c++)
            if (!strcmp(f[i], col_names[c]))
                map[i] = c;
        if (map[i] < 0)
            return cli_usage("--batch: unknown column '%s' (expected name, dob, nationality, "
                             "gender, document, issuer)", f[i]);
    }
    bool have = false;
    for (int i = 0; i < n; i++)
        have |= map[i] == COL_NAME || map[i] == COL_DOC;
    if (!have)
        return cli_usage("--batch: the header needs a 'name' or a 'document' column");
    return EXIT_OK;
}

static int run_batch(limes_store *s, const struct screen_opts *o)
{
    FILE *f = strcmp(o->batch, "-") ? fopen(o->batch, "r") : stdin;
    if (!f)
        return cli_usage("--batch: cannot open %s", o->batch);
    static char line[16384];
    int map[32], nfields, rc = EXIT_OK;
    if (!fgets(line, sizeof line, f)) {
        rc = cli_usage("--batch: %s is empty (a header line is required)", o->batch);
        goto done;
    }
    line[strcspn(line, "\r\n")] = '\0';
    if (!strncmp(line, "\xEF\xBB\xBF", 3))
        memmove(line, line + 3, strlen(line + 3) + 1);
    if ((rc = batch_header(line, map, &nfields)))
        goto done;
    for (long row = 1; fgets(line, sizeof line, f); row++) {
        line[strcspn(line, "\r\n")] = '\0';
        char *fld[32];
        int n = csv_split(line, fld, 32);
        limes_screen_query q = o->q;
        q.name = q.dob = q.nationality = q.document = q.issuer = NULL;
        q.gender = 0;
        for (int i = 0; i < n && i < nfields; i++) {
            const char *v = fld[i][0] ? fld[i] : NULL;
            switch (map[i]) {
            case COL_NAME: q.name = v; break;
            case COL_DOB: q.dob = v; break;
            case COL_NAT: q.nationality = v; break;
            case COL_GENDER: q.gender = v ? (char)(v[0] & ~0x20) : 0; break;
            case COL_DOC: q.document = v; break;
            case COL_ISSUER: q.issuer = v; break;
            default: break;
            }
        }
        if (screen_one(s, o, &q, row) != EXIT_OK)
            rc = EXIT_FAIL;
    }
done:
    if (f != stdin)
        fclose(f);
    return rc;
}

static int screen_usage(void)
{
    fprintf(stderr,
            "usage: limes screen --name NAME [--dob YYYY[-MM[-DD]]] [--nationality XXX]\n"
            "                    [--gender M|F] [--document NUMBER [--issuer XXX]]\n"
            "                    [--list LIST] [--min-score S] [--limit N] [--json] [--db DB]\n"
            "       limes screen --batch FILE.csv [--json] [--db DB]\n"
            "           CSV header: name,dob,nationality,gender,document,issuer\n"
            "       limes screen threshold LIST VALUE [--db DB]   per-list alert threshold\n"
            "       limes screen thresholds [--db DB]\n"
            "       limes screen false-positive --identity KEY --entry ID --reviewer NAME\n"
            "                    --reason TEXT [--db DB]\n");
    return EXIT_USAGE;
}

static int parse_opts(int argc, char **argv, struct screen_opts *o, const char **identity,
                      const char **entry, const char **reviewer, const char **reason)
{
    static const struct option longs[] = {
        {"name", required_argument, 0, 'n'},     {"dob", required_argument, 0, 'b'},
        {"nationality", required_argument, 0, 'N'}, {"gender", required_argument, 0, 'g'},
        {"document", required_argument, 0, 'D'}, {"issuer", required_argument, 0, 'I'},
        {"json", no_argument, 0, 'j'},           {"db", required_argument, 0, 'd'},
        {"batch", required_argument, 0, 'B'},    {"list", required_argument, 0, 'l'},
        {"min-score", required_argument, 0, 'm'}, {"limit", required_argument, 0, 'L'},
        {"identity", required_argument, 0, 'i'}, {"entry", required_argument, 0, 'e'},
        {"reviewer", required_argument, 0, 'r'}, {"reason", required_argument, 0, 'R'},
        {"help", no_argument, 0, 'h'},           {0, 0, 0, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 'n': o->q.name = optarg; break;
        case 'b': o->q.dob = optarg; break;
        case 'N': o->q.nationality = optarg; break;
        case 'g':
            if (strcmp(optarg, "M") && strcmp(optarg, "F"))
                return cli_usage("--gender: M or F");
            o->q.gender = optarg[0];
            break;
        case 'D': o->q.document = optarg; break;
        case 'I': o->q.issuer = optarg; break;
        case 'j': o->json = true; break;
        case 'd': o->db = optarg; break;
        case 'B': o->batch = optarg; break;
        case 'l': o->q.list = optarg; break;
        case 'm': o->q.min_score = atof(optarg); break;
        case 'L': o->q.limit = atoi(optarg); break;
        case 'i': *identity = optarg; break;
        case 'e': *entry = optarg; break;
        case 'r': *reviewer = optarg; break;
        case 'R': *reason = optarg; break;
        default: return screen_usage();
        }
    }
    return EXIT_OK;
}

static int run_admin(limes_store *s, int argc, char **argv, const char *identity,
                     const char *entry, const char *reviewer, const char *reason)
{
    limes_error err = {0};
    const char *sub = argv[optind];
    if (!strcmp(sub, "threshold")) {
        if (argc - optind != 3)
            return screen_usage();
        char *end;
        double v = strtod(argv[optind + 2], &end);
        if (*end || limes_screen_set_threshold(s, argv[optind + 1], v, &err))
            return *end ? cli_usage("threshold: '%s' is not a number", argv[optind + 2])
                        : cli_error(&err);
        cli_audit(s, "cli screen threshold", argv[optind + 1], "ok");
        printf("threshold of list %s set to %.3f\n", argv[optind + 1], v);
        return EXIT_OK;
    }
    if (!strcmp(sub, "thresholds")) {
        json_t *j;
        if (limes_screen_thresholds(s, &j, &err))
            return cli_error(&err);
        print_json(j);
        return EXIT_OK;
    }
    if (!strcmp(sub, "false-positive")) {
        if (!entry)
            return cli_usage("false-positive: --entry ID is required");
        int64_t id;
        if (limes_screen_mark_false_positive(s, identity, atoll(entry), reviewer, reason, &id,
                                             &err))
            return cli_error(&err);
        char record[64];
        snprintf(record, sizeof record, "watch_entry:%s", entry);
        cli_audit(s, "cli screen false-positive", record, "ok");
        printf("false-positive mark %lld recorded\n", (long long)id);
        return EXIT_OK;
    }
    return screen_usage();
}

static int run_screen(int argc, char **argv)
{
    struct screen_opts o = {0};
    const char *identity = NULL, *entry = NULL, *reviewer = NULL, *reason = NULL;
    if (argc < 2 || !strcmp(argv[1], "--help"))
        return screen_usage();
    int rc = parse_opts(argc, argv, &o, &identity, &entry, &reviewer, &reason);
    if (rc)
        return rc;
    bool admin = optind < argc;
    if (!admin && !o.batch && !o.q.name && !o.q.document)
        return cli_usage("screen: --name, --document or --batch is required");
    if (o.batch && (o.q.name || o.q.document))
        return cli_usage("screen: --batch screens a file; do not combine it with --name");
    limes_store *s;
    if ((rc = cli_open_store(o.db, &s)))
        return rc;
    if (admin)
        rc = run_admin(s, argc, argv, identity, entry, reviewer, reason);
    else if (o.batch)
        rc = run_batch(s, &o);
    else
        rc = screen_one(s, &o, &o.q, 0);
    limes_screen_forget(s);
    limes_store_close(s);
    return rc;
}

static int run_names(int argc, char **argv)
{
    bool json = false;
    const char *a = NULL, *b = NULL;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = true;
        else if (!a)
            a = argv[i];
        else if (!b)
            b = argv[i];
        else
            return cli_usage("names score: two names, please");
    }
    if (argc < 2 || strcmp(argv[1], "score") != 0 || !a || !b) {
        fprintf(stderr, "usage: limes names score \"NAME A\" \"NAME B\" [--json]\n"
                        "  scores B as a watch-list entry for the query name A (0..1)\n");
        return EXIT_USAGE;
    }
    double score;
    json_t *ex;
    limes_error err = {0};
    if (limes_names_score(a, b, &score, &ex, &err)) {
        if (!strcmp(err.field, "name"))
            snprintf(err.field, sizeof err.field, "name_a");
        return cli_error(&err);
    }
    if (json) {
        print_json(ex);
        return EXIT_OK;
    }
    printf("%.3f\n", score);
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(ex, "matches"), i, m)
        printf("    %-20s ~ %-20s %s %.3f\n",
               *json_string_value(json_object_get(m, "query"))
                   ? json_string_value(json_object_get(m, "query"))
                   : "-",
               *json_string_value(json_object_get(m, "entry"))
                   ? json_string_value(json_object_get(m, "entry"))
                   : "-",
               json_string_value(json_object_get(m, "how")),
               json_real_value(json_object_get(m, "score")));
    json_decref(ex);
    return EXIT_OK;
}

const struct cli_command cli_screen_cmd = {"screen", "screen travellers against watch lists",
                                           run_screen};
const struct cli_command cli_names_cmd = {"names", "compare two names (score and explanation)",
                                          run_names};
