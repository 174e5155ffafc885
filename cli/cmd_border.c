/*
 * cmd_border.c - `limes stay` (the 90/180 calculator, on a stored
 * traveller or on dates given on the command line), `limes purge` (erase
 * border records past retention, audited) and `limes bcp list|add`
 * (border crossing points).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "limes/limes.h"

static int print_json(json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2));
    json_decref(j);
    if (!s)
        return EXIT_FAIL;
    puts(s);
    free(s);
    return EXIT_OK;
}

static bool parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* ---- limes stay -------------------------------------------------------- */

/* "2025-01-01:2025-03-31,2025-05-01:" (empty exit = still present). */
static int parse_stays(const char *text, limes_stay **out, size_t *n)
{
    size_t cap = 1;
    for (const char *p = text; *p; p++)
        cap += *p == ',';
    limes_stay *v = calloc(cap, sizeof *v);
    char *copy = strdup(text);
    if (!v || !copy) {
        free(v);
        free(copy);
        return EXIT_FAIL;
    }
    size_t k = 0;
    char *save = NULL;
    int rc = EXIT_OK;
    for (char *tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(tok, ':');
        if (colon)
            *colon = '\0';
        limes_error err = {0};
        if (limes_day_parse(tok, "--stays", &v[k].entry, &err))
            rc = cli_error(&err);
        else if (!colon || !colon[1])
            v[k].exit = colon ? LIMES_STAY_OPEN : v[k].entry;
        else if (limes_day_parse(colon + 1, "--stays", &v[k].exit, &err))
            rc = cli_error(&err);
        k++;
    }
    free(copy);
    if (rc) {
        free(v);
        return rc;
    }
    *out = v;
    *n = k;
    return EXIT_OK;
}

static int stay_offline(const char *stays_text, const char *nationality, int32_t on,
                        const char *plan)
{
    limes_stay *stays;
    size_t n;
    int rc = parse_stays(stays_text, &stays, &n);
    if (rc)
        return rc;
    limes_stay_regime reg;
    limes_stay_regime_for(nationality, &reg);
    if (reg.kind == LIMES_REGIME_FREE_MOVEMENT) {
        free(stays);
        printf("%s: %s, no short-stay limit applies\n", nationality ? nationality : "*",
               limes_stay_regime_name(reg.kind));
        return EXIT_OK;
    }
    limes_error err = {0};
    limes_stay_status st;
    char d1[11], d2[11];
    if (plan) {
        int32_t entry;
        int days;
        if (limes_day_parse(plan, "--plan", &entry, &err) ||
            limes_stay_plan(&reg.rule, stays, n, entry, &days, &err)) {
            free(stays);
            return cli_error(&err);
        }
        limes_day_format(entry, d1);
        limes_day_format(entry + days - 1, d2);
        printf("entry on %s: up to %d days%s%s\n", d1, days, days ? ", until " : "",
               days ? d2 : "");
        free(stays);
        return EXIT_OK;
    }
    if (limes_stay_check(&reg.rule, stays, n, on, &st, &err)) {
        free(stays);
        return cli_error(&err);
    }
    free(stays);
    limes_day_format(on, d1);
    printf("on %s (%s, %d days in any %d): %d days used, %d left", d1,
           limes_stay_regime_name(reg.kind), reg.rule.max_days, reg.rule.window_days, st.used,
           st.days_left);
    if (st.latest_exit >= (st.present ? st.stay_entry : on)) {
        limes_day_format(st.latest_exit, d2);
        printf(", latest lawful exit %s", d2);
    }
    if (st.overstay)
        printf(", OVERSTAY %d days", st.overstay);
    printf("\n");
    return EXIT_OK;
}

static const char stay_usage[] =
    "usage: limes stay --traveller ID [--on YYYY-MM-DD] [--db PATH|URL]\n"
    "       limes stay --stays ENTRY:EXIT[,ENTRY:EXIT...] [--nationality XXX]\n"
    "                  [--on YYYY-MM-DD | --plan YYYY-MM-DD] [--regimes FILE]\n"
    "The 90/180 rule: days used in the window ending on --on (default today),\n"
    "days left, latest lawful exit, overstay; --plan gives the longest stay\n"
    "entering on that day.  An empty EXIT means still present.  --regimes loads\n"
    "a partner's regime table (CSV as src/stay/regimes.csv).\n";

static int run_stay(int argc, char **argv)
{
    static const struct option longs[] = {
        {"db", required_argument, 0, 'd'},      {"traveller", required_argument, 0, 't'},
        {"on", required_argument, 0, 'o'},      {"stays", required_argument, 0, 's'},
        {"plan", required_argument, 0, 'p'},    {"nationality", required_argument, 0, 'n'},
        {"regimes", required_argument, 0, 'r'}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *db = NULL, *stays = NULL, *plan = NULL, *nat = NULL, *regimes = NULL;
    long traveller = 0;
    int32_t on = limes_day_today();
    limes_error err = {0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 't':
            if (!parse_long(optarg, 1, 0x7fffffffL, &traveller))
                return cli_usage("--traveller must be a traveller id");
            break;
        case 'o':
            if (limes_day_parse(optarg, "--on", &on, &err))
                return cli_error(&err);
            break;
        case 's': stays = optarg; break;
        case 'p': plan = optarg; break;
        case 'n': nat = optarg; break;
        case 'r': regimes = optarg; break;
        case 'h': printf("%s", stay_usage); return EXIT_OK;
        default: return EXIT_USAGE;
        }
    }
    if (regimes && limes_stay_regimes_load(regimes, &err))
        return cli_error(&err);
    if (!stays == !traveller)
        return cli_usage("give either --traveller or --stays (see --help)");
    if (stays)
        return stay_offline(stays, nat, on, plan);
    limes_store *s;
    int rc = cli_open_store(db, &s);
    if (rc)
        return rc;
    json_t *st;
    if (limes_traveller_stay(s, traveller, on, &st, &err)) {
        limes_store_close(s);
        return cli_error(&err);
    }
    char record[40];
    snprintf(record, sizeof record, "traveller:%ld", traveller);
    cli_audit(s, "cli stay", record, "ok");
    limes_store_close(s);
    return print_json(st);
}

/* ---- limes purge ------------------------------------------------------- */

static const char purge_usage[] =
    "usage: limes purge [--older-than DAYS] [--overstay-days DAYS] [--today YYYY-MM-DD]\n"
    "                   [--db PATH|URL]\n"
    "Erases border records past retention (EES defaults: 1096 days after an exit,\n"
    "refusal or detection; 1827 days after the last lawful day of a stay with no\n"
    "exit) and travellers left with nothing.  The run is audited.\n";

static int run_purge(int argc, char **argv)
{
    static const struct option longs[] = {
        {"db", required_argument, 0, 'd'},       {"older-than", required_argument, 0, 'o'},
        {"overstay-days", required_argument, 0, 'v'}, {"today", required_argument, 0, 't'},
        {"help", no_argument, 0, 'h'},           {0, 0, 0, 0},
    };
    const char *db = NULL;
    limes_retention r = limes_retention_default();
    int32_t today = limes_day_today();
    limes_error err = {0};
    long v;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'o':
            if (!parse_long(optarg, 1, 36600, &v))
                return cli_usage("--older-than must be 1 to 36600 days");
            r.closed_days = (int)v;
            break;
        case 'v':
            if (!parse_long(optarg, 1, 36600, &v))
                return cli_usage("--overstay-days must be 1 to 36600 days");
            r.overstay_days = (int)v;
            break;
        case 't':
            if (limes_day_parse(optarg, "--today", &today, &err))
                return cli_error(&err);
            break;
        case 'h': printf("%s", purge_usage); return EXIT_OK;
        default: return EXIT_USAGE;
        }
    }
    limes_store *s;
    int rc = cli_open_store(db, &s);
    if (rc)
        return rc;
    limes_purge_counts n;
    rc = limes_border_purge(s, today, &r, cli_actor(), &n, &err) ? cli_error(&err) : EXIT_OK;
    limes_store_close(s);
    if (!rc)
        printf("purged: %lld stays, %lld crossings, %lld refusals, %lld detections, %lld "
               "checks, %lld travellers\n",
               (long long)n.stays, (long long)n.crossings, (long long)n.refusals,
               (long long)n.detections, (long long)n.checks, (long long)n.travellers);
    if (!rc && n.overstays_due_soon)
        printf("warning: %lld stays without exit reach the end of their retention within 90 "
               "days\n",
               (long long)n.overstays_due_soon);
    return rc;
}

/* ---- limes bcp ---------------------------------------------------------- */

static const char bcp_usage[] =
    "usage: limes bcp list [--db PATH|URL]\n"
    "       limes bcp add CODE --name-en NAME [--name-ar NAME] [--name-fr NAME]\n"
    "                 --kind air|land|sea --country XXX [--db PATH|URL]\n"
    "       limes bcp demo [--db PATH|URL]   (the demonstration crossing points)\n";

static int run_bcp(int argc, char **argv)
{
    static const struct option longs[] = {
        {"db", required_argument, 0, 'd'},      {"name-en", required_argument, 0, 'e'},
        {"name-ar", required_argument, 0, 'a'}, {"name-fr", required_argument, 0, 'f'},
        {"kind", required_argument, 0, 'k'},    {"country", required_argument, 0, 'c'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0},
    };
    const char *db = NULL;
    limes_bcp b = {0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'e': b.name_en = optarg; break;
        case 'a': b.name_ar = optarg; break;
        case 'f': b.name_fr = optarg; break;
        case 'k': b.kind = optarg; break;
        case 'c': b.country = optarg; break;
        case 'h': printf("%s", bcp_usage); return EXIT_OK;
        default: return EXIT_USAGE;
        }
    }
    const char *sub = optind < argc ? argv[optind] : NULL;
    if (!sub || (strcmp(sub, "list") && strcmp(sub, "add") && strcmp(sub, "demo")))
        return cli_usage("bcp: give list, add or demo (see --help)");
    if (strcmp(sub, "add") == 0) {
        if (optind + 1 >= argc)
            return cli_usage("bcp add: the CODE is missing");
        b.code = argv[optind + 1];
    }
    limes_store *s;
    int rc = cli_open_store(db, &s);
    if (rc)
        return rc;
    limes_error err = {0};
    json_t *list = NULL;
    if (strcmp(sub, "list") == 0) {
        rc = limes_bcp_list(s, &list, &err) ? cli_error(&err) : EXIT_OK;
    } else if (strcmp(sub, "demo") == 0) {
        rc = limes_bcp_add_demo(s, &err) ? cli_error(&err) : EXIT_OK;
    } else {
        int64_t id;
        rc = limes_bcp_add(s, &b, &id, &err) ? cli_error(&err) : EXIT_OK;
        if (!rc) {
            char record[40];
            snprintf(record, sizeof record, "bcp:%lld", (long long)id);
            cli_audit(s, "cli bcp add", record, "ok");
            printf("crossing point %s added (id %lld)\n", b.code, (long long)id);
        }
    }
    limes_store_close(s);
    return list ? print_json(list) : rc;
}

const struct cli_command cli_stay_cmd = {"stay", "90/180 stay calculator", run_stay};
const struct cli_command cli_purge_cmd = {"purge", "erase border records past retention",
                                          run_purge};
const struct cli_command cli_bcp_cmd = {"bcp", "border crossing points", run_bcp};
