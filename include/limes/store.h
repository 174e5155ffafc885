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

#ifdef __cplusplus
}
#endif
#endif
