/*
 * cmd_lists.c - `limes lists import|ls|rm`: load watchlists (UN XML,
 * OFAC SDN CSV set, national CSV lists of persons or documents) into the
 * store and show what is loaded.  Imports are atomic: a file that fails
 * leaves the list as it was.  On a terminal a progress bar on stderr
 * follows long imports.  Every import and removal is audited.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "limes/limes.h"
#include "limes/lists.h"

struct lists_opts {
    const char *db, *list, *format, *action;
    bool json;
};

static int parse_lists_opts(int argc, char **argv, struct lists_opts *o)
{
    static const struct option longs[] = {
        {"db", required_argument, 0, 'd'},     {"list", required_argument, 0, 'l'},
        {"format", required_argument, 0, 'f'}, {"action", required_argument, 0, 'a'},
        {"json", no_argument, 0, 'j'},         {0, 0, 0, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 'd': o->db = optarg; break;
        case 'l': o->list = optarg; break;
        case 'f': o->format = optarg; break;
        case 'a': o->action = optarg; break;
        case 'j': o->json = true; break;
        default: return EXIT_USAGE;
        }
    }
    return EXIT_OK;
}

/* Where the progress bar stands: the phase shown and its last percentage. */
struct progress_state {
    char phase[16];
    int pct; /* -1 = nothing drawn on the current line */
};

/* A one-line bar per phase, redrawn in place: "  parse [##########..........]  50%". */
static void draw_progress(void *ud, const char *phase, uint64_t done, uint64_t total)
{
    struct progress_state *st = ud;
    if (total == 0)
        return;
    if (strcmp(st->phase, phase) != 0) {
        if (st->pct >= 0 && st->pct < 100)
            fputc('\n', stderr); /* keep the previous phase's line */
        snprintf(st->phase, sizeof st->phase, "%s", phase);
        st->pct = -1;
    }
    int pct = (int)(done * 100 / total);
    if (pct == st->pct)
        return;
    st->pct = pct;
    char bar[41];
    int filled = pct * 40 / 100;
    for (int i = 0; i < 40; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[40] = '\0';
    fprintf(stderr, "\r  %-5s [%s] %3d%%", phase, bar, pct);
    if (done >= total)
        fputc('\n', stderr);
    fflush(stderr);
}

static void print_report(const char *list, const limes_import_report *r)
{
    printf("list '%s' imported: %lld persons, %lld documents, %lld names, %lld dates of birth\n",
           list, (long long)r->persons, (long long)r->documents, (long long)r->names,
           (long long)r->dobs);
    if (r->skipped)
        printf("skipped %lld source records:\n", (long long)r->skipped);
    for (size_t i = 0; i < r->nskips; i++)
        printf("  %6lld  %s\n", (long long)r->skips[i].count, r->skips[i].reason);
    printf("lists generation %lld\n", (long long)r->generation);
}

static int lists_import(limes_store *s, const struct lists_opts *o, char **paths, size_t n)
{
    if (!o->list || !o->format)
        return cli_usage("lists import: --list NAME and --format un|ofac|csv|csv-documents are "
                         "required");
    if (n == 0)
        return cli_usage("lists import: at least one file is required");
    struct progress_state bar = {.pct = -1};
    limes_import_options opt = {.action = o->action};
    if (isatty(STDERR_FILENO)) {
        opt.progress = draw_progress;
        opt.progress_ud = &bar;
    }
    limes_import_report report;
    limes_error err = {0};
    char record[100];
    snprintf(record, sizeof record, "list:%s", o->list);
    limes_rc rc = limes_lists_import_opts(s, o->list, o->format, (const char *const *)paths, n,
                                          &opt, &report, &err);
    if (bar.pct >= 0 && bar.pct < 100)
        fputc('\n', stderr);
    cli_audit(s, "cli lists import", record, rc ? "error" : "ok");
    if (rc)
        return cli_error(&err);
    print_report(o->list, &report);
    return EXIT_OK;
}

static int lists_ls(limes_store *s, const struct lists_opts *o)
{
    json_t *lists;
    limes_error err = {0};
    if (limes_lists_summary(s, &lists, &err))
        return cli_error(&err);
    if (o->json) {
        char *text = json_dumps(lists, JSON_INDENT(2));
        json_decref(lists);
        if (!text)
            return EXIT_FAIL;
        printf("%s\n", text);
        free(text);
        return EXIT_OK;
    }
    printf("%-20s %-10s %-14s %9s %11s  %s\n", "LIST", "KIND", "FORMAT", "ENTRIES", "GENERATION",
           "SOURCES");
    size_t i;
    json_t *l;
    json_array_foreach(lists, i, l) {
        char sources[256] = "";
        size_t k;
        json_t *src;
        json_array_foreach(json_object_get(l, "sources"), k, src) {
            size_t used = strlen(sources);
            snprintf(sources + used, sizeof sources - used, "%s%s", k ? ", " : "",
                     json_string_value(src));
        }
        printf("%-20s %-10s %-14s %9lld %11lld  %s\n",
               json_string_value(json_object_get(l, "name")),
               json_string_value(json_object_get(l, "kind")),
               json_string_value(json_object_get(l, "format")),
               (long long)json_integer_value(json_object_get(l, "entries")),
               (long long)json_integer_value(json_object_get(l, "generation")), sources);
    }
    if (json_array_size(lists) == 0)
        printf("(no lists; load one with: limes lists import --list NAME --format FORMAT FILE)\n");
    json_decref(lists);
    return EXIT_OK;
}

static int lists_rm(limes_store *s, const char *name)
{
    limes_error err = {0};
    char record[100];
    snprintf(record, sizeof record, "list:%s", name);
    limes_rc rc = limes_lists_remove(s, name, &err);
    cli_audit(s, "cli lists rm", record, rc ? "error" : "ok");
    if (rc)
        return cli_error(&err);
    printf("list '%s' removed\n", name);
    return EXIT_OK;
}

static const char lists_usage[] =
    "usage: limes lists import --list NAME --format un|ofac|csv|csv-documents [--action ACTION]\n"
    "                          [--db DB] FILE...\n"
    "       limes lists ls [--json] [--db DB]\n"
    "       limes lists rm NAME [--db DB]\n"
    "Formats: un = UN Security Council consolidated list XML; ofac = the SDN legacy CSV set\n"
    "(sdn.csv, alt.csv, add.csv); csv and csv-documents = national lists (docs/lists-csv.md).\n"
    "--action sets the action for entries that carry none (default refuse_entry, for\n"
    "documents seize_document).  A re-import replaces the list atomically.\n";

static int run_lists(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fputs(lists_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    const char *verb = argv[1];
    if (strcmp(verb, "import") && strcmp(verb, "ls") && strcmp(verb, "rm"))
        return cli_usage("lists: unknown action '%s' (import, ls, rm)", verb);
    struct lists_opts o = {0};
    int rc = parse_lists_opts(argc - 1, argv + 1, &o);
    if (rc)
        return rc;
    char **rest = argv + 1 + optind;
    size_t nrest = (size_t)(argc - 1 - optind);
    if (strcmp(verb, "rm") == 0 && nrest != 1)
        return cli_usage("lists rm: exactly one list name is required");
    limes_store *s;
    rc = cli_open_store(o.db, &s);
    if (rc)
        return rc;
    if (strcmp(verb, "import") == 0)
        rc = lists_import(s, &o, rest, nrest);
    else if (strcmp(verb, "ls") == 0)
        rc = lists_ls(s, &o);
    else
        rc = lists_rm(s, rest[0]);
    limes_store_close(s);
    return rc;
}

const struct cli_command cli_lists_cmd = {"lists", "import and show watchlists", run_lists};
