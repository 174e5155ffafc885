/* routes.c - every route table of the API, in the order they are matched. */
#include "api.h"

const struct route *const api_route_tables[] = {
    api_system_routes,
    api_session_routes,
    api_users_routes,
    api_audit_routes,
    api_border_routes,
    api_checks_routes,
    api_lists_routes,
    api_protect_routes,
    api_documents_routes,
    api_screen_routes,
    NULL,
};
