/*
 * cmd_user.c - `limes user add|passwd|disable|enable|role|list` and
 * `limes token create|revoke|list`.  Passwords are read from standard input
 * (one line) when --password-stdin is given, otherwise generated and
 * printed once, so they never appear in the process list or shell history.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "limes/limes.h"

struct user_opts {
    const char *db, *display, *role, *name;
    bool password_stdin;
};

static int parse_user_opts(int argc, char **argv, struct user_opts *o)
{
    static const struct option longs[] = {
        {"db", required_argument, 0, 'd'},   {"display-name", required_argument, 0, 'n'},
        {"role", required_argument, 0, 'r'}, {"password-stdin", no_argument, 0, 'p'},
        {"name", required_argument, 0, 'N'}, {0, 0, 0, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 'd': o->db = optarg; break;
        case 'n': o->display = optarg; break;
        case 'r': o->role = optarg; break;
        case 'p': o->password_stdin = true; break;
        case 'N': o->name = optarg; break;
        default: return EXIT_USAGE;
        }
    }
    return EXIT_OK;
}

/* The password to set: one line of stdin, or a generated one (printed). */
static int obtain_password(const struct user_opts *o, char *pw, size_t n, bool *generated)
{
    *generated = !o->password_stdin;
    if (!o->password_stdin) {
        char gen[21];
        limes_generate_password(gen);
        snprintf(pw, n, "%s", gen);
        return EXIT_OK;
    }
    if (!fgets(pw, (int)n, stdin))
        return cli_usage("--password-stdin: no password on standard input");
    pw[strcspn(pw, "\r\n")] = '\0';
    return EXIT_OK;
}

static int user_add(limes_store *s, const char *username, const struct user_opts *o)
{
    limes_role role;
    if (!o->role)
        return cli_usage("user add: --role is required");
    if (!limes_role_parse(o->role, &role))
        return cli_usage("--role: unknown role '%s' (officer, second_line, supervisor, analyst, "
                         "liaison, admin)", o->role);
    char pw[1100];
    bool generated;
    int rc = obtain_password(o, pw, sizeof pw, &generated);
    if (rc)
        return rc;
    limes_error err = {0};
    int64_t id;
    if (limes_user_add(s, username, o->display, role, pw, &id, &err))
        return cli_error(&err);
    cli_audit(s, "cli user add", username, "ok");
    printf("user '%s' created (id %lld, role %s)\n", username, (long long)id, o->role);
    if (generated)
        printf("password (shown once): %s\n", pw);
    return EXIT_OK;
}

static int user_passwd(limes_store *s, const char *username, const struct user_opts *o)
{
    char pw[1100];
    bool generated;
    int rc = obtain_password(o, pw, sizeof pw, &generated);
    if (rc)
        return rc;
    limes_error err = {0};
    if (limes_user_set_password(s, username, pw, &err))
        return cli_error(&err);
    cli_audit(s, "cli user passwd", username, "ok");
    printf("password of '%s' changed\n", username);
    if (generated)
        printf("password (shown once): %s\n", pw);
    return EXIT_OK;
}

static int user_simple(limes_store *s, const char *verb, const char *username,
                       const struct user_opts *o)
{
    limes_error err = {0};
    limes_rc rc;
    if (strcmp(verb, "role") == 0) {
        limes_role role;
        if (!o->role || !limes_role_parse(o->role, &role))
            return cli_usage("user role: --role with a known role is required");
        rc = limes_user_set_role(s, username, role, &err);
    } else {
        rc = limes_user_set_disabled(s, username, strcmp(verb, "disable") == 0, &err);
    }
    if (rc)
        return cli_error(&err);
    char action[64];
    snprintf(action, sizeof action, "cli user %s", verb);
    cli_audit(s, action, username, "ok");
    printf("user '%s': %s done\n", username, verb);
    return EXIT_OK;
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

static int user_list(limes_store *s)
{
    json_t *list;
    limes_error err = {0};
    if (limes_user_list(s, &list, &err))
        return cli_error(&err);
    cli_audit(s, "cli user list", NULL, "ok");
    return print_json(list);
}

static const char user_usage[] =
    "usage: limes user add NAME --role ROLE [--display-name TEXT] [--password-stdin] [--db DB]\n"
    "       limes user passwd NAME [--password-stdin] [--db DB]\n"
    "       limes user disable|enable NAME [--db DB]\n"
    "       limes user role NAME --role ROLE [--db DB]\n"
    "       limes user list [--db DB]\n"
    "Roles: officer, second_line, supervisor, analyst, liaison, admin.\n"
    "Without --password-stdin a password is generated and printed once.\n";

static int run_user(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fputs(user_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    const char *verb = argv[1];
    struct user_opts o = {0};
    int rc = parse_user_opts(argc - 1, argv + 1, &o);
    if (rc)
        return rc;
    const char *username = optind < argc - 1 ? argv[1 + optind] : NULL;
    bool needs_name = strcmp(verb, "list") != 0;
    if (needs_name && !username)
        return cli_usage("user %s: a user name is required", verb);
    bool known = !needs_name || strcmp(verb, "add") == 0 || strcmp(verb, "passwd") == 0 ||
                 strcmp(verb, "disable") == 0 || strcmp(verb, "enable") == 0 ||
                 strcmp(verb, "role") == 0;
    if (!known)
        return cli_usage("user: unknown action '%s'", verb);
    limes_store *s;
    rc = cli_open_store(o.db, &s);
    if (rc)
        return rc;
    if (strcmp(verb, "add") == 0)
        rc = user_add(s, username, &o);
    else if (strcmp(verb, "passwd") == 0)
        rc = user_passwd(s, username, &o);
    else if (strcmp(verb, "list") == 0)
        rc = user_list(s);
    else
        rc = user_simple(s, verb, username, &o);
    limes_store_close(s);
    return rc;
}

static int token_create(limes_store *s, const char *username, const struct user_opts *o)
{
    char token[LIMES_TOKEN_CHARS + 1];
    int64_t id;
    limes_error err = {0};
    if (limes_token_create(s, username, o->name ? o->name : "cli", token, &id, &err))
        return cli_error(&err);
    cli_audit(s, "cli token create", username, "ok");
    printf("token %lld for '%s' (shown once): %s\n", (long long)id, username, token);
    return EXIT_OK;
}

static int token_revoke(limes_store *s, const char *id_text)
{
    char *end;
    long long id = strtoll(id_text, &end, 10);
    if (*end || id <= 0)
        return cli_usage("token revoke: '%s' is not a token id", id_text);
    limes_error err = {0};
    if (limes_token_revoke(s, id, &err))
        return cli_error(&err);
    cli_audit(s, "cli token revoke", id_text, "ok");
    printf("token %lld revoked\n", id);
    return EXIT_OK;
}

static const char token_usage[] =
    "usage: limes token create USER [--name NAME] [--db DB]\n"
    "       limes token revoke ID [--db DB]\n"
    "       limes token list [--db DB]\n";

static int run_token(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fputs(token_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    const char *verb = argv[1];
    struct user_opts o = {0};
    int rc = parse_user_opts(argc - 1, argv + 1, &o);
    if (rc)
        return rc;
    const char *arg = optind < argc - 1 ? argv[1 + optind] : NULL;
    if (strcmp(verb, "list") != 0 && !arg)
        return cli_usage("token %s: an argument is required", verb);
    if (strcmp(verb, "create") != 0 && strcmp(verb, "revoke") != 0 && strcmp(verb, "list") != 0)
        return cli_usage("token: unknown action '%s'", verb);
    limes_store *s;
    rc = cli_open_store(o.db, &s);
    if (rc)
        return rc;
    if (strcmp(verb, "create") == 0) {
        rc = token_create(s, arg, &o);
    } else if (strcmp(verb, "revoke") == 0) {
        rc = token_revoke(s, arg);
    } else {
        json_t *list;
        limes_error err = {0};
        rc = limes_token_list(s, &list, &err) ? cli_error(&err) : print_json(list);
    }
    limes_store_close(s);
    return rc;
}

const struct cli_command cli_user_cmd = {"user", "manage user accounts", run_user};
const struct cli_command cli_token_cmd = {"token", "manage API tokens", run_token};
