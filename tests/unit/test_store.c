/*
 * test_store.c - the store interface, migrations, users and sessions, and
 * the audit chain, including the "edit a row by hand" tamper test.
 * Runs on SQLite; with --pg, on a fresh PostgreSQL database from LIMES_TEST_PG.
 */
#include <stdlib.h>
#include <unistd.h>

#include <sqlite3.h>

#include "limes/limes.h"
#include "pg_fresh.h"
#include "store/store.h"
#include "test.h"

static char db_path[512];
static limes_store *store;
static int on_pg; /* run with --pg: on a fresh PostgreSQL database */

static void open_fresh(void)
{
    limes_error err = {0};
    if (on_pg) {
        if (pg_fresh_url("store", db_path, sizeof db_path) != 0)
            exit(1);
    } else {
        snprintf(db_path, sizeof db_path, "/tmp/limes-test-store-%d.db", (int)getpid());
        unlink(db_path);
    }
    CHECK_INT(limes_store_open(db_path, &store, &err), LIMES_OK);
}

static void test_migrations_idempotent(void)
{
    int n = limes_store_migration_count(store);
    CHECK(n >= 2);
    limes_store *again;
    limes_error err = {0};
    CHECK_INT(limes_store_open(db_path, &again, &err), LIMES_OK);
    CHECK_INT(limes_store_migration_count(again), n);
    limes_store_close(again);
}

static void test_rollback_leaves_nothing(void)
{
    store_tx *tx;
    limes_error err = {0};
    CHECK_INT(store_begin(store, true, &tx, &err), LIMES_OK);
    store_val p[] = {sv_text("ghost"), sv_text("x"), sv_int(1)};
    CHECK_INT(store_exec(tx, "INSERT INTO users (username, role, password_hash, created_ms,"
                             " updated_ms) VALUES ($1, 'officer', $2, $3, $3)", p, 3, &err),
              LIMES_OK);
    store_rollback(tx);
    CHECK_INT(store_begin(store, false, &tx, &err), LIMES_OK);
    int64_t n = -1;
    store_val q[] = {sv_text("ghost")};
    CHECK_INT(store_query_int(tx, "SELECT COUNT(*) FROM users WHERE username = $1", q, 1, &n, &err),
              LIMES_OK);
    CHECK_INT(n, 0);
    store_rollback(tx);
}

static void test_users_and_login(void)
{
    limes_error err = {0};
    int64_t id;
    CHECK_INT(limes_user_add(store, "amira", "Amira", LIMES_ROLE_OFFICER, "correct horse 1", &id, &err), LIMES_OK);
    CHECK_INT(limes_user_add(store, "amira", "Again", LIMES_ROLE_OFFICER, "correct horse 1", NULL, &err), LIMES_EXISTS);
    CHECK_STR(err.field, "username");
    CHECK_INT(limes_user_add(store, "Bad Name", "", LIMES_ROLE_OFFICER, "correct horse 1", NULL, &err), LIMES_INVALID);
    CHECK_INT(limes_user_add(store, "short", "", LIMES_ROLE_OFFICER, "short", NULL, &err), LIMES_INVALID);
    CHECK_STR(err.field, "password");
    limes_session s;
    CHECK_INT(limes_login(store, "amira", "wrong password!", "10.0.0.1", &s, &err), LIMES_UNAUTHENTICATED);
    CHECK_INT(limes_login(store, "nobody", "wrong password!", "10.0.0.1", &s, &err), LIMES_UNAUTHENTICATED);
    CHECK_INT(limes_login(store, "amira", "correct horse 1", "10.0.0.1", &s, &err), LIMES_OK);
    CHECK_INT(s.who.role, LIMES_ROLE_OFFICER);
    limes_principal who;
    CHECK_INT(limes_session_check(store, s.id, &who, &err), LIMES_OK);
    CHECK_STR(who.username, "amira");
    CHECK_STR(who.csrf_token, s.csrf_token);
    CHECK_INT(limes_session_check(store, "0000000000000000000000000000000000000000000000000000000000000000", &who, &err), LIMES_UNAUTHENTICATED);
    /* disabling ends sessions */
    CHECK_INT(limes_user_set_disabled(store, "amira", true, &err), LIMES_OK);
    CHECK_INT(limes_session_check(store, s.id, &who, &err), LIMES_UNAUTHENTICATED);
    CHECK_INT(limes_login(store, "amira", "correct horse 1", "10.0.0.1", &s, &err), LIMES_UNAUTHENTICATED);
    CHECK_INT(limes_user_set_disabled(store, "amira", false, &err), LIMES_OK);
}

static void test_account_lockout(void)
{
    limes_error err = {0};
    CHECK_INT(limes_user_add(store, "karim", "", LIMES_ROLE_ANALYST, "correct horse 2", NULL, &err), LIMES_OK);
    limes_session s;
    for (int i = 0; i < 5; i++)
        CHECK_INT(limes_login(store, "karim", "wrong password!", "10.0.0.2", &s, &err), LIMES_UNAUTHENTICATED);
    /* locked now, even with the right password */
    CHECK_INT(limes_login(store, "karim", "correct horse 2", "10.0.0.3", &s, &err), LIMES_RATE_LIMITED);
    /* an admin reset unlocks */
    CHECK_INT(limes_user_set_password(store, "karim", "correct horse 3", &err), LIMES_OK);
    CHECK_INT(limes_login(store, "karim", "correct horse 3", "10.0.0.3", &s, &err), LIMES_OK);
}

static void test_tokens(void)
{
    limes_error err = {0};
    char token[LIMES_TOKEN_CHARS + 1];
    int64_t id;
    CHECK_INT(limes_token_create(store, "karim", "scraper", token, &id, &err), LIMES_OK);
    limes_principal who;
    CHECK_INT(limes_token_check(store, token, &who, &err), LIMES_OK);
    CHECK_INT(who.role, LIMES_ROLE_ANALYST);
    CHECK(!who.via_session);
    CHECK_INT(limes_token_revoke(store, id, &err), LIMES_OK);
    CHECK_INT(limes_token_check(store, token, &who, &err), LIMES_UNAUTHENTICATED);
    CHECK_INT(limes_token_revoke(store, id, &err), LIMES_NOT_FOUND);
}

static void append(const char *actor, const char *record)
{
    const char *recs[] = {record};
    limes_audit_entry e = {.actor = actor, .role = "officer", .action = "GET /v1/x",
                           .records = recs, .nrecords = 1, .outcome = "200"};
    limes_error err = {0};
    CHECK_INT(limes_audit_append(store, &e, &err), LIMES_OK);
}

static limes_rc verify(limes_audit_report *rep)
{
    limes_error err = {0};
    return limes_audit_verify(store, rep, &err);
}

static void raw_exec(const char *sql)
{
    store_tx *tx;
    limes_error err = {0};
    CHECK_INT(store_begin(store, true, &tx, &err), LIMES_OK);
    CHECK_INT(store_exec(tx, sql, NULL, 0, &err), LIMES_OK);
    CHECK_INT(store_commit(tx, &err), LIMES_OK);
}

static void test_audit_chain(void)
{
    limes_audit_report rep;
    for (int i = 0; i < 5; i++)
        append("amira", "traveller:1");
    CHECK_INT(verify(&rep), LIMES_OK);
    CHECK(rep.entries >= 5);
    int64_t total = rep.entries;

    limes_audit_filter f = {.record = "traveller:1"};
    json_t *rows;
    limes_error err = {0};
    CHECK_INT(limes_audit_query(store, &f, &rows, &err), LIMES_OK);
    CHECK_INT(json_array_size(rows), 5);
    json_decref(rows);

    /* edit an entry by hand */
    raw_exec("UPDATE audit SET actor = 'mallory' WHERE seq = 3");
    CHECK_INT(verify(&rep), LIMES_TAMPERED);
    CHECK_INT(rep.first_bad, 3);
    raw_exec("UPDATE audit SET actor = 'amira' WHERE seq = 3");
    CHECK_INT(verify(&rep), LIMES_OK);

    /* delete one in the middle */
    raw_exec("DELETE FROM audit_records WHERE seq = 4");
    raw_exec("DELETE FROM audit WHERE seq = 4");
    CHECK_INT(verify(&rep), LIMES_TAMPERED);
    CHECK_INT(rep.first_bad, 4);
    (void)total;
}

static void test_audit_truncation_detected(void)
{
    /* a fresh chain: deleting the newest entry must be noticed via the head */
    limes_store_close(store);
    open_fresh();
    append("amira", "traveller:2");
    append("amira", "traveller:2");
    limes_audit_report rep;
    CHECK_INT(verify(&rep), LIMES_OK);
    raw_exec("DELETE FROM audit_records WHERE seq = (SELECT MAX(seq) FROM audit)");
    raw_exec("DELETE FROM audit WHERE seq = (SELECT MAX(seq) FROM audit)");
    CHECK_INT(verify(&rep), LIMES_TAMPERED);
}

int main(int argc, char **argv)
{
    on_pg = argc > 1 && strcmp(argv[1], "--pg") == 0;
    if (on_pg) {
        int pg = pg_fresh_url("store", db_path, sizeof db_path);
        if (pg)
            return pg;
    }
    open_fresh();
    RUN(test_migrations_idempotent);
    RUN(test_rollback_leaves_nothing);
    RUN(test_users_and_login);
    RUN(test_account_lockout);
    RUN(test_tokens);
    RUN(test_audit_chain);
    RUN(test_audit_truncation_detected);
    limes_store_close(store);
    if (!on_pg)
        unlink(db_path);
    return test_summary();
}
