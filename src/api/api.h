/*
 * api.h - the route tables of the JSON API, one per resource module.
 *
 * Each src/api/<resource>.c defines its handlers and a table of routes
 * (ending with an all-zero entry) that says, for every method and path,
 * which roles may call it and whether it touches personal data.  Adding a
 * resource means adding its table to api_route_tables in routes.c and its
 * paths to openapi.json (a test holds the two together).
 */
#ifndef LIMES_API_H
#define LIMES_API_H

#include "http/http.h"

/* NULL-terminated list of the tables below. */
extern const struct route *const api_route_tables[];

extern const struct route api_system_routes[];
extern const struct route api_session_routes[];
extern const struct route api_users_routes[];
extern const struct route api_audit_routes[];
extern const struct route api_border_routes[];
extern const struct route api_checks_routes[];
extern const struct route api_lists_routes[];
extern const struct route api_protect_routes[];
extern const struct route api_documents_routes[];
extern const struct route api_screen_routes[];

/* Role sets used across modules. */
#define ROLES_ANY LIMES_ROLE_ALL
#define ROLES_ADMIN LIMES_ROLE_ADMIN
#define ROLES_SUPERVISION (LIMES_ROLE_SUPERVISOR | LIMES_ROLE_ADMIN)

#endif
