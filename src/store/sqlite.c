/*
 * sqlite.c - the embedded SQLite backend of the store interface.
 *
 * Settings follow the measurements in docs (infra.md section 3): WAL
 * journal, foreign keys on, busy timeout, secure delete.  A fixed pool of
 * connections serves the server's threads; write transactions start with
 * BEGIN IMMEDIATE so they queue on the write lock instead of failing
 * half-way, and the threads of one process first queue on a mutex of the
 * pool: SQLite's busy handler polls with sleeps of up to 100 ms, which
 * under concurrent writers (the server under load) made latency jump to
 * seconds (bench/checks, issue 5).  Each connection keeps its prepared
 * statements, keyed by SQL text, so hot queries are parsed once.
 *
 * Group commit.  A commit returned to the caller is on disk, as with
 * synchronous=FULL, but concurrent commits share one fdatasync instead of
 * paying one each (with FULL every commit syncs the WAL while holding the
 * write lock, so the commit rate was the disk's sync rate: bench/checks).
 * The connections run synchronous=NORMAL: COMMIT appends the frames to the
 * WAL with write() and returns without syncing.  sq_commit then releases
 * the write lock (the next writer proceeds) and waits until an fdatasync
 * of the WAL that STARTED AFTER its COMMIT returned has finished: the first
 * waiter syncs for every commit written so far (the leader), the others
 * wait on a condition variable and are released by it, or lead the next
 * sync if theirs came in after the leader started.  The WAL is one
 * sequential file, so a sync covers every earlier commit too: an
 * acknowledged commit never depends on a lost one.
 *
 * Corner cases, and why each is safe:
 * - The WAL file.  Opened by us ONCE, read-write without O_CREAT, after
 *   the first connection has switched the database to WAL (which makes
 *   SQLite create it), by the name SQLite itself uses
 *   (sqlite3_filename_wal).  fdatasync flushes the file (inode), whichever
 *   descriptor names it.  If it cannot be opened, or the database is not
 *   in WAL mode (":memory:"), the pool keeps synchronous=FULL and no group
 *   sync is done.
 * - The same inode for the pool's whole life.  SQLite deletes the WAL only
 *   when the LAST connection to the database closes (or the journal mode
 *   changes, which needs exclusive access): our pool holds its
 *   connections until sq_close.  A WAL restart after a checkpoint rewrites
 *   the same file from the start, and journal_size_limit or
 *   wal_checkpoint(TRUNCATE) shrink it with ftruncate: same inode, our
 *   descriptor stays valid.  A restart rewrites the header with new salts;
 *   frames of the previous generation are invalid after it, and were all
 *   checkpointed (and the database synced) before a restart is allowed.
 * - Checkpoints.  With synchronous=NORMAL SQLite itself syncs the WAL
 *   before a checkpoint copies it into the database, syncs the database
 *   after, and syncs the WAL header when the WAL starts being reused
 *   (https://sqlite.org/pragma.html#pragma_synchronous): nothing a
 *   checkpoint moves depends on our sync.
 * - POSIX locks.  Closing ANY descriptor of a file drops every POSIX lock
 *   the process holds on that file, so a stray close of the database or
 *   -shm file would silently unlock SQLite.  SQLite locks only the
 *   database file (unixLock) and the -shm file (unixShmSystemLock locks
 *   bytes of hShm, the -shm descriptor; os_unix.c), never the -wal file,
 *   so opening and closing our -wal descriptor cannot touch its locks
 *   (/proc/locks under load shows locks on the db and -shm inodes only).
 *   We never open the database or -shm file ourselves.
 * - Visibility before durability.  Another connection can read a commit
 *   between its COMMIT and the sync (the frames are in the page cache).
 *   A WRITE that builds on it commits later in the same WAL, so its own
 *   sync covers both; only a read-only answer can show, for at most one
 *   sync's time, a row that a power loss would take back.  A process crash
 *   (SIGKILL) loses nothing: the frames are in the kernel's page cache.
 * - A failed fdatasync.  After an I/O error Linux may drop the dirty pages
 *   and report success to a later fsync, so the WAL can no longer be
 *   trusted: the failure is latched, the commits it covered and every
 *   later commit report LIMES_STORE, and the store must be reopened.  Such
 *   a commit may still be visible to readers of this process although it
 *   was reported as failed (with synchronous=FULL it would have been
 *   rolled back): the caller was told it is not durable, which is true.
 * - Deferred durability (store_commit_nowait / store_wait_durable, and
 *   limes_store_defer_begin/end: the server, once per request).  The
 *   commit takes its ticket and returns; the wait is the same wait for a
 *   sync that started after it, made later, once for all of a request's
 *   commits.  Tickets are taken after COMMIT returned, so a ticket at or
 *   below a sync's snapshot of `written` was in the WAL before the sync.
 * - Read transactions and rollbacks write nothing to the WAL: no sync.
 *
 * Checkpoints in the background.  SQLite's automatic checkpoint runs
 * inside the COMMIT that takes the WAL past 1,000 pages, so it ran under
 * our write mutex: every writer of the process waited while ~1,000 pages
 * were copied into the database and both files synced.  The pool's
 * connections therefore have a WAL hook instead (which replaces the
 * automatic checkpoint) that only wakes a checkpointer thread with its own
 * connection; it runs PASSIVE checkpoints, which take no write lock, so
 * writers go on meanwhile.  What a checkpoint moves is synced by SQLite as
 * before (the checkpointer connection is synchronous=FULL).  Without group
 * sync (no WAL file) SQLite's automatic checkpoint stays.  If writers
 * outpace it (the WAL reaches CHECKPOINT_BEHIND pages), the committer
 * checkpoints itself, as before.  Under steady writes beside steady reads
 * a PASSIVE run never lets the WAL restart, so the checkpointer finishes
 * each run holding writers off for a moment (checkpoint_once): otherwise
 * that committer's checkpoint came every ~0.6 s at 1,000 checks/s.
 * Commits and syncs are counted (store_sqlite_counts, sqlite_sync.h) for
 * tests and metrics; a commit counts when written under the group sync.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "sqlite_sync.h"
#include "store.h"

#define POOL_SIZE 8
#define STMT_CACHE 96
#define WRITE_WAIT_S 10 /* as the busy timeout */
#define CHECKPOINT_PAGES 1000 /* WAL pages written per background checkpoint (SQLite's own) */
#define CHECKPOINT_BEHIND 4000  /* WAL pages at which the committer checkpoints itself */
#define CATCH_UP_FRAMES 400 /* frames left after a background run that it finishes, writers held */
#define CATCH_UP_WAIT_MS 5  /* how long it then waits for readers of older frames */
#define CATCH_UP_ATTEMPTS 4 /* and how often it tries, if they outlast the wait */

struct cached_stmt {
    char *sql;
    sqlite3_stmt *stmt;
    int nparams;
    int *value_of; /* [i-1] = which $N feeds SQLite parameter i (names looked up once) */
};

struct conn {
    sqlite3 *db;
    int busy;
    bool writing; /* holds the pool's write mutex */
    int64_t changes_at_begin; /* sqlite3_total_changes64 when the transaction began */
    /* BEGIN, BEGIN IMMEDIATE, COMMIT, ROLLBACK prepared once: sqlite3_exec
     * parsed them on every transaction (~3% of a check's CPU, perf). */
    sqlite3_stmt *control[4];
    struct cached_stmt cache[STMT_CACHE];
    int ncache;
};

/* The shared fdatasync of the WAL (group commit, see the top). */
struct group_sync {
    int fd; /* the -wal file; -1: no group sync, the connections run synchronous=FULL */
    pthread_mutex_t lock;
    pthread_cond_t done;
    uint64_t written; /* commits that returned from COMMIT */
    uint64_t synced;  /* the first `synced` of them are on disk */
    bool syncing;     /* a leader is in fdatasync */
    bool failed;      /* an fdatasync failed: nothing later is acknowledged */
};

/* The background checkpointer (see the top). */
struct checkpointer {
    sqlite3 *db; /* its own connection; NULL: not running */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool due;  /* a run is due: CHECKPOINT_PAGES more pages since the last */
    bool stop;
    int next_at; /* WAL pages at which the next run is due (wal_grew, under lock) */
};

struct pool {
    struct conn conns[POOL_SIZE];
    int n;
    pthread_mutex_t lock;
    pthread_cond_t freed;
    pthread_mutex_t write_lock; /* one write transaction at a time in this process */
    struct group_sync sync;
    struct checkpointer ckpt;
};

static atomic_llong durable_commits, wal_syncs; /* process-wide, for store_sqlite_counts */
static atomic_llong checkpoints;              /* background checkpoint runs, likewise */
static atomic_llong committer_checkpoints;    /* run by a committer, writers waiting */

enum control { CTL_BEGIN, CTL_BEGIN_WRITE, CTL_COMMIT, CTL_ROLLBACK };
static const char *const control_sql[] = {"BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"};

struct rows {
    sqlite3_stmt *stmt;
    sqlite3 *db;
};

static limes_rc sql_error(sqlite3 *db, limes_error *err, const char *what)
{
    int code = sqlite3_extended_errcode(db);
    limes_rc rc = LIMES_STORE;
    if ((code & 0xff) == SQLITE_CONSTRAINT)
        rc = LIMES_CONFLICT;
    if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
        rc = LIMES_EXISTS;
    return limes_fail(err, rc, "", "%s: %s", what, sqlite3_errmsg(db));
}

static limes_rc open_conn(struct conn *c, const char *path, limes_error *err)
{
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &c->db, flags, NULL) != SQLITE_OK) {
        limes_rc rc = limes_fail(err, LIMES_STORE, "db", "cannot open database '%s': %s",
                                 path, c->db ? sqlite3_errmsg(c->db) : "out of memory");
        sqlite3_close(c->db);
        c->db = NULL;
        return rc;
    }
    sqlite3_busy_timeout(c->db, 10000);
    /* synchronous=FULL until the pool's group sync is set up (open_group_sync). */
    const char *pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                          "PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;"
                          "PRAGMA journal_size_limit=67108864; PRAGMA cache_size=-16000;"
                          "PRAGMA temp_store=MEMORY; PRAGMA trusted_schema=OFF;";
    if (sqlite3_exec(c->db, pragmas, NULL, NULL, NULL) != SQLITE_OK)
        return sql_error(c->db, err, "cannot configure database");
    for (int i = 0; i < 4; i++) {
        if (sqlite3_prepare_v3(c->db, control_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &c->control[i],
                               NULL) != SQLITE_OK)
            return sql_error(c->db, err, "cannot prepare statement");
    }
    return LIMES_OK;
}

/* Run BEGIN, COMMIT or ROLLBACK on the connection: true on success. */
static bool control(struct conn *c, enum control which)
{
    sqlite3_stmt *st = c->control[which];
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    return r == SQLITE_DONE;
}

static void forget_stmt(struct cached_stmt *cs)
{
    sqlite3_finalize(cs->stmt);
    free(cs->sql);
    free(cs->value_of);
}

static void close_conn(struct conn *c)
{
    for (int i = 0; i < c->ncache; i++)
        forget_stmt(&c->cache[i]);
    c->ncache = 0;
    for (int i = 0; i < 4; i++)
        sqlite3_finalize(c->control[i]);
    sqlite3_close(c->db);
    c->db = NULL;
}

static void stop_checkpointer(struct pool *p);

static void sq_close(void *impl)
{
    struct pool *p = impl;
    if (!p)
        return;
    stop_checkpointer(p);
    if (p->sync.fd >= 0)
        close(p->sync.fd); /* the -wal file: SQLite holds no locks on it (see the top) */
    for (int i = 0; i < p->n; i++)
        close_conn(&p->conns[i]);
    pthread_mutex_destroy(&p->sync.lock);
    pthread_cond_destroy(&p->sync.done);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->freed);
    pthread_mutex_destroy(&p->write_lock);
    pthread_mutex_destroy(&p->ckpt.lock);
    pthread_cond_destroy(&p->ckpt.wake);
    free(p);
}

/* True when the connection's main database is in WAL mode. */
static bool in_wal_mode(sqlite3 *db)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL) != SQLITE_OK)
        return false;
    bool wal = sqlite3_step(st) == SQLITE_ROW &&
               strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
    sqlite3_finalize(st);
    return wal;
}

/*
 * Open the -wal file for the group sync and relax the connections to
 * synchronous=NORMAL; on any failure everything stays synchronous=FULL
 * (each commit syncs itself, as before), which is slower but as durable.
 */
static void open_group_sync(struct pool *p)
{
    sqlite3 *db = p->conns[0].db;
    sqlite3_filename name = sqlite3_db_filename(db, "main");
    if (!name || !*name || !in_wal_mode(db))
        return;
    int fd = open(sqlite3_filename_wal(name), O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return;
    for (int i = 0; i < p->n; i++) {
        if (sqlite3_exec(p->conns[i].db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL) != SQLITE_OK) {
            for (int j = 0; j <= i; j++)
                sqlite3_exec(p->conns[j].db, "PRAGMA synchronous=FULL", NULL, NULL, NULL);
            close(fd);
            return;
        }
    }
    p->sync.fd = fd;
}

/*
 * One background checkpoint.  PASSIVE first: it copies what no reader
 * still needs and never waits for a lock, so writers go on.  But frames
 * they add meanwhile keep the WAL from restarting (SQLite rewinds it only
 * when a writer finds every frame copied), so alone it never caught up
 * under steady load: the WAL reached CHECKPOINT_BEHIND every ~0.6 s at
 * 1,000 checks/s and a committer checkpointed 4,000 pages with every
 * writer waiting, tens of milliseconds (strace beside slow answers,
 * bench/RESULTS.md, session 8).  So when it has caught up but for a few
 * frames, it holds writers off for a moment and finishes with RESTART:
 * the rest is copied, old readers get CATCH_UP_WAIT_MS to finish, and the
 * next writer starts the WAL from its beginning.  If one outlasts the wait
 * (a descheduled thread on a busy machine), writers go on for a moment and
 * it tries again, a few times.
 */
static void checkpoint_once(struct pool *p)
{
    sqlite3 *db = p->ckpt.db;
    for (int attempt = 0; attempt < CATCH_UP_ATTEMPTS; attempt++) {
        int frames = 0, copied = 0;
        int rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, &frames, &copied);
        atomic_fetch_add(&checkpoints, 1);
        if (rc != SQLITE_OK || frames - copied > CATCH_UP_FRAMES)
            return; /* far behind: the next run, CHECKPOINT_PAGES later, goes on */
        pthread_mutex_lock(&p->write_lock);
        rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_RESTART, NULL, NULL);
        pthread_mutex_unlock(&p->write_lock);
        if (rc != SQLITE_BUSY)
            return;
        /* a reader of older frames outlasted the wait (a busy machine):
           let writers go on a moment, then try again */
        nanosleep(&(struct timespec){0, CATCH_UP_WAIT_MS * 1000000L}, NULL);
    }
}

/* Run a checkpoint each time wal_grew says one is due, until stopped. */
static void *checkpoint_loop(void *arg)
{
    struct pool *p = arg;
    struct checkpointer *k = &p->ckpt;
    pthread_mutex_lock(&k->lock);
    for (;;) {
        while (!k->due && !k->stop)
            pthread_cond_wait(&k->wake, &k->lock);
        if (k->stop)
            break;
        k->due = false;
        pthread_mutex_unlock(&k->lock);
        checkpoint_once(p);
        pthread_mutex_lock(&k->lock);
    }
    pthread_mutex_unlock(&k->lock);
    return NULL;
}

/*
 * WAL hook of the pool's connections: called after each commit, in place
 * of the automatic checkpoint.  A checkpoint that runs beside writers may
 * never catch up with them all (the WAL restarts from its beginning only
 * once every frame is copied), so a WAL far behind is checkpointed by the
 * committer itself, as SQLite would: writers wait, and the WAL stays bounded.
 */
static int wal_grew(void *arg, sqlite3 *db, const char *name, int pages)
{
    struct checkpointer *k = arg;
    if (pages >= CHECKPOINT_BEHIND) {
        sqlite3_wal_checkpoint(db, name);
        atomic_fetch_add(&committer_checkpoints, 1);
        return SQLITE_OK;
    }
    if (pages < CHECKPOINT_PAGES)
        return SQLITE_OK;
    /* once per CHECKPOINT_PAGES written: each run syncs both files, so one
       per commit past the mark (as SQLite's own would be) costs more than it moves */
    pthread_mutex_lock(&k->lock);
    if (k->next_at < CHECKPOINT_PAGES || pages + CHECKPOINT_PAGES < k->next_at)
        k->next_at = CHECKPOINT_PAGES; /* first time, or the WAL has restarted */
    if (pages >= k->next_at) {
        k->next_at = pages + CHECKPOINT_PAGES;
        k->due = true;
        pthread_cond_signal(&k->wake);
    }
    pthread_mutex_unlock(&k->lock);
    return SQLITE_OK;
}

/* Start the checkpointer; if it cannot start, SQLite's automatic checkpoint stays. */
static void start_checkpointer(struct pool *p, const char *path)
{
    struct conn c = {0};
    limes_error ignored = {0};
    if (open_conn(&c, path, &ignored) != LIMES_OK) {
        close_conn(&c);
        return;
    }
    p->ckpt.db = c.db;
    sqlite3_busy_timeout(c.db, CATCH_UP_WAIT_MS); /* RESTART waits no longer, writers held */
    for (int i = 0; i < 4; i++)
        sqlite3_finalize(c.control[i]);
    if (pthread_create(&p->ckpt.thread, NULL, checkpoint_loop, p) != 0) {
        sqlite3_close(p->ckpt.db);
        p->ckpt.db = NULL;
        return;
    }
    pthread_setname_np(p->ckpt.thread, "limes-checkpoint");
    for (int i = 0; i < p->n; i++)
        sqlite3_wal_hook(p->conns[i].db, wal_grew, &p->ckpt);
}

static void stop_checkpointer(struct pool *p)
{
    if (!p->ckpt.db)
        return;
    for (int i = 0; i < p->n; i++) /* no commit may wake it any more */
        sqlite3_wal_hook(p->conns[i].db, NULL, NULL);
    pthread_mutex_lock(&p->ckpt.lock);
    p->ckpt.stop = true;
    pthread_cond_signal(&p->ckpt.wake);
    pthread_mutex_unlock(&p->ckpt.lock);
    pthread_join(p->ckpt.thread, NULL);
    sqlite3_close(p->ckpt.db);
    p->ckpt.db = NULL;
}

static limes_rc sq_open(const char *path, void **impl, limes_error *err)
{
    if (strncmp(path, "sqlite:", 7) == 0)
        path += 7;
    struct pool *p = calloc(1, sizeof *p);
    if (!p)
        return LIMES_NOMEM;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->freed, NULL);
    pthread_mutex_init(&p->write_lock, NULL);
    pthread_mutex_init(&p->sync.lock, NULL);
    pthread_cond_init(&p->sync.done, NULL);
    pthread_mutex_init(&p->ckpt.lock, NULL);
    pthread_cond_init(&p->ckpt.wake, NULL);
    p->sync.fd = -1;
    /* The first connection creates the file and switches it to WAL alone. */
    for (int i = 0; i < POOL_SIZE; i++) {
        limes_rc rc = open_conn(&p->conns[i], path, err);
        if (rc) {
            p->n = i + 1;
            sq_close(p);
            return rc;
        }
        p->n = i + 1;
    }
    open_group_sync(p);
    if (p->sync.fd >= 0)
        start_checkpointer(p, path);
    *impl = p;
    return LIMES_OK;
}

static struct conn *take_conn(struct pool *p)
{
    pthread_mutex_lock(&p->lock);
    for (;;) {
        for (int i = 0; i < p->n; i++) {
            if (!p->conns[i].busy) {
                p->conns[i].busy = 1;
                pthread_mutex_unlock(&p->lock);
                return &p->conns[i];
            }
        }
        pthread_cond_wait(&p->freed, &p->lock);
    }
}

static void give_conn(struct pool *p, struct conn *c)
{
    if (c->writing) {
        c->writing = false;
        pthread_mutex_unlock(&p->write_lock);
    }
    pthread_mutex_lock(&p->lock);
    c->busy = 0;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}

static limes_rc sq_begin(void *impl, bool write, void **out, limes_error *err)
{
    struct pool *p = impl;
    /* The write lock first, then a connection: a queued writer holds no
     * connection.  Bounded like SQLite's busy timeout, so that a writer
     * that never finishes gives errors, as before, not a hang. */
    if (write) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += WRITE_WAIT_S;
        if (pthread_mutex_timedlock(&p->write_lock, &until) != 0)
            return limes_fail(err, LIMES_STORE, "", "cannot begin transaction: database is busy");
    }
    struct conn *c = take_conn(p);
    c->writing = write;
    c->changes_at_begin = sqlite3_total_changes64(c->db);
    if (!control(c, write ? CTL_BEGIN_WRITE : CTL_BEGIN)) {
        limes_rc rc = sql_error(c->db, err, "cannot begin transaction");
        give_conn(impl, c);
        return rc;
    }
    *out = c;
    return LIMES_OK;
}

/* A ticket for a commit that has just returned from COMMIT: commits are
 * numbered in the order they were written to the WAL. */
static uint64_t take_ticket(struct group_sync *g)
{
    pthread_mutex_lock(&g->lock);
    uint64_t mine = ++g->written;
    pthread_mutex_unlock(&g->lock);
    atomic_fetch_add(&durable_commits, 1);
    return mine;
}

/*
 * Wait until a sync that started after commit `mine` was written has
 * finished, leading one if none is running (group commit, see the top).
 */
static limes_rc wait_ticket(struct group_sync *g, uint64_t mine, limes_error *err)
{
    pthread_mutex_lock(&g->lock);
    while (g->synced < mine && !g->failed) {
        if (g->syncing) {
            pthread_cond_wait(&g->done, &g->lock);
            continue;
        }
        g->syncing = true;
        uint64_t upto = g->written;
        pthread_mutex_unlock(&g->lock);
        int r = fdatasync(g->fd);
        atomic_fetch_add(&wal_syncs, 1);
        pthread_mutex_lock(&g->lock);
        g->syncing = false;
        if (r == 0)
            g->synced = upto;
        else
            g->failed = true;
        pthread_cond_broadcast(&g->done);
    }
    bool durable = g->synced >= mine;
    pthread_mutex_unlock(&g->lock);
    if (!durable)
        return limes_fail(err, LIMES_STORE, "",
                          "commit not durable: syncing the WAL failed; reopen the store");
    return LIMES_OK;
}

/* COMMIT and give the connection back; *ticket = the commit's number for
 * wait_ticket, 0 when there is nothing to wait for (nothing written, or
 * synchronous=FULL made COMMIT sync itself). */
static limes_rc commit_written(struct pool *p, struct conn *c, uint64_t *ticket,
                               limes_error *err)
{
    *ticket = 0;
    if (!control(c, CTL_COMMIT)) {
        limes_rc rc = sql_error(c->db, err, "commit failed");
        control(c, CTL_ROLLBACK);
        give_conn(p, c);
        return rc;
    }
    bool wrote = c->writing || sqlite3_total_changes64(c->db) != c->changes_at_begin;
    give_conn(p, c); /* the next writer may go on while this one waits for the disk */
    if (!wrote)
        return LIMES_OK;
    if (p->sync.fd < 0) { /* synchronous=FULL: COMMIT synced */
        atomic_fetch_add(&durable_commits, 1);
        return LIMES_OK;
    }
    *ticket = take_ticket(&p->sync);
    return LIMES_OK;
}

static limes_rc sq_commit(void *impl, void *conn, limes_error *err)
{
    uint64_t ticket;
    limes_rc rc = commit_written(impl, conn, &ticket, err);
    if (rc || !ticket)
        return rc;
    return wait_ticket(&((struct pool *)impl)->sync, ticket, err);
}

/* Deferred durability (store.h): the commit, then the wait, apart. */
static limes_rc sq_commit_nowait(void *impl, void *conn, uint64_t *ticket, limes_error *err)
{
    return commit_written(impl, conn, ticket, err);
}

static limes_rc sq_wait_durable(void *impl, uint64_t ticket, limes_error *err)
{
    struct pool *p = impl;
    return ticket && p->sync.fd >= 0 ? wait_ticket(&p->sync, ticket, err) : LIMES_OK;
}

int64_t store_sqlite_checkpoints(void) { return atomic_load(&checkpoints); }
int64_t store_sqlite_committer_checkpoints(void) { return atomic_load(&committer_checkpoints); }

void store_sqlite_counts(int64_t *commits, int64_t *syncs)
{
    *commits = atomic_load(&durable_commits);
    *syncs = atomic_load(&wal_syncs);
}

static void sq_rollback(void *impl, void *conn)
{
    control(conn, CTL_ROLLBACK);
    give_conn(impl, conn);
}

/* Map each SQLite parameter to its $N once, at prepare time: looking names
 * up per bind costs time quadratic in the number of parameters. */
static bool map_params(struct cached_stmt *cs)
{
    cs->nparams = sqlite3_bind_parameter_count(cs->stmt);
    cs->value_of = calloc((size_t)cs->nparams + 1, sizeof *cs->value_of);
    if (!cs->value_of)
        return false;
    for (int i = 1; i <= cs->nparams; i++) {
        const char *name = sqlite3_bind_parameter_name(cs->stmt, i);
        cs->value_of[i - 1] = name && (name[0] == '$' || name[0] == '?') ? atoi(name + 1) : 0;
    }
    return true;
}

/*
 * The statement text SQLite parses: "$N" outside quotes becomes "?N".  Both
 * name parameter N, but SQLite's parser looks every "$N" name up in a list
 * of the names seen so far (time quadratic in the parameters of one
 * statement: ~8% of the bulk crossing path's instructions at 200-row chunks)
 * while an ascending "?N" is appended directly.  Caller frees.
 */
static char *positional_sql(const char *sql)
{
    char *out = strdup(sql);
    char quote = 0;
    for (char *p = out; out && *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
        } else if (*p == '$' && p[1] >= '0' && p[1] <= '9') {
            *p = '?';
        }
    }
    return out;
}

/* A prepared statement for sql, from the connection's cache when possible. */
static struct cached_stmt *prepare(struct conn *c, const char *sql, limes_error *err)
{
    for (int i = 0; i < c->ncache; i++) {
        if (strcmp(c->cache[i].sql, sql) == 0) {
            sqlite3_reset(c->cache[i].stmt);
            sqlite3_clear_bindings(c->cache[i].stmt);
            return &c->cache[i];
        }
    }
    struct cached_stmt cs = {0};
    char *text = positional_sql(sql);
    if (!text) {
        limes_fail(err, LIMES_NOMEM, "", "out of memory");
        return NULL;
    }
    int prepared = sqlite3_prepare_v3(c->db, text, -1, SQLITE_PREPARE_PERSISTENT, &cs.stmt, NULL);
    free(text);
    if (prepared != SQLITE_OK) {
        sql_error(c->db, err, "cannot prepare statement");
        return NULL;
    }
    cs.sql = strdup(sql);
    if (!cs.sql || !map_params(&cs)) {
        forget_stmt(&cs);
        limes_fail(err, LIMES_NOMEM, "", "out of memory");
        return NULL;
    }
    if (c->ncache == STMT_CACHE) { /* full: evict the oldest */
        forget_stmt(&c->cache[0]);
        memmove(c->cache, c->cache + 1, sizeof c->cache[0] * (STMT_CACHE - 1));
        c->ncache--;
    }
    c->cache[c->ncache] = cs;
    return &c->cache[c->ncache++];
}

static limes_rc bind_params(sqlite3 *db, const struct cached_stmt *cs, const store_val *p,
                            int n, limes_error *err)
{
    for (int i = 1; i <= cs->nparams; i++) {
        int k = cs->value_of[i - 1];
        if (k == 0 && !sqlite3_bind_parameter_name(cs->stmt, i))
            continue; /* "?N" numbering skips a number the statement does not use */
        if (k < 1 || k > n)
            return limes_fail(err, LIMES_INTERNAL, "", "statement parameter %d has no value", i);
        const store_val *v = &p[k - 1];
        int r = SQLITE_OK;
        switch (v->type) {
        case SV_NULL: r = sqlite3_bind_null(cs->stmt, i); break;
        case SV_INT: r = sqlite3_bind_int64(cs->stmt, i, v->i); break;
        case SV_REAL: r = sqlite3_bind_double(cs->stmt, i, v->r); break;
        case SV_TEXT: r = sqlite3_bind_text(cs->stmt, i, v->s, -1, SQLITE_STATIC); break;
        }
        if (r != SQLITE_OK)
            return sql_error(db, err, "cannot bind parameter");
    }
    return LIMES_OK;
}

static limes_rc sq_exec(void *conn, const char *sql, const store_val *params, int n,
                        int64_t *changes, limes_error *err)
{
    struct conn *c = conn;
    struct cached_stmt *cs = prepare(c, sql, err);
    if (!cs)
        return err ? err->rc : LIMES_STORE;
    limes_rc rc = bind_params(c->db, cs, params, n, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = cs->stmt;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        ;
    if (r != SQLITE_DONE)
        rc = sql_error(c->db, err, "statement failed");
    *changes = sqlite3_changes64(c->db);
    sqlite3_reset(st);
    return rc;
}

/* The rowid of the connection's last INSERT: the table's `id` (an INTEGER
 * PRIMARY KEY is the rowid).  No table of ours has an insert trigger that
 * could change it in between. */
static int64_t sq_last_id(void *conn)
{
    return sqlite3_last_insert_rowid(((struct conn *)conn)->db);
}

static limes_rc sq_exec_script(void *conn, const char *sql, limes_error *err)
{
    struct conn *c = conn;
    if (sqlite3_exec(c->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return sql_error(c->db, err, "schema statement failed");
    return LIMES_OK;
}

static limes_rc sq_query(void *conn, const char *sql, const store_val *params, int n,
                         void **out, limes_error *err)
{
    struct conn *c = conn;
    struct cached_stmt *cs = prepare(c, sql, err);
    if (!cs)
        return err ? err->rc : LIMES_STORE;
    limes_rc rc = bind_params(c->db, cs, params, n, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = cs->stmt;
    struct rows *r = malloc(sizeof *r);
    if (!r)
        return LIMES_NOMEM;
    r->stmt = st;
    r->db = c->db;
    *out = r;
    return LIMES_OK;
}

static int sq_next(void *rows, limes_error *err)
{
    struct rows *r = rows;
    int s = sqlite3_step(r->stmt);
    if (s == SQLITE_ROW)
        return 1;
    if (s == SQLITE_DONE)
        return 0;
    sql_error(r->db, err, "query failed");
    return -1;
}

static int sq_ncols(void *rows) { return sqlite3_column_count(((struct rows *)rows)->stmt); }

static const char *sq_col_name(void *rows, int c)
{
    return sqlite3_column_name(((struct rows *)rows)->stmt, c);
}

static bool sq_col_is_null(void *rows, int c)
{
    return sqlite3_column_type(((struct rows *)rows)->stmt, c) == SQLITE_NULL;
}

static int64_t sq_col_int(void *rows, int c)
{
    return sqlite3_column_int64(((struct rows *)rows)->stmt, c);
}

static double sq_col_real(void *rows, int c)
{
    return sqlite3_column_double(((struct rows *)rows)->stmt, c);
}

static const char *sq_col_text(void *rows, int c)
{
    return (const char *)sqlite3_column_text(((struct rows *)rows)->stmt, c);
}

static store_val_type sq_col_type(void *rows, int c)
{
    switch (sqlite3_column_type(((struct rows *)rows)->stmt, c)) {
    case SQLITE_INTEGER: return SV_INT;
    case SQLITE_FLOAT: return SV_REAL;
    case SQLITE_NULL: return SV_NULL;
    default: return SV_TEXT;
    }
}

static void sq_rows_close(void *rows)
{
    struct rows *r = rows;
    sqlite3_reset(r->stmt);
    free(r);
}

static const char *sq_schema_token(const char *token)
{
    if (strcmp(token, "ID") == 0)
        return "INTEGER PRIMARY KEY";
    if (strcmp(token, "BLOB") == 0)
        return "BLOB";
    if (strcmp(token, "BIGINT") == 0)
        return "INTEGER";
    return NULL;
}

const struct store_backend store_sqlite_backend = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .exec = sq_exec,
    .exec_script = sq_exec_script,
    .query = sq_query,
    .next = sq_next,
    .ncols = sq_ncols,
    .col_name = sq_col_name,
    .col_is_null = sq_col_is_null,
    .col_int = sq_col_int,
    .col_real = sq_col_real,
    .col_text = sq_col_text,
    .col_type = sq_col_type,
    .rows_close = sq_rows_close,
    .schema_token = sq_schema_token,
    .commit_nowait = sq_commit_nowait,
    .wait_durable = sq_wait_durable,
    .last_id = sq_last_id,
};
