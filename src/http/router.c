/*
 * router.c - the route table and path matching.
 *
 * Each API module (src/api/) exports a table of routes; api_route_tables
 * lists them.  router_build() joins them into one array (its index is the
 * route's metrics slot) and refuses duplicates, so two modules can never
 * claim the same method and path.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "limes/server.h"
#include "server_int.h"

limes_rc router_build(struct route **out, int *n, limes_error *err)
{
    int total = 0;
    for (size_t t = 0; api_route_tables[t]; t++)
        for (const struct route *r = api_route_tables[t]; r->method; r++)
            total++;
    struct route *all = calloc((size_t)total + 1, sizeof *all);
    if (!all)
        return LIMES_NOMEM;
    int k = 0;
    for (size_t t = 0; api_route_tables[t]; t++) {
        for (const struct route *r = api_route_tables[t]; r->method; r++) {
            for (int j = 0; j < k; j++) {
                if (strcmp(all[j].method, r->method) == 0 &&
                    strcmp(all[j].pattern, r->pattern) == 0) {
                    free(all);
                    return limes_fail(err, LIMES_INTERNAL, "", "route %s %s declared twice",
                                      r->method, r->pattern);
                }
            }
            all[k++] = *r;
        }
    }
    *out = all;
    *n = total;
    return LIMES_OK;
}

/* Match one path against a pattern, capturing {name} segments. */
static bool path_matches(const char *pattern, const char *path, char params[][128], int *np)
{
    int n = 0;
    while (*pattern && *path) {
        if (*pattern == '{') {
            const char *close = strchr(pattern, '}');
            const char *slash = strchr(path, '/');
            size_t len = slash ? (size_t)(slash - path) : strlen(path);
            if (!close || len == 0 || len >= 128 || n >= HTTP_MAX_PARAMS)
                return false;
            memcpy(params[n], path, len);
            params[n][len] = '\0';
            n++;
            pattern = close + 1;
            path += len;
        } else if (*pattern++ != *path++) {
            return false;
        }
    }
    if (*pattern || *path)
        return false;
    *np = n;
    return true;
}

const struct route *router_match(const struct route *routes, int n, const char *method,
                                 const char *path, char params[][128], int *nparams,
                                 int *index, bool *method_mismatch)
{
    *method_mismatch = false;
    for (int i = 0; i < n; i++) {
        char tmp[HTTP_MAX_PARAMS][128];
        int np = 0;
        if (!path_matches(routes[i].pattern, path, tmp, &np))
            continue;
        bool head_ok = strcmp(method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0;
        if (strcmp(routes[i].method, method) != 0 && !head_ok) {
            *method_mismatch = true;
            continue;
        }
        memcpy(params, tmp, sizeof tmp);
        *nparams = np;
        *index = i;
        return &routes[i];
    }
    *index = n;
    return NULL;
}

json_t *limes_server_routes(void)
{
    json_t *out = json_array();
    for (size_t t = 0; api_route_tables[t]; t++) {
        for (const struct route *r = api_route_tables[t]; r->method; r++) {
            json_t *roles = json_array();
            for (unsigned bit = 1; bit <= LIMES_ROLE_ADMIN; bit <<= 1)
                if ((r->roles & bit) && !(r->flags & ROUTE_PUBLIC))
                    json_array_append_new(roles, json_string(limes_role_name((limes_role)bit)));
            json_array_append_new(out, json_pack("{s:s, s:s, s:o, s:b, s:b}", "method", r->method,
                                                 "path", r->pattern, "roles", roles, "public",
                                                 (r->flags & ROUTE_PUBLIC) != 0, "personal",
                                                 (r->flags & ROUTE_PERSONAL) != 0));
        }
    }
    return out;
}
