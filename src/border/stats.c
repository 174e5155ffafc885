/*
 * stats.c - aggregates of the border records for risk analysis (FRAN-style
 * counts): crossings by direction and border type, refusals by reason code
 * and by crossing point, detections by kind and fraud type, anomalies, and
 * open overstays.  Counts only: no person appears in the answer, so the
 * analyst role can read it.
 */
#include <stdio.h>

#include "border_int.h"

static limes_rc add_query(store_tx *tx, json_t *out, const char *key, const char *sql,
                          const store_val *p, int n, limes_error *err)
{
    json_t *rows;
    limes_rc rc = store_query_json(tx, sql, p, n, &rows, err);
    if (!rc)
        json_object_set_new(out, key, rows);
    return rc;
}

limes_rc limes_border_stats(limes_store *s, int32_t from, int32_t to, json_t **out,
                            limes_error *err)
{
    if (to < from)
        return limes_fail(err, LIMES_INVALID, "to", "the period ends before it starts");
    store_tx *tx;
    limes_rc rc = store_begin(s, false, &tx, err);
    if (rc)
        return rc;
    store_val p[] = {sv_int(from), sv_int(to)};
    json_t *o = json_object();
    char a[11], b[11];
    limes_day_format(from, a);
    limes_day_format(to, b);
    json_object_set_new(o, "from", json_string(a));
    json_object_set_new(o, "to", json_string(b));
    rc = add_query(tx, o, "crossings",
                   "SELECT c.direction, b.kind AS border, COUNT(*) AS n FROM crossings c JOIN "
                   "bcp b ON b.id = c.bcp_id WHERE c.day BETWEEN $1 AND $2 GROUP BY c.direction, "
                   "b.kind ORDER BY c.direction, b.kind", p, 2, err);
    if (!rc)
        rc = add_query(tx, o, "anomalies",
                       "SELECT anomaly, COUNT(*) AS n FROM crossings WHERE day BETWEEN $1 AND $2 "
                       "AND anomaly <> '' GROUP BY anomaly ORDER BY anomaly", p, 2, err);
    if (!rc)
        rc = add_query(tx, o, "refusals_by_reason",
                       "SELECT rr.code, COUNT(*) AS n FROM refusal_reasons rr JOIN refusals r ON "
                       "r.id = rr.refusal_id WHERE r.day BETWEEN $1 AND $2 GROUP BY rr.code "
                       "ORDER BY rr.code", p, 2, err);
    if (!rc)
        rc = add_query(tx, o, "refusals_by_bcp",
                       "SELECT b.code AS bcp, COUNT(*) AS n FROM refusals r JOIN bcp b ON b.id = "
                       "r.bcp_id WHERE r.day BETWEEN $1 AND $2 GROUP BY b.code ORDER BY b.code",
                       p, 2, err);
    if (!rc)
        rc = add_query(tx, o, "detections",
                       "SELECT kind, fraud_type, COUNT(*) AS n FROM detections WHERE day BETWEEN "
                       "$1 AND $2 GROUP BY kind, fraud_type ORDER BY kind, fraud_type", p, 2, err);
    int64_t open = 0;
    if (!rc) {
        store_val q[] = {sv_int(to)};
        rc = store_query_int(tx, "SELECT COUNT(*) FROM stays WHERE closed = 0 AND "
                                 "latest_exit_day IS NOT NULL AND latest_exit_day < $1",
                             q, 1, &open, err);
    }
    store_rollback(tx);
    if (rc) {
        json_decref(o);
        return rc;
    }
    json_object_set_new(o, "overstays_open", json_integer(open));
    *out = o;
    return LIMES_OK;
}
