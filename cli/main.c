/*
 * main.c - the `limes` command: one program for the server and for every
 * administrative and analytical task, built on the public library API.
 */
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "limes/audit.h"
#include "limes/limes.h"

static const struct cli_command *const commands[] = {
    &cli_serve_cmd, &cli_demo_cmd, &cli_user_cmd, &cli_token_cmd, &cli_audit_cmd, &cli_db_cmd,
    &cli_routes_cmd,
    &cli_mrz_cmd,
    &cli_lists_cmd,
    &cli_screen_cmd, &cli_names_cmd,
    &cli_stay_cmd, &cli_purge_cmd, &cli_bcp_cmd,
    &cli_protect_cmd,
    NULL,
};

int cli_error(const limes_error *err)
{
    if (err->field[0])
        fprintf(stderr, "limes: %s (%s): %s\n", limes_rc_code(err->rc), err->field,
                limes_error_text(err));
    else
        fprintf(stderr, "limes: %s: %s\n", limes_rc_code(err->rc), limes_error_text(err));
    return err->rc == LIMES_INVALID || err->rc == LIMES_BAD_JSON ? EXIT_USAGE : EXIT_FAIL;
}

int cli_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("limes: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return EXIT_USAGE;
}

int cli_open_store(const char *db, limes_store **out)
{
    if (!db)
        db = getenv("LIMES_DB");
    if (!db)
        db = "var/limes.db";
    limes_error err = {0};
    if (limes_store_open(db, out, &err))
        return cli_error(&err);
    return EXIT_OK;
}

const char *cli_actor(void)
{
    static char actor[80];
    const struct passwd *pw = getpwuid(getuid());
    snprintf(actor, sizeof actor, "cli:%s", pw ? pw->pw_name : "unknown");
    return actor;
}

void cli_audit(limes_store *s, const char *action, const char *record, const char *outcome)
{
    const char *records[] = {record};
    limes_audit_entry e = {.actor = cli_actor(), .role = "cli", .action = action,
                           .records = records, .nrecords = record ? 1 : 0, .outcome = outcome};
    limes_error err = {0};
    if (limes_audit_append(s, &e, &err))
        fprintf(stderr, "limes: warning: audit entry not written: %s\n", limes_error_text(&err));
}

static void usage(FILE *to)
{
    fprintf(to, "usage: limes COMMAND [OPTIONS]\n\ncommands:\n");
    for (size_t i = 0; commands[i]; i++)
        fprintf(to, "  %-8s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(to, "\n'limes COMMAND --help' tells more.  limes %s\n", limes_version());
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("limes %s\n", limes_version());
        return EXIT_OK;
    }
    for (size_t i = 0; commands[i]; i++)
        if (strcmp(commands[i]->name, argv[1]) == 0)
            return commands[i]->run(argc - 1, argv + 1);
    fprintf(stderr, "limes: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
