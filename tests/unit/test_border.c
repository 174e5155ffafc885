/*
 * test_border.c - the border records on a real store: crossing points,
 * travellers by document, entries and exits matched into stays with every
 * anomaly flagged, bad input refused, the stay situation and overstayers,
 * refusals with code tables, detections, batches and the retention purge.
 * Runs on SQLite; with --pg on a fresh PostgreSQL database (LIMES_TEST_PG).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "limes/audit.h"
#include "limes/border.h"
#include "limes/lists.h"
#include "limes/screen.h"
#include "pg_fresh.h"
#include "border/border_int.h"
#include "store_count.h"
#include "test.h"

static limes_store *store;
static char db_path[512];

static int64_t ms(const char *iso)
{
    int32_t d;
    if (limes_day_parse(iso, "date", &d, NULL)) {
        fprintf(stderr, "bad test date %s\n", iso);
        exit(2);
    }
    return (int64_t)d * 86400000 + 12 * 3600000; /* noon */
}

static int32_t day(const char *iso)
{
    int32_t d = 0;
    limes_day_parse(iso, "date", &d, NULL);
    return d;
}

static limes_crossing_in crossing(const char *number, const char *nat, const char *dir,
                                  const char *when)
{
    return (limes_crossing_in){
        .person = {.surname = "Ben Salah", .given_names = "Leïla", .birth_date = "1990-04-02",
                   .sex = "F", .nationality = nat},
        .doc = {.doc_type = "P", .issuer = nat, .number = number, .expiry_date = "2030-01-01"},
        .bcp_code = "TN-TUN-AIR",
        .direction = dir,
        .at_ms = ms(when),
        .officer = "amira",
    };
}

static limes_crossing_out record(limes_crossing_in in, limes_rc expect)
{
    limes_crossing_out out = {0};
    limes_error err = {0};
    CHECK_INT(limes_crossing_record(store, &in, &out, &err), expect);
    if (err.rc != expect && expect == LIMES_OK)
        fprintf(stderr, "  error: %s\n", limes_error_text(&err));
    return out;
}

static void test_bcp(void)
{
    limes_error err = {0};
    CHECK_INT(limes_bcp_add_demo(store, &err), LIMES_OK);
    CHECK_INT(limes_bcp_add_demo(store, &err), LIMES_OK); /* idempotent */
    json_t *list;
    CHECK_INT(limes_bcp_list(store, &list, &err), LIMES_OK);
    CHECK_INT(json_array_size(list), 3);
    json_decref(list);
    json_t *b;
    CHECK_INT(limes_bcp_get(store, "ES-ALGECIRAS", &b, &err), LIMES_OK);
    CHECK_STR(json_string_value(json_object_get(b, "kind")), "sea");
    CHECK_STR(json_string_value(json_object_get(b, "name_ar")), "ميناء الجزيرة الخضراء");
    json_decref(b);
    CHECK_INT(limes_bcp_get(store, "NOPE", &b, &err), LIMES_NOT_FOUND);
    limes_bcp bad = {.code = "x y", .name_en = "X", .kind = "air", .country = "TUN"};
    CHECK_INT(limes_bcp_add(store, &bad, NULL, &err), LIMES_INVALID);
    CHECK_STR(err.field, "code");
    bad.code = "OK-1";
    bad.kind = "rail";
    CHECK_INT(limes_bcp_add(store, &bad, NULL, &err), LIMES_INVALID);
    CHECK_STR(err.field, "kind");
    limes_bcp dup = {.code = "TN-RASJEDIR", .name_en = "X", .kind = "land", .country = "TUN"};
    CHECK_INT(limes_bcp_add(store, &dup, NULL, &err), LIMES_EXISTS);
    CHECK_STR(err.field, "code");
}

static void test_entry_exit_make_a_stay(void)
{
    limes_crossing_out in = record(crossing("GB1000001", "GBR", "entry", "2025-01-01"), LIMES_OK);
    CHECK(in.id > 0);
    CHECK(in.stay_id > 0);
    CHECK_STR(in.anomaly, "");
    limes_crossing_out out = record(crossing("GB1000001", "GBR", "exit", "2025-03-31"), LIMES_OK);
    CHECK_INT(out.traveller_id, in.traveller_id);
    CHECK_INT(out.stay_id, in.stay_id);
    CHECK_STR(out.anomaly, "");

    json_t *st;
    limes_error err = {0};
    CHECK_INT(limes_traveller_stay(store, in.traveller_id, day("2025-03-31"), &st, &err),
              LIMES_OK);
    CHECK_INT(json_integer_value(json_object_get(st, "days_used")), 90);
    CHECK_INT(json_integer_value(json_object_get(st, "overstay_days")), 0);
    CHECK_STR(json_string_value(json_object_get(st, "regime")), "visa_free");
    CHECK_STR(json_string_value(json_object_get(st, "latest_exit")), "2025-03-31");
    json_decref(st);
    /* planning view on 30 June: a fresh 90 days */
    CHECK_INT(limes_traveller_stay(store, in.traveller_id, day("2025-06-30"), &st, &err),
              LIMES_OK);
    CHECK_INT(json_integer_value(json_object_get(st, "days_left")), 90);
    json_decref(st);

    json_t *list;
    CHECK_INT(limes_traveller_crossings(store, in.traveller_id, &list, &err), LIMES_OK);
    CHECK_INT(json_array_size(list), 2);
    CHECK_STR(json_string_value(json_object_get(json_array_get(list, 0), "direction")), "exit");
    CHECK_STR(json_string_value(json_object_get(json_array_get(list, 0), "date")), "2025-03-31");
    CHECK_STR(json_string_value(json_object_get(json_array_get(list, 0), "bcp")), "TN-TUN-AIR");
    json_decref(list);
}

static void test_anomalies_flagged(void)
{
    limes_crossing_out a = record(crossing("FR2000001", "XXA", "exit", "2025-02-01"), LIMES_OK);
    CHECK_STR(a.anomaly, "exit-without-entry");
    CHECK_INT(a.stay_id, 0);
    limes_crossing_out b = record(crossing("FR2000001", "XXA", "entry", "2025-02-10"), LIMES_OK);
    CHECK_STR(b.anomaly, "");
    limes_crossing_out c = record(crossing("FR2000001", "XXA", "entry", "2025-02-20"), LIMES_OK);
    CHECK_STR(c.anomaly, "entry-without-exit");
    CHECK(c.stay_id != b.stay_id);
    /* exit dated before the open stay's entry: refused */
    record(crossing("FR2000001", "XXA", "exit", "2025-02-15"), LIMES_INVALID);
    limes_crossing_out d = record(crossing("FR2000001", "XXA", "exit", "2025-02-25"), LIMES_OK);
    CHECK_STR(d.anomaly, "");
    limes_crossing_out e = record(crossing("FR2000001", "XXA", "entry", "2025-01-05"), LIMES_OK);
    CHECK_STR(e.anomaly, "out-of-order");

    json_t *st;
    limes_error err = {0};
    CHECK_INT(limes_traveller_stay(store, b.traveller_id, day("2025-02-25"), &st, &err), LIMES_OK);
    /* 10 Feb (1 day, exit not recorded) and 20-25 Feb lie inside the late-recorded stay
     * open since 5 Jan, which counts up to 25 Feb: each day once, 52 days */
    CHECK_INT(json_integer_value(json_object_get(st, "days_used")), 52);
    json_t *stays = json_object_get(st, "stays");
    CHECK_INT(json_array_size(stays), 3);
    CHECK_STR(json_string_value(json_object_get(json_array_get(stays, 1), "anomaly")),
              "exit-not-recorded");
    json_decref(st);
}

static void test_bad_input_refused(void)
{
    limes_error err = {0};
    limes_crossing_out out;
    limes_crossing_in in = crossing("DE3000001", "D", "entry", "2025-01-01");
    in.at_ms = ms("2099-01-01");
    CHECK_INT(limes_crossing_record(store, &in, &out, &err), LIMES_INVALID);
    CHECK_STR(err.field, "at");
    in = crossing("DE3000001", "D", "entry", "2025-01-01");
    in.bcp_code = "NOWHERE";
    CHECK_INT(limes_crossing_record(store, &in, &out, &err), LIMES_INVALID);
    CHECK_STR(err.field, "bcp");
    in = crossing("DE3000001", "D", "sideways", "2025-01-01");
    CHECK_INT(limes_crossing_record(store, &in, &out, &err), LIMES_INVALID);
    CHECK_STR(err.field, "direction");
    in = crossing("", "D", "entry", "2025-01-01");
    CHECK_INT(limes_crossing_record(store, &in, &out, &err), LIMES_INVALID);
    CHECK_STR(err.field, "document");
    in = crossing("DE3000001", "D", "entry", "2025-01-01");
    in.person.birth_date = "1990-02-30";
    CHECK_INT(limes_crossing_record(store, &in, &out, &err), LIMES_INVALID);
    CHECK_STR(err.field, "person/birth_date");
    in = crossing("DE3000001", "D", "entry", "2025-01-01");
    in.traveller_id = 999999;
    CHECK_INT(limes_crossing_record(store, &in, &out, &err), LIMES_INVALID);
    CHECK_STR(err.field, "traveller_id");
    /* nothing of the refused ones was stored */
    json_t *found;
    CHECK_INT(limes_traveller_search(store, "DE3000001", NULL, 10, &found, &err), LIMES_OK);
    CHECK_INT(json_array_size(found), 0);
    json_decref(found);
}

static void test_traveller_documents_and_search(void)
{
    limes_crossing_out a = record(crossing("MA4000001", "MAR", "entry", "2024-06-01"), LIMES_OK);
    limes_error err = {0};
    /* a renewed passport, attached to the same traveller */
    limes_crossing_in in = crossing("MA4000002", "MAR", "exit", "2024-06-10");
    in.traveller_id = a.traveller_id;
    limes_crossing_out b = record(in, LIMES_OK);
    CHECK_INT(b.traveller_id, a.traveller_id);
    CHECK_INT(b.stay_id, a.stay_id);
    /* a document of one traveller cannot be given to another */
    limes_crossing_out other = record(crossing("MA4000003", "MAR", "entry", "2024-07-01"), LIMES_OK);
    in = crossing("MA4000001", "MAR", "entry", "2024-07-02");
    in.traveller_id = other.traveller_id;
    CHECK_INT(limes_crossing_record(store, &in, &b, &err), LIMES_CONFLICT);
    limes_document_ref doc = {.doc_type = "ID", .issuer = "MAR", .number = "MAID77"};
    CHECK_INT(limes_traveller_add_document(store, a.traveller_id, &doc, &err), LIMES_OK);
    CHECK_INT(limes_traveller_add_document(store, a.traveller_id, &doc, &err), LIMES_EXISTS);
    CHECK_INT(limes_traveller_add_document(store, 999999, &doc, &err), LIMES_NOT_FOUND);

    json_t *t;
    CHECK_INT(limes_traveller_get(store, a.traveller_id, &t, &err), LIMES_OK);
    CHECK_INT(json_array_size(json_object_get(t, "documents")), 3);
    json_decref(t);
    CHECK_INT(limes_traveller_get(store, 999999, &t, &err), LIMES_NOT_FOUND);

    json_t *found;
    CHECK_INT(limes_traveller_search(store, "MA4000002", NULL, 10, &found, &err), LIMES_OK);
    CHECK_INT(json_array_size(found), 1);
    json_decref(found);
    /* accents and case do not matter */
    CHECK_INT(limes_traveller_search(store, NULL, "salah leila", 500, &found, &err), LIMES_OK);
    CHECK(json_array_size(found) >= 3);
    json_decref(found);
    CHECK_INT(limes_traveller_search(store, NULL, "BEN SALAH LEÏLA", 500, &found, &err),
              LIMES_OK);
    CHECK(json_array_size(found) >= 3);
    json_decref(found);
    /* spellings and scripts meet through the screening normaliser */
    limes_crossing_in m = crossing("EG4000009", "EGY", "entry", "2024-06-03");
    m.person.surname = "SALAH";
    m.person.given_names = "MUHAMMAD";
    limes_crossing_out mo = record(m, LIMES_OK);
    const char *spellings[] = {"Mohamed Salah", "MOHAMMED SALAH", "Salah Mohamed", "محمد صلاح"};
    for (size_t k = 0; k < sizeof spellings / sizeof *spellings; k++) {
        CHECK_INT(limes_traveller_search(store, NULL, spellings[k], 10, &found, &err), LIMES_OK);
        bool seen = false;
        size_t i;
        json_t *hit;
        json_array_foreach(found, i, hit) seen |=
            json_integer_value(json_object_get(hit, "id")) == mo.traveller_id;
        if (!seen)
            fprintf(stderr, "  '%s' did not find MUHAMMAD SALAH\n", spellings[k]);
        CHECK(seen);
        json_decref(found);
    }
    CHECK_INT(limes_traveller_search(store, NULL, "Petrovic", 10, &found, &err), LIMES_OK);
    CHECK_INT(json_array_size(found), 0);
    json_decref(found);
    CHECK_INT(limes_traveller_search(store, NULL, "%", 10, &found, &err), LIMES_INVALID);
    CHECK_INT(limes_traveller_search(store, NULL, NULL, 10, &found, &err), LIMES_INVALID);
}

static void test_overstayers(void)
{
    /* a visa-required national entering 1 Jan 2025 and never leaving */
    limes_crossing_out a = record(crossing("XX5000001", "XXB", "entry", "2025-01-01"), LIMES_OK);
    json_t *list;
    limes_error err = {0};
    CHECK_INT(limes_overstayers(store, day("2025-03-31"), 100, &list, &err), LIMES_OK);
    size_t i;
    json_t *row;
    bool seen = false;
    json_array_foreach(list, i, row) seen |=
        json_integer_value(json_object_get(row, "traveller_id")) == a.traveller_id;
    CHECK(!seen); /* 31 March is the last lawful day */
    json_decref(list);
    CHECK_INT(limes_overstayers(store, day("2025-04-05"), 100, &list, &err), LIMES_OK);
    seen = false;
    json_array_foreach(list, i, row)
    {
        if (json_integer_value(json_object_get(row, "traveller_id")) == a.traveller_id) {
            seen = true;
            CHECK_STR(json_string_value(json_object_get(row, "latest_exit")), "2025-03-31");
            CHECK_INT(json_integer_value(json_object_get(row, "overstay_days")), 5);
        }
    }
    CHECK(seen);
    json_decref(list);
    json_t *st;
    CHECK_INT(limes_traveller_stay(store, a.traveller_id, day("2025-04-05"), &st, &err), LIMES_OK);
    CHECK_INT(json_integer_value(json_object_get(st, "overstay_days")), 5);
    CHECK(json_is_true(json_object_get(st, "present")));
    json_decref(st);
    /* free movement: no limit, never an overstayer */
    limes_crossing_out eu = record(crossing("D6000001", "D", "entry", "2024-01-01"), LIMES_OK);
    CHECK_INT(limes_traveller_stay(store, eu.traveller_id, day("2025-04-05"), &st, &err), LIMES_OK);
    CHECK(json_is_true(json_object_get(st, "unlimited")));
    json_decref(st);
    CHECK_INT(limes_overstayers(store, day("2025-04-05"), 0, &list, &err), LIMES_INVALID);
}

static void test_refusals(void)
{
    limes_refusal_in in = {.person = {.surname = "DOE", .nationality = "XXC"},
                           .doc = {.issuer = "XXC", .number = "R7000001"},
                           .bcp_code = "TN-RASJEDIR",
                           .codes = "B,H",
                           .officer = "amira",
                           .authority = "Border Police",
                           .at_ms = ms("2025-03-01")};
    int64_t id, tid;
    limes_error err = {0};
    CHECK_INT(limes_refusal_record(store, &in, &id, &tid, &err), LIMES_OK);
    CHECK(id > 0 && tid > 0);
    in.codes = "CF";
    CHECK_INT(limes_refusal_record(store, &in, &id, &tid, &err), LIMES_OK);
    in.codes = "J";
    CHECK_INT(limes_refusal_record(store, &in, &id, &tid, &err), LIMES_INVALID);
    CHECK_STR(err.field, "codes");
    in.codes = "";
    CHECK_INT(limes_refusal_record(store, &in, &id, &tid, &err), LIMES_INVALID);
    in.codes = "A";
    in.bcp_code = "NOWHERE";
    CHECK_INT(limes_refusal_record(store, &in, &id, &tid, &err), LIMES_INVALID);
    CHECK_STR(err.field, "bcp");
    CHECK(limes_refusal_code_known("I"));
    CHECK(!limes_refusal_code_known("J"));
    json_t *codes = limes_refusal_codes();
    CHECK_INT(json_array_size(json_object_get(codes, "codes")), 9);
    CHECK_STR(json_string_value(json_object_get(codes, "table")), "sbc-annex-v-b-2016");
    json_decref(codes);
}

static void test_detections(void)
{
    limes_detection_in d = {.kind = "fraudulent_document", .fraud_type = "forged",
                            .bcp_code = "ES-ALGECIRAS", .officer = "amira", .nationality = "XXA"};
    int64_t id;
    limes_error err = {0};
    CHECK_INT(limes_detection_record(store, &d, &id, &err), LIMES_OK);
    d.fraud_type = "";
    CHECK_INT(limes_detection_record(store, &d, &id, &err), LIMES_INVALID);
    CHECK_STR(err.field, "fraud_type");
    d.kind = "clandestine";
    CHECK_INT(limes_detection_record(store, &d, &id, &err), LIMES_OK);
    d.kind = "trafficking_victim";
    d.traveller_id = 999999;
    CHECK_INT(limes_detection_record(store, &d, &id, &err), LIMES_INVALID);
    CHECK_STR(err.field, "traveller_id");
    d.kind = "smuggled_cigarettes";
    d.traveller_id = 0;
    CHECK_INT(limes_detection_record(store, &d, &id, &err), LIMES_INVALID);
    CHECK_STR(err.field, "kind");
}

static void test_batch_all_or_nothing(void)
{
    limes_crossing_in in[50];
    limes_crossing_out out[50];
    char numbers[50][16];
    for (int i = 0; i < 50; i++) {
        snprintf(numbers[i], sizeof numbers[i], "BT%06d", i);
        in[i] = crossing(numbers[i], "GBR", "entry", "2025-05-01");
    }
    limes_error err = {0};
    CHECK_INT(limes_crossings_record_batch(store, in, 50, out, &err), LIMES_OK);
    CHECK(out[49].id > out[0].id);
    int64_t first = out[0].traveller_id;
    /* one bad record: none of the batch is stored */
    for (int i = 0; i < 50; i++)
        in[i].direction = "exit";
    in[30].bcp_code = "NOWHERE";
    CHECK_INT(limes_crossings_record_batch(store, in, 50, out, &err), LIMES_INVALID);
    json_t *list;
    CHECK_INT(limes_traveller_crossings(store, first, &list, &err), LIMES_OK);
    CHECK_INT(json_array_size(list), 1);
    json_decref(list);
}


static json_t *run_check(limes_check_in *in, limes_rc expect)
{
    json_t *out = NULL;
    limes_error err = {0};
    if (!in->bcp_code)
        in->bcp_code = "TN-TUN-AIR";
    if (!in->direction)
        in->direction = "entry";
    in->officer = "amira";
    char *text = NULL;
    CHECK_INT(limes_check_run_text(store, in, &out, &text, &err), expect);
    if (err.rc != expect)
        fprintf(stderr, "  error: %s (%s)\n", limes_error_text(&err), err.field);
    if (out) { /* the answer's text, made from the stored text, is the answer */
        char *dumped = json_dumps(out, JSON_COMPACT);
        CHECK(text != NULL);
        CHECK_STR(text ? text : "", dumped);
        free(dumped);
    }
    free(text);
    return out;
}

static bool has_reason(json_t *check, const char *code)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(check, "reasons"), i, r)
    {
        if (strcmp(json_string_value(json_object_get(r, "code")), code) == 0)
            return true;
    }
    return false;
}

static const char *aid(json_t *check) { return json_string_value(json_object_get(check, "aid")); }

static int64_t check_id(json_t *check) { return json_integer_value(json_object_get(check, "id")); }

static int64_t count_rows(const char *sql) { return store_count(store, sql); }

static limes_check_in fields(const char *number, const char *nat, const char *birth,
                             const char *when)
{
    return (limes_check_in){
        .person = {.surname = "NOVAK", .given_names = "JANA", .birth_date = birth, .sex = "F",
                   .nationality = nat},
        .doc = {.doc_type = "P", .issuer = nat, .number = number, .expiry_date = "2031-01-01"},
        .at_ms = ms(when)};
}

static void load_lists(void)
{
    limes_error err = {0};
    limes_import_report rep;
    const char persons[] = "ref,full_name,dob,nationality,action\n"
                           "W1,Ivan Petrovic Horvat,1970-05-05,XXA,\n"
                           "W2,Lina Mirela Dragan,2014-09-12,XXA,protect\n";
    const char docs[] = "ref,number,issuer,status\nD1,STOLEN123,XXA,stolen\n";
    memset(&rep, 0, sizeof rep);
    CHECK_INT(limes_lists_import_buffer(store, "national", "csv", persons, strlen(persons),
                                        "test", NULL, &rep, &err), LIMES_OK);
    memset(&rep, 0, sizeof rep);
    CHECK_INT(limes_lists_import_buffer(store, "national-docs", "csv-documents", docs,
                                        strlen(docs), "test", NULL, &rep, &err), LIMES_OK);
}

/* What limes_check_start's done was told, and on which thread. */
struct started {
    pthread_mutex_t lock;
    pthread_cond_t told;
    bool done;
    limes_rc rc;
    json_t *out;
    char *text;
    pthread_t thread;
};

static void started_done(void *arg, limes_rc rc, const limes_error *err, json_t *out,
                         char *text)
{
    struct started *st = arg;
    pthread_mutex_lock(&st->lock);
    st->rc = rc;
    st->out = out;
    st->text = text;
    st->thread = pthread_self();
    st->done = true;
    CHECK(rc == LIMES_OK || (err && err->message[0]));
    pthread_cond_signal(&st->told);
    pthread_mutex_unlock(&st->lock);
}

/* The check answered later (what the server runs): a check that fails
 * before its write is told at once, on the caller's thread; one that is
 * written is told on the store's writer thread, its row stored, its text
 * the answer. */
static void test_check_started_answers_later(void)
{
    limes_check_in bad = fields("GBLATER01", "GBR", "1985-03-01", "2025-06-01");
    bad.bcp_code = "NOWHERE";
    bad.direction = "entry";
    struct started st = {.lock = PTHREAD_MUTEX_INITIALIZER, .told = PTHREAD_COND_INITIALIZER};
    limes_check_start(store, &bad, started_done, &st);
    CHECK(st.done); /* before limes_check_start returned */
    CHECK(st.rc != LIMES_OK);
    CHECK(st.out == NULL && st.text == NULL);
    CHECK(pthread_equal(st.thread, pthread_self()));

    limes_check_in in = fields("GBLATER02", "GBR", "1985-03-01", "2025-06-01");
    in.bcp_code = "TN-TUN-AIR";
    in.direction = "entry";
    in.officer = "amira";
    struct started ok = {.lock = PTHREAD_MUTEX_INITIALIZER, .told = PTHREAD_COND_INITIALIZER};
    limes_check_start(store, &in, started_done, &ok);
    pthread_mutex_lock(&ok.lock);
    while (!ok.done)
        pthread_cond_wait(&ok.told, &ok.lock);
    pthread_mutex_unlock(&ok.lock);
    CHECK_INT(ok.rc, LIMES_OK);
    CHECK(!pthread_equal(ok.thread, pthread_self()));
    if (!ok.out)
        return;
    char *dumped = json_dumps(ok.out, JSON_COMPACT);
    CHECK_STR(ok.text ? ok.text : "", dumped);
    free(dumped);
    json_t *stored;
    limes_error err = {0};
    CHECK_INT(limes_check_get(store, check_id(ok.out), &stored, &err), LIMES_OK);
    if (stored) {
        CHECK_STR(json_string_value(json_object_get(stored, "aid")), aid(ok.out));
        json_decref(stored);
    }
    json_decref(ok.out);
    free(ok.text);
}

static void test_check_clear_then_admit_once(void)
{
    limes_check_in in = fields("GBCHK0001", "GBR", "1985-03-01", "2025-06-01");
    json_t *c = run_check(&in, LIMES_OK);
    if (!c)
        return;
    CHECK_STR(aid(c), "clear");
    CHECK_INT(json_array_size(json_object_get(c, "reasons")), 0);
    CHECK(json_is_null(json_object_get(c, "traveller_id")));
    CHECK_INT(json_integer_value(json_object_get(json_object_get(c, "stay"), "days_left")), 90);
    CHECK(json_is_false(json_object_get(json_object_get(c, "minor"), "minor")));
    limes_decision_in d = {.check_id = check_id(c), .decision = "admit", .officer = "amira"};
    json_t *out;
    limes_error err = {0};
    CHECK_INT(limes_check_decide(store, &d, &out, &err), LIMES_OK);
    CHECK(json_integer_value(json_object_get(out, "crossing_id")) > 0);
    int64_t tid = json_integer_value(json_object_get(out, "traveller_id"));
    json_decref(out);
    CHECK_INT(limes_check_decide(store, &d, &out, &err), LIMES_CONFLICT);
    d.decision = "refer";
    d.reason = "second thoughts";
    CHECK_INT(limes_check_decide(store, &d, &out, &err), LIMES_CONFLICT);
    /* the crossing names the check and the officer */
    json_t *list;
    CHECK_INT(limes_traveller_crossings(store, tid, &list, &err), LIMES_OK);
    CHECK_INT(json_integer_value(json_object_get(json_array_get(list, 0), "check_id")),
              check_id(c));
    CHECK_STR(json_string_value(json_object_get(json_array_get(list, 0), "officer")), "amira");
    json_decref(list);
    /* the next check knows the traveller */
    limes_check_in again = fields("GBCHK0001", "GBR", "1985-03-01", "2025-06-10");
    again.direction = "exit";
    json_t *c2 = run_check(&again, LIMES_OK);
    CHECK_INT(json_integer_value(json_object_get(c2, "traveller_id")), tid);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(c2, "stay"), "days_used")), 10);
    json_decref(c2);
    json_t *got;
    CHECK_INT(limes_check_get(store, check_id(c), &got, &err), LIMES_OK);
    CHECK_STR(json_string_value(json_object_get(got, "decision")), "admit");
    json_decref(got);
    CHECK_INT(limes_check_get(store, 999999, &got, &err), LIMES_NOT_FOUND);
    json_decref(c);
}

/* The audit entry of whoever runs the check, written in the check's own
 * transaction (limes_check_in.audit): one entry, with the check and the
 * traveller among its records, the decision aid as its detail; none when
 * the check fails; the chain holds across both ways of appending. */
static json_t *audit_of(const char *actor)
{
    limes_audit_filter f = {.actor = actor};
    json_t *rows = NULL;
    limes_error err = {0};
    CHECK_INT(limes_audit_query(store, &f, &rows, &err), LIMES_OK);
    return rows;
}

static bool has_record(json_t *entry, const char *record)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(entry, "records"), i, r)
    {
        if (strcmp(json_string_value(r), record) == 0)
            return true;
    }
    return false;
}

static void test_check_audited_in_its_transaction(void)
{
    const char *held[] = {"session:booth7"};
    limes_audit_entry e = {.actor = "booth7", .role = "officer", .action = "POST /v1/checks",
                           .records = held, .nrecords = 1, .outcome = "201"};
    limes_check_in in = fields("GBAUD0001", "GBR", "1980-02-02", "2025-07-01");
    in.audit = &e;
    json_t *c = run_check(&in, LIMES_OK);
    if (!c)
        return;
    json_t *rows = audit_of("booth7");
    CHECK_INT(json_array_size(rows), 1);
    json_t *got = json_array_get(rows, 0);
    char rec[64];
    snprintf(rec, sizeof rec, "check:%lld", (long long)check_id(c));
    CHECK(has_record(got, rec));
    CHECK(has_record(got, "session:booth7"));
    CHECK_INT(json_array_size(json_object_get(got, "records")), 2); /* no traveller yet */
    CHECK_STR(json_string_value(json_object_get(got, "outcome")), "201");
    CHECK_STR(json_string_value(json_object_get(got, "detail")), "clear");
    json_decref(rows);
    /* once admitted the traveller is known: the next check's entry names them */
    limes_decision_in d = {.check_id = check_id(c), .decision = "admit", .officer = "amira"};
    json_t *out;
    limes_error err = {0};
    CHECK_INT(limes_check_decide(store, &d, &out, &err), LIMES_OK);
    snprintf(rec, sizeof rec, "traveller:%lld",
             (long long)json_integer_value(json_object_get(out, "traveller_id")));
    json_decref(out);
    json_decref(c);
    limes_audit_entry by_group = {.actor = "booth7", .action = "GET /v1/checks/{id}",
                                  .outcome = "200"};
    CHECK_INT(limes_audit_append(store, &by_group, &err), LIMES_OK); /* the other way, between */
    limes_check_in again = fields("GBAUD0001", "GBR", "1980-02-02", "2025-07-09");
    again.direction = "exit";
    again.audit = &e;
    c = run_check(&again, LIMES_OK);
    int64_t last_id = check_id(c);
    rows = audit_of("booth7");
    CHECK_INT(json_array_size(rows), 3);
    CHECK(has_record(json_array_get(rows, 0), rec));
    json_decref(rows);
    json_decref(c);
    /* a check that fails writes no entry: its caller audits the failure */
    limes_audit_entry failed = e;
    failed.actor = "booth8";
    limes_check_in bad = fields("GBAUD0002", "GBR", "1980-02-02", "2025-07-01");
    bad.bcp_code = "NOWHERE";
    bad.audit = &failed;
    CHECK(run_check(&bad, LIMES_INVALID) == NULL);
    rows = audit_of("booth8");
    CHECK_INT(json_array_size(rows), 0);
    json_decref(rows);
    /* and an entry that cannot be written takes the check down with it:
     * both commit, or neither */
    failed.outcome = NULL;
    bad.bcp_code = "TN-TUN-AIR";
    CHECK(run_check(&bad, LIMES_INVALID) == NULL);
    rows = audit_of("booth8");
    CHECK_INT(json_array_size(rows), 0);
    json_decref(rows);
    json_t *none = NULL; /* the id its row took was rolled back with it */
    CHECK_INT(limes_check_get(store, last_id + 1, &none, &err), LIMES_NOT_FOUND);
    json_decref(none);
    limes_audit_report rep;
    CHECK_INT(limes_audit_verify(store, &rep, &err), LIMES_OK);
}

static void test_check_mrz_expired_is_stop(void)
{
    limes_check_in in = {.mrz = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
                                "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
                         .at_ms = ms("2025-06-01")};
    json_t *c = run_check(&in, LIMES_OK);
    if (!c)
        return;
    CHECK_STR(aid(c), "stop");
    CHECK(has_reason(c, "document-expired"));
    json_t *doc = json_object_get(c, "document");
    CHECK_STR(json_string_value(json_object_get(doc, "document_number")), "L898902C3");
    CHECK(json_is_true(json_object_get(doc, "expired")));
    json_decref(c);
    /* a damaged zone: check digits fail */
    limes_check_in bad = {.mrz = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
                                 "L898902C46UTO7408122F1204159ZE184226B<<<<<10",
                          .at_ms = ms("2025-06-01")};
    c = run_check(&bad, LIMES_OK);
    CHECK(has_reason(c, "document-invalid"));
    json_decref(c);
}

static void test_check_watchlist_hits_are_stop(void)
{
    load_lists();
    limes_check_in in = fields("XXPERS01", "XXA", "1970-05-05", "2025-06-01");
    in.person.surname = "HORVAT";
    in.person.given_names = "IVAN PETROVIC";
    in.person.sex = "M";
    json_t *c = run_check(&in, LIMES_OK);
    CHECK_STR(aid(c), "stop");
    CHECK(has_reason(c, "person-hit"));
    CHECK(!has_reason(c, "protect-hit"));
    CHECK(has_reason(c, "visa-required"));
    json_decref(c);
    /* a missing child: stop, with the protection reason of its own */
    limes_check_in child = fields("XXCHILD1", "XXA", "2014-09-12", "2025-06-01");
    child.person.surname = "DRAGAN";
    child.person.given_names = "LINA MIRELA";
    c = run_check(&child, LIMES_OK);
    CHECK_STR(aid(c), "stop");
    CHECK(has_reason(c, "protect-hit"));
    CHECK(has_reason(c, "minor-unaccompanied"));
    CHECK(json_array_size(json_object_get(json_object_get(c, "screening"), "hits")) >= 1);
    json_decref(c);
    limes_check_in doc = fields("STOLEN123", "XXA", "1988-01-01", "2025-06-01");
    c = run_check(&doc, LIMES_OK);
    CHECK_STR(aid(c), "stop");
    CHECK(has_reason(c, "document-hit"));
    json_decref(c);
    /* a look-alike of a listed number (O read as 0): a closer look, not a stop */
    limes_check_in near = fields("ST0LEN123", "XXA", "1988-01-01", "2025-06-01");
    c = run_check(&near, LIMES_OK);
    CHECK_STR(aid(c), "attention");
    CHECK(has_reason(c, "document-near-hit"));
    CHECK(!has_reason(c, "document-hit"));
    json_decref(c);
}

static void test_check_minors(void)
{
    limes_check_in adult = fields("ATCHK0001", "GBR", "1980-01-01", "2025-06-01");
    json_t *a = run_check(&adult, LIMES_OK);
    limes_check_in child = fields("ATCHK0002", "GBR", "2015-02-01", "2025-06-01");
    json_t *c = run_check(&child, LIMES_OK);
    CHECK_STR(aid(c), "attention");
    CHECK(has_reason(c, "minor-unaccompanied"));
    CHECK_INT(json_integer_value(json_object_get(json_object_get(c, "minor"), "age")), 10);
    json_decref(c);
    int64_t companions[] = {check_id(a)};
    child.companions = companions;
    child.ncompanions = 1;
    c = run_check(&child, LIMES_OK);
    CHECK(has_reason(c, "minor"));
    CHECK(!has_reason(c, "minor-unaccompanied"));
    CHECK(json_is_true(json_object_get(json_object_get(c, "minor"), "accompanied_by_adult")));
    json_decref(c);
    /* unknown age counts as a minor */
    limes_check_in unknown = fields("ATCHK0003", "GBR", "", "2025-06-01");
    c = run_check(&unknown, LIMES_OK);
    CHECK(has_reason(c, "minor-age-unknown"));
    CHECK(json_is_true(json_object_get(json_object_get(c, "minor"), "minor")));
    json_decref(c);
    int64_t nobody[] = {999999};
    child.companions = nobody;
    run_check(&child, LIMES_INVALID);
    json_decref(a);
}

static void test_check_stay_exhausted_refuse_and_refer(void)
{
    record(crossing("XXSTAY01", "XXD", "entry", "2025-01-01"), LIMES_OK);
    record(crossing("XXSTAY01", "XXD", "exit", "2025-03-31"), LIMES_OK);
    limes_check_in in = fields("XXSTAY01", "XXD", "1980-01-01", "2025-05-01");
    json_t *c = run_check(&in, LIMES_OK);
    CHECK_STR(aid(c), "stop");
    CHECK(has_reason(c, "stay-exhausted"));
    limes_decision_in d = {.check_id = check_id(c), .decision = "refuse", .officer = "chief"};
    json_t *out;
    limes_error err = {0};
    CHECK_INT(limes_check_decide(store, &d, &out, &err), LIMES_INVALID);
    CHECK_STR(err.field, "codes");
    d.codes = "Z";
    CHECK_INT(limes_check_decide(store, &d, &out, &err), LIMES_INVALID);
    d.codes = "F";
    CHECK_INT(limes_check_decide(store, &d, &out, &err), LIMES_OK);
    CHECK(json_integer_value(json_object_get(out, "refusal_id")) > 0);
    json_decref(out);
    json_decref(c);
    /* an exit cannot be refused; a referral needs a reason */
    in.direction = "exit";
    c = run_check(&in, LIMES_OK);
    d = (limes_decision_in){.check_id = check_id(c), .decision = "refuse", .codes = "A"};
    CHECK_INT(limes_check_decide(store, &d, &out, &err), LIMES_INVALID);
    d.decision = "refer";
    d.codes = NULL;
    CHECK_INT(limes_check_decide(store, &d, &out, &err), LIMES_INVALID);
    CHECK_STR(err.field, "reason");
    d.reason = "document looks altered";
    CHECK_INT(limes_check_decide(store, &d, &out, &err), LIMES_OK);
    json_decref(out);
    d.check_id = 999999;
    CHECK_INT(limes_check_decide(store, &d, &out, &err), LIMES_NOT_FOUND);
    json_decref(c);
    /* bad input */
    limes_check_in bad = fields("XXSTAY01", "XXD", "1980-01-01", "2025-05-01");
    bad.bcp_code = "NOWHERE";
    run_check(&bad, LIMES_INVALID);
    bad = fields("", "XXD", "1980-01-01", "2025-05-01");
    run_check(&bad, LIMES_INVALID);
    bad = fields("XX1", "XXD", "1980-01-01", "2025-05-01");
    bad.direction = "up";
    run_check(&bad, LIMES_INVALID);
    /* which error comes first: an unknown crossing point, before a bad
     * document or an unknown companion; and nothing is stored */
    static const int64_t nobody[] = {999999};
    struct {
        const char *number, *bcp;
        bool companion;
        const char *field;
    } order[] = {{"", "NOWHERE", false, "bcp"},       {"", NULL, false, "document/number"},
                 {"XXORD01", "NOWHERE", true, "bcp"}, {"XXORD01", NULL, true, "companions"}};
    int64_t checks_before = count_rows("SELECT COUNT(*) FROM checks");
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        limes_check_in o = fields(order[i].number, "XXD", "1980-01-01", "2025-05-01");
        o.bcp_code = order[i].bcp ? order[i].bcp : "TN-TUN-AIR";
        o.direction = "entry";
        o.officer = "amira";
        o.companions = order[i].companion ? nobody : NULL;
        o.ncompanions = order[i].companion ? 1 : 0;
        json_t *none = NULL;
        limes_error e = {0};
        CHECK_INT(limes_check_run(store, &o, &none, &e), LIMES_INVALID);
        CHECK_STR(e.field, order[i].field);
        CHECK(none == NULL);
    }
    CHECK_INT(count_rows("SELECT COUNT(*) FROM checks"), checks_before);
}


/* ---- the bulk path gives the same records as the row-by-row path ---------- */

static uint32_t lcg_state = 12345;
static uint32_t rnd(uint32_t n)
{
    lcg_state = lcg_state * 1103515245u + 12345u;
    return (lcg_state >> 8) % n;
}

#define STREAM 1200
#define POOL 40

/* A stream with every anomaly: missing exits and entries, late records, uncounted stays. */
static void make_stream(limes_crossing_in *in, char (*numbers)[16])
{
    static const char *const nats[] = {"GBR", "XXA", "D", "MAR", "XXB"};
    int32_t last[POOL] = {0};
    bool inside[POOL] = {0};
    int32_t start = day("2024-01-01");
    for (int i = 0; i < STREAM; i++) {
        int t = (int)rnd(POOL);
        if (!last[t])
            last[t] = start + (int32_t)rnd(60);
        bool entry = rnd(10) < 8 ? !inside[t] : inside[t]; /* 20%: the wrong way round */
        int32_t d = last[t] + (int32_t)rnd(40);
        if (entry && rnd(20) == 0)
            d = last[t] - 1 - (int32_t)rnd(30); /* recorded late: out of order */
        else
            last[t] = d;
        inside[t] = entry;
        snprintf(numbers[i], 16, "BULK%04d", t);
        in[i] = (limes_crossing_in){
            .person = {.surname = "BULK", .given_names = "T", .nationality = nats[t % 5]},
            .doc = {.doc_type = "P", .issuer = nats[t % 5], .number = numbers[i]},
            .bcp_code = i % 2 ? "TN-TUN-AIR" : "ES-ALGECIRAS",
            .direction = entry ? "entry" : "exit",
            .at_ms = (int64_t)d * 86400000 + i,
            .officer = i % 9 ? "bulk" : "tab\there, back\\slash\nnew line", /* COPY escapes */
            .not_counted = rnd(15) == 0,
        };
    }
}

/* What the public API shows of one traveller: stays, crossings, situation. */
static char *traveller_view(limes_store *s, const char *number)
{
    json_t *found;
    limes_error err = {0};
    if (limes_traveller_search(s, number, NULL, 5, &found, &err) || json_array_size(found) != 1) {
        json_decref(found);
        return strdup("missing");
    }
    int64_t id = json_integer_value(json_object_get(json_array_get(found, 0), "id"));
    json_decref(found);
    json_t *st, *cr;
    limes_traveller_stay(s, id, day("2025-06-01"), &st, &err);
    limes_traveller_crossings(s, id, &cr, &err);
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(st, "stays"), i, row) json_object_del(row, "id");
    json_object_del(st, "traveller_id");
    json_array_foreach(cr, i, row)
    {
        json_object_set_new(row, "has_stay", json_boolean(json_is_integer(json_object_get(row, "stay_id"))));
        json_object_del(row, "id");
        json_object_del(row, "stay_id");
    }
    json_t *all = json_pack("{s:o, s:o}", "stay", st, "crossings", cr);
    char *text = json_dumps(all, JSON_SORT_KEYS | JSON_COMPACT);
    json_decref(all);
    return text;
}

/* The stream in batches of 37, 1,050 (more than one 1,000-row chunk) and the rest. */
static void record_in_batches(limes_store *s, const limes_crossing_in *in, limes_crossing_out *out)
{
    limes_error err = {0};
    size_t cuts[] = {0, 37, 1087, STREAM};
    for (int b = 0; b < 3; b++) {
        CHECK(border_bulk_possible(in + cuts[b], cuts[b + 1] - cuts[b]));
        CHECK_INT(limes_crossings_record_batch(s, in + cuts[b], cuts[b + 1] - cuts[b],
                                               out + cuts[b], &err), LIMES_OK);
    }
}

/* Same anomalies, stays, crossings, situations and overstayers in both stores. */
static void check_same_records(limes_store *a, const limes_crossing_out *a_out, limes_store *b,
                               const limes_crossing_out *b_out)
{
    int anomalies = 0, differ = 0;
    for (int i = 0; i < STREAM; i++) {
        anomalies += a_out[i].anomaly[0] != 0;
        if (strcmp(a_out[i].anomaly, b_out[i].anomaly) != 0 ||
            (a_out[i].stay_id == 0) != (b_out[i].stay_id == 0) || a_out[i].id == 0)
            differ++;
    }
    CHECK(anomalies > 40);
    CHECK_INT(differ, 0);
    for (int t = 0; t < POOL; t++) {
        char number[16];
        snprintf(number, sizeof number, "BULK%04d", t);
        char *va = traveller_view(a, number), *vb = traveller_view(b, number);
        if (strcmp(va, vb) != 0)
            fprintf(stderr, "  %s differs:\n  bulk %s\n  rows %s\n", number, va, vb);
        CHECK_STR(va, vb);
        free(va);
        free(vb);
    }
    limes_error err = {0};
    json_t *o1, *o2;
    CHECK_INT(limes_overstayers(a, day("2025-06-01"), 1000, &o1, &err), LIMES_OK);
    CHECK_INT(limes_overstayers(b, day("2025-06-01"), 1000, &o2, &err), LIMES_OK);
    size_t i;
    json_t *row;
    int n1 = 0, n2 = 0;
    json_array_foreach(o1, i, row) n1 += strcmp(json_string_value(json_object_get(row, "surname")), "BULK") == 0;
    json_array_foreach(o2, i, row) n2 += strcmp(json_string_value(json_object_get(row, "surname")), "BULK") == 0;
    CHECK_INT(n1, n2);
    json_decref(o1);
    json_decref(o2);
}

#ifdef LIMES_HAVE_PG
/*
 * A fresh database owned by a role that may not set session_replication_role:
 * there the bulk path keeps PostgreSQL's per-row foreign-key checks (its
 * fallback); as superuser (the test cluster's default) it switches them off
 * and checks the keys itself.
 */
static int pg_plain_role_url(char *out, size_t n)
{
    char admin[600];
    int rc = pg_fresh_url("border_plain", admin, sizeof admin);
    if (rc)
        return rc;
    PGconn *c = PQconnectdb(getenv("LIMES_TEST_PG"));
    PGresult *r = PQexec(c, "DO $$BEGIN CREATE ROLE limes_plain LOGIN; "
                            "EXCEPTION WHEN duplicate_object THEN NULL; END$$; "
                            "ALTER DATABASE limes_border_plain OWNER TO limes_plain");
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    PQfinish(c);
    const char *user = strstr(admin, "user=");
    if (!ok || !user)
        return 1;
    size_t rest = strcspn(user, "&");
    int w = snprintf(out, n, "%.*suser=limes_plain%s", (int)(user - admin), admin, user + rest);
    return w < 0 || (size_t)w >= n;
}
#endif

static void test_bulk_matches_row_by_row(void)
{
    static limes_crossing_in in[STREAM];
    static limes_crossing_out bulk_out[STREAM], row_out[STREAM];
    static char numbers[STREAM][16];
    make_stream(in, numbers);
    char other_path[600];
    bool pg = strncmp(db_path, "postgres", 8) == 0;
    if (pg) {
        if (pg_fresh_url("border_rows", other_path, sizeof other_path) != 0) {
            CHECK(0);
            return;
        }
    } else {
        snprintf(other_path, sizeof other_path, "%s-rows", db_path);
        unlink(other_path);
    }
    limes_store *rows_store;
    limes_error err = {0};
    CHECK_INT(limes_store_open(other_path, &rows_store, &err), LIMES_OK);
    CHECK_INT(limes_bcp_add_demo(rows_store, &err), LIMES_OK);
    record_in_batches(store, in, bulk_out);
    for (int i = 0; i < STREAM; i++)
        CHECK_INT(limes_crossing_record(rows_store, &in[i], &row_out[i], &err), LIMES_OK);
    check_same_records(store, bulk_out, rows_store, row_out);
#ifdef LIMES_HAVE_PG
    static limes_crossing_out plain_out[STREAM];
    char plain_path[600];
    limes_store *plain;
    if (pg) {
        CHECK_INT(pg_plain_role_url(plain_path, sizeof plain_path), 0);
        CHECK_INT(limes_store_open(plain_path, &plain, &err), LIMES_OK);
        CHECK_INT(limes_bcp_add_demo(plain, &err), LIMES_OK);
        record_in_batches(plain, in, plain_out);
        check_same_records(plain, plain_out, rows_store, row_out);
        limes_store_close(plain);
    }
#endif
    limes_store_close(rows_store);
    if (!pg)
        unlink(other_path);
}


/* ---- durability of the bulk path: SIGKILL in the middle of a stream of batches -- */

#define KILL_BATCH 200

/* The child: batch after batch of new travellers entering; after each
 * commit, the first and last crossing id go down the pipe. */
static void kill_child(int fd)
{
    limes_store *s;
    limes_error err = {0};
    if (limes_store_open(db_path, &s, &err))
        _exit(1);
    static limes_crossing_in in[KILL_BATCH];
    static limes_crossing_out out[KILL_BATCH];
    static char numbers[KILL_BATCH][16];
    for (int b = 0;; b++) {
        for (int i = 0; i < KILL_BATCH; i++) {
            snprintf(numbers[i], sizeof numbers[i], "K%05d%04d", b, i);
            in[i] = (limes_crossing_in){
                .person = {.surname = "KILLED", .given_names = "T", .nationality = "GBR"},
                .doc = {.doc_type = "P", .issuer = "GBR", .number = numbers[i]},
                .bcp_code = "TN-TUN-AIR", .direction = "entry",
                .at_ms = ms("2025-01-01") + i, .officer = "kill"};
        }
        if (limes_crossings_record_batch(s, in, KILL_BATCH, out, &err))
            _exit(1);
        int64_t ack[2] = {out[0].id, out[KILL_BATCH - 1].id};
        if (write(fd, ack, sizeof ack) != (ssize_t)sizeof ack)
            _exit(1);
    }
}

static void test_bulk_survives_sigkill(void)
{
    int fds[2];
    CHECK_INT(pipe(fds), 0);
    pid_t child = fork();
    if (child == 0) {
        close(fds[0]);
        kill_child(fds[1]);
    }
    close(fds[1]);
    int64_t acked[64][2];
    int n = 0;
    while (n < 5 && read(fds[0], acked[n], sizeof acked[n]) == (ssize_t)sizeof acked[n])
        n++;
    usleep(20 * 1000); /* into the middle of a later batch */
    kill(child, SIGKILL);
    int status;
    waitpid(child, &status, 0);
    CHECK(WIFSIGNALED(status));
    while (n < 64 && read(fds[0], acked[n], sizeof acked[n]) == (ssize_t)sizeof acked[n])
        n++; /* acknowledged before the kill, still in the pipe */
    close(fds[0]);
    CHECK(n >= 5);
    store_tx *tx;
    limes_error err = {0};
    CHECK_INT(store_begin(store, false, &tx, &err), LIMES_OK);
    for (int b = 0; b < n; b++) {
        int64_t count = 0;
        store_val p[] = {sv_int(acked[b][0]), sv_int(acked[b][1])};
        CHECK_INT(store_query_int(tx, "SELECT COUNT(*) FROM crossings c JOIN stays s ON s.id = "
                                      "c.stay_id WHERE c.id BETWEEN $1 AND $2 AND c.officer = 'kill'",
                                  p, 2, &count, &err),
                  LIMES_OK);
        CHECK_INT(count, KILL_BATCH);
    }
    int64_t total = 0;
    CHECK_INT(store_query_int(tx, "SELECT COUNT(*) FROM crossings WHERE officer = 'kill'", NULL, 0,
                              &total, &err),
              LIMES_OK);
    store_rollback(tx);
    CHECK(total % KILL_BATCH == 0); /* whole batches only: the killed one left nothing */
    CHECK(total >= (int64_t)n * KILL_BATCH);
}

/* Both backends type results alike: counts and sums of integers are integers. */
static void test_store_types(void)
{
    store_tx *tx;
    limes_error err = {0};
    CHECK_INT(store_begin(store, false, &tx, &err), LIMES_OK);
    json_t *rows = NULL;
    CHECK_INT(store_query_json(tx, "SELECT COUNT(*) AS n, SUM(entry_day) AS s, "
                                   "CAST(1.5 AS REAL) AS r, CAST($1 AS TEXT) AS t FROM stays",
                               (store_val[]){sv_text("x")}, 1, &rows, &err),
              LIMES_OK);
    store_rollback(tx);
    json_t *row = json_array_get(rows, 0);
    CHECK(json_is_integer(json_object_get(row, "n")));
    CHECK(json_integer_value(json_object_get(row, "n")) > 0);
    CHECK(json_is_integer(json_object_get(row, "s")));
    CHECK(json_is_real(json_object_get(row, "r")));
    CHECK_STR(json_string_value(json_object_get(row, "t")), "x");
    json_decref(rows);
}


static int64_t count_of(json_t *list, const char *key, const char *value)
{
    size_t i;
    json_t *row;
    json_array_foreach(list, i, row)
    {
        if (strcmp(json_string_value(json_object_get(row, key)), value) == 0)
            return json_integer_value(json_object_get(row, "n"));
    }
    return 0;
}

static void test_stats_for_analysts(void)
{
    json_t *st;
    limes_error err = {0};
    CHECK_INT(limes_border_stats(store, day("2024-01-01"), day("2025-12-31"), &st, &err),
              LIMES_OK);
    CHECK(count_of(json_object_get(st, "refusals_by_reason"), "code", "B") >= 1);
    CHECK(count_of(json_object_get(st, "refusals_by_reason"), "code", "F") >= 2);
    CHECK(count_of(json_object_get(st, "refusals_by_bcp"), "bcp", "TN-RASJEDIR") >= 2);
    CHECK(count_of(json_object_get(st, "anomalies"), "anomaly", "exit-without-entry") >= 1);
    CHECK(json_array_size(json_object_get(st, "crossings")) >= 2);
    CHECK(json_integer_value(json_object_get(st, "overstays_open")) >= 1);
    /* nothing in the answer names a person */
    char *text = json_dumps(st, JSON_COMPACT);
    CHECK(strstr(text, "surname") == NULL && strstr(text, "BULK") == NULL);
    free(text);
    json_decref(st);
    CHECK_INT(limes_border_stats(store, day("2025-01-02"), day("2025-01-01"), &st, &err),
              LIMES_INVALID);
}

static void test_purge(void)
{
    limes_error err = {0};
    limes_purge_counts c;
    /* nothing is old enough on 1 June 2025 with the default retention */
    CHECK_INT(limes_border_purge(store, day("2025-06-01"), NULL, "test", &c, &err), LIMES_OK);
    CHECK_INT(c.stays + c.crossings + c.refusals + c.detections + c.travellers, 0);
    /* the overstay of 1 Jan 2025 (last lawful day 31 March 2025) is erased 1827 days
     * later, on 1 April 2030: a purge in February 2030 warns about it */
    limes_retention keep_closed = {5000, 1827};
    CHECK_INT(limes_border_purge(store, day("2030-02-01"), &keep_closed, "test", &c, &err),
              LIMES_OK);
    CHECK(c.overstays_due_soon >= 1);
    CHECK_INT(c.refusals, 0);
    /* in 2031 everything from 2024-2025 is past retention, overstays included */
    CHECK_INT(limes_border_purge(store, day("2031-01-01"), NULL, "test", &c, &err), LIMES_OK);
    CHECK(c.stays > 0);
    CHECK(c.crossings > 0);
    CHECK_INT(c.refusals, 3);
    CHECK(c.checks > 0);
    CHECK(c.travellers > 0);
    json_t *found;
    CHECK_INT(limes_traveller_search(store, "GB1000001", NULL, 10, &found, &err), LIMES_OK);
    CHECK_INT(json_array_size(found), 0);
    json_decref(found);
    /* the purge is audited */
    limes_audit_filter f = {.actor = "test"};
    json_t *rows;
    CHECK_INT(limes_audit_query(store, &f, &rows, &err), LIMES_OK);
    CHECK_INT(json_array_size(rows), 3);
    json_decref(rows);
    limes_audit_report rep;
    CHECK_INT(limes_audit_verify(store, &rep, &err), LIMES_OK);
    limes_retention bad = {0, 10};
    CHECK_INT(limes_border_purge(store, day("2031-01-01"), &bad, "test", &c, &err), LIMES_INVALID);
}

int main(int argc, char **argv)
{
    bool on_pg = argc > 1 && strcmp(argv[1], "--pg") == 0;
    int rc = test_store_open("border", on_pg, db_path, sizeof db_path, &store);
    if (rc)
        return rc;
    RUN(test_bcp);
    RUN(test_entry_exit_make_a_stay);
    RUN(test_anomalies_flagged);
    RUN(test_bad_input_refused);
    RUN(test_traveller_documents_and_search);
    RUN(test_overstayers);
    RUN(test_refusals);
    RUN(test_detections);
    RUN(test_batch_all_or_nothing);
    RUN(test_bulk_matches_row_by_row);
    RUN(test_bulk_survives_sigkill);
    RUN(test_store_types);
    RUN(test_check_clear_then_admit_once);
    RUN(test_check_started_answers_later);
    RUN(test_check_audited_in_its_transaction);
    RUN(test_check_mrz_expired_is_stop);
    RUN(test_check_watchlist_hits_are_stop);
    RUN(test_check_minors);
    RUN(test_check_stay_exhausted_refuse_and_refer);
    RUN(test_stats_for_analysts);
    RUN(test_purge);
    limes_screen_forget(store);
    test_store_close(store, on_pg, db_path);
    return test_summary();
}
