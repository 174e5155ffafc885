/*
 * cmd_audit.c - `limes audit verify` checks the hash chain and names the
 * first entry that was edited, inserted or deleted; `limes audit ls` shows
 * the newest entries.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "limes/limes.h"

static int audit_verify(limes_store *s)
{
    limes_audit_report rep;
    limes_error err = {0};
    limes_rc rc = limes_audit_verify(s, &rep, &err);
    if (rc == LIMES_TAMPERED) {
        printf("audit chain BROKEN after %lld entries: %s\n", (long long)rep.entries,
               rep.problem);
        return EXIT_FAIL;
    }
    if (rc)
        return cli_error(&err);
    printf("audit chain intact: %lld entries\n", (long long)rep.entries);
    return EXIT_OK;
}

static int audit_ls(limes_store *s, const char *user, int limit)
{
    limes_audit_filter f = {.actor = user, .limit = limit};
    json_t *entries;
    limes_error err = {0};
    if (limes_audit_query(s, &f, &entries, &err))
        return cli_error(&err);
    char *text = json_dumps(entries, JSON_INDENT(2));
    json_decref(entries);
    printf("%s\n", text ? text : "[]");
    free(text);
    return EXIT_OK;
}

static const char audit_usage[] = "usage: limes audit verify [--db DB]\n"
                                  "       limes audit ls [--user NAME] [--limit N] [--db DB]\n";

static int run_audit(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fputs(audit_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    static const struct option longs[] = {{"db", required_argument, 0, 'd'},
                                          {"user", required_argument, 0, 'u'},
                                          {"limit", required_argument, 0, 'l'},
                                          {0, 0, 0, 0}};
    const char *db = NULL, *user = NULL;
    int limit = 50, c;
    optind = 1;
    while ((c = getopt_long(argc - 1, argv + 1, "", longs, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'u': user = optarg; break;
        case 'l': limit = atoi(optarg); break;
        default: return EXIT_USAGE;
        }
    }
    if (limit < 1 || limit > 1000)
        return cli_usage("--limit must be 1 to 1000");
    const char *verb = argv[1];
    if (strcmp(verb, "verify") != 0 && strcmp(verb, "ls") != 0)
        return cli_usage("audit: unknown action '%s'", verb);
    limes_store *s;
    int rc = cli_open_store(db, &s);
    if (rc)
        return rc;
    rc = strcmp(verb, "verify") == 0 ? audit_verify(s) : audit_ls(s, user, limit);
    limes_store_close(s);
    return rc;
}

static int run_db(int argc, char **argv)
{
    static const struct option longs[] = {{"db", required_argument, 0, 'd'}, {0, 0, 0, 0}};
    const char *db = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        if (c != 'd')
            return EXIT_USAGE;
        db = optarg;
    }
    limes_store *s;
    int rc = cli_open_store(db, &s);
    if (rc)
        return rc;
    printf("store: %s, %d migrations applied\n", limes_store_backend(s),
           limes_store_migration_count(s));
    limes_store_close(s);
    return EXIT_OK;
}

static int run_routes(int argc, char **argv)
{
    json_t *routes = limes_server_routes();
    char *text = json_dumps(routes, JSON_INDENT(2));
    json_decref(routes);
    printf("%s\n", text ? text : "[]");
    free(text);
    return text ? EXIT_OK : EXIT_FAIL;
}

const struct cli_command cli_routes_cmd = {"routes", "list the API routes and their roles",
                                           run_routes};
const struct cli_command cli_audit_cmd = {"audit", "verify or list the audit trail", run_audit};
const struct cli_command cli_db_cmd = {"db", "create or migrate the database, show its state",
                                       run_db};
