/*
 * checks.c - the first-line check over HTTP: POST /v1/checks answers with
 * the document, the hits, the stay, the minor situation and the decision
 * aid; POST /v1/checks/{id}/decision records the officer's one decision.
 * Refusing needs the second line or a supervisor: first-line officers admit
 * or refer.  The officer recorded is always the caller.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "border_body.h"
#include "limes/border.h"

#define ROLES_BOOTH (LIMES_ROLE_OFFICER | LIMES_ROLE_SECOND_LINE | LIMES_ROLE_SUPERVISOR)
#define MAX_COMPANIONS 32

static bool body_companions(http_req *r, int64_t *ids, size_t *n)
{
    json_t *v = json_object_get(http_body_json(r), "companions");
    *n = 0;
    if (!v || json_is_null(v))
        return true;
    if (!json_is_array(v) || json_array_size(v) > MAX_COMPANIONS) {
        http_problem(r, LIMES_INVALID, "companions",
                     "companions must list at most %d check ids", MAX_COMPANIONS);
        return false;
    }
    size_t i;
    json_t *c;
    json_array_foreach(v, i, c)
    {
        if (!json_is_integer(c) || json_integer_value(c) < 1) {
            http_problem(r, LIMES_INVALID, "companions", "each companion is a check id");
            return false;
        }
        ids[(*n)++] = json_integer_value(c);
    }
    return true;
}

/* A check handed to the store (limes_check_start): its input outlives the
 * handler, until check_done. */
struct check_call {
    http_req *r;
    limes_check_in in;
    int64_t companions[MAX_COMPANIONS];
};

/* limes_check_start's done: the answer, on whichever thread finished. */
static void check_done(void *arg, limes_rc rc, const limes_error *err, json_t *out, char *text)
{
    struct check_call *call = arg;
    http_req *r = call->r;
    free(call);
    if (rc) {
        http_fail(r, err); /* the server audits the failure as for any request */
    } else {
        http_audit_written(r);
        if (text) { /* the text the check stored is the answer: not written out twice */
            json_decref(out);
            http_raw(r, 201, "application/json", text, strlen(text));
            free(text);
        } else {
            http_json(r, 201, out);
        }
    }
    http_answered(r);
}

/* The check is assessed on this thread; its write and the wait for the
 * disk go on without it (http_later): the pool thread serves other booths
 * meanwhile. */
static int post_checks(http_req *r)
{
    limes_check_in in = {0};
    int64_t companions[MAX_COMPANIONS];
    json_t *travel = json_object_get(http_body_json(r), "travel");
    if (travel && !json_is_object(travel))
        return http_problem(r, LIMES_INVALID, "travel", "travel must be an object");
    if (!http_body_str(r, "mrz", false, 1024, &in.mrz) || !api_body_person(r, &in.person) ||
        !api_body_document(r, &in.doc) || !http_body_str(r, "bcp", true, 16, &in.bcp_code) ||
        !http_body_str(r, "direction", true, 8, &in.direction) ||
        !http_body_int(r, "at_ms", false, 0, INT64_MAX, &in.at_ms) ||
        !body_companions(r, companions, &in.ncompanions))
        return http_status(r);
    in.travel_mode = json_string_value(json_object_get(travel, "mode"));
    in.travel_ref = json_string_value(json_object_get(travel, "ref"));
    if ((in.travel_mode && strlen(in.travel_mode) > 16) ||
        (in.travel_ref && strlen(in.travel_ref) > 64))
        return http_problem(r, LIMES_INVALID, "travel", "travel mode or reference too long");
    in.officer = http_who(r)->username;
    /* The request's audit entry commits with the check (records check:ID
     * and traveller:ID, detail the decision aid): one write, not two. */
    in.audit = http_audit_entry(r, 201);
    struct check_call *call = malloc(sizeof *call);
    if (!call)
        return http_problem(r, LIMES_NOMEM, "", "out of memory");
    call->r = r;
    call->in = in;
    memcpy(call->companions, companions, in.ncompanions * sizeof *companions);
    call->in.companions = call->companions;
    http_later(r);
    limes_check_start(http_store(r), &call->in, check_done, call);
    return 0;
}

static int get_check(http_req *r)
{
    int64_t id;
    if (!http_param_id(r, 0, &id))
        return http_status(r);
    http_audit_record(r, "check:%lld", (long long)id);
    json_t *out;
    limes_error err = {0};
    if (limes_check_get(http_store(r), id, &out, &err))
        return http_fail(r, &err);
    return http_json(r, 200, out);
}

static int post_decision(http_req *r)
{
    limes_decision_in in = {0};
    char codes[256];
    if (!http_param_id(r, 0, &in.check_id) ||
        !http_body_str(r, "decision", true, 8, &in.decision) ||
        !http_body_str(r, "reason", false, 2000, &in.reason) ||
        !http_body_bool(r, "not_counted", false, &in.not_counted))
        return http_status(r);
    if (strcmp(in.decision, "refuse") == 0) {
        if (http_who(r)->role == LIMES_ROLE_OFFICER)
            return http_problem(r, LIMES_FORBIDDEN, "decision",
                                "a refusal is decided by the second line or a supervisor: "
                                "refer the traveller");
        if (!api_body_codes(r, codes, sizeof codes, &in.codes))
            return http_status(r);
    }
    in.officer = http_who(r)->username;
    http_audit_record(r, "check:%lld", (long long)in.check_id);
    json_t *out;
    limes_error err = {0};
    if (limes_check_decide(http_store(r), &in, &out, &err))
        return http_fail(r, &err);
    json_t *tid = json_object_get(out, "traveller_id");
    if (json_is_integer(tid))
        http_audit_record(r, "traveller:%lld", (long long)json_integer_value(tid));
    http_audit_detail(r, in.decision);
    return http_json(r, 201, out);
}

const struct route api_checks_routes[] = {
    {"POST", "/v1/checks", ROLES_BOOTH, ROUTE_PERSONAL, post_checks},
    {"GET", "/v1/checks/{id}", ROLES_BOOTH, ROUTE_PERSONAL, get_check},
    {"POST", "/v1/checks/{id}/decision", ROLES_BOOTH, ROUTE_PERSONAL, post_decision},
    {0},
};
