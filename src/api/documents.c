/*
 * documents.c - travel documents: POST /v1/documents/mrz reads and
 * validates a machine-readable zone and answers with the same object as
 * `limes mrz parse --json` (limes_mrz_to_json).  An invalid zone is an
 * answer (200, valid:false, problems), not an error; only input that is no
 * zone at all (empty, too long) is refused.  Audited: the document read is
 * noted as "document:STATE/NUMBER".  GET /v1/documents/codes lists the
 * issuing-state and nationality codes with English, Arabic and French names.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "limes/mrz.h"

static int post_mrz(http_req *r)
{
    const char *text, *on;
    if (!http_body_str(r, "mrz", true, LIMES_MRZ_MAX_INPUT, &text) ||
        !http_body_str(r, "on", false, 10, &on))
        return http_status(r);
    limes_error err = {0};
    int32_t day = LIMES_MRZ_TODAY;
    if (on && limes_mrz_day_from_iso(on, &day, &err))
        return http_fail(r, &err);
    limes_mrz_doc *doc = malloc(sizeof *doc);
    if (!doc)
        return http_problem(r, LIMES_NOMEM, "", "out of memory");
    if (limes_mrz_parse(text, strlen(text), day, doc, &err)) {
        free(doc);
        return http_fail(r, &err);
    }
    if (doc->format != LIMES_MRZ_UNKNOWN)
        http_audit_record(r, "document:%s/%s", doc->issuing_state, doc->document_number);
    json_t *body = limes_mrz_to_json(doc);
    free(doc);
    if (!body)
        return http_problem(r, LIMES_NOMEM, "", "out of memory");
    return http_json(r, 200, body);
}

static json_t *country_json(const limes_country *c)
{
    return json_pack("{s:s, s:s, s:s?, s:s?, s:b}", "code", c->code, "name_en", c->name_en,
                     "name_ar", c->name_ar, "name_fr", c->name_fr, "icao_only", c->icao_only);
}

/* The issuing-state / nationality codes (ISO 3166-1 + ICAO), or one with ?code=. */
static int get_codes(http_req *r)
{
    const char *code = http_query(r, "code");
    if (code) {
        const limes_country *c = limes_country_find(code, strlen(code));
        if (!c)
            return http_problem(r, LIMES_NOT_FOUND, "code",
                                "'%.8s' is not an ISO 3166-1 or ICAO code", code);
        return http_json(r, 200, country_json(c));
    }
    json_t *list = json_array();
    for (size_t i = 0; list && i < limes_country_count(); i++)
        json_array_append_new(list, country_json(limes_country_at(i)));
    return http_json(r, 200, json_pack("{s:o}", "codes", list));
}

#define ROLES_DOCUMENTS                                                                        \
    (LIMES_ROLE_OFFICER | LIMES_ROLE_SECOND_LINE | LIMES_ROLE_SUPERVISOR | LIMES_ROLE_ADMIN)

const struct route api_documents_routes[] = {
    {"POST", "/v1/documents/mrz", ROLES_DOCUMENTS, ROUTE_PERSONAL, post_mrz},
    {"GET", "/v1/documents/codes", ROLES_ANY, 0, get_codes},
    {0},
};
