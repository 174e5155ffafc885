/*
 * limes/auth.h - users, roles, browser sessions and API tokens.
 *
 * Six roles, each a bit so that a route can allow several at once.
 * Passwords are hashed with Argon2id; session ids and API tokens are random
 * 256-bit values shown to the client once and stored only as SHA-256.
 * Failed logins lock the account for a growing time after five attempts.
 *
 * Memory: every struct here is a plain value the caller owns.  Functions
 * that return JSON hand the caller a new reference to json_decref().
 */
#ifndef LIMES_AUTH_H
#define LIMES_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "limes/error.h"
#include "limes/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum limes_role {
    LIMES_ROLE_OFFICER = 1 << 0,     /* first line, at the booth */
    LIMES_ROLE_SECOND_LINE = 1 << 1, /* second line and child protection */
    LIMES_ROLE_SUPERVISOR = 1 << 2,
    LIMES_ROLE_ANALYST = 1 << 3, /* risk analysis: aggregates */
    LIMES_ROLE_LIAISON = 1 << 4, /* exchange with partners */
    LIMES_ROLE_ADMIN = 1 << 5,
} limes_role;

#define LIMES_ROLE_ALL 0x3f
#define LIMES_PASSWORD_MIN 12
#define LIMES_TOKEN_CHARS 64 /* hex characters of a session id or API token */

/* "officer", "second_line", ...; "" for an unknown value. */
const char *limes_role_name(limes_role role);
/* Parse a role name; false if unknown. */
bool limes_role_parse(const char *name, limes_role *out);

/* Who is making a request, once authenticated. */
typedef struct limes_principal {
    int64_t user_id;
    char username[64];
    limes_role role;
    bool via_session;     /* cookie session (needs CSRF) vs bearer token */
    char csrf_token[65];  /* set when via_session */
    int64_t expires_ms;   /* session expiry, 0 for tokens */
} limes_principal;

/* A new session as handed to the client once. */
typedef struct limes_session {
    char id[LIMES_TOKEN_CHARS + 1];
    char csrf_token[65];
    int64_t expires_ms;
    limes_principal who;
} limes_session;

limes_rc limes_user_add(limes_store *s, const char *username, const char *display_name,
                        limes_role role, const char *password, int64_t *id_out,
                        limes_error *err);
limes_rc limes_user_set_password(limes_store *s, const char *username, const char *password,
                                 limes_error *err);
/* Disable (true) or re-enable (false); disabling ends the user's sessions. */
limes_rc limes_user_set_disabled(limes_store *s, const char *username, bool disabled,
                                 limes_error *err);
limes_rc limes_user_set_role(limes_store *s, const char *username, limes_role role,
                             limes_error *err);
/* All users as a JSON array of {id, username, display_name, role, disabled}. */
limes_rc limes_user_list(limes_store *s, json_t **out, limes_error *err);
limes_rc limes_user_get(limes_store *s, int64_t id, json_t **out, limes_error *err);

/*
 * Check a password and open a session.  `address` is the client address,
 * used for the per-address limit.  Wrong credentials, unknown users and
 * disabled users all answer LIMES_UNAUTHENTICATED with the same message.
 */
limes_rc limes_login(limes_store *s, const char *username, const char *password,
                     const char *address, limes_session *out, limes_error *err);
limes_rc limes_session_check(limes_store *s, const char *session_id, limes_principal *who,
                             limes_error *err);
limes_rc limes_logout(limes_store *s, const char *session_id, limes_error *err);

/* Create an API token for a user; the raw token is written to token_out once. */
limes_rc limes_token_create(limes_store *s, const char *username, const char *name,
                            char token_out[LIMES_TOKEN_CHARS + 1], int64_t *id_out,
                            limes_error *err);
/* A token verified in the last 2 s is not looked up again.  Revoking it,
 * disabling its user or changing the user's role through this process
 * takes effect at once; through another process (the CLI), within 2 s. */
limes_rc limes_token_check(limes_store *s, const char *token, limes_principal *who,
                           limes_error *err);
limes_rc limes_token_revoke(limes_store *s, int64_t token_id, limes_error *err);
limes_rc limes_token_list(limes_store *s, json_t **out, limes_error *err);

/* A random 20-character password of letters and digits (for first set-up). */
void limes_generate_password(char out[21]);

/* Session lifetimes, in milliseconds (absolute and idle). */
void limes_auth_set_session_lifetime(int64_t absolute_ms, int64_t idle_ms);

#ifdef __cplusplus
}
#endif
#endif
