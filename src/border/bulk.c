/*
 * bulk.c - many crossings in one transaction: decided in memory, then
 * written with one bulk load per table per chunk instead of five or more
 * statements per crossing.
 *
 * The rules are those of crossings.c (same matching into stays, same
 * anomalies, same lawful-stay computation, same errors); only the store
 * traffic differs.  For a chunk of rows:
 *   1. validate every row and resolve the crossing points;
 *   2. find the documents already known (one query); each unknown document
 *      makes a new traveller, created from its first row;
 *   3. load the stays, nationality and last activity day of the known
 *      travellers (two queries);
 *   4. decide every row in input order, in memory: which stay an exit
 *      closes, which entry opens a stay, the anomalies, the last lawful day;
 *   5. reserve the ids of the new rows (store_reserve_ids), so that rows
 *      can name each other without reading ids back; close the stored stays
 *      this chunk ended (one update); build the rows of each table - new
 *      travellers, documents, stays (in their final state), crossings - and
 *      load them with one store_copy_many, parents first; then raise the
 *      last activity day of known travellers.  A load is COPY on PostgreSQL
 *      (crossings, and the stays of the batch's last chunk, on a second
 *      connection at the same time when the server allows it: rows that
 *      no later chunk reads, see src/store/pg.c) and repeated multi-row
 *      INSERTs on SQLite.
 * On PostgreSQL the per-row foreign-key triggers (a query and a row lock per
 * key per row: the main cost of the old path, bench/RESULTS.md) are switched
 * off for the writes when the server allows it, and check_keys() tests the
 * key columns of every row about to be written instead.
 * Rows that name a traveller_id, or carry no document, make the whole
 * batch go through the row-by-row path instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "border_int.h"
#include "core/buf.h"
#include "core/date.h"

/*
 * Rows per chunk: a batch of 1,000 in one go.  Per-chunk costs (round trips
 * and COPY set-up on PostgreSQL, statement set-up on SQLite) are paid once
 * per 1,000 rows; the look-ups stay linear (hash tables below) and prepared
 * (store_in_list: an array parameter, or IN-lists of a few fixed lengths).
 */
#define CHUNK 1000
#define SQL_MAX (1 << 20)
#define PENDING_ID (INT64_MAX / 2) /* stays not written yet sort last, in creation order */
#define CROSSING_COLS 15 /* the widest row written */

enum table { T_TRAVELLERS, T_DOCUMENTS, T_STAYS, T_CROSSINGS, NTABLES };

struct bstay {
    int64_t id; /* PENDING_ID + creation number until ids are reserved */
    int32_t entry, exit; /* exit LIMES_STAY_OPEN while open */
    bool closed, counts;
    bool stored; /* loaded from the store (else new in this chunk) */
    bool dirty;  /* stored and changed: to be updated */
    char anomaly[32];
};

struct bperson {
    int64_t id;
    bool created;
    int first_row; /* row that created the traveller (created only) */
    char nationality[4];
    int32_t max_day, stored_day;
    struct bstay *stays;
    size_t nstays, cap;
};

struct bdoc {
    const char *issuer, *number;
    int64_t id;
    int person;
};

struct brow {
    const limes_crossing_in *in;
    limes_crossing_out *out;
    int64_t at_ms, bcp;
    int32_t day;
    bool entry;
    int doc, person;
    int stay; /* index into the person's stays, -1 if none */
    store_val until; /* entries: last lawful day, or NULL */
};

/* Search keys of a new traveller, kept until the travellers are written. */
struct bkeys {
    char key[512], skel[256], first[64];
};

/* Open-addressing tables (index + 1, 0 = empty) over the chunk's
 * documents and people: linear searches made 1,000-row chunks quadratic. */
#define SLOTS 4096 /* a power of two, at least 2 * CHUNK */

struct chunk {
    store_tx *tx;
    int doc_slot[SLOTS], person_slot[SLOTS];
    int64_t now;
    struct brow rows[CHUNK];
    int n;
    struct bdoc docs[CHUNK];
    int ndocs;
    struct bperson people[CHUNK];
    int npeople, ncreated, nnew_stays;
    /* First id of each reserved block (step 5): ncreated travellers and
     * documents, nnew_stays stays, n crossings. */
    int64_t first_traveller, first_doc, first_stay, first_crossing;
    bool unchecked; /* per-row foreign-key checks are off: check_keys() instead */
    bool last;      /* the batch's last chunk */
    int64_t *known_ids[3]; /* KEY_TRAVELLER.. : sorted ids read from the store */
    int nknown[3];
    struct bkeys keys[CHUNK];
    buf sql;
    buf list;                 /* an array parameter's text (store_in_list) */
    store_val list_keys[CHUNK]; /* the keys of an in_list() */
    /* Values being built: query_vals (statements) or one of table_vals (the
     * rows of one table, loaded with the others by one store_copy_many). */
    store_val *vals;
    int nvals;
    store_val query_vals[CHUNK * CROSSING_COLS];
    store_val table_vals[NTABLES][CHUNK * CROSSING_COLS];
    store_copy_job jobs[NTABLES];
    int njobs;
};

static const char *nz(const char *s) { return s ? s : ""; }

bool border_bulk_possible(const limes_crossing_in *in, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (in[i].traveller_id || !in[i].doc.number || !*in[i].doc.number)
            return false;
    return n >= 8;
}

/* ---- building statements ----------------------------------------------------- */

static void sql_start(struct chunk *c, const char *head)
{
    buf_reset(&c->sql);
    buf_puts(&c->sql, head);
    c->vals = c->query_vals;
    c->nvals = 0;
}

static void put(struct chunk *c, const char *s) { buf_puts(&c->sql, s); }

static limes_rc read_failed(limes_error *err) { return err ? err->rc : LIMES_STORE; }

/* ---- step 1: validation ------------------------------------------------------- */

static uint32_t hash_text(uint32_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u; /* FNV-1a */
    return h;
}

/* The slot of document (issuer, number): where it is, or the empty slot
 * where it goes. */
static int *doc_slot(struct chunk *c, const char *issuer, const char *number)
{
    uint32_t h = hash_text(hash_text(2166136261u, issuer), number);
    for (uint32_t i = h;; i++) {
        int *slot = &c->doc_slot[i & (SLOTS - 1)];
        const struct bdoc *d = *slot ? &c->docs[*slot - 1] : NULL;
        if (!d || (strcmp(d->number, number) == 0 && strcmp(d->issuer, issuer) == 0))
            return slot;
    }
}

static int find_doc(struct chunk *c, const char *issuer, const char *number)
{
    return *doc_slot(c, issuer, number) - 1;
}

static limes_rc validate_rows(struct chunk *c, struct border_bcp_memo *memo, limes_error *err)
{
    for (int i = 0; i < c->n; i++) {
        struct brow *r = &c->rows[i];
        const limes_crossing_in *in = r->in;
        limes_rc rc = border_time(in->at_ms, c->now, &r->at_ms, &r->day, err);
        if (rc)
            return rc;
        r->entry = in->direction && strcmp(in->direction, "entry") == 0;
        if (!r->entry && !(in->direction && strcmp(in->direction, "exit") == 0))
            return limes_fail(err, LIMES_INVALID, "direction", "direction must be entry or exit");
        if ((rc = border_bcp_memo(c->tx, in->bcp_code, memo, &r->bcp, err)) ||
            (rc = border_doc_valid(&in->doc, err)) ||
            (rc = border_person_valid(&in->person, err)))
            return rc;
        int *slot = doc_slot(c, in->doc.issuer, in->doc.number);
        if (!*slot) {
            c->docs[c->ndocs++] = (struct bdoc){in->doc.issuer, in->doc.number, 0, -1};
            *slot = c->ndocs;
        }
        r->doc = *slot - 1;
        r->stay = -1;
        r->until = sv_null();
    }
    return LIMES_OK;
}

/* ---- step 2: documents and travellers ---------------------------------------- */

/* The person with this id (a new entry if not seen in this chunk yet). */
static int person_for_id(struct chunk *c, int64_t id)
{
    for (uint64_t i = (uint64_t)id * 0x9E3779B97F4A7C15u >> 40;; i++) {
        int *slot = &c->person_slot[i & (SLOTS - 1)];
        if (*slot && c->people[*slot - 1].id == id)
            return *slot - 1;
        if (!*slot) {
            int p = c->npeople++;
            memset(&c->people[p], 0, sizeof c->people[p]);
            c->people[p].id = id;
            *slot = p + 1;
            return p;
        }
    }
}

/* Append "col IN (keys)" for c->vals[from..c->nvals), which it replaces
 * (store_in_list: one array parameter on PostgreSQL, a padded IN-list on
 * SQLite; the SQL stays one of a few texts, prepared once). */
static limes_rc in_list(struct chunk *c, const char *col, int from)
{
    int n = c->nvals - from;
    memcpy(c->list_keys, c->vals + from, (size_t)n * sizeof *c->vals);
    c->nvals = from;
    return store_in_list(c->tx, &c->sql, col, c->list_keys, n, c->vals, &c->nvals, &c->list);
}

static limes_rc find_documents(struct chunk *c, limes_error *err)
{
    sql_start(c, "SELECT issuer, number, id, traveller_id FROM traveller_documents WHERE ");
    for (int i = 0; i < c->ndocs; i++)
        c->vals[c->nvals++] = sv_text(c->docs[i].number);
    store_rows *r;
    limes_rc rc = in_list(c, "number", 0);
    if (rc)
        return limes_fail(err, rc, "", "bulk crossings: look-up too large");
    if ((rc = store_query(c->tx, buf_str(&c->sql), c->vals, c->nvals, &r, err)))
        return rc;
    int have;
    while ((have = store_rows_next(r, err)) == 1) {
        int d = find_doc(c, store_col_text(r, 0), store_col_text(r, 1));
        if (d >= 0) {
            c->docs[d].id = store_col_int(r, 2);
            c->docs[d].person = person_for_id(c, store_col_int(r, 3));
        }
    }
    store_rows_close(r);
    return have < 0 ? read_failed(err) : LIMES_OK;
}

/* A new traveller for each unknown document, from the document's first row;
 * ids stay placeholders (-1 - document) until step 5. */
static void plan_travellers(struct chunk *c)
{
    for (int i = 0; i < c->n; i++) {
        struct brow *r = &c->rows[i];
        struct bdoc *d = &c->docs[r->doc];
        if (d->person < 0) {
            d->person = person_for_id(c, -1 - r->doc);
            struct bperson *p = &c->people[d->person];
            p->created = true;
            p->first_row = i;
            snprintf(p->nationality, sizeof p->nationality, "%s", nz(r->in->person.nationality));
            c->ncreated++;
        }
        r->person = d->person;
        struct bperson *p = &c->people[r->person];
        if (r->day > p->max_day)
            p->max_day = r->day;
    }
}

/* ---- step 3: what the store knows of the known travellers ------------------- */

static struct bstay *add_stay(struct bperson *p)
{
    if (p->nstays == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 4;
        struct bstay *bigger = realloc(p->stays, cap * sizeof *bigger);
        if (!bigger)
            return NULL;
        p->stays = bigger;
        p->cap = cap;
    }
    struct bstay *s = &p->stays[p->nstays++];
    memset(s, 0, sizeof *s);
    return s;
}

/* "traveller_id IN (ids of the travellers known before this chunk)"
 * appended; false if there are none. */
static bool known_ids(struct chunk *c, const char *col, limes_rc *rc)
{
    int from = c->nvals;
    for (int i = 0; i < c->npeople; i++)
        if (!c->people[i].created)
            c->vals[c->nvals++] = sv_int(c->people[i].id);
    if (c->nvals == from)
        return false;
    *rc = in_list(c, col, from);
    return true;
}

static limes_rc load_known(struct chunk *c, limes_error *err)
{
    limes_rc rc = LIMES_OK;
    sql_start(c, "SELECT traveller_id, id, entry_day, exit_day, closed, counts, anomaly FROM "
                 "stays WHERE ");
    if (!known_ids(c, "traveller_id", &rc))
        return LIMES_OK;
    put(c, " ORDER BY traveller_id, entry_day, id");
    store_rows *r;
    if (rc)
        return limes_fail(err, rc, "", "bulk crossings: look-up too large");
    if ((rc = store_query(c->tx, buf_str(&c->sql), c->vals, c->nvals, &r, err)))
        return rc;
    int have;
    while ((have = store_rows_next(r, err)) == 1) {
        struct bstay *s = add_stay(&c->people[person_for_id(c, store_col_int(r, 0))]);
        if (!s) {
            store_rows_close(r);
            return limes_fail(err, LIMES_NOMEM, "", "out of memory");
        }
        s->id = store_col_int(r, 1);
        s->entry = (int32_t)store_col_int(r, 2);
        s->exit = store_col_is_null(r, 3) ? LIMES_STAY_OPEN : (int32_t)store_col_int(r, 3);
        s->closed = store_col_int(r, 4) != 0;
        s->counts = store_col_int(r, 5) != 0;
        s->stored = true;
        snprintf(s->anomaly, sizeof s->anomaly, "%s", store_col_text(r, 6));
    }
    store_rows_close(r);
    if (have < 0)
        return read_failed(err);
    sql_start(c, "SELECT id, nationality, last_activity_day FROM travellers WHERE ");
    known_ids(c, "id", &rc);
    if (rc)
        return limes_fail(err, rc, "", "bulk crossings: look-up too large");
    if ((rc = store_query(c->tx, buf_str(&c->sql), c->vals, c->nvals, &r, err)))
        return rc;
    while ((have = store_rows_next(r, err)) == 1) {
        struct bperson *p = &c->people[person_for_id(c, store_col_int(r, 0))];
        snprintf(p->nationality, sizeof p->nationality, "%s", store_col_text(r, 1));
        p->stored_day = (int32_t)store_col_int(r, 2);
    }
    store_rows_close(r);
    return have < 0 ? read_failed(err) : LIMES_OK;
}

/* ---- step 4: deciding each row in memory -------------------------------------- */

/* Latest stay as crossings.c sees it: greatest entry day, then greatest id. */
static int latest(const struct bperson *p)
{
    int best = -1;
    for (size_t i = 0; i < p->nstays; i++) {
        const struct bstay *s = &p->stays[i];
        if (best < 0 || s->entry > p->stays[best].entry ||
            (s->entry == p->stays[best].entry && s->id > p->stays[best].id))
            best = (int)i;
    }
    return best;
}

static limes_rc lawful(const struct bperson *p, int32_t day, bool counts, store_val *out,
                       limes_error *err)
{
    *out = sv_null();
    limes_stay_regime reg;
    limes_stay_regime_for(p->nationality, &reg);
    if (!counts || reg.kind == LIMES_REGIME_FREE_MOVEMENT)
        return LIMES_OK;
    limes_stay *v = malloc((p->nstays ? p->nstays : 1) * sizeof *v);
    if (!v)
        return limes_fail(err, LIMES_NOMEM, "", "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < p->nstays; i++)
        if (p->stays[i].counts)
            v[k++] = (limes_stay){p->stays[i].entry, p->stays[i].exit};
    int days = 0;
    limes_rc rc = limes_stay_plan(&reg.rule, v, k, day, &days, err);
    free(v);
    if (!rc)
        *out = sv_int((int64_t)day + days - 1);
    return rc;
}

static void close_stay(struct bstay *s, int32_t exit_day)
{
    s->exit = exit_day;
    s->closed = true;
    s->dirty = s->stored;
}

/* Decide one row (the rules of crossings.c). */
static limes_rc decide(struct chunk *c, struct brow *r, limes_error *err)
{
    struct bperson *p = &c->people[r->person];
    int l = latest(p);
    struct bstay *ls = l >= 0 ? &p->stays[l] : NULL;
    char *anomaly = r->out->anomaly;
    if (!r->entry) {
        if (!ls || ls->closed) {
            snprintf(anomaly, 32, "exit-without-entry");
            return LIMES_OK;
        }
        if (r->day < ls->entry)
            return limes_fail(err, LIMES_INVALID, "at",
                              "the exit is dated before the entry of the open stay");
        close_stay(ls, r->day);
        r->stay = l;
        return LIMES_OK;
    }
    if (ls && !ls->closed) {
        snprintf(anomaly, 32, "entry-without-exit");
        close_stay(ls, ls->entry);
        snprintf(ls->anomaly, sizeof ls->anomaly, "exit-not-recorded");
    } else if (ls && (ls->entry > r->day || (ls->exit != LIMES_STAY_OPEN && ls->exit > r->day))) {
        snprintf(anomaly, 32, "out-of-order");
    }
    limes_rc rc = lawful(p, r->day, !r->in->not_counted, &r->until, err);
    if (rc)
        return rc;
    struct bstay *s = add_stay(p);
    if (!s)
        return limes_fail(err, LIMES_NOMEM, "", "out of memory");
    s->id = PENDING_ID + c->nnew_stays++;
    s->entry = r->day;
    s->exit = LIMES_STAY_OPEN;
    s->counts = !r->in->not_counted;
    snprintf(s->anomaly, sizeof s->anomaly, "%s", anomaly);
    r->stay = (int)(p->nstays - 1);
    return LIMES_OK;
}

static limes_rc decide_rows(struct chunk *c, limes_error *err)
{
    limes_rc rc = LIMES_OK;
    for (int i = 0; i < c->n && !rc; i++)
        rc = decide(c, &c->rows[i], err);
    return rc;
}

/* ---- step 5: ids and writes --------------------------------------------------- */

/* Real ids for the new travellers, documents and stays, in creation order. */
static limes_rc assign_ids(struct chunk *c, limes_error *err)
{
    limes_rc rc = LIMES_OK;
    if (c->ncreated &&
        ((rc = store_reserve_ids(c->tx, "travellers", c->ncreated, &c->first_traveller, err)) ||
         (rc = store_reserve_ids(c->tx, "traveller_documents", c->ncreated, &c->first_doc,
                                 err))))
        return rc;
    if (c->nnew_stays &&
        (rc = store_reserve_ids(c->tx, "stays", c->nnew_stays, &c->first_stay, err)))
        return rc;
    if ((rc = store_reserve_ids(c->tx, "crossings", c->n, &c->first_crossing, err)))
        return rc;
    int64_t traveller = c->first_traveller, doc = c->first_doc;
    for (int i = 0; i < c->n; i++) {
        struct bdoc *d = &c->docs[c->rows[i].doc];
        struct bperson *p = &c->people[d->person];
        if (p->created && p->first_row == i) {
            p->id = traveller++;
            d->id = doc++;
        }
    }
    for (int i = 0; i < c->npeople; i++)
        for (size_t k = 0; k < c->people[i].nstays; k++)
            if (!c->people[i].stays[k].stored)
                c->people[i].stays[k].id -= PENDING_ID - c->first_stay;
    return LIMES_OK;
}

/*
 * Keys, when the per-row foreign-key checks are off.  Every key a chunk
 * writes must name either a row of one of the chunk's own reserved blocks
 * (each bulk load confirms it wrote every row: PostgreSQL's COPY count) or
 * a row read from the store in this transaction, which the single writer
 * lock keeps from being deleted before commit.  check_keys() tests the
 * key columns of the rows about to be written against exactly that: a few
 * comparisons and a binary search per key, instead of PostgreSQL's query
 * and row lock per key per row.
 */
enum key_kind { KEY_TRAVELLER, KEY_DOCUMENT, KEY_STAY, KEY_BCP };

static int compare_ids(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void add_known(struct chunk *c, enum key_kind kind, int64_t id)
{
    c->known_ids[kind][c->nknown[kind]++] = id;
}

/* The ids read from the store (travellers, documents, stays), sorted. */
static limes_rc collect_known(struct chunk *c, limes_error *err)
{
    size_t stays = 0;
    for (int i = 0; i < c->npeople; i++)
        stays += c->people[i].nstays;
    for (int k = KEY_TRAVELLER; k <= KEY_STAY; k++) {
        free(c->known_ids[k]);
        c->nknown[k] = 0;
        c->known_ids[k] = malloc(((k == KEY_STAY ? stays : (size_t)c->n) + 1) * sizeof(int64_t));
        if (!c->known_ids[k])
            return limes_fail(err, LIMES_NOMEM, "", "out of memory");
    }
    for (int i = 0; i < c->npeople; i++) {
        const struct bperson *p = &c->people[i];
        if (!p->created)
            add_known(c, KEY_TRAVELLER, p->id);
        for (size_t k = 0; k < p->nstays; k++)
            if (p->stays[k].stored)
                add_known(c, KEY_STAY, p->stays[k].id);
    }
    for (int i = 0; i < c->ndocs; i++)
        if (!c->people[c->docs[i].person].created)
            add_known(c, KEY_DOCUMENT, c->docs[i].id);
    for (int k = KEY_TRAVELLER; k <= KEY_STAY; k++)
        qsort(c->known_ids[k], (size_t)c->nknown[k], sizeof(int64_t), compare_ids);
    return LIMES_OK;
}

static bool key_ok(const struct chunk *c, const struct border_bcp_memo *memo, enum key_kind kind,
                   int64_t id)
{
    int64_t first[] = {c->first_traveller, c->first_doc, c->first_stay};
    int64_t count[] = {c->ncreated, c->ncreated, c->nnew_stays};
    if (kind == KEY_BCP) {
        for (int i = 0; i < BORDER_BCP_MEMO; i++)
            if (memo->code[i][0] && memo->id[i] == id)
                return true;
        return false;
    }
    if (id >= first[kind] && id < first[kind] + count[kind])
        return true;
    return bsearch(&id, c->known_ids[kind], (size_t)c->nknown[kind], sizeof id, compare_ids);
}

/* Column `col` of every row in c->vals must be a good key of `kind` (or NULL if nullable). */
static limes_rc check_keys(const struct chunk *c, const struct border_bcp_memo *memo, int ncols,
                           int col, enum key_kind kind, bool nullable, limes_error *err)
{
    if (!c->unchecked)
        return LIMES_OK;
    for (int i = col; i < c->nvals; i += ncols) {
        const store_val *v = &c->vals[i];
        if (v->type == SV_NULL ? !nullable : v->type != SV_INT || !key_ok(c, memo, kind, v->i))
            return limes_fail(err, LIMES_INTERNAL, "",
                              "bulk crossings: a row names a missing row (key kind %d)", kind);
    }
    return LIMES_OK;
}

/* Append one row of values to c->vals. */
static void add_row(struct chunk *c, const store_val *v, int n)
{
    memcpy(c->vals + c->nvals, v, (size_t)n * sizeof *v);
    c->nvals += n;
}

/* Start the rows of one table (c->vals) / hand them to the loads. */
static void table_start(struct chunk *c, enum table t)
{
    c->vals = c->table_vals[t];
    c->nvals = 0;
}

/* unread: no later chunk of this batch reads these rows (so the store may
 * load them apart from the transaction's own connection). */
static void table_done(struct chunk *c, const char *table, const char *cols, int ncols,
                       bool unread)
{
    c->jobs[c->njobs++] = (store_copy_job){table, cols, ncols, c->nvals / ncols, c->vals, unread};
}

/* c->vals := one row per traveller new in this chunk, made by row(). */
static void rows_of_new_travellers(struct chunk *c,
                                   void (*row)(struct chunk *, const struct bperson *,
                                               const struct brow *))
{
    c->nvals = 0;
    for (int i = 0; i < c->npeople; i++)
        if (c->people[i].created)
            row(c, &c->people[i], &c->rows[c->people[i].first_row]);
}

static void traveller_row(struct chunk *c, const struct bperson *p, const struct brow *r)
{
    const limes_person *who = &r->in->person;
    struct bkeys *k = &c->keys[r->doc];
    border_traveller_keys(who, k->key, k->skel);
    snprintf(k->first, sizeof k->first, "%s/%s", r->in->doc.issuer, r->in->doc.number);
    store_val v[] = {sv_int(p->id),          sv_text(nz(who->surname)),
                     sv_text(nz(who->given_names)), sv_text(k->key),
                     sv_text(nz(who->birth_date)),  sv_text(nz(who->sex)),
                     sv_text(nz(who->nationality)), sv_int(c->now),
                     sv_int(p->max_day),     sv_text(k->skel),
                     sv_text(k->first)};
    add_row(c, v, 11);
}

static void document_row(struct chunk *c, const struct bperson *p, const struct brow *r)
{
    const limes_document_ref *doc = &r->in->doc;
    store_val v[] = {sv_int(c->docs[r->doc].id),    sv_int(p->id),
                     sv_text(nz(doc->doc_type)),    sv_text(doc->issuer),
                     sv_text(doc->number),          sv_text(nz(doc->expiry_date)),
                     sv_int(c->now)};
    add_row(c, v, 7);
}

static void write_travellers(struct chunk *c)
{
    table_start(c, T_TRAVELLERS);
    rows_of_new_travellers(c, traveller_row);
    table_done(c, "travellers",
               "id, surname, given_names, name_key, birth_date, sex, nationality, "
               "created_ms, last_activity_day, name_skel, first_document",
               11, false);
}

static limes_rc write_documents(struct chunk *c, limes_error *err)
{
    table_start(c, T_DOCUMENTS);
    rows_of_new_travellers(c, document_row);
    limes_rc rc = check_keys(c, NULL, 7, 1, KEY_TRAVELLER, false, err);
    if (!rc)
        table_done(c, "traveller_documents",
                   "id, traveller_id, doc_type, issuer, number, expiry_date, first_seen_ms", 7,
                   false);
    return rc;
}

/* One UPDATE for many rows by id: c->vals holds rows of (id, value of each
 * of the `n` columns); store_update_by_id. */
static limes_rc update_by_id(struct chunk *c, const char *table, const char *fixed,
                             const char *const *cols, const char *const *types, int n,
                             limes_error *err)
{
    return store_update_by_id(c->tx, table, fixed, cols, types, n, c->vals, c->nvals / (1 + n),
                              err);
}

/* Stored stays this chunk closed (rare: a traveller's exit after an entry
 * recorded by an earlier batch). */
static limes_rc update_stored_stays(struct chunk *c, limes_error *err)
{
    c->vals = c->query_vals;
    c->nvals = 0;
    for (int i = 0; i < c->npeople; i++)
        for (size_t k = 0; k < c->people[i].nstays; k++) {
            struct bstay *s = &c->people[i].stays[k];
            if (s->dirty)
                add_row(c, (store_val[]){sv_int(s->id), sv_int(s->exit), sv_text(s->anomaly)}, 3);
            s->dirty = false;
        }
    static const char *const cols[] = {"exit_day", "anomaly"}, *const types[] = {"INTEGER", "TEXT"};
    return update_by_id(c, "stays", "closed = 1, ", cols, types, 2, err);
}

/* New stays in their final state (closed already if this chunk saw the exit). */
static limes_rc write_new_stays(struct chunk *c, limes_error *err)
{
    table_start(c, T_STAYS);
    for (int i = 0; i < c->n; i++) {
        struct brow *r = &c->rows[i];
        if (!r->entry)
            continue;
        const struct bstay *s = &c->people[r->person].stays[r->stay];
        store_val v[] = {sv_int(s->id),
                         sv_int(c->people[r->person].id),
                         sv_int(s->entry),
                         s->exit == LIMES_STAY_OPEN ? sv_null() : sv_int(s->exit),
                         sv_int(s->closed),
                         sv_int(s->counts),
                         r->until,
                         sv_text(s->anomaly)};
        add_row(c, v, 8);
    }
    limes_rc rc = check_keys(c, NULL, 8, 1, KEY_TRAVELLER, false, err);
    if (!rc)
        table_done(c, "stays",
                   "id, traveller_id, entry_day, exit_day, closed, counts, latest_exit_day, "
                   "anomaly",
                   8, c->last); /* later chunks load known travellers' stays */
    return rc;
}

static limes_rc write_crossings(struct chunk *c, const struct border_bcp_memo *memo,
                                limes_error *err)
{
    table_start(c, T_CROSSINGS);
    for (int i = 0; i < c->n; i++) {
        struct brow *r = &c->rows[i];
        const limes_crossing_in *in = r->in;
        int64_t stay = r->stay >= 0 ? c->people[r->person].stays[r->stay].id : 0;
        r->out->id = c->first_crossing + i;
        r->out->traveller_id = c->people[r->person].id;
        r->out->stay_id = stay;
        store_val v[CROSSING_COLS] = {sv_int(r->out->id),
                                      sv_int(r->out->traveller_id),
                                      sv_int(c->docs[r->doc].id),
                                      stay ? sv_int(stay) : sv_null(),
                                      sv_int(r->bcp),
                                      sv_text(r->entry ? "entry" : "exit"),
                                      sv_int(r->day),
                                      sv_int(r->at_ms),
                                      sv_text(nz(in->officer)),
                                      in->check_id ? sv_int(in->check_id) : sv_null(),
                                      sv_int(!in->not_counted),
                                      sv_text(nz(in->travel_mode)),
                                      sv_text(nz(in->travel_ref)),
                                      sv_text(r->out->anomaly),
                                      sv_int(c->now)};
        add_row(c, v, CROSSING_COLS);
    }
    limes_rc rc = LIMES_OK;
    if ((rc = check_keys(c, memo, CROSSING_COLS, 1, KEY_TRAVELLER, false, err)) ||
        (rc = check_keys(c, memo, CROSSING_COLS, 2, KEY_DOCUMENT, false, err)) ||
        (rc = check_keys(c, memo, CROSSING_COLS, 3, KEY_STAY, true, err)) ||
        (rc = check_keys(c, memo, CROSSING_COLS, 4, KEY_BCP, false, err)))
        return rc;
    table_done(c, "crossings",
               "id, traveller_id, document_id, stay_id, bcp_id, direction, day, at_ms, "
               "officer, check_id, counts, travel_mode, travel_ref, anomaly, created_ms",
               CROSSING_COLS, true);
    return LIMES_OK;
}

/* Raise last_activity_day of known travellers to their latest day here. */
static limes_rc update_activity(struct chunk *c, limes_error *err)
{
    c->vals = c->query_vals;
    c->nvals = 0;
    for (int i = 0; i < c->npeople; i++) {
        const struct bperson *p = &c->people[i];
        if (!p->created && p->max_day > p->stored_day)
            add_row(c, (store_val[]){sv_int(p->id), sv_int(p->max_day)}, 2);
    }
    static const char *const cols[] = {"last_activity_day"}, *const types[] = {"INTEGER"};
    return update_by_id(c, "travellers", "", cols, types, 1, err);
}

static limes_rc write_chunk(struct chunk *c, const struct border_bcp_memo *memo,
                            limes_error *err)
{
    limes_rc rc = assign_ids(c, err);
    if (rc)
        return rc;
    c->unchecked = store_skip_key_checks(c->tx, true);
    c->njobs = 0;
    if (!c->unchecked || !(rc = collect_known(c, err))) {
        write_travellers(c);
        if (!(rc = write_documents(c, err)) && !(rc = write_new_stays(c, err)) &&
            !(rc = write_crossings(c, memo, err)) && !(rc = update_stored_stays(c, err)) &&
            !(rc = store_copy_many(c->tx, c->jobs, c->njobs, err)))
            rc = update_activity(c, err);
    }
    if (c->unchecked)
        store_skip_key_checks(c->tx, false);
    return rc;
}

static limes_rc chunk_steps(struct chunk *c, struct border_bcp_memo *memo, limes_error *err)
{
    limes_rc rc;
    if ((rc = validate_rows(c, memo, err)) || (rc = find_documents(c, err)))
        return rc;
    plan_travellers(c);
    if ((rc = load_known(c, err)) || (rc = decide_rows(c, err)))
        return rc;
    return write_chunk(c, memo, err);
}

/* The chunk's reads by key list are index look-ups whatever the size of the
 * tables (store_index_reads). */
static limes_rc run_chunk(struct chunk *c, struct border_bcp_memo *memo, limes_error *err)
{
    limes_rc rc = store_index_reads(c->tx, true, err);
    if (!rc)
        rc = chunk_steps(c, memo, err);
    limes_rc off = store_index_reads(c->tx, false, rc ? NULL : err);
    return rc ? rc : off;
}

static void free_stays(struct chunk *c)
{
    for (int i = 0; i < c->npeople; i++)
        free(c->people[i].stays);
    c->npeople = 0;
}

limes_rc border_crossings_bulk_tx(store_tx *tx, const limes_crossing_in *in, size_t n,
                                  int64_t now, limes_crossing_out *out, limes_error *err)
{
    size_t chunk = CHUNK;
    /* Not zeroed (3.5 MB: calloc's memset was ~1 ms per batch): every
     * array is written before it is read, per chunk; what outlives a chunk
     * starts empty here. */
    struct chunk *c = malloc(sizeof *c);
    if (!c)
        return limes_fail(err, LIMES_NOMEM, "", "out of memory");
    c->npeople = 0;
    for (int k = KEY_TRAVELLER; k <= KEY_STAY; k++) {
        c->known_ids[k] = NULL;
        c->nknown[k] = 0;
    }
    buf_init(&c->sql, SQL_MAX);
    buf_init(&c->list, SQL_MAX);
    struct border_bcp_memo memo = {0};
    limes_rc rc = LIMES_OK;
    for (size_t start = 0; start < n && !rc; start += chunk) {
        free_stays(c);
        c->tx = tx;
        c->now = now;
        c->n = (int)(n - start < chunk ? n - start : chunk);
        c->last = start + chunk >= n;
        c->ndocs = c->ncreated = c->nnew_stays = 0;
        c->first_traveller = c->first_doc = c->first_stay = c->first_crossing = 0;
        c->unchecked = false;
        c->njobs = 0;
        memset(c->doc_slot, 0, sizeof c->doc_slot);
        memset(c->person_slot, 0, sizeof c->person_slot);
        for (int i = 0; i < c->n; i++) {
            memset(&c->rows[i], 0, sizeof c->rows[i]);
            c->rows[i].in = &in[start + (size_t)i];
            c->rows[i].out = &out[start + (size_t)i];
            memset(c->rows[i].out, 0, sizeof *c->rows[i].out);
        }
        rc = run_chunk(c, &memo, err);
    }
    free_stays(c);
    for (int k = KEY_TRAVELLER; k <= KEY_STAY; k++)
        free(c->known_ids[k]);
    buf_release(&c->sql);
    buf_release(&c->list);
    free(c);
    return rc;
}
