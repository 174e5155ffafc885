/*
 * bulk.c - many crossings in one transaction with a handful of statements
 * per chunk instead of five or more per crossing.
 *
 * The rules are those of crossings.c (same matching into stays, same
 * anomalies, same lawful-stay computation, same errors); only the store
 * traffic differs.  For a chunk of rows:
 *   1. validate every row and resolve the crossing points;
 *   2. find the documents already known (one query) and create the new
 *      travellers and documents (one multi-row insert each, matched back by
 *      first_document and by issuer/number);
 *   3. load the stays and nationality of the known travellers (two queries)
 *      and raise their last activity day (one update);
 *   4. work in rounds: round r holds the r-th row of each traveller of the
 *      chunk, in input order, so a traveller never has two rows in one
 *      round; each round decides every row in memory, then closes stays
 *      (one update), opens stays (one insert) and records the crossings
 *      (one insert), each matched back by traveller id.
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
 * Rows per chunk.  PostgreSQL pays a round trip per statement, so large
 * chunks.  SQLite pays no round trip but parses every chunk's statements
 * afresh (their text differs from chunk to chunk), and its per-statement
 * costs (statement journal, RETURNING table, IN-list index) are paid once
 * per chunk: profiled with callgrind (bench/RESULTS.md, issue 5), 16-row
 * chunks cost ~170k instructions per row and 200-row chunks far fewer.
 */
#define CHUNK 400
#define CHUNK_SQLITE 200
#define SQL_MAX (4 << 20)
#define PENDING_ID (INT64_MAX / 2) /* ids of stays not inserted yet sort last */

struct bstay {
    int64_t id;
    int32_t entry, exit; /* exit LIMES_STAY_OPEN while open */
    bool closed, counts, dirty;
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
    int rounds;
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
    int doc, person, round;
    int stay; /* index into the person's stays, -1 if none */
};

struct chunk {
    store_tx *tx;
    int64_t now;
    struct brow rows[CHUNK];
    int n;
    struct bdoc docs[CHUNK];
    int ndocs;
    struct bperson people[CHUNK];
    int npeople;
    buf sql;
    store_val vals[CHUNK * 14];
    int nvals;
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
    c->nvals = 0;
}

/* Append "$k" for a new parameter (by hand: printf was a quarter of the
 * bulk path's instructions). */
static void param(struct chunk *c, store_val v)
{
    c->vals[c->nvals++] = v;
    char text[16], *p = text + sizeof text;
    *--p = '\0';
    for (int k = c->nvals; k > 0; k /= 10)
        *--p = (char)('0' + k % 10);
    *--p = '$';
    buf_puts(&c->sql, p);
}

static void put(struct chunk *c, const char *s) { buf_puts(&c->sql, s); }

/* ---- step 1: validation ------------------------------------------------------- */

static int find_doc(struct chunk *c, const char *issuer, const char *number)
{
    for (int i = 0; i < c->ndocs; i++)
        if (strcmp(c->docs[i].issuer, issuer) == 0 && strcmp(c->docs[i].number, number) == 0)
            return i;
    return -1;
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
        int d = find_doc(c, in->doc.issuer, in->doc.number);
        if (d < 0) {
            d = c->ndocs++;
            c->docs[d] = (struct bdoc){in->doc.issuer, in->doc.number, 0, -1};
        }
        r->doc = d;
        r->stay = -1;
    }
    return LIMES_OK;
}

/* ---- step 2: documents and travellers ---------------------------------------- */

static int person_for_id(struct chunk *c, int64_t id)
{
    for (int i = 0; i < c->npeople; i++)
        if (c->people[i].id == id)
            return i;
    int p = c->npeople++;
    memset(&c->people[p], 0, sizeof c->people[p]);
    c->people[p].id = id;
    return p;
}

static limes_rc find_documents(struct chunk *c, limes_error *err)
{
    sql_start(c, "SELECT issuer, number, id, traveller_id FROM traveller_documents WHERE "
                 "number IN (");
    for (int i = 0; i < c->ndocs; i++) {
        if (i)
            put(c, ", ");
        param(c, sv_text(c->docs[i].number));
    }
    put(c, ")");
    store_rows *r;
    limes_rc rc = store_query(c->tx, buf_str(&c->sql), c->vals, c->nvals, &r, err);
    if (rc)
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
    return have < 0 ? (err ? err->rc : LIMES_STORE) : LIMES_OK;
}

/* New travellers: one per unknown document, created from its first row. */
static limes_rc create_travellers(struct chunk *c, limes_error *err)
{
    sql_start(c, "INSERT INTO travellers (surname, given_names, name_key, birth_date, sex, "
                 "nationality, created_ms, last_activity_day, name_skel, first_document) VALUES ");
    int count = 0;
    char (*keys)[512] = calloc((size_t)c->ndocs, 512);
    char (*skels)[256] = calloc((size_t)c->ndocs, 256);
    char (*firsts)[64] = calloc((size_t)c->ndocs, 64);
    if (!keys || !skels || !firsts) {
        free(keys);
        free(skels);
        free(firsts);
        return limes_fail(err, LIMES_NOMEM, "", "out of memory");
    }
    for (int i = 0; i < c->n; i++) {
        struct bdoc *d = &c->docs[c->rows[i].doc];
        if (d->person >= 0)
            continue;
        const limes_person *p = &c->rows[i].in->person;
        int k = c->rows[i].doc;
        d->person = person_for_id(c, -1 - k); /* placeholder id until the insert */
        c->people[d->person].created = true;
        c->people[d->person].first_row = i;
        snprintf(c->people[d->person].nationality, 4, "%s", nz(p->nationality));
        border_traveller_keys(p, keys[k], skels[k]);
        snprintf(firsts[k], 64, "%s/%s", d->issuer, d->number);
        put(c, count++ ? ", (" : "(");
        param(c, sv_text(nz(p->surname)));
        put(c, ", ");
        param(c, sv_text(nz(p->given_names)));
        put(c, ", ");
        param(c, sv_text(keys[k]));
        put(c, ", ");
        param(c, sv_text(nz(p->birth_date)));
        put(c, ", ");
        param(c, sv_text(nz(p->sex)));
        put(c, ", ");
        param(c, sv_text(nz(p->nationality)));
        put(c, ", ");
        param(c, sv_int(c->now));
        put(c, ", ");
        param(c, sv_int(c->rows[i].day)); /* raised to the latest day in step 3 */
        put(c, ", ");
        param(c, sv_text(skels[k]));
        put(c, ", ");
        param(c, sv_text(firsts[k]));
        put(c, ")");
    }
    limes_rc rc = LIMES_OK;
    if (count) {
        put(c, " RETURNING id, first_document");
        store_rows *r;
        rc = store_query(c->tx, buf_str(&c->sql), c->vals, c->nvals, &r, err);
        int have = 0;
        while (!rc && (have = store_rows_next(r, err)) == 1) {
            const char *first = store_col_text(r, 1);
            for (int k = 0; k < c->ndocs; k++)
                if (strcmp(firsts[k], first) == 0)
                    c->people[c->docs[k].person].id = store_col_int(r, 0);
        }
        if (!rc)
            store_rows_close(r);
        if (!rc && have < 0)
            rc = err ? err->rc : LIMES_STORE;
    }
    free(keys);
    free(skels);
    free(firsts);
    return rc;
}

static limes_rc create_documents(struct chunk *c, limes_error *err)
{
    sql_start(c, "INSERT INTO traveller_documents (traveller_id, doc_type, issuer, number, "
                 "expiry_date, first_seen_ms) VALUES ");
    int count = 0;
    for (int i = 0; i < c->n; i++) {
        struct bdoc *d = &c->docs[c->rows[i].doc];
        if (d->id || !c->people[d->person].created || c->people[d->person].first_row != i)
            continue;
        const limes_document_ref *doc = &c->rows[i].in->doc;
        put(c, count++ ? ", (" : "(");
        param(c, sv_int(c->people[d->person].id));
        put(c, ", ");
        param(c, sv_text(nz(doc->doc_type)));
        put(c, ", ");
        param(c, sv_text(doc->issuer));
        put(c, ", ");
        param(c, sv_text(doc->number));
        put(c, ", ");
        param(c, sv_text(nz(doc->expiry_date)));
        put(c, ", ");
        param(c, sv_int(c->now));
        put(c, ")");
    }
    if (!count)
        return LIMES_OK;
    put(c, " RETURNING id, issuer, number");
    store_rows *r;
    limes_rc rc = store_query(c->tx, buf_str(&c->sql), c->vals, c->nvals, &r, err);
    if (rc)
        return rc;
    int have;
    while ((have = store_rows_next(r, err)) == 1) {
        int d = find_doc(c, store_col_text(r, 1), store_col_text(r, 2));
        if (d >= 0)
            c->docs[d].id = store_col_int(r, 0);
    }
    store_rows_close(r);
    return have < 0 ? (err ? err->rc : LIMES_STORE) : LIMES_OK;
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

/* "(id1, id2, ...)" of the travellers known before this chunk; false if none. */
static bool known_ids(struct chunk *c)
{
    int count = 0;
    put(c, "(");
    for (int i = 0; i < c->npeople; i++) {
        if (c->people[i].created)
            continue;
        if (count++)
            put(c, ", ");
        param(c, sv_int(c->people[i].id));
    }
    put(c, ")");
    return count > 0;
}

static limes_rc load_known(struct chunk *c, limes_error *err)
{
    sql_start(c, "SELECT traveller_id, id, entry_day, exit_day, closed, counts, anomaly FROM "
                 "stays WHERE traveller_id IN ");
    if (!known_ids(c))
        return LIMES_OK;
    put(c, " ORDER BY traveller_id, entry_day, id");
    store_rows *r;
    limes_rc rc = store_query(c->tx, buf_str(&c->sql), c->vals, c->nvals, &r, err);
    if (rc)
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
        snprintf(s->anomaly, sizeof s->anomaly, "%s", store_col_text(r, 6));
    }
    store_rows_close(r);
    if (have < 0)
        return err ? err->rc : LIMES_STORE;
    sql_start(c, "SELECT id, nationality, last_activity_day FROM travellers WHERE id IN ");
    known_ids(c);
    if ((rc = store_query(c->tx, buf_str(&c->sql), c->vals, c->nvals, &r, err)))
        return rc;
    while ((have = store_rows_next(r, err)) == 1) {
        struct bperson *p = &c->people[person_for_id(c, store_col_int(r, 0))];
        snprintf(p->nationality, sizeof p->nationality, "%s", store_col_text(r, 1));
        p->stored_day = (int32_t)store_col_int(r, 2);
    }
    store_rows_close(r);
    return have < 0 ? (err ? err->rc : LIMES_STORE) : LIMES_OK;
}

/* Raise last_activity_day to the latest day of each traveller's rows. */
static limes_rc update_activity(struct chunk *c, limes_error *err)
{
    for (int i = 0; i < c->n; i++) {
        struct bperson *p = &c->people[c->rows[i].person];
        if (c->rows[i].day > p->max_day)
            p->max_day = c->rows[i].day;
    }
    sql_start(c, "UPDATE travellers SET last_activity_day = CASE id");
    int count = 0;
    for (int i = 0; i < c->npeople; i++) {
        struct bperson *p = &c->people[i];
        int32_t before = p->created ? c->rows[p->first_row].day : p->stored_day;
        if (p->max_day <= before)
            continue;
        put(c, " WHEN ");
        param(c, sv_int(p->id));
        put(c, " THEN CAST(");
        param(c, sv_int(p->max_day));
        put(c, " AS INTEGER)");
        count++;
    }
    if (!count)
        return LIMES_OK;
    put(c, " ELSE last_activity_day END WHERE id IN (");
    int k = 0;
    for (int i = 0; i < c->npeople; i++) {
        struct bperson *p = &c->people[i];
        int32_t before = p->created ? c->rows[p->first_row].day : p->stored_day;
        if (p->max_day <= before)
            continue;
        if (k++)
            put(c, ", ");
        param(c, sv_int(p->id));
    }
    put(c, ")");
    return store_exec(c->tx, buf_str(&c->sql), c->vals, c->nvals, err);
}

/* ---- step 4: the rounds ------------------------------------------------------- */

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

/* Decide one row in memory (the rules of crossings.c). */
static limes_rc decide(struct chunk *c, struct brow *r, store_val *until, limes_error *err)
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
        ls->exit = r->day;
        ls->closed = true;
        ls->dirty = true;
        r->stay = l;
        return LIMES_OK;
    }
    if (ls && !ls->closed) {
        snprintf(anomaly, 32, "entry-without-exit");
        ls->exit = ls->entry;
        ls->closed = true;
        ls->dirty = true;
        snprintf(ls->anomaly, sizeof ls->anomaly, "exit-not-recorded");
    } else if (ls && (ls->entry > r->day || (ls->exit != LIMES_STAY_OPEN && ls->exit > r->day))) {
        snprintf(anomaly, 32, "out-of-order");
    }
    limes_rc rc = lawful(p, r->day, !r->in->not_counted, until, err);
    if (rc)
        return rc;
    struct bstay *s = add_stay(p);
    if (!s)
        return limes_fail(err, LIMES_NOMEM, "", "out of memory");
    s->id = PENDING_ID + r->round;
    s->entry = r->day;
    s->exit = LIMES_STAY_OPEN;
    s->counts = !r->in->not_counted;
    snprintf(s->anomaly, sizeof s->anomaly, "%s", anomaly);
    r->stay = (int)(p->nstays - 1);
    return LIMES_OK;
}

static limes_rc close_stays(struct chunk *c, limes_error *err)
{
    sql_start(c, "UPDATE stays SET closed = 1, exit_day = CASE id");
    int count = 0;
    for (int i = 0; i < c->npeople; i++)
        for (size_t k = 0; k < c->people[i].nstays; k++) {
            struct bstay *s = &c->people[i].stays[k];
            if (!s->dirty)
                continue;
            put(c, " WHEN ");
            param(c, sv_int(s->id));
            put(c, " THEN CAST(");
            param(c, sv_int(s->exit));
            put(c, " AS INTEGER)");
            count++;
        }
    if (!count)
        return LIMES_OK;
    put(c, " ELSE exit_day END, anomaly = CASE id");
    for (int i = 0; i < c->npeople; i++)
        for (size_t k = 0; k < c->people[i].nstays; k++) {
            struct bstay *s = &c->people[i].stays[k];
            if (!s->dirty)
                continue;
            put(c, " WHEN ");
            param(c, sv_int(s->id));
            put(c, " THEN CAST(");
            param(c, sv_text(s->anomaly));
            put(c, " AS TEXT)");
        }
    put(c, " ELSE anomaly END WHERE id IN (");
    int n = 0;
    for (int i = 0; i < c->npeople; i++)
        for (size_t k = 0; k < c->people[i].nstays; k++) {
            struct bstay *s = &c->people[i].stays[k];
            if (!s->dirty)
                continue;
            if (n++)
                put(c, ", ");
            param(c, sv_int(s->id));
            s->dirty = false;
        }
    put(c, ")");
    return store_exec(c->tx, buf_str(&c->sql), c->vals, c->nvals, err);
}

static limes_rc open_stays(struct chunk *c, int round, const store_val *until, limes_error *err)
{
    sql_start(c, "INSERT INTO stays (traveller_id, entry_day, counts, latest_exit_day, anomaly) "
                 "VALUES ");
    int count = 0;
    for (int i = 0; i < c->n; i++) {
        struct brow *r = &c->rows[i];
        if (r->round != round || !r->entry)
            continue;
        const struct bstay *s = &c->people[r->person].stays[r->stay];
        put(c, count++ ? ", (" : "(");
        param(c, sv_int(c->people[r->person].id));
        put(c, ", ");
        param(c, sv_int(s->entry));
        put(c, ", ");
        param(c, sv_int(s->counts));
        put(c, ", ");
        param(c, until[i]);
        put(c, ", ");
        param(c, sv_text(s->anomaly));
        put(c, ")");
    }
    if (!count)
        return LIMES_OK;
    put(c, " RETURNING id, traveller_id");
    store_rows *rs;
    limes_rc rc = store_query(c->tx, buf_str(&c->sql), c->vals, c->nvals, &rs, err);
    if (rc)
        return rc;
    int have;
    while ((have = store_rows_next(rs, err)) == 1) {
        int64_t traveller = store_col_int(rs, 1);
        for (int i = 0; i < c->n; i++) {
            struct brow *r = &c->rows[i];
            if (r->round == round && r->entry && c->people[r->person].id == traveller)
                c->people[r->person].stays[r->stay].id = store_col_int(rs, 0);
        }
    }
    store_rows_close(rs);
    return have < 0 ? (err ? err->rc : LIMES_STORE) : LIMES_OK;
}

static limes_rc insert_crossings(struct chunk *c, int round, limes_error *err)
{
    sql_start(c, "INSERT INTO crossings (traveller_id, document_id, stay_id, bcp_id, direction, "
                 "day, at_ms, officer, check_id, counts, travel_mode, travel_ref, anomaly, "
                 "created_ms) VALUES ");
    int count = 0;
    for (int i = 0; i < c->n; i++) {
        struct brow *r = &c->rows[i];
        if (r->round != round)
            continue;
        const limes_crossing_in *in = r->in;
        int64_t stay = r->stay >= 0 ? c->people[r->person].stays[r->stay].id : 0;
        store_val v[] = {sv_int(c->people[r->person].id),
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
        put(c, count++ ? ", (" : "(");
        for (size_t k = 0; k < sizeof v / sizeof *v; k++) {
            if (k)
                put(c, ", ");
            param(c, v[k]);
        }
        put(c, ")");
        r->out->traveller_id = c->people[r->person].id;
        r->out->stay_id = stay;
    }
    if (!count)
        return LIMES_OK;
    put(c, " RETURNING id, traveller_id");
    store_rows *rs;
    limes_rc rc = store_query(c->tx, buf_str(&c->sql), c->vals, c->nvals, &rs, err);
    if (rc)
        return rc;
    int have;
    while ((have = store_rows_next(rs, err)) == 1) {
        int64_t traveller = store_col_int(rs, 1);
        for (int i = 0; i < c->n; i++)
            if (c->rows[i].round == round && c->people[c->rows[i].person].id == traveller)
                c->rows[i].out->id = store_col_int(rs, 0);
    }
    store_rows_close(rs);
    return have < 0 ? (err ? err->rc : LIMES_STORE) : LIMES_OK;
}

static limes_rc run_rounds(struct chunk *c, limes_error *err)
{
    int rounds = 0;
    for (int i = 0; i < c->n; i++) {
        struct brow *r = &c->rows[i];
        r->person = c->docs[r->doc].person;
        r->round = c->people[r->person].rounds++;
        if (r->round + 1 > rounds)
            rounds = r->round + 1;
    }
    store_val until[CHUNK];
    limes_rc rc = LIMES_OK;
    for (int round = 0; round < rounds && !rc; round++) {
        for (int i = 0; i < c->n && !rc; i++) {
            until[i] = sv_null();
            if (c->rows[i].round == round)
                rc = decide(c, &c->rows[i], &until[i], err);
        }
        if (!rc)
            rc = close_stays(c, err);
        if (!rc)
            rc = open_stays(c, round, until, err);
        if (!rc)
            rc = insert_crossings(c, round, err);
    }
    return rc;
}

static limes_rc run_chunk(struct chunk *c, struct border_bcp_memo *memo, limes_error *err)
{
    limes_rc rc;
    if ((rc = validate_rows(c, memo, err)) || (rc = find_documents(c, err)) ||
        (rc = create_travellers(c, err)) || (rc = create_documents(c, err)))
        return rc;
    for (int i = 0; i < c->n; i++)
        c->rows[i].person = c->docs[c->rows[i].doc].person;
    if ((rc = load_known(c, err)) || (rc = update_activity(c, err)))
        return rc;
    return run_rounds(c, err);
}

limes_rc border_crossings_bulk_tx(store_tx *tx, const limes_crossing_in *in, size_t n,
                                  int64_t now, bool small_chunks, limes_crossing_out *out,
                                  limes_error *err)
{
    size_t chunk = small_chunks ? CHUNK_SQLITE : CHUNK;
    struct chunk *c = calloc(1, sizeof *c);
    if (!c)
        return limes_fail(err, LIMES_NOMEM, "", "out of memory");
    buf_init(&c->sql, SQL_MAX);
    struct border_bcp_memo memo = {0};
    limes_rc rc = LIMES_OK;
    for (size_t start = 0; start < n && !rc; start += chunk) {
        for (int i = 0; i < c->npeople; i++)
            free(c->people[i].stays);
        c->tx = tx;
        c->now = now;
        c->n = (int)(n - start < chunk ? n - start : chunk);
        c->ndocs = c->npeople = 0;
        for (int i = 0; i < c->n; i++) {
            memset(&c->rows[i], 0, sizeof c->rows[i]);
            c->rows[i].in = &in[start + (size_t)i];
            c->rows[i].out = &out[start + (size_t)i];
            memset(c->rows[i].out, 0, sizeof *c->rows[i].out);
        }
        rc = run_chunk(c, &memo, err);
    }
    for (int i = 0; i < c->npeople; i++)
        free(c->people[i].stays);
    buf_release(&c->sql);
    free(c);
    return rc;
}
