/*
 * cases.c - protection cases and their state machine.
 *
 * A case opens from an assessment or check (one case per check at most)
 * or by hand, in state "open".  Each step (referred, acknowledged,
 * interview_held, guardian_appointed, placed_in_care, closed) is recorded
 * with its time and actor; workflow.json says after which states each step
 * may come and for which subjects, and a step out of order is refused with
 * the allowed next steps.  The case row keeps the current state and the
 * deadline times so that "overdue" is a plain query:
 *
 *     acknowledgement overdue  <=>  state = 'referred' AND ack_due_ms < now
 *
 * Every write happens in one transaction: a refused step leaves nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protect_int.h"

#define CASE_COLUMNS                                                                          \
    "SELECT id, state, subject_kind, assessment_id, check_id, subject_json, summary,"         \
    " crossing_point, partner_id, referred_ms, acknowledged_ms, ack_due_ms, reflection_end_ms," \
    " outcome, closed_ms, opened_by, opened_ms, updated_ms FROM protect_cases c"

/* ---- configuration -------------------------------------------------------- */

static limes_rc setting(store_tx *tx, const char *name, int64_t *value, limes_error *err)
{
    store_val p[] = {sv_text(name)};
    limes_rc rc = store_query_int(tx, "SELECT value FROM protect_settings WHERE name = $1", p, 1,
                                  value, err);
    return rc == LIMES_NOT_FOUND ? LIMES_OK : rc;
}

limes_rc limes_protect_config_get(limes_store *s, int *ack_hours, int *reflection_days,
                                  limes_error *err)
{
    json_t *wf;
    limes_rc rc = limes_protect_workflow(&wf, err);
    if (rc)
        return rc;
    int64_t ack = json_integer_value(json_object_get(wf, "acknowledgement_hours"));
    int64_t refl = json_integer_value(json_object_get(wf, "reflection_days"));
    json_decref(wf);
    store_tx *tx;
    rc = store_begin(s, false, &tx, err);
    if (rc)
        return rc;
    rc = setting(tx, "ack_hours", &ack, err);
    if (!rc)
        rc = setting(tx, "reflection_days", &refl, err);
    store_rollback(tx);
    *ack_hours = (int)ack;
    *reflection_days = (int)refl;
    return rc;
}

static limes_rc put_setting(store_tx *tx, const char *name, int64_t value, limes_error *err)
{
    store_val p[] = {sv_text(name), sv_int(value)};
    limes_rc rc = store_exec(tx, "DELETE FROM protect_settings WHERE name = $1", p, 1, err);
    if (!rc)
        rc = store_exec(tx, "INSERT INTO protect_settings (name, value) VALUES ($1, $2)", p, 2,
                        err);
    return rc;
}

limes_rc limes_protect_config_set(limes_store *s, int ack_hours, int reflection_days,
                                  limes_error *err)
{
    if (ack_hours < 0 || ack_hours > 720)
        return limes_fail(err, LIMES_INVALID, "ack_hours",
                          "the acknowledgement deadline must be 0-720 hours");
    if (reflection_days < 30 || reflection_days > 365)
        return limes_fail(err, LIMES_INVALID, "reflection_days",
                          "the recovery and reflection period must be 30-365 days (at least "
                          "30: CoE THB Convention Art. 13)");
    store_tx *tx;
    limes_rc rc = store_begin(s, true, &tx, err);
    if (rc)
        return rc;
    rc = put_setting(tx, "ack_hours", ack_hours, err);
    if (!rc)
        rc = put_setting(tx, "reflection_days", reflection_days, err);
    return rc ? (store_rollback(tx), rc) : store_commit(tx, err);
}

/* ---- reading a case --------------------------------------------------------- */

static int64_t jint(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }

static void move_time(json_t *o, const char *ms_key, const char *key)
{
    json_object_set_new(o, key, protect_time_json(jint(o, ms_key)));
    json_object_del(o, ms_key);
}

/* deadlines, overdue steps and allowed next steps, computed for `now_ms`. */
static void add_deadlines(json_t *c, const json_t *wf, int64_t now_ms)
{
    const char *state = json_string_value(json_object_get(c, "state"));
    int64_t referred = jint(c, "referred_ms"), due = jint(c, "ack_due_ms");
    int64_t acked = jint(c, "acknowledged_ms"), refl_end = jint(c, "reflection_end_ms");
    bool ack_overdue = strcmp(state, "referred") == 0 && due && now_ms > due;
    json_t *deadlines = json_object();
    if (referred) {
        json_object_set_new(deadlines, "acknowledgement",
                            json_pack("{s:o, s:o, s:b}", "due", protect_time_json(due), "met_at",
                                      protect_time_json(acked), "overdue", ack_overdue));
        json_object_set_new(deadlines, "reflection_period",
                            json_pack("{s:o, s:o, s:I, s:b}", "start", protect_time_json(referred),
                                      "end", protect_time_json(refl_end), "days",
                                      (json_int_t)((refl_end - referred) / MS_PER_DAY), "running",
                                      now_ms < refl_end));
    }
    json_object_set_new(c, "deadlines", deadlines);
    json_t *overdue = json_array();
    if (ack_overdue)
        json_array_append_new(overdue, json_string("acknowledged"));
    json_object_set_new(c, "overdue", overdue);
    json_object_set_new(c, "allowed_next",
                        protect_allowed_steps(wf, state, json_string_value(json_object_get(
                                                             c, "subject_kind"))));
    move_time(c, "referred_ms", "referred_at");
    move_time(c, "acknowledged_ms", "acknowledged_at");
    move_time(c, "ack_due_ms", "acknowledgement_due_at");
    move_time(c, "reflection_end_ms", "reflection_end_at");
    move_time(c, "closed_ms", "closed_at");
    move_time(c, "opened_ms", "opened_at");
    move_time(c, "updated_ms", "updated_at");
}

static limes_rc assigned_officers(store_tx *tx, int64_t id, json_t **out, limes_error *err)
{
    store_val p[] = {sv_int(id)};
    store_rows *rows;
    limes_rc rc = store_query(tx, "SELECT username FROM protect_case_officers WHERE case_id = $1"
                                  " ORDER BY username", p, 1, &rows, err);
    if (rc)
        return rc;
    *out = json_array();
    int have;
    while ((have = store_rows_next(rows, err)) == 1)
        json_array_append_new(*out, json_string(store_col_text(rows, 0)));
    store_rows_close(rows);
    if (have < 0) {
        json_decref(*out);
        return err ? err->rc : LIMES_STORE;
    }
    return LIMES_OK;
}

static limes_rc case_steps(store_tx *tx, int64_t id, json_t **out, limes_error *err)
{
    store_val p[] = {sv_int(id)};
    limes_rc rc = store_query_json(tx, "SELECT step, from_state, at_ms, actor, actor_role,"
                                       " partner_id, reason_codes_json, consent, outcome, note"
                                       " FROM protect_case_steps WHERE case_id = $1"
                                       " ORDER BY at_ms, id", p, 1, out, err);
    if (rc)
        return rc;
    size_t i;
    json_t *step;
    json_array_foreach(*out, i, step) {
        move_time(step, "at_ms", "at");
        const json_t *consent = json_object_get(step, "consent");
        if (json_is_integer(consent))
            json_object_set_new(step, "consent", json_boolean(json_integer_value(consent)));
    }
    return LIMES_OK;
}

static limes_rc partner_brief(store_tx *tx, json_t *c, limes_error *err)
{
    int64_t pid = jint(c, "partner_id");
    if (!pid) {
        json_object_set_new(c, "partner", json_null());
        return LIMES_OK;
    }
    json_t *rows;
    store_val p[] = {sv_int(pid)};
    limes_rc rc = store_query_json(tx, "SELECT id, name, type, country, region, phone, email"
                                       " FROM protect_partners WHERE id = $1", p, 1, &rows, err);
    if (rc)
        return rc;
    json_object_set(c, "partner", json_array_size(rows) ? json_array_get(rows, 0) : json_null());
    json_decref(rows);
    return LIMES_OK;
}

static limes_rc case_in(store_tx *tx, int64_t id, int64_t now_ms, bool full, json_t **out,
                        limes_error *err)
{
    json_t *c, *wf;
    store_val p[] = {sv_int(id)};
    limes_rc rc = store_query_json_one(tx, CASE_COLUMNS " WHERE id = $1", p, 1, &c, err);
    if (rc == LIMES_NOT_FOUND)
        return limes_fail(err, LIMES_NOT_FOUND, "id", "no case %lld", (long long)id);
    if (rc)
        return rc;
    json_t *assigned = NULL, *steps = NULL;
    rc = limes_protect_workflow(&wf, err);
    if (!rc) {
        add_deadlines(c, wf, now_ms);
        json_decref(wf);
        rc = assigned_officers(tx, id, &assigned, err);
    }
    if (!rc) {
        json_object_set_new(c, "assigned", assigned);
        if (full)
            rc = case_steps(tx, id, &steps, err);
    }
    if (!rc && full) {
        json_object_set_new(c, "steps", steps);
        rc = partner_brief(tx, c, err);
    }
    if (rc) {
        json_decref(c);
        return rc;
    }
    *out = c;
    return LIMES_OK;
}

limes_rc limes_case_get(limes_store *s, int64_t id, int64_t now_ms, json_t **out,
                        limes_error *err)
{
    store_tx *tx;
    limes_rc rc = store_begin(s, false, &tx, err);
    if (rc)
        return rc;
    rc = case_in(tx, id, now_ms, true, out, err);
    store_rollback(tx);
    return rc;
}

limes_rc limes_case_list(limes_store *s, const limes_case_filter *f, int64_t now_ms,
                         json_t **out, limes_error *err)
{
    int limit = f->limit ? f->limit : 100;
    if (limit < 1 || limit > 500)
        return limes_fail(err, LIMES_INVALID, "limit", "'limit' must be from 1 to 500");
    if (f->state && strcmp(f->state, "open") != 0) {
        json_t *wf;
        limes_rc rc = limes_protect_workflow(&wf, err);
        if (rc)
            return rc;
        bool known = protect_workflow_step(wf, f->state) != NULL;
        json_decref(wf);
        if (!known)
            return limes_fail(err, LIMES_INVALID, "state",
                              "unknown state '%s' (open or a step such as referred, closed)",
                              f->state);
    }
    const limes_protect_actor *who = f->visible_to;
    if (who && who->role != LIMES_ROLE_SUPERVISOR && who->role != LIMES_ROLE_SECOND_LINE) {
        *out = json_array(); /* need to know: other roles see no cases */
        return LIMES_OK;
    }
    const char *only_user = who && who->role == LIMES_ROLE_SECOND_LINE ? who->username : NULL;
    store_tx *tx;
    limes_rc rc = store_begin(s, false, &tx, err);
    if (rc)
        return rc;
    store_val p[] = {sv_text(f->state), sv_int(f->overdue_only), sv_int(now_ms),
                     sv_text(only_user), sv_int(limit)};
    json_t *ids;
    rc = store_query_json(tx, "SELECT id FROM protect_cases c WHERE"
                              " (CAST($1 AS TEXT) IS NULL OR state = $1)"
                              " AND ($2 = 0 OR (state = 'referred' AND ack_due_ms < $3))"
                              " AND (CAST($4 AS TEXT) IS NULL"
                              "  OR NOT EXISTS (SELECT 1 FROM protect_case_officers o"
                              "                 WHERE o.case_id = c.id)"
                              "  OR EXISTS (SELECT 1 FROM protect_case_officers o"
                              "             WHERE o.case_id = c.id AND o.username = $4))"
                              " ORDER BY id DESC LIMIT $5", p, 5, &ids, err);
    json_t *list = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(ids, i, row) {
        json_t *c;
        if (rc || (rc = case_in(tx, jint(row, "id"), now_ms, false, &c, err)))
            break;
        json_array_append_new(list, c);
    }
    json_decref(ids);
    store_rollback(tx);
    if (rc) {
        json_decref(list);
        return rc;
    }
    *out = list;
    return LIMES_OK;
}

/* ---- access -------------------------------------------------------------- */

limes_rc limes_case_access_for(limes_store *s, int64_t id, const limes_protect_actor *who,
                               limes_case_access *out, limes_error *err)
{
    *out = LIMES_CASE_DENIED;
    store_tx *tx;
    limes_rc rc = store_begin(s, false, &tx, err);
    if (rc)
        return rc;
    int64_t exists = 0, officers = 0, mine = 0;
    store_val p[] = {sv_int(id), sv_text(who->username ? who->username : "")};
    rc = store_query_int(tx, "SELECT COUNT(*) FROM protect_cases WHERE id = $1", p, 1, &exists,
                         err);
    if (!rc)
        rc = store_query_int(tx, "SELECT COUNT(*) FROM protect_case_officers WHERE case_id = $1",
                             p, 1, &officers, err);
    if (!rc)
        rc = store_query_int(tx, "SELECT COUNT(*) FROM protect_case_officers WHERE case_id = $1"
                                 " AND username = $2", p, 2, &mine, err);
    store_rollback(tx);
    if (rc)
        return rc;
    if (!exists)
        return limes_fail(err, LIMES_NOT_FOUND, "id", "no case %lld", (long long)id);
    if (who->role == LIMES_ROLE_SUPERVISOR || (who->role == LIMES_ROLE_SECOND_LINE && mine))
        *out = LIMES_CASE_WRITE;
    else if (who->role == LIMES_ROLE_SECOND_LINE && officers == 0)
        *out = LIMES_CASE_READ;
    return LIMES_OK;
}

static limes_rc assign_in(store_tx *tx, int64_t id, const char *username, int64_t now_ms,
                          limes_error *err)
{
    store_val p[] = {sv_int(id), sv_text(username), sv_int(now_ms)};
    int64_t n = 0;
    limes_rc rc = store_query_int(tx, "SELECT COUNT(*) FROM protect_case_officers WHERE"
                                      " case_id = $1 AND username = $2", p, 2, &n, err);
    if (rc || n)
        return rc;
    return store_exec(tx, "INSERT INTO protect_case_officers (case_id, username, assigned_ms)"
                          " VALUES ($1, $2, $3)", p, 3, err);
}

limes_rc limes_case_assign(limes_store *s, int64_t id, const char *username, int64_t now_ms,
                           limes_error *err)
{
    if (!username || !username[0])
        return limes_fail(err, LIMES_INVALID, "username", "'username' is required");
    store_tx *tx;
    limes_rc rc = store_begin(s, true, &tx, err);
    if (rc)
        return rc;
    store_val p[] = {sv_int(id), sv_text(username)};
    int64_t n = 0;
    rc = store_query_int(tx, "SELECT COUNT(*) FROM protect_cases WHERE id = $1", p, 1, &n, err);
    if (!rc && !n)
        rc = limes_fail(err, LIMES_NOT_FOUND, "id", "no case %lld", (long long)id);
    if (!rc) {
        rc = store_query_int(tx, "SELECT COUNT(*) FROM users WHERE username = $2 AND disabled = 0"
                                 " AND role IN ('second_line', 'supervisor') AND $1 > 0",
                             p, 2, &n, err);
        if (!rc && !n)
            rc = limes_fail(err, LIMES_UNPROCESSABLE, "username",
                            "'%s' is not an active second_line or supervisor user", username);
    }
    if (!rc)
        rc = assign_in(tx, id, username, now_ms, err);
    return rc ? (store_rollback(tx), rc) : store_commit(tx, err);
}

/* ---- opening ---------------------------------------------------------------- */

struct open_in {
    int64_t assessment_id, check_id;
    const char *subject_kind, *point, *summary;
    const json_t *subject;
};

static limes_rc check_subject(const json_t *subject, limes_error *err)
{
    if (!subject || json_is_null(subject))
        return LIMES_OK;
    if (!json_is_object(subject))
        return limes_fail(err, LIMES_INVALID, "subject", "'subject' must be an object");
    const char *v;
    bool given, b;
    limes_rc rc = pj_str(subject, "name", false, 200, &v, err);
    if (!rc)
        rc = pj_str(subject, "date_of_birth", false, 10, &v, err);
    if (!rc)
        rc = pj_str(subject, "nationality", false, 3, &v, err);
    if (!rc)
        rc = pj_str(subject, "sex", false, 1, &v, err);
    if (!rc)
        rc = pj_bool(subject, "age_doubtful", &given, &b, err);
    if (!rc)
        rc = protect_check_companions(json_object_get(subject, "companions"), "subject/companions",
                                      err);
    return rc;
}

static limes_rc read_open(const json_t *in, struct open_in *o, limes_error *err)
{
    if (!json_is_object(in))
        return limes_fail(err, LIMES_INVALID, "", "the case must be a JSON object");
    bool given;
    limes_rc rc = pj_int(in, "assessment_id", 1, INT64_MAX, &given, &o->assessment_id, err);
    if (!rc)
        rc = pj_int(in, "check_id", 1, INT64_MAX, &given, &o->check_id, err);
    if (!rc)
        rc = pj_str(in, "subject_kind", false, 8, &o->subject_kind, err);
    if (!rc && o->subject_kind && strcmp(o->subject_kind, "child") != 0 &&
        strcmp(o->subject_kind, "adult") != 0)
        rc = limes_fail(err, LIMES_INVALID, "subject_kind", "'subject_kind' must be child or adult");
    if (!rc)
        rc = pj_str(in, "crossing_point", false, 16, &o->point, err);
    if (!rc && o->point && !protect_point_code_ok(o->point))
        rc = limes_fail(err, LIMES_INVALID, "crossing_point",
                        "'crossing_point' must be a crossing point code (2-16 of A-Z 0-9 - _)");
    if (!rc)
        rc = pj_str(in, "summary", false, 4000, &o->summary, err);
    o->subject = json_object_get(in, "subject");
    if (!rc)
        rc = check_subject(o->subject, err);
    if (!rc && !o->assessment_id && !o->check_id && !o->subject_kind)
        rc = limes_fail(err, LIMES_INVALID, "subject_kind",
                        "'subject_kind' (child or adult) is required without an assessment_id "
                        "or check_id");
    return rc;
}

/* Fill the open_in gaps from the assessment and check the officer may use it. */
static limes_rc from_assessment(store_tx *tx, const limes_protect_actor *who, struct open_in *o,
                                json_t **holder, limes_error *err)
{
    if (!o->assessment_id) {
        if (who->role == LIMES_ROLE_OFFICER && !o->check_id)
            return limes_fail(err, LIMES_FORBIDDEN, "assessment_id",
                              "a first-line officer opens a case from a check or an assessment "
                              "of their own");
        return LIMES_OK;
    }
    store_val p[] = {sv_int(o->assessment_id)};
    limes_rc rc = store_query_json(tx, "SELECT subject_kind, check_id, crossing_point, officer_id"
                                       " FROM protect_assessments WHERE id = $1", p, 1, holder, err);
    if (rc)
        return rc;
    const json_t *a = json_array_get(*holder, 0);
    if (!a)
        return limes_fail(err, LIMES_UNPROCESSABLE, "assessment_id", "no assessment %lld",
                          (long long)o->assessment_id);
    if (who->role == LIMES_ROLE_OFFICER && jint(a, "officer_id") != who->user_id)
        return limes_fail(err, LIMES_FORBIDDEN, "assessment_id",
                          "assessment %lld was recorded by another officer",
                          (long long)o->assessment_id);
    int64_t check = jint(a, "check_id");
    if (o->check_id && check && o->check_id != check)
        return limes_fail(err, LIMES_INVALID, "check_id",
                          "check %lld differs from the assessment's check %lld",
                          (long long)o->check_id, (long long)check);
    if (!o->check_id)
        o->check_id = check;
    o->subject_kind = json_string_value(json_object_get(a, "subject_kind"));
    const char *point = json_string_value(json_object_get(a, "crossing_point"));
    if (!o->point && point && point[0])
        o->point = point;
    return LIMES_OK;
}

/* A case opened from a check: the check must exist, and be the officer's own. */
static limes_rc from_check(limes_store *s, const limes_protect_actor *who, struct open_in *o,
                           struct protect_check *pc, limes_error *err)
{
    limes_rc rc = protect_check_read(s, o->check_id, pc, err);
    if (rc)
        return rc;
    if (who->role == LIMES_ROLE_OFFICER && !o->assessment_id &&
        strcmp(pc->officer, who->username ? who->username : "") != 0)
        return limes_fail(err, LIMES_FORBIDDEN, "check_id",
                          "check %lld was run by another officer", (long long)o->check_id);
    if (!o->point && protect_point_code_ok(pc->bcp))
        o->point = pc->bcp;
    if (!o->subject_kind && !o->assessment_id)
        o->subject_kind = pc->minor ? "child" : "adult";
    if (!o->subject || json_is_null(o->subject))
        o->subject = pc->subject; /* who was checked, for the second line */
    return LIMES_OK;
}

static limes_rc insert_case(store_tx *tx, const limes_protect_actor *who, const struct open_in *o,
                            int64_t now_ms, int64_t *id, limes_error *err)
{
    if (o->check_id) {
        store_val c[] = {sv_int(o->check_id)};
        int64_t existing;
        limes_rc rc = store_query_int(tx, "SELECT id FROM protect_cases WHERE check_id = $1", c,
                                      1, &existing, err);
        if (rc == LIMES_OK)
            return limes_fail(err, LIMES_EXISTS, "check_id", "check %lld already has case %lld",
                              (long long)o->check_id, (long long)existing);
        if (rc != LIMES_NOT_FOUND)
            return rc;
    }
    char month[8];
    protect_month(now_ms, month);
    char *subject = o->subject && json_is_object(o->subject)
                        ? json_dumps(o->subject, JSON_COMPACT) : strdup("{}");
    if (!subject)
        return limes_fail(err, LIMES_NOMEM, "", "out of memory");
    const char *actor = who->username ? who->username : "";
    store_val p[] = {sv_text(o->subject_kind),
                     o->assessment_id ? sv_int(o->assessment_id) : sv_null(),
                     o->check_id ? sv_int(o->check_id) : sv_null(), sv_text(subject),
                     sv_text(o->summary ? o->summary : ""), sv_text(o->point ? o->point : ""),
                     sv_text(month), sv_text(actor), sv_int(now_ms)};
    limes_rc rc = store_insert_id(tx, "INSERT INTO protect_cases (subject_kind, assessment_id,"
                                      " check_id, subject_json, summary, crossing_point, month,"
                                      " state, opened_by, opened_ms, updated_ms) VALUES ($1, $2,"
                                      " $3, $4, $5, $6, $7, 'open', $8, $9, $9)",
                                  p, 9, id, err);
    free(subject);
    if (rc == LIMES_EXISTS)
        return limes_fail(err, LIMES_EXISTS, "check_id", "check %lld already has a case",
                          (long long)o->check_id);
    if (rc)
        return rc;
    store_val st[] = {sv_int(*id), sv_int(now_ms), sv_text(month),
                      sv_text(o->point ? o->point : ""), sv_text(actor),
                      sv_text(limes_role_name(who->role))};
    rc = store_exec(tx, "INSERT INTO protect_case_steps (case_id, step, from_state, at_ms, month,"
                        " crossing_point, actor, actor_role) VALUES ($1, 'opened', '', $2, $3,"
                        " $4, $5, $6)", st, 6, err);
    if (!rc && who->role == LIMES_ROLE_SECOND_LINE)
        rc = assign_in(tx, *id, actor, now_ms, err);
    return rc;
}

limes_rc limes_case_open(limes_store *s, const limes_protect_actor *who, const json_t *in,
                         int64_t now_ms, json_t **out, limes_error *err)
{
    struct open_in o = {0};
    struct protect_check pc = {0};
    limes_rc rc = read_open(in, &o, err);
    if (!rc && o.check_id)
        rc = from_check(s, who, &o, &pc, err);
    if (rc) {
        json_decref(pc.subject);
        return rc;
    }
    store_tx *tx;
    rc = store_begin(s, true, &tx, err);
    if (rc) {
        json_decref(pc.subject);
        return rc;
    }
    json_t *holder = NULL;
    int64_t id = 0;
    rc = from_assessment(tx, who, &o, &holder, err);
    if (!rc)
        rc = insert_case(tx, who, &o, now_ms, &id, err);
    json_decref(holder);
    rc = rc ? (store_rollback(tx), rc) : store_commit(tx, err);
    json_decref(pc.subject);
    return rc ? rc : limes_case_get(s, id, now_ms, out, err);
}

/* ---- steps ---------------------------------------------------------------- */

struct step_in {
    const char *step, *note, *outcome;
    const json_t *reason_codes;
    int64_t partner_id, at_ms;
    bool consent, consent_given;
};

static limes_rc read_step(const json_t *in, const json_t *wf, int64_t now_ms, struct step_in *st,
                          limes_error *err)
{
    if (!json_is_object(in))
        return limes_fail(err, LIMES_INVALID, "", "the step must be a JSON object");
    bool given;
    limes_rc rc = pj_str(in, "step", true, 32, &st->step, err);
    if (!rc && !protect_workflow_step(wf, st->step)) {
        char known[200];
        pj_join_codes(json_object_get(wf, "steps"), known, sizeof known);
        rc = limes_fail(err, LIMES_INVALID, "step", "unknown step '%s' (%s)", st->step, known);
    }
    if (!rc)
        rc = pj_str(in, "note", false, 4000, &st->note, err);
    if (!rc)
        rc = pj_str(in, "outcome", false, 40, &st->outcome, err);
    if (!rc)
        rc = pj_str_array(in, "reason_codes", 20, 40, &st->reason_codes, err);
    if (!rc)
        rc = pj_int(in, "partner_id", 1, INT64_MAX, &given, &st->partner_id, err);
    if (!rc)
        rc = pj_bool(in, "consent", &st->consent_given, &st->consent, err);
    st->at_ms = now_ms;
    if (!rc)
        rc = pj_int(in, "at_ms", 1, now_ms + 5 * 60 * 1000, &given, &st->at_ms, err);
    return rc;
}

static bool outcome_known(const json_t *wf, const char *outcome)
{
    size_t i;
    const json_t *o;
    json_array_foreach(json_object_get(wf, "outcomes"), i, o) {
        const char *c = json_string_value(json_object_get(o, "code"));
        if (c && strcmp(c, outcome) == 0)
            return true;
    }
    return false;
}

/* What the step itself needs: a known, active partner; a known outcome. */
static limes_rc check_requirements(store_tx *tx, const json_t *wf, const struct step_in *st,
                                   limes_error *err)
{
    const json_t *requires = json_object_get(protect_workflow_step(wf, st->step), "requires");
    if (pj_array_has(requires, "partner_id")) {
        if (!st->partner_id)
            return limes_fail(err, LIMES_INVALID, "partner_id",
                              "'partner_id' (the referral partner) is required for %s", st->step);
        store_val p[] = {sv_int(st->partner_id)};
        int64_t active;
        limes_rc rc = store_query_int(tx, "SELECT active FROM protect_partners WHERE id = $1", p,
                                      1, &active, err);
        if (rc == LIMES_NOT_FOUND)
            return limes_fail(err, LIMES_UNPROCESSABLE, "partner_id",
                              "no referral partner %lld in the directory",
                              (long long)st->partner_id);
        if (rc)
            return rc;
        if (!active)
            return limes_fail(err, LIMES_UNPROCESSABLE, "partner_id",
                              "referral partner %lld is inactive", (long long)st->partner_id);
    }
    if (pj_array_has(requires, "outcome")) {
        if (!st->outcome || !outcome_known(wf, st->outcome)) {
            char known[300];
            pj_join_codes(json_object_get(wf, "outcomes"), known, sizeof known);
            return limes_fail(err, LIMES_INVALID, "outcome",
                              "'outcome' is required for %s and must be one of: %s", st->step,
                              known);
        }
    }
    return LIMES_OK;
}

struct case_state {
    char state[32], kind[8], point[17];
    int64_t opened_ms, last_step_ms;
};

static limes_rc load_state(store_tx *tx, int64_t id, struct case_state *cs, limes_error *err)
{
    store_val p[] = {sv_int(id)};
    store_rows *rows;
    limes_rc rc = store_query(tx, "SELECT state, subject_kind, crossing_point, opened_ms FROM"
                                  " protect_cases WHERE id = $1", p, 1, &rows, err);
    if (rc)
        return rc;
    int have = store_rows_next(rows, err);
    if (have == 1) {
        snprintf(cs->state, sizeof cs->state, "%s", store_col_text(rows, 0));
        snprintf(cs->kind, sizeof cs->kind, "%s", store_col_text(rows, 1));
        snprintf(cs->point, sizeof cs->point, "%s", store_col_text(rows, 2));
        cs->opened_ms = store_col_int(rows, 3);
    }
    store_rows_close(rows);
    if (have < 0)
        return err ? err->rc : LIMES_STORE;
    if (have == 0)
        return limes_fail(err, LIMES_NOT_FOUND, "id", "no case %lld", (long long)id);
    return store_query_int(tx, "SELECT MAX(at_ms) FROM protect_case_steps WHERE case_id = $1", p,
                           1, &cs->last_step_ms, err);
}

static limes_rc update_case(store_tx *tx, int64_t id, const struct case_state *cs,
                            const struct step_in *st, int ack_hours, int reflection_days,
                            limes_error *err)
{
    bool referred = strcmp(st->step, "referred") == 0;
    bool acked = strcmp(st->step, "acknowledged") == 0;
    bool closed = strcmp(st->step, "closed") == 0;
    store_val p[] = {sv_text(st->step), sv_int(st->at_ms), sv_int(id), sv_text(cs->state),
                     referred ? sv_int(st->partner_id) : sv_null(),
                     referred ? sv_int(st->at_ms + ack_hours * MS_PER_HOUR) : sv_null(),
                     referred ? sv_int(st->at_ms + reflection_days * MS_PER_DAY) : sv_null(),
                     sv_int(acked), sv_text(closed ? st->outcome : NULL), sv_int(closed)};
    int64_t changed = 0;
    limes_rc rc = store_exec_changes(
        tx,
        "UPDATE protect_cases SET state = $1, updated_ms = $2,"
        " partner_id = COALESCE($5, partner_id),"
        " referred_ms = CASE WHEN $5 IS NULL THEN referred_ms ELSE $2 END,"
        " ack_due_ms = COALESCE($6, ack_due_ms),"
        " reflection_end_ms = COALESCE($7, reflection_end_ms),"
        " acknowledged_ms = CASE WHEN $8 = 1 THEN $2 ELSE acknowledged_ms END,"
        " outcome = COALESCE($9, outcome),"
        " closed_ms = CASE WHEN $10 = 1 THEN $2 ELSE closed_ms END"
        " WHERE id = $3 AND state = $4",
        p, 10, &changed, err);
    if (!rc && changed != 1)
        rc = limes_fail(err, LIMES_CONFLICT, "step", "the case changed meanwhile; try again");
    return rc;
}

static limes_rc insert_step(store_tx *tx, int64_t id, const struct case_state *cs,
                            const struct step_in *st, const limes_protect_actor *who,
                            limes_error *err)
{
    char month[8];
    protect_month(st->at_ms, month);
    json_t *none = json_array();
    char *reasons = json_dumps(st->reason_codes ? st->reason_codes : none, JSON_COMPACT);
    json_decref(none);
    if (!reasons)
        return limes_fail(err, LIMES_NOMEM, "", "out of memory");
    store_val p[] = {sv_int(id), sv_text(st->step), sv_text(cs->state), sv_int(st->at_ms),
                     sv_text(month), sv_text(cs->point),
                     sv_text(who->username ? who->username : ""),
                     sv_text(limes_role_name(who->role)),
                     st->partner_id ? sv_int(st->partner_id) : sv_null(), sv_text(reasons),
                     st->consent_given ? sv_int(st->consent) : sv_null(),
                     sv_text(st->outcome ? st->outcome : ""), sv_text(st->note ? st->note : "")};
    limes_rc rc = store_exec(tx, "INSERT INTO protect_case_steps (case_id, step, from_state, at_ms,"
                                 " month, crossing_point, actor, actor_role, partner_id,"
                                 " reason_codes_json, consent, outcome, note) VALUES ($1, $2, $3,"
                                 " $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)", p, 13, err);
    free(reasons);
    return rc;
}

static limes_rc step_in_tx(store_tx *tx, int64_t id, const limes_protect_actor *who,
                           const json_t *wf, const struct step_in *st, int ack_hours,
                           int reflection_days, int64_t now_ms, json_t **allowed,
                           limes_error *err)
{
    struct case_state cs;
    limes_rc rc = load_state(tx, id, &cs, err);
    if (rc)
        return rc;
    json_t *next = protect_allowed_steps(wf, cs.state, cs.kind);
    if (!pj_array_has(next, st->step)) {
        char list[200];
        pj_join_codes(next, list, sizeof list);
        rc = limes_fail(err, LIMES_CONFLICT, "step",
                        "step '%s' is not allowed in state '%s' of this %s case; allowed next: %s",
                        st->step, cs.state, cs.kind, list[0] ? list : "none (closed)");
        if (allowed)
            *allowed = json_incref(next);
        json_decref(next);
        return rc;
    }
    json_decref(next);
    if (st->at_ms < cs.opened_ms || st->at_ms < cs.last_step_ms)
        return limes_fail(err, LIMES_INVALID, "at_ms",
                          "a step cannot precede the case opening or the previous step");
    rc = check_requirements(tx, wf, st, err);
    if (!rc)
        rc = update_case(tx, id, &cs, st, ack_hours, reflection_days, err);
    if (!rc)
        rc = insert_step(tx, id, &cs, st, who, err);
    if (!rc && who->role == LIMES_ROLE_SECOND_LINE && who->username)
        rc = assign_in(tx, id, who->username, now_ms, err);
    return rc;
}

limes_rc limes_case_step(limes_store *s, int64_t id, const limes_protect_actor *who,
                         const json_t *in, int64_t now_ms, json_t **out, json_t **allowed,
                         limes_error *err)
{
    if (allowed)
        *allowed = NULL;
    json_t *wf;
    limes_rc rc = limes_protect_workflow(&wf, err);
    if (rc)
        return rc;
    struct step_in st = {0};
    int ack_hours = 48, reflection_days = 30;
    rc = read_step(in, wf, now_ms, &st, err);
    if (!rc)
        rc = limes_protect_config_get(s, &ack_hours, &reflection_days, err);
    store_tx *tx = NULL;
    if (!rc)
        rc = store_begin(s, true, &tx, err);
    if (!rc) {
        rc = step_in_tx(tx, id, who, wf, &st, ack_hours, reflection_days, now_ms, allowed, err);
        rc = rc ? (store_rollback(tx), rc) : store_commit(tx, err);
    }
    json_decref(wf);
    return rc ? rc : limes_case_get(s, id, now_ms, out, err);
}
