/*
 * limes/store.h - opening and closing the record store.
 *
 * A store is either an embedded SQLite file (a path) or a PostgreSQL
 * database (a "postgresql://" or "postgres://" URL).  Opening applies every
 * pending schema migration.  Everything else in the library takes the open
 * store as its first argument.
 *
 * Memory: limes_store_open() hands out a store that the caller frees with
 * limes_store_close().  A store may be used from many threads at once.
 */
#ifndef LIMES_STORE_H
#define LIMES_STORE_H

#include <stdint.h>

#include "limes/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct limes_store limes_store;

limes_rc limes_store_open(const char *path_or_url, limes_store **out, limes_error *err);
void limes_store_close(limes_store *store);
/* "sqlite" or "postgresql". */
const char *limes_store_backend(const limes_store *store);
/* Number of schema migrations applied (for `limes db status` and tests). */
int limes_store_migration_count(limes_store *store);
/* A number no other store opened by this process has: caches keyed by a
   store use it, because a closed store's address may be reused. */
uint64_t limes_store_serial(const limes_store *store);

/*
 * One durability wait per unit of work (the server: one request).  After
 * limes_store_defer_begin(), the commits this THREAD makes on the store
 * return as soon as they are written and visible, without waiting for the
 * disk; limes_store_defer_end() then waits once until every one of them
 * is durable, and ends the deferral.  Nothing may be acknowledged to
 * anyone outside before limes_store_defer_end() returned LIMES_OK; if it
 * fails, some of those commits may be lost in a crash.  Other threads can
 * read a deferred commit before it is durable (as between any commit and
 * its sync).  Where every commit is durable on its own (PostgreSQL) the
 * two calls cost nothing.  Calls do not nest.
 */
void limes_store_defer_begin(limes_store *store);
limes_rc limes_store_defer_end(limes_store *store, limes_error *err);

#ifdef __cplusplus
}
#endif
#endif
