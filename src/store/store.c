/*
 * store.c - backend selection, transactions and schema migrations.
 *
 * The store picks a backend from the path or URL, then applies the schema
 * migrations compiled into the library (src/store/schema, in the order
 * the build lists them).  Each applied migration is recorded with its
 * SHA-256, so a migration edited after release is detected at start instead
 * of silently diverging between sites.  A migration named
 * NNNN-what.BACKEND.sql (BACKEND as in limes_store_backend: "sqlite",
 * "postgresql") is a step for that backend only - e.g. indexes only one of
 * them can change - and is neither applied nor recorded on the others.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/date.h"
#include "core/embed.h"
#include "core/rand.h"
#include "group.h"
#include "store.h"

extern const struct embedded_file store_migrations[];
extern const size_t store_migrations_count;

struct limes_store {
    const struct store_backend *be;
    void *impl;
    int migrations;
    uint64_t serial; /* limes_store_serial */
    struct store_group *group; /* store_write_grouped's queue (group.c) */
};

static atomic_uint_least64_t last_serial;

struct store_tx {
    limes_store *store;
    void *conn;
};

struct store_rows {
    store_tx *tx;
    void *impl;
};

static const struct store_backend *backend_for(const char *url)
{
    if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
#ifdef LIMES_HAVE_PG
        return &store_pg_backend;
#else
        return NULL;
#endif
    }
    return &store_sqlite_backend;
}

/* Replace {{TOKEN}} markers with the backend's spelling. */
static limes_rc render_schema(const struct store_backend *be, const char *sql, buf *out)
{
    limes_rc rc = LIMES_OK;
    while (*sql && !rc) {
        const char *open = strstr(sql, "{{");
        if (!open)
            return buf_puts(out, sql);
        const char *close = strstr(open, "}}");
        if (!close)
            return LIMES_INTERNAL;
        rc = buf_append(out, sql, (size_t)(open - sql));
        char token[32];
        size_t n = (size_t)(close - open - 2);
        if (n >= sizeof token)
            return LIMES_INTERNAL;
        memcpy(token, open + 2, n);
        token[n] = '\0';
        const char *spelled = be->schema_token(token);
        if (!spelled)
            return LIMES_INTERNAL;
        if (!rc)
            rc = buf_puts(out, spelled);
        sql = close + 2;
    }
    return rc;
}

/* False for a migration of another backend ("NNNN-what.BACKEND.sql"). */
static bool migration_applies(const struct store_backend *be, const char *name)
{
    const char *ext = strrchr(name, '.'), *dot = ext;
    while (dot && dot > name && dot[-1] != '.')
        dot--;
    if (!ext || dot == name) /* no second dot: every backend's */
        return true;
    size_t n = (size_t)(ext - dot);
    return strlen(be->name) == n && strncmp(dot, be->name, n) == 0;
}

static limes_rc apply_migration(limes_store *s, const struct embedded_file *m, limes_error *err)
{
    if (!migration_applies(s->be, m->name))
        return LIMES_OK;
    char sum[65];
    sha256_hex(sum, m->data, m->len);
    store_tx *tx;
    limes_rc rc = store_begin(s, true, &tx, err);
    if (rc)
        return rc;
    store_rows *rows;
    store_val p[] = {sv_text(m->name)};
    rc = store_query(tx, "SELECT checksum FROM schema_migrations WHERE name = $1", p, 1, &rows,
                     err);
    if (rc) {
        store_rollback(tx);
        return rc;
    }
    int have = store_rows_next(rows, err);
    if (have == 1 && strcmp(store_col_text(rows, 0), sum) != 0) {
        store_rows_close(rows);
        store_rollback(tx);
        return limes_fail(err, LIMES_STORE, m->name,
                          "migration %s was changed after it was applied", m->name);
    }
    store_rows_close(rows);
    if (have == 1) {
        store_rollback(tx);
        return LIMES_OK;
    }
    buf sql;
    buf_init(&sql, 4 << 20);
    rc = render_schema(s->be, m->data, &sql);
    if (!rc)
        rc = s->be->exec_script(tx->conn, buf_str(&sql), err);
    buf_release(&sql);
    store_val ins[] = {sv_text(m->name), sv_text(sum), sv_int(time_now_ms())};
    if (!rc)
        rc = store_exec(tx, "INSERT INTO schema_migrations (name, checksum, applied_ms) "
                            "VALUES ($1, $2, $3)", ins, 3, err);
    if (rc) {
        store_rollback(tx);
        if (err && !err->message[0])
            limes_fail(err, rc, m->name, "migration %s failed", m->name);
        return rc;
    }
    return store_commit(tx, err);
}

static limes_rc migrate(limes_store *s, limes_error *err)
{
    store_tx *tx;
    limes_rc rc = store_begin(s, true, &tx, err);
    if (rc)
        return rc;
    rc = s->be->exec_script(tx->conn,
                            "CREATE TABLE IF NOT EXISTS schema_migrations ("
                            " name TEXT PRIMARY KEY, checksum TEXT NOT NULL,"
                            " applied_ms BIGINT NOT NULL)",
                            err);
    if (rc) {
        store_rollback(tx);
        return rc;
    }
    rc = store_commit(tx, err);
    for (size_t i = 0; !rc && i < store_migrations_count; i++)
        rc = apply_migration(s, &store_migrations[i], err);
    if (!rc)
        s->migrations = (int)store_migrations_count;
    return rc;
}

limes_rc limes_store_open(const char *url, limes_store **out, limes_error *err)
{
    *out = NULL;
    if (!url || !*url)
        return limes_fail(err, LIMES_INVALID, "db", "no database path or URL given");
    if (rand_init())
        return limes_fail(err, LIMES_CRYPTO, "", "libsodium failed to initialise");
    const struct store_backend *be = backend_for(url);
    if (!be)
        return limes_fail(err, LIMES_UNSUPPORTED, "db",
                          "this build of limes has no PostgreSQL support");
    limes_store *s = calloc(1, sizeof *s);
    if (!s)
        return LIMES_NOMEM;
    s->be = be;
    s->serial = ++last_serial;
    s->group = store_group_new();
    if (!s->group) {
        free(s);
        return LIMES_NOMEM;
    }
    limes_rc rc = be->open(url, &s->impl, err);
    if (rc) {
        store_group_free(s->group);
        free(s);
        return rc;
    }
    rc = migrate(s, err);
    if (rc) {
        limes_store_close(s);
        return rc;
    }
    *out = s;
    return LIMES_OK;
}

void limes_store_close(limes_store *s)
{
    if (!s)
        return;
    store_group_free(s->group); /* its writer settles what is queued, through the backend */
    s->be->close(s->impl);
    free(s);
}

const char *limes_store_backend(const limes_store *s) { return s->be->name; }
const char *store_backend_name(const limes_store *s) { return s->be->name; }
int limes_store_migration_count(limes_store *s) { return s->migrations; }
uint64_t limes_store_serial(const limes_store *s) { return s->serial; }

limes_rc store_begin(limes_store *s, bool write, store_tx **out, limes_error *err)
{
    store_tx *tx = calloc(1, sizeof *tx);
    if (!tx)
        return LIMES_NOMEM;
    tx->store = s;
    limes_rc rc = s->be->begin(s->impl, write, &tx->conn, err);
    if (rc) {
        free(tx);
        return rc;
    }
    *out = tx;
    return LIMES_OK;
}

/* This thread's deferred commits (limes_store_defer_begin): the store, and
 * the ticket of the latest commit, the one store_wait_durable must cover. */
static _Thread_local struct {
    limes_store *store;
    uint64_t ticket;
} deferred;

limes_rc store_commit_nowait(store_tx *tx, uint64_t *ticket, limes_error *err)
{
    const struct store_backend *be = tx->store->be;
    *ticket = 0;
    limes_rc rc = be->commit_nowait ? be->commit_nowait(tx->store->impl, tx->conn, ticket, err)
                                    : be->commit(tx->store->impl, tx->conn, err);
    free(tx);
    return rc;
}

limes_rc store_wait_durable(limes_store *s, uint64_t ticket, limes_error *err)
{
    return ticket && s->be->wait_durable ? s->be->wait_durable(s->impl, ticket, err) : LIMES_OK;
}

/* Commit `ticket` of s (0: nothing to wait for) made durable before this
 * returns or, when this thread defers its commits on s, left to
 * limes_store_defer_end. */
static limes_rc durable_or_deferred(limes_store *s, uint64_t ticket, limes_error *err)
{
    if (deferred.store != s)
        return store_wait_durable(s, ticket, err);
    if (ticket > deferred.ticket)
        deferred.ticket = ticket;
    return LIMES_OK;
}

limes_rc store_commit(store_tx *tx, limes_error *err)
{
    limes_store *s = tx->store;
    uint64_t ticket;
    limes_rc rc = store_commit_nowait(tx, &ticket, err);
    return rc ? rc : durable_or_deferred(s, ticket, err);
}

limes_rc store_write_grouped(limes_store *s, store_job_fn fn, void *arg, limes_error *err)
{
    uint64_t ticket = 0;
    limes_rc rc = store_group_write(s->group, s, fn, arg, &ticket, err);
    return rc ? rc : durable_or_deferred(s, ticket, err);
}

void store_write_async(limes_store *s, store_job_fn fn, void *arg, store_done_fn done,
                       void *done_arg)
{
    store_group_write_async(s->group, s, fn, arg, done, done_arg);
}

void store_write_expect(limes_store *s) { store_group_expect(s->group); }
void store_write_unexpect(limes_store *s) { store_group_unexpect(s->group); }
void store_write_set_gather(limes_store *s, long us) { store_group_set_gather(s->group, us); }

void limes_store_defer_begin(limes_store *s)
{
    deferred.store = s;
    deferred.ticket = 0;
}

limes_rc limes_store_defer_end(limes_store *s, limes_error *err)
{
    uint64_t ticket = deferred.store == s ? deferred.ticket : 0;
    deferred.store = NULL;
    deferred.ticket = 0;
    return store_wait_durable(s, ticket, err);
}

void store_rollback(store_tx *tx)
{
    if (!tx)
        return;
    tx->store->be->rollback(tx->store->impl, tx->conn);
    free(tx);
}

limes_rc store_exec_changes(store_tx *tx, const char *sql, const store_val *params, int n,
                            int64_t *changes, limes_error *err)
{
    int64_t dummy;
    return tx->store->be->exec(tx->conn, sql, params, n, changes ? changes : &dummy, err);
}

limes_rc store_exec(store_tx *tx, const char *sql, const store_val *params, int n,
                    limes_error *err)
{
    return store_exec_changes(tx, sql, params, n, NULL, err);
}

limes_rc store_query(store_tx *tx, const char *sql, const store_val *params, int n,
                     store_rows **out, limes_error *err)
{
    store_rows *r = calloc(1, sizeof *r);
    if (!r)
        return LIMES_NOMEM;
    r->tx = tx;
    limes_rc rc = tx->store->be->query(tx->conn, sql, params, n, &r->impl, err);
    if (rc) {
        free(r);
        return rc;
    }
    *out = r;
    return LIMES_OK;
}

/* ---- bulk loads ---------------------------------------------------------------- */

limes_rc store_reserve_ids(store_tx *tx, const char *table, int64_t n, int64_t *first,
                           limes_error *err)
{
    const struct store_backend *be = tx->store->be;
    if (be->reserve_ids)
        return be->reserve_ids(tx->conn, table, n, first, err);
    /* SQLite: an INTEGER PRIMARY KEY takes max(id) + 1 when none is given,
     * and the write lock keeps the ids above it free until commit. */
    buf sql;
    buf_init(&sql, 256);
    limes_rc rc = buf_printf(&sql, "SELECT COALESCE(MAX(id), 0) + 1 FROM %s", table);
    if (rc)
        rc = limes_fail(err, rc, "", "table name too long");
    if (!rc)
        rc = store_query_int(tx, buf_str(&sql), NULL, 0, first, err);
    buf_release(&sql);
    return rc;
}

/* Append "$k" (by hand: printf per parameter was a visible cost). */
static limes_rc put_param(buf *sql, int k)
{
    char text[16], *p = text + sizeof text;
    *--p = '\0';
    for (; k > 0; k /= 10)
        *--p = (char)('0' + k % 10);
    *--p = '$';
    return buf_puts(sql, p);
}

/* "INSERT INTO table (cols) VALUES ($1, ..), (..)" for `rows` rows. */
static limes_rc insert_text(buf *sql, const char *table, const char *cols, int ncols, int rows)
{
    buf_reset(sql);
    limes_rc rc = buf_printf(sql, "INSERT INTO %s (%s) VALUES ", table, cols);
    for (int r = 0, k = 0; r < rows && !rc; r++) {
        rc = buf_puts(sql, r ? ", (" : "(");
        for (int c = 0; c < ncols && !rc; c++)
            if (!(rc = c ? buf_puts(sql, ", ") : LIMES_OK))
                rc = put_param(sql, ++k);
        if (!rc)
            rc = buf_putc(sql, ')');
    }
    return rc;
}

/*
 * Portable copy: INSERTs of COPY_ROWS rows (fewer for the rest), whose text
 * repeats, so the backend's statement cache parses each once.  Single-row
 * statements cost SQLite ~4k instructions each in statement set-up and halt
 * (callgrind); 64 rows share that.
 */
#define COPY_ROWS 64
static limes_rc copy_by_insert(store_tx *tx, const char *table, const char *cols, int ncols,
                               const store_val *vals, int nrows, limes_error *err)
{
    int per = ncols * COPY_ROWS <= 999 ? COPY_ROWS : 999 / ncols; /* SQLite's oldest limit */
    buf full, rest;
    buf_init(&full, 1 << 20);
    buf_init(&rest, 1 << 20);
    limes_rc rc = insert_text(&full, table, cols, ncols, nrows < per ? nrows : per);
    if (!rc && nrows > per && nrows % per)
        rc = insert_text(&rest, table, cols, ncols, nrows % per);
    if (rc)
        rc = limes_fail(err, rc, "", "bulk insert statement too large");
    for (int done = 0; done < nrows && !rc; done += per) {
        int rows = nrows - done < per ? nrows - done : per;
        rc = store_exec(tx, buf_str(rows == per || nrows < per ? &full : &rest),
                        vals + (size_t)done * (size_t)ncols, rows * ncols, err);
    }
    buf_release(&full);
    buf_release(&rest);
    return rc;
}

limes_rc store_copy(store_tx *tx, const char *table, const char *cols, int ncols,
                    const store_val *vals, int nrows, limes_error *err)
{
    if (nrows <= 0)
        return LIMES_OK;
    const struct store_backend *be = tx->store->be;
    if (be->copy_in)
        return be->copy_in(tx->conn, table, cols, ncols, vals, nrows, err);
    return copy_by_insert(tx, table, cols, ncols, vals, nrows, err);
}

limes_rc store_copy_many(store_tx *tx, const store_copy_job *jobs, int n, limes_error *err)
{
    const struct store_backend *be = tx->store->be;
    if (be->copy_many)
        return be->copy_many(tx->store->impl, tx->conn, jobs, n, err);
    limes_rc rc = LIMES_OK;
    for (int i = 0; i < n && !rc; i++)
        rc = store_copy(tx, jobs[i].table, jobs[i].cols, jobs[i].ncols, jobs[i].vals,
                        jobs[i].nrows, err);
    return rc;
}

/* Length of an IN-list of n values: n rounded up to a few fixed lengths
 * (512: a chunk of 1,000 entries and exits names ~500 documents). */
static int in_list_length(int n)
{
    static const int lengths[] = {16, 64, 256, 512, 1000};
    for (size_t i = 0; i < sizeof lengths / sizeof *lengths; i++)
        if (n <= lengths[i])
            return lengths[i];
    return n;
}

limes_rc store_in_list(store_tx *tx, buf *sql, const char *col, const store_val *keys, int n,
                       store_val *params, int *nparams, buf *text)
{
    const struct store_backend *be = tx->store->be;
    limes_rc rc = buf_puts(sql, col);
    if (be->array_param) {
        const char *type = NULL;
        buf_reset(text);
        if (!rc)
            rc = be->array_param(keys, n, text, &type);
        /* The sub-select hides the keys from the planner (an InitPlan's
         * parameter instead of a constant it would read key by key): the
         * plan is an index probe per key whatever the statistics say. */
        if (!rc)
            rc = buf_puts(sql, " = ANY(CAST((SELECT CAST(");
        if (!rc) {
            params[(*nparams)++] = sv_text(buf_str(text));
            rc = put_param(sql, *nparams);
        }
        if (!rc)
            rc = buf_printf(sql, " AS %s)) AS %s))", type, type);
        return rc;
    }
    if (!rc)
        rc = buf_puts(sql, " IN (");
    for (int i = 0, len = in_list_length(n); i < len && !rc; i++) {
        if (i)
            rc = buf_puts(sql, ", ");
        params[(*nparams)++] = keys[i < n ? i : n - 1];
        if (!rc)
            rc = put_param(sql, *nparams);
    }
    return rc ? rc : buf_putc(sql, ')');
}

/* PostgreSQL's form of store_update_by_id: "UPDATE t SET ... FROM
 * unnest(CAST($1 AS BIGINT[]), CAST($2 AS type[]), ...) AS v(id, c1, ...)
 * WHERE t.id = v.id", the k-th column's values as the text of array k. */
static limes_rc update_by_arrays(store_tx *tx, buf *sql, const char *table,
                                 const char *const *cols, const char *const *types, int ncols,
                                 const store_val *vals, int nrows, limes_error *err)
{
    const struct store_backend *be = tx->store->be;
    int width = 1 + ncols;
    buf text[1 + STORE_UPDATE_MAX_COLS];
    store_val params[1 + STORE_UPDATE_MAX_COLS];
    store_val *column = malloc((size_t)nrows * sizeof *column);
    limes_rc rc = column ? LIMES_OK : LIMES_NOMEM;
    for (int k = 0; k < width; k++)
        buf_init(&text[k], (size_t)1 << 30);
    for (int k = 0; k < width && !rc; k++) {
        for (int r = 0; r < nrows; r++)
            column[r] = vals[(size_t)r * (size_t)width + (size_t)k];
        const char *ignored;
        rc = be->array_param(column, nrows, &text[k], &ignored);
        params[k] = sv_text(buf_str(&text[k]));
    }
    for (int k = 0; k < width && !rc; k++)
        rc = buf_printf(sql, "%sCAST($%d AS %s[])", k ? ", " : " FROM unnest(", k + 1,
                        k ? types[k - 1] : "BIGINT");
    if (!rc)
        rc = buf_puts(sql, ") AS v(id");
    for (int k = 0; k < ncols && !rc; k++)
        rc = buf_printf(sql, ", c%d", k + 1);
    if (!rc)
        rc = buf_printf(sql, ") WHERE %s.id = v.id", table);
    if (!rc)
        rc = store_exec(tx, buf_str(sql), params, width, err);
    else
        rc = limes_fail(err, rc, "", "update of %s: values not usable as arrays", table);
    for (int k = 0; k < width; k++)
        buf_release(&text[k]);
    free(column);
    return rc;
}

limes_rc store_update_by_id(store_tx *tx, const char *table, const char *fixed,
                            const char *const *cols, const char *const *types, int ncols,
                            const store_val *vals, int nrows, limes_error *err)
{
    if (nrows <= 0)
        return LIMES_OK;
    if (ncols < 1 || ncols > STORE_UPDATE_MAX_COLS)
        return limes_fail(err, LIMES_INTERNAL, "", "update of %d columns", ncols);
    bool arrays = tx->store->be->array_param != NULL;
    buf sql;
    buf_init(&sql, (size_t)1 << 26);
    limes_rc rc = buf_printf(&sql, "UPDATE %s SET %s", table, fixed);
    for (int k = 0; k < ncols && !rc; k++)
        rc = arrays ? buf_printf(&sql, "%s%s = v.c%d", k ? ", " : "", cols[k], k + 1)
                    : buf_printf(&sql, "%s%s = v.column%d", k ? ", " : "", cols[k], k + 2);
    if (!rc && arrays) {
        rc = update_by_arrays(tx, &sql, table, cols, types, ncols, vals, nrows, err);
        buf_release(&sql);
        return rc;
    }
    int width = 1 + ncols;
    if (!rc)
        rc = buf_puts(&sql, " FROM (VALUES ");
    for (int r = 0; r < nrows && !rc; r++) {
        rc = buf_puts(&sql, r ? ", (CAST(" : "(CAST(");
        if (!rc)
            rc = put_param(&sql, r * width + 1);
        if (!rc)
            rc = buf_puts(&sql, " AS BIGINT)");
        for (int k = 0; k < ncols && !rc; k++) {
            rc = buf_puts(&sql, ", CAST(");
            if (!rc)
                rc = put_param(&sql, r * width + 2 + k);
            if (!rc)
                rc = buf_printf(&sql, " AS %s)", types[k]);
        }
        if (!rc)
            rc = buf_putc(&sql, ')');
    }
    if (!rc)
        rc = buf_printf(&sql, ") AS v WHERE %s.id = v.column1", table);
    if (!rc)
        rc = store_exec(tx, buf_str(&sql), vals, nrows * width, err);
    else
        rc = limes_fail(err, rc, "", "update of %s too large", table);
    buf_release(&sql);
    return rc;
}

limes_rc store_index_reads(store_tx *tx, bool on, limes_error *err)
{
    const struct store_backend *be = tx->store->be;
    return be->index_reads ? be->index_reads(tx->conn, on, err) : LIMES_OK;
}

bool store_skip_key_checks(store_tx *tx, bool skip)
{
    const struct store_backend *be = tx->store->be;
    return be->skip_key_checks ? be->skip_key_checks(tx->conn, skip) : false;
}

#define BE(rows) ((rows)->tx->store->be)

int store_rows_next(store_rows *r, limes_error *err) { return BE(r)->next(r->impl, err); }
bool store_col_is_null(store_rows *r, int c) { return BE(r)->col_is_null(r->impl, c); }
int64_t store_col_int(store_rows *r, int c) { return BE(r)->col_int(r->impl, c); }
double store_col_real(store_rows *r, int c) { return BE(r)->col_real(r->impl, c); }

const char *store_col_text(store_rows *r, int c)
{
    const char *t = BE(r)->col_text(r->impl, c);
    return t ? t : "";
}

void store_rows_close(store_rows *r)
{
    if (!r)
        return;
    BE(r)->rows_close(r->impl);
    free(r);
}

limes_rc store_query_int(store_tx *tx, const char *sql, const store_val *params, int n,
                         int64_t *out, limes_error *err)
{
    store_rows *r;
    limes_rc rc = store_query(tx, sql, params, n, &r, err);
    if (rc)
        return rc;
    int have = store_rows_next(r, err);
    if (have == 1)
        *out = store_col_int(r, 0);
    store_rows_close(r);
    if (have < 0)
        return err ? err->rc : LIMES_STORE;
    return have == 1 ? LIMES_OK : LIMES_NOT_FOUND;
}

limes_rc store_insert_id(store_tx *tx, const char *sql, const store_val *params, int n,
                         int64_t *id, limes_error *err)
{
    const struct store_backend *be = tx->store->be;
    if (be->last_id) {
        int64_t changes = 0;
        limes_rc rc = be->exec(tx->conn, sql, params, n, &changes, err);
        if (rc)
            return rc;
        if (changes != 1)
            return limes_fail(err, LIMES_INTERNAL, "", "an insert of one row added %lld",
                              (long long)changes);
        *id = be->last_id(tx->conn);
        return LIMES_OK;
    }
    buf text;
    buf_init(&text, 1 << 20);
    limes_rc rc = buf_printf(&text, "%s RETURNING id", sql);
    if (!rc)
        rc = store_query_int(tx, buf_str(&text), params, n, id, err);
    buf_release(&text);
    return rc;
}

static json_t *column_json(store_rows *r, int c, const char **key_out, char *keybuf, size_t kn)
{
    const char *name = BE(r)->col_name(r->impl, c);
    size_t len = strlen(name);
    bool is_json = len > 5 && strcmp(name + len - 5, "_json") == 0;
    if (is_json && len - 5 < kn) {
        memcpy(keybuf, name, len - 5);
        keybuf[len - 5] = '\0';
        *key_out = keybuf;
    } else {
        *key_out = name;
    }
    if (store_col_is_null(r, c))
        return json_null();
    if (is_json) {
        json_t *v = json_loads(store_col_text(r, c), JSON_DECODE_ANY, NULL);
        return v ? v : json_null();
    }
    switch (BE(r)->col_type(r->impl, c)) {
    case SV_INT: return json_integer(store_col_int(r, c));
    case SV_REAL: return json_real(store_col_real(r, c));
    default: return json_string(store_col_text(r, c));
    }
}

limes_rc store_query_json(store_tx *tx, const char *sql, const store_val *params, int n,
                          json_t **out, limes_error *err)
{
    store_rows *r;
    limes_rc rc = store_query(tx, sql, params, n, &r, err);
    if (rc)
        return rc;
    json_t *arr = json_array();
    int have;
    while ((have = store_rows_next(r, err)) == 1) {
        json_t *obj = json_object();
        int nc = BE(r)->ncols(r->impl);
        for (int c = 0; c < nc; c++) {
            char keybuf[128];
            const char *key;
            json_t *v = column_json(r, c, &key, keybuf, sizeof keybuf);
            json_object_set_new(obj, key, v);
        }
        json_array_append_new(arr, obj);
    }
    store_rows_close(r);
    if (have < 0) {
        json_decref(arr);
        return err ? err->rc : LIMES_STORE;
    }
    *out = arr;
    return LIMES_OK;
}

limes_rc store_query_json_one(store_tx *tx, const char *sql, const store_val *params, int n,
                              json_t **out, limes_error *err)
{
    json_t *rows;
    limes_rc rc = store_query_json(tx, sql, params, n, &rows, err);
    if (rc)
        return rc;
    if (json_array_size(rows) == 0) {
        json_decref(rows);
        return LIMES_NOT_FOUND;
    }
    *out = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    return LIMES_OK;
}

limes_rc store_read_json(limes_store *s, const char *sql, const store_val *params, int n,
                         json_t **out, limes_error *err)
{
    store_tx *tx;
    limes_rc rc = store_begin(s, false, &tx, err);
    if (rc)
        return rc;
    rc = store_query_json(tx, sql, params, n, out, err);
    store_rollback(tx);
    return rc;
}
