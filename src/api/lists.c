/*
 * lists.c - watchlist administration over HTTP: GET /v1/lists (what is
 * loaded, for supervisors and admins) and POST /v1/lists/{name}/import
 * (admins; the raw file as the request body, ?format=un|ofac|csv|
 * csv-documents, optional ?action=).  The upload is bounded by the
 * server's body cap (1 MiB unless configured), which the full UN list
 * (about 2 MB) exceeds: large lists are loaded with `limes lists import`.
 * Over HTTP "ofac" takes sdn.csv alone.  Imports are audited with the
 * list and the counts.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "limes/lists.h"

static int get_lists(http_req *r)
{
    json_t *lists;
    limes_error err = {0};
    limes_store *s = http_store(r);
    if (limes_lists_summary(s, &lists, &err))
        return http_fail(r, &err);
    return http_json(r, 200, json_pack("{s:o, s:I}", "lists", lists, "generation",
                                       (json_int_t)limes_lists_generation(s)));
}

static json_t *report_json(const char *list, const char *format,
                           const limes_import_report *rep)
{
    json_t *skips = json_array();
    for (size_t i = 0; i < rep->nskips; i++)
        json_array_append_new(skips, json_pack("{s:s, s:I}", "reason", rep->skips[i].reason,
                                               "count", (json_int_t)rep->skips[i].count));
    return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:I}", "list", list, "format",
                     format, "persons", (json_int_t)rep->persons, "documents",
                     (json_int_t)rep->documents, "names", (json_int_t)rep->names, "dobs",
                     (json_int_t)rep->dobs, "skipped", (json_int_t)rep->skipped, "skips", skips,
                     "generation", (json_int_t)rep->generation);
}

static int post_import(http_req *r)
{
    const char *list = http_param(r, 0);
    const char *format = http_query(r, "format");
    const char *action = http_query(r, "action");
    http_audit_record(r, "list:%s", list ? list : "");
    if (!format)
        return http_problem(r, LIMES_INVALID, "format",
                            "query parameter 'format' is required (un, ofac, csv, csv-documents)");
    size_t len = 0;
    const char *body = http_body_raw(r, &len);
    if (!body || len == 0)
        return http_problem(r, LIMES_INVALID, "body", "the request body (the list file) is empty");
    limes_import_options opt = {.action = action};
    limes_import_report rep;
    limes_error err = {0};
    char source[64];
    snprintf(source, sizeof source, "upload (%zu bytes)", len);
    if (limes_lists_import_buffer(http_store(r), list, format, body, len, source, &opt, &rep,
                                  &err))
        return http_fail(r, &err);
    char detail[160];
    snprintf(detail, sizeof detail, "format %s: %lld persons, %lld documents, %lld skipped",
             format, (long long)rep.persons, (long long)rep.documents, (long long)rep.skipped);
    http_audit_detail(r, detail);
    return http_json(r, 200, report_json(list, format, &rep));
}

const struct route api_lists_routes[] = {
    {"GET", "/v1/lists", ROLES_SUPERVISION, 0, get_lists},
    {"POST", "/v1/lists/{name}/import", ROLES_ADMIN, ROUTE_PERSONAL | ROUTE_RAW_BODY,
     post_import},
    {0},
};
