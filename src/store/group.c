/*
 * group.c - group writes: the write transactions of concurrent callers of
 * one store merged into one (store_write_grouped, store.h).
 *
 * Why.  Write transactions run one at a time (SQLite's write lock behind
 * the pool's mutex; PostgreSQL's advisory lock, src/store/pg.c), so under
 * load a server's capacity is that one lane's rate, not its CPUs'.  A
 * first-line check's write (its row, its audit entry, the commit) held
 * the lane long enough that the server answered 2.5 times as many checks
 * with the write left out (bench/RESULTS.md, session 7).  Most of a write
 * transaction's cost is fixed: taking the lock, reading back the pages
 * another connection changed, the audit head, the pages every insert
 * shares, the commit's WAL frames and its sync.  Twenty writes in one
 * transaction pay it once.
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
 * A failing job fails alone: the batch is rolled back and each of its jobs
 * is run again in a transaction of its own.  Jobs are therefore written to
 * be run again from the start (they set every output each time), and they
 * run on the leader's thread: they must not rely on thread-local state or
 * on a transaction of their own caller.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "group.h"

#define GROUP_MAX 64

/* A job waiting in the queue, on its caller's stack. */
struct job {
    store_job_fn fn;
    void *arg;
    limes_rc rc;
    limes_error err;
    uint64_t ticket;
    bool taken; /* in a batch being written */
    bool done;  /* rc, err and ticket are final */
    struct job *next;
};

struct store_group {
    pthread_mutex_t lock;
    pthread_cond_t done;
    struct job *head, *tail;
    bool writing; /* a leader is writing a batch */
};

struct store_group *store_group_new(void)
{
    struct store_group *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->done, NULL);
    return g;
}

void store_group_free(struct store_group *g)
{
    if (!g)
        return;
    pthread_mutex_destroy(&g->lock);
    pthread_cond_destroy(&g->done);
    free(g);
}

static void settle(struct job *const *jobs, size_t n, limes_rc rc, const limes_error *err,
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
        settle(jobs, n, rc, &err, 0);
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
    settle(jobs, n, rc, &err, rc ? 0 : ticket);
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
    return n;
}

/* Write one batch (called and returns with g->lock held). */
static void lead_batch(struct store_group *g, limes_store *s)
{
    struct job *batch[GROUP_MAX];
    size_t n = take_batch(g, batch);
    g->writing = true;
    pthread_mutex_unlock(&g->lock);
    write_batch(s, batch, n);
    pthread_mutex_lock(&g->lock);
    for (size_t i = 0; i < n; i++)
        batch[i]->done = true;
    g->writing = false;
    pthread_cond_broadcast(&g->done);
}

limes_rc store_group_write(struct store_group *g, limes_store *s, store_job_fn fn, void *arg,
                           uint64_t *ticket, limes_error *err)
{
    struct job mine = {.fn = fn, .arg = arg};
    pthread_mutex_lock(&g->lock);
    if (g->tail)
        g->tail->next = &mine;
    else
        g->head = &mine;
    g->tail = &mine;
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
