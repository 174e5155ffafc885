/*
 * purge.c - retention for victim and child data.  Past the retention time
 * the personal content of closed cases and of old assessments is erased
 * (subject, summary, notes, companions, step notes, links to the check and
 * the traveller, record-derived evidence) while the codes, months, crossing
 * points and outcomes stay, so the statistics keep their history and no
 * person can be found in them.  Assessments still linked to a case that is
 * open, or closed within the retention time, are kept whole.  One audit
 * entry records the run.
 */
#include <stdio.h>

#include "limes/audit.h"
#include "protect_int.h"

static limes_rc erase(store_tx *tx, int64_t cutoff, limes_protect_purge_counts *n,
                      limes_error *err)
{
    store_val p[] = {sv_int(cutoff)};
    limes_rc rc = store_exec_changes(
        tx,
        "UPDATE protect_case_steps SET note = '' WHERE note <> '' AND case_id IN"
        " (SELECT id FROM protect_cases WHERE state = 'closed' AND closed_ms < $1)",
        p, 1, &n->steps, err);
    if (!rc)
        rc = store_exec_changes(
            tx,
            "UPDATE protect_cases SET subject_json = '{}', summary = '', check_id = NULL"
            " WHERE state = 'closed' AND closed_ms < $1"
            " AND (subject_json <> '{}' OR summary <> '' OR check_id IS NOT NULL)",
            p, 1, &n->cases, err);
    if (!rc)
        rc = store_exec_changes(
            tx,
            "UPDATE protect_assessments SET notes = '', companions_json = '[]',"
            " derived_json = '[]', traveller_id = NULL, check_id = NULL"
            " WHERE created_ms < $1"
            " AND (notes <> '' OR companions_json <> '[]' OR derived_json <> '[]'"
            "  OR traveller_id IS NOT NULL OR check_id IS NOT NULL)"
            " AND NOT EXISTS (SELECT 1 FROM protect_cases c WHERE c.assessment_id ="
            "  protect_assessments.id AND (c.state <> 'closed' OR c.closed_ms >= $1))",
            p, 1, &n->assessments, err);
    return rc;
}

limes_rc limes_protect_purge(limes_store *s, int64_t now_ms, int days, const char *actor,
                             limes_protect_purge_counts *out, limes_error *err)
{
    *out = (limes_protect_purge_counts){0};
    if (days < 30 || days > 3650)
        return limes_fail(err, LIMES_INVALID, "days", "the retention time must be 30-3650 days");
    store_tx *tx;
    limes_rc rc = store_begin(s, true, &tx, err);
    if (rc)
        return rc;
    rc = erase(tx, now_ms - (int64_t)days * MS_PER_DAY, out, err);
    rc = rc ? (store_rollback(tx), rc) : store_commit(tx, err);
    if (rc)
        return rc;
    char detail[160];
    snprintf(detail, sizeof detail, "retention %d days: %lld cases, %lld steps, %lld assessments "
             "erased", days, (long long)out->cases, (long long)out->steps,
             (long long)out->assessments);
    limes_audit_entry e = {.actor = actor ? actor : "", .role = "system",
                           .action = "protect purge", .outcome = "ok", .detail = detail};
    return limes_audit_append(s, &e, err);
}
