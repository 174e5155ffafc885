/*
 * test_protect.c - the protect module on a real store: the built-in
 * indicator sets and rules hold together, set validation names the wrong
 * field, the rules give the expected recommendation with reasons, the
 * record-derived indicators (on explicit history and on border records),
 * the case state machine with deadlines and overdue at chosen times, the
 * need-to-know rule, and statistics.
 *
 * Runs on SQLite; with --pg on a fresh PostgreSQL database (LIMES_TEST_PG).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/date.h"
#include "limes/border.h"
#include "limes/limes.h"
#include "limes/protect.h"
#include "pg_fresh.h"
#include "test.h"

static limes_store *store;
static char db_path[512];

#define HOUR INT64_C(3600000)
#define DAY (24 * HOUR)
#define T0 INT64_C(1780000000000) /* 2026-05-28, a fixed "now" for deadlines */

static const limes_protect_actor second_line = {0, "sl.one", LIMES_ROLE_SECOND_LINE};
static const limes_protect_actor second_line2 = {0, "sl.two", LIMES_ROLE_SECOND_LINE};
static const limes_protect_actor supervisor = {0, "sup", LIMES_ROLE_SUPERVISOR};
static const limes_protect_actor analyst = {0, "ana", LIMES_ROLE_ANALYST};

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, 0, &e);
    if (!v)
        fprintf(stderr, "bad test JSON: %s: %s\n", e.text, text);
    return v;
}

static bool has_code(const json_t *arr, const char *code)
{
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v) {
        const char *c = json_is_string(v) ? json_string_value(v)
                                          : json_string_value(json_object_get(v, "code"));
        if (c && strcmp(c, code) == 0)
            return true;
    }
    return false;
}

/* ---- sets and rules ----------------------------------------------------- */

static void test_builtin_sets_valid(void)
{
    limes_error err = {0};
    const char *names[] = {"child", "adult"};
    for (int n = 0; n < 2; n++) {
        json_t *set = NULL;
        CHECK_INT(limes_protect_set_get(store, names[n], NULL, &set, &err), LIMES_OK);
        char *text = json_dumps(set, 0);
        json_t *again = NULL;
        CHECK_INT(limes_protect_set_parse(text, strlen(text), &again, &err), LIMES_OK);
        free(text);
        json_decref(again);
        CHECK_STR(json_string_value(json_object_get(set, "subject")), names[n]);
        json_decref(set);
    }
    json_t *child = NULL;
    limes_protect_set_get(store, "child", NULL, &child, &err);
    const json_t *inds = json_object_get(child, "indicators");
    CHECK_INT(json_array_size(inds), 27); /* A1-A10, B1-B7, C1-C5, D1-D5 */
    CHECK(has_code(inds, "A10") && has_code(inds, "B7") && has_code(inds, "C5") &&
          has_code(inds, "D5"));
    json_decref(child);
}

/* Every code a rule names exists in every set of the subjects it applies to. */
static void test_rules_name_known_codes(void)
{
    json_t *rules = NULL, *sets[2] = {NULL, NULL};
    limes_error err = {0};
    CHECK_INT(limes_protect_rules(&rules, &err), LIMES_OK);
    limes_protect_set_get(store, "child", NULL, &sets[0], &err);
    limes_protect_set_get(store, "adult", NULL, &sets[1], &err);
    size_t i, j;
    const json_t *rule, *code;
    json_array_foreach(json_object_get(rules, "rules"), i, rule) {
        const char *level = json_string_value(json_object_get(rule, "recommend"));
        CHECK(level && (strcmp(level, "referral") == 0 ||
                        strcmp(level, "second_line_interview") == 0));
        for (int s = 0; s < 2; s++) {
            const char *subject = json_string_value(json_object_get(sets[s], "subject"));
            if (!has_code(json_object_get(rule, "sets"), subject))
                continue;
            json_array_foreach(json_object_get(json_object_get(rule, "when"), "codes"), j, code) {
                bool known = has_code(json_object_get(sets[s], "indicators"),
                                      json_string_value(code));
                /* A10 is a child code and A6 the adult age-doubt code: each rule
                 * may name codes of both, as long as each exists in one set */
                bool other = has_code(json_object_get(sets[1 - s], "indicators"),
                                      json_string_value(code));
                CHECK(known || other);
            }
            const char *reason = json_string_value(
                json_object_get(json_object_get(rule, "reason"), "ar"));
            CHECK(reason && reason[0]);
        }
    }
    json_decref(rules);
    json_decref(sets[0]);
    json_decref(sets[1]);
}

static void expect_set_error(const char *text, limes_rc rc, const char *field)
{
    json_t *set = NULL;
    limes_error err = {0};
    CHECK_INT(limes_protect_set_parse(text, strlen(text), &set, &err), rc);
    CHECK(set == NULL);
    if (field)
        CHECK_STR(err.field, field);
}

#define T3 "{\"en\":\"x\",\"ar\":\"س\",\"fr\":\"y\"}"
#define HEAD "{\"set\":\"p\",\"version\":\"1\",\"subject\":\"child\",\"title\":" T3 \
             ",\"groups\":[{\"code\":\"A\",\"text\":" T3 "}],\"indicators\":["

static void test_set_validation(void)
{
    json_t *set = NULL;
    limes_error err = {0};
    const char *good = HEAD "{\"code\":\"A1\",\"group\":\"A\",\"phase\":\"first_line\",\"text\":" T3 "}]}";
    CHECK_INT(limes_protect_set_parse(good, strlen(good), &set, &err), LIMES_OK);
    json_decref(set);
    expect_set_error("{\"set\":", LIMES_BAD_JSON, NULL);
    expect_set_error(HEAD "{\"code\":\"A1\",\"group\":\"A\",\"phase\":\"first_line\",\"text\":" T3
                     "},{\"code\":\"A1\",\"group\":\"A\",\"phase\":\"first_line\",\"text\":" T3 "}]}",
                     LIMES_INVALID, "/indicators/1");
    expect_set_error(HEAD "{\"code\":\"B1\",\"group\":\"A\",\"phase\":\"first_line\",\"text\":" T3 "}]}",
                     LIMES_INVALID, "/indicators/0");
    expect_set_error(HEAD "{\"code\":\"A1\",\"group\":\"Q\",\"phase\":\"first_line\",\"text\":" T3 "}]}",
                     LIMES_INVALID, "/indicators/0");
    expect_set_error(HEAD "{\"code\":\"A1\",\"group\":\"A\",\"phase\":\"booth\",\"text\":" T3 "}]}",
                     LIMES_INVALID, "/indicators/0");
    expect_set_error(HEAD "{\"code\":\"A1\",\"group\":\"A\",\"phase\":\"first_line\",\"text\":"
                     "{\"en\":\"x\",\"fr\":\"y\"}}]}", LIMES_INVALID, "/indicators/0/text");
    expect_set_error(HEAD "]}", LIMES_INVALID, "/indicators");
    expect_set_error("{\"set\":\"Bad Name\",\"version\":\"1\"}", LIMES_INVALID, "/set");
    expect_set_error("[1]", LIMES_INVALID, "/");
}

static void test_set_load_versions(void)
{
    limes_error err = {0};
    const char *v2 = "{\"set\":\"child\",\"version\":\"9.1\",\"subject\":\"child\",\"title\":" T3
                     ",\"groups\":[{\"code\":\"A\",\"text\":" T3 "}],\"indicators\":["
                     "{\"code\":\"A1\",\"group\":\"A\",\"phase\":\"first_line\",\"text\":" T3 "}]}";
    json_t *summary = NULL;
    CHECK_INT(limes_protect_set_load(store, v2, strlen(v2), "test", &summary, &err), LIMES_OK);
    CHECK(json_is_true(json_object_get(summary, "changed")));
    json_decref(summary);
    CHECK_INT(limes_protect_set_load(store, v2, strlen(v2), "test", NULL, &err), LIMES_OK);
    json_t *active = NULL;
    CHECK_INT(limes_protect_set_get(store, "child", NULL, &active, &err), LIMES_OK);
    CHECK_STR(json_string_value(json_object_get(active, "version")), "9.1");
    json_decref(active);
    /* same version, other content: refused; the built-in version cannot be overwritten */
    char clash[2048];
    snprintf(clash, sizeof clash, "%s", v2);
    char *x = strstr(clash, "\"A1\"");
    x[1] = 'A', x[2] = '2';
    CHECK_INT(limes_protect_set_load(store, clash, strlen(clash), "test", NULL, &err), LIMES_EXISTS);
    const char *b = "{\"set\":\"child\",\"version\":\"2026.1\",\"subject\":\"child\",\"title\":" T3
                    ",\"groups\":[{\"code\":\"A\",\"text\":" T3 "}],\"indicators\":["
                    "{\"code\":\"A1\",\"group\":\"A\",\"phase\":\"first_line\",\"text\":" T3 "}]}";
    CHECK_INT(limes_protect_set_load(store, b, strlen(b), "test", NULL, &err), LIMES_EXISTS);
    json_t *old = NULL;
    CHECK_INT(limes_protect_set_get(store, "child", "2026.1", &old, &err), LIMES_OK);
    CHECK_INT(json_array_size(json_object_get(old, "indicators")), 27);
    json_decref(old);
    CHECK_INT(limes_protect_set_get(store, "child", "0.0", &old, &err), LIMES_NOT_FOUND);
    json_t *list = NULL;
    CHECK_INT(limes_protect_set_list(store, &list, &err), LIMES_OK);
    CHECK_INT(json_array_size(list), 3);
    CHECK(!json_is_true(json_object_get(json_array_get(list, 0), "active")));
    CHECK(json_is_true(json_object_get(json_array_get(list, 2), "active")));
    json_decref(list);
}

/* ---- rules ------------------------------------------------------------------ */

static const char *recommend(const char *set_name, const char *codes, const char *flags,
                             const char *expect_rule)
{
    static char level[40];
    json_t *set = NULL, *c = parse(codes), *f = flags ? parse(flags) : NULL, *out = NULL;
    limes_error err = {0};
    limes_protect_set_get(store, set_name, "2026.1", &set, &err);
    limes_rc rc = limes_protect_evaluate(set, c, f, &out, &err);
    snprintf(level, sizeof level, "%s",
             rc ? "error" : json_string_value(json_object_get(out, "recommendation")));
    if (!rc && expect_rule) {
        bool found = false;
        size_t i;
        const json_t *r;
        json_array_foreach(json_object_get(out, "reasons"), i, r)
            found |= strcmp(json_string_value(json_object_get(r, "rule")), expect_rule) == 0;
        CHECK(found);
    }
    if (!rc)
        CHECK(json_is_false(json_object_get(out, "decided_by_limes")));
    json_decref(set);
    json_decref(c);
    json_decref(f);
    json_decref(out);
    return level;
}

static void test_recommendations(void)
{
    CHECK_STR(recommend("child", "[]", NULL, NULL), "none");
    CHECK_STR(recommend("child", "[\"A1\"]", NULL, NULL), "none");
    CHECK_STR(recommend("child", "[\"A1\",\"B3\"]", NULL, "two-child-or-adult"),
              "second_line_interview");
    CHECK_STR(recommend("child", "[\"A1\",\"A1\"]", NULL, NULL), "none"); /* repeats count once */
    CHECK_STR(recommend("child", "[\"C1\"]", NULL, "child-document"), "referral");
    CHECK_STR(recommend("child", "[\"C5\"]", NULL, NULL), "none");
    CHECK_STR(recommend("child", "[\"C5\",\"A1\"]", NULL, NULL), "none"); /* C5 never counts */
    CHECK_STR(recommend("child", "[\"A8\"]", NULL, "child-abuse-signs"), "referral");
    CHECK_STR(recommend("child", "[\"A10\"]", NULL, "age-doubt"), "second_line_interview");
    CHECK_STR(recommend("child", "[\"D5\"]", NULL, "travel-history"), "second_line_interview");
    CHECK_STR(recommend("child", "[\"A1\",\"B6\",\"D1\",\"D2\"]", NULL, "four-or-more"), "referral");
    CHECK_STR(recommend("child", "[]", "[\"watchlist_protect\"]", "protect-hit"), "referral");
    CHECK_STR(recommend("child", "[]", "[\"unaccompanied\"]", "child-unaccompanied"),
              "second_line_interview");
    CHECK_STR(recommend("adult", "[\"C1\"]", NULL, NULL), "none"); /* forged papers alone: not THB */
    CHECK_STR(recommend("adult", "[\"A7\"]", NULL, "adult-debt-bondage"), "referral");
    CHECK_STR(recommend("adult", "[]", "[\"unaccompanied\"]", NULL), "none");
    CHECK_STR(recommend("child", "[\"A1\",\"X1\",\"Q77\"]", NULL, NULL), "error");
    CHECK_STR(recommend("child", "[]", "[\"nonsense\"]", NULL), "error");
    /* the error names every unknown code */
    json_t *set = NULL, *c = parse("[\"A1\",\"X1\",\"Q77\"]"), *out = NULL;
    limes_error err = {0};
    limes_protect_set_get(store, "child", "2026.1", &set, &err);
    CHECK_INT(limes_protect_evaluate(set, c, NULL, &out, &err), LIMES_INVALID);
    CHECK_STR(err.field, "indicators");
    CHECK(strstr(err.message, "X1") && strstr(err.message, "Q77") && !strstr(err.message, "A1,"));
    json_decref(set);
    json_decref(c);
}

/* ---- derived indicators --------------------------------------------------------- */

static void test_derive_explicit_history(void)
{
    /* adult "ad" crossed with minors m1, m2 on two flights; "m0" is the child assessed */
    const limes_protect_crossing past[] = {
        {"ad", false, 20000, "TUNAIR", "exit", "TU100", "agentX"},
        {"m1", true, 20000, "TUNAIR", "exit", "TU100", "agentX"},
        {"ad", false, 20100, "TUNAIR", "exit", "TU200", ""},
        {"m2", true, 20100, "TUNAIR", "exit", "TU200", "agentX"},
        {"m3", true, 20100, "TUNAIR", "exit", "TU999", "agentY"}, /* other flight */
        {"m0", true, 20150, "TUNAIR", "exit", "TU300", "agentX"}, /* the subject itself */
        {"ad", false, 20150, "TUNAIR", "exit", "TU300", ""},
        {"old", true, 10000, "TUNAIR", "exit", "TU100", "agentX"}, /* outside the window */
    };
    const char *companions[] = {"ad"};
    limes_protect_history h = {.past = past, .npast = 8, .subject = "m0",
                               .companions = companions, .ncompanions = 1,
                               .booking_agent = "agentX", .document_hit = "stolen",
                               .today = 20150};
    json_t *out = NULL;
    limes_error err = {0};
    CHECK_INT(limes_protect_derive(&h, &out, &err), LIMES_OK);
    CHECK(has_code(out, "B4") && has_code(out, "D5") && has_code(out, "C2"));
    const json_t *b4 = json_array_get(out, 0);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(b4, "evidence"), "other_minors")), 2);
    char *dump = json_dumps(out, 0);
    CHECK(dump && !strstr(dump, "\"m1\"") && !strstr(dump, "\"m2\""));
    free(dump);
    json_decref(out);
    /* one other minor only: no pattern; no agent, no hit: nothing */
    h.min_minors = 3;
    h.booking_agent = NULL;
    h.document_hit = NULL;
    CHECK_INT(limes_protect_derive(&h, &out, &err), LIMES_OK);
    CHECK_INT(json_array_size(out), 0);
    json_decref(out);
    /* a family: the same two children with "dad" on two journeys is no pattern */
    const limes_protect_crossing family[] = {
        {"dad", false, 20000, "TUNAIR", "exit", "TU100", ""},
        {"k1", true, 20000, "TUNAIR", "exit", "TU100", ""},
        {"k2", true, 20000, "TUNAIR", "exit", "TU100", ""},
        {"dad", false, 20100, "TUNAIR", "entry", "TU101", ""},
        {"k1", true, 20100, "TUNAIR", "entry", "TU101", ""},
        {"k2", true, 20100, "TUNAIR", "entry", "TU101", ""},
        {"dad", false, 20140, "TUNAIR", "exit", "TU300", ""}, /* one trip with many children */
        {"k3", true, 20140, "TUNAIR", "exit", "TU300", ""},
        {"k4", true, 20140, "TUNAIR", "exit", "TU300", ""},
    };
    const char *dad[] = {"dad"};
    limes_protect_history fh = {.past = family, .npast = 9, .subject = "k0", .companions = dad,
                                .ncompanions = 1, .today = 20150};
    CHECK_INT(limes_protect_derive(&fh, &out, &err), LIMES_OK);
    CHECK(!has_code(out, "B4")); /* k3, k4 once each, but on one journey only */
    json_decref(out);
    fh.npast = 6; /* without the last trip: k1, k2 repeatedly = family */
    CHECK_INT(limes_protect_derive(&fh, &out, &err), LIMES_OK);
    CHECK_INT(json_array_size(out), 0);
    json_decref(out);
    /* a short window drops the older journeys */
    h.min_minors = 0;
    h.window_days = 10;
    CHECK_INT(limes_protect_derive(&h, &out, &err), LIMES_OK);
    CHECK(!has_code(out, "B4"));
    json_decref(out);
}

static int64_t cross(const char *doc, const char *surname, const char *birth, const char *flight,
                     int64_t at_ms)
{
    limes_crossing_in in = {
        .person = {.surname = surname, .given_names = "T", .birth_date = birth, .sex = "M",
                   .nationality = "TUN"},
        .doc = {.doc_type = "P", .issuer = "TUN", .number = doc},
        .bcp_code = "PRTEST", .direction = "exit", .at_ms = at_ms, .officer = "o",
        .travel_mode = "flight", .travel_ref = flight};
    limes_crossing_out out = {0};
    limes_error err = {0};
    limes_rc rc = limes_crossing_record(store, &in, &out, &err);
    if (rc)
        fprintf(stderr, "crossing: %s (%s)\n", limes_error_text(&err), err.field);
    CHECK_INT(rc, LIMES_OK);
    return out.traveller_id;
}

/* The same from the border records: an adult exits three times with different children. */
static void test_derive_from_border_records(void)
{
    limes_error err = {0};
    limes_bcp bcp = {.code = "PRTEST", .name_en = "Protect test airport", .kind = "air",
                     .country = "TUN"};
    CHECK_INT(limes_bcp_add(store, &bcp, NULL, &err), LIMES_OK);
    int64_t now = time_now_ms();
    int64_t adult = cross("PA0001", "ADULT", "1980-01-01", "TU700", now - 40 * DAY);
    cross("PC0001", "CHILDA", "2016-02-02", "TU700", now - 40 * DAY);
    cross("PA0001", "ADULT", "1980-01-01", "TU710", now - 20 * DAY);
    cross("PC0002", "CHILDB", "", "TU710", now - 20 * DAY);          /* unknown age: a minor */
    cross("PX0003", "GROWNUP", "1990-05-05", "TU710", now - 20 * DAY); /* an adult: not counted */
    cross("PA0001", "ADULT", "1980-01-01", "TU720", now - HOUR);
    int64_t child = cross("PC0003", "CHILDC", "2017-03-03", "TU720", now - HOUR);
    json_t *out = NULL;
    CHECK_INT(limes_protect_derive_from_store(store, child, &adult, 1, NULL,
                                              (int32_t)(now / DAY), &out, &err), LIMES_OK);
    CHECK(has_code(out, "B4"));
    CHECK_INT(json_integer_value(json_object_get(json_object_get(json_array_get(out, 0),
                                                                 "evidence"), "other_minors")), 2);
    json_decref(out);
    /* the child's own companion history seen from another child: still two others */
    json_t *a = NULL;
    char body[256];
    snprintf(body, sizeof body, "{\"set\":\"child\",\"set_version\":\"2026.1\",\"indicators\":[],"
             "\"traveller_id\":%lld,\"companion_traveller_ids\":[%lld],\"crossing_point\":\"PRTEST\"}",
             (long long)child, (long long)adult);
    json_t *in = parse(body);
    CHECK_INT(limes_assessment_create(store, &second_line, in, now, &a, &err), LIMES_OK);
    CHECK(has_code(json_object_get(a, "derived"), "B4"));
    CHECK_STR(json_string_value(json_object_get(a, "recommendation")), "second_line_interview");
    json_decref(in);
    json_decref(a);
}

/* ---- cases -------------------------------------------------------------------- */

static int64_t partner(void)
{
    static int64_t id;
    if (id)
        return id;
    json_t *in = parse("{\"name\":\"Unit NGO\",\"type\":\"ngo\",\"country\":\"TUN\"}"), *out = NULL;
    limes_error err = {0};
    CHECK_INT(limes_partner_add(store, in, T0, &out, &err), LIMES_OK);
    id = json_integer_value(json_object_get(out, "id"));
    json_decref(in);
    json_decref(out);
    return id;
}

static limes_rc step(int64_t id, const limes_protect_actor *who, const char *body, int64_t now,
                     json_t **allowed)
{
    json_t *in = parse(body), *out = NULL;
    limes_error err = {0};
    limes_rc rc = limes_case_step(store, id, who, in, now, &out, allowed, &err);
    json_decref(in);
    json_decref(out);
    return rc;
}

static int64_t open_case(const limes_protect_actor *who, const char *body)
{
    json_t *in = parse(body), *out = NULL;
    limes_error err = {0};
    limes_rc rc = limes_case_open(store, who, in, T0, &out, &err);
    CHECK_INT(rc, LIMES_OK);
    int64_t id = json_integer_value(json_object_get(out, "id"));
    json_decref(in);
    json_decref(out);
    return id;
}

static void test_case_state_machine_and_deadlines(void)
{
    int64_t id = open_case(&second_line, "{\"subject_kind\":\"child\",\"crossing_point\":\"PRTEST\"}");
    char refer[128];
    snprintf(refer, sizeof refer, "{\"step\":\"referred\",\"partner_id\":%lld}", (long long)partner());
    json_t *allowed = NULL;
    CHECK_INT(step(id, &second_line, "{\"step\":\"acknowledged\"}", T0, &allowed), LIMES_CONFLICT);
    CHECK(has_code(allowed, "referred") && has_code(allowed, "closed"));
    CHECK_INT(json_array_size(allowed), 2);
    json_decref(allowed);
    CHECK_INT(step(id, &second_line, "{\"step\":\"referred\",\"partner_id\":424242}", T0, NULL),
              LIMES_UNPROCESSABLE);
    CHECK_INT(step(id, &second_line, refer, T0 - DAY, NULL), LIMES_INVALID); /* before opening */
    CHECK_INT(step(id, &second_line, refer, T0 + HOUR, NULL), LIMES_OK);
    json_t *c = NULL;
    limes_error err = {0};
    /* 47 hours after the referral: due, not overdue; 49 hours: overdue */
    CHECK_INT(limes_case_get(store, id, T0 + 48 * HOUR, &c, &err), LIMES_OK);
    CHECK_INT(json_array_size(json_object_get(c, "overdue")), 0);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(json_object_get(c, "deadlines"),
                                                                 "reflection_period"), "days")), 30);
    json_decref(c);
    CHECK_INT(limes_case_get(store, id, T0 + 50 * HOUR, &c, &err), LIMES_OK);
    CHECK(has_code(json_object_get(c, "overdue"), "acknowledged"));
    json_decref(c);
    limes_case_filter bad = {.state = "sleeping"};
    json_t *none = NULL;
    CHECK_INT(limes_case_list(store, &bad, T0, &none, &err), LIMES_INVALID);
    limes_case_filter f = {.overdue_only = true};
    json_t *list = NULL;
    CHECK_INT(limes_case_list(store, &f, T0 + 50 * HOUR, &list, &err), LIMES_OK);
    CHECK_INT(json_array_size(list), 1);
    json_decref(list);
    CHECK_INT(limes_case_list(store, &f, T0 + 40 * HOUR, &list, &err), LIMES_OK);
    CHECK_INT(json_array_size(list), 0);
    json_decref(list);
    CHECK_INT(step(id, &second_line, "{\"step\":\"acknowledged\"}", T0 + 50 * HOUR, NULL), LIMES_OK);
    CHECK_INT(limes_case_get(store, id, T0 + 60 * HOUR, &c, &err), LIMES_OK);
    CHECK_INT(json_array_size(json_object_get(c, "overdue")), 0);
    json_decref(c);
    CHECK_INT(step(id, &second_line, "{\"step\":\"interview_held\"}", T0 + 49 * HOUR, NULL),
              LIMES_INVALID); /* before the acknowledgement */
    CHECK_INT(step(id, &second_line, "{\"step\":\"interview_held\"}", T0 + 61 * HOUR, NULL), LIMES_OK);
    CHECK_INT(step(id, &second_line, "{\"step\":\"placed_in_care\"}", T0 + 62 * HOUR, NULL), LIMES_OK);
    CHECK_INT(step(id, &second_line, "{\"step\":\"guardian_appointed\"}", T0 + 63 * HOUR, NULL),
              LIMES_CONFLICT);
    CHECK_INT(step(id, &second_line, "{\"step\":\"closed\",\"outcome\":\"bogus\"}", T0 + 64 * HOUR,
                   NULL), LIMES_INVALID);
    CHECK_INT(step(id, &second_line, "{\"step\":\"closed\",\"outcome\":\"identified_victim\"}",
                   T0 + 64 * HOUR, NULL), LIMES_OK);
    CHECK_INT(limes_case_get(store, id, T0 + 65 * HOUR, &c, &err), LIMES_OK);
    CHECK_STR(json_string_value(json_object_get(c, "state")), "closed");
    CHECK_INT(json_array_size(json_object_get(c, "steps")), 6); /* opened + 5 */
    CHECK_INT(json_array_size(json_object_get(c, "allowed_next")), 0);
    json_decref(c);
    CHECK_INT(step(id, &second_line, "{\"step\":\"closed\",\"outcome\":\"other\"}", T0 + 66 * HOUR,
                   NULL), LIMES_CONFLICT);
    CHECK_INT(step(999999, &second_line, "{\"step\":\"closed\",\"outcome\":\"other\"}", T0, NULL),
              LIMES_NOT_FOUND);
}

static void test_config_deadlines(void)
{
    limes_error err = {0};
    int ack = 0, refl = 0;
    CHECK_INT(limes_protect_config_get(store, &ack, &refl, &err), LIMES_OK);
    CHECK_INT(ack, 48);
    CHECK_INT(refl, 30);
    CHECK_INT(limes_protect_config_set(store, 24, 20, &err), LIMES_INVALID); /* < 30 days */
    CHECK_INT(limes_protect_config_set(store, 24, 45, &err), LIMES_OK);
    int64_t id = open_case(&supervisor, "{\"subject_kind\":\"adult\"}");
    char refer[128];
    snprintf(refer, sizeof refer, "{\"step\":\"referred\",\"partner_id\":%lld}", (long long)partner());
    CHECK_INT(step(id, &supervisor, refer, T0, NULL), LIMES_OK);
    json_t *c = NULL;
    CHECK_INT(limes_case_get(store, id, T0 + 25 * HOUR, &c, &err), LIMES_OK);
    CHECK(has_code(json_object_get(c, "overdue"), "acknowledged"));
    CHECK_INT(json_integer_value(json_object_get(json_object_get(json_object_get(c, "deadlines"),
                                                                 "reflection_period"), "days")), 45);
    json_decref(c);
    CHECK_INT(limes_protect_config_set(store, 48, 30, &err), LIMES_OK);
}

/* A first-line check of a child (no adult with them) by officer "booth". */
static int64_t child_check(const char *doc, const char *birth)
{
    limes_check_in in = {
        .person = {.surname = "KID", .given_names = "T", .birth_date = birth, .sex = "F",
                   .nationality = "TUN"},
        .doc = {.doc_type = "P", .issuer = "TUN", .number = doc},
        .bcp_code = "PRTEST", .direction = "exit", .officer = "booth"};
    json_t *out = NULL;
    limes_error err = {0};
    limes_rc rc = limes_check_run(store, &in, &out, &err);
    if (rc)
        fprintf(stderr, "check: %s (%s)\n", limes_error_text(&err), err.field);
    CHECK_INT(rc, LIMES_OK);
    int64_t id = json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    return id;
}

/* An assessment linked to a check takes the crossing point and flags from it. */
static void test_assessment_from_check(void)
{
    limes_protect_actor booth = {0, "booth", LIMES_ROLE_OFFICER};
    limes_protect_actor other = {0, "someone", LIMES_ROLE_OFFICER};
    int64_t check = child_check("PK0001", "");
    char body[200];
    snprintf(body, sizeof body, "{\"set\":\"child\",\"set_version\":\"2026.1\","
             "\"indicators\":[],\"check_id\":%lld}", (long long)check);
    json_t *in = parse(body), *a = NULL;
    limes_error err = {0};
    CHECK_INT(limes_assessment_create(store, &other, in, T0, &a, &err), LIMES_FORBIDDEN);
    CHECK_INT(limes_assessment_create(store, &booth, in, T0, &a, &err), LIMES_OK);
    CHECK_STR(json_string_value(json_object_get(a, "crossing_point")), "PRTEST");
    const json_t *flags = json_object_get(a, "flags");
    CHECK(has_code(flags, "unaccompanied") && has_code(flags, "age_doubtful"));
    CHECK_STR(json_string_value(json_object_get(a, "recommendation")), "second_line_interview");
    json_decref(a);
    json_decref(in);
    in = parse("{\"set\":\"child\",\"indicators\":[],\"check_id\":999999}");
    CHECK_INT(limes_assessment_create(store, &booth, in, T0, &a, &err), LIMES_UNPROCESSABLE);
    CHECK_STR(err.field, "check_id");
    json_decref(in);
    /* the officer opens a case from the own check, once */
    snprintf(body, sizeof body, "{\"check_id\":%lld}", (long long)check);
    in = parse(body);
    json_t *c = NULL;
    CHECK_INT(limes_case_open(store, &other, in, T0, &c, &err), LIMES_FORBIDDEN);
    CHECK_INT(limes_case_open(store, &booth, in, T0, &c, &err), LIMES_OK);
    CHECK_STR(json_string_value(json_object_get(c, "subject_kind")), "child");
    CHECK_STR(json_string_value(json_object_get(c, "crossing_point")), "PRTEST");
    CHECK_INT(json_array_size(json_object_get(c, "assigned")), 0); /* the second-line queue */
    json_decref(c);
    CHECK_INT(limes_case_open(store, &booth, in, T0, &c, &err), LIMES_EXISTS);
    json_decref(in);
}

static void test_one_case_per_check_and_access(void)
{
    limes_error err = {0};
    int64_t check = child_check("PK0002", "2015-01-01");
    char body[100];
    snprintf(body, sizeof body, "{\"subject_kind\":\"child\",\"check_id\":%lld}", (long long)check);
    int64_t a = open_case(&second_line, body);
    json_t *in = parse(body), *out = NULL;
    CHECK_INT(limes_case_open(store, &supervisor, in, T0, &out, &err), LIMES_EXISTS);
    CHECK_STR(err.field, "check_id");
    json_decref(in);
    int64_t queue = open_case(&supervisor, "{\"subject_kind\":\"child\"}");
    limes_case_access acc;
    CHECK_INT(limes_case_access_for(store, a, &second_line, &acc, &err), LIMES_OK);
    CHECK_INT(acc, LIMES_CASE_WRITE);
    CHECK_INT(limes_case_access_for(store, a, &second_line2, &acc, &err), LIMES_OK);
    CHECK_INT(acc, LIMES_CASE_DENIED);
    CHECK_INT(limes_case_access_for(store, a, &supervisor, &acc, &err), LIMES_OK);
    CHECK_INT(acc, LIMES_CASE_WRITE);
    CHECK_INT(limes_case_access_for(store, a, &analyst, &acc, &err), LIMES_OK);
    CHECK_INT(acc, LIMES_CASE_DENIED);
    CHECK_INT(limes_case_access_for(store, queue, &second_line2, &acc, &err), LIMES_OK);
    CHECK_INT(acc, LIMES_CASE_READ);
    CHECK_INT(limes_case_access_for(store, 999999, &supervisor, &acc, &err), LIMES_NOT_FOUND);
    /* second_line2 sees the queue case but not second_line's case; analysts see none */
    limes_case_filter f = {.visible_to = &second_line2, .limit = 500};
    json_t *list = NULL;
    CHECK_INT(limes_case_list(store, &f, T0, &list, &err), LIMES_OK);
    bool sees_a = false, sees_queue = false;
    size_t i;
    json_t *c;
    json_array_foreach(list, i, c) {
        sees_a |= json_integer_value(json_object_get(c, "id")) == a;
        sees_queue |= json_integer_value(json_object_get(c, "id")) == queue;
    }
    CHECK(!sees_a && sees_queue);
    json_decref(list);
    f.visible_to = &analyst;
    CHECK_INT(limes_case_list(store, &f, T0, &list, &err), LIMES_OK);
    CHECK_INT(json_array_size(list), 0);
    json_decref(list);
}

static void test_statistics(void)
{
    limes_error err = {0};
    json_t *stats = NULL;
    CHECK_INT(limes_protect_stats(store, "2026-05", "2026-05", &stats, &err), LIMES_OK);
    const json_t *row = NULL;
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(stats, "rows"), i, r)
        if (strcmp(json_string_value(json_object_get(r, "crossing_point")), "PRTEST") == 0)
            row = r;
    CHECK(row != NULL);
    if (row) {
        CHECK_INT(json_integer_value(json_object_get(row, "cases_opened")), 3); /* 2 from checks */
        CHECK_INT(json_integer_value(json_object_get(row, "referrals")), 1);
        CHECK_INT(json_integer_value(json_object_get(row, "outcome_identified_victim")), 1);
    }
    char *csv = NULL;
    CHECK_INT(limes_protect_stats_csv(stats, &csv, &err), LIMES_OK);
    CHECK(csv && strncmp(csv, "crossing_point,month,minors_checked,", 36) == 0);
    CHECK(csv && strstr(csv, "\r\nPRTEST,2026-05,"));
    free(csv);
    json_decref(stats);
    /* minors checked come from the first-line checks: two children were checked */
    CHECK_INT(limes_protect_stats(store, NULL, NULL, &stats, &err), LIMES_OK);
    CHECK(json_is_true(json_object_get(stats, "minors_checked_available")));
    int64_t minors = 0;
    json_array_foreach(json_object_get(stats, "rows"), i, r)
        minors += json_integer_value(json_object_get(r, "minors_checked"));
    CHECK_INT(minors, 2);
    json_decref(stats);
    CHECK_INT(limes_protect_stats(store, "2026-13", NULL, &stats, &err), LIMES_INVALID);
}

static void test_partners(void)
{
    limes_error err = {0};
    int added = 0;
    CHECK_INT(limes_partner_load_demo(store, &added, &err), LIMES_OK);
    CHECK_INT(added, 0); /* the directory already has the unit test's partner */
    json_t *in = parse("{\"name\":\"Bad\",\"type\":\"ngo\",\"country\":\"TUN\",\"email\":\"nope\"}");
    json_t *out = NULL;
    CHECK_INT(limes_partner_add(store, in, T0, &out, &err), LIMES_INVALID);
    CHECK_STR(err.field, "email");
    json_decref(in);
    in = parse("{\"active\":false}");
    CHECK_INT(limes_partner_update(store, partner(), in, T0, &out, &err), LIMES_OK);
    CHECK(json_is_false(json_object_get(out, "active")));
    json_decref(out);
    json_decref(in);
    /* an inactive partner cannot receive a referral */
    int64_t id = open_case(&supervisor, "{\"subject_kind\":\"adult\"}");
    char refer[128];
    snprintf(refer, sizeof refer, "{\"step\":\"referred\",\"partner_id\":%lld}", (long long)partner());
    CHECK_INT(step(id, &supervisor, refer, T0, NULL), LIMES_UNPROCESSABLE);
}

/* Retention: personal content goes, counts stay. */
static void test_purge(void)
{
    limes_error err = {0};
    int64_t closed = open_case(&supervisor, "{\"subject_kind\":\"child\",\"crossing_point\":"
                                            "\"PRTEST\",\"summary\":\"secret\",\"subject\":"
                                            "{\"name\":\"Purged Child\"}}");
    int64_t open = open_case(&supervisor, "{\"subject_kind\":\"child\",\"subject\":"
                                          "{\"name\":\"Kept Child\"}}");
    CHECK_INT(step(closed, &supervisor, "{\"step\":\"closed\",\"outcome\":\"no_grounds\","
                                        "\"note\":\"private note\"}", T0 + HOUR, NULL), LIMES_OK);
    json_t *in = parse("{\"set\":\"child\",\"set_version\":\"2026.1\",\"indicators\":[\"A1\"],"
                       "\"notes\":\"old note\",\"companions\":[]}"), *a = NULL;
    CHECK_INT(limes_assessment_create(store, &second_line, in, T0, &a, &err), LIMES_OK);
    int64_t aid = json_integer_value(json_object_get(a, "id"));
    json_decref(a);
    json_decref(in);
    json_t *before = NULL, *after = NULL;
    CHECK_INT(limes_protect_stats(store, NULL, NULL, &before, &err), LIMES_OK);
    limes_protect_purge_counts n;
    CHECK_INT(limes_protect_purge(store, T0 + 40 * DAY, 10, "test", &n, &err), LIMES_INVALID);
    CHECK_INT(limes_protect_purge(store, T0 + 40 * DAY, 30, "test", &n, &err), LIMES_OK);
    CHECK(n.cases >= 1 && n.steps >= 1 && n.assessments >= 1);
    json_t *c = NULL;
    CHECK_INT(limes_case_get(store, closed, T0 + 40 * DAY, &c, &err), LIMES_OK);
    CHECK_INT(json_object_size(json_object_get(c, "subject")), 0);
    CHECK_STR(json_string_value(json_object_get(c, "summary")), "");
    CHECK_STR(json_string_value(json_object_get(c, "outcome")), "no_grounds");
    char *dump = json_dumps(c, 0);
    CHECK(dump && !strstr(dump, "private note") && !strstr(dump, "Purged"));
    free(dump);
    json_decref(c);
    CHECK_INT(limes_case_get(store, open, T0 + 40 * DAY, &c, &err), LIMES_OK);
    CHECK_STR(json_string_value(json_object_get(json_object_get(c, "subject"), "name")), "Kept Child");
    json_decref(c);
    CHECK_INT(limes_assessment_get(store, aid, &a, &err), LIMES_OK);
    CHECK_STR(json_string_value(json_object_get(a, "notes")), "");
    CHECK(has_code(json_object_get(a, "indicators"), "A1"));
    json_decref(a);
    CHECK_INT(limes_protect_stats(store, NULL, NULL, &after, &err), LIMES_OK);
    CHECK(json_equal(before, after));
    json_decref(before);
    json_decref(after);
    /* a second run finds nothing left to erase; both runs are in the audit trail */
    CHECK_INT(limes_protect_purge(store, T0 + 40 * DAY, 30, "test", &n, &err), LIMES_OK);
    CHECK_INT(n.cases + n.steps + n.assessments, 0);
    limes_audit_filter f = {.actor = "test"};
    json_t *entries = NULL;
    CHECK_INT(limes_audit_query(store, &f, &entries, &err), LIMES_OK);
    CHECK_INT(json_array_size(entries), 2);
    json_decref(entries);
}

#define REASON "\"reason\":" T3
#define RULES(body) "{\"version\":\"p-1\",\"rules\":[" body "]}"

static void expect_rules_error(const char *text, const char *field)
{
    json_t *rules = NULL;
    limes_error err = {0};
    CHECK_INT(limes_protect_rules_parse(text, strlen(text), &rules, &err), LIMES_INVALID);
    CHECK_STR(err.field, field);
    CHECK(rules == NULL);
}

/* A partner's rules: validated, loaded as the active version, used and recorded. */
static void test_rules_load(void)
{
    expect_rules_error(RULES("{\"id\":\"r\",\"sets\":[\"child\"],\"recommend\":\"decide\","
                             "\"when\":{\"codes\":[\"A1\"]}," REASON "}"), "/rules/0");
    expect_rules_error(RULES("{\"id\":\"r\",\"sets\":[\"child\"],\"recommend\":\"referral\","
                             "\"when\":{\"flags\":[\"moon_phase\"]}," REASON "}"), "/rules/0/when");
    expect_rules_error(RULES("{\"id\":\"r\",\"sets\":[\"child\"],\"recommend\":\"referral\","
                             "\"when\":{}," REASON "}"), "/rules/0/when");
    expect_rules_error(RULES("{\"id\":\"r\",\"sets\":[\"pets\"],\"recommend\":\"referral\","
                             "\"when\":{\"codes\":[\"A1\"]}," REASON "}"), "/rules/0");
    expect_rules_error(RULES("{\"id\":\"r\",\"sets\":[\"child\"],\"recommend\":\"referral\","
                             "\"when\":{\"codes\":[\"A1\"]},\"reason\":{\"en\":\"x\"}}"),
                       "/rules/0/reason");
    expect_rules_error("{\"version\":\"p-1\",\"rules\":[]}", "/rules");
    const char *mine = RULES("{\"id\":\"a1-refers\",\"sets\":[\"child\"],"
                             "\"recommend\":\"referral\",\"when\":{\"codes\":[\"A1\"]}," REASON "}");
    limes_error err = {0};
    json_t *summary = NULL;
    CHECK_INT(limes_protect_rules_load(store, mine, strlen(mine), "test", &summary, &err), LIMES_OK);
    CHECK(json_is_true(json_object_get(summary, "changed")));
    json_decref(summary);
    CHECK_INT(limes_protect_rules_load(store, mine, strlen(mine), "test", NULL, &err), LIMES_OK);
    const char *clash = RULES("{\"id\":\"other\",\"sets\":[\"child\"],"
                              "\"recommend\":\"referral\",\"when\":{\"codes\":[\"A2\"]}," REASON "}");
    CHECK_INT(limes_protect_rules_load(store, clash, strlen(clash), "test", NULL, &err), LIMES_EXISTS);
    const char *builtin = "{\"version\":\"2026.1\",\"rules\":[{\"id\":\"x\",\"sets\":[\"adult\"],"
                          "\"recommend\":\"referral\",\"when\":{\"codes\":[\"A2\"]}," REASON "}]}";
    CHECK_INT(limes_protect_rules_load(store, builtin, strlen(builtin), "test", NULL, &err),
              LIMES_EXISTS);
    json_t *active = NULL;
    CHECK_INT(limes_protect_rules_active(store, &active, &err), LIMES_OK);
    CHECK_STR(json_string_value(json_object_get(active, "version")), "p-1");
    CHECK(json_array_size(json_object_get(active, "flags")) == 4); /* limes's own flags kept */
    json_decref(active);
    json_t *in = parse("{\"set\":\"child\",\"set_version\":\"2026.1\",\"indicators\":[\"A1\"]}");
    json_t *a = NULL;
    CHECK_INT(limes_assessment_create(store, &second_line, in, T0, &a, &err), LIMES_OK);
    CHECK_STR(json_string_value(json_object_get(a, "recommendation")), "referral");
    CHECK_STR(json_string_value(json_object_get(a, "rules_version")), "p-1");
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(a, "reasons"), 0),
                                                "rule")), "a1-refers");
    json_decref(a);
    json_decref(in);
}

int main(int argc, char **argv)
{
    bool on_pg = argc > 1 && strcmp(argv[1], "--pg") == 0;
    int rc = test_store_open("protect", on_pg, db_path, sizeof db_path, &store);
    if (rc)
        return rc;
    RUN(test_builtin_sets_valid);
    RUN(test_rules_name_known_codes);
    RUN(test_set_validation);
    RUN(test_recommendations);
    RUN(test_derive_explicit_history);
    RUN(test_derive_from_border_records);
    RUN(test_case_state_machine_and_deadlines);
    RUN(test_config_deadlines);
    RUN(test_assessment_from_check);
    RUN(test_one_case_per_check_and_access);
    RUN(test_statistics);
    RUN(test_partners);
    RUN(test_set_load_versions);
    RUN(test_rules_load);
    RUN(test_purge);
    test_store_close(store, on_pg, db_path);
    return test_summary();
}
