/*
 * session.c - logging in and out from the browser.
 *
 * POST /v1/session checks the password and sets the session cookie
 * (HttpOnly, SameSite=Strict, Secure under TLS); the CSRF token comes back
 * in the body and must accompany every state-changing request made with
 * the cookie.  Login attempts are audited, successful or not.
 */
#include <stdio.h>

#include "api.h"
#include "core/date.h"

static json_t *session_json(const limes_principal *who)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:I}", "user_id", (json_int_t)who->user_id,
                     "username", who->username, "role", limes_role_name(who->role),
                     "csrf_token", who->csrf_token, "expires_ms", (json_int_t)who->expires_ms);
}

static void set_cookie(http_req *r, const char *value, long max_age)
{
    char cookie[256];
    snprintf(cookie, sizeof cookie, "limes_session=%s; Path=/; HttpOnly; SameSite=Strict;%s Max-Age=%ld",
             value, http_is_tls(r) ? " Secure;" : "", max_age);
    http_add_header(r, "Set-Cookie", cookie);
}

static int post_session(http_req *r)
{
    const char *username, *password;
    if (!http_body_str(r, "username", true, 63, &username) ||
        !http_body_str(r, "password", true, 1024, &password))
        return http_status(r);
    http_audit_force(r);
    http_audit_detail(r, username);
    limes_session s;
    limes_error err = {0};
    if (limes_login(http_store(r), username, password, http_client_address(r), &s, &err))
        return http_fail(r, &err);
    http_audit_record(r, "user:%lld", (long long)s.who.user_id);
    set_cookie(r, s.id, (long)((s.expires_ms - time_now_ms()) / 1000));
    return http_json(r, 201, session_json(&s.who));
}

static int get_session(http_req *r) { return http_json(r, 200, session_json(http_who(r))); }

static int delete_session(http_req *r)
{
    limes_error err = {0};
    const char *sid = http_cookie(r, "limes_session");
    if (sid && limes_logout(http_store(r), sid, &err))
        return http_fail(r, &err);
    set_cookie(r, "", 0);
    return http_json(r, 200, json_pack("{s:b}", "logged_out", 1));
}

const struct route api_session_routes[] = {
    {"POST", "/v1/session", 0, ROUTE_PUBLIC | ROUTE_NO_CSRF, post_session},
    {"GET", "/v1/session", ROLES_ANY, 0, get_session},
    {"DELETE", "/v1/session", ROLES_ANY, 0, delete_session},
    {0},
};
