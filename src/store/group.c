/*
 * group.c - group writes: the write transactions of concurrent callers of
 * one store merged into one (store_write_grouped, store.h).
 *
 * Why.  Write transactions run one at a time (SQLite's write lock behind
 * the pool's mutex; PostgreSQL's advisory lock, src/store/pg.c), and most
 * of one's cost is fixed: taking the lock, reading back the pages another
 * connection's commit made stale, the WAL frames of the pages every write
 * touches (the audit head, page 1, the right-most leaves), the sync.  A
 * first-line check's write was a third of its CPU, 0.14-0.2 ms of it per
 * transaction (bench/RESULTS.md, session 7: with the write left out the
 * same server answered 2.5 times as many checks).  Twenty writes in one
 * transaction pay that once.
 *
 * How.  A caller queues a job - a function that writes in the transaction
 * it is given and nothing else - and waits.  The first caller to find no
 * batch being written leads: it takes the queued jobs of its store (up to
 * GROUP_MAX, oldest first), runs them in ONE write transaction, commits
 * without waiting for the disk, hands every job its outcome and the
 * commit's ticket, and lets the next leader go.  Each caller then waits
 * for the disk itself (store_write_grouped), so the next batch is written
 * while this one syncs.  A caller that finds no queue leads at once: a
 * lone writer waits for nobody.
 *
 * Gathering.  A batch holds only what queued while the one before was
 * written, and a first-line check reaches its write after ~0.5 ms of
 * reading and screening: at a steady 1,000 checks/s batches were of one or
 * two.  So a caller can announce its write when it starts
 * (store_write_expect; store_write_unexpect if it gives up), and a leader
 * that knows of announced writes not yet queued waits for them, at most
 * GATHER_US (store_write_set_gather), before it takes its batch.  Under load - when checks pile up
 * because the machine runs slowly - the batches grow by themselves and
 * each check's share of the write shrinks.
 *
 * Without waiting (store_write_async).  A caller that must not sleep - an
 * HTTP pool thread serving fifty other connections - queues its job with a
 * function to call once the job is durable, and goes on.  The group's own
 * writer thread, started with the first such job, leads the batches nobody
 * else leads, and settles what was written without waiting: it waits for
 * the disk once for all of them, calls each job's function, and frees the
 * job.  While it waits, new jobs queue: the next batch holds them all.  So
 * at a steady 1,000 checks/s the waiting costs nobody a thread, and the
 * batches can be gathered longer than a caller could afford to sleep.
 *
 * A failing job fails alone: the batch is rolled back and each of its jobs
 * is run again in a transaction of its own.  Jobs are therefore written to
 * be run again from the start (they set every output each time), and they
 * run on the leader's thread: they must not rely on thread-local state or
 * on a transaction of their own caller.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "group.h"

#define GROUP_MAX 64
#define GATHER_US 1000 /* longest a leader waits for announced writes, by default */

/* A job waiting in the queue: on its caller's stack, or, when it has a
 * `then` (store_write_async), the group's, freed once settled. */
struct job {
    store_job_fn fn;
    void *arg;
    store_done_fn then; /* NULL: the caller waits in store_group_write */
    void *then_arg;
    limes_rc rc;
    limes_error err;
    uint64_t ticket;
    bool taken; /* in a batch being written */
    bool done;  /* rc, err and ticket are final */
    struct job *next;
};

struct store_group {
    pthread_mutex_t lock;
    pthread_cond_t done;    /* a batch was written */
    pthread_cond_t arrived; /* a job queued, or an announced write was withdrawn */
    pthread_cond_t wake;    /* work for the writer thread, or time to stop */
    struct job *head, *tail;
    size_t queued;
    size_t expected; /* announced writes not yet queued */
    long gather_us;  /* longest a leader waits for them */
    bool writing;    /* a leader is gathering or writing a batch */
    struct job *written; /* store_write_async's jobs written, to be settled */
    limes_store *store;  /* the writer thread's */
    pthread_t writer;
    bool writer_running;
    bool stopping;
};

/* The group this thread announced a write to (one at most). */
static _Thread_local struct store_group *announced;

struct store_group *store_group_new(void)
{
    struct store_group *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    pthread_condattr_t monotonic; /* gather's deadline does not move with the wall clock */
    pthread_condattr_init(&monotonic);
    pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC);
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->done, NULL);
    pthread_cond_init(&g->arrived, &monotonic);
    pthread_cond_init(&g->wake, NULL);
    pthread_condattr_destroy(&monotonic);
    g->gather_us = GATHER_US;
    return g;
}

void store_group_free(struct store_group *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&g->lock);
    g->stopping = true; /* the writer settles every job queued, then ends */
    pthread_cond_signal(&g->wake);
    pthread_mutex_unlock(&g->lock);
    if (g->writer_running)
        pthread_join(g->writer, NULL);
    pthread_mutex_destroy(&g->lock);
    pthread_cond_destroy(&g->done);
    pthread_cond_destroy(&g->arrived);
    pthread_cond_destroy(&g->wake);
    free(g);
}

void store_group_set_gather(struct store_group *g, long us)
{
    pthread_mutex_lock(&g->lock);
    g->gather_us = us < 0 ? 0 : us;
    pthread_mutex_unlock(&g->lock);
}

void store_group_expect(struct store_group *g)
{
    if (announced)
        return; /* one announcement per thread: it cannot be counted twice */
    pthread_mutex_lock(&g->lock);
    g->expected++;
    announced = g;
    pthread_mutex_unlock(&g->lock);
}

/* Withdraw this thread's announcement to g, if any (g->lock held). */
static void withdraw(struct store_group *g)
{
    if (announced != g)
        return;
    g->expected--;
    announced = NULL;
    pthread_cond_broadcast(&g->arrived);
}

void store_group_unexpect(struct store_group *g)
{
    if (announced != g)
        return;
    pthread_mutex_lock(&g->lock);
    withdraw(g);
    pthread_mutex_unlock(&g->lock);
}

static void set_outcome(struct job *const *jobs, size_t n, limes_rc rc, const limes_error *err,
                   uint64_t ticket)
{
    for (size_t i = 0; i < n; i++) {
        if (rc && !jobs[i]->rc) {
            jobs[i]->rc = rc;
            jobs[i]->err = *err;
        }
        jobs[i]->ticket = ticket;
    }
}

/* Run jobs[0..n) in one write transaction, or each alone if one fails. */
static void write_batch(limes_store *s, struct job *const *jobs, size_t n)
{
    limes_error err = {0};
    store_tx *tx;
    uint64_t ticket = 0;
    for (size_t i = 0; i < n; i++) {
        jobs[i]->rc = LIMES_OK;
        memset(&jobs[i]->err, 0, sizeof jobs[i]->err);
    }
    limes_rc rc = store_begin(s, true, &tx, &err);
    if (rc) {
        set_outcome(jobs, n, rc, &err, 0);
        return;
    }
    size_t i = 0;
    while (i < n && !(rc = jobs[i]->fn(tx, jobs[i]->arg, &jobs[i]->err)))
        i++;
    if (rc) {
        store_rollback(tx);
        if (n == 1) {
            jobs[0]->rc = rc;
            return;
        }
        for (size_t k = 0; k < n; k++) /* a bad job fails alone */
            write_batch(s, &jobs[k], 1);
        return;
    }
    rc = store_commit_nowait(tx, &ticket, &err);
    set_outcome(jobs, n, rc, &err, rc ? 0 : ticket);
}

/* Unlink up to GROUP_MAX queued jobs, oldest first, and mark them taken
 * (g->lock held). */
static size_t take_batch(struct store_group *g, struct job **batch)
{
    size_t n = 0;
    while (g->head && n < GROUP_MAX) {
        struct job *j = g->head;
        g->head = j->next;
        j->taken = true;
        batch[n++] = j;
    }
    if (!g->head)
        g->tail = NULL;
    g->queued -= n;
    return n;
}

/* Wait, at most g->gather_us, for the announced writes to queue (g->lock held). */
static void gather(struct store_group *g)
{
    if (!g->expected || g->queued >= GROUP_MAX || !g->gather_us)
        return;
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += g->gather_us / 1000000;
    until.tv_nsec += g->gather_us % 1000000 * 1000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    while (g->expected && g->queued < GROUP_MAX)
        if (pthread_cond_timedwait(&g->arrived, &g->lock, &until) == ETIMEDOUT)
            break;
}

/* Write one batch (called and returns with g->lock held).  Waiting
 * callers' jobs are done; store_write_async's go to the writer thread to
 * be settled. */
static void lead_batch(struct store_group *g, limes_store *s)
{
    struct job *batch[GROUP_MAX];
    g->writing = true;
    gather(g);
    size_t n = take_batch(g, batch);
    pthread_mutex_unlock(&g->lock);
    write_batch(s, batch, n);
    pthread_mutex_lock(&g->lock);
    for (size_t i = 0; i < n; i++) {
        if (batch[i]->then) {
            batch[i]->next = g->written;
            g->written = batch[i];
        } else {
            batch[i]->done = true;
        }
    }
    g->writing = false;
    pthread_cond_broadcast(&g->done);
    pthread_cond_signal(&g->wake);
}

/* Queue j (g->lock held). */
static void enqueue(struct store_group *g, struct job *j)
{
    if (g->tail)
        g->tail->next = j;
    else
        g->head = j;
    g->tail = j;
    g->queued++;
    withdraw(g); /* the announced write is here (a no-op if there was none) */
    pthread_cond_broadcast(&g->arrived);
    pthread_cond_signal(&g->wake);
}

/* Wait once for the disk to hold every written job of `list`, then tell
 * each its outcome and free it. */
static void settle_written(limes_store *s, struct job *list)
{
    uint64_t upto = 0;
    for (struct job *j = list; j; j = j->next)
        if (!j->rc && j->ticket > upto)
            upto = j->ticket;
    limes_error werr = {0};
    limes_rc wrc = store_wait_durable(s, upto, &werr);
    while (list) {
        struct job *j = list;
        list = j->next;
        if (!j->rc && wrc) {
            j->rc = wrc;
            j->err = werr;
        }
        j->then(j->then_arg, j->rc, &j->err);
        free(j);
    }
}

/* The writer thread: leads the batches nobody else leads, and settles
 * store_write_async's jobs; ends once stopping and nothing is left. */
static void *writer_main(void *arg)
{
    struct store_group *g = arg;
    pthread_mutex_lock(&g->lock);
    for (;;) {
        if (g->written) {
            struct job *list = g->written;
            g->written = NULL;
            pthread_mutex_unlock(&g->lock);
            settle_written(g->store, list);
            pthread_mutex_lock(&g->lock);
        } else if (g->head && !g->writing) {
            lead_batch(g, g->store);
        } else if (g->stopping && !g->head && !g->writing) {
            break;
        } else {
            pthread_cond_wait(&g->wake, &g->lock);
        }
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

void store_group_write_async(struct store_group *g, limes_store *s, store_job_fn fn,
                             void *arg, store_done_fn then, void *then_arg)
{
    struct job *j = calloc(1, sizeof *j);
    limes_error err = {0};
    if (!j) {
        limes_fail(&err, LIMES_NOMEM, "", "out of memory queueing a write");
        then(then_arg, LIMES_NOMEM, &err);
        return;
    }
    *j = (struct job){.fn = fn, .arg = arg, .then = then, .then_arg = then_arg};
    pthread_mutex_lock(&g->lock);
    if (!g->writer_running) {
        g->store = s;
        g->writer_running = pthread_create(&g->writer, NULL, writer_main, g) == 0;
        if (g->writer_running) /* named in top, perf and /proc (else: its creator's name) */
            pthread_setname_np(g->writer, "limes-writer");
    }
    if (!g->writer_running || g->stopping) {
        pthread_mutex_unlock(&g->lock);
        free(j);
        limes_fail(&err, LIMES_UNAVAILABLE, "", "the store's writer is not running");
        then(then_arg, LIMES_UNAVAILABLE, &err);
        return;
    }
    enqueue(g, j);
    pthread_mutex_unlock(&g->lock);
}

limes_rc store_group_write(struct store_group *g, limes_store *s, store_job_fn fn, void *arg,
                           uint64_t *ticket, limes_error *err)
{
    struct job mine = {.fn = fn, .arg = arg};
    pthread_mutex_lock(&g->lock);
    enqueue(g, &mine);
    while (!mine.done) {
        if (g->writing || mine.taken)
            pthread_cond_wait(&g->done, &g->lock);
        else
            lead_batch(g, s);
    }
    pthread_mutex_unlock(&g->lock);
    *ticket = mine.ticket;
    if (mine.rc && err)
        *err = mine.err;
    return mine.rc;
}
