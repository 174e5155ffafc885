/*
 * audit.c - hash-chained audit trail; see limes/audit.h.
 *
 * The hash of entry n is SHA-256 over a length-prefixed encoding of its
 * fields followed by the hash of entry n-1 (64 zeros before the first).
 * Length prefixes make the encoding unambiguous, so no two different
 * entries hash the same text.  audit_head holds the newest (seq, hash);
 * appends update it in the same transaction, which serialises them.
 *
 * Group append.  The server appends an entry after every personal-data
 * request, in a write transaction of its own: under load that was a fifth
 * of a check's CPU (perf, bench/checks), most of it the commit (WAL frames
 * for the audit, its two indexes, audit_records and the head page) and
 * the write lock.  limes_audit_append therefore hands its entry to the
 * store's group writes (store_write_grouped, src/store/group.c): entries
 * appended at the same time - and other grouped writes, such as
 * first-line checks - share one transaction, one commit and one sync.
 * Each entry reads and moves the head in turn, inside that transaction.
 * A caller returns once its entry is durable (or, if it deferred its
 * commits, once it is committed and its deferred wait covers it), so an
 * answer never leaves before its audit entry is on disk.  A failing entry
 * fails alone.
 *
 * An entry can also ride in a transaction of the caller's own
 * (audit_append_in, audit_int.h): the server's first-line check writes its
 * entry in the transaction that stores the check, so that a check costs
 * one write transaction, not two (bench/RESULTS.md: the audit's own
 * transaction was 17% of a check's CPU).
 *
 * A caller that deferred its own commits (limes_store_defer_begin, the
 * server) is covered too: its entry's commit is written after every
 * commit the caller made before appending, and the WAL is sequential, so
 * the sync that makes the entry durable makes those durable as well.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/date.h"
#include "core/jsontext.h"
#include "core/rand.h"
#include "audit_int.h"
#include "limes/audit.h"
#include "store/store.h"

struct fields {
    int64_t seq, ts;
    const char *request_id, *actor, *role, *action, *purpose, *records, *outcome, *detail;
    const char *prev_hash;
};

/* The field as its length in decimal, ':' and its bytes.  (Written by
 * hand: a buf_printf per field was about 1% of a first-line check.) */
static limes_rc put_field(buf *b, const char *v)
{
    const char *s = v ? v : "";
    size_t len = strlen(s);
    char digits[24];
    size_t n = sizeof digits;
    digits[--n] = ':';
    do
        digits[--n] = (char)('0' + len % 10);
    while ((len /= 10) != 0);
    limes_rc rc = buf_append(b, digits + n, sizeof digits - n);
    return rc ? rc : buf_puts(b, s);
}

static limes_rc entry_hash(const struct fields *f, char out[65])
{
    buf b;
    buf_init(&b, 1 << 20);
    limes_rc rc = buf_printf(&b, "limes-audit-v1|%lld|%lld|", (long long)f->seq,
                             (long long)f->ts);
    const char *parts[] = {f->request_id, f->actor,   f->role,    f->action, f->purpose,
                           f->records,    f->outcome, f->detail, f->prev_hash};
    for (size_t i = 0; !rc && i < sizeof parts / sizeof parts[0]; i++)
        rc = put_field(&b, parts[i]);
    if (!rc)
        sha256_hex(out, b.data, b.len);
    buf_release(&b);
    return rc;
}

static char *records_json(const limes_audit_entry *e)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < e->nrecords; i++)
        json_array_append_new(arr, json_string(e->records[i] ? e->records[i] : ""));
    char *s = json_text(arr, 1u << 20);
    json_decref(arr);
    return s;
}

static limes_rc head_from(store_tx *tx, const char *sql, int64_t *seq, char hash[65],
                          limes_error *err)
{
    store_rows *r;
    limes_rc rc = store_query(tx, sql, NULL, 0, &r, err);
    if (rc)
        return rc;
    int have = store_rows_next(r, err);
    if (have == 1) {
        *seq = store_col_int(r, 0);
        snprintf(hash, 65, "%s", store_col_text(r, 1));
    }
    store_rows_close(r);
    return have == 1 ? LIMES_OK : limes_fail(err, LIMES_STORE, "", "audit head missing");
}

static limes_rc read_head(store_tx *tx, int64_t *seq, char hash[65], limes_error *err)
{
    return head_from(tx, "SELECT seq, hash FROM audit_head WHERE id = 1", seq, hash, err);
}

/* Insert one entry as number seq after the entry whose hash is prev;
 * prev becomes this entry's hash. */
static limes_rc insert_entry(store_tx *tx, const limes_audit_entry *e, const char *records,
                             int64_t seq, char prev[65], limes_error *err)
{
    struct fields f = {seq,       time_now_ms(), e->request_id, e->actor,   e->role,
                       e->action, e->purpose,    records,       e->outcome, e->detail,
                       prev};
    char hash[65];
    limes_rc rc = entry_hash(&f, hash);
    if (rc)
        return rc;
    store_val p[] = {sv_int(f.seq),          sv_int(f.ts),          sv_text(f.request_id ? f.request_id : ""),
                     sv_text(f.actor ? f.actor : ""), sv_text(f.role ? f.role : ""),
                     sv_text(f.action ? f.action : ""), sv_text(f.purpose ? f.purpose : ""),
                     sv_text(records),       sv_text(f.outcome ? f.outcome : ""),
                     sv_text(f.detail ? f.detail : ""), sv_text(prev), sv_text(hash)};
    rc = store_exec(tx,
                    "INSERT INTO audit (seq, ts_ms, request_id, actor, role, action, purpose,"
                    " records, outcome, detail, prev_hash, hash)"
                    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                    p, 12, err);
    for (size_t i = 0; !rc && i < e->nrecords; i++) {
        store_val rp[] = {sv_int(f.seq), sv_text(e->records[i] ? e->records[i] : "")};
        rc = store_exec(tx, "INSERT INTO audit_records (seq, record) VALUES ($1, $2)", rp, 2, err);
    }
    memcpy(prev, hash, 65);
    return rc;
}

/* An entry to append, with its records as JSON text. */
struct pending {
    const limes_audit_entry *e;
    const char *records;
};

/* The entry chained after the head, in tx. */
static limes_rc append_one(store_tx *tx, const struct pending *p, limes_error *err)
{
    int64_t seq;
    char prev[65];
    /* A plain read: write transactions already run one at a time on both
     * backends (SQLite's BEGIN IMMEDIATE; PostgreSQL's advisory lock, see
     * src/store/pg.c), so no other append can move the head before this
     * transaction ends.  (An UPDATE ... RETURNING that locked the row cost
     * six times as much: 3% of a first-line check.) */
    limes_rc rc = read_head(tx, &seq, prev, err);
    if (!rc)
        rc = insert_entry(tx, p->e, p->records, ++seq, prev, err);
    if (rc)
        return rc;
    store_val hp[] = {sv_int(seq), sv_text(prev)};
    return store_exec(tx, "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1", hp, 2, err);
}

/* An entry's records as JSON text (*records: the caller frees), once it
 * has what every entry needs. */
static limes_rc entry_records(const limes_audit_entry *e, char **records, limes_error *err)
{
    if (!e || !e->action || !e->outcome)
        return limes_fail(err, LIMES_INVALID, "audit", "audit entry needs an action and outcome");
    *records = records_json(e);
    return *records ? LIMES_OK : LIMES_NOMEM;
}

limes_rc audit_append_in(store_tx *tx, const limes_audit_entry *e, limes_error *err)
{
    char *records;
    limes_rc rc = entry_records(e, &records, err);
    if (rc)
        return rc;
    struct pending one = {.e = e, .records = records};
    rc = append_one(tx, &one, err);
    free(records);
    return rc;
}

/* store_write_grouped's job: one entry. */
static limes_rc append_job(store_tx *tx, void *arg, limes_error *err)
{
    return append_one(tx, arg, err);
}

limes_rc limes_audit_append(limes_store *s, const limes_audit_entry *e, limes_error *err)
{
    char *records;
    limes_rc rc = entry_records(e, &records, err);
    if (rc)
        return rc;
    struct pending mine = {.e = e, .records = records};
    rc = store_write_grouped(s, append_job, &mine, err);
    free(records);
    return rc;
}

static void report_bad(limes_audit_report *rep, int64_t seq, const char *what)
{
    if (rep->first_bad)
        return;
    rep->first_bad = seq;
    snprintf(rep->problem, sizeof rep->problem, "entry %lld: %s", (long long)seq, what);
}

static void verify_row(store_rows *r, int64_t *expect_seq, char prev[65], limes_audit_report *rep)
{
    struct fields f = {
        .seq = store_col_int(r, 0),          .ts = store_col_int(r, 1),
        .request_id = store_col_text(r, 2),  .actor = store_col_text(r, 3),
        .role = store_col_text(r, 4),        .action = store_col_text(r, 5),
        .purpose = store_col_text(r, 6),     .records = store_col_text(r, 7),
        .outcome = store_col_text(r, 8),     .detail = store_col_text(r, 9),
        .prev_hash = store_col_text(r, 10),
    };
    const char *stored = store_col_text(r, 11);
    rep->entries++;
    if (f.seq != *expect_seq)
        report_bad(rep, *expect_seq, f.seq > *expect_seq ? "entry missing (deleted)"
                                                         : "unexpected entry (inserted)");
    if (strcmp(f.prev_hash, prev) != 0)
        report_bad(rep, f.seq, "does not link to the entry before it");
    char h[65];
    if (entry_hash(&f, h) != LIMES_OK || strcmp(h, stored) != 0)
        report_bad(rep, f.seq, "contents do not match its hash (edited)");
    snprintf(prev, 65, "%s", stored);
    *expect_seq = f.seq + 1;
}

limes_rc limes_audit_verify(limes_store *s, limes_audit_report *rep, limes_error *err)
{
    memset(rep, 0, sizeof *rep);
    store_tx *tx;
    limes_rc rc = store_begin(s, false, &tx, err);
    if (rc)
        return rc;
    store_rows *r;
    rc = store_query(tx,
                     "SELECT seq, ts_ms, request_id, actor, role, action, purpose, records,"
                     " outcome, detail, prev_hash, hash FROM audit ORDER BY seq",
                     NULL, 0, &r, err);
    if (rc) {
        store_rollback(tx);
        return rc;
    }
    char prev[65];
    memset(prev, '0', 64);
    prev[64] = '\0';
    int64_t expect = 1;
    int have;
    while ((have = store_rows_next(r, err)) == 1)
        verify_row(r, &expect, prev, rep);
    store_rows_close(r);
    int64_t head_seq = 0;
    char head_hash[65] = "";
    if (have == 0)
        rc = read_head(tx, &head_seq, head_hash, err);
    store_rollback(tx);
    if (have < 0)
        return LIMES_STORE;
    if (rc)
        return rc;
    if (head_seq != expect - 1)
        report_bad(rep, expect, "newest entries missing (the head records a later entry)");
    else if (strcmp(head_hash, prev) != 0 && head_seq > 0)
        report_bad(rep, head_seq, "newest entry does not match the recorded head");
    return rep->first_bad ? LIMES_TAMPERED : LIMES_OK;
}

limes_rc limes_audit_query(limes_store *s, const limes_audit_filter *f, json_t **out,
                           limes_error *err)
{
    int limit = f && f->limit > 0 ? f->limit : 100;
    if (limit > 1000)
        limit = 1000;
    store_val p[] = {
        sv_text(f && f->actor ? f->actor : NULL),
        sv_text(f && f->record ? f->record : NULL),
        sv_int(f && f->from_ms ? f->from_ms : 0),
        sv_int(f && f->to_ms ? f->to_ms : INT64_MAX),
        sv_int(f && f->before_seq ? f->before_seq : INT64_MAX),
        sv_int(limit),
    };
    return store_read_json(s,
                          "SELECT seq, ts_ms, request_id, actor, role, action, purpose,"
                          " records AS records_json, outcome, detail, hash FROM audit a"
                          " WHERE (CAST($1 AS TEXT) IS NULL OR actor = $1)"
                          " AND (CAST($2 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM audit_records ar"
                          "      WHERE ar.seq = a.seq AND ar.record = $2))"
                          " AND ts_ms >= $3 AND ts_ms <= $4 AND seq < $5"
                          " ORDER BY seq DESC LIMIT $6",
                          p, 6, out, err);
}
