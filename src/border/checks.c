/*
 * checks.c - the first-line check and the decision taken on it.
 *
 * A check reads the document (MRZ through limes/mrz.h, or typed fields),
 * screens the person and the document (limes/screen.h), looks up the
 * traveller's stays, works out whether a minor is travelling and with
 * whom, and sums it all up in a decision aid with its reasons:
 *   stop      - do not admit without second line: invalid or expired
 *               document, a watchlist alert on the person or the document,
 *               no stay days left at entry;
 *   attention - look closer: a minor, a visa to check, an overstay at exit,
 *               anomalies on record, a document number that only looks like
 *               a listed one, screening unavailable, MRZ warnings;
 *   clear     - nothing found.
 * The check and its answer are stored; the officer then decides once
 * (admit, refuse with codes, refer to second line) and the crossing or
 * refusal is recorded in the same transaction as the decision, dated at
 * the time of the check (the moment the traveller stood at the booth).
 *
 * The MRZ module and the screening module are each called from exactly one
 * function here (doc_from_mrz, screen_person).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_int.h"
#include "border_int.h"
#include "core/date.h"
#include "core/jsontext.h"
#include "limes/mrz.h"
#include "limes/screen.h"

#define CHECK_TEXT_MAX (16u << 20) /* a stored check's request or result text */

enum level { CLEAR = 0, ATTENTION = 1, STOP = 2 };
static const char *const level_names[] = {"clear", "attention", "stop"};

/* The document and its holder as the check understood them. */
struct check_doc {
    char surname[80], given[80], birth[11], sex[2], nationality[4];
    char doc_type[4], issuer[4], number[40], expiry[11];
    bool birth_known, expiry_known;
    int32_t birth_day, expiry_day;
};

struct check_ctx {
    json_t *reasons;
    enum level level;
};

static void reason(struct check_ctx *c, enum level lv, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void reason(struct check_ctx *c, enum level lv, const char *code, const char *fmt, ...)
{
    char detail[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    json_array_append_new(c->reasons, json_pack("{s:s, s:s, s:s}", "level", level_names[lv],
                                                 "code", code, "detail", detail));
    if (lv > c->level)
        c->level = lv;
}

static void copy(char *dst, size_t n, const char *src) { snprintf(dst, n, "%s", src ? src : ""); }

static const char *or_empty(const char *s) { return s ? s : ""; }

/* Full ISO date -> day; false for partial or malformed dates. */
static bool iso_day(const char *iso, int32_t *day)
{
    day_t d;
    if (!iso || strchr(iso, '?') || !date_parse_iso(iso, &d))
        return false;
    *day = d;
    return true;
}

static void finish_dates(struct check_doc *d)
{
    d->birth_known = iso_day(d->birth, &d->birth_day);
    d->expiry_known = iso_day(d->expiry, &d->expiry_day);
}

/* The one call into the MRZ module. */
static limes_rc doc_from_mrz(const char *mrz, int32_t today, struct check_doc *d,
                             json_t **doc_json, struct check_ctx *c, limes_error *err)
{
    limes_mrz_doc *m = calloc(1, sizeof *m);
    if (!m)
        return limes_fail(err, LIMES_NOMEM, "", "out of memory");
    limes_rc rc = limes_mrz_parse(mrz, strlen(mrz), today, m, err);
    if (rc) {
        free(m);
        if (err && !err->field[0])
            snprintf(err->field, sizeof err->field, "mrz");
        return rc;
    }
    copy(d->surname, sizeof d->surname, m->primary_identifier);
    copy(d->given, sizeof d->given, m->secondary_identifier);
    copy(d->birth, sizeof d->birth, m->birth_date);
    d->sex[0] = m->sex == 'F' || m->sex == 'M' ? m->sex : 0;
    copy(d->nationality, sizeof d->nationality, m->nationality);
    copy(d->doc_type, sizeof d->doc_type, m->document_code);
    copy(d->issuer, sizeof d->issuer, m->issuing_state);
    copy(d->number, sizeof d->number, m->document_number);
    copy(d->expiry, sizeof d->expiry, m->expiry_date);
    if (!m->valid)
        reason(c, STOP, "document-invalid",
               "the machine-readable zone fails its checks (%zu problem%s): inspect the document",
               m->nproblems, m->nproblems == 1 ? "" : "s");
    for (size_t i = 0; i < m->nproblems; i++)
        if (m->problems[i].severity == LIMES_MRZ_WARNING &&
            strcmp(m->problems[i].code, "expired") != 0)
            reason(c, ATTENTION, "document-warning", "%s", m->problems[i].message);
    *doc_json = limes_mrz_to_json(m);
    free(m);
    return *doc_json ? LIMES_OK : limes_fail(err, LIMES_NOMEM, "", "out of memory");
}

static limes_rc doc_from_fields(const limes_check_in *in, struct check_doc *d, json_t **doc_json,
                                limes_error *err)
{
    const limes_document_ref *doc = &in->doc;
    const limes_person *p = &in->person;
    if (!doc->number || !*doc->number || strlen(doc->number) > 39)
        return limes_fail(err, LIMES_INVALID, "document/number",
                          "give the MRZ or the document number (at most 39 characters)");
    if (!doc->issuer || !*doc->issuer || strlen(doc->issuer) > 3)
        return limes_fail(err, LIMES_INVALID, "document/issuer",
                          "the issuing state (three letters) is required");
    int32_t day;
    if (doc->expiry_date && *doc->expiry_date &&
        limes_day_parse(doc->expiry_date, "document/expiry_date", &day, err))
        return LIMES_INVALID;
    if (p->birth_date && *p->birth_date && !strchr(p->birth_date, '?') &&
        limes_day_parse(p->birth_date, "person/birth_date", &day, err))
        return LIMES_INVALID;
    copy(d->surname, sizeof d->surname, p->surname);
    copy(d->given, sizeof d->given, p->given_names);
    copy(d->birth, sizeof d->birth, p->birth_date);
    copy(d->sex, sizeof d->sex, p->sex);
    copy(d->nationality, sizeof d->nationality, p->nationality);
    copy(d->doc_type, sizeof d->doc_type, doc->doc_type);
    copy(d->issuer, sizeof d->issuer, doc->issuer);
    copy(d->number, sizeof d->number, doc->number);
    copy(d->expiry, sizeof d->expiry, doc->expiry_date);
    *doc_json = json_pack("{s:s, s:s, s:s, s:s, s:b, s:[]}", "source", "fields", "doc_type",
                          d->doc_type, "issuing_state", d->issuer, "document_number", d->number,
                          "valid", 1, "problems");
    return LIMES_OK;
}

static void check_expiry(const struct check_doc *d, int32_t today, json_t *doc_json,
                         struct check_ctx *c)
{
    bool expired = d->expiry_known && d->expiry_day < today;
    json_object_set_new(doc_json, "expired", json_boolean(expired));
    if (expired)
        reason(c, STOP, "document-expired", "the document expired on %s (refusal code A)",
               d->expiry);
}

/* The one call into the screening module; failures become a reason, never a block. */
static json_t *screen_person(limes_store *s, const struct check_doc *d, struct check_ctx *c)
{
    char name[200];
    snprintf(name, sizeof name, "%s %s", d->given, d->surname);
    limes_screen_query q = {.name = d->surname[0] || d->given[0] ? name : NULL,
                            .dob = d->birth_known ? d->birth : NULL,
                            .nationality = d->nationality[0] ? d->nationality : NULL,
                            .gender = d->sex[0],
                            .document = d->number,
                            .issuer = d->issuer[0] ? d->issuer : NULL};
    limes_screen_result res = {0};
    limes_error err = {0};
    if (limes_screen(s, &q, &res, &err)) {
        reason(c, ATTENTION, "screening-unavailable", "watchlist screening failed: %s",
               limes_error_text(&err));
        return json_null();
    }
    for (size_t i = 0; i < res.nhits; i++) {
        const limes_screen_hit *h = &res.hits[i];
        if (!h->alert)
            continue;
        /* a missing child or a person at risk: the reason says so on its own line */
        if (h->action && strcmp(h->action, "protect") == 0)
            reason(c, STOP, "protect-hit",
                   "%s %s asks for protection (missing child or person at risk): keep the "
                   "traveller safe, refer to a child-protection officer at second line",
                   h->list ? h->list : "", h->ref ? h->ref : "");
        /* a document number that only looks like a listed one asks for a closer look */
        bool near = strcmp(h->kind, "document-near") == 0;
        reason(c, near ? ATTENTION : STOP,
               near ? "document-near-hit"
                    : strcmp(h->kind, "person") == 0 ? "person-hit" : "document-hit",
               "%s %s: %s (score %.2f); action: %s", h->list ? h->list : "",
               h->ref ? h->ref : "", h->matched_name ? h->matched_name : "", h->score,
               h->action && *h->action ? h->action : "refer to second line");
    }
    json_t *j = limes_screen_result_json(&res);
    limes_screen_result_free(&res);
    return j ? j : json_null();
}

static limes_rc find_traveller(store_tx *tx, const struct check_doc *d, int64_t *id,
                               limes_error *err)
{
    *id = 0;
    store_val p[] = {sv_text(d->issuer), sv_text(d->number)};
    limes_rc rc = store_query_int(tx, "SELECT traveller_id FROM traveller_documents WHERE "
                                      "issuer = $1 AND number = $2", p, 2, id, err);
    return rc == LIMES_NOT_FOUND ? LIMES_OK : rc;
}

static json_t *stay_for_new_traveller(const struct check_doc *d, int32_t today)
{
    limes_stay_regime reg;
    limes_stay_regime_for(d->nationality, &reg);
    char iso[11];
    limes_day_format(today, iso);
    json_t *o = json_pack("{s:s, s:s, s:i, s:i, s:b, s:[]}", "on", iso, "regime",
                          limes_stay_regime_name(reg.kind), "max_days", reg.rule.max_days,
                          "window_days", reg.rule.window_days, "unlimited",
                          reg.kind == LIMES_REGIME_FREE_MOVEMENT, "stays");
    if (reg.kind != LIMES_REGIME_FREE_MOVEMENT) {
        json_object_set_new(o, "days_used", json_integer(0));
        json_object_set_new(o, "days_left", json_integer(reg.rule.max_days));
        json_object_set_new(o, "overstay_days", json_integer(0));
        json_object_set_new(o, "present", json_false());
    }
    return o;
}

/* The reasons the stay situation st gives. */
static void stay_reasons(const json_t *st, int64_t traveller, const struct check_doc *d,
                         bool entry, struct check_ctx *c)
{
    const char *regime = json_string_value(json_object_get(st, "regime"));
    if (json_is_true(json_object_get(st, "unlimited")))
        return;
    int64_t left = json_integer_value(json_object_get(st, "days_left"));
    int64_t over = json_integer_value(json_object_get(st, "overstay_days"));
    bool present = json_is_true(json_object_get(st, "present"));
    if (entry && present)
        reason(c, ATTENTION, "entry-without-exit",
               "a stay is open on record (no exit recorded): ask about the last exit");
    else if (entry && left == 0)
        reason(c, STOP, "stay-exhausted",
               "no days left under the %s rule on entry (refusal code F)",
               regime ? regime : "stay");
    if (entry && regime && strcmp(regime, "visa_required") == 0)
        reason(c, ATTENTION, "visa-required", "nationality %s needs a visa: check it",
               d->nationality[0] ? d->nationality : "unknown");
    if (!entry && over > 0)
        reason(c, ATTENTION, "overstay", "overstay of %lld days on exit", (long long)over);
    if (!entry && traveller && !present)
        reason(c, ATTENTION, "exit-without-entry", "no open stay on record for this exit");
}

/* One companion check: {check_id, name, minor}; INVALID if it does not exist. */
static limes_rc companion(store_tx *tx, int64_t id, json_t *list, bool *adult, limes_error *err)
{
    store_rows *r;
    store_val p[] = {sv_int(id)};
    limes_rc rc = store_query(tx, "SELECT minor, request FROM checks WHERE id = $1", p, 1, &r,
                              err);
    if (rc)
        return rc;
    int have = store_rows_next(r, err);
    if (have == 1) {
        bool minor = store_col_int(r, 0) != 0;
        json_t *req = json_loads(store_col_text(r, 1), 0, NULL);
        char name[200];
        snprintf(name, sizeof name, "%s %s",
                 or_empty(json_string_value(json_object_get(req, "given_names"))),
                 or_empty(json_string_value(json_object_get(req, "surname"))));
        json_decref(req);
        json_array_append_new(list, json_pack("{s:I, s:s, s:b}", "check_id", (json_int_t)id,
                                              "name", name, "minor", minor));
        *adult |= !minor;
    }
    store_rows_close(r);
    if (have == 0)
        return limes_fail(err, LIMES_INVALID, "companions", "no check %lld", (long long)id);
    return have < 0 ? (err ? err->rc : LIMES_STORE) : LIMES_OK;
}

static limes_rc minor_situation(limes_store *s, const limes_check_in *in,
                                const struct check_doc *d, int32_t today, json_t **out,
                                bool *is_minor, struct check_ctx *c, limes_error *err)
{
    int age = d->birth_known ? date_age_years(d->birth_day, today) : -1;
    *is_minor = age < 0 || age < 18;
    json_t *list = json_array();
    bool adult = false;
    if (in->ncompanions > 32) {
        json_decref(list);
        return limes_fail(err, LIMES_INVALID, "companions", "at most 32 companions");
    }
    limes_rc rc = LIMES_OK;
    if (in->ncompanions > 0) {
        store_tx *tx = NULL;
        rc = store_begin(s, false, &tx, err);
        for (size_t i = 0; !rc && i < in->ncompanions; i++)
            rc = companion(tx, in->companions[i], list, &adult, err);
        if (tx)
            store_rollback(tx);
    }
    if (rc) {
        json_decref(list);
        return rc;
    }
    *out = json_pack("{s:b, s:b, s:o, s:o, s:b}", "minor", *is_minor, "age_known", age >= 0,
                     "age", age >= 0 ? json_integer(age) : json_null(), "companions", list,
                     "accompanied_by_adult", adult);
    if (*is_minor && age < 0)
        reason(c, ATTENTION, "minor-age-unknown",
               "the date of birth is unknown or incomplete: treat as a minor");
    if (*is_minor && !adult)
        reason(c, ATTENTION, "minor-unaccompanied",
               "a minor travelling without an adult in the same group: check consent and "
               "who meets the child");
    else if (*is_minor)
        reason(c, ATTENTION, "minor",
               "a minor: verify the relationship with the accompanying adults");
    return LIMES_OK;
}

static json_t *request_json(const limes_check_in *in, const struct check_doc *d)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}",
                     "surname", d->surname, "given_names", d->given, "birth_date", d->birth,
                     "sex", d->sex, "nationality", d->nationality, "doc_type", d->doc_type,
                     "issuer", d->issuer, "number", d->number, "expiry_date", d->expiry,
                     "direction", in->direction, "travel_mode",
                     in->travel_mode ? in->travel_mode : "", "travel_ref",
                     in->travel_ref ? in->travel_ref : "", "mrz", in->mrz != NULL);
}

/* The caller's audit entry for the check (limes_check_in.audit), in the
 * check's transaction: its records with the check and the traveller. */
static limes_rc audit_check(store_tx *tx, const limes_audit_entry *e, int64_t id,
                            int64_t traveller, const char *aid, limes_error *err)
{
    enum { OURS = 2 };
    if (e->nrecords > 64)
        return limes_fail(err, LIMES_INVALID, "audit", "too many audit records");
    const char *records[64 + OURS];
    char check[32], person[32];
    size_t n = 0;
    for (size_t i = 0; i < e->nrecords; i++)
        records[n++] = e->records[i];
    snprintf(check, sizeof check, "check:%lld", (long long)id);
    records[n++] = check;
    if (traveller) {
        snprintf(person, sizeof person, "traveller:%lld", (long long)traveller);
        records[n++] = person;
    }
    limes_audit_entry mine = *e;
    mine.records = records;
    mine.nrecords = n;
    if (!mine.detail)
        mine.detail = aid;
    return audit_append_in(tx, &mine, err);
}

/* A check's write (store_write_grouped's job): its row and its audit entry. */
struct check_write {
    const limes_check_in *in;
    store_val row[10];
    int64_t traveller;
    const char *aid;
    int64_t id; /* out */
};

static limes_rc write_check(store_tx *tx, void *arg, limes_error *err)
{
    struct check_write *w = arg;
    limes_rc rc = store_insert_id(tx, "INSERT INTO checks (officer, bcp_id, direction, "
                                      "traveller_id, day, at_ms, aid, minor, request, result) "
                                      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                                  w->row, 10, &w->id, err);
    if (!rc && w->in->audit)
        rc = audit_check(tx, w->in->audit, w->id, w->traveller, w->aid, err);
    return rc;
}

static limes_rc validate_in(const limes_check_in *in, limes_error *err)
{
    if (!in->direction || (strcmp(in->direction, "entry") && strcmp(in->direction, "exit")))
        return limes_fail(err, LIMES_INVALID, "direction", "direction must be entry or exit");
    if (in->mrz && strlen(in->mrz) > LIMES_MRZ_MAX_INPUT)
        return limes_fail(err, LIMES_TOO_LARGE, "mrz", "the MRZ text is too long");
    return LIMES_OK;
}

/* The document as the check reads it, with its expiry. */
static limes_rc read_document(const limes_check_in *in, int32_t today, struct check_doc *d,
                              json_t **doc_json, struct check_ctx *c, limes_error *err)
{
    limes_rc rc = in->mrz ? doc_from_mrz(in->mrz, today, d, doc_json, c, err)
                          : doc_from_fields(in, d, doc_json, err);
    if (rc)
        return rc;
    finish_dates(d);
    check_expiry(d, today, *doc_json, c);
    return LIMES_OK;
}

/* What the check reads from the store, in ONE read transaction (a snapshot
 * and a pool connection once, not once per look-up): the crossing point,
 * the traveller known by the document and that traveller's stay.  The
 * document is read in between (no store access) so that an unknown
 * crossing point is reported before a bad document, as always. */
struct check_reads {
    int64_t bcp, traveller;
    json_t *doc, *stay; /* the caller owns them */
};

static limes_rc read_records(limes_store *s, const limes_check_in *in, int32_t today,
                             struct check_doc *d, struct check_reads *rd, struct check_ctx *c,
                             limes_error *err)
{
    store_tx *tx;
    limes_rc rc = store_begin(s, false, &tx, err);
    if (rc)
        return rc;
    rc = border_bcp_id(tx, in->bcp_code ? in->bcp_code : "", "bcp", &rd->bcp, err);
    if (!rc)
        rc = read_document(in, today, d, &rd->doc, c, err);
    if (!rc)
        rc = find_traveller(tx, d, &rd->traveller, err);
    if (!rc && rd->traveller)
        rc = border_traveller_stay_tx(tx, rd->traveller, today, &rd->stay, err);
    store_rollback(tx);
    if (!rc && !rd->traveller)
        rd->stay = stay_for_new_traveller(d, today);
    return rc;
}

/* Everything but the store write: fills the parts of the answer. */
static limes_rc assess(limes_store *s, const limes_check_in *in, int32_t today,
                       struct check_doc *d, json_t *result, struct check_reads *rd, bool *minor,
                       struct check_ctx *c, limes_error *err)
{
    json_t *minor_json = NULL;
    limes_rc rc = read_records(s, in, today, d, rd, c, err);
    if (rc) {
        json_decref(rd->doc);
        json_decref(rd->stay);
        return rc;
    }
    json_object_set_new(result, "document", rd->doc);
    json_object_set_new(result, "traveller_id",
                        rd->traveller ? json_integer(rd->traveller) : json_null());
    json_object_set_new(result, "screening", screen_person(s, d, c));
    stay_reasons(rd->stay, rd->traveller, d, strcmp(in->direction, "entry") == 0, c);
    json_object_set_new(result, "stay", rd->stay);
    if ((rc = minor_situation(s, in, d, today, &minor_json, minor, c, err)))
        return rc;
    json_object_set_new(result, "minor", minor_json);
    return LIMES_OK;
}

/* The answer's text: the stored result with its id and no decision yet,
 * as json_dumps(JSON_COMPACT) of the answer would write it (jansson keeps
 * insertion order), without writing the whole result out a second time. */
static char *answer_text(const char *stored, int64_t id)
{
    size_t n = stored ? strlen(stored) : 0;
    if (n < 2 || stored[n - 1] != '}')
        return NULL;
    char tail[64];
    int t = snprintf(tail, sizeof tail, "%s\"id\":%lld,\"decision\":null}", n > 2 ? "," : "",
                     (long long)id);
    char *out = malloc(n - 1 + (size_t)t + 1);
    if (out) {
        memcpy(out, stored, n - 1);
        memcpy(out + n - 1, tail, (size_t)t + 1);
    }
    return out;
}

/* A check assessed, its write to come: the row to store (texts written
 * out before the write begins, not under the write lock) and the answer
 * it will complete.  On the heap while limes_check_start's write is
 * queued. */
struct pending_check {
    struct check_write w;
    char *req_text, *res_text; /* the stored request and result */
    json_t *result;            /* the answer, without its id yet */
    limes_check_done done;     /* limes_check_start's */
    void *done_arg;
};

static limes_rc prepare_check(limes_store *s, const limes_check_in *in,
                              struct pending_check *p, limes_error *err)
{
    limes_rc rc = validate_in(in, err);
    if (rc)
        return rc;
    int64_t at_ms;
    int32_t today;
    if ((rc = border_time(in->at_ms, time_now_ms(), &at_ms, &today, err)))
        return rc;
    struct check_doc d = {0};
    struct check_ctx c = {.reasons = json_array(), .level = CLEAR};
    json_t *result = json_object();
    struct check_reads rd = {0};
    bool minor = false;
    rc = assess(s, in, today, &d, result, &rd, &minor, &c, err);
    if (rc) {
        json_decref(result);
        json_decref(c.reasons);
        return rc;
    }
    json_object_set_new(result, "aid", json_string(level_names[c.level]));
    json_object_set_new(result, "reasons", c.reasons);
    json_object_set_new(result, "bcp", json_string(in->bcp_code));
    json_object_set_new(result, "direction", json_string(in->direction));
    json_t *req = request_json(in, &d);
    p->req_text = json_text(req, CHECK_TEXT_MAX);
    json_decref(req);
    p->res_text = json_text(result, CHECK_TEXT_MAX);
    p->result = result;
    p->w = (struct check_write){
        .in = in,
        .row = {sv_text(in->officer ? in->officer : ""), sv_int(rd.bcp), sv_text(in->direction),
                rd.traveller ? sv_int(rd.traveller) : sv_null(), sv_int(today), sv_int(at_ms),
                sv_text(level_names[c.level]), sv_int(minor),
                sv_text(p->req_text ? p->req_text : "{}"),
                sv_text(p->res_text ? p->res_text : "{}")},
        .traveller = rd.traveller,
        .aid = level_names[c.level],
    };
    return LIMES_OK;
}

/* The answer once the write has its outcome rc: the result with its id,
 * and its text when asked for (text may be NULL).  Frees p's texts. */
static limes_rc finish_check(struct pending_check *p, limes_rc rc, json_t **out, char **text)
{
    free(p->req_text);
    if (rc) {
        free(p->res_text);
        json_decref(p->result);
        return rc;
    }
    json_object_set_new(p->result, "id", json_integer(p->w.id));
    json_object_set_new(p->result, "decision", json_null());
    if (text)
        *text = answer_text(p->res_text, p->w.id);
    free(p->res_text);
    *out = p->result;
    return LIMES_OK;
}

/* The check's write shares its transaction with concurrent writers'
 * (store_write_grouped): a transaction's fixed cost, most of the write's,
 * is paid once per batch. */
static limes_rc run_check(limes_store *s, const limes_check_in *in, json_t **out,
                          char **text, limes_error *err)
{
    struct pending_check p = {0};
    limes_rc rc = prepare_check(s, in, &p, err);
    if (rc)
        return rc;
    return finish_check(&p, store_write_grouped(s, write_check, &p.w, err), out, text);
}

limes_rc limes_check_run(limes_store *s, const limes_check_in *in, json_t **out,
                         limes_error *err)
{
    return limes_check_run_text(s, in, out, NULL, err);
}

limes_rc limes_check_run_text(limes_store *s, const limes_check_in *in, json_t **out,
                              char **text, limes_error *err)
{
    if (text)
        *text = NULL;
    store_write_expect(s); /* its write follows the reads and the screening */
    limes_rc rc = run_check(s, in, out, text, err);
    store_write_unexpect(s); /* if it never came: a bad document, say */
    return rc;
}

/* store_write_async's done: the answer to limes_check_start's caller. */
static void check_written(void *arg, limes_rc rc, const limes_error *err)
{
    struct pending_check *p = arg;
    json_t *out = NULL;
    char *text = NULL;
    rc = finish_check(p, rc, &out, &text);
    p->done(p->done_arg, rc, err, out, text);
    free(p);
}

void limes_check_start(limes_store *s, const limes_check_in *in, limes_check_done done,
                       void *arg)
{
    limes_error err = {0};
    struct pending_check *p = calloc(1, sizeof *p);
    if (!p) {
        limes_fail(&err, LIMES_NOMEM, "", "out of memory starting a check");
        done(arg, LIMES_NOMEM, &err, NULL, NULL);
        return;
    }
    p->done = done;
    p->done_arg = arg;
    store_write_expect(s);
    limes_rc rc = prepare_check(s, in, p, &err);
    if (rc) {
        store_write_unexpect(s);
        free(p);
        done(arg, rc, &err, NULL, NULL);
        return;
    }
    store_write_async(s, write_check, &p->w, check_written, p);
}

limes_rc limes_check_get(limes_store *s, int64_t id, json_t **out, limes_error *err)
{
    store_tx *tx;
    limes_rc rc = store_begin(s, false, &tx, err);
    if (rc)
        return rc;
    json_t *rows;
    store_val p[] = {sv_int(id)};
    rc = store_query_json(tx, "SELECT c.id, c.officer, b.code AS bcp, c.direction, "
                              "c.traveller_id, c.at_ms, c.aid, c.result AS result_json, "
                              "c.decision, c.decision_reason, c.decided_by, c.decided_ms, "
                              "c.crossing_id, c.refusal_id FROM checks c JOIN bcp b ON b.id = "
                              "c.bcp_id WHERE c.id = $1", p, 1, &rows, err);
    store_rollback(tx);
    if (rc)
        return rc;
    if (json_array_size(rows) == 0) {
        json_decref(rows);
        return limes_fail(err, LIMES_NOT_FOUND, "id", "no check %lld", (long long)id);
    }
    *out = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    return LIMES_OK;
}

/* ---- the decision ------------------------------------------------------------ */

struct stored_check {
    char direction[8], bcp[20];
    int64_t traveller, at_ms;
    json_t *req;
    bool decided;
};

static limes_rc load_check(store_tx *tx, int64_t id, struct stored_check *sc, limes_error *err)
{
    store_rows *r;
    store_val p[] = {sv_int(id)};
    limes_rc rc = store_query(tx, "SELECT c.direction, b.code, c.traveller_id, c.request, "
                                  "c.decision, c.at_ms FROM checks c JOIN bcp b ON b.id = c.bcp_id "
                                  "WHERE c.id = $1", p, 1, &r, err);
    if (rc)
        return rc;
    int have = store_rows_next(r, err);
    if (have == 1) {
        copy(sc->direction, sizeof sc->direction, store_col_text(r, 0));
        copy(sc->bcp, sizeof sc->bcp, store_col_text(r, 1));
        sc->traveller = store_col_is_null(r, 2) ? 0 : store_col_int(r, 2);
        sc->req = json_loads(store_col_text(r, 3), 0, NULL);
        sc->decided = !store_col_is_null(r, 4);
        sc->at_ms = store_col_int(r, 5);
    }
    store_rows_close(r);
    if (have == 0)
        return limes_fail(err, LIMES_NOT_FOUND, "id", "no check %lld", (long long)id);
    if (have < 0)
        return err ? err->rc : LIMES_STORE;
    if (!sc->req)
        return limes_fail(err, LIMES_STORE, "id", "check %lld is damaged", (long long)id);
    return sc->decided ? limes_fail(err, LIMES_CONFLICT, "decision",
                                    "check %lld was decided already", (long long)id)
                       : LIMES_OK;
}

static const char *rq(const struct stored_check *sc, const char *key)
{
    return or_empty(json_string_value(json_object_get(sc->req, key)));
}

static void person_of(const struct stored_check *sc, limes_person *p, limes_document_ref *d)
{
    const char *birth = rq(sc, "birth_date");
    *p = (limes_person){.surname = rq(sc, "surname"), .given_names = rq(sc, "given_names"),
                        .birth_date = strchr(birth, '?') ? "" : birth, .sex = rq(sc, "sex"),
                        .nationality = rq(sc, "nationality")};
    *d = (limes_document_ref){.doc_type = rq(sc, "doc_type"), .issuer = rq(sc, "issuer"),
                              .number = rq(sc, "number"), .expiry_date = rq(sc, "expiry_date")};
    if (strchr(d->expiry_date, '?'))
        d->expiry_date = "";
}

static limes_rc apply_decision(store_tx *tx, const limes_decision_in *in,
                               const struct stored_check *sc, int64_t now, json_t *out,
                               limes_error *err)
{
    limes_person p;
    limes_document_ref d;
    person_of(sc, &p, &d);
    int64_t traveller = 0, crossing = 0, refusal = 0;
    limes_rc rc = LIMES_OK;
    if (strcmp(in->decision, "admit") == 0) {
        limes_crossing_in c = {.traveller_id = sc->traveller, .person = p, .doc = d,
                               .bcp_code = sc->bcp, .direction = sc->direction,
                               .officer = in->officer, .check_id = in->check_id,
                               .at_ms = sc->at_ms, .not_counted = in->not_counted,
                               .travel_mode = rq(sc, "travel_mode"),
                               .travel_ref = rq(sc, "travel_ref")};
        limes_crossing_out co;
        rc = border_crossing_record_tx(tx, &c, now, &co, err);
        traveller = co.traveller_id;
        crossing = co.id;
        if (!rc && co.anomaly[0])
            json_object_set_new(out, "anomaly", json_string(co.anomaly));
    } else if (strcmp(in->decision, "refuse") == 0) {
        if (strcmp(sc->direction, "entry") != 0)
            return limes_fail(err, LIMES_INVALID, "decision", "only an entry can be refused");
        limes_refusal_in r = {.traveller_id = sc->traveller, .person = p, .doc = d,
                              .bcp_code = sc->bcp, .codes = in->codes, .officer = in->officer,
                              .at_ms = sc->at_ms, .check_id = in->check_id, .note = in->reason};
        rc = border_refusal_record_tx(tx, &r, now, &refusal, &traveller, err);
    } else {
        traveller = sc->traveller;
    }
    if (rc)
        return rc;
    store_val u[] = {sv_text(in->decision),
                     sv_text(in->reason ? in->reason : ""),
                     sv_text(in->officer ? in->officer : ""),
                     sv_int(now),
                     crossing ? sv_int(crossing) : sv_null(),
                     refusal ? sv_int(refusal) : sv_null(),
                     traveller ? sv_int(traveller) : sv_null(),
                     sv_int(in->check_id)};
    int64_t changed = 0;
    rc = store_exec_changes(tx, "UPDATE checks SET decision = $1, decision_reason = $2, "
                                "decided_by = $3, decided_ms = $4, crossing_id = $5, "
                                "refusal_id = $6, traveller_id = $7 WHERE id = $8 AND decision "
                                "IS NULL", u, 8, &changed, err);
    if (!rc && changed != 1)
        rc = limes_fail(err, LIMES_CONFLICT, "decision", "check %lld was decided already",
                        (long long)in->check_id);
    json_object_set_new(out, "traveller_id", traveller ? json_integer(traveller) : json_null());
    if (crossing)
        json_object_set_new(out, "crossing_id", json_integer(crossing));
    if (refusal)
        json_object_set_new(out, "refusal_id", json_integer(refusal));
    return rc;
}

static limes_rc decision_valid(const limes_decision_in *in, limes_error *err)
{
    const char *d = in->decision ? in->decision : "";
    if (strcmp(d, "admit") && strcmp(d, "refuse") && strcmp(d, "refer"))
        return limes_fail(err, LIMES_INVALID, "decision", "decision must be admit, refuse or refer");
    if (strcmp(d, "refuse") == 0 && (!in->codes || !*in->codes))
        return limes_fail(err, LIMES_INVALID, "codes", "a refusal needs its reason codes");
    if (strcmp(d, "refer") == 0 && (!in->reason || !*in->reason))
        return limes_fail(err, LIMES_INVALID, "reason", "a referral needs its reason");
    if (in->reason && strlen(in->reason) > 2000)
        return limes_fail(err, LIMES_INVALID, "reason", "reason is at most 2000 bytes");
    return LIMES_OK;
}

limes_rc limes_check_decide(limes_store *s, const limes_decision_in *in, json_t **out,
                            limes_error *err)
{
    limes_rc rc = decision_valid(in, err);
    if (rc)
        return rc;
    store_tx *tx;
    if ((rc = store_begin(s, true, &tx, err)))
        return rc;
    struct stored_check sc = {0};
    json_t *o = json_pack("{s:I, s:s}", "check_id", (json_int_t)in->check_id, "decision",
                          in->decision);
    rc = load_check(tx, in->check_id, &sc, err);
    if (!rc)
        rc = apply_decision(tx, in, &sc, time_now_ms(), o, err);
    json_decref(sc.req);
    if (rc) {
        store_rollback(tx);
        json_decref(o);
        return rc;
    }
    if ((rc = store_commit(tx, err))) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return LIMES_OK;
}
