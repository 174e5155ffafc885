/*
 * screen.c - screening routes: one traveller, a batch of up to 100, and
 * marking a reviewed false positive.  Every call is audited (ROUTE_PERSONAL)
 * with the traveller identity and the entries hit.
 *
 * Roles, and why:
 *  - POST /v1/screen: officer, second_line, supervisor.  Screening is part
 *    of checking a traveller who is present; analysts (aggregates only),
 *    liaison (exchange with partners) and admins (system) have no traveller
 *    in front of them, and an open screening call would let them probe the
 *    lists for people of interest.
 *  - POST /v1/screen/batch: second_line, supervisor.  Batches come from
 *    advance passenger information and targeting work, done behind the
 *    first line; the booth screens one traveller at a time.
 *  - POST /v1/screen/false-positives: second_line, supervisor.  Silencing
 *    future alerts is a review decision, kept away from the officer who
 *    raised the alert (four eyes); the reviewer is the caller.
 *  - GET /v1/screen/thresholds, PUT /v1/screen/thresholds/{list}:
 *    supervisor, admin.  A list's alert threshold is alerting policy, set
 *    by whoever answers for the queue and the misses; each change is
 *    audited with the old and new value, and screening uses it within a
 *    second, in this process or another.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "limes/screen.h"

#define ROLES_SCREEN (LIMES_ROLE_OFFICER | LIMES_ROLE_SECOND_LINE | LIMES_ROLE_SUPERVISOR)
#define ROLES_REVIEW (LIMES_ROLE_SECOND_LINE | LIMES_ROLE_SUPERVISOR)
#define BATCH_MAX 100

static const char *str_field(json_t *o, const char *key, size_t max, const char **bad)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v) || strlen(json_string_value(v)) > max) {
        *bad = key;
        return NULL;
    }
    return json_string_value(v);
}

/* A query from a JSON object; false (with the field in *bad) if a field is malformed. */
static bool query_from_json(json_t *o, limes_screen_query *q, const char **bad)
{
    memset(q, 0, sizeof *q);
    *bad = NULL;
    if (!json_is_object(o)) {
        *bad = "traveller";
        return false;
    }
    q->name = str_field(o, "name", 4096, bad);
    q->dob = str_field(o, "dob", 10, bad);
    q->nationality = str_field(o, "nationality", 3, bad);
    q->document = str_field(o, "document", 60, bad);
    q->issuer = str_field(o, "issuer", 3, bad);
    q->list = str_field(o, "list", 64, bad);
    q->identity_key = str_field(o, "identity_key", 64, bad);
    const char *g = str_field(o, "gender", 1, bad);
    if (g && *g)
        q->gender = *g;
    json_t *ms = json_object_get(o, "min_score");
    if (ms && !json_is_null(ms)) {
        if (!json_is_number(ms))
            *bad = "min_score";
        else
            q->min_score = json_number_value(ms);
    }
    json_t *lim = json_object_get(o, "limit");
    if (lim && !json_is_null(lim)) {
        if (!json_is_integer(lim) || json_integer_value(lim) < 1 ||
            json_integer_value(lim) > LIMES_SCREEN_MAX_LIMIT)
            *bad = "limit";
        else
            q->limit = (int)json_integer_value(lim);
    }
    return *bad == NULL;
}

static void audit_result(http_req *r, const limes_screen_result *res)
{
    http_audit_record(r, "screening:%s", res->identity_key);
    for (size_t i = 0; i < res->nhits; i++)
        if (res->hits[i].entry_id)
            http_audit_record(r, "watch_entry:%lld", (long long)res->hits[i].entry_id);
}

static int post_screen(http_req *r)
{
    limes_screen_query q;
    const char *bad;
    if (!query_from_json(http_body_json(r), &q, &bad))
        return http_problem(r, LIMES_INVALID, bad, "field '%s' is malformed", bad);
    limes_screen_result res;
    limes_error err = {0};
    if (limes_screen(http_store(r), &q, &res, &err))
        return http_fail(r, &err);
    audit_result(r, &res);
    json_t *body = limes_screen_result_json(&res);
    limes_screen_result_free(&res);
    return http_json(r, 200, body);
}

static int post_screen_batch(http_req *r)
{
    json_t *list = json_object_get(http_body_json(r), "travellers");
    if (!json_is_array(list) || json_array_size(list) == 0)
        return http_problem(r, LIMES_INVALID, "travellers",
                            "travellers must be a non-empty array of traveller objects");
    if (json_array_size(list) > BATCH_MAX)
        return http_problem(r, LIMES_TOO_LARGE, "travellers",
                            "at most %d travellers per batch", BATCH_MAX);
    json_t *results = json_array();
    size_t i, alerts = 0;
    json_t *t;
    json_array_foreach(list, i, t) {
        limes_screen_query q;
        const char *bad;
        limes_screen_result res;
        limes_error err = {0};
        if (!query_from_json(t, &q, &bad)) {
            limes_fail(&err, LIMES_INVALID, bad, "field '%s' is malformed", bad);
        } else if (!limes_screen(http_store(r), &q, &res, &err)) {
            audit_result(r, &res);
            json_t *one = limes_screen_result_json(&res);
            alerts += (size_t)json_integer_value(json_object_get(one, "alerts"));
            json_object_set_new(one, "index", json_integer((json_int_t)i));
            json_array_append_new(results, one);
            limes_screen_result_free(&res);
            continue;
        }
        if (err.rc != LIMES_INVALID && err.rc != LIMES_TOO_LARGE && err.rc != LIMES_NOT_FOUND) {
            json_decref(results);
            return http_fail(r, &err);
        }
        json_array_append_new(results,
                              json_pack("{s:I, s:{s:s, s:s, s:s}}", "index", (json_int_t)i,
                                        "error", "code", limes_rc_code(err.rc), "field",
                                        err.field, "detail", limes_error_text(&err)));
    }
    return http_json(r, 200, json_pack("{s:I, s:I, s:o}", "count",
                                       (json_int_t)json_array_size(list), "alerts",
                                       (json_int_t)alerts, "results", results));
}

static int post_false_positive(http_req *r)
{
    const char *identity, *reason;
    int64_t entry;
    if (!http_body_str(r, "identity_key", true, 64, &identity) ||
        !http_body_int(r, "entry_id", true, 1, INT64_MAX, &entry) ||
        !http_body_str(r, "reason", true, 1000, &reason))
        return http_status(r);
    const limes_principal *who = http_who(r);
    int64_t id;
    limes_error err = {0};
    http_audit_record(r, "watch_entry:%lld", (long long)entry);
    http_audit_record(r, "screening:%s", identity);
    if (limes_screen_mark_false_positive(http_store(r), identity, entry,
                                         who ? who->username : "unknown", reason, &id, &err))
        return http_fail(r, &err);
    http_audit_detail(r, reason);
    return http_json(r, 201, json_pack("{s:I, s:s, s:I, s:s, s:s}", "id", (json_int_t)id,
                                       "identity_key", identity, "entry_id", (json_int_t)entry,
                                       "reviewer", who ? who->username : "unknown", "reason",
                                       reason));
}

static int get_thresholds(http_req *r)
{
    json_t *list;
    limes_error err = {0};
    if (limes_screen_thresholds(http_store(r), &list, &err))
        return http_fail(r, &err);
    return http_json(r, 200, json_pack("{s:o, s:f}", "thresholds", list, "default",
                                       LIMES_SCREEN_DEFAULT_THRESHOLD));
}

/* The stored threshold of list, or the default. */
static double threshold_of(json_t *stored, const char *list)
{
    size_t i;
    json_t *t;
    json_array_foreach(stored, i, t)
        if (!strcmp(json_string_value(json_object_get(t, "list")), list))
            return json_number_value(json_object_get(t, "threshold"));
    return LIMES_SCREEN_DEFAULT_THRESHOLD;
}

static int put_threshold(http_req *r)
{
    const char *list = http_param(r, 0);
    json_t *v = json_object_get(http_body_json(r), "threshold");
    if (!json_is_number(v))
        return http_problem(r, LIMES_INVALID, "threshold",
                            "field 'threshold' is required: a number in (0, 1]");
    double value = json_number_value(v);
    limes_store *s = http_store(r);
    json_t *before = NULL;
    limes_error err = {0};
    if (limes_screen_thresholds(s, &before, &err))
        return http_fail(r, &err);
    double old = threshold_of(before, list ? list : "");
    json_decref(before);
    http_audit_force(r);
    http_audit_record(r, "list:%s", list ? list : "");
    if (limes_screen_set_threshold(s, list, value, &err))
        return http_fail(r, &err);
    char detail[96];
    snprintf(detail, sizeof detail, "threshold %.3f -> %.3f", old, value);
    http_audit_detail(r, detail);
    return http_json(r, 200, json_pack("{s:s, s:f, s:f}", "list", list, "threshold", value,
                                       "previous", old));
}

const struct route api_screen_routes[] = {
    {"POST", "/v1/screen", ROLES_SCREEN, ROUTE_PERSONAL, post_screen},
    {"POST", "/v1/screen/batch", ROLES_REVIEW, ROUTE_PERSONAL, post_screen_batch},
    {"POST", "/v1/screen/false-positives", ROLES_REVIEW, ROUTE_PERSONAL, post_false_positive},
    {"GET", "/v1/screen/thresholds", ROLES_SUPERVISION, 0, get_thresholds},
    {"PUT", "/v1/screen/thresholds/{list}", ROLES_SUPERVISION, 0, put_threshold},
    {0},
};
