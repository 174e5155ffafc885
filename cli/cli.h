/*
 * cli.h - shared pieces of the `limes` command.  The command uses only the
 * library's public API (include/limes/); each command group lives in its
 * own cmd_*.c file and is listed in main.c's table.
 */
#ifndef LIMES_CLI_H
#define LIMES_CLI_H

#include <stdbool.h>

#include "limes/error.h"
#include "limes/store.h"

/* Exit codes: 0 ok, 1 the operation failed, 2 bad usage or input. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
};

/* Print "limes: <message>" for err to stderr; returns the exit code to use. */
int cli_error(const limes_error *err);
/* Print a usage error naming the option; returns EXIT_USAGE. */
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Open the store named by --db (or $LIMES_DB, or ./var/limes.db). */
int cli_open_store(const char *db, limes_store **out);
/* The OS user running the command, for audit entries ("cli:<name>"). */
const char *cli_actor(void);
/* Append an audit entry for a CLI action; prints a warning if it fails. */
void cli_audit(limes_store *s, const char *action, const char *record, const char *outcome);

extern const struct cli_command cli_serve_cmd, cli_demo_cmd, cli_user_cmd, cli_token_cmd,
    cli_audit_cmd, cli_db_cmd, cli_routes_cmd;
extern const struct cli_command cli_mrz_cmd;
extern const struct cli_command cli_lists_cmd;
extern const struct cli_command cli_screen_cmd, cli_names_cmd;
extern const struct cli_command cli_stay_cmd, cli_purge_cmd, cli_bcp_cmd;
extern const struct cli_command cli_protect_cmd;

#endif
