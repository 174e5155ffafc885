/*
 * test_sqlite_sync.c - the SQLite backend's group commit (src/store/sqlite.c):
 * many threads committing at once each get their row back after the store
 * is closed and reopened, every commit is counted as durable, and the
 * commits shared fdatasync calls (fewer syncs than commits, but some).
 * The audit trail's group append (src/audit/audit.c) on the same store:
 * threads appending at once all get their entry into one valid chain, in
 * fewer commits than entries.  Deferred durability (limes_store_defer_begin,
 * what the server does per request): commits sync nothing until
 * limes_store_defer_end, which syncs once for all of them; with an audit
 * entry after each deferred commit, rows and chain are all there after
 * reopening.  Checkpoints run in the background: writing well past the
 * WAL's checkpoint size wakes the checkpointer, the WAL file stays far
 * smaller than what was written (it restarted), and every row is there
 * after reopening; and beside a writer that never pauses and readers that
 * never stop, the checkpointer still gets the WAL restarted, so no
 * committer has to checkpoint it.  The database lives in /var/tmp (a disk, not tmpfs) so
 * that a sync takes the disk's time and concurrent commits meet.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "limes/limes.h"
#include "pg_fresh.h"
#include "store/sqlite_sync.h"
#include "store/store.h"
#include "store_count.h"
#include "test.h"

#define THREADS 8
#define COMMITS_EACH 60

static char db_path[256];
static limes_store *store;
static int commit_failures;
static pthread_mutex_t failures_lock = PTHREAD_MUTEX_INITIALIZER;

static void remove_db(void) { test_remove_sqlite(db_path); }

/* One write transaction running sql with v[0..n). */
static limes_rc insert(const char *sql, const store_val *v, int n)
{
    store_tx *tx;
    limes_rc rc = store_begin(store, true, &tx, NULL);
    if (rc)
        return rc;
    rc = store_exec(tx, sql, v, n, NULL);
    if (rc) {
        store_rollback(tx);
        return rc;
    }
    return store_commit(tx, NULL);
}

static limes_rc insert_row(int thread, int i)
{
    store_val v[2] = {sv_int(thread), sv_int(i)};
    return insert("INSERT INTO sync_test (thread, i) VALUES ($1, $2)", v, 2);
}

static void *committer(void *arg)
{
    int thread = (int)(intptr_t)arg;
    for (int i = 0; i < COMMITS_EACH; i++) {
        if (insert_row(thread, i) != LIMES_OK) {
            pthread_mutex_lock(&failures_lock);
            commit_failures++;
            pthread_mutex_unlock(&failures_lock);
        }
    }
    return NULL;
}

/* Run fn on THREADS threads at once (argument: the thread's number) and wait. */
static void run_threads(void *(*fn)(void *))
{
    pthread_t threads[THREADS];
    commit_failures = 0;
    for (int t = 0; t < THREADS; t++)
        pthread_create(&threads[t], NULL, fn, (void *)(intptr_t)t);
    for (int t = 0; t < THREADS; t++)
        pthread_join(threads[t], NULL);
}

static int64_t count_rows(const char *sql) { return store_count(store, sql); }

static void test_concurrent_commits_share_syncs(void)
{
    limes_error err = {0};
    CHECK_INT(limes_store_open(db_path, &store, &err), LIMES_OK);
    store_tx *tx;
    CHECK_INT(store_begin(store, true, &tx, NULL), LIMES_OK);
    CHECK_INT(store_exec(tx, "CREATE TABLE sync_test (thread INTEGER, i INTEGER, PRIMARY KEY (thread, i))",
                         NULL, 0, NULL),
              LIMES_OK);
    CHECK_INT(store_commit(tx, NULL), LIMES_OK);

    int64_t commits0, syncs0, commits1, syncs1;
    store_sqlite_counts(&commits0, &syncs0);
    run_threads(committer);
    store_sqlite_counts(&commits1, &syncs1);
    limes_store_close(store);

    int64_t commits = commits1 - commits0, syncs = syncs1 - syncs0;
    fprintf(stderr, "  %lld commits, %lld fdatasync calls\n", (long long)commits, (long long)syncs);
    CHECK_INT(commit_failures, 0);
    CHECK_INT(commits, THREADS * COMMITS_EACH);
    CHECK(syncs > 0);       /* the group sync is on: the WAL is synced by us */
    CHECK(syncs < commits); /* and shared */

    CHECK_INT(limes_store_open(db_path, &store, &err), LIMES_OK);
    CHECK_INT(count_rows("SELECT COUNT(*) FROM sync_test"), THREADS * COMMITS_EACH);
    CHECK_INT(count_rows("SELECT COUNT(DISTINCT thread) FROM sync_test"), THREADS);
    CHECK_INT(count_rows("SELECT MAX(i) FROM sync_test"), COMMITS_EACH - 1);
    limes_store_close(store);
}

/* A read transaction writes nothing: it neither syncs nor counts. */
static void test_reads_do_not_sync(void)
{
    limes_error err = {0};
    CHECK_INT(limes_store_open(db_path, &store, &err), LIMES_OK);
    int64_t commits0, syncs0, commits1, syncs1;
    store_sqlite_counts(&commits0, &syncs0);
    for (int i = 0; i < 20; i++)
        CHECK_INT(count_rows("SELECT COUNT(*) FROM sync_test"), THREADS * COMMITS_EACH);
    store_tx *tx;
    CHECK_INT(store_begin(store, false, &tx, NULL), LIMES_OK);
    CHECK_INT(store_commit(tx, NULL), LIMES_OK);
    store_sqlite_counts(&commits1, &syncs1);
    CHECK_INT(commits1 - commits0, 0);
    CHECK_INT(syncs1 - syncs0, 0);
    limes_store_close(store);
}

static void *auditor(void *arg)
{
    char actor[32], record[32];
    snprintf(actor, sizeof actor, "officer%d", (int)(intptr_t)arg);
    for (int i = 0; i < COMMITS_EACH; i++) {
        snprintf(record, sizeof record, "check:%d", i);
        const char *records[] = {record};
        limes_audit_entry e = {.actor = actor, .role = "officer", .action = "POST /v1/checks",
                               .records = records, .nrecords = 1, .outcome = "201"};
        if (limes_audit_append(store, &e, NULL) != LIMES_OK) {
            pthread_mutex_lock(&failures_lock);
            commit_failures++;
            pthread_mutex_unlock(&failures_lock);
        }
    }
    return NULL;
}

static void test_concurrent_audit_appends_chain(void)
{
    limes_error err = {0};
    CHECK_INT(limes_store_open(db_path, &store, &err), LIMES_OK);
    int64_t before = count_rows("SELECT COUNT(*) FROM audit");
    int64_t commits0, syncs0, commits1, syncs1;
    store_sqlite_counts(&commits0, &syncs0);
    run_threads(auditor);
    store_sqlite_counts(&commits1, &syncs1);
    fprintf(stderr, "  %d audit entries in %lld commits\n", THREADS * COMMITS_EACH,
            (long long)(commits1 - commits0));
    CHECK_INT(commit_failures, 0);
    CHECK_INT(count_rows("SELECT COUNT(*) FROM audit") - before, THREADS * COMMITS_EACH);
    CHECK_INT(count_rows("SELECT COUNT(*) FROM audit_records WHERE record = 'check:0'"), THREADS);
    CHECK(commits1 - commits0 < THREADS * COMMITS_EACH); /* entries shared commits */
    limes_audit_report rep;
    CHECK_INT(limes_audit_verify(store, &rep, &err), LIMES_OK);
    CHECK_INT(rep.entries, before + THREADS * COMMITS_EACH);
    limes_store_close(store);
}

/* One thread's deferred commits: no sync until the end, then exactly one. */
static void test_deferred_commits_sync_once(void)
{
    limes_error err = {0};
    CHECK_INT(limes_store_open(db_path, &store, &err), LIMES_OK);
    int64_t before = count_rows("SELECT COUNT(*) FROM sync_test");
    int64_t commits0, syncs0, commits1, syncs1;
    store_sqlite_counts(&commits0, &syncs0);
    limes_store_defer_begin(store);
    for (int i = 0; i < 20; i++)
        CHECK_INT(insert_row(100, i), LIMES_OK);
    store_sqlite_counts(&commits1, &syncs1);
    CHECK_INT(commits1 - commits0, 20);
    CHECK_INT(syncs1 - syncs0, 0); /* nothing waited for the disk yet */
    CHECK_INT(limes_store_defer_end(store, &err), LIMES_OK);
    store_sqlite_counts(&commits1, &syncs1);
    CHECK_INT(syncs1 - syncs0, 1);
    /* ended: the next commit waits for its own sync again */
    CHECK_INT(insert_row(100, 20), LIMES_OK);
    store_sqlite_counts(&commits1, &syncs1);
    CHECK_INT(syncs1 - syncs0, 2);
    CHECK_INT(limes_store_defer_end(store, &err), LIMES_OK); /* nothing deferred: no sync */
    store_sqlite_counts(&commits1, &syncs1);
    CHECK_INT(syncs1 - syncs0, 2);
    limes_store_close(store);
    CHECK_INT(limes_store_open(db_path, &store, &err), LIMES_OK);
    CHECK_INT(count_rows("SELECT COUNT(*) FROM sync_test") - before, 21);
    limes_store_close(store);
}

/* As a server request: a deferred commit, its audit entry, one wait. */
static void *request_like(void *arg)
{
    int thread = 200 + (int)(intptr_t)arg;
    char actor[32], record[32];
    snprintf(actor, sizeof actor, "officer%d", thread);
    for (int i = 0; i < COMMITS_EACH; i++) {
        limes_store_defer_begin(store);
        limes_rc rc = insert_row(thread, i);
        snprintf(record, sizeof record, "row:%d:%d", thread, i);
        const char *records[] = {record};
        limes_audit_entry e = {.actor = actor, .role = "officer", .action = "POST /v1/rows",
                               .records = records, .nrecords = 1, .outcome = "201"};
        if (!rc)
            rc = limes_audit_append(store, &e, NULL);
        limes_rc end = limes_store_defer_end(store, NULL);
        if (rc || end) {
            pthread_mutex_lock(&failures_lock);
            commit_failures++;
            pthread_mutex_unlock(&failures_lock);
        }
    }
    return NULL;
}

static void test_deferred_commits_with_audit(void)
{
    limes_error err = {0};
    CHECK_INT(limes_store_open(db_path, &store, &err), LIMES_OK);
    int64_t rows0 = count_rows("SELECT COUNT(*) FROM sync_test");
    int64_t audit0 = count_rows("SELECT COUNT(*) FROM audit");
    int64_t commits0, syncs0, commits1, syncs1;
    store_sqlite_counts(&commits0, &syncs0);
    run_threads(request_like);
    store_sqlite_counts(&commits1, &syncs1);
    fprintf(stderr, "  %d requests: %lld commits, %lld fdatasync calls\n", THREADS * COMMITS_EACH,
            (long long)(commits1 - commits0), (long long)(syncs1 - syncs0));
    CHECK_INT(commit_failures, 0);
    CHECK(syncs1 - syncs0 > 0);
    CHECK(syncs1 - syncs0 < THREADS * COMMITS_EACH); /* fewer than one per request */
    limes_store_close(store);
    CHECK_INT(limes_store_open(db_path, &store, &err), LIMES_OK);
    CHECK_INT(count_rows("SELECT COUNT(*) FROM sync_test") - rows0, THREADS * COMMITS_EACH);
    CHECK_INT(count_rows("SELECT COUNT(*) FROM audit") - audit0, THREADS * COMMITS_EACH);
    CHECK_INT(count_rows("SELECT COUNT(*) FROM audit_records WHERE record LIKE 'row:%'"),
              THREADS * COMMITS_EACH);
    limes_audit_report rep;
    CHECK_INT(limes_audit_verify(store, &rep, &err), LIMES_OK);
    CHECK_INT(rep.entries, audit0 + THREADS * COMMITS_EACH);
    limes_store_close(store);
}

#define BLOB_BYTES 16384
#define BLOB_COMMITS 3000 /* ~12,000 WAL pages of 4 KiB, three times the most it may lag */

static limes_rc insert_blob(int i)
{
    static char text[BLOB_BYTES + 1];
    memset(text, 'a' + i % 26, BLOB_BYTES);
    store_val v[2] = {sv_int(i), sv_text(text)};
    return insert("INSERT INTO blob_test (i, body) VALUES ($1, $2)", v, 2);
}

static long long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static void test_checkpoints_in_background(void)
{
    limes_error err = {0};
    CHECK_INT(limes_store_open(db_path, &store, &err), LIMES_OK);
    store_tx *tx;
    CHECK_INT(store_begin(store, true, &tx, NULL), LIMES_OK);
    CHECK_INT(store_exec(tx, "CREATE TABLE blob_test (i INTEGER PRIMARY KEY, body TEXT)", NULL, 0,
                         NULL),
              LIMES_OK);
    CHECK_INT(store_commit(tx, NULL), LIMES_OK);
    int64_t before = store_sqlite_checkpoints();
    int failures = 0;
    for (int i = 0; i < BLOB_COMMITS; i++)
        failures += insert_blob(i) != LIMES_OK;
    CHECK_INT(failures, 0);
    /* the checkpointer runs on its own thread: give it up to 10 s to have run */
    for (int i = 0; i < 1000 && store_sqlite_checkpoints() == before; i++)
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    int64_t runs = store_sqlite_checkpoints() - before;
    char wal[300];
    snprintf(wal, sizeof wal, "%s-wal", db_path);
    long long wal_bytes = file_size(wal);
    fprintf(stderr, "  %d commits of %d bytes: %lld background checkpoints, WAL %lld bytes\n",
            BLOB_COMMITS, BLOB_BYTES, (long long)runs, wal_bytes);
    CHECK(runs > 0);
    CHECK(wal_bytes > 0);
    CHECK(wal_bytes < (long long)BLOB_COMMITS * BLOB_BYTES / 2); /* restarted, not grown */
    limes_store_close(store);
    CHECK_INT(limes_store_open(db_path, &store, &err), LIMES_OK);
    CHECK_INT(count_rows("SELECT COUNT(*) FROM blob_test"), BLOB_COMMITS);
    CHECK_INT(count_rows("SELECT COUNT(*) FROM blob_test WHERE length(body) = 16384"), BLOB_COMMITS);
    limes_store_close(store);
}

static atomic_bool readers_stop;

/* Short read transactions, one after another, until readers_stop. */
static void *keep_reading(void *arg)
{
    long n = 0;
    while (!atomic_load(&readers_stop)) {
        store_val v[1] = {sv_int(n++ % BLOB_COMMITS)};
        store_tx *tx;
        if (store_begin(store, false, &tx, NULL) != LIMES_OK)
            continue;
        json_t *rows = NULL;
        store_query_json(tx, "SELECT length(body) FROM blob_test WHERE i = $1", v, 1, &rows, NULL);
        json_decref(rows);
        store_rollback(tx);
    }
    return arg;
}

/* Under a writer that never pauses and readers that never stop, the
 * background checkpointer still gets the WAL restarted (it finishes each
 * run holding writers off for a moment): no committer has to checkpoint
 * thousands of pages with every writer waiting. */
static void test_wal_restarts_under_steady_load(void)
{
    limes_error err = {0};
    CHECK_INT(limes_store_open(db_path, &store, &err), LIMES_OK);
    atomic_store(&readers_stop, false);
    pthread_t readers[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&readers[i], NULL, keep_reading, NULL);
    int64_t forced = store_sqlite_committer_checkpoints();
    int64_t runs = store_sqlite_checkpoints();
    int failures = 0;
    for (int i = 0; i < BLOB_COMMITS; i++) {
        store_val v[1] = {sv_int(i)};
        failures += insert("UPDATE blob_test SET body = upper(body) WHERE i = $1", v, 1) != LIMES_OK;
    }
    atomic_store(&readers_stop, true);
    for (int i = 0; i < 2; i++)
        pthread_join(readers[i], NULL);
    forced = store_sqlite_committer_checkpoints() - forced;
    runs = store_sqlite_checkpoints() - runs;
    fprintf(stderr, "  %d commits beside readers: %lld background checkpoints, %lld by a committer\n",
            BLOB_COMMITS, (long long)runs, (long long)forced);
    CHECK_INT(failures, 0);
    CHECK(runs > 0);
    CHECK_INT(forced, 0);
    limes_store_close(store);
}

int main(void)
{
    snprintf(db_path, sizeof db_path, "/var/tmp/limes-test-sqlite-sync-%d.db", (int)getpid());
    remove_db();
    RUN(test_concurrent_commits_share_syncs);
    RUN(test_reads_do_not_sync);
    RUN(test_checkpoints_in_background);
    RUN(test_wal_restarts_under_steady_load);
    RUN(test_concurrent_audit_appends_chain);
    RUN(test_deferred_commits_sync_once);
    RUN(test_deferred_commits_with_audit);
    remove_db();
    return test_summary();
}
