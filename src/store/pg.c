/*
 * pg.c - the PostgreSQL backend of the store interface, through libpq.
 *
 * A pool of connections (opened on first need, up to POOL_SIZE) serves the
 * server's threads, like the SQLite pool.  Statements go out with
 * PQexecParams and every parameter as text (integers printed in decimal),
 * so the server infers the types from the SQL; results are typed from the
 * column type OID: int2/int4/int8 become SV_INT, float4/float8 SV_REAL,
 * numeric SV_REAL unless the value is a whole number (SUM of integers),
 * everything else text.
 *
 * Write transactions serialise exactly where SQLite's BEGIN IMMEDIATE does:
 * each one takes one transaction-scoped advisory lock right after BEGIN.
 * The library's modules are written against single-writer semantics (read,
 * decide, write, without SELECT ... FOR UPDATE), and under READ COMMITTED
 * every statement after the lock sees everything committed before it, so
 * the same code stays correct on both backends.  Read transactions take no
 * lock.  Commits are durable: synchronous_commit is left at the server's
 * setting (on by default).
 *
 * Each connection prepares a statement the first time it sees its SQL
 * text and reuses it (PQexecPrepared), which saves the parse and plan of
 * hot statements.  Prepared statements outlive transactions, so one
 * prepared inside a transaction that rolls back stays usable.  When the
 * cache is full, further statements run unprepared, and so do statements
 * with many parameters (the multi-row inserts of bulk loads, which rarely
 * repeat).
 *
 * A batch's bulk loads may run on two server processes at once
 * (pg_copy_many): about half the rows go to a second pool connection, in a
 * transaction of its own joined to the first by two-phase commit - see
 * joined_commit() and resolve_joined() for how the pair stays all or nothing
 * across crashes.  It needs max_prepared_transactions > 0 on the server and
 * the per-row foreign-key checks off (the second connection writes rows
 * naming rows the first has not committed yet); otherwise the loads run one
 * by one on the transaction's own connection, as before.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "core/buf.h"
#include "store.h"

#define POOL_SIZE 8
#define MAX_PARAMS 65535 /* the protocol limit */
#define SMALL_PARAMS 64
#define STMT_CACHE 256
/* An arbitrary constant naming limes's single writer lock. */
#define WRITE_LOCK_KEY "7011936"

/* Type OIDs from the server's pg_type catalogue (stable since forever). */
enum { OID_BOOL = 16, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_FLOAT4 = 700,
       OID_FLOAT8 = 701, OID_NUMERIC = 1700 };

/* A statement prepared on one connection, named "limes_<n>". */
struct pg_stmt {
    char *sql;
    char name[24];
};

struct pg_conn {
    PGconn *db;
    int busy;
    int may_skip_keys; /* session_replication_role settable: 0 untried, 1 yes, -1 no */
    bool keys_off;     /* this transaction skips the per-row foreign-key checks */
    int two_phase;     /* max_prepared_transactions > 0: 0 untried, 1 yes, -1 no */
    struct pg_conn *helper; /* second connection joined to this transaction, or NULL */
    char gid[40];      /* the helper's prepared-transaction name (see joined_commit) */
    struct pg_stmt cache[STMT_CACHE];
    int ncache;
};

struct pg_pool {
    char *url;
    struct pg_conn conns[POOL_SIZE];
    int n; /* connections opened so far */
    pthread_mutex_t lock;
    pthread_cond_t freed;
};

struct pg_rows {
    PGresult *res;
    int row; /* index of the current row; -1 before the first next() */
};

static limes_rc resolve_joined(struct pg_conn *c, limes_error *err);

/* Map a failed result (or a broken connection) to a limes error. */
static limes_rc pg_error(PGconn *db, const PGresult *res, limes_error *err, const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    limes_rc rc = LIMES_STORE;
    if (state && strcmp(state, "23505") == 0)
        rc = LIMES_EXISTS;
    else if (state && strncmp(state, "23", 2) == 0)
        rc = LIMES_CONFLICT;
    const char *msg = res ? PQresultErrorMessage(res) : "";
    if (!msg || !*msg)
        msg = PQerrorMessage(db);
    char clean[200];
    snprintf(clean, sizeof clean, "%s", msg ? msg : "");
    clean[strcspn(clean, "\n")] = '\0';
    return limes_fail(err, rc, "", "%s: %s", what, clean);
}

/* Run a command without parameters; LIMES_OK if it completed. */
static limes_rc run_simple(PGconn *db, const char *sql, limes_error *err, const char *what)
{
    PGresult *res = PQexec(db, sql);
    ExecStatusType st = PQresultStatus(res);
    limes_rc rc = LIMES_OK;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY)
        rc = pg_error(db, res, err, what);
    PQclear(res);
    return rc;
}

static limes_rc connect_one(struct pg_conn *c, const char *url, limes_error *err)
{
    c->db = PQconnectdb(url);
    if (!c->db)
        return limes_fail(err, LIMES_NOMEM, "db", "out of memory connecting to PostgreSQL");
    if (PQstatus(c->db) != CONNECTION_OK) {
        char msg[200];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(c->db));
        msg[strcspn(msg, "\n")] = '\0';
        PQfinish(c->db);
        c->db = NULL;
        return limes_fail(err, LIMES_STORE, "db", "cannot connect to PostgreSQL: %s", msg);
    }
    PQsetClientEncoding(c->db, "UTF8");
    /* Quiet NOTICEs (e.g. "table exists, skipping") instead of stderr. */
    return run_simple(c->db, "SET client_min_messages = warning", err, "cannot configure session");
}

static void forget_statements(struct pg_conn *c)
{
    for (int i = 0; i < c->ncache; i++)
        free(c->cache[i].sql);
    c->ncache = 0;
}

static void pg_close(void *impl)
{
    struct pg_pool *p = impl;
    if (!p)
        return;
    for (int i = 0; i < p->n; i++) {
        forget_statements(&p->conns[i]);
        if (p->conns[i].db)
            PQfinish(p->conns[i].db);
    }
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->freed);
    free(p->url);
    free(p);
}

static limes_rc pg_open(const char *url, void **impl, limes_error *err)
{
    struct pg_pool *p = calloc(1, sizeof *p);
    if (!p)
        return LIMES_NOMEM;
    p->url = strdup(url);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->freed, NULL);
    if (!p->url) {
        pg_close(p);
        return LIMES_NOMEM;
    }
    /* One connection now, so that a wrong URL fails at open. */
    limes_rc rc = connect_one(&p->conns[0], url, err);
    if (rc) {
        pg_close(p);
        return rc;
    }
    p->n = 1;
    rc = resolve_joined(&p->conns[0], err);
    if (rc) {
        pg_close(p);
        return rc;
    }
    *impl = p;
    return LIMES_OK;
}

/*
 * Take an idle connection, opening a new one while the pool is not full.
 * A connection found broken (server restarted) is reset before use.
 */
/* wait=false: LIMES_BUSY at once when every connection is in use. */
static limes_rc claim_conn(struct pg_pool *p, bool wait, struct pg_conn **out, limes_error *err)
{
    pthread_mutex_lock(&p->lock);
    struct pg_conn *c = NULL;
    bool fresh = false;
    while (!c) {
        for (int i = 0; i < p->n && !c; i++)
            if (!p->conns[i].busy)
                c = &p->conns[i];
        if (!c && p->n < POOL_SIZE) {
            c = &p->conns[p->n++];
            fresh = true;
        }
        if (!c && !wait) {
            pthread_mutex_unlock(&p->lock);
            return LIMES_UNAVAILABLE;
        }
        if (!c)
            pthread_cond_wait(&p->freed, &p->lock);
    }
    c->busy = 1;
    pthread_mutex_unlock(&p->lock);
    limes_rc rc = LIMES_OK;
    if (fresh || !c->db) {
        rc = connect_one(c, p->url, err);
    } else if (PQstatus(c->db) != CONNECTION_OK) {
        forget_statements(c); /* a new server session knows none of them */
        PQreset(c->db);
        if (PQstatus(c->db) != CONNECTION_OK)
            rc = pg_error(c->db, NULL, err, "lost the PostgreSQL connection");
        else
            rc = resolve_joined(c, err); /* the server may have restarted */
    }
    if (rc) {
        pthread_mutex_lock(&p->lock);
        c->busy = 0;
        pthread_cond_signal(&p->freed);
        pthread_mutex_unlock(&p->lock);
        return rc;
    }
    *out = c;
    return LIMES_OK;
}

static limes_rc take_conn(struct pg_pool *p, struct pg_conn **out, limes_error *err)
{
    return claim_conn(p, true, out, err);
}

static void give_conn(struct pg_pool *p, struct pg_conn *c)
{
    pthread_mutex_lock(&p->lock);
    c->busy = 0;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}

static limes_rc pg_begin(void *impl, bool write, void **out, limes_error *err)
{
    struct pg_conn *c;
    limes_rc rc = take_conn(impl, &c, err);
    if (rc)
        return rc;
    const char *sql = write ? "BEGIN; SELECT pg_advisory_xact_lock(" WRITE_LOCK_KEY ")" : "BEGIN";
    rc = run_simple(c->db, sql, err, "cannot begin transaction");
    if (rc) {
        run_simple(c->db, "ROLLBACK", NULL, "rollback");
        give_conn(impl, c);
        return rc;
    }
    *out = c;
    return LIMES_OK;
}

static limes_rc joined_commit(struct pg_pool *p, struct pg_conn *c, limes_error *err);
static void drop_helper(struct pg_pool *p, struct pg_conn *c);

/* COMMIT of a failed transaction "succeeds" with the tag ROLLBACK: an error here. */
static limes_rc pg_commit(void *impl, void *conn, limes_error *err)
{
    struct pg_conn *c = conn;
    c->keys_off = false;
    if (c->helper)
        return joined_commit(impl, c, err);
    PGresult *res = PQexec(c->db, "COMMIT");
    limes_rc rc = LIMES_OK;
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = pg_error(c->db, res, err, "commit failed");
    else if (strcmp(PQcmdStatus(res), "COMMIT") != 0)
        rc = limes_fail(err, LIMES_STORE, "", "commit failed: the transaction was rolled back");
    PQclear(res);
    if (rc)
        run_simple(c->db, "ROLLBACK", NULL, "rollback");
    give_conn(impl, c);
    return rc;
}

static void pg_rollback(void *impl, void *conn)
{
    struct pg_conn *c = conn;
    c->keys_off = false;
    drop_helper(impl, c);
    run_simple(c->db, "ROLLBACK", NULL, "rollback");
    give_conn(impl, c);
}

/* Text form of each parameter; integers and reals printed into `scratch`. */
static void params_as_text(const store_val *p, int n, const char **values, char (*scratch)[32])
{
    for (int i = 0; i < n; i++) {
        switch (p[i].type) {
        case SV_NULL: values[i] = NULL; break;
        case SV_INT:
            snprintf(scratch[i], sizeof scratch[i], "%lld", (long long)p[i].i);
            values[i] = scratch[i];
            break;
        case SV_REAL:
            snprintf(scratch[i], sizeof scratch[i], "%.17g", p[i].r);
            values[i] = scratch[i];
            break;
        case SV_TEXT: values[i] = p[i].s; break;
        }
    }
}

/*
 * The name of the prepared statement for sql on this connection, preparing
 * it on first use; NULL to run it unprepared (cache full, or the prepare
 * failed: the unprepared run then reports the error).
 */
static const char *prepared(struct pg_conn *c, const char *sql, int n)
{
    for (int i = 0; i < c->ncache; i++)
        if (strcmp(c->cache[i].sql, sql) == 0)
            return c->cache[i].name;
    if (c->ncache == STMT_CACHE || n > SMALL_PARAMS) /* multi-row statements vary: run once */
        return NULL;
    struct pg_stmt *st = &c->cache[c->ncache];
    snprintf(st->name, sizeof st->name, "limes_%d", c->ncache);
    PGresult *res = PQprepare(c->db, st->name, sql, n, NULL);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!ok || !(st->sql = strdup(sql)))
        return NULL;
    c->ncache++;
    return st->name;
}

static limes_rc run_params(struct pg_conn *c, const char *sql, const store_val *params, int n,
                           PGresult **out, limes_error *err)
{
    if (n > MAX_PARAMS)
        return limes_fail(err, LIMES_INTERNAL, "", "too many statement parameters (%d)", n);
    /* Small statements use the stack; multi-row ones (bulk inserts) the heap. */
    const char *small_values[SMALL_PARAMS];
    char small_scratch[SMALL_PARAMS][32];
    const char **values = small_values;
    char(*scratch)[32] = small_scratch;
    if (n > SMALL_PARAMS) {
        values = malloc((size_t)n * sizeof *values);
        scratch = malloc((size_t)n * sizeof *scratch);
        if (!values || !scratch) {
            free(values);
            free(scratch);
            return limes_fail(err, LIMES_NOMEM, "", "out of memory");
        }
    }
    params_as_text(params, n, values, scratch);
    const char *name = prepared(c, sql, n);
    PGresult *res = name ? PQexecPrepared(c->db, name, n, values, NULL, NULL, 0)
                         : PQexecParams(c->db, sql, n, NULL, values, NULL, NULL, 0);
    if (values != small_values) {
        free(values);
        free(scratch);
    }
    ExecStatusType st = PQresultStatus(res);
    limes_rc rc = LIMES_OK;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        rc = pg_error(c->db, res, err, "statement failed");
        PQclear(res);
        return rc;
    }
    *out = res;
    return LIMES_OK;
}

static limes_rc pg_exec(void *conn, const char *sql, const store_val *params, int n,
                        int64_t *changes, limes_error *err)
{
    PGresult *res;
    limes_rc rc = run_params(conn, sql, params, n, &res, err);
    if (rc)
        return rc;
    const char *tuples = PQcmdTuples(res);
    *changes = tuples && *tuples ? strtoll(tuples, NULL, 10) : 0;
    PQclear(res);
    return LIMES_OK;
}

static limes_rc pg_exec_script(void *conn, const char *sql, limes_error *err)
{
    struct pg_conn *c = conn;
    return run_simple(c->db, sql, err, "schema statement failed");
}

static limes_rc pg_query(void *conn, const char *sql, const store_val *params, int n,
                         void **out, limes_error *err)
{
    PGresult *res;
    limes_rc rc = run_params(conn, sql, params, n, &res, err);
    if (rc)
        return rc;
    struct pg_rows *r = malloc(sizeof *r);
    if (!r) {
        PQclear(res);
        return LIMES_NOMEM;
    }
    r->res = res;
    r->row = -1;
    *out = r;
    return LIMES_OK;
}

static int pg_next(void *rows, limes_error *err)
{
    struct pg_rows *r = rows;
    if (r->row + 1 >= PQntuples(r->res))
        return 0;
    r->row++;
    return 1;
}

static int pg_ncols(void *rows) { return PQnfields(((struct pg_rows *)rows)->res); }

static const char *pg_col_name(void *rows, int c)
{
    return PQfname(((struct pg_rows *)rows)->res, c);
}

static bool pg_col_is_null(void *rows, int c)
{
    struct pg_rows *r = rows;
    return r->row < 0 || PQgetisnull(r->res, r->row, c);
}

static const char *pg_col_text(void *rows, int c)
{
    struct pg_rows *r = rows;
    if (pg_col_is_null(rows, c))
        return NULL;
    return PQgetvalue(r->res, r->row, c);
}

static int64_t pg_col_int(void *rows, int c)
{
    const char *t = pg_col_text(rows, c);
    if (!t)
        return 0;
    if (PQftype(((struct pg_rows *)rows)->res, c) == OID_BOOL)
        return t[0] == 't';
    return strtoll(t, NULL, 10);
}

static double pg_col_real(void *rows, int c)
{
    const char *t = pg_col_text(rows, c);
    return t ? strtod(t, NULL) : 0.0;
}

static store_val_type pg_col_type(void *rows, int c)
{
    if (pg_col_is_null(rows, c))
        return SV_NULL;
    switch (PQftype(((struct pg_rows *)rows)->res, c)) {
    case OID_INT2:
    case OID_INT4:
    case OID_INT8: return SV_INT;
    case OID_FLOAT4:
    case OID_FLOAT8: return SV_REAL;
    case OID_NUMERIC:
        /* SUM() of integers is numeric in PostgreSQL but an integer in SQLite:
         * a whole number stays an integer so both backends answer alike. */
        return strpbrk(pg_col_text(rows, c), ".eEN") ? SV_REAL : SV_INT;
    default: return SV_TEXT;
    }
}

static void pg_rows_close(void *rows)
{
    struct pg_rows *r = rows;
    PQclear(r->res);
    free(r);
}

/* ---- bulk loads ---------------------------------------------------------------- */

/*
 * A block of n ids from the table's identity sequence: nextval, then setval
 * past the block.  Two statements' worth of work in one; the single writer
 * lock (see the top) keeps other inserts out between them.
 */
static limes_rc pg_reserve_ids(void *conn, const char *table, int64_t n, int64_t *first,
                               limes_error *err)
{
    store_val p[] = {sv_text(table), sv_int(n)};
    PGresult *res;
    limes_rc rc = run_params(conn,
                             "SELECT setval(s::regclass, nextval(s::regclass) + $2::bigint - 1) "
                             "FROM pg_get_serial_sequence($1, 'id') AS s",
                             p, 2, &res, err);
    if (rc)
        return rc;
    if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0))
        rc = limes_fail(err, LIMES_STORE, "", "table %s has no id sequence", table);
    else
        *first = strtoll(PQgetvalue(res, 0, 0), NULL, 10) - n + 1;
    PQclear(res);
    return rc;
}

/* Decimal digits of i at p, two at a time; returns the end.  By hand:
 * printf per value was a visible cost, and so was one append per piece. */
static char *write_int(char *p, int64_t i)
{
    static const char pairs[] = "00010203040506070809101112131415161718192021222324"
                                "25262728293031323334353637383940414243444546474849"
                                "50515253545556575859606162636465666768697071727374"
                                "75767778798081828384858687888990919293949596979899";
    char text[24], *q = text + sizeof text;
    uint64_t u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;
    for (; u >= 100; u /= 100) {
        q -= 2;
        memcpy(q, pairs + 2 * (u % 100), 2);
    }
    if (u >= 10) {
        q -= 2;
        memcpy(q, pairs + 2 * u, 2);
    } else {
        *--q = (char)('0' + u);
    }
    if (i < 0)
        *--q = '-';
    size_t n = (size_t)(text + sizeof text - q);
    memcpy(p, q, n);
    return p + n;
}

static limes_rc put_int(buf *out, int64_t i)
{
    limes_rc rc = buf_grow(out, 24);
    if (!rc) {
        out->len = (size_t)(write_int(out->data + out->len, i) - out->data);
        out->data[out->len] = '\0';
    }
    return rc;
}

/* Bytes one row may take in COPY's text format: an integer 20, a real 24,
 * \N 2, text at most twice its length (escapes), a separator each. */
static size_t row_bound(const store_val *v, int ncols)
{
    size_t n = 0;
    for (int c = 0; c < ncols; c++)
        n += 1 + (v[c].type == SV_TEXT ? 2 * strlen(v[c].s) : 32);
    return n;
}

/* One value in COPY's text format at p: \N for NULL, backslash escapes in
 * text; returns the end. */
static char *write_value(char *p, const store_val *v)
{
    switch (v->type) {
    case SV_NULL: memcpy(p, "\\N", 2); return p + 2;
    case SV_INT: return write_int(p, v->i);
    case SV_REAL: return p + snprintf(p, 32, "%.17g", v->r);
    case SV_TEXT: break;
    }
    for (const char *s = v->s; *s; s++) {
        char ch = *s;
        if (ch == '\\' || ch == '\n' || ch == '\r' || ch == '\t') {
            *p++ = '\\';
            ch = ch == '\n' ? 'n' : ch == '\r' ? 'r' : ch == '\t' ? 't' : '\\';
        }
        *p++ = ch;
    }
    return p;
}

/* The rows in COPY's text format: each row written in place after one
 * reservation of its largest size. */
static limes_rc copy_rows_text(buf *out, int ncols, const store_val *vals, int nrows)
{
    for (int r = 0; r < nrows; r++) {
        const store_val *row = &vals[(size_t)r * (size_t)ncols];
        limes_rc rc = buf_grow(out, row_bound(row, ncols));
        if (rc)
            return rc;
        char *p = out->data + out->len;
        for (int c = 0; c < ncols; c++) {
            p = write_value(p, &row[c]);
            *p++ = c + 1 < ncols ? '\t' : '\n';
        }
        out->len = (size_t)(p - out->data);
        out->data[out->len] = '\0';
    }
    return LIMES_OK;
}

/* COPY table (cols) FROM STDIN, the rows sent as one text block. */
static limes_rc pg_copy_in(void *conn, const char *table, const char *cols, int ncols,
                           const store_val *vals, int nrows, limes_error *err)
{
    struct pg_conn *c = conn;
    buf data;
    buf_init(&data, (size_t)1 << 30);
    limes_rc rc = buf_printf(&data, "COPY %s (%s) FROM STDIN", table, cols);
    if (rc) {
        buf_release(&data);
        return limes_fail(err, rc, "", "COPY statement too large");
    }
    PGresult *res = PQexec(c->db, buf_str(&data));
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        rc = pg_error(c->db, res, err, "COPY failed");
        PQclear(res);
        buf_release(&data);
        return rc;
    }
    PQclear(res);
    buf_reset(&data);
    rc = copy_rows_text(&data, ncols, vals, nrows);
    bool sent = !rc && PQputCopyData(c->db, buf_str(&data), (int)data.len) == 1;
    buf_release(&data);
    PQputCopyEnd(c->db, sent ? NULL : "limes: rows not sent");
    while ((res = PQgetResult(c->db))) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && !rc)
            rc = pg_error(c->db, res, err, "COPY failed");
        else if (!rc && sent && strtoll(PQcmdTuples(res), NULL, 10) != nrows)
            rc = limes_fail(err, LIMES_STORE, "", "COPY into %s wrote %s of %d rows", table,
                            PQcmdTuples(res), nrows);
        PQclear(res);
    }
    if (!rc && !sent)
        rc = pg_error(c->db, NULL, err, "COPY failed");
    return rc;
}

/*
 * Per-row foreign-key checks off for the rest of the transaction (or back
 * on): session_replication_role = replica makes PostgreSQL skip the RI
 * triggers, which otherwise run one query and take one row lock per key
 * per row.  Setting it needs superuser or the SET privilege on the
 * parameter (GRANT SET ON PARAMETER session_replication_role TO ...); if
 * the server refuses, the checks simply stay on.  The savepoint keeps a
 * refusal from aborting the transaction.  Replica mode skips every
 * ordinary trigger too (the schema has none) and each switch resets this
 * session's cached plans (re-planned on next use: a few small statements).
 */
static bool pg_skip_key_checks(void *conn, bool skip)
{
    struct pg_conn *c = conn;
    if (!skip) {
        if (c->may_skip_keys == 1)
            run_simple(c->db, "SET LOCAL session_replication_role = origin", NULL, "set");
        c->keys_off = false;
        return false;
    }
    if (c->may_skip_keys < 0)
        return false;
    PGresult *res = PQexec(c->db, "SAVEPOINT limes_keys; "
                                  "SET LOCAL session_replication_role = replica; "
                                  "RELEASE SAVEPOINT limes_keys");
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!ok)
        run_simple(c->db, "ROLLBACK TO SAVEPOINT limes_keys; RELEASE SAVEPOINT limes_keys",
                   NULL, "rollback to savepoint");
    c->may_skip_keys = ok ? 1 : -1;
    c->keys_off = ok;
    return ok;
}

/* Sequential scans off (or back to the session's setting) for the rest of
 * the transaction: store_index_reads. */
static limes_rc pg_index_reads(void *conn, bool on, limes_error *err)
{
    struct pg_conn *c = conn;
    const char *sql = on ? "SET LOCAL enable_seqscan = off" : "SET LOCAL enable_seqscan TO DEFAULT";
    return run_simple(c->db, sql, err, "cannot set the plan of look-ups");
}

/* ---- one transaction over two connections ---------------------------------------- */

/*
 * The pair: the transaction's own connection c (which holds the writer
 * lock) and a helper h from the pool, in a transaction of its own with the
 * per-row key checks off.  Commit (joined_commit):
 *   1. PREPARE TRANSACTION 'limes_join_<xid of c>' on h: h's rows are on
 *      disk, waiting for a decision;
 *   2. COMMIT on c: the decision, durable - from here the batch exists;
 *   3. COMMIT PREPARED on h: h's rows become visible (~0.5 ms after c's).
 * A crash between 1 and 3 leaves h prepared; resolve_joined(), run when the
 * store opens, after a reconnect and when c's COMMIT fails (or its answer is
 * lost), commits it if c's transaction committed (pg_xact_status) and rolls
 * it back if c's aborted, so the two halves always end alike.  Until then
 * readers see c's half only; nothing was acknowledged yet.
 */
#define JOIN_PREFIX "limes_join_"

static void drop_helper(struct pg_pool *p, struct pg_conn *c)
{
    if (!c->helper)
        return;
    run_simple(c->helper->db, "ROLLBACK", NULL, "rollback");
    give_conn(p, c->helper);
    c->helper = NULL;
}

/* Finish what crashed sessions of this role left between steps 1 and 3
 * (see above); only the role that prepared a transaction may finish it. */
static limes_rc resolve_joined(struct pg_conn *c, limes_error *err)
{
    PGresult *res = PQexec(c->db, "SELECT gid, pg_xact_status(CAST(substr(gid, "
                                  "length('" JOIN_PREFIX "') + 1) AS xid8)) FROM "
                                  "pg_prepared_xacts WHERE database = current_database() "
                                  "AND owner = current_user AND starts_with(gid, '" JOIN_PREFIX
                                  "')");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        limes_rc rc = pg_error(c->db, res, err, "cannot read prepared transactions");
        PQclear(res);
        return rc;
    }
    limes_rc rc = LIMES_OK;
    for (int i = 0; i < PQntuples(res) && !rc; i++) {
        const char *status = PQgetvalue(res, i, 1);
        bool commit = strcmp(status, "committed") == 0;
        if (!commit && strcmp(status, "aborted") != 0)
            continue; /* its first half is still running */
        char sql[96];
        snprintf(sql, sizeof sql, "%s PREPARED '%s'", commit ? "COMMIT" : "ROLLBACK",
                 PQgetvalue(res, i, 0));
        rc = run_simple(c->db, sql, err, "cannot finish a joined transaction");
    }
    PQclear(res);
    return rc;
}

/* Join a helper to c's transaction; false (and nothing joined) if the
 * server or the pool cannot give one now. */
static bool join_helper(struct pg_pool *p, struct pg_conn *c)
{
    if (c->helper)
        return true;
    if (!c->keys_off)
        return false;
    if (c->two_phase == 0) {
        PGresult *res = PQexec(c->db, "SELECT current_setting('max_prepared_transactions')");
        c->two_phase = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
                               atoi(PQgetvalue(res, 0, 0)) > 0
                           ? 1
                           : -1;
        PQclear(res);
    }
    struct pg_conn *h;
    if (c->two_phase < 0 || claim_conn(p, false, &h, NULL))
        return false;
    PGresult *res = PQexec(c->db, "SELECT pg_current_xact_id()");
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
    if (ok)
        snprintf(c->gid, sizeof c->gid, JOIN_PREFIX "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    if (ok) {
        res = PQexec(h->db, "BEGIN; SET LOCAL session_replication_role = replica");
        ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        PQclear(res);
        if (!ok)
            run_simple(h->db, "ROLLBACK", NULL, "rollback");
    }
    if (!ok) {
        give_conn(p, h);
        return false;
    }
    c->helper = h;
    return true;
}

/* True unless gid is known to be gone: after the first half committed, only
 * a COMMIT PREPARED (another process's resolve_joined) can have ended it. */
static bool still_prepared(struct pg_conn *c, const char *gid)
{
    const char *values[] = {gid};
    PGresult *res = PQexecParams(c->db, "SELECT 1 FROM pg_prepared_xacts WHERE gid = $1", 1,
                                 NULL, values, NULL, NULL, 0);
    bool gone = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 0;
    PQclear(res);
    return !gone;
}

static limes_rc joined_commit(struct pg_pool *p, struct pg_conn *c, limes_error *err)
{
    struct pg_conn *h = c->helper;
    char sql[96];
    snprintf(sql, sizeof sql, "PREPARE TRANSACTION '%s'", c->gid);
    limes_rc rc = run_simple(h->db, sql, err, "commit failed (prepare)");
    c->helper = NULL;
    if (rc) { /* a failed PREPARE has rolled h's transaction back */
        give_conn(p, h);
        run_simple(c->db, "ROLLBACK", NULL, "rollback");
        give_conn(p, c);
        return rc;
    }
    PGresult *res = PQexec(c->db, "COMMIT");
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = pg_error(c->db, res, err, "commit failed");
    else if (strcmp(PQcmdStatus(res), "COMMIT") != 0)
        rc = limes_fail(err, LIMES_STORE, "", "commit failed: the transaction was rolled back");
    PQclear(res);
    snprintf(sql, sizeof sql, "COMMIT PREPARED '%s'", c->gid);
    if (rc) {
        run_simple(c->db, "ROLLBACK", NULL, "rollback");
        resolve_joined(h, NULL); /* h ends as c did, if c's outcome is known */
    } else if (run_simple(h->db, sql, NULL, "commit prepared") &&
               run_simple(c->db, sql, NULL, "commit prepared") && still_prepared(c, c->gid)) {
        /* c's half is committed and h's durable: resolve_joined() completes it. */
        rc = limes_fail(err, LIMES_STORE, "",
                        "commit half done: the rest is finished when the store reopens");
    }
    give_conn(p, h);
    give_conn(p, c);
    return rc;
}

struct helper_load {
    struct pg_conn *h;
    const store_copy_job *jobs; /* the loads with rows, the helper's from `first` */
    int first, n;
    limes_rc rc;
    limes_error err;
};

static limes_rc pg_copy_in(void *conn, const char *table, const char *cols, int ncols,
                           const store_val *vals, int nrows, limes_error *err);

/* Loads jobs[from..to) on connection c, one after the other. */
static limes_rc copy_range(struct pg_conn *c, const store_copy_job *jobs, int from, int to,
                           limes_error *err)
{
    limes_rc rc = LIMES_OK;
    for (int i = from; i < to && !rc; i++)
        rc = pg_copy_in(c, jobs[i].table, jobs[i].cols, jobs[i].ncols, jobs[i].vals,
                        jobs[i].nrows, err);
    return rc;
}

static void *helper_run(void *arg)
{
    struct helper_load *l = arg;
    l->rc = copy_range(l->h, l->jobs, l->first, l->n, &l->err);
    return NULL;
}

/*
 * The `unread` loads that have rows (bulk.c: crossings, and stays in a
 * batch's last chunk) on the helper connection, in a thread, while this
 * connection does the others: two server processes (and two client
 * threads) at work on one batch.  The two halves are balanced by rows
 * (per row, the tables' loads cost about the same: 8-13 us in the server
 * log): when the helper's loads hold more than half of all the rows, the
 * tail of its last one is loaded here, after this connection's own - so a
 * batch of new travellers (500 travellers and documents here, 500 stays
 * and 1,000 crossings there) splits 1,250 / 1,250 rows instead of
 * 1,000 / 1,500, and a batch with only unread rows (returning travellers:
 * no new travellers or documents) still uses both.  One by one here when
 * no helper can be joined, or for fewer than SPLIT_MIN rows.
 */
#define SPLIT_MIN 64

static limes_rc pg_copy_many(void *impl, void *conn, const store_copy_job *jobs, int n,
                             limes_error *err)
{
    struct pg_conn *c = conn;
    store_copy_job some[9]; /* here first, then the helper's from k - apart; a tail */
    int k = 0, apart = 0;
    int64_t total = 0, helper_rows = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < n && k < 8; i++)
            if (jobs[i].nrows > 0 && jobs[i].unread == (pass == 1)) {
                some[k++] = jobs[i];
                apart += pass;
                total += jobs[i].nrows;
                helper_rows += pass ? jobs[i].nrows : 0;
            }
    if (k == 8 && n > 8) /* more tables than expected: one by one */
        return copy_range(c, jobs, 0, n, err);
    some[k] = (store_copy_job){0};
    pthread_t thread;
    struct helper_load load = {.jobs = some, .first = k - apart, .n = k};
    bool two = apart > 0 && total >= SPLIT_MIN && join_helper(impl, c);
    int here = two ? load.first : k;
    if (two && helper_rows * 2 > total + 1) {
        /* The tail of the helper's last load comes here (it keeps one row). */
        store_copy_job *last = &some[k - 1], *tail = &some[k];
        int64_t move = (helper_rows * 2 - total) / 2;
        if (move > last->nrows - 1)
            move = last->nrows - 1;
        *tail = *last;
        tail->nrows = (int)move;
        last->nrows -= (int)move;
        tail->vals = last->vals + (size_t)last->nrows * (size_t)last->ncols;
    }
    if (two) {
        load.h = c->helper;
        two = pthread_create(&thread, NULL, helper_run, &load) == 0;
        if (!two) { /* then every load here, the tail joined up again */
            some[k - 1].nrows += some[k].nrows;
            some[k].nrows = 0;
            here = k;
        }
    }
    limes_rc rc = copy_range(c, some, 0, here, err);
    if (!rc && some[k].nrows > 0)
        rc = copy_range(c, some, k, k + 1, err);
    if (two) {
        pthread_join(thread, NULL);
        if (!rc && load.rc) {
            rc = load.rc;
            if (err)
                *err = load.err;
        }
    }
    return rc;
}

/*
 * Values as the text of one array parameter (store_in_list,
 * store_update_by_id): {1,2,NULL} for integers, {"a","b"} for text, with "
 * and \\ escaped by a backslash; integers or text as the first non-NULL
 * value is.
 */
static limes_rc pg_array_param(const store_val *keys, int n, buf *text, const char **type)
{
    int first = 0;
    while (first < n && keys[first].type == SV_NULL)
        first++;
    bool ints = first == n || keys[first].type == SV_INT;
    *type = ints ? "BIGINT[]" : "TEXT[]";
    limes_rc rc = buf_putc(text, '{');
    for (int i = 0; i < n && !rc; i++) {
        if (i)
            rc = buf_putc(text, ',');
        if (rc)
            break;
        if (keys[i].type == SV_NULL) {
            rc = buf_puts(text, "NULL");
            continue;
        }
        if (keys[i].type != (ints ? SV_INT : SV_TEXT))
            return LIMES_INTERNAL;
        if (ints) {
            rc = put_int(text, keys[i].i);
            continue;
        }
        rc = buf_putc(text, '"');
        for (const char *p = keys[i].s; !rc && *p; p++) {
            size_t plain = strcspn(p, "\\\"");
            rc = buf_append(text, p, plain);
            p += plain;
            if (!*p || rc)
                break;
            char pair[2] = {'\\', *p};
            rc = buf_append(text, pair, 2);
        }
        if (!rc)
            rc = buf_putc(text, '"');
    }
    return rc ? rc : buf_putc(text, '}');
}

static const char *pg_schema_token(const char *token)
{
    if (strcmp(token, "ID") == 0)
        return "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
    if (strcmp(token, "BLOB") == 0)
        return "BYTEA";
    if (strcmp(token, "BIGINT") == 0)
        return "BIGINT";
    return NULL;
}

const struct store_backend store_pg_backend = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .exec = pg_exec,
    .exec_script = pg_exec_script,
    .query = pg_query,
    .next = pg_next,
    .ncols = pg_ncols,
    .col_name = pg_col_name,
    .col_is_null = pg_col_is_null,
    .col_int = pg_col_int,
    .col_real = pg_col_real,
    .col_text = pg_col_text,
    .col_type = pg_col_type,
    .rows_close = pg_rows_close,
    .schema_token = pg_schema_token,
    .reserve_ids = pg_reserve_ids,
    .copy_in = pg_copy_in,
    .skip_key_checks = pg_skip_key_checks,
    .copy_many = pg_copy_many,
    .array_param = pg_array_param,
    .index_reads = pg_index_reads,
};
