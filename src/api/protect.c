/*
 * protect.c - child protection and victims of trafficking over HTTP:
 * indicator sets and rules (read by every role, for the checklists),
 * assessments, the referral-partner directory, cases with their steps,
 * and statistics without personal data.
 *
 * Who may do what (limes/protect.h states the need-to-know rule):
 *   officer       POST assessments, GET own assessment, POST a case from
 *                 an own assessment (answer without case details);
 *   second_line   assessments, cases assigned to them or unassigned, steps,
 *                 assignees, partner directory (read);
 *   supervisor    everything above on every case, statistics;
 *   analyst, liaison  statistics only;  admin  partner directory (edit).
 * Every view of victim or child data is audited (ROUTE_PERSONAL) with the
 * records touched ("assessment:ID", "case:ID", and the linked "check:ID"
 * and "traveller:ID" when an assessment or case is made).  Assessments are
 * the first line's observations and are shared with the whole second line
 * (to triage the queue); a case file is need-to-know.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "core/date.h"
#include "limes/protect.h"

#define ROLES_ASSESS (LIMES_ROLE_OFFICER | LIMES_ROLE_SECOND_LINE | LIMES_ROLE_SUPERVISOR)
#define ROLES_CASES (LIMES_ROLE_SECOND_LINE | LIMES_ROLE_SUPERVISOR)
#define ROLES_PARTNERS_READ (LIMES_ROLE_SECOND_LINE | LIMES_ROLE_SUPERVISOR | LIMES_ROLE_ADMIN)
#define ROLES_STATS (LIMES_ROLE_ANALYST | LIMES_ROLE_SUPERVISOR | LIMES_ROLE_LIAISON)

static limes_protect_actor actor_of(http_req *r)
{
    const limes_principal *who = http_who(r);
    return (limes_protect_actor){.user_id = who->user_id, .username = who->username,
                                 .role = who->role};
}

static bool query_limit(http_req *r, int *out)
{
    const char *v = http_query(r, "limit");
    *out = 100;
    if (!v)
        return true;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (!*v || *end || errno || n < 1 || n > 500) {
        http_problem(r, LIMES_INVALID, "limit", "'limit' must be from 1 to 500");
        return false;
    }
    *out = (int)n;
    return true;
}

/* ---- indicator sets and rules ------------------------------------------ */

static int get_sets(http_req *r)
{
    json_t *list;
    limes_error err = {0};
    if (limes_protect_set_list(http_store(r), &list, &err))
        return http_fail(r, &err);
    return http_json(r, 200, json_pack("{s:o}", "sets", list));
}

/* ?phase=first_line|second_line keeps only that phase's indicators. */
static int get_set(http_req *r)
{
    const char *phase = http_query(r, "phase");
    if (phase && strcmp(phase, "first_line") != 0 && strcmp(phase, "second_line") != 0)
        return http_problem(r, LIMES_INVALID, "phase", "'phase' must be first_line or second_line");
    json_t *set;
    limes_error err = {0};
    if (limes_protect_set_get(http_store(r), http_param(r, 0), http_query(r, "version"), &set,
                              &err))
        return http_fail(r, &err);
    if (phase) {
        json_t *kept = json_array();
        size_t i;
        json_t *ind;
        json_array_foreach(json_object_get(set, "indicators"), i, ind)
            if (strcmp(json_string_value(json_object_get(ind, "phase")), phase) == 0)
                json_array_append(kept, ind);
        json_object_set_new(set, "indicators", kept);
    }
    return http_json(r, 200, set);
}

static int get_rules(http_req *r)
{
    json_t *rules, *workflow;
    limes_error err = {0};
    if (limes_protect_rules_active(http_store(r), &rules, &err))
        return http_fail(r, &err);
    if (limes_protect_workflow(&workflow, &err)) {
        json_decref(rules);
        return http_fail(r, &err);
    }
    int ack = 0, refl = 0;
    if (limes_protect_config_get(http_store(r), &ack, &refl, &err)) {
        json_decref(rules);
        json_decref(workflow);
        return http_fail(r, &err);
    }
    json_object_set_new(workflow, "acknowledgement_hours", json_integer(ack));
    json_object_set_new(workflow, "reflection_days", json_integer(refl));
    return http_json(r, 200, json_pack("{s:o, s:o}", "rules", rules, "workflow", workflow));
}

/* ---- assessments ---------------------------------------------------------- */

/*
 * A list view touches many records: each is noted (the audit entry keeps
 * the first HTTP_MAX_RECORDS) and all their ids go into the entry's detail.
 */
static void audit_list(http_req *r, const char *type, const json_t *list)
{
    buf ids;
    buf_init(&ids, 8000);
    buf_printf(&ids, "%zu %s listed:", json_array_size(list), type);
    size_t i;
    const json_t *item;
    json_array_foreach(list, i, item) {
        long long id = (long long)json_integer_value(json_object_get(item, "id"));
        http_audit_record(r, "%s:%lld", type, id);
        if (ids.len < 7900) /* an append beyond the cap would empty the buffer */
            buf_printf(&ids, " %lld", id);
    }
    http_audit_detail(r, buf_str(&ids));
    buf_release(&ids);
}

/* The check and traveller an answer links to, for the audit entry. */
static void audit_links(http_req *r, const json_t *obj)
{
    json_int_t check = json_integer_value(json_object_get(obj, "check_id"));
    json_int_t traveller = json_integer_value(json_object_get(obj, "traveller_id"));
    if (check)
        http_audit_record(r, "check:%lld", (long long)check);
    if (traveller)
        http_audit_record(r, "traveller:%lld", (long long)traveller);
}

static int post_assessment(http_req *r)
{
    limes_protect_actor who = actor_of(r);
    json_t *out;
    limes_error err = {0};
    if (limes_assessment_create(http_store(r), &who, http_body_json(r), time_now_ms(), &out,
                                &err))
        return http_fail(r, &err);
    http_audit_record(r, "assessment:%lld",
                      (long long)json_integer_value(json_object_get(out, "id")));
    audit_links(r, out);
    return http_json(r, 201, out);
}

static int get_assessments(http_req *r)
{
    int limit;
    int64_t check_id = 0;
    const char *check = http_query(r, "check_id");
    if (!query_limit(r, &limit))
        return http_status(r);
    if (check) {
        char *end;
        check_id = strtoll(check, &end, 10);
        if (!*check || *end || check_id < 1)
            return http_problem(r, LIMES_INVALID, "check_id", "'check_id' must be a positive id");
    }
    json_t *list;
    limes_error err = {0};
    if (limes_assessment_list(http_store(r), check_id, limit, &list, &err))
        return http_fail(r, &err);
    audit_list(r, "assessment", list);
    return http_json(r, 200, json_pack("{s:o}", "assessments", list));
}

/* First-line officers read only the assessments they recorded themselves. */
static int get_assessment(http_req *r)
{
    int64_t id;
    if (!http_param_id(r, 0, &id))
        return http_status(r);
    http_audit_record(r, "assessment:%lld", (long long)id);
    json_t *a;
    limes_error err = {0};
    if (limes_assessment_get(http_store(r), id, &a, &err))
        return http_fail(r, &err);
    const limes_principal *who = http_who(r);
    if (who->role == LIMES_ROLE_OFFICER &&
        json_integer_value(json_object_get(a, "officer_id")) != who->user_id) {
        json_decref(a);
        return http_problem(r, LIMES_FORBIDDEN, "id",
                            "a first-line officer reads only their own assessments");
    }
    return http_json(r, 200, a);
}

/* ---- referral partners ---------------------------------------------------- */

static int get_partners(http_req *r)
{
    json_t *list;
    limes_error err = {0};
    if (limes_partner_list(http_store(r), http_query(r, "country"), http_query(r, "region"),
                           http_query(r, "type"), &list, &err))
        return http_fail(r, &err);
    return http_json(r, 200, json_pack("{s:o}", "partners", list));
}

static int get_partner(http_req *r)
{
    int64_t id;
    if (!http_param_id(r, 0, &id))
        return http_status(r);
    json_t *p;
    limes_error err = {0};
    if (limes_partner_get(http_store(r), id, &p, &err))
        return http_fail(r, &err);
    return http_json(r, 200, p);
}

static int post_partner(http_req *r)
{
    http_audit_force(r);
    json_t *p;
    limes_error err = {0};
    if (limes_partner_add(http_store(r), http_body_json(r), time_now_ms(), &p, &err))
        return http_fail(r, &err);
    http_audit_record(r, "partner:%lld", (long long)json_integer_value(json_object_get(p, "id")));
    return http_json(r, 201, p);
}

static int patch_partner(http_req *r)
{
    int64_t id;
    if (!http_param_id(r, 0, &id))
        return http_status(r);
    http_audit_force(r);
    http_audit_record(r, "partner:%lld", (long long)id);
    json_t *p;
    limes_error err = {0};
    if (limes_partner_update(http_store(r), id, http_body_json(r), time_now_ms(), &p, &err))
        return http_fail(r, &err);
    return http_json(r, 200, p);
}

/* ---- cases ------------------------------------------------------------------ */

/* A 409 problem whose body also lists the allowed next steps. */
static int step_conflict(http_req *r, const limes_error *err, json_t *allowed)
{
    json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:o}", "type",
                          "urn:limes:problem:conflict", "title", limes_rc_message(LIMES_CONFLICT),
                          "status", 409, "code", limes_rc_code(LIMES_CONFLICT), "detail",
                          limes_error_text(err), "field", "step", "instance", http_path(r),
                          "request_id", http_request_id(r), "allowed", allowed);
    char *text = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    if (!text)
        return http_fail(r, err);
    int status = http_raw(r, 409, "application/problem+json", text, strlen(text));
    free(text);
    return status;
}

/* Look up the caller's access to case `id`; answers 404/403 itself. */
static bool case_access(http_req *r, int64_t id, limes_case_access need)
{
    limes_protect_actor who = actor_of(r);
    limes_case_access got;
    limes_error err = {0};
    if (limes_case_access_for(http_store(r), id, &who, &got, &err)) {
        http_fail(r, &err);
        return false;
    }
    if (got < need) {
        http_problem(r, LIMES_FORBIDDEN, "id",
                     got == LIMES_CASE_READ
                         ? "this case is unassigned: record a step to take it first"
                         : "case %lld is assigned to other officers (need to know)",
                     (long long)id);
        return false;
    }
    return true;
}

static int post_case(http_req *r)
{
    limes_protect_actor who = actor_of(r);
    json_t *c;
    limes_error err = {0};
    if (limes_case_open(http_store(r), &who, http_body_json(r), time_now_ms(), &c, &err))
        return http_fail(r, &err);
    http_audit_record(r, "case:%lld", (long long)json_integer_value(json_object_get(c, "id")));
    audit_links(r, c);
    if (who.role == LIMES_ROLE_OFFICER) {
        /* first line opens the case but does not read it */
        json_t *brief = json_pack("{s:O, s:O, s:O, s:O, s:O}", "id", json_object_get(c, "id"),
                                  "state", json_object_get(c, "state"), "check_id",
                                  json_object_get(c, "check_id"), "assessment_id",
                                  json_object_get(c, "assessment_id"), "opened_at",
                                  json_object_get(c, "opened_at"));
        json_decref(c);
        c = brief;
    }
    return http_json(r, 201, c);
}

static int get_cases(http_req *r)
{
    int limit;
    const char *overdue = http_query(r, "overdue");
    if (!query_limit(r, &limit))
        return http_status(r);
    if (overdue && strcmp(overdue, "true") != 0 && strcmp(overdue, "false") != 0)
        return http_problem(r, LIMES_INVALID, "overdue", "'overdue' must be true or false");
    limes_protect_actor who = actor_of(r);
    limes_case_filter f = {.state = http_query(r, "state"),
                           .overdue_only = overdue && strcmp(overdue, "true") == 0,
                           .visible_to = &who, .limit = limit};
    json_t *list;
    limes_error err = {0};
    if (limes_case_list(http_store(r), &f, time_now_ms(), &list, &err))
        return http_fail(r, &err);
    audit_list(r, "case", list);
    return http_json(r, 200, json_pack("{s:o}", "cases", list));
}

static int get_case(http_req *r)
{
    int64_t id;
    if (!http_param_id(r, 0, &id))
        return http_status(r);
    http_audit_record(r, "case:%lld", (long long)id);
    if (!case_access(r, id, LIMES_CASE_READ))
        return http_status(r);
    json_t *c;
    limes_error err = {0};
    if (limes_case_get(http_store(r), id, time_now_ms(), &c, &err))
        return http_fail(r, &err);
    return http_json(r, 200, c);
}

static int post_step(http_req *r)
{
    int64_t id;
    if (!http_param_id(r, 0, &id))
        return http_status(r);
    http_audit_record(r, "case:%lld", (long long)id);
    if (!case_access(r, id, LIMES_CASE_READ))
        return http_status(r);
    limes_protect_actor who = actor_of(r);
    json_t *c, *allowed = NULL;
    limes_error err = {0};
    limes_rc rc = limes_case_step(http_store(r), id, &who, http_body_json(r), time_now_ms(), &c,
                                  &allowed, &err);
    if (rc == LIMES_CONFLICT && allowed)
        return step_conflict(r, &err, allowed);
    json_decref(allowed);
    if (rc)
        return http_fail(r, &err);
    return http_json(r, 200, c);
}

static int post_assignee(http_req *r)
{
    int64_t id;
    const char *username;
    if (!http_param_id(r, 0, &id))
        return http_status(r);
    http_audit_record(r, "case:%lld", (long long)id);
    if (!http_body_str(r, "username", true, 63, &username))
        return http_status(r);
    if (!case_access(r, id, LIMES_CASE_WRITE))
        return http_status(r);
    limes_error err = {0};
    json_t *c;
    if (limes_case_assign(http_store(r), id, username, time_now_ms(), &err) ||
        limes_case_get(http_store(r), id, time_now_ms(), &c, &err))
        return http_fail(r, &err);
    return http_json(r, 200, c);
}

/* ---- statistics ------------------------------------------------------------ */

static int get_statistics(http_req *r)
{
    const char *format = http_query(r, "format");
    if (format && strcmp(format, "json") != 0 && strcmp(format, "csv") != 0)
        return http_problem(r, LIMES_INVALID, "format", "'format' must be json or csv");
    json_t *stats;
    limes_error err = {0};
    if (limes_protect_stats(http_store(r), http_query(r, "from"), http_query(r, "to"), &stats,
                            &err))
        return http_fail(r, &err);
    if (!format || strcmp(format, "json") == 0)
        return http_json(r, 200, stats);
    char *csv;
    limes_rc rc = limes_protect_stats_csv(stats, &csv, &err);
    json_decref(stats);
    if (rc)
        return http_fail(r, &err);
    http_add_header(r, "Content-Disposition", "attachment; filename=\"protect-statistics.csv\"");
    int status = http_raw(r, 200, "text/csv; charset=utf-8", csv, strlen(csv));
    free(csv);
    return status;
}

const struct route api_protect_routes[] = {
    {"GET", "/v1/protect/indicator-sets", ROLES_ANY, 0, get_sets},
    {"GET", "/v1/protect/indicator-sets/{name}", ROLES_ANY, 0, get_set},
    {"GET", "/v1/protect/rules", ROLES_ANY, 0, get_rules},
    {"GET", "/v1/protect/statistics", ROLES_STATS, 0, get_statistics},
    {"POST", "/v1/assessments", ROLES_ASSESS, ROUTE_PERSONAL, post_assessment},
    {"GET", "/v1/assessments", ROLES_CASES, ROUTE_PERSONAL, get_assessments},
    {"GET", "/v1/assessments/{id}", ROLES_ASSESS, ROUTE_PERSONAL, get_assessment},
    {"GET", "/v1/referral-partners", ROLES_PARTNERS_READ, 0, get_partners},
    {"POST", "/v1/referral-partners", ROLES_ADMIN, 0, post_partner},
    {"GET", "/v1/referral-partners/{id}", ROLES_PARTNERS_READ, 0, get_partner},
    {"PATCH", "/v1/referral-partners/{id}", ROLES_ADMIN, 0, patch_partner},
    {"POST", "/v1/cases", ROLES_ASSESS, ROUTE_PERSONAL, post_case},
    {"GET", "/v1/cases", ROLES_CASES, ROUTE_PERSONAL, get_cases},
    {"GET", "/v1/cases/{id}", ROLES_CASES, ROUTE_PERSONAL, get_case},
    {"POST", "/v1/cases/{id}/steps", ROLES_CASES, ROUTE_PERSONAL, post_step},
    {"POST", "/v1/cases/{id}/assignees", ROLES_CASES, ROUTE_PERSONAL, post_assignee},
    {0},
};
