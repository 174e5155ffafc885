/*
 * checks.c - what a first-line check (src/border, table `checks`) tells the
 * protect module: who ran it, at which crossing point, the traveller,
 * whether the traveller is a minor and with which adults, and the
 * watchlist hits that matter here (an entry whose action is "protect", a
 * hit on the document).  Assessments and cases linked to a check take
 * these facts from the record instead of from the officer's typing.
 */
#include <stdio.h>
#include <string.h>

#include "protect_int.h"

/* The adults among the check's companions, by their traveller ids. */
static limes_rc companion_travellers(store_tx *tx, const json_t *companions,
                                     struct protect_check *pc, limes_error *err)
{
    size_t i;
    const json_t *c;
    json_array_foreach(companions, i, c) {
        if (json_is_true(json_object_get(c, "minor")) || pc->ncompanions >= 10)
            continue;
        store_val p[] = {sv_int(json_integer_value(json_object_get(c, "check_id")))};
        int64_t traveller = 0;
        limes_rc rc = store_query_int(tx, "SELECT traveller_id FROM checks WHERE id = $1"
                                          " AND traveller_id IS NOT NULL", p, 1, &traveller, err);
        if (rc == LIMES_NOT_FOUND)
            continue;
        if (rc)
            return rc;
        pc->companions[pc->ncompanions++] = traveller;
        pc->adult_companion = true;
    }
    return LIMES_OK;
}

/* Alerting hits: "protect" actions and document hits. */
static void read_hits(const json_t *screening, struct protect_check *pc)
{
    size_t i;
    const json_t *h;
    json_array_foreach(json_object_get(screening, "hits"), i, h) {
        if (!json_is_true(json_object_get(h, "alert")))
            continue;
        const char *action = json_string_value(json_object_get(h, "action"));
        const char *kind = json_string_value(json_object_get(h, "kind"));
        const char *list = json_string_value(json_object_get(h, "list"));
        if (action && strcmp(action, "protect") == 0)
            pc->protect_hit = true;
        if (kind && strcmp(kind, "document") == 0 && !pc->document_hit[0])
            snprintf(pc->document_hit, sizeof pc->document_hit, "listed on %s",
                     list ? list : "a document list");
    }
}

/* The checked person as a case subject, from the check's request and result. */
static json_t *subject_of(const char *request, const json_t *result, bool age_known)
{
    json_t *req = json_loads(request, 0, NULL);
    const char *given = json_string_value(json_object_get(req, "given_names"));
    const char *surname = json_string_value(json_object_get(req, "surname"));
    char name[420];
    snprintf(name, sizeof name, "%s%s%s", given ? given : "", given && *given ? " " : "",
             surname ? surname : "");
    json_t *subject = json_pack(
        "{s:s, s:s?, s:s?, s:s?, s:b, s:{s:s?, s:s?}, s:O?}", "name", name, "date_of_birth",
        json_string_value(json_object_get(req, "birth_date")), "nationality",
        json_string_value(json_object_get(req, "nationality")), "sex",
        json_string_value(json_object_get(req, "sex")), "age_doubtful", !age_known, "document",
        "issuer", json_string_value(json_object_get(req, "issuer")), "number",
        json_string_value(json_object_get(req, "number")), "companions",
        json_object_get(json_object_get(result, "minor"), "companions"));
    json_decref(req);
    return subject;
}

static void read_result(const char *request, const char *text, struct protect_check *pc,
                        json_t **companions)
{
    json_t *result = json_loads(text, 0, NULL);
    const json_t *minor = json_object_get(result, "minor");
    pc->minor = json_is_true(json_object_get(minor, "minor"));
    pc->age_known = !json_is_false(json_object_get(minor, "age_known"));
    *companions = json_incref(json_object_get(minor, "companions"));
    read_hits(json_object_get(result, "screening"), pc);
    pc->subject = subject_of(request, result, pc->age_known);
    json_decref(result);
}

limes_rc protect_check_read(limes_store *s, int64_t check_id, struct protect_check *pc,
                            limes_error *err)
{
    /* on error nothing is left to free; on success pc->subject is the caller's */
    memset(pc, 0, sizeof *pc);
    store_tx *tx;
    limes_rc rc = store_begin(s, false, &tx, err);
    if (rc)
        return rc;
    store_val p[] = {sv_int(check_id)};
    store_rows *rows;
    rc = store_query(tx, "SELECT c.officer, b.code, c.traveller_id, c.result, c.request FROM checks c"
                         " JOIN bcp b ON b.id = c.bcp_id WHERE c.id = $1", p, 1, &rows, err);
    if (rc) {
        store_rollback(tx);
        return rc;
    }
    int have = store_rows_next(rows, err);
    json_t *companions = NULL;
    if (have == 1) {
        snprintf(pc->officer, sizeof pc->officer, "%s", store_col_text(rows, 0));
        snprintf(pc->bcp, sizeof pc->bcp, "%s", store_col_text(rows, 1));
        pc->traveller_id = store_col_is_null(rows, 2) ? 0 : store_col_int(rows, 2);
        read_result(store_col_text(rows, 4), store_col_text(rows, 3), pc, &companions);
    }
    store_rows_close(rows);
    if (have == 1)
        rc = companion_travellers(tx, companions, pc, err);
    json_decref(companions);
    store_rollback(tx);
    if (have < 0) {
        json_decref(pc->subject);
        pc->subject = NULL;
        return err ? err->rc : LIMES_STORE;
    }
    if (have == 0)
        return limes_fail(err, LIMES_UNPROCESSABLE, "check_id", "no check %lld",
                          (long long)check_id);
    if (rc) {
        json_decref(pc->subject);
        pc->subject = NULL;
    }
    return rc;
}
