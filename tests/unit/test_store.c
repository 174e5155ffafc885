/*
 * test_store.c - the store interface, migrations, users and sessions, and
 * the audit chain, including the "edit a row by hand" tamper test, and bulk
 * loads of several tables in one transaction (store_copy_many: on
 * PostgreSQL over two connections joined by two-phase commit).
 * Runs on SQLite; with --pg, on a fresh PostgreSQL database from LIMES_TEST_PG.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "limes/limes.h"
#include "core/buf.h"
#include "pg_fresh.h"
#include "store/sqlite_sync.h"
#include "store/store.h"
#include "store_count.h"
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
    CHECK(limes_store_serial(again) != limes_store_serial(store)); /* caches tell them apart */
    limes_store_close(again);
    /* 0053: the screening cache's old instance token table is gone */
    store_tx *tx;
    int64_t ignored;
    CHECK_INT(store_begin(store, false, &tx, &err), LIMES_OK);
    CHECK(store_query_int(tx, "SELECT COUNT(*) FROM screen_instance", NULL, 0, &ignored, NULL) !=
          LIMES_OK);
    store_rollback(tx);
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
    /* verified tokens are remembered (auth.c): changes made through this
     * process take effect at once */
    CHECK_INT(limes_user_set_role(store, "karim", LIMES_ROLE_SUPERVISOR, &err), LIMES_OK);
    CHECK_INT(limes_token_check(store, token, &who, &err), LIMES_OK);
    CHECK_INT(who.role, LIMES_ROLE_SUPERVISOR);
    CHECK_INT(limes_user_set_role(store, "karim", LIMES_ROLE_ANALYST, &err), LIMES_OK);
    CHECK_INT(limes_user_set_disabled(store, "karim", true, &err), LIMES_OK);
    CHECK_INT(limes_token_check(store, token, &who, &err), LIMES_UNAUTHENTICATED);
    CHECK_INT(limes_user_set_disabled(store, "karim", false, &err), LIMES_OK);
    CHECK_INT(limes_token_check(store, token, &who, &err), LIMES_OK);
    CHECK_INT(limes_token_revoke(store, id, &err), LIMES_OK);
    CHECK_INT(limes_token_check(store, token, &who, &err), LIMES_UNAUTHENTICATED);
    CHECK_INT(limes_token_revoke(store, id, &err), LIMES_NOT_FOUND);
    /* a revocation written by another process (here: plain SQL) takes
     * effect within the memo's 2 s */
    CHECK_INT(limes_token_create(store, "karim", "scanner", token, &id, &err), LIMES_OK);
    CHECK_INT(limes_token_check(store, token, &who, &err), LIMES_OK);
    store_tx *tx;
    CHECK_INT(store_begin(store, true, &tx, &err), LIMES_OK);
    store_val p[] = {sv_int(id)};
    CHECK_INT(store_exec(tx, "UPDATE api_tokens SET revoked_ms = 1 WHERE id = $1", p, 1, &err),
              LIMES_OK);
    CHECK_INT(store_commit(tx, &err), LIMES_OK);
    usleep(2100 * 1000);
    CHECK_INT(limes_token_check(store, token, &who, &err), LIMES_UNAUTHENTICATED);
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

/* ---- store_copy_many: several tables, all or nothing ------------------------------ */

#define PARENTS 300

static int64_t count_rows(const char *sql) { return store_count(store, sql); }

/* Parents first..first+PARENTS-1, two children each (ids 2*parent, 2*parent+1),
 * loaded by one store_copy_many with the per-row key checks off where the
 * backend allows, the children marked unread; `clash` > 0 gives one child
 * that id instead.  *seen = the children the transaction's own connection
 * sees before commit (read here only to tell which way they were loaded). */
static limes_rc load_family(int64_t first, int64_t clash, bool commit, int64_t *seen)
{
    static store_val parents[PARENTS * 2], children[PARENTS * 2 * 3];
    static char names[PARENTS][16];
    for (int i = 0; i < PARENTS; i++) {
        int64_t id = first + i;
        snprintf(names[i], sizeof names[i], "p%lld", (long long)id);
        parents[2 * i] = sv_int(id);
        parents[2 * i + 1] = sv_text(names[i]);
        for (int k = 0; k < 2; k++) {
            store_val *c = &children[(2 * i + k) * 3];
            c[0] = sv_int(clash && i == PARENTS / 2 && k ? clash : 2 * id + k);
            c[1] = sv_int(id);
            c[2] = k ? sv_null() : sv_text("first\tchild\n");
        }
    }
    store_copy_job jobs[] = {{"copy_parent", "id, name", 2, PARENTS, parents, false},
                             {"copy_child", "id, parent_id, note", 3, 2 * PARENTS, children, true}};
    store_tx *tx;
    limes_error err = {0};
    CHECK_INT(store_begin(store, true, &tx, &err), LIMES_OK);
    store_skip_key_checks(tx, true);
    limes_rc rc = store_copy_many(tx, jobs, 2, &err);
    store_skip_key_checks(tx, false);
    if (!rc)
        rc = store_query_int(tx, "SELECT COUNT(*) FROM copy_child", NULL, 0, seen, &err);
    if (rc || !commit) {
        store_rollback(tx);
        return rc;
    }
    return store_commit(tx, &err);
}

static void test_copy_many_all_or_nothing(void)
{
    store_tx *tx;
    limes_error err = {0};
    CHECK_INT(store_begin(store, true, &tx, &err), LIMES_OK);
    CHECK_INT(store_exec(tx, "CREATE TABLE copy_parent (id BIGINT PRIMARY KEY, name TEXT NOT NULL)",
                         NULL, 0, &err),
              LIMES_OK);
    CHECK_INT(store_exec(tx, "CREATE TABLE copy_child (id BIGINT PRIMARY KEY, parent_id BIGINT "
                             "NOT NULL REFERENCES copy_parent(id), note TEXT)",
                         NULL, 0, &err),
              LIMES_OK);
    CHECK_INT(store_commit(tx, &err), LIMES_OK);
    int64_t seen = -1;
    CHECK_INT(load_family(1000, 0, false, &seen), LIMES_OK); /* rolled back */
    CHECK_INT(count_rows("SELECT COUNT(*) FROM copy_parent"), 0);
    CHECK_INT(count_rows("SELECT COUNT(*) FROM copy_child"), 0);
    CHECK_INT(load_family(1000, 0, true, &seen), LIMES_OK);
    CHECK_INT(count_rows("SELECT COUNT(*) FROM copy_parent"), PARENTS);
    CHECK_INT(count_rows("SELECT COUNT(*) FROM copy_child"), 2 * PARENTS);
    CHECK_INT(count_rows("SELECT COUNT(*) FROM copy_child WHERE note = 'first\tchild\n'"),
              PARENTS);
    CHECK_INT(count_rows("SELECT COUNT(*) FROM copy_child c JOIN copy_parent p ON p.id = "
                         "c.parent_id"),
              2 * PARENTS);
    /* One SQLite connection sees its own rows; PostgreSQL with prepared
     * transactions allowed loads the children on a second connection, whose
     * rows the first cannot see before commit - all but the 150 that
     * balance the two halves (450 + 450 of the 900 rows) it loads itself. */
    int64_t joined = on_pg ? count_rows("SELECT CAST(current_setting("
                                        "'max_prepared_transactions') AS INTEGER)")
                           : 0;
    CHECK_INT(seen, joined > 0 ? PARENTS / 2 : 2 * PARENTS);
    /* A child whose id is taken fails the load: nothing of that batch stays. */
    CHECK(load_family(5000, 2 * 1000, true, &seen) != LIMES_OK);
    CHECK_INT(count_rows("SELECT COUNT(*) FROM copy_parent"), PARENTS);
    CHECK_INT(count_rows("SELECT COUNT(*) FROM copy_child"), 2 * PARENTS);
    CHECK_INT(count_rows("SELECT COUNT(*) FROM copy_child WHERE id >= 10000"), 0);
}

/* A NNNN-what.BACKEND.sql migration runs (and is recorded) on its backend
 * only: PostgreSQL's lean document index keeps (issuer, number) unique. */
static void test_backend_migrations(void)
{
    CHECK_INT(count_rows("SELECT COUNT(*) FROM schema_migrations "
                         "WHERE name LIKE '%.postgresql.sql'"),
              on_pg ? 1 : 0);
    CHECK_INT(count_rows("SELECT COUNT(*) FROM schema_migrations WHERE name LIKE '%.sqlite.sql'"),
              on_pg ? 0 : 1);
    store_tx *tx;
    limes_error err = {0};
    CHECK_INT(store_begin(store, true, &tx, &err), LIMES_OK);
    CHECK_INT(store_exec(tx, "INSERT INTO travellers (id, created_ms, last_activity_day) VALUES "
                             "(9001, 0, 0)", NULL, 0, &err),
              LIMES_OK);
    const char *doc = "INSERT INTO traveller_documents (traveller_id, issuer, number, "
                      "first_seen_ms) VALUES (9001, $1, $2, 0)";
    store_val a[] = {sv_text("GBR"), sv_text("123")}, b[] = {sv_text("FRA"), sv_text("123")};
    CHECK_INT(store_exec(tx, doc, a, 2, &err), LIMES_OK);
    CHECK_INT(store_exec(tx, doc, b, 2, &err), LIMES_OK); /* same number, other issuer */
    CHECK_INT(store_commit(tx, &err), LIMES_OK);
    CHECK_INT(store_begin(store, true, &tx, &err), LIMES_OK);
    CHECK_INT(store_exec(tx, doc, a, 2, &err), LIMES_EXISTS);
    store_rollback(tx);
    raw_exec("DELETE FROM travellers WHERE id = 9001");
    CHECK_INT(count_rows("SELECT COUNT(*) FROM traveller_documents WHERE number = '123'"), 0);
}

/* The checks table's value lists, rewritten on SQLite as comparisons
 * (0054), accept and refuse what they did, after the store is reopened. */
static void test_check_value_lists(void)
{
    if (!on_pg) {
        CHECK_INT(count_rows("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'checks' AND "
                             "sql LIKE '%aid = ''clear'' OR aid = ''attention'' OR aid = ''stop''%' "
                             "AND sql LIKE '%decision = ''admit'' OR decision = ''refuse''%' "
                             "AND sql NOT LIKE '%IN (''clear''%'"),
                  1);
        limes_store_close(store);
        limes_error err = {0};
        CHECK_INT(limes_store_open(db_path, &store, &err), LIMES_OK);
    }
    raw_exec("INSERT INTO bcp (id, code, name_en, kind, country, created_ms) "
             "VALUES (7001, 'T-VL', 'T', 'air', 'TUN', 0)");
    const char *ins = "INSERT INTO checks (id, officer, bcp_id, direction, day, at_ms, aid, "
                      "request, result, decision) VALUES ($1, 'o', 7001, 'entry', 0, 0, $2, "
                      "'{}', '{}', $3)";
    static const struct {
        const char *aid, *decision;
        limes_rc want;
    } cases[] = {{"clear", NULL, LIMES_OK},     {"attention", "refer", LIMES_OK},
                 {"stop", "refuse", LIMES_OK},  {"clear", "admit", LIMES_OK},
                 {"maybe", NULL, LIMES_INVALID}, {"Clear", NULL, LIMES_INVALID},
                 {"stop", "wave", LIMES_INVALID}, {"", "admit", LIMES_INVALID}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        store_tx *tx;
        limes_error err = {0};
        CHECK_INT(store_begin(store, true, &tx, &err), LIMES_OK);
        store_val p[] = {sv_int(8000 + (int64_t)i), sv_text(cases[i].aid),
                         cases[i].decision ? sv_text(cases[i].decision) : sv_null()};
        limes_rc rc = store_exec(tx, ins, p, 3, &err);
        CHECK_INT(rc == LIMES_OK ? LIMES_OK : LIMES_INVALID, cases[i].want);
        if (rc == LIMES_OK)
            CHECK_INT(store_commit(tx, &err), LIMES_OK);
        else
            store_rollback(tx);
    }
    CHECK_INT(count_rows("SELECT COUNT(*) FROM checks WHERE bcp_id = 7001"), 4);
    raw_exec("DELETE FROM checks WHERE bcp_id = 7001");
    raw_exec("DELETE FROM bcp WHERE id = 7001");
}

/* store_copy writes what it is given: integers at the edges of their range
 * and at every digit count, reals, NULL, and text with every character COPY
 * escapes (on PostgreSQL: COPY's text format, written by hand). */
static void test_copy_values(void)
{
    raw_exec("CREATE TABLE copy_values (k BIGINT PRIMARY KEY, i BIGINT, r REAL, t TEXT)");
    static const int64_t ints[] = {INT64_MIN, -1234567890123LL, -10, -9, -1, 0, 1, 9, 10, 99,
                                   100, 101, 999, 1000, 1234567890123LL, INT64_MAX};
    enum { N = sizeof ints / sizeof *ints };
    static const char *const texts[] = {"", "plain", "tab\there", "line\nbreak", "cr\rx",
                                        "back\\slash", "\\N", "\xc3\xa9t\xc3\xa9 \xd8\xb9"};
    enum { T = sizeof texts / sizeof *texts };
    store_val rows[N * 4];
    for (int k = 0; k < N; k++) {
        rows[4 * k] = sv_int(k);
        rows[4 * k + 1] = sv_int(ints[k]);
        rows[4 * k + 2] = k % 3 ? sv_real(k / 4.0 - 1.5) : sv_null();
        rows[4 * k + 3] = k % 5 == 4 ? sv_null() : sv_text(texts[k % T]);
    }
    store_tx *tx;
    limes_error err = {0};
    CHECK_INT(store_begin(store, true, &tx, &err), LIMES_OK);
    CHECK_INT(store_copy(tx, "copy_values", "k, i, r, t", 4, rows, N, &err), LIMES_OK);
    CHECK_INT(store_commit(tx, &err), LIMES_OK);
    CHECK_INT(store_begin(store, false, &tx, &err), LIMES_OK);
    store_rows *r;
    CHECK_INT(store_query(tx, "SELECT k, i, r, t FROM copy_values ORDER BY k", NULL, 0, &r, &err),
              LIMES_OK);
    int k = 0;
    while (store_rows_next(r, &err) == 1) {
        CHECK_INT(store_col_int(r, 0), k);
        CHECK(store_col_int(r, 1) == ints[k]);
        CHECK(store_col_is_null(r, 2) == !(k % 3));
        if (k % 3)
            CHECK(store_col_real(r, 2) == k / 4.0 - 1.5);
        CHECK(store_col_is_null(r, 3) == (k % 5 == 4));
        if (k % 5 != 4)
            CHECK_STR(store_col_text(r, 3), texts[k % T]);
        k++;
    }
    CHECK_INT(k, N);
    store_rows_close(r);
    store_rollback(tx);
}

/* How many of keys[0..n) store_in_list finds in in_keys's column col. */
static int64_t found_in_list(const char *col, const store_val *keys, int n)
{
    store_tx *tx;
    limes_error err = {0};
    buf sql, text;
    buf_init(&sql, 1 << 20);
    buf_init(&text, 1 << 20);
    store_val *params = calloc((size_t)n + 1000, sizeof *params);
    int nparams = 0;
    CHECK(params != NULL);
    CHECK_INT(buf_puts(&sql, "SELECT COUNT(*) FROM in_keys WHERE "), LIMES_OK);
    CHECK_INT(store_begin(store, false, &tx, &err), LIMES_OK);
    CHECK_INT(store_in_list(tx, &sql, col, keys, n, params, &nparams, &text), LIMES_OK);
    int64_t count = -1;
    CHECK_INT(store_query_int(tx, buf_str(&sql), params, nparams, &count, &err), LIMES_OK);
    store_rollback(tx);
    free(params);
    buf_release(&sql);
    buf_release(&text);
    return count;
}

/* store_in_list: keys that need quoting in an array's text, and lists of
 * 1 to 1,500 keys (every padded length on SQLite), text and integers. */
static void test_in_list(void)
{
    static const char *const odd[] = {"a\"b", "c\\d", "x,y", "{z}", "NULL", " sp ", "", "\xc3\xa9"};
    enum { N = 1500, ODD = sizeof odd / sizeof *odd };
    raw_exec("CREATE TABLE in_keys (id BIGINT PRIMARY KEY, k TEXT NOT NULL)");
    store_tx *tx;
    limes_error err = {0};
    CHECK_INT(store_begin(store, true, &tx, &err), LIMES_OK);
    static char text[N][16];
    static store_val keys[N], ids[N];
    for (int i = 0; i < N; i++) {
        snprintf(text[i], sizeof text[i], "K%d", 2 * i);
        keys[i] = sv_text(i < ODD ? odd[i] : text[i]);
        ids[i] = sv_int(2 * i);
        store_val row[] = {sv_int(2 * i), keys[i]};
        CHECK_INT(store_exec(tx, "INSERT INTO in_keys (id, k) VALUES ($1, $2)", row, 2, &err),
                  LIMES_OK);
    }
    CHECK_INT(store_commit(tx, &err), LIMES_OK);
    static const int sizes[] = {1, 8, 17, 300, 513, 1000, N};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        CHECK_INT(found_in_list("k", keys, sizes[s]), sizes[s]);
        CHECK_INT(found_in_list("id", ids, sizes[s]), sizes[s]);
    }
    /* Keys that are not there: odd ones off by a character, odd ids. */
    store_val missing[] = {sv_text("a\""), sv_text("c\\"), sv_text("{z"), sv_text("K1")};
    CHECK_INT(found_in_list("k", missing, 4), 0);
    store_val odd_ids[] = {sv_int(1), sv_int(3), sv_int(-2)};
    CHECK_INT(found_in_list("id", odd_ids, 3), 0);
}

/* The value stored under key id in ids_t. */
static void check_value_of(store_tx *tx, int64_t id, const char *want)
{
    store_rows *r;
    limes_error err = {0};
    store_val k[] = {sv_int(id)};
    CHECK_INT(store_query(tx, "SELECT v FROM ids_t WHERE id = $1", k, 1, &r, &err), LIMES_OK);
    CHECK_INT(store_rows_next(r, &err), 1);
    CHECK_STR(store_col_text(r, 0), want);
    store_rows_close(r);
}

/* store_insert_id gives the key of the row its INSERT added, whether the
 * backend reads it off the connection (SQLite) or asks with RETURNING. */
static void test_insert_id(void)
{
    raw_exec(on_pg ? "CREATE TABLE ids_t (id BIGSERIAL PRIMARY KEY, v TEXT NOT NULL)"
                   : "CREATE TABLE ids_t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
    store_tx *tx;
    limes_error err = {0};
    CHECK_INT(store_begin(store, true, &tx, &err), LIMES_OK);
    int64_t a = 0, b = 0, c = 0, d = -1;
    store_val va[] = {sv_text("a")}, vb[] = {sv_text("b")}, vc[] = {sv_text("c")};
    CHECK_INT(store_insert_id(tx, "INSERT INTO ids_t (v) VALUES ($1)", va, 1, &a, &err), LIMES_OK);
    CHECK_INT(store_insert_id(tx, "INSERT INTO ids_t (v) VALUES ($1)", vb, 1, &b, &err), LIMES_OK);
    CHECK(a > 0 && b > 0 && a != b);
    /* a row keyed by hand in between: the next id is still the new row's */
    CHECK_INT(store_exec(tx, "INSERT INTO ids_t (id, v) VALUES (5000, 'by hand')", NULL, 0, &err),
              LIMES_OK);
    CHECK_INT(store_insert_id(tx, "INSERT INTO ids_t (v) VALUES ($1)", vc, 1, &c, &err), LIMES_OK);
    CHECK(c != a && c != b && c != 5000);
    check_value_of(tx, a, "a");
    check_value_of(tx, b, "b");
    check_value_of(tx, c, "c");
    CHECK_INT(store_commit(tx, &err), LIMES_OK);
    /* a failed insert reports the error and names no id */
    CHECK_INT(store_begin(store, true, &tx, &err), LIMES_OK);
    store_val none[] = {sv_null()};
    CHECK(store_insert_id(tx, "INSERT INTO ids_t (v) VALUES ($1)", none, 1, &d, &err) != LIMES_OK);
    CHECK(d == -1);
    store_rollback(tx);
}

/* ---- group writes (store_write_grouped, src/store/group.c) ---- */

struct grouped_job {
    int value;           /* the row's value; 0 writes NULL, which the table refuses */
    int sleep_ms;        /* held inside the transaction, so that others queue meanwhile */
    int runs;            /* how many times the job ran (a batch that fails runs again) */
    int64_t id;          /* out: the row's id */
    limes_rc rc;
    limes_error err;
};

static limes_rc grouped_insert(store_tx *tx, void *arg, limes_error *err)
{
    struct grouped_job *j = arg;
    __atomic_add_fetch(&j->runs, 1, __ATOMIC_SEQ_CST);
    if (j->sleep_ms) {
        struct timespec ts = {j->sleep_ms / 1000, (long)(j->sleep_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    store_val v[] = {j->value ? sv_int(j->value) : sv_null()};
    return store_insert_id(tx, "INSERT INTO grouped_t (v) VALUES ($1)", v, 1, &j->id, err);
}

static void *grouped_thread(void *arg)
{
    struct grouped_job *j = arg;
    j->rc = store_write_grouped(store, grouped_insert, j, &j->err);
    return NULL;
}

/* The first job holds its transaction 300 ms; jobs[1..n) arrive meanwhile
 * and queue, so they are written together in the next batch. */
static void run_grouped(struct grouped_job *jobs, int n)
{
    pthread_t t[16];
    jobs[0].sleep_ms = 300;
    pthread_create(&t[0], NULL, grouped_thread, &jobs[0]);
    struct timespec ts = {0, 50 * 1000000L};
    nanosleep(&ts, NULL);
    for (int i = 1; i < n; i++)
        pthread_create(&t[i], NULL, grouped_thread, &jobs[i]);
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
}

static int64_t sqlite_commits(void)
{
    int64_t commits = 0, syncs = 0;
    store_sqlite_counts(&commits, &syncs);
    return commits;
}

/* Announce a write, hold it until *arg is unlocked, then write it (value 260). */
static void *announce_then_write(void *arg)
{
    store_write_expect(store);
    pthread_mutex_lock(arg);
    pthread_mutex_unlock(arg);
    struct grouped_job j = {.value = 260};
    j.rc = store_write_grouped(store, grouped_insert, &j, &j.err);
    return (void *)(intptr_t)j.rc;
}

/* Announce a write to the store, hold it until *arg is unlocked, withdraw it. */
static void *announce_and_wait(void *arg)
{
    store_write_expect(store);
    store_write_expect(store); /* twice: still one announcement */
    pthread_mutex_lock(arg);
    pthread_mutex_unlock(arg);
    store_write_unexpect(store);
    return NULL;
}

static void test_grouped_writes(void)
{
    raw_exec(on_pg ? "CREATE TABLE grouped_t (id BIGSERIAL PRIMARY KEY, v INTEGER NOT NULL)"
                   : "CREATE TABLE grouped_t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)");
    /* eight writers: the seven that queued behind the first share one transaction */
    struct grouped_job jobs[8] = {{0}};
    for (int i = 0; i < 8; i++)
        jobs[i].value = 100 + i;
    int64_t commits = sqlite_commits();
    run_grouped(jobs, 8);
    for (int i = 0; i < 8; i++) {
        CHECK_INT(jobs[i].rc, LIMES_OK);
        CHECK_INT(jobs[i].runs, 1);
        CHECK(jobs[i].id > 0);
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT v FROM grouped_t WHERE id = %lld", (long long)jobs[i].id);
        CHECK_INT(store_count(store, sql), 100 + i);
    }
    CHECK_INT(store_count(store, "SELECT count(*) FROM grouped_t"), 8);
    if (!on_pg) /* the group sync counts commits: the first job's, then one for the rest */
        CHECK_INT(sqlite_commits() - commits, 2);

    /* a job that fails in a batch fails alone: the others are written again, once each */
    struct grouped_job more[6] = {{0}};
    for (int i = 0; i < 6; i++)
        more[i].value = i == 3 ? 0 : 200 + i;
    run_grouped(more, 6);
    for (int i = 0; i < 6; i++) {
        if (i == 3) {
            CHECK(more[i].rc != LIMES_OK);
            CHECK(more[i].err.message[0] != '\0');
            continue;
        }
        CHECK_INT(more[i].rc, LIMES_OK);
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM grouped_t WHERE v = %d", 200 + i);
        CHECK_INT(store_count(store, sql), 1);
    }
    CHECK_INT(more[3].runs, 2); /* in the batch, then alone */
    CHECK_INT(store_count(store, "SELECT count(*) FROM grouped_t"), 13);

    /* an announced write that never comes delays a batch (by at most 1 ms), never blocks it */
    pthread_t t;
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&m);
    pthread_create(&t, NULL, announce_and_wait, &m);
    struct timespec pause = {0, 50 * 1000000L};
    nanosleep(&pause, NULL);
    struct grouped_job late = {.value = 250};
    late.rc = store_write_grouped(store, grouped_insert, &late, &late.err);
    pthread_mutex_unlock(&m);
    pthread_join(t, NULL);
    CHECK_INT(late.rc, LIMES_OK);
    CHECK_INT(store_count(store, "SELECT count(*) FROM grouped_t WHERE v = 250"), 1);

    /* gathering: a leader waits for an announced write and takes it into its batch */
    if (!on_pg) {
        store_write_set_gather(store, 5 * 1000000L); /* long enough to be sure, here */
        pthread_mutex_t hold = PTHREAD_MUTEX_INITIALIZER;
        pthread_mutex_lock(&hold);
        pthread_t announcer, leader;
        pthread_create(&announcer, NULL, announce_then_write, &hold);
        nanosleep(&pause, NULL); /* the announcement is made */
        struct grouped_job lead = {.value = 270};
        int64_t before = sqlite_commits();
        pthread_create(&leader, NULL, grouped_thread, &lead);
        nanosleep(&pause, NULL); /* the leader is gathering */
        pthread_mutex_unlock(&hold);
        void *announced_rc;
        pthread_join(leader, NULL);
        pthread_join(announcer, &announced_rc);
        store_write_set_gather(store, 1000);
        CHECK_INT(lead.rc, LIMES_OK);
        CHECK_INT((int)(intptr_t)announced_rc, LIMES_OK);
        CHECK_INT(sqlite_commits() - before, 1); /* both rows, one transaction */
        CHECK_INT(store_count(store, "SELECT count(*) FROM grouped_t WHERE v IN (260, 270)"), 2);
    }

    /* deferred: the write returns committed, the deferred wait makes it durable */
    if (!on_pg) {
        int64_t c0 = 0, s0 = 0, c1 = 0, s1 = 0, c2 = 0, s2 = 0;
        limes_error err = {0};
        store_sqlite_counts(&c0, &s0);
        limes_store_defer_begin(store);
        struct grouped_job one = {.value = 300};
        CHECK_INT(store_write_grouped(store, grouped_insert, &one, &err), LIMES_OK);
        store_sqlite_counts(&c1, &s1);
        CHECK_INT(c1 - c0, 1);
        CHECK_INT(s1 - s0, 0);
        CHECK_INT(limes_store_defer_end(store, &err), LIMES_OK);
        store_sqlite_counts(&c2, &s2);
        CHECK(s2 - s1 >= 1);
        CHECK_INT(store_count(store, "SELECT count(*) FROM grouped_t WHERE v = 300"), 1);
    }
}

/* ---- writes without waiting (store_write_async) ---- */

struct async_jobs {
    pthread_mutex_t lock;
    pthread_cond_t all_done;
    int pending;
    int64_t syncs_at_done[8]; /* SQLite: WAL syncs made when each job was told */
    limes_rc rc[8];
    char message[8][256];
    pthread_t thread[8]; /* the thread each was told on */
};

struct async_job {
    struct async_jobs *set;
    int index;
    struct grouped_job job;
};

static limes_rc async_insert(store_tx *tx, void *arg, limes_error *err)
{
    return grouped_insert(tx, &((struct async_job *)arg)->job, err);
}

static void async_done(void *arg, limes_rc rc, const limes_error *err)
{
    struct async_job *a = arg;
    struct async_jobs *set = a->set;
    int64_t commits = 0, syncs = 0;
    if (!on_pg)
        store_sqlite_counts(&commits, &syncs);
    pthread_mutex_lock(&set->lock);
    set->rc[a->index] = rc;
    snprintf(set->message[a->index], sizeof set->message[0], "%s", rc ? err->message : "");
    set->syncs_at_done[a->index] = syncs;
    set->thread[a->index] = pthread_self();
    if (--set->pending == 0)
        pthread_cond_signal(&set->all_done);
    pthread_mutex_unlock(&set->lock);
}

static void test_async_writes(void)
{
    struct async_jobs set = {.lock = PTHREAD_MUTEX_INITIALIZER,
                             .all_done = PTHREAD_COND_INITIALIZER,
                             .pending = 8};
    struct async_job jobs[8];
    int64_t commits0 = 0, syncs0 = 0;
    if (!on_pg)
        store_sqlite_counts(&commits0, &syncs0);
    for (int i = 0; i < 8; i++) {
        jobs[i] = (struct async_job){.set = &set, .index = i,
                                     .job = {.value = i == 5 ? 0 : 400 + i}};
        store_write_async(store, async_insert, &jobs[i], async_done, &jobs[i]);
    }
    pthread_mutex_lock(&set.lock);
    while (set.pending)
        pthread_cond_wait(&set.all_done, &set.lock);
    pthread_mutex_unlock(&set.lock);
    for (int i = 0; i < 8; i++) {
        CHECK(!pthread_equal(set.thread[i], pthread_self())); /* told on the writer thread */
        if (i == 5) { /* NULL refused: this one fails, alone, with its reason */
            CHECK(set.rc[i] != LIMES_OK);
            CHECK(set.message[i][0] != '\0');
            continue;
        }
        CHECK_INT(set.rc[i], LIMES_OK);
        CHECK(jobs[i].job.id > 0);
        if (!on_pg) /* told only once a sync covered the commit */
            CHECK(set.syncs_at_done[i] > syncs0);
    }
    CHECK_INT(store_count(store, "SELECT count(*) FROM grouped_t WHERE v BETWEEN 400 AND 407"), 7);

    /* closing the store settles what is still queued */
    limes_store *other;
    limes_error err = {0};
    CHECK_INT(limes_store_open(db_path, &other, &err), LIMES_OK);
    struct async_jobs late = {.lock = PTHREAD_MUTEX_INITIALIZER,
                              .all_done = PTHREAD_COND_INITIALIZER,
                              .pending = 4};
    struct async_job more[4];
    for (int i = 0; i < 4; i++) {
        more[i] = (struct async_job){.set = &late, .index = i, .job = {.value = 500 + i}};
        store_write_async(other, async_insert, &more[i], async_done, &more[i]);
    }
    limes_store_close(other);
    CHECK_INT(late.pending, 0);
    for (int i = 0; i < 4; i++)
        CHECK_INT(late.rc[i], LIMES_OK);
    CHECK_INT(store_count(store, "SELECT count(*) FROM grouped_t WHERE v BETWEEN 500 AND 503"), 4);
}

#ifdef LIMES_HAVE_PG
/* Run sql on c; the first column of the first row (or "") into out. */
static bool pq_run(PGconn *c, const char *sql, char *out, size_t n)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (out)
        snprintf(out, n, "%s", ok && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
    return ok;
}

/*
 * What a crash between the two commits of a joined transaction leaves
 * (src/store/pg.c, joined_commit): the helper's half prepared as
 * limes_join_<xid of the first half>.  Opening the store finishes it as the
 * first half ended: committed if that committed, rolled back if it aborted.
 */
static void test_joined_orphans_resolved(void)
{
    PGconn *first = PQconnectdb(db_path), *second = PQconnectdb(db_path);
    CHECK(PQstatus(first) == CONNECTION_OK && PQstatus(second) == CONNECTION_OK);
    char xid[32], sql[160];
    CHECK(pq_run(first, "BEGIN", NULL, 0));
    CHECK(pq_run(first, "SELECT pg_current_xact_id()", xid, sizeof xid));
    CHECK(pq_run(first, "INSERT INTO copy_parent VALUES (9001, 'first half')", NULL, 0));
    CHECK(pq_run(first, "COMMIT", NULL, 0));
    CHECK(pq_run(second, "BEGIN", NULL, 0));
    CHECK(pq_run(second, "INSERT INTO copy_parent VALUES (9002, 'kept')", NULL, 0));
    snprintf(sql, sizeof sql, "PREPARE TRANSACTION 'limes_join_%s'", xid);
    if (!pq_run(second, sql, NULL, 0)) {
        printf("  (skipped: the server allows no prepared transactions)\n");
        PQfinish(first);
        PQfinish(second);
        return;
    }
    CHECK(pq_run(first, "BEGIN", NULL, 0));
    CHECK(pq_run(first, "SELECT pg_current_xact_id()", xid, sizeof xid));
    CHECK(pq_run(first, "ROLLBACK", NULL, 0));
    CHECK(pq_run(second, "BEGIN", NULL, 0));
    CHECK(pq_run(second, "INSERT INTO copy_parent VALUES (9003, 'dropped')", NULL, 0));
    snprintf(sql, sizeof sql, "PREPARE TRANSACTION 'limes_join_%s'", xid);
    CHECK(pq_run(second, sql, NULL, 0));
    CHECK_INT(count_rows("SELECT COUNT(*) FROM copy_parent WHERE id > 9000"), 1);
    limes_store *again;
    limes_error err = {0};
    CHECK_INT(limes_store_open(db_path, &again, &err), LIMES_OK);
    limes_store_close(again);
    CHECK_INT(count_rows("SELECT COUNT(*) FROM copy_parent WHERE id IN (9001, 9002)"), 2);
    CHECK_INT(count_rows("SELECT COUNT(*) FROM copy_parent WHERE id = 9003"), 0);
    CHECK_INT(count_rows("SELECT COUNT(*) FROM pg_prepared_xacts WHERE database = "
                         "current_database()"),
              0);
    PQfinish(first);
    PQfinish(second);
}
#endif

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
    RUN(test_backend_migrations);
    RUN(test_rollback_leaves_nothing);
    RUN(test_users_and_login);
    RUN(test_account_lockout);
    RUN(test_tokens);
    RUN(test_audit_chain);
    RUN(test_audit_truncation_detected);
    RUN(test_copy_many_all_or_nothing);
    RUN(test_in_list);
    RUN(test_copy_values);
    RUN(test_insert_id);
    RUN(test_check_value_lists);
    RUN(test_grouped_writes);
    RUN(test_async_writes);
#ifdef LIMES_HAVE_PG
    if (on_pg)
        RUN(test_joined_orphans_resolved);
#endif
    limes_store_close(store);
    if (!on_pg)
        unlink(db_path);
    return test_summary();
}
