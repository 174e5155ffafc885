/*
 * cmd_serve.c - `limes serve` runs the API server; `limes demo` prepares a
 * demonstration database (admin account, demo data) and then serves it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "limes/limes.h"
#include "limes/lists.h"
#include "limes/protect.h"

struct serve_opts {
    const char *db;
    limes_server_config cfg;
};

static int parse_serve(int argc, char **argv, struct serve_opts *o, const char *usage)
{
    static const struct option longs[] = {
        {"db", required_argument, 0, 'd'},       {"listen", required_argument, 0, 'l'},
        {"tls-cert", required_argument, 0, 'c'}, {"tls-key", required_argument, 0, 'k'},
        {"web", required_argument, 0, 'w'},      {"threads", required_argument, 0, 't'},
        {"max-upload-mb", required_argument, 0, 'u'},
        {"help", no_argument, 0, 'h'},           {0, 0, 0, 0},
    };
    o->cfg.listen = "127.0.0.1:8080";
    o->cfg.web_dir = getenv("LIMES_WEB");
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 'd': o->db = optarg; break;
        case 'l': o->cfg.listen = optarg; break;
        case 'c': o->cfg.tls_cert = optarg; break;
        case 'k': o->cfg.tls_key = optarg; break;
        case 'w': o->cfg.web_dir = optarg; break;
        case 't': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 256)
                return cli_usage("--threads must be 1 to 256");
            o->cfg.threads = (unsigned)n;
            break;
        }
        case 'u': {
            char *end;
            long mb = strtol(optarg, &end, 10);
            if (*end || mb < 1 || mb > 4096)
                return cli_usage("--max-upload-mb must be 1 to 4096");
            o->cfg.max_upload = (size_t)mb << 20;
            break;
        }
        case 'h': printf("%s", usage); exit(EXIT_OK);
        default: return EXIT_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage("unexpected argument '%s'", argv[optind]);
    return EXIT_OK;
}

/*
 * Build the screening index before taking traffic: the first screening of a
 * store builds it (seconds for a million entries), and the first officer of
 * the day should not wait for it.  A failure here is not fatal: the check
 * reports screening as unavailable, and the next screening tries again.
 */
static void warm_screening(limes_store *s)
{
    limes_screen_query q = {.name = "warm up", .limit = 1};
    limes_screen_result res = {0};
    limes_error err = {0};
    if (limes_screen(s, &q, &res, &err) != LIMES_OK)
        fprintf(stderr, "limes: warning: screening index not built: %s\n",
                limes_error_text(&err));
    limes_screen_result_free(&res);
}

static int serve_with(limes_store *s, const struct serve_opts *o)
{
    limes_error err = {0};
    warm_screening(s);
    limes_rc rc = limes_serve(s, &o->cfg, &err);
    limes_screen_forget(s);
    limes_store_close(s);
    return rc ? cli_error(&err) : EXIT_OK;
}

static const char serve_usage[] =
    "usage: limes serve [--db PATH|URL] [--listen ADDR:PORT] [--tls-cert FILE --tls-key FILE]\n"
    "                   [--web DIR] [--threads N] [--max-upload-mb N]\n"
    "Serves the API (and the web interface from --web) until SIGINT or SIGTERM.\n";

static int run_serve(int argc, char **argv)
{
    struct serve_opts o = {0};
    int rc = parse_serve(argc, argv, &o, serve_usage);
    if (rc)
        return rc;
    limes_store *s;
    rc = cli_open_store(o.db, &s);
    return rc ? rc : serve_with(s, &o);
}

/* Create the admin account once, printing its password; later runs reuse it. */
static int ensure_admin(limes_store *s)
{
    char password[21];
    limes_generate_password(password);
    limes_error err = {0};
    limes_rc rc = limes_user_add(s, "admin", "Administrator", LIMES_ROLE_ADMIN, password, NULL,
                                 &err);
    if (rc == LIMES_EXISTS) {
        printf("admin account exists (its password was printed when it was created;\n"
               "reset it with: limes user passwd admin --db ...)\n");
        return EXIT_OK;
    }
    if (rc)
        return cli_error(&err);
    cli_audit(s, "cli demo: create admin", "user:admin", "ok");
    printf("\n  admin password (shown once): %s\n\n", password);
    return EXIT_OK;
}

/* Load the demo watchlists (data/lists/) into an empty database; later runs keep what is there. */
static void ensure_demo_lists(limes_store *s)
{
    const char *dir = getenv("LIMES_DEMO_LISTS");
    int loaded = 0;
    limes_error err = {0};
    if (limes_lists_load_demo(s, dir ? dir : "data/lists", &loaded, &err)) {
        fprintf(stderr, "limes demo: watchlists not loaded: %s\n", limes_error_text(&err));
        return;
    }
    if (loaded) {
        cli_audit(s, "cli demo: load watchlists", "list:UN", "ok");
        printf("limes demo: %d watchlists loaded (UN, NATIONAL-PERSONS, NATIONAL-SLTD)\n", loaded);
    }
}

/* Load the demo referral-partner directory (fictitious contacts) if the directory is empty. */
static void ensure_demo_partners(limes_store *s)
{
    int added = 0;
    limes_error err = {0};
    if (limes_partner_load_demo(s, &added, &err)) {
        fprintf(stderr, "limes demo: referral partners not loaded: %s\n", limes_error_text(&err));
        return;
    }
    if (added) {
        cli_audit(s, "cli demo: load referral partners", NULL, "ok");
        printf("limes demo: %d demo referral partners loaded (fictitious contacts)\n", added);
    }
}

static const char demo_usage[] =
    "usage: limes demo [--db PATH] [--listen ADDR:PORT] [--web DIR]\n"
    "Creates the database with an admin account and demo data if needed, then serves it.\n";

static int run_demo(int argc, char **argv)
{
    struct serve_opts o = {0};
    int rc = parse_serve(argc, argv, &o, demo_usage);
    if (rc)
        return rc;
    if (!o.db)
        o.db = "var/limes.db";
    mkdir("var", 0750);
    limes_store *s;
    rc = cli_open_store(o.db, &s);
    if (rc)
        return rc;
    rc = ensure_admin(s);
    limes_error err = {0};
    if (!rc && limes_bcp_add_demo(s, &err))
        rc = cli_error(&err);
    if (rc) {
        limes_store_close(s);
        return rc;
    }
    ensure_demo_lists(s);
    ensure_demo_partners(s);
    printf("limes demo: database %s; log in at the URL below as 'admin'.\n", o.db);
    return serve_with(s, &o);
}

const struct cli_command cli_serve_cmd = {"serve", "run the API server", run_serve};
const struct cli_command cli_demo_cmd = {"demo", "set up demo data and run the server", run_demo};
