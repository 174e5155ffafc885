/*
 * assess.c - assessments: which indicators an officer observed (plus those
 * derived from records), the recommendation and its reasons, notes, the
 * officer, the time, and the indicator set version used.  An assessment is
 * stored whole or not at all; unknown codes are refused before anything
 * is written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "protect_int.h"

#define ASSESSMENT_COLUMNS                                                                   \
    "SELECT id, set_name AS \"set\", set_version, subject_kind, indicators_json,"            \
    " derived_json, flags_json, recommendation, reasons_json, notes, check_id,"              \
    " traveller_id, crossing_point, companions_json, rules_version, officer, officer_id, observed_ms, created_ms FROM protect_assessments"

struct assess_in {
    const char *set_name, *set_version, *notes, *document_hit, *point;
    const json_t *codes, *flags, *declared; /* declared: the officer's companions */
    int64_t check_id, traveller_id, observed_ms;
    int64_t companions[10];
    size_t ncompanions;
};

static limes_rc read_companions(const json_t *in, struct assess_in *a, limes_error *err)
{
    const json_t *list = json_object_get(in, "companion_traveller_ids");
    if (!list || json_is_null(list))
        return LIMES_OK;
    if (!json_is_array(list) || json_array_size(list) > 10)
        return limes_fail(err, LIMES_INVALID, "companion_traveller_ids",
                          "'companion_traveller_ids' must be a list of at most 10 ids");
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v) {
        if (!json_is_integer(v) || json_integer_value(v) < 1)
            return limes_fail(err, LIMES_INVALID, "companion_traveller_ids",
                              "'companion_traveller_ids' item %zu must be a positive id", i);
        a->companions[a->ncompanions++] = json_integer_value(v);
    }
    return LIMES_OK;
}

static limes_rc read_input(const json_t *in, int64_t now_ms, struct assess_in *a,
                           limes_error *err)
{
    bool given;
    if (!json_is_object(in))
        return limes_fail(err, LIMES_INVALID, "", "the assessment must be a JSON object");
    limes_rc rc = pj_str(in, "set", true, 32, &a->set_name, err);
    if (!rc)
        rc = pj_str(in, "set_version", false, 32, &a->set_version, err);
    if (!rc)
        rc = pj_str(in, "notes", false, 4000, &a->notes, err);
    if (!rc)
        rc = pj_str(in, "document_hit", false, 32, &a->document_hit, err);
    if (!rc)
        rc = pj_str(in, "crossing_point", false, 16, &a->point, err);
    if (!rc && a->point && !protect_point_code_ok(a->point))
        rc = limes_fail(err, LIMES_INVALID, "crossing_point",
                        "'crossing_point' must be a crossing point code (2-16 of A-Z 0-9 - _)");
    if (!rc)
        rc = pj_str_array(in, "flags", 10, 40, &a->flags, err);
    if (!rc && !json_is_array(json_object_get(in, "indicators")))
        rc = limes_fail(err, LIMES_INVALID, "indicators",
                        "'indicators' is required: a list of indicator codes (may be empty)");
    if (!rc && json_array_size(json_object_get(in, "indicators")) > 200)
        rc = limes_fail(err, LIMES_INVALID, "indicators", "too many indicators");
    a->codes = json_object_get(in, "indicators");
    if (!rc)
        rc = pj_int(in, "check_id", 1, INT64_MAX, &given, &a->check_id, err);
    if (!rc)
        rc = pj_int(in, "traveller_id", 1, INT64_MAX, &given, &a->traveller_id, err);
    a->observed_ms = now_ms;
    if (!rc)
        rc = pj_int(in, "observed_at_ms", 1, now_ms + 5 * 60 * 1000, &given, &a->observed_ms,
                    err);
    if (!rc)
        rc = read_companions(in, a, err);
    a->declared = json_object_get(in, "companions");
    if (!rc)
        rc = protect_check_companions(a->declared, "companions", err);
    return rc;
}

/* Codes observed plus the derived ones the set knows, without repeats. */
static json_t *all_codes(const json_t *set, const json_t *observed, const json_t *derived)
{
    json_t *codes = json_deep_copy(observed);
    json_t *known = json_object();
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(set, "indicators"), i, v)
        json_object_set(known, json_string_value(json_object_get(v, "code")), json_true());
    json_array_foreach(derived, i, v) {
        const char *code = json_string_value(json_object_get(v, "code"));
        if (code && json_object_get(known, code) && !pj_array_has(codes, code))
            json_array_append_new(codes, json_string(code));
    }
    json_decref(known);
    return codes;
}

static limes_rc derive(limes_store *s, const struct assess_in *a, json_t **derived,
                       limes_error *err)
{
    if (a->ncompanions == 0 && !a->document_hit) {
        *derived = json_array();
        return LIMES_OK;
    }
    return limes_protect_derive_from_store(s, a->traveller_id, a->companions, a->ncompanions,
                                           a->document_hit, date_today(), derived, err);
}

static limes_rc insert(limes_store *s, const limes_protect_actor *who, const struct assess_in *a,
                       const json_t *set, const json_t *derived, const json_t *rec,
                       int64_t now_ms, int64_t *id, limes_error *err)
{
    char month[8];
    protect_month(a->observed_ms, month);
    json_t *flags = a->flags ? json_incref((json_t *)a->flags) : json_array();
    char *codes = json_dumps(a->codes, JSON_COMPACT);
    char *dj = json_dumps(derived, JSON_COMPACT);
    char *fj = json_dumps(flags, JSON_COMPACT);
    char *rj = json_dumps(json_object_get(rec, "reasons"), JSON_COMPACT);
    json_t *none = json_array();
    char *cj = json_dumps(a->declared && json_is_array(a->declared) ? a->declared : none,
                          JSON_COMPACT);
    json_decref(none);
    json_decref(flags);
    limes_rc rc = codes && dj && fj && rj && cj ? LIMES_OK : LIMES_NOMEM;
    store_tx *tx = NULL;
    if (!rc)
        rc = store_begin(s, true, &tx, err);
    if (!rc) {
        store_val p[] = {
            sv_text(json_string_value(json_object_get(set, "set"))),
            sv_text(json_string_value(json_object_get(set, "version"))),
            sv_text(json_string_value(json_object_get(set, "subject"))),
            sv_text(codes), sv_text(dj), sv_text(fj),
            sv_text(json_string_value(json_object_get(rec, "recommendation"))), sv_text(rj),
            sv_text(a->notes ? a->notes : ""),
            a->check_id ? sv_int(a->check_id) : sv_null(),
            a->traveller_id ? sv_int(a->traveller_id) : sv_null(),
            sv_text(a->point ? a->point : ""), sv_text(month),
            sv_text(who->username ? who->username : ""), sv_int(who->user_id),
            sv_int(a->observed_ms), sv_int(now_ms), sv_text(cj),
            sv_text(json_string_value(json_object_get(rec, "rules_version")))};
        rc = store_insert_id(tx,
                             "INSERT INTO protect_assessments (set_name, set_version, subject_kind,"
                             " indicators_json, derived_json, flags_json, recommendation,"
                             " reasons_json, notes, check_id, traveller_id, crossing_point, month,"
                             " officer, officer_id, observed_ms, created_ms, companions_json,"
                             " rules_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
                             " $11, $12, $13, $14, $15, $16, $17, $18, $19)",
                             p, 19, id, err);
        rc = rc ? (store_rollback(tx), rc) : store_commit(tx, err);
    }
    free(codes);
    free(dj);
    free(fj);
    free(rj);
    free(cj);
    return rc == LIMES_NOMEM ? limes_fail(err, rc, "", "out of memory") : rc;
}

static bool relation_is(const json_t *c, const char *a, const char *b)
{
    const char *rel = json_string_value(json_object_get(c, "relationship"));
    return rel && (strcmp(rel, a) == 0 || (b && strcmp(rel, b) == 0));
}

/*
 * What the declared companions of a child say: nobody with the child (or
 * only "none") sets the unaccompanied flag; adults without a documented
 * parental or guardianship link and without a documented consent give B1
 * ("no evidence of parental care or custody").  Companions' traveller ids
 * feed the travel-history derivation (B4).
 */
static void from_declared(const json_t *set, struct assess_in *a, json_t *flags, json_t *noted)
{
    if (!a->declared || !json_is_array(a->declared))
        return;
    size_t i, adults = 0;
    bool evidence = false;
    const json_t *c;
    json_array_foreach(a->declared, i, c) {
        json_int_t tid = json_integer_value(json_object_get(c, "traveller_id"));
        if (tid > 0 && a->ncompanions < 10)
            a->companions[a->ncompanions++] = tid;
        if (relation_is(c, "none", NULL))
            continue;
        adults++;
        evidence |= (relation_is(c, "parent", "legal_guardian") &&
                     json_is_true(json_object_get(c, "relationship_documented"))) ||
                    json_is_true(json_object_get(c, "consent_documented"));
    }
    if (strcmp(json_string_value(json_object_get(set, "subject")), "child") != 0)
        return;
    if (adults == 0) {
        if (!pj_array_has(flags, "unaccompanied"))
            json_array_append_new(flags, json_string("unaccompanied"));
        json_array_append_new(noted, json_pack("{s:s, s:s}", "flag", "unaccompanied", "source",
                                               "declared companions"));
    } else if (!evidence) {
        json_array_append_new(noted, json_pack("{s:s, s:s, s:{s:I, s:b}}", "code", "B1", "source",
                                               "declared companions", "evidence",
                                               "adult_companions", (json_int_t)adults,
                                               "parental_care_documented", 0));
    }
}

/* A flag set by the record, noted among the derived facts. */
static void add_check_flag(json_t *flags, json_t *noted, const char *flag, int64_t check_id)
{
    if (!pj_array_has(flags, flag))
        json_array_append_new(flags, json_string(flag));
    json_array_append_new(noted, json_pack("{s:s, s:s, s:I}", "flag", flag, "source", "check",
                                           "check_id", (json_int_t)check_id));
}

/*
 * Facts from the linked first-line check: crossing point, traveller, adult
 * companions, a document hit, and the flags a protect hit, an unaccompanied
 * minor or an unknown age set.  A first-line officer links only own checks.
 */
static limes_rc from_check(limes_store *s, const limes_protect_actor *who, const json_t *set,
                           struct assess_in *a, struct protect_check *pc, json_t *flags,
                           json_t *noted, limes_error *err)
{
    if (!a->check_id)
        return LIMES_OK;
    limes_rc rc = protect_check_read(s, a->check_id, pc, err);
    if (rc)
        return rc;
    json_decref(pc->subject); /* an assessment keeps no identity data of the check */
    pc->subject = NULL;
    if (who->role == LIMES_ROLE_OFFICER && strcmp(pc->officer, who->username ? who->username : ""))
        return limes_fail(err, LIMES_FORBIDDEN, "check_id",
                          "check %lld was run by another officer", (long long)a->check_id);
    if (!a->point && protect_point_code_ok(pc->bcp))
        a->point = pc->bcp;
    if (!a->traveller_id)
        a->traveller_id = pc->traveller_id;
    for (size_t i = 0; i < pc->ncompanions && a->ncompanions < 10; i++)
        a->companions[a->ncompanions++] = pc->companions[i];
    if (!a->document_hit && pc->document_hit[0])
        a->document_hit = pc->document_hit;
    bool child = strcmp(json_string_value(json_object_get(set, "subject")), "child") == 0;
    if (pc->protect_hit)
        add_check_flag(flags, noted, "watchlist_protect", a->check_id);
    if (child && pc->minor && !pc->adult_companion)
        add_check_flag(flags, noted, "unaccompanied", a->check_id);
    if (pc->minor && !pc->age_known)
        add_check_flag(flags, noted, "age_doubtful", a->check_id);
    return LIMES_OK;
}

limes_rc limes_assessment_create(limes_store *s, const limes_protect_actor *who,
                                 const json_t *in, int64_t now_ms, json_t **out,
                                 limes_error *err)
{
    struct assess_in a = {0};
    limes_rc rc = read_input(in, now_ms, &a, err);
    if (rc)
        return rc;
    json_t *set, *rules, *derived = NULL, *rec = NULL;
    rc = limes_protect_rules_active(s, &rules, err);
    if (rc)
        return rc;
    rc = limes_protect_set_get(s, a.set_name, a.set_version, &set, err);
    if (rc) {
        json_decref(rules);
        return rc;
    }
    /* the officer's flags, then those the linked check sets */
    json_t *flags = a.flags ? json_deep_copy(a.flags) : json_array();
    json_t *noted = json_array();
    struct protect_check pc;
    a.flags = flags;
    rc = limes_protect_evaluate_with(set, rules, a.codes, a.flags, &rec, err);
    json_decref(rec);
    rec = NULL;
    if (!rc)
        rc = from_check(s, who, set, &a, &pc, flags, noted, err);
    if (!rc)
        from_declared(set, &a, flags, noted);
    if (rc) {
        json_decref(set);
        json_decref(rules);
        json_decref(flags);
        json_decref(noted);
        return rc;
    }
    rc = derive(s, &a, &derived, err);
    if (!rc) {
        json_array_extend(derived, noted);
        json_t *codes = all_codes(set, a.codes, derived);
        rc = limes_protect_evaluate_with(set, rules, codes, a.flags, &rec, err);
        json_decref(codes);
    }
    int64_t id = 0;
    if (!rc)
        rc = insert(s, who, &a, set, derived, rec, now_ms, &id, err);
    json_decref(set);
    json_decref(rules);
    json_decref(derived);
    json_decref(rec);
    json_decref(flags);
    json_decref(noted);
    return rc ? rc : limes_assessment_get(s, id, out, err);
}

/* Times as RFC 3339 and the recommendation levels' meaning made explicit. */
static void shape(json_t *row)
{
    json_object_set_new(row, "observed_at",
                        protect_time_json(json_integer_value(json_object_get(row, "observed_ms"))));
    json_object_set_new(row, "created_at",
                        protect_time_json(json_integer_value(json_object_get(row, "created_ms"))));
    json_object_del(row, "observed_ms");
    json_object_del(row, "created_ms");
    json_object_set_new(row, "decided_by_limes", json_false());
}

limes_rc limes_assessment_get(limes_store *s, int64_t id, json_t **out, limes_error *err)
{
    store_tx *tx;
    limes_rc rc = store_begin(s, false, &tx, err);
    if (rc)
        return rc;
    store_val p[] = {sv_int(id)};
    rc = store_query_json_one(tx, ASSESSMENT_COLUMNS " WHERE id = $1", p, 1, out, err);
    store_rollback(tx);
    if (rc == LIMES_NOT_FOUND)
        return limes_fail(err, LIMES_NOT_FOUND, "id", "no assessment %lld", (long long)id);
    if (rc)
        return rc;
    shape(*out);
    return LIMES_OK;
}

limes_rc limes_assessment_list(limes_store *s, int64_t check_id, int limit, json_t **out,
                               limes_error *err)
{
    if (limit < 1 || limit > 500)
        return limes_fail(err, LIMES_INVALID, "limit", "'limit' must be from 1 to 500");
    store_val p[] = {check_id ? sv_int(check_id) : sv_null(), sv_int(limit)};
    limes_rc rc = store_read_json(s, ASSESSMENT_COLUMNS " WHERE (CAST($1 AS BIGINT) IS NULL OR"
                                                        " check_id = $1) ORDER BY id DESC LIMIT $2",
                                  p, 2, out, err);
    if (rc)
        return rc;
    size_t i;
    json_t *row;
    json_array_foreach(*out, i, row)
        shape(row);
    return LIMES_OK;
}
