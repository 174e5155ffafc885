/*
 * documents.c - travel documents: POST /v1/documents/mrz reads and
 * validates a machine-readable zone and answers with the same object as
 * `limes mrz parse --json` (limes_mrz_to_json).  An invalid zone is an
 * answer (200, valid:false, problems), not an error; only input that is no
 * zone at all (empty, too long) is refused.  Audited: the document read is
 * noted as "document:STATE/NUMBER".
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

#define ROLES_DOCUMENTS                                                                        \
    (LIMES_ROLE_OFFICER | LIMES_ROLE_SECOND_LINE | LIMES_ROLE_SUPERVISOR | LIMES_ROLE_ADMIN)

const struct route api_documents_routes[] = {
    {"POST", "/v1/documents/mrz", ROLES_DOCUMENTS, ROUTE_PERSONAL, post_mrz},
    {0},
};
