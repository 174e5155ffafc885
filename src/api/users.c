/*
 * users.c - user and API-token administration (admins only).
 * Every call is audited: who changed which account, and how.
 */
#include <string.h>

#include "api.h"

static int get_users(http_req *r)
{
    json_t *list;
    limes_error err = {0};
    if (limes_user_list(http_store(r), &list, &err))
        return http_fail(r, &err);
    return http_json(r, 200, json_pack("{s:o}", "users", list));
}

static bool body_role(http_req *r, bool required, limes_role *role, bool *given)
{
    const char *name;
    *given = false;
    if (!http_body_str(r, "role", required, 32, &name))
        return false;
    if (!name)
        return true;
    if (!limes_role_parse(name, role)) {
        http_problem(r, LIMES_INVALID, "role",
                     "unknown role '%s' (officer, second_line, supervisor, analyst, liaison, "
                     "admin)", name);
        return false;
    }
    *given = true;
    return true;
}

static int post_users(http_req *r)
{
    const char *username, *display, *password;
    limes_role role;
    bool given;
    if (!http_body_str(r, "username", true, 63, &username) ||
        !http_body_str(r, "display_name", false, 200, &display) ||
        !http_body_str(r, "password", true, 1024, &password) || !body_role(r, true, &role, &given))
        return http_status(r);
    int64_t id;
    limes_error err = {0};
    if (limes_user_add(http_store(r), username, display, role, password, &id, &err))
        return http_fail(r, &err);
    http_audit_record(r, "user:%lld", (long long)id);
    json_t *user;
    if (limes_user_get(http_store(r), id, &user, &err))
        return http_fail(r, &err);
    return http_json(r, 201, user);
}

static int get_user(http_req *r)
{
    int64_t id;
    if (!http_param_id(r, 0, &id))
        return http_status(r);
    http_audit_record(r, "user:%lld", (long long)id);
    json_t *user;
    limes_error err = {0};
    if (limes_user_get(http_store(r), id, &user, &err))
        return http_fail(r, &err);
    return http_json(r, 200, user);
}

/* PATCH applies each given field in turn; validation happens before any write. */
static int patch_user(http_req *r)
{
    int64_t id;
    const char *password;
    limes_role role;
    bool role_given, disabled = false;
    if (!http_param_id(r, 0, &id) || !body_role(r, false, &role, &role_given) ||
        !http_body_str(r, "password", false, 1024, &password) ||
        !http_body_bool(r, "disabled", false, &disabled))
        return http_status(r);
    if (password && strlen(password) < LIMES_PASSWORD_MIN)
        return http_problem(r, LIMES_INVALID, "password",
                            "password must have at least %d characters", LIMES_PASSWORD_MIN);
    http_audit_record(r, "user:%lld", (long long)id);
    json_t *user;
    limes_error err = {0};
    limes_store *s = http_store(r);
    if (limes_user_get(s, id, &user, &err))
        return http_fail(r, &err);
    const char *username = json_string_value(json_object_get(user, "username"));
    limes_rc rc = LIMES_OK;
    if (role_given)
        rc = limes_user_set_role(s, username, role, &err);
    if (!rc && password)
        rc = limes_user_set_password(s, username, password, &err);
    if (!rc && json_object_get(http_body_json(r), "disabled"))
        rc = limes_user_set_disabled(s, username, disabled, &err);
    json_decref(user);
    if (rc)
        return http_fail(r, &err);
    if (limes_user_get(s, id, &user, &err))
        return http_fail(r, &err);
    return http_json(r, 200, user);
}

static int get_tokens(http_req *r)
{
    json_t *list;
    limes_error err = {0};
    if (limes_token_list(http_store(r), &list, &err))
        return http_fail(r, &err);
    return http_json(r, 200, json_pack("{s:o}", "tokens", list));
}

static int post_tokens(http_req *r)
{
    const char *username, *name;
    if (!http_body_str(r, "username", true, 63, &username) ||
        !http_body_str(r, "name", true, 100, &name))
        return http_status(r);
    char token[LIMES_TOKEN_CHARS + 1];
    int64_t id;
    limes_error err = {0};
    if (limes_token_create(http_store(r), username, name, token, &id, &err))
        return http_fail(r, &err);
    http_audit_record(r, "token:%lld", (long long)id);
    return http_json(r, 201, json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)id, "username",
                                       username, "name", name, "token", token));
}

static int delete_token(http_req *r)
{
    int64_t id;
    if (!http_param_id(r, 0, &id))
        return http_status(r);
    http_audit_record(r, "token:%lld", (long long)id);
    limes_error err = {0};
    if (limes_token_revoke(http_store(r), id, &err))
        return http_fail(r, &err);
    return http_json(r, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id, "revoked", 1));
}

const struct route api_users_routes[] = {
    {"GET", "/v1/users", ROLES_ADMIN, ROUTE_PERSONAL, get_users},
    {"POST", "/v1/users", ROLES_ADMIN, ROUTE_PERSONAL, post_users},
    {"GET", "/v1/users/{id}", ROLES_ADMIN, ROUTE_PERSONAL, get_user},
    {"PATCH", "/v1/users/{id}", ROLES_ADMIN, ROUTE_PERSONAL, patch_user},
    {"GET", "/v1/tokens", ROLES_ADMIN, ROUTE_PERSONAL, get_tokens},
    {"POST", "/v1/tokens", ROLES_ADMIN, ROUTE_PERSONAL, post_tokens},
    {"DELETE", "/v1/tokens/{id}", ROLES_ADMIN, ROUTE_PERSONAL, delete_token},
    {0},
};
