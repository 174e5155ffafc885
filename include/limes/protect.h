/*
 * limes/protect.h - child protection and victims of trafficking: indicator
 * checklists, assessments with a recommendation, record-derived indicators,
 * the referral-partner directory, cases with their step state machine and
 * deadlines, and statistics without personal data.
 *
 * limes never decides.  Indicators only prompt; the recommendation rules
 * (data/protect/rules.json) say which combinations recommend a second-line
 * interview or a referral, and every recommendation carries its reasons.
 *
 * Data, not code: the indicator sets (data/protect/indicators-*.json), the
 * rules and the case workflow (steps, their order, outcomes, default
 * deadlines) are JSON files compiled in; a partner loads its own indicator
 * set version with limes_protect_set_load() and its own rules with
 * limes_protect_rules_load(), and every assessment records the set name
 * and version and the rules version it used.  Retention:
 * limes_protect_purge() erases personal content, keeping the counts.
 *
 * Case steps (the state machine; workflow.json holds the same table):
 *
 *     open -> referred -> acknowledged -> interview_held
 *          -> guardian_appointed (child cases only) -> placed_in_care
 *     interview_held -> placed_in_care
 *     any state but closed -> closed (with an outcome)
 *
 * An invalid step answers LIMES_CONFLICT and hands back the allowed next
 * steps.  "referred" needs a known referral partner; "closed" an outcome.
 * Deadlines: acknowledgement within N hours of the referral (default 48,
 * limes_protect_config_set()); the recovery and reflection period runs from
 * the referral for at least 30 days (CoE THB Convention Art. 13).
 *
 * Need to know (the access rule, enforced by limes_case_access_for()):
 *   - supervisor: every case, full detail, may assign officers;
 *   - second_line: the cases they are assigned to, and unassigned cases
 *     (the queue, so that someone picks them up); recording a step on an
 *     unassigned case assigns the officer.  A case assigned only to other
 *     officers is neither listed nor readable (LIMES_FORBIDDEN);
 *   - officer (first line): may record assessments (linked only to their
 *     own checks) and open a case from their own check or assessment (the
 *     answer carries the case id, not its content), but not read cases,
 *     nor other officers' assessments;
 *   - assessments (the first line's observations) are read by every
 *     second_line officer and supervisor, to triage the queue;
 *   - analyst, liaison: statistics only (counts, no personal data);
 *   - admin: the referral-partner directory, no case data.
 *
 * Memory: inputs (including json_t inputs) are borrowed for the call.
 * Every json_t handed out is a new reference the caller must json_decref();
 * char * results are malloc'd and freed by the caller.
 */
#ifndef LIMES_PROTECT_H
#define LIMES_PROTECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "limes/auth.h"
#include "limes/error.h"
#include "limes/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Who acts: the user, for audit columns and the need-to-know rule. */
typedef struct limes_protect_actor {
    int64_t user_id; /* 0 for the CLI */
    const char *username;
    limes_role role;
} limes_protect_actor;

/* ---- indicator sets ----------------------------------------------------- */
/*
 * Parse and validate an indicator set (the format of
 * data/protect/indicators-child.json): set name, version, subject ("child"
 * or "adult"), groups A-D, indicators with unique codes, known groups, phase
 * "first_line" or "second_line", texts in en, ar and fr.  On success *out is
 * the parsed set.  LIMES_BAD_JSON / LIMES_INVALID name what is wrong.
 */
limes_rc limes_protect_set_parse(const char *text, size_t len, json_t **out, limes_error *err);
/*
 * Store a partner's version of a set; it becomes the active version of that
 * set name.  Loading the same name and version again with identical content
 * is a no-op; with different content it is LIMES_EXISTS.  *summary (may be
 * NULL) gets {set, version, indicators, changed}.
 */
limes_rc limes_protect_set_load(limes_store *s, const char *text, size_t len, const char *actor,
                                json_t **summary, limes_error *err);
/* The set `name` in `version` (NULL = the active one: latest loaded, else built in). */
limes_rc limes_protect_set_get(limes_store *s, const char *name, const char *version,
                               json_t **out, limes_error *err);
/* [{set, version, subject, indicators, source: "built-in"|"loaded", active}] */
limes_rc limes_protect_set_list(limes_store *s, json_t **out, limes_error *err);

/* The recommendation rules and the workflow as compiled in. */
limes_rc limes_protect_rules(json_t **out, limes_error *err);
limes_rc limes_protect_workflow(json_t **out, limes_error *err);

/*
 * A partner's recommendation rules (the format of data/protect/rules.json):
 * version, and rules each with id, sets (child/adult), recommend
 * (second_line_interview or referral), when {codes, groups, min, flags}
 * and reason {en, ar, fr}.  Flags must be limes's own (the built-in list).
 * Loading stores a new version and makes it active; the same version with
 * other content (or the built-in version) is LIMES_EXISTS.
 */
limes_rc limes_protect_rules_parse(const char *text, size_t len, json_t **out, limes_error *err);
limes_rc limes_protect_rules_load(limes_store *s, const char *text, size_t len,
                                  const char *actor, json_t **summary, limes_error *err);
/* The rules in force: the newest loaded version, else the built-in one. */
limes_rc limes_protect_rules_active(limes_store *s, json_t **out, limes_error *err);

/*
 * Evaluate the built-in rules for set `set` (a parsed set), the observed indicator
 * codes (JSON array of strings) and the context flags (array of strings,
 * may be NULL).  Unknown codes or flags: LIMES_INVALID naming all of them.
 * *out = {recommendation: "none"|"second_line_interview"|"referral",
 *         reasons: [{rule, recommend, matched: [codes or flags], text:{en,ar,fr}}],
 *         rules_version, decided_by_limes: false}.
 */
limes_rc limes_protect_evaluate(const json_t *set, const json_t *codes, const json_t *flags,
                                json_t **out, limes_error *err);
/* The same with the given rules (e.g. from limes_protect_rules_active()). */
limes_rc limes_protect_evaluate_with(const json_t *set, const json_t *rules, const json_t *codes,
                                     const json_t *flags, json_t **out, limes_error *err);

/* ---- indicators derived from records ------------------------------------ */
/* One past crossing as the derivation sees it.  Strings borrowed. */
typedef struct limes_protect_crossing {
    const char *traveller;   /* stable key of the traveller (id as text) */
    bool minor;              /* under 18 (or age unknown) on the day */
    int32_t day;             /* day number */
    const char *bcp;         /* crossing point code */
    const char *direction;   /* "entry" / "exit" */
    const char *travel_ref;  /* flight, vessel or vehicle; "" if unknown */
    const char *booking_agent; /* booking agent or payer; "" if unknown */
} limes_protect_crossing;

typedef struct limes_protect_history {
    const limes_protect_crossing *past; /* crossings of every traveller concerned */
    size_t npast;
    const char *subject;                /* key of the assessed person */
    const char *const *companions;      /* keys of the accompanying adults */
    size_t ncompanions;
    const char *booking_agent;          /* of the current journey, NULL/"" if unknown */
    const char *document_hit;           /* "stolen", "lost", ... on the subject's document, or NULL */
    int32_t today;
    int window_days;                    /* how far back to look (default 365 if 0) */
    int min_minors;                     /* distinct other minors that make a pattern (default 2) */
} limes_protect_history;

/*
 * Indicators limes can know from records: B4 (a companion crossed with at
 * least min_minors minors who were with them only once, spread over two or
 * more journeys; together = same day, point, direction and travel_ref; a
 * family travelling together again and again does not count),
 * D5 (the same booking agent with other minors), C2 (a lost/stolen
 * document hit).  *out = [{code, source: "records", evidence: {...}}].
 */
limes_rc limes_protect_derive(const limes_protect_history *h, json_t **out, limes_error *err);
/*
 * The same, reading past crossings from the border records (crossings,
 * travellers) for traveller `subject_id` and the companions' ids.
 */
limes_rc limes_protect_derive_from_store(limes_store *s, int64_t subject_id,
                                         const int64_t *companion_ids, size_t ncompanions,
                                         const char *document_hit, int32_t today, json_t **out,
                                         limes_error *err);

/* ---- assessments ---------------------------------------------------------- */
/*
 * Record an assessment.  `in` is the JSON of POST /v1/assessments:
 * {set ("child"|"adult"), set_version?, indicators: [codes], flags?: [..],
 *  notes?, check_id?, traveller_id?, companion_traveller_ids?: [..],
 *  document_hit?: "stolen"|"lost"|..., crossing_point?, observed_at_ms?}.
 * Unknown codes: LIMES_INVALID with every unknown code named, nothing stored.
 * With check_id, the first-line check (limes/border.h) must exist
 * (LIMES_UNPROCESSABLE) and, for a first-line officer, be their own
 * (LIMES_FORBIDDEN); it supplies the crossing point, the traveller, the adult
 * companions (for B4), a document hit (C2) and the flags watchlist_protect
 * (a hit whose action is "protect"), unaccompanied and age_doubtful, each
 * noted in "derived" with source "check".
 * *out = the stored assessment with its recommendation and reasons.
 */
limes_rc limes_assessment_create(limes_store *s, const limes_protect_actor *who,
                                 const json_t *in, int64_t now_ms, json_t **out,
                                 limes_error *err);
limes_rc limes_assessment_get(limes_store *s, int64_t id, json_t **out, limes_error *err);
/* Newest first; check_id 0 = any; limit 1-500. */
limes_rc limes_assessment_list(limes_store *s, int64_t check_id, int limit, json_t **out,
                               limes_error *err);

/* ---- referral partners ---------------------------------------------------- */
/*
 * {name, type, country (3 letters), region?, phone?, email?, hours?,
 *  languages?: [..], notes?, active?}.  type is one of child_protection,
 * police_thb_unit, guardianship_authority, iom, ngo.
 */
limes_rc limes_partner_add(limes_store *s, const json_t *in, int64_t now_ms, json_t **out,
                           limes_error *err);
/* Change the given fields only. */
limes_rc limes_partner_update(limes_store *s, int64_t id, const json_t *in, int64_t now_ms,
                              json_t **out, limes_error *err);
limes_rc limes_partner_get(limes_store *s, int64_t id, json_t **out, limes_error *err);
/* Filters may be NULL. */
limes_rc limes_partner_list(limes_store *s, const char *country, const char *region,
                            const char *type, json_t **out, limes_error *err);
/* Load data/protect/referral-partners-demo.json if the directory is empty. */
limes_rc limes_partner_load_demo(limes_store *s, int *added, limes_error *err);

/* ---- cases ---------------------------------------------------------------- */
/*
 * Open a case.  `in`: {assessment_id?, check_id?, subject_kind?: "child"|
 * "adult", subject?: {name, date_of_birth, nationality, sex, age_doubtful,
 * companions: [{name, relationship, relationship_documented,
 * consent_documented}]}, crossing_point?, summary?}.  A check may have one
 * case: a second one is LIMES_EXISTS; a check that does not exist is
 * LIMES_UNPROCESSABLE.  An officer (first line) may only open from a check
 * or an assessment of their own (LIMES_FORBIDDEN otherwise).
 */
limes_rc limes_case_open(limes_store *s, const limes_protect_actor *who, const json_t *in,
                         int64_t now_ms, json_t **out, limes_error *err);
/* The case with steps, assignees, deadlines and overdue steps on `now_ms`. */
limes_rc limes_case_get(limes_store *s, int64_t id, int64_t now_ms, json_t **out,
                        limes_error *err);

typedef struct limes_case_filter {
    const char *state;   /* NULL = any */
    bool overdue_only;
    const limes_protect_actor *visible_to; /* NULL = every case (CLI) */
    int limit;           /* 1-500, default 100 */
} limes_case_filter;

limes_rc limes_case_list(limes_store *s, const limes_case_filter *f, int64_t now_ms,
                         json_t **out, limes_error *err);

/*
 * Record a step: `in` = {step, note?, partner_id? (referred), reason_codes?,
 * consent? (referred), outcome? (closed), at_ms?}.  Out of order:
 * LIMES_CONFLICT, and *allowed (may be NULL) = the allowed next steps.
 * *out = the case after the step.
 */
limes_rc limes_case_step(limes_store *s, int64_t id, const limes_protect_actor *who,
                         const json_t *in, int64_t now_ms, json_t **out, json_t **allowed,
                         limes_error *err);
/* Assign a second_line or supervisor user to the case. */
limes_rc limes_case_assign(limes_store *s, int64_t id, const char *username, int64_t now_ms,
                           limes_error *err);

typedef enum limes_case_access {
    LIMES_CASE_DENIED = 0,
    LIMES_CASE_READ = 1,  /* may read and take (unassigned case) */
    LIMES_CASE_WRITE = 2, /* assigned, or supervisor */
} limes_case_access;

/* The need-to-know rule above for one case; LIMES_NOT_FOUND if no such case. */
limes_rc limes_case_access_for(limes_store *s, int64_t id, const limes_protect_actor *who,
                               limes_case_access *out, limes_error *err);

/* ---- configuration and statistics ---------------------------------------- */
/* Acknowledgement deadline (0-720 hours) and reflection period (30-365 days). */
limes_rc limes_protect_config_set(limes_store *s, int ack_hours, int reflection_days,
                                  limes_error *err);
limes_rc limes_protect_config_get(limes_store *s, int *ack_hours, int *reflection_days,
                                  limes_error *err);

/* ---- retention ------------------------------------------------------------ */
typedef struct limes_protect_purge_counts {
    int64_t cases, steps, assessments; /* records whose personal content was erased */
} limes_protect_purge_counts;

/*
 * Erase the personal content (subject, summary, notes, companions, links to
 * the check and traveller, derived evidence) of cases closed more than
 * `days` ago (30-3650) and of older assessments not tied to a case still
 * open or closed within that time.  Codes, months, points and outcomes stay
 * for the statistics.  Audited as "protect purge" by `actor`.
 */
limes_rc limes_protect_purge(limes_store *s, int64_t now_ms, int days, const char *actor,
                             limes_protect_purge_counts *out, limes_error *err);

/*
 * Counts per crossing point and month ("YYYY-MM"), months from..to
 * inclusive (NULL = open): minors_checked (first-line checks of minors), assessments
 * (child, adult), recommendations, cases opened, referrals, closures by
 * outcome.  No personal data.  *out = {rows: [...], outcomes: [codes]}.
 */
limes_rc limes_protect_stats(limes_store *s, const char *from_month, const char *to_month,
                             json_t **out, limes_error *err);
/* The same rows as CSV with a header line (malloc'd). */
limes_rc limes_protect_stats_csv(const json_t *stats, char **csv, limes_error *err);

#ifdef __cplusplus
}
#endif
#endif
