/*
 * cmd_protect.c - `limes protect ...`: the child-protection module's
 * administrative side.  A partner loads its own indicator set version
 * (validated, stored, made active), inspects sets and rules, loads the demo
 * referral directory, sets the deadlines, and exports statistics (counts
 * only, no personal data) as CSV or JSON for risk analysis.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "limes/limes.h"
#include "limes/protect.h"

struct protect_opts {
    const char *db, *version, *from, *to, *format, *country;
    int ack_hours, reflection_days, days;
};

static int parse_int_opt(const char *name, const char *text, int *out)
{
    char *end;
    errno = 0;
    long n = strtol(text, &end, 10);
    if (!*text || *end || errno || n < 0 || n > 100000)
        return cli_usage("%s: '%s' is not a number", name, text);
    *out = (int)n;
    return EXIT_OK;
}

static int parse_protect_opts(int argc, char **argv, struct protect_opts *o)
{
    static const struct option longs[] = {
        {"db", required_argument, 0, 'd'},        {"version", required_argument, 0, 'v'},
        {"from", required_argument, 0, 'f'},      {"to", required_argument, 0, 't'},
        {"format", required_argument, 0, 'F'},    {"country", required_argument, 0, 'c'},
        {"ack-hours", required_argument, 0, 'a'}, {"reflection-days", required_argument, 0, 'r'},
        {"days", required_argument, 0, 'D'},      {0, 0, 0, 0},
    };
    o->ack_hours = o->reflection_days = o->days = -1;
    int c, rc = EXIT_OK;
    optind = 1;
    while (!rc && (c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 'd': o->db = optarg; break;
        case 'v': o->version = optarg; break;
        case 'f': o->from = optarg; break;
        case 't': o->to = optarg; break;
        case 'F': o->format = optarg; break;
        case 'c': o->country = optarg; break;
        case 'a': rc = parse_int_opt("--ack-hours", optarg, &o->ack_hours); break;
        case 'r': rc = parse_int_opt("--reflection-days", optarg, &o->reflection_days); break;
        case 'D': rc = parse_int_opt("--days", optarg, &o->days); break;
        default: return EXIT_USAGE;
        }
    }
    return rc;
}

static int print_json(json_t *v)
{
    char *text = json_dumps(v, JSON_INDENT(2));
    json_decref(v);
    if (!text)
        return EXIT_FAIL;
    printf("%s\n", text);
    free(text);
    return EXIT_OK;
}

static int read_file(const char *path, char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "limes: cannot open %s: %s\n", path, strerror(errno));
        return EXIT_FAIL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap && cap < (16u << 20)) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
            }
            buf = bigger;
            cap *= 2;
        } else if (n == cap) {
            break;
        }
    }
    fclose(f);
    if (!buf || n == cap) {
        free(buf);
        fprintf(stderr, "limes: %s is too large (at most 16 MiB)\n", path);
        return EXIT_USAGE;
    }
    *data = buf;
    *len = n;
    return EXIT_OK;
}

typedef limes_rc (*load_fn)(limes_store *s, const char *data, size_t len, const char *actor,
                           json_t **summary, limes_error *err);

/* Read a data file, load it with `load` and audit it; *summary is the loader's. */
static int load_file(limes_store *s, const char *path, load_fn load, const char *action,
                     json_t **summary)
{
    char *data;
    size_t len;
    int rc = read_file(path, &data, &len);
    if (rc)
        return rc;
    limes_error err = {0};
    limes_rc lrc = load(s, data, len, cli_actor(), summary, &err);
    free(data);
    if (lrc)
        return cli_error(&err);
    cli_audit(s, action, path, "ok");
    return EXIT_OK;
}

static const char *load_outcome(const json_t *summary)
{
    return json_is_true(json_object_get(summary, "changed")) ? "loaded and active"
                                                             : "already loaded (unchanged)";
}

static int indicators_load(limes_store *s, const char *path)
{
    json_t *summary;
    int rc = load_file(s, path, limes_protect_set_load, "cli protect indicators load", &summary);
    if (rc)
        return rc;
    printf("indicator set %s version %s: %lld indicators, %s\n",
           json_string_value(json_object_get(summary, "set")),
           json_string_value(json_object_get(summary, "version")),
           (long long)json_integer_value(json_object_get(summary, "indicators")),
           load_outcome(summary));
    json_decref(summary);
    return EXIT_OK;
}

static int rules_load(limes_store *s, const char *path)
{
    json_t *summary;
    int rc = load_file(s, path, limes_protect_rules_load, "cli protect rules load", &summary);
    if (rc)
        return rc;
    printf("recommendation rules version %s: %lld rules, %s\n",
           json_string_value(json_object_get(summary, "version")),
           (long long)json_integer_value(json_object_get(summary, "rules")),
           load_outcome(summary));
    json_decref(summary);
    return EXIT_OK;
}

static int run_rules(limes_store *s, const char *verb, const char *arg)
{
    if (verb && strcmp(verb, "load") == 0)
        return arg ? rules_load(s, arg) : cli_usage("protect rules load: FILE needed");
    if (verb && strcmp(verb, "show") != 0)
        return cli_usage("protect rules: unknown action '%s' (show, load)", verb);
    json_t *rules;
    limes_error err = {0};
    return limes_protect_rules_active(s, &rules, &err) ? cli_error(&err) : print_json(rules);
}

static int run_indicators(limes_store *s, const char *verb, const char *arg,
                          const struct protect_opts *o)
{
    json_t *out;
    limes_error err = {0};
    if (strcmp(verb, "load") == 0)
        return arg ? indicators_load(s, arg) : cli_usage("protect indicators load: FILE needed");
    if (strcmp(verb, "list") == 0)
        return limes_protect_set_list(s, &out, &err) ? cli_error(&err) : print_json(out);
    if (strcmp(verb, "show") == 0) {
        if (!arg)
            return cli_usage("protect indicators show: a set name (child, adult) is needed");
        return limes_protect_set_get(s, arg, o->version, &out, &err) ? cli_error(&err)
                                                                      : print_json(out);
    }
    return cli_usage("protect indicators: unknown action '%s' (list, show, load)", verb);
}

static int run_partners(limes_store *s, const char *verb, const struct protect_opts *o)
{
    limes_error err = {0};
    if (strcmp(verb, "list") == 0) {
        json_t *out;
        return limes_partner_list(s, o->country, NULL, NULL, &out, &err) ? cli_error(&err)
                                                                          : print_json(out);
    }
    if (strcmp(verb, "load-demo") == 0) {
        int added;
        if (limes_partner_load_demo(s, &added, &err))
            return cli_error(&err);
        cli_audit(s, "cli protect partners load-demo", NULL, "ok");
        printf(added ? "%d demo referral partners loaded\n"
                     : "directory not empty: demo partners not loaded (%d)\n", added);
        return EXIT_OK;
    }
    return cli_usage("protect partners: unknown action '%s' (list, load-demo)", verb);
}

static int run_config(limes_store *s, const struct protect_opts *o)
{
    int ack, refl;
    limes_error err = {0};
    if (limes_protect_config_get(s, &ack, &refl, &err))
        return cli_error(&err);
    if (o->ack_hours >= 0 || o->reflection_days >= 0) {
        ack = o->ack_hours >= 0 ? o->ack_hours : ack;
        refl = o->reflection_days >= 0 ? o->reflection_days : refl;
        if (limes_protect_config_set(s, ack, refl, &err))
            return cli_error(&err);
        cli_audit(s, "cli protect config", NULL, "ok");
    }
    printf("acknowledgement deadline: %d hours\nrecovery and reflection period: %d days\n", ack,
           refl);
    return EXIT_OK;
}

static int run_purge(limes_store *s, const struct protect_opts *o)
{
    limes_protect_purge_counts n;
    limes_error err = {0};
    int days = o->days >= 0 ? o->days : 1096;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    if (limes_protect_purge(s, now_ms, days, cli_actor(), &n, &err))
        return cli_error(&err);
    printf("personal content erased (retention %d days): %lld cases, %lld case steps, "
           "%lld assessments\n", days, (long long)n.cases, (long long)n.steps,
           (long long)n.assessments);
    return EXIT_OK;
}

static int run_stats(limes_store *s, const struct protect_opts *o)
{
    const char *format = o->format ? o->format : "csv";
    if (strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)
        return cli_usage("--format must be csv or json");
    json_t *stats;
    limes_error err = {0};
    if (limes_protect_stats(s, o->from, o->to, &stats, &err))
        return cli_error(&err);
    cli_audit(s, "cli protect stats", NULL, "ok");
    if (strcmp(format, "json") == 0)
        return print_json(stats);
    char *csv;
    limes_rc rc = limes_protect_stats_csv(stats, &csv, &err);
    json_decref(stats);
    if (rc)
        return cli_error(&err);
    fputs(csv, stdout);
    free(csv);
    return EXIT_OK;
}

static const char protect_usage[] =
    "usage: limes protect indicators list|show NAME [--version V]|load FILE [--db DB]\n"
    "       limes protect rules [show|load FILE] [--db DB]\n"
    "       limes protect partners list [--country XXX]|load-demo [--db DB]\n"
    "       limes protect config [--ack-hours N] [--reflection-days N] [--db DB]\n"
    "       limes protect stats [--from YYYY-MM] [--to YYYY-MM] [--format csv|json] [--db DB]\n"
    "       limes protect purge [--days N (default 1096)] [--db DB]\n"
    "Indicator sets and rules are data; limes only recommends, officers decide.\n";

static int dispatch(limes_store *s, int argc, char **argv, const struct protect_opts *o)
{
    const char *group = argv[1];
    const char *verb = optind < argc - 1 ? argv[1 + optind] : NULL;
    const char *arg = optind + 1 < argc - 1 ? argv[2 + optind] : NULL;
    if (strcmp(group, "indicators") == 0)
        return verb ? run_indicators(s, verb, arg, o)
                    : cli_usage("protect indicators: list, show or load");
    if (strcmp(group, "partners") == 0)
        return verb ? run_partners(s, verb, o) : cli_usage("protect partners: list or load-demo");
    if (strcmp(group, "config") == 0)
        return run_config(s, o);
    if (strcmp(group, "stats") == 0)
        return run_stats(s, o);
    if (strcmp(group, "purge") == 0)
        return run_purge(s, o);
    return run_rules(s, verb, arg);
}

static int run_protect(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fputs(protect_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    const char *group = argv[1];
    if (strcmp(group, "indicators") != 0 && strcmp(group, "partners") != 0 &&
        strcmp(group, "config") != 0 && strcmp(group, "stats") != 0 &&
        strcmp(group, "rules") != 0 && strcmp(group, "purge") != 0)
        return cli_usage("protect: unknown command '%s' (indicators, rules, partners, config, "
                         "stats, purge)", group);
    struct protect_opts o = {0};
    int rc = parse_protect_opts(argc - 1, argv + 1, &o);
    if (rc)
        return rc;
    limes_store *s;
    rc = cli_open_store(o.db, &s);
    if (rc)
        return rc;
    rc = dispatch(s, argc, argv, &o);
    limes_store_close(s);
    return rc;
}

const struct cli_command cli_protect_cmd = {"protect", "child protection: indicators, partners, "
                                                       "statistics", run_protect};
