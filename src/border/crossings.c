/*
 * crossings.c - entries and exits, matched into stays; the stay situation
 * of a traveller and the overstayer list.
 *
 * Matching: an entry opens a stay; an exit closes the traveller's open
 * stay.  What does not fit is recorded and flagged, never dropped: an exit
 * with no open stay ("exit-without-entry"), an entry while a stay is open
 * ("entry-without-exit": the old stay is closed counting only its entry
 * day, flagged "exit-not-recorded"), a crossing dated before the latest
 * stay ("out-of-order").  At entry the last lawful day of the stay is
 * computed from the nationality's regime and the earlier stays, so the
 * overstayer list is one indexed query.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "border_int.h"
#include "core/date.h"

struct latest_stay {
    int64_t id;
    int32_t entry, exit;
    bool open, exists;
};

static limes_rc latest_stay(store_tx *tx, int64_t traveller, struct latest_stay *ls,
                            limes_error *err)
{
    memset(ls, 0, sizeof *ls);
    store_rows *r;
    store_val p[] = {sv_int(traveller)};
    limes_rc rc = store_query(tx, "SELECT id, entry_day, exit_day, closed FROM stays WHERE "
                                  "traveller_id = $1 ORDER BY entry_day DESC, id DESC LIMIT 1",
                              p, 1, &r, err);
    if (rc)
        return rc;
    int have = store_rows_next(r, err);
    if (have == 1) {
        ls->exists = true;
        ls->id = store_col_int(r, 0);
        ls->entry = (int32_t)store_col_int(r, 1);
        ls->open = store_col_int(r, 3) == 0;
        ls->exit = store_col_is_null(r, 2) ? LIMES_STAY_OPEN : (int32_t)store_col_int(r, 2);
    }
    store_rows_close(r);
    return have < 0 ? (err ? err->rc : LIMES_STORE) : LIMES_OK;
}

/* The counted stays of a traveller (caller frees *out). */
static limes_rc load_stays(store_tx *tx, int64_t traveller, limes_stay **out, size_t *n,
                           json_t *list, limes_error *err)
{
    store_rows *r;
    store_val p[] = {sv_int(traveller)};
    limes_rc rc = store_query(tx, "SELECT entry_day, exit_day, counts, anomaly, id FROM stays "
                                  "WHERE traveller_id = $1 ORDER BY entry_day, id",
                              p, 1, &r, err);
    if (rc)
        return rc;
    size_t cap = 16, k = 0;
    limes_stay *v = malloc(cap * sizeof *v);
    int have;
    while (v && (have = store_rows_next(r, err)) == 1) {
        int32_t entry = (int32_t)store_col_int(r, 0);
        int32_t exit = store_col_is_null(r, 1) ? LIMES_STAY_OPEN : (int32_t)store_col_int(r, 1);
        bool counts = store_col_int(r, 2) != 0;
        if (list) {
            char a[11], b[11] = "";
            limes_day_format(entry, a);
            if (exit != LIMES_STAY_OPEN)
                limes_day_format(exit, b);
            json_array_append_new(list, json_pack("{s:I, s:s, s:s?, s:b, s:s}", "id",
                                                  (json_int_t)store_col_int(r, 4), "entry", a,
                                                  "exit", b[0] ? b : NULL, "counts", counts,
                                                  "anomaly", store_col_text(r, 3)));
        }
        if (!counts)
            continue;
        if (k == cap) {
            limes_stay *bigger = realloc(v, 2 * cap * sizeof *v);
            if (!bigger) {
                free(v);
                v = NULL;
                break;
            }
            v = bigger;
            cap *= 2;
        }
        v[k++] = (limes_stay){entry, exit};
    }
    store_rows_close(r);
    if (!v)
        return limes_fail(err, LIMES_NOMEM, "", "out of memory");
    if (have < 0) {
        free(v);
        return err ? err->rc : LIMES_STORE;
    }
    *out = v;
    *n = k;
    return LIMES_OK;
}

static limes_rc traveller_regime(store_tx *tx, int64_t traveller, limes_stay_regime *reg,
                                 limes_error *err)
{
    store_rows *r;
    store_val p[] = {sv_int(traveller)};
    limes_rc rc = store_query(tx, "SELECT nationality FROM travellers WHERE id = $1", p, 1, &r,
                              err);
    if (rc)
        return rc;
    int have = store_rows_next(r, err);
    char nat[8] = "";
    if (have == 1)
        snprintf(nat, sizeof nat, "%s", store_col_text(r, 0));
    store_rows_close(r);
    if (have == 0)
        return limes_fail(err, LIMES_NOT_FOUND, "id", "no traveller %lld", (long long)traveller);
    if (have < 0)
        return err ? err->rc : LIMES_STORE;
    limes_stay_regime_for(nat, reg);
    return LIMES_OK;
}

/*
 * Last lawful day of a stay entering on `day`, or SV_NULL if no limit
 * applies.  A traveller created by this crossing (`fresh_nationality` not
 * NULL) has no stays and that nationality: no need to ask the store.
 */
static limes_rc lawful_until(store_tx *tx, int64_t traveller, int32_t day, bool counts,
                             const char *fresh_nationality, store_val *out, limes_error *err)
{
    *out = sv_null();
    limes_stay_regime reg;
    limes_rc rc = LIMES_OK;
    if (fresh_nationality)
        limes_stay_regime_for(fresh_nationality, &reg);
    else
        rc = traveller_regime(tx, traveller, &reg, err);
    if (rc || !counts || reg.kind == LIMES_REGIME_FREE_MOVEMENT)
        return rc;
    limes_stay *stays = NULL;
    size_t n = 0;
    if (!fresh_nationality && (rc = load_stays(tx, traveller, &stays, &n, NULL, err)))
        return rc;
    int days = 0;
    rc = limes_stay_plan(&reg.rule, stays, n, day, &days, err);
    free(stays);
    if (!rc)
        *out = sv_int((int64_t)day + days - 1);
    return rc;
}

static limes_rc open_stay(store_tx *tx, int64_t traveller, int32_t day, bool counts,
                          const char *fresh_nationality, const struct latest_stay *ls,
                          int64_t *stay_id, char *anomaly, limes_error *err)
{
    limes_rc rc;
    if (ls->exists && ls->open) {
        snprintf(anomaly, 32, "entry-without-exit");
        store_val p[] = {sv_int(ls->id)};
        rc = store_exec(tx, "UPDATE stays SET closed = 1, exit_day = entry_day, "
                            "anomaly = 'exit-not-recorded' WHERE id = $1", p, 1, err);
        if (rc)
            return rc;
    } else if (ls->exists && (ls->entry > day || (ls->exit != LIMES_STAY_OPEN && ls->exit > day))) {
        snprintf(anomaly, 32, "out-of-order");
    }
    store_val until;
    if ((rc = lawful_until(tx, traveller, day, counts, fresh_nationality, &until, err)))
        return rc;
    store_val p[] = {sv_int(traveller), sv_int(day), sv_int(counts), until, sv_text(anomaly)};
    return store_insert_id(tx, "INSERT INTO stays (traveller_id, entry_day, counts, "
                               "latest_exit_day, anomaly) VALUES ($1, $2, $3, $4, $5)",
                           p, 5, stay_id, err);
}

static limes_rc close_stay(store_tx *tx, int32_t day, const struct latest_stay *ls,
                           int64_t *stay_id, char *anomaly, limes_error *err)
{
    if (!ls->exists || !ls->open) {
        snprintf(anomaly, 32, "exit-without-entry");
        *stay_id = 0;
        return LIMES_OK;
    }
    if (day < ls->entry)
        return limes_fail(err, LIMES_INVALID, "at",
                          "the exit is dated before the entry of the open stay");
    store_val p[] = {sv_int(day), sv_int(ls->id)};
    *stay_id = ls->id;
    return store_exec(tx, "UPDATE stays SET exit_day = $1, closed = 1 WHERE id = $2", p, 2, err);
}

static limes_rc record_in_tx(store_tx *tx, const limes_crossing_in *in, int64_t now_ms,
                             struct border_bcp_memo *memo, limes_crossing_out *out, limes_error *err)
{
    memset(out, 0, sizeof *out);
    int64_t at_ms;
    int32_t day;
    limes_rc rc = border_time(in->at_ms, now_ms, &at_ms, &day, err);
    if (rc)
        return rc;
    bool entry = in->direction && strcmp(in->direction, "entry") == 0;
    if (!entry && !(in->direction && strcmp(in->direction, "exit") == 0))
        return limes_fail(err, LIMES_INVALID, "direction", "direction must be entry or exit");
    int64_t bcp, traveller, doc_id;
    bool created = false;
    if ((rc = border_bcp_memo(tx, in->bcp_code, memo, &bcp, err)) ||
        (rc = border_traveller_resolve(tx, in->traveller_id, &in->person, &in->doc, day, now_ms,
                                       &traveller, &doc_id, &created, err)))
        return rc;
    struct latest_stay ls = {0};
    if (!created && (rc = latest_stay(tx, traveller, &ls, err)))
        return rc;
    const char *fresh = created ? (in->person.nationality ? in->person.nationality : "") : NULL;
    int64_t stay_id = 0;
    rc = entry ? open_stay(tx, traveller, day, !in->not_counted, fresh, &ls, &stay_id,
                           out->anomaly, err)
               : close_stay(tx, day, &ls, &stay_id, out->anomaly, err);
    if (rc)
        return rc;
    store_val p[] = {sv_int(traveller),
                     doc_id ? sv_int(doc_id) : sv_null(),
                     stay_id ? sv_int(stay_id) : sv_null(),
                     sv_int(bcp),
                     sv_text(entry ? "entry" : "exit"),
                     sv_int(day),
                     sv_int(at_ms),
                     sv_text(in->officer ? in->officer : ""),
                     in->check_id ? sv_int(in->check_id) : sv_null(),
                     sv_int(!in->not_counted),
                     sv_text(in->travel_mode ? in->travel_mode : ""),
                     sv_text(in->travel_ref ? in->travel_ref : ""),
                     sv_text(out->anomaly),
                     sv_int(now_ms)};
    rc = store_insert_id(tx, "INSERT INTO crossings (traveller_id, document_id, stay_id, bcp_id, "
                             "direction, day, at_ms, officer, check_id, counts, travel_mode, "
                             "travel_ref, anomaly, created_ms) VALUES ($1, $2, $3, $4, $5, $6, "
                             "$7, $8, $9, $10, $11, $12, $13, $14)",
                         p, 14, &out->id, err);
    out->traveller_id = traveller;
    out->stay_id = stay_id;
    return rc;
}

limes_rc border_crossing_record_tx(store_tx *tx, const limes_crossing_in *in, int64_t now_ms,
                                   limes_crossing_out *out, limes_error *err)
{
    return record_in_tx(tx, in, now_ms, NULL, out, err);
}

limes_rc limes_crossings_record_batch(limes_store *s, const limes_crossing_in *in, size_t n,
                                      limes_crossing_out *out, limes_error *err)
{
    store_tx *tx;
    limes_rc rc = store_begin(s, true, &tx, err);
    if (rc)
        return rc;
    int64_t now = time_now_ms();
    struct border_bcp_memo memo = {0};
    if (border_bulk_possible(in, n))
        rc = border_crossings_bulk_tx(tx, in, n, now, out, err);
    else
        for (size_t i = 0; i < n && !rc; i++)
            rc = record_in_tx(tx, &in[i], now, &memo, &out[i], err);
    if (rc) {
        store_rollback(tx);
        return rc;
    }
    return store_commit(tx, err);
}

limes_rc limes_crossing_record(limes_store *s, const limes_crossing_in *in,
                               limes_crossing_out *out, limes_error *err)
{
    return limes_crossings_record_batch(s, in, 1, out, err);
}

static void set_day(json_t *o, const char *key, int32_t day)
{
    char iso[11];
    limes_day_format(day, iso);
    json_object_set_new(o, key, json_string(iso));
}

static json_t *stay_json(int64_t id, int32_t on, const limes_stay_regime *reg,
                         const limes_stay_status *st, json_t *stays)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:i, s:i, s:o}", "traveller_id", (json_int_t)id,
                          "regime", limes_stay_regime_name(reg->kind), "nationality_rule",
                          reg->nationality, "max_days", reg->rule.max_days, "window_days",
                          reg->rule.window_days, "stays", stays);
    set_day(o, "on", on);
    if (reg->kind == LIMES_REGIME_FREE_MOVEMENT) {
        json_object_set_new(o, "unlimited", json_true());
        return o;
    }
    json_object_set_new(o, "unlimited", json_false());
    json_object_set_new(o, "days_used", json_integer(st->used));
    json_object_set_new(o, "days_left", json_integer(st->days_left));
    json_object_set_new(o, "overstay_days", json_integer(st->overstay));
    json_object_set_new(o, "present", json_boolean(st->present));
    if (st->latest_exit >= (st->present ? st->stay_entry : on))
        set_day(o, "latest_exit", st->latest_exit);
    else
        json_object_set_new(o, "latest_exit", json_null());
    return o;
}

limes_rc border_traveller_stay_tx(store_tx *tx, int64_t id, int32_t on, json_t **out,
                                  limes_error *err)
{
    limes_stay_regime reg;
    limes_stay *stays = NULL;
    size_t n = 0;
    json_t *list = json_array();
    limes_rc rc = traveller_regime(tx, id, &reg, err);
    if (!rc)
        rc = load_stays(tx, id, &stays, &n, list, err);
    limes_stay_status st = {0};
    if (!rc && reg.kind != LIMES_REGIME_FREE_MOVEMENT)
        rc = limes_stay_check(&reg.rule, stays, n, on, &st, err);
    free(stays);
    if (rc) {
        json_decref(list);
        return rc;
    }
    *out = stay_json(id, on, &reg, &st, list);
    return LIMES_OK;
}

limes_rc limes_traveller_stay(limes_store *s, int64_t id, int32_t on, json_t **out,
                              limes_error *err)
{
    store_tx *tx;
    limes_rc rc = store_begin(s, false, &tx, err);
    if (rc)
        return rc;
    rc = border_traveller_stay_tx(tx, id, on, out, err);
    store_rollback(tx);
    return rc;
}

limes_rc limes_overstayers(limes_store *s, int32_t on, int limit, json_t **out,
                           limes_error *err)
{
    if (limit < 1 || limit > 10000)
        return limes_fail(err, LIMES_INVALID, "limit", "limit must be 1 to 10000");
    store_tx *tx;
    limes_rc rc = store_begin(s, false, &tx, err);
    if (rc)
        return rc;
    store_val p[] = {sv_int(on), sv_int(limit)};
    rc = store_query_json(tx,
                          "SELECT s.id AS stay_id, s.traveller_id, t.surname, t.given_names, "
                          "t.nationality, s.entry_day, s.latest_exit_day FROM stays s JOIN "
                          "travellers t ON t.id = s.traveller_id WHERE s.closed = 0 AND "
                          "s.latest_exit_day IS NOT NULL AND s.latest_exit_day < $1 ORDER BY "
                          "s.latest_exit_day, s.id LIMIT $2",
                          p, 2, out, err);
    store_rollback(tx);
    if (rc)
        return rc;
    size_t i;
    json_t *row;
    json_array_foreach(*out, i, row)
    {
        int32_t entry = (int32_t)json_integer_value(json_object_get(row, "entry_day"));
        int32_t last = (int32_t)json_integer_value(json_object_get(row, "latest_exit_day"));
        set_day(row, "entry", entry);
        set_day(row, "latest_exit", last);
        json_object_set_new(row, "overstay_days", json_integer(on - last));
        json_object_del(row, "entry_day");
        json_object_del(row, "latest_exit_day");
    }
    return LIMES_OK;
}
