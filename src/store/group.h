/*
 * group.h - group writes (group.c), private to src/store: the queue of
 * write jobs of one store, which store.c keeps beside the store and
 * store_write_grouped (store.h) hands its jobs to.
 *
 * Memory: store_group_new's group is owned by its store and freed with it
 * (store_group_free), before the store's backend closes; a job's argument
 * stays the caller's (until `then` is called, for store_group_write_async).
 */
#ifndef LIMES_STORE_GROUP_H
#define LIMES_STORE_GROUP_H

#include "store.h"

struct store_group;

struct store_group *store_group_new(void);
void store_group_free(struct store_group *g);
/* How long a leader waits for announced writes, in microseconds. */
void store_group_set_gather(struct store_group *g, long us);
/* This thread's write to g is coming / will not come (store_write_expect). */
void store_group_expect(struct store_group *g);
void store_group_unexpect(struct store_group *g);
/* Run fn(tx, arg) in a write transaction of s that concurrent jobs share,
 * committed without waiting for the disk: *ticket = the commit to wait for
 * (store_wait_durable), 0 if none.  Returns fn's outcome, or the
 * transaction's if it could not begin or commit. */
limes_rc store_group_write(struct store_group *g, limes_store *s, store_job_fn fn, void *arg,
                           uint64_t *ticket, limes_error *err);
/* Queue fn(tx, arg) like store_group_write and return at once; the group's
 * writer thread (started now if need be) calls then(then_arg, rc, err)
 * once the job is durable or has failed.  Freeing g settles every queued
 * job first. */
void store_group_write_async(struct store_group *g, limes_store *s, store_job_fn fn,
                             void *arg, store_done_fn then, void *then_arg);

#endif
