/*
 * store.h - the one storage interface the library's modules use.
 *
 * Modules never talk to SQLite or libpq.  They open a transaction on the
 * store, run SQL written in the portable subset both backends accept
 * (parameters as $1, $2, ...; no backend date functions: dates are day
 * numbers or epoch milliseconds computed in C), and commit or roll back.
 * Each backend implements struct store_backend, a table of functions; the
 * PostgreSQL backend sits beside the SQLite one without callers changing.
 *
 * Memory: a store_tx belongs to the store until store_commit() or
 * store_rollback() ends it (exactly one of them must be called).  A
 * store_rows belongs to the transaction and must be closed with
 * store_rows_close() before the transaction ends.  Text returned by
 * store_col_text() lives until the next store_rows_next() or close.
 * Strings passed in store_val are borrowed for the duration of the call.
 */
#ifndef LIMES_STORE_INTERNAL_H
#define LIMES_STORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "limes/error.h"
#include "limes/store.h"

typedef enum store_val_type { SV_NULL, SV_INT, SV_REAL, SV_TEXT } store_val_type;

typedef struct store_val {
    store_val_type type;
    int64_t i;
    double r;
    const char *s; /* SV_TEXT: NUL-terminated, borrowed */
} store_val;

static inline store_val sv_null(void) { return (store_val){.type = SV_NULL}; }
static inline store_val sv_int(int64_t i) { return (store_val){.type = SV_INT, .i = i}; }
static inline store_val sv_real(double r) { return (store_val){.type = SV_REAL, .r = r}; }
static inline store_val sv_text(const char *s)
{
    return s ? (store_val){.type = SV_TEXT, .s = s} : sv_null();
}

typedef struct store_tx store_tx;
typedef struct store_rows store_rows;
struct buf;

/* One table's rows for store_copy_many (see below). */
typedef struct store_copy_job {
    const char *table, *cols; /* as for store_copy */
    int ncols, nrows;
    const store_val *vals; /* nrows * ncols, row-major, borrowed */
    bool unread; /* tx reads none of these rows before it ends: they may be
                    loaded apart, invisible to tx until commit */
} store_copy_job;

/* The table of functions a backend provides.  `conn` is backend-private. */
struct store_backend {
    const char *name;
    limes_rc (*open)(const char *url, void **impl, limes_error *err);
    void (*close)(void *impl);
    /* Take a connection and begin; write=true takes the write lock at once. */
    limes_rc (*begin)(void *impl, bool write, void **conn, limes_error *err);
    limes_rc (*commit)(void *impl, void *conn, limes_error *err);
    void (*rollback)(void *impl, void *conn);
    /* Run a statement that returns no rows; *changes = rows affected. */
    limes_rc (*exec)(void *conn, const char *sql, const store_val *params, int n,
                     int64_t *changes, limes_error *err);
    /* Run a script of several statements without parameters (migrations). */
    limes_rc (*exec_script)(void *conn, const char *sql, limes_error *err);
    limes_rc (*query)(void *conn, const char *sql, const store_val *params, int n,
                      void **rows, limes_error *err);
    /* 1 = a row is ready, 0 = no more rows, <0 = error (set in err). */
    int (*next)(void *rows, limes_error *err);
    int (*ncols)(void *rows);
    const char *(*col_name)(void *rows, int col);
    bool (*col_is_null)(void *rows, int col);
    int64_t (*col_int)(void *rows, int col);
    double (*col_real)(void *rows, int col);
    const char *(*col_text)(void *rows, int col);
    /* Column type hint: SV_INT, SV_REAL, SV_TEXT or SV_NULL. */
    store_val_type (*col_type)(void *rows, int col);
    void (*rows_close)(void *rows);
    /* Translate the portable schema tokens ({{ID}} and so on) for this backend. */
    const char *(*schema_token)(const char *token);
    /*
     * Bulk loads (optional: NULL means store.c does it with portable SQL).
     * reserve_ids: set aside n consecutive values of table's id column for
     *   rows the caller inserts with explicit ids; *first = the first one.
     * copy_in: load nrows rows of ncols values each (vals row-major) into
     *   table's columns `cols` ("a, b, c"), e.g. with COPY.
     * skip_key_checks: switch this transaction's per-row foreign-key checks
     *   off (skip) or back on; true if they are now off.  A caller that
     *   switches them off checks the keys of what it wrote itself.
     */
    limes_rc (*reserve_ids)(void *conn, const char *table, int64_t n, int64_t *first,
                            limes_error *err);
    limes_rc (*copy_in)(void *conn, const char *table, const char *cols, int ncols,
                        const store_val *vals, int nrows, limes_error *err);
    bool (*skip_key_checks)(void *conn, bool skip);
    /*
     * Deferred durability (optional: NULL means commit is durable when it
     * returns, as on PostgreSQL).
     * commit_nowait: commit like commit, but return once the transaction is
     *   written and visible, before it is durable; *ticket names it for
     *   wait_durable (0: nothing to wait for).
     * wait_durable: return once the commit named by ticket, and every
     *   commit written before it, is durable (an error if it cannot be).
     */
    limes_rc (*commit_nowait)(void *impl, void *conn, uint64_t *ticket, limes_error *err);
    limes_rc (*wait_durable)(void *impl, uint64_t ticket, limes_error *err);
    /* copy_many: copy_in of several tables, possibly at once over a second
     * connection joined to this transaction (optional: NULL, one by one). */
    limes_rc (*copy_many)(void *impl, void *conn, const struct store_copy_job *jobs, int n,
                          limes_error *err);
    /* array_param: keys as the text of one array parameter, written into
     * text, and the SQL type to cast it to in *type (optional: NULL means
     * store_in_list writes an IN-list of parameters). */
    limes_rc (*array_param)(const store_val *keys, int n, struct buf *text, const char **type);
    /* index_reads: plan this transaction's reads as index look-ups (on) or
     * as usual again (optional: NULL means nothing to do). */
    limes_rc (*index_reads)(void *conn, bool on, limes_error *err);
    /* last_id: the key of the row the connection's last INSERT added
     * (optional: NULL means store_insert_id asks with RETURNING id). */
    int64_t (*last_id)(void *conn);
};

limes_rc store_begin(limes_store *s, bool write, store_tx **tx, limes_error *err);
limes_rc store_commit(store_tx *tx, limes_error *err);
void store_rollback(store_tx *tx);

/*
 * One durability wait for several commits.  store_commit_nowait ends tx
 * like store_commit but may return before the commit is durable; *ticket
 * (0 when there is nothing to wait for) goes to store_wait_durable, which
 * returns once that commit and every commit written before it are
 * durable.  Until then nobody may be told that the commit happened
 * (other transactions can already read it, as after any commit).  Inside
 * limes_store_defer_begin/end (limes/store.h) store_commit itself defers.
 */
limes_rc store_commit_nowait(store_tx *tx, uint64_t *ticket, limes_error *err);
limes_rc store_wait_durable(limes_store *s, uint64_t ticket, limes_error *err);

/*
 * Group writes (group.c).  store_write_grouped runs fn(tx, arg, err) in a
 * write transaction that the jobs of concurrent callers share (one lock,
 * one commit, one sync for all), and returns fn's outcome once that
 * transaction is durable - or, inside limes_store_defer_begin/end, once it
 * is committed, the deferred wait covering it.  If fn fails, its work is
 * rolled back and no other job's with it.  fn must write only through tx,
 * may be run more than once (it sets its outputs every time), and runs on
 * whichever caller's thread leads the batch: no thread-local state, no
 * transaction of the caller's own open meanwhile.
 */
typedef limes_rc (*store_job_fn)(store_tx *tx, void *arg, limes_error *err);
limes_rc store_write_grouped(limes_store *s, store_job_fn fn, void *arg, limes_error *err);
/*
 * store_write_expect: this thread will call store_write_grouped on s soon
 * (a first-line check, before its reads and screening), so a batch being
 * gathered may wait a moment for it.  store_write_grouped takes the
 * announcement back; store_write_unexpect withdraws it if the write will
 * not come (a no-op otherwise).  A thread announces one write at a time.
 */
void store_write_expect(limes_store *s);
void store_write_unexpect(limes_store *s);
/*
 * store_write_async: store_write_grouped without waiting.  The job is
 * queued and the call returns; done(done_arg, rc, err) is called once, on
 * the store's writer thread, when the job's transaction is durable (rc 0)
 * or has failed (rc and err: fn's, the transaction's or the disk's).  arg
 * and done_arg must stay valid until then.  done runs no store call that
 * waits for a write (it would wait for its own thread): it hands the
 * outcome on.  limes_store_close settles every queued job first.
 */
typedef void (*store_done_fn)(void *done_arg, limes_rc rc, const limes_error *err);
void store_write_async(limes_store *s, store_job_fn fn, void *arg, store_done_fn done,
                       void *done_arg);
/* How long a leader waits for announced writes (microseconds; 1,000 by
 * default, 0 = not at all): for tests and tuning. */
void store_write_set_gather(limes_store *s, long us);

limes_rc store_exec(store_tx *tx, const char *sql, const store_val *params, int n,
                    limes_error *err);
/* Like store_exec, also reporting the number of rows changed. */
limes_rc store_exec_changes(store_tx *tx, const char *sql, const store_val *params, int n,
                            int64_t *changes, limes_error *err);
limes_rc store_query(store_tx *tx, const char *sql, const store_val *params, int n,
                     store_rows **rows, limes_error *err);
int store_rows_next(store_rows *rows, limes_error *err);
bool store_col_is_null(store_rows *rows, int col);
int64_t store_col_int(store_rows *rows, int col);
double store_col_real(store_rows *rows, int col);
const char *store_col_text(store_rows *rows, int col); /* "" for NULL */
void store_rows_close(store_rows *rows);

/*
 * Conveniences built on the calls above.
 * store_query_int: first column of the first row; LIMES_NOT_FOUND if no row.
 * store_query_json: every row as a JSON object keyed by column name; the
 *   caller owns the returned array.  Columns whose name ends in "_json" are
 *   parsed as JSON and the suffix dropped from the key.
 */
limes_rc store_query_int(store_tx *tx, const char *sql, const store_val *params, int n,
                         int64_t *out, limes_error *err);
/*
 * store_insert_id: run `sql`, an INSERT of exactly one row into a table
 * keyed by an `id` column, without a RETURNING clause; *id = the new
 * row's id.  On SQLite the key comes from the connection (a RETURNING
 * clause costs SQLite a temporary table per statement: a few microseconds
 * per insert, bench/RESULTS.md); elsewhere "RETURNING id" is appended.
 */
limes_rc store_insert_id(store_tx *tx, const char *sql, const store_val *params, int n,
                         int64_t *id, limes_error *err);
limes_rc store_query_json(store_tx *tx, const char *sql, const store_val *params, int n,
                          json_t **out, limes_error *err);
/* The first row as a JSON object (caller owns it); LIMES_NOT_FOUND, with no
 * message, when the query gives no row. */
limes_rc store_query_json_one(store_tx *tx, const char *sql, const store_val *params, int n,
                              json_t **out, limes_error *err);
/* store_query_json in a read transaction of its own. */
limes_rc store_read_json(limes_store *s, const char *sql, const store_val *params, int n,
                         json_t **out, limes_error *err);

/*
 * Bulk loads, for a write transaction.  Table and column names are SQL
 * text written by the caller (never user input).
 * store_reserve_ids: n consecutive ids for explicit inserts into table
 *   (SQLite: above the largest id; the single writer keeps them free).
 * store_copy: insert nrows rows (ncols values each, row-major) into table.
 * store_skip_key_checks: see struct store_backend; false where the backend
 *   keeps checking every row (SQLite: cheap in-process checks).
 */
limes_rc store_reserve_ids(store_tx *tx, const char *table, int64_t n, int64_t *first,
                           limes_error *err);
limes_rc store_copy(store_tx *tx, const char *table, const char *cols, int ncols,
                    const store_val *vals, int nrows, limes_error *err);
/* store_copy of several tables, in any order (the caller has checked their
 * keys: see store_skip_key_checks).  A backend may load the `unread` ones
 * at the same time over a second connection whose work commits or rolls
 * back with tx (PostgreSQL, src/store/pg.c: two-phase commit); all or
 * nothing either way. */
limes_rc store_copy_many(store_tx *tx, const store_copy_job *jobs, int n, limes_error *err);
bool store_skip_key_checks(store_tx *tx, bool skip);

/*
 * A look-up by many keys: appends to sql the condition that column `col` is
 * one of keys[0..n) (n >= 1; all SV_INT, or all SV_TEXT), its parameters
 * numbered after the *nparams already in params (room for n + 1000 more
 * values: see below), *nparams advanced.  The SQL text depends on the
 * size class of n only, so that the statement stays prepared.
 * PostgreSQL: `col = ANY(CAST((SELECT CAST($k AS TEXT[])) AS TEXT[]))`,
 *   one parameter, the array's text written into `text` (which must live
 *   until the statement has run): one statement text for every n, planned
 *   as an index probe per key.  A long IN-list was parsed and planned value
 *   by value, and - like a plain `= ANY($k)`, whose keys the planner reads
 *   in each custom plan - planned as a scan of the whole table while the
 *   table had no statistics yet or looked small.
 * SQLite: `col IN ($k, ...)`, the list padded by repeating the last key to
 *   16, 64, 256, 512 or 1,000 values (n itself beyond 1,000).
 */
limes_rc store_in_list(store_tx *tx, struct buf *sql, const char *col, const store_val *keys,
                       int n, store_val *params, int *nparams, struct buf *text);
/*
 * One UPDATE for many rows by id: vals holds nrows rows of 1 + ncols values
 * (the id, then the new value of each of cols[], whose SQL types are
 * types[], e.g. "INTEGER"); `fixed` ("" or "col = x, ") is assigned to every
 * row.  PostgreSQL: one array parameter per column, joined in with unnest -
 * one statement text whatever nrows, prepared once; SQLite: a VALUES list
 * (columns column1, column2, ...), one parameter per value.  (A CASE id
 * WHEN ... per column was quadratic: every row updated walked the list.)
 */
#define STORE_UPDATE_MAX_COLS 8
limes_rc store_update_by_id(store_tx *tx, const char *table, const char *fixed,
                            const char *const *cols, const char *const *types, int ncols,
                            const store_val *vals, int nrows, limes_error *err);

/*
 * Until switched off, the reads of tx are planned as index look-ups, for a
 * caller whose reads name few rows of big tables by key (store_in_list)
 * and must not turn into scans of whole tables: PostgreSQL plans the
 * look-ups of store_in_list blind to the keys, so that on a small table it
 * would scan every row against each key in turn (62 ms for 500 keys and
 * 3,500 rows, bench/RESULTS.md); there it sets enable_seqscan off for the
 * rest of the transaction (SET LOCAL).  Nothing on SQLite.
 */
limes_rc store_index_reads(store_tx *tx, bool on, limes_error *err);

const char *store_backend_name(const limes_store *s);

extern const struct store_backend store_sqlite_backend;
#ifdef LIMES_HAVE_PG
extern const struct store_backend store_pg_backend;
#endif

#endif
