/*
 * audit.c - GET /v1/audit: the audit trail for supervisors, filtered by
 * user, record and time, newest first, paged with ?before=SEQ.  Reading
 * the trail is itself audited.
 */
#include <errno.h>
#include <stdlib.h>

#include "api.h"
#include "limes/audit.h"

static bool query_int(http_req *r, const char *key, int64_t *out)
{
    const char *v = http_query(r, key);
    if (!v)
        return true;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (!*v || *end || errno || n < 0) {
        http_problem(r, LIMES_INVALID, key, "'%s' must be a non-negative integer", key);
        return false;
    }
    *out = n;
    return true;
}

static int get_audit(http_req *r)
{
    limes_audit_filter f = {0};
    int64_t limit = 100;
    f.actor = http_query(r, "user");
    f.record = http_query(r, "record");
    if (!query_int(r, "from_ms", &f.from_ms) || !query_int(r, "to_ms", &f.to_ms) ||
        !query_int(r, "before", &f.before_seq) || !query_int(r, "limit", &limit))
        return http_status(r);
    if (limit < 1 || limit > 1000)
        return http_problem(r, LIMES_INVALID, "limit", "'limit' must be from 1 to 1000");
    f.limit = (int)limit;
    json_t *entries;
    limes_error err = {0};
    if (limes_audit_query(http_store(r), &f, &entries, &err))
        return http_fail(r, &err);
    http_audit_record(r, "audit:query");
    return http_json(r, 200, json_pack("{s:o}", "entries", entries));
}

const struct route api_audit_routes[] = {
    {"GET", "/v1/audit", LIMES_ROLE_SUPERVISOR, ROUTE_PERSONAL, get_audit},
    {0},
};
