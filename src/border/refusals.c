/*
 * refusals.c - refusals of entry with one or more reason codes from the
 * code table in use (EES Art. 18: date, time, crossing point, authority,
 * reasons), and detections at the border (fraudulent document with the
 * type of fraud, facilitator, clandestine, suspected victim of
 * trafficking), counted later for risk analysis.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "border_int.h"
#include "core/date.h"

#define MAX_REASONS 16

/*
 * Parse "B,H", "B H" or "BH" into distinct known codes.  A token that is
 * not a code itself but whose letters each are ("BH") is read letter by
 * letter.  Joined back as "B,H" in *joined.
 */
static limes_rc parse_codes(const char *text, char codes[MAX_REASONS][16], int *n, char *joined,
                            size_t jn, limes_error *err)
{
    *n = 0;
    joined[0] = '\0';
    char buf[256];
    if (!text || strlen(text) >= sizeof buf)
        return limes_fail(err, LIMES_INVALID, "codes", "one or more refusal codes are required");
    snprintf(buf, sizeof buf, "%s", text);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        char one[2] = {0};
        size_t len = strlen(tok);
        bool split = !limes_refusal_code_known(tok) && len > 1;
        for (size_t i = 0; i < (split ? len : 1); i++) {
            const char *code = tok;
            if (split) {
                one[0] = tok[i];
                code = one;
            }
            if (!limes_refusal_code_known(code))
                return limes_fail(err, LIMES_INVALID, "codes", "unknown refusal code '%s'",
                                  split ? tok : code);
            bool dup = false;
            for (int k = 0; k < *n; k++)
                dup |= strcmp(codes[k], code) == 0;
            if (dup)
                continue;
            if (*n == MAX_REASONS)
                return limes_fail(err, LIMES_INVALID, "codes", "too many refusal codes");
            snprintf(codes[(*n)++], 16, "%s", code);
            if (joined[0])
                strncat(joined, ",", jn - strlen(joined) - 1);
            strncat(joined, code, jn - strlen(joined) - 1);
        }
    }
    if (*n == 0)
        return limes_fail(err, LIMES_INVALID, "codes", "one or more refusal codes are required");
    return LIMES_OK;
}

limes_rc border_refusal_record_tx(store_tx *tx, const limes_refusal_in *in, int64_t now_ms,
                               int64_t *id, int64_t *traveller_out, limes_error *err)
{
    char codes[MAX_REASONS][16], joined[MAX_REASONS * 17];
    int n;
    int64_t at_ms, bcp, traveller, doc_id;
    int32_t day;
    limes_rc rc;
    if ((rc = parse_codes(in->codes, codes, &n, joined, sizeof joined, err)) ||
        (rc = border_time(in->at_ms, now_ms, &at_ms, &day, err)) ||
        (rc = border_bcp_id(tx, in->bcp_code, "bcp", &bcp, err)) ||
        (rc = border_traveller_resolve(tx, in->traveller_id, &in->person, &in->doc, day, now_ms,
                                       &traveller, &doc_id, NULL, err)))
        return rc;
    store_val p[] = {sv_int(traveller),
                     doc_id ? sv_int(doc_id) : sv_null(),
                     sv_int(bcp),
                     sv_int(day),
                     sv_int(at_ms),
                     sv_text(in->officer ? in->officer : ""),
                     sv_text(in->authority ? in->authority : ""),
                     in->check_id ? sv_int(in->check_id) : sv_null(),
                     sv_text(joined),
                     sv_text(border_refusal_table_name()),
                     sv_text(in->note ? in->note : ""),
                     sv_int(now_ms)};
    rc = store_insert_id(tx, "INSERT INTO refusals (traveller_id, document_id, bcp_id, day, "
                             "at_ms, officer, authority, check_id, codes, code_table, note, "
                             "created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
                             "$12)",
                         p, 12, id, err);
    for (int i = 0; i < n && !rc; i++) {
        store_val q[] = {sv_int(*id), sv_text(codes[i])};
        rc = store_exec(tx, "INSERT INTO refusal_reasons (refusal_id, code) VALUES ($1, $2)", q,
                        2, err);
    }
    *traveller_out = traveller;
    return rc;
}

limes_rc limes_refusal_record(limes_store *s, const limes_refusal_in *in, int64_t *id,
                              int64_t *traveller_id, limes_error *err)
{
    if (in->note && strlen(in->note) > 2000)
        return limes_fail(err, LIMES_INVALID, "note", "note is at most 2000 bytes");
    store_tx *tx;
    limes_rc rc = store_begin(s, true, &tx, err);
    if (rc)
        return rc;
    int64_t rid = 0, tid = 0;
    rc = border_refusal_record_tx(tx, in, time_now_ms(), &rid, &tid, err);
    if (rc) {
        store_rollback(tx);
        return rc;
    }
    rc = store_commit(tx, err);
    if (!rc) {
        if (id)
            *id = rid;
        if (traveller_id)
            *traveller_id = tid;
    }
    return rc;
}

static limes_rc detection_valid(const limes_detection_in *in, limes_error *err)
{
    if (!in->kind || !*in->kind)
        return limes_fail(err, LIMES_INVALID, "kind",
                          "kind is required (fraudulent_document, facilitator, clandestine, "
                          "trafficking_victim)");
    const char *ft = in->fraud_type ? in->fraud_type : "";
    if (strcmp(in->kind, "fraudulent_document") == 0 && !*ft)
        return limes_fail(err, LIMES_INVALID, "fraud_type",
                          "a fraudulent document needs its fraud_type");
    if (!border_detection_known(in->kind, ft))
        return limes_fail(err, LIMES_INVALID, *ft ? "fraud_type" : "kind",
                          "unknown detection %s%s%s", in->kind, *ft ? "/" : "", ft);
    if (in->note && strlen(in->note) > 2000)
        return limes_fail(err, LIMES_INVALID, "note", "note is at most 2000 bytes");
    return LIMES_OK;
}

static limes_rc row_exists(store_tx *tx, const char *sql, int64_t id, const char *field,
                           limes_error *err)
{
    if (!id)
        return LIMES_OK;
    int64_t found;
    store_val p[] = {sv_int(id)};
    limes_rc rc = store_query_int(tx, sql, p, 1, &found, err);
    if (rc == LIMES_NOT_FOUND)
        return limes_fail(err, LIMES_INVALID, field, "no %s %lld", field, (long long)id);
    return rc;
}

limes_rc limes_detection_record(limes_store *s, const limes_detection_in *in, int64_t *id,
                                limes_error *err)
{
    limes_rc rc = detection_valid(in, err);
    if (rc)
        return rc;
    int64_t now = time_now_ms(), at_ms, bcp;
    int32_t day;
    if ((rc = border_time(in->at_ms, now, &at_ms, &day, err)))
        return rc;
    store_tx *tx;
    if ((rc = store_begin(s, true, &tx, err)))
        return rc;
    if (!(rc = border_bcp_id(tx, in->bcp_code, "bcp", &bcp, err)) &&
        !(rc = row_exists(tx, "SELECT id FROM travellers WHERE id = $1", in->traveller_id,
                          "traveller_id", err)))
        rc = row_exists(tx, "SELECT id FROM crossings WHERE id = $1", in->crossing_id,
                        "crossing_id", err);
    int64_t new_id = 0;
    if (!rc) {
        store_val p[] = {sv_text(in->kind),
                         sv_text(in->fraud_type ? in->fraud_type : ""),
                         in->traveller_id ? sv_int(in->traveller_id) : sv_null(),
                         in->crossing_id ? sv_int(in->crossing_id) : sv_null(),
                         in->check_id ? sv_int(in->check_id) : sv_null(),
                         sv_int(bcp),
                         sv_int(day),
                         sv_int(at_ms),
                         sv_text(in->officer ? in->officer : ""),
                         sv_text(in->nationality ? in->nationality : ""),
                         sv_text(in->note ? in->note : ""),
                         sv_int(now)};
        rc = store_insert_id(tx, "INSERT INTO detections (kind, fraud_type, traveller_id, "
                                 "crossing_id, check_id, bcp_id, day, at_ms, officer, "
                                 "nationality, note, created_ms) VALUES ($1, $2, $3, $4, $5, $6, "
                                 "$7, $8, $9, $10, $11, $12)",
                             p, 12, &new_id, err);
    }
    if (rc) {
        store_rollback(tx);
        return rc;
    }
    rc = store_commit(tx, err);
    if (!rc && id)
        *id = new_id;
    return rc;
}
