/*
 * border.c - the border records over HTTP: crossing points, crossings,
 * refusals, detections, travellers (search, history, stay situation) and
 * the overstayer list.  Every route touching a person is ROUTE_PERSONAL
 * (audited) and names the records it touched.  The officer recorded with
 * a crossing or refusal is always the caller, never a body field.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "border_body.h"
#include "limes/border.h"

#define ROLES_BOOTH (LIMES_ROLE_OFFICER | LIMES_ROLE_SECOND_LINE | LIMES_ROLE_SUPERVISOR)
#define ROLES_RECORDS (LIMES_ROLE_SECOND_LINE | LIMES_ROLE_SUPERVISOR)

/* ---- small body readers for nested objects -------------------------------- */

/* Optional string member of obj (NULL if absent); false and 400 if not a string. */
static bool member_str(http_req *r, json_t *obj, const char *prefix, const char *key,
                       size_t maxlen, const char **out)
{
    *out = NULL;
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    if (!v || json_is_null(v))
        return true;
    if (!json_is_string(v) || json_string_length(v) > maxlen ||
        strlen(json_string_value(v)) != json_string_length(v)) {
        http_problem(r, LIMES_INVALID, key, "%s%s must be a string of at most %zu bytes",
                     prefix, key, maxlen);
        return false;
    }
    *out = json_string_value(v);
    return true;
}

/* Optional object member; false and 400 if present but not an object. */
static bool member_obj(http_req *r, const char *key, json_t **out)
{
    json_t *v = json_object_get(http_body_json(r), key);
    *out = NULL;
    if (!v || json_is_null(v))
        return true;
    if (!json_is_object(v)) {
        http_problem(r, LIMES_INVALID, key, "%s must be an object", key);
        return false;
    }
    *out = v;
    return true;
}

bool api_body_person(http_req *r, limes_person *p)
{
    json_t *o;
    return member_obj(r, "person", &o) && member_str(r, o, "person/", "surname", 200, &p->surname) &&
           member_str(r, o, "person/", "given_names", 200, &p->given_names) &&
           member_str(r, o, "person/", "birth_date", 10, &p->birth_date) &&
           member_str(r, o, "person/", "sex", 1, &p->sex) &&
           member_str(r, o, "person/", "nationality", 3, &p->nationality);
}

bool api_body_document(http_req *r, limes_document_ref *d)
{
    json_t *o;
    return member_obj(r, "document", &o) &&
           member_str(r, o, "document/", "doc_type", 8, &d->doc_type) &&
           member_str(r, o, "document/", "issuer", 3, &d->issuer) &&
           member_str(r, o, "document/", "number", 40, &d->number) &&
           member_str(r, o, "document/", "expiry_date", 10, &d->expiry_date);
}

/* ?on=YYYY-MM-DD, default today; false and 400 if malformed. */
static bool query_day(http_req *r, int32_t *on)
{
    const char *q = http_query(r, "on");
    if (!q) {
        *on = limes_day_today();
        return true;
    }
    limes_error err = {0};
    if (limes_day_parse(q, "on", on, &err)) {
        http_fail(r, &err);
        return false;
    }
    return true;
}

static bool query_limit(http_req *r, int dflt, int max, int *out)
{
    const char *q = http_query(r, "limit");
    *out = dflt;
    if (!q)
        return true;
    char *end;
    long v = strtol(q, &end, 10);
    if (*end || end == q || v < 1 || v > max) {
        http_problem(r, LIMES_INVALID, "limit", "limit must be 1 to %d", max);
        return false;
    }
    *out = (int)v;
    return true;
}

/* ---- crossing points ---------------------------------------------------------- */

static int get_bcps(http_req *r)
{
    json_t *list;
    limes_error err = {0};
    if (limes_bcp_list(http_store(r), &list, &err))
        return http_fail(r, &err);
    return http_json(r, 200, json_pack("{s:o}", "bcps", list));
}

static int get_bcp(http_req *r)
{
    json_t *b;
    limes_error err = {0};
    if (limes_bcp_get(http_store(r), http_param(r, 0), &b, &err))
        return http_fail(r, &err);
    return http_json(r, 200, b);
}

static int post_bcps(http_req *r)
{
    limes_bcp b = {0};
    if (!http_body_str(r, "code", true, 16, &b.code) ||
        !http_body_str(r, "name_en", true, 200, &b.name_en) ||
        !http_body_str(r, "name_ar", false, 400, &b.name_ar) ||
        !http_body_str(r, "name_fr", false, 200, &b.name_fr) ||
        !http_body_str(r, "kind", true, 8, &b.kind) ||
        !http_body_str(r, "country", true, 3, &b.country))
        return http_status(r);
    limes_error err = {0};
    int64_t id;
    if (limes_bcp_add(http_store(r), &b, &id, &err))
        return http_fail(r, &err);
    http_audit_force(r);
    http_audit_record(r, "bcp:%lld", (long long)id);
    json_t *out;
    if (limes_bcp_get(http_store(r), b.code, &out, &err))
        return http_fail(r, &err);
    return http_json(r, 201, out);
}

/* ---- crossings, refusals, detections -------------------------------------- */

static int post_crossings(http_req *r)
{
    limes_crossing_in in = {0};
    json_t *travel;
    if (!api_body_person(r, &in.person) || !api_body_document(r, &in.doc) ||
        !http_body_int(r, "traveller_id", false, 1, INT64_MAX, &in.traveller_id) ||
        !http_body_str(r, "bcp", true, 16, &in.bcp_code) ||
        !http_body_str(r, "direction", true, 8, &in.direction) ||
        !http_body_int(r, "at_ms", false, 0, INT64_MAX, &in.at_ms) ||
        !http_body_int(r, "check_id", false, 1, INT64_MAX, &in.check_id) ||
        !http_body_bool(r, "not_counted", false, &in.not_counted) ||
        !member_obj(r, "travel", &travel) ||
        !member_str(r, travel, "travel/", "mode", 16, &in.travel_mode) ||
        !member_str(r, travel, "travel/", "ref", 64, &in.travel_ref))
        return http_status(r);
    in.officer = http_who(r)->username;
    limes_crossing_out out;
    limes_error err = {0};
    if (limes_crossing_record(http_store(r), &in, &out, &err))
        return http_fail(r, &err);
    http_audit_record(r, "traveller:%lld", (long long)out.traveller_id);
    http_audit_record(r, "crossing:%lld", (long long)out.id);
    return http_json(r, 201,
                     json_pack("{s:I, s:I, s:o, s:s?}", "id", (json_int_t)out.id, "traveller_id",
                               (json_int_t)out.traveller_id, "stay_id",
                               out.stay_id ? json_integer(out.stay_id) : json_null(), "anomaly",
                               out.anomaly[0] ? out.anomaly : NULL));
}

/* "codes": ["B","H"] or "B,H". */
bool api_body_codes(http_req *r, char *joined, size_t n, const char **out)
{
    json_t *v = json_object_get(http_body_json(r), "codes");
    *out = NULL;
    if (json_is_string(v)) {
        *out = json_string_value(v);
        return true;
    }
    if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > 16) {
        http_problem(r, LIMES_INVALID, "codes", "codes must list 1 to 16 refusal codes");
        return false;
    }
    joined[0] = '\0';
    size_t i;
    json_t *c;
    json_array_foreach(v, i, c)
    {
        if (!json_is_string(c) || json_string_length(c) > 8) {
            http_problem(r, LIMES_INVALID, "codes", "each refusal code is a short string");
            return false;
        }
        if (i)
            strncat(joined, ",", n - strlen(joined) - 1);
        strncat(joined, json_string_value(c), n - strlen(joined) - 1);
    }
    *out = joined;
    return true;
}

static int post_refusals(http_req *r)
{
    limes_refusal_in in = {0};
    char codes[256];
    if (!api_body_person(r, &in.person) || !api_body_document(r, &in.doc) ||
        !http_body_int(r, "traveller_id", false, 1, INT64_MAX, &in.traveller_id) ||
        !http_body_str(r, "bcp", true, 16, &in.bcp_code) ||
        !http_body_int(r, "at_ms", false, 0, INT64_MAX, &in.at_ms) ||
        !http_body_int(r, "check_id", false, 1, INT64_MAX, &in.check_id) ||
        !http_body_str(r, "authority", false, 200, &in.authority) ||
        !http_body_str(r, "note", false, 2000, &in.note) || !api_body_codes(r, codes, sizeof codes, &in.codes))
        return http_status(r);
    in.officer = http_who(r)->username;
    int64_t id, traveller;
    limes_error err = {0};
    if (limes_refusal_record(http_store(r), &in, &id, &traveller, &err))
        return http_fail(r, &err);
    http_audit_record(r, "traveller:%lld", (long long)traveller);
    http_audit_record(r, "refusal:%lld", (long long)id);
    return http_json(r, 201, json_pack("{s:I, s:I}", "id", (json_int_t)id, "traveller_id",
                                       (json_int_t)traveller));
}

static int post_detections(http_req *r)
{
    limes_detection_in in = {0};
    if (!http_body_str(r, "kind", true, 32, &in.kind) ||
        !http_body_str(r, "fraud_type", false, 32, &in.fraud_type) ||
        !http_body_int(r, "traveller_id", false, 1, INT64_MAX, &in.traveller_id) ||
        !http_body_int(r, "crossing_id", false, 1, INT64_MAX, &in.crossing_id) ||
        !http_body_int(r, "check_id", false, 1, INT64_MAX, &in.check_id) ||
        !http_body_str(r, "bcp", true, 16, &in.bcp_code) ||
        !http_body_int(r, "at_ms", false, 0, INT64_MAX, &in.at_ms) ||
        !http_body_str(r, "nationality", false, 3, &in.nationality) ||
        !http_body_str(r, "note", false, 2000, &in.note))
        return http_status(r);
    in.officer = http_who(r)->username;
    int64_t id;
    limes_error err = {0};
    if (limes_detection_record(http_store(r), &in, &id, &err))
        return http_fail(r, &err);
    if (in.traveller_id)
        http_audit_record(r, "traveller:%lld", (long long)in.traveller_id);
    http_audit_record(r, "detection:%lld", (long long)id);
    return http_json(r, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

static int get_refusal_codes(http_req *r) { return http_json(r, 200, limes_refusal_codes()); }

static int get_detection_codes(http_req *r) { return http_json(r, 200, limes_detection_codes()); }

/* ---- travellers ------------------------------------------------------------ */

static int get_travellers(http_req *r)
{
    const char *doc = http_query(r, "document"), *name = http_query(r, "name");
    int limit;
    if (!query_limit(r, 50, 500, &limit))
        return http_status(r);
    json_t *list;
    limes_error err = {0};
    if (limes_traveller_search(http_store(r), doc, name, limit, &list, &err))
        return http_fail(r, &err);
    size_t i;
    json_t *t;
    json_array_foreach(list, i, t)
        http_audit_record(r, "traveller:%lld", (long long)json_integer_value(json_object_get(t, "id")));
    http_audit_detail(r, doc ? "search by document" : "search by name");
    return http_json(r, 200, json_pack("{s:o}", "travellers", list));
}

static int get_traveller(http_req *r)
{
    int64_t id;
    if (!http_param_id(r, 0, &id))
        return http_status(r);
    http_audit_record(r, "traveller:%lld", (long long)id);
    json_t *t;
    limes_error err = {0};
    if (limes_traveller_get(http_store(r), id, &t, &err))
        return http_fail(r, &err);
    return http_json(r, 200, t);
}

static int get_traveller_stay(http_req *r)
{
    int64_t id;
    int32_t on;
    if (!http_param_id(r, 0, &id) || !query_day(r, &on))
        return http_status(r);
    http_audit_record(r, "traveller:%lld", (long long)id);
    json_t *st;
    limes_error err = {0};
    if (limes_traveller_stay(http_store(r), id, on, &st, &err))
        return http_fail(r, &err);
    return http_json(r, 200, st);
}

static int get_traveller_crossings(http_req *r)
{
    int64_t id;
    if (!http_param_id(r, 0, &id))
        return http_status(r);
    http_audit_record(r, "traveller:%lld", (long long)id);
    json_t *list;
    limes_error err = {0};
    if (limes_traveller_crossings(http_store(r), id, &list, &err))
        return http_fail(r, &err);
    return http_json(r, 200, json_pack("{s:I, s:o}", "traveller_id", (json_int_t)id,
                                       "crossings", list));
}

static int get_overstayers(http_req *r)
{
    int32_t on;
    int limit;
    if (!query_day(r, &on) || !query_limit(r, 100, 10000, &limit))
        return http_status(r);
    json_t *list;
    limes_error err = {0};
    if (limes_overstayers(http_store(r), on, limit, &list, &err))
        return http_fail(r, &err);
    size_t i;
    json_t *t;
    json_array_foreach(list, i, t)
        http_audit_record(r, "traveller:%lld",
                          (long long)json_integer_value(json_object_get(t, "traveller_id")));
    char iso[11];
    limes_day_format(on, iso);
    return http_json(r, 200, json_pack("{s:s, s:o}", "on", iso, "overstayers", list));
}

/* ?from=&to= (YYYY-MM-DD), default the 30 days ending today. */
static int get_stats(http_req *r)
{
    int32_t to = limes_day_today(), from;
    limes_error err = {0};
    const char *qt = http_query(r, "to"), *qf = http_query(r, "from");
    if (qt && limes_day_parse(qt, "to", &to, &err))
        return http_fail(r, &err);
    from = to - 29;
    if (qf && limes_day_parse(qf, "from", &from, &err))
        return http_fail(r, &err);
    if (to - from > 3660)
        return http_problem(r, LIMES_INVALID, "from", "the period is at most ten years");
    json_t *out;
    if (limes_border_stats(http_store(r), from, to, &out, &err))
        return http_fail(r, &err);
    return http_json(r, 200, out);
}

const struct route api_border_routes[] = {
    {"GET", "/v1/border/stats", LIMES_ROLE_ANALYST | LIMES_ROLE_SUPERVISOR, 0, get_stats},
    {"GET", "/v1/bcps", ROLES_ANY, 0, get_bcps},
    {"POST", "/v1/bcps", ROLES_SUPERVISION, 0, post_bcps},
    {"GET", "/v1/bcps/{code}", ROLES_ANY, 0, get_bcp},
    {"POST", "/v1/crossings", ROLES_BOOTH, ROUTE_PERSONAL, post_crossings},
    {"POST", "/v1/refusals", ROLES_BOOTH, ROUTE_PERSONAL, post_refusals},
    {"GET", "/v1/refusal-codes", ROLES_ANY, 0, get_refusal_codes},
    {"POST", "/v1/detections", ROLES_BOOTH, ROUTE_PERSONAL, post_detections},
    {"GET", "/v1/detection-codes", ROLES_ANY, 0, get_detection_codes},
    {"GET", "/v1/travellers", ROLES_BOOTH, ROUTE_PERSONAL, get_travellers},
    {"GET", "/v1/travellers/{id}", ROLES_BOOTH, ROUTE_PERSONAL, get_traveller},
    {"GET", "/v1/travellers/{id}/stay", ROLES_BOOTH, ROUTE_PERSONAL, get_traveller_stay},
    {"GET", "/v1/travellers/{id}/crossings", ROLES_BOOTH, ROUTE_PERSONAL,
     get_traveller_crossings},
    {"GET", "/v1/overstayers", ROLES_RECORDS, ROUTE_PERSONAL, get_overstayers},
    {0},
};
