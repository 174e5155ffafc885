/*
 * retention.c - erasure of border records at the end of their retention
 * period, by default the EES profile (Regulation 2017/2226 Art. 34,
 * domain.md 3.1): entry/exit and refusal records 3 years after the exit or
 * refusal; stays with no exit 5 years after their last lawful day; a
 * traveller's file once nothing of it remains and it saw no activity for
 * the closed period.  One transaction, then one audit entry with counts.
 */
#include <stdio.h>

#include "border_int.h"
#include "limes/audit.h"

limes_retention limes_retention_default(void) { return (limes_retention){1096, 1827}; }

/* Stays past retention: closed ones by exit, open ones by last lawful day or entry. */
#define EXPIRED_STAYS                                                                        \
    "SELECT id FROM stays WHERE (closed = 1 AND exit_day < $1) OR (closed = 0 AND "          \
    "COALESCE(latest_exit_day, entry_day) < $2)"

static limes_rc purge_tx(store_tx *tx, int32_t closed_before, int32_t open_before,
                         limes_purge_counts *c, limes_error *err)
{
    store_val p2[] = {sv_int(closed_before), sv_int(open_before)};
    store_val p1[] = {sv_int(closed_before)};
    limes_rc rc;
    if ((rc = store_exec_changes(tx, "DELETE FROM crossings WHERE stay_id IN (" EXPIRED_STAYS ")",
                                 p2, 2, &c->crossings, err)))
        return rc;
    if ((rc = store_exec_changes(tx, "DELETE FROM stays WHERE id IN (" EXPIRED_STAYS ")", p2, 2,
                                 &c->stays, err)))
        return rc;
    int64_t loose = 0;
    if ((rc = store_exec_changes(tx, "DELETE FROM crossings WHERE stay_id IS NULL AND day < $1",
                                 p1, 1, &loose, err)))
        return rc;
    c->crossings += loose;
    if ((rc = store_exec(tx, "DELETE FROM refusal_reasons WHERE refusal_id IN (SELECT id FROM "
                             "refusals WHERE day < $1)", p1, 1, err)) ||
        (rc = store_exec_changes(tx, "DELETE FROM refusals WHERE day < $1", p1, 1, &c->refusals,
                                 err)) ||
        (rc = store_exec_changes(tx, "DELETE FROM detections WHERE day < $1", p1, 1,
                                 &c->detections, err)) ||
        (rc = store_exec_changes(tx, "DELETE FROM checks WHERE day < $1", p1, 1, &c->checks,
                                 err)))
        return rc;
    if ((rc = store_exec(tx, "DELETE FROM traveller_documents WHERE traveller_id IN (SELECT t.id "
                             "FROM travellers t WHERE t.last_activity_day < $1 AND NOT EXISTS "
                             "(SELECT 1 FROM stays s WHERE s.traveller_id = t.id) AND NOT EXISTS "
                             "(SELECT 1 FROM crossings x WHERE x.traveller_id = t.id) AND NOT "
                             "EXISTS (SELECT 1 FROM refusals r WHERE r.traveller_id = t.id) AND "
                             "NOT EXISTS (SELECT 1 FROM detections d WHERE d.traveller_id = t.id))",
                         p1, 1, err)))
        return rc;
    return store_exec_changes(tx, "DELETE FROM travellers WHERE last_activity_day < $1 AND NOT "
                                  "EXISTS (SELECT 1 FROM traveller_documents d WHERE "
                                  "d.traveller_id = travellers.id) AND NOT EXISTS (SELECT 1 FROM "
                                  "stays s WHERE s.traveller_id = travellers.id) AND NOT EXISTS "
                                  "(SELECT 1 FROM crossings x WHERE x.traveller_id = "
                                  "travellers.id) AND NOT EXISTS (SELECT 1 FROM refusals r WHERE "
                                  "r.traveller_id = travellers.id) AND NOT EXISTS (SELECT 1 FROM "
                                  "detections e WHERE e.traveller_id = travellers.id)",
                              p1, 1, &c->travellers, err);
}

limes_rc limes_border_purge(limes_store *s, int32_t today, const limes_retention *r,
                            const char *actor, limes_purge_counts *out, limes_error *err)
{
    limes_retention def = limes_retention_default();
    if (!r)
        r = &def;
    if (r->closed_days < 1 || r->overstay_days < 1)
        return limes_fail(err, LIMES_INVALID, "older-than", "retention periods must be >= 1 day");
    limes_purge_counts c = {0};
    store_tx *tx;
    limes_rc rc = store_begin(s, true, &tx, err);
    if (rc)
        return rc;
    rc = purge_tx(tx, today - r->closed_days, today - r->overstay_days, &c, err);
    if (!rc) {
        store_val w[] = {sv_int(today - r->overstay_days), sv_int(today - r->overstay_days + 90)};
        rc = store_query_int(tx, "SELECT COUNT(*) FROM stays WHERE closed = 0 AND "
                                 "COALESCE(latest_exit_day, entry_day) >= $1 AND "
                                 "COALESCE(latest_exit_day, entry_day) < $2",
                             w, 2, &c.overstays_due_soon, err);
    }
    if (rc) {
        store_rollback(tx);
        return rc;
    }
    if ((rc = store_commit(tx, err)))
        return rc;
    char detail[256];
    snprintf(detail, sizeof detail,
             "retention %d/%d days: %lld stays, %lld crossings, %lld refusals, %lld detections, "
             "%lld checks, %lld travellers erased; %lld stays without exit due within 90 days",
             r->closed_days, r->overstay_days, (long long)c.stays, (long long)c.crossings,
             (long long)c.refusals, (long long)c.detections, (long long)c.checks,
             (long long)c.travellers, (long long)c.overstays_due_soon);
    limes_audit_entry e = {.actor = actor ? actor : "", .role = "system", .action = "purge",
                           .purpose = "retention", .outcome = "ok", .detail = detail};
    if (out)
        *out = c;
    return limes_audit_append(s, &e, err);
}
