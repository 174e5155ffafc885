/*
 * sqlite_sync.h - counters of the SQLite backend's group commit
 * (src/store/sqlite.c), for tests and /metrics.
 *
 * Process-wide totals over every SQLite store opened: write transactions
 * committed (written to the WAL; each is acknowledged only after a sync
 * that covers it), and fdatasync calls on the WAL made for them.  With concurrent writers syncs < commits.
 */
#ifndef LIMES_STORE_SQLITE_SYNC_H
#define LIMES_STORE_SQLITE_SYNC_H

#include <stdint.h>

void store_sqlite_counts(int64_t *commits, int64_t *syncs);
/* Checkpoints run by the background checkpointers (process-wide total). */
int64_t store_sqlite_checkpoints(void);
/* Checkpoints a committer ran itself because the WAL had fallen
 * CHECKPOINT_BEHIND pages behind, every writer waiting (process-wide). */
int64_t store_sqlite_committer_checkpoints(void);

#endif
