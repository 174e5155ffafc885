/*
 * limes/border.h - the border records: crossing points, travellers and
 * their documents, crossings matched into stays, refusals with reason
 * codes, detections, the stay situation, overstayers, and retention.
 *
 * A traveller is found by a document (issuing state + number); a new
 * document is attached to a known traveller by giving traveller_id.
 * An entry opens a stay, the next exit closes it.  Anomalies never vanish
 * silently: an exit without an open stay, a second entry while a stay is
 * open, or a crossing dated before the traveller's latest stay is recorded
 * with its `anomaly` set ("exit-without-entry", "entry-without-exit",
 * "out-of-order"); a crossing dated in the future, an unknown crossing
 * point or an unknown refusal code is refused with LIMES_INVALID naming the
 * field.  A stay left open by a second entry is closed and counts only its
 * entry day (in the traveller's favour) until an officer corrects it.
 *
 * Code tables (refusal reasons: Schengen Borders Code Annex V Part B A-I;
 * detection kinds and fraud types) are data files compiled in
 * (src/border/refusal_codes.csv, detection_codes.csv); a partner loads its own at start-up.
 *
 * Memory: inputs are borrowed for the call.  Functions returning json_t
 * hand the caller a new reference to json_decref().
 */
#ifndef LIMES_BORDER_H
#define LIMES_BORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "limes/error.h"
#include "limes/stay.h"
#include "limes/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- border crossing points ------------------------------------------- */
typedef struct limes_bcp {
    const char *code;    /* unique, 2-16 of A-Z 0-9 - _ */
    const char *name_en; /* required */
    const char *name_ar, *name_fr;
    const char *kind;    /* "air", "land" or "sea" */
    const char *country; /* ICAO three-letter code */
} limes_bcp;

limes_rc limes_bcp_add(limes_store *s, const limes_bcp *bcp, int64_t *id, limes_error *err);
/* {id, code, name_en, name_ar, name_fr, kind, country}; NOT_FOUND if none. */
limes_rc limes_bcp_get(limes_store *s, const char *code, json_t **out, limes_error *err);
limes_rc limes_bcp_list(limes_store *s, json_t **out, limes_error *err);
/* The demonstration crossing points (an airport, a land border, a seaport);
 * those already present are left as they are. */
limes_rc limes_bcp_add_demo(limes_store *s, limes_error *err);

/* ---- travellers and crossings ----------------------------------------- */
/* Who crosses, as read from the document.  Strings may be NULL or "". */
typedef struct limes_person {
    const char *surname, *given_names;
    const char *birth_date; /* "YYYY-MM-DD" or "" when unknown */
    const char *sex;        /* "F", "M", "X" or "" */
    const char *nationality;
} limes_person;

typedef struct limes_document_ref {
    const char *doc_type; /* "P", "ID", ... */
    const char *issuer;   /* issuing state, three letters (required) */
    const char *number;   /* required */
    const char *expiry_date;
} limes_document_ref;

typedef struct limes_crossing_in {
    int64_t traveller_id; /* 0: find by document, or create */
    limes_person person;
    limes_document_ref doc;
    const char *bcp_code;  /* required, must exist */
    const char *direction; /* "entry" or "exit" */
    int64_t at_ms;         /* 0 = now; later than now + 5 minutes is refused */
    const char *officer;
    int64_t check_id;      /* 0 if none */
    bool not_counted;      /* under a residence permit or long-stay visa */
    const char *travel_mode, *travel_ref; /* "flight"/"vessel"/"vehicle", "LH1234" */
} limes_crossing_in;

typedef struct limes_crossing_out {
    int64_t id, traveller_id, stay_id;
    char anomaly[32]; /* "" when none */
} limes_crossing_out;

limes_rc limes_crossing_record(limes_store *s, const limes_crossing_in *in,
                               limes_crossing_out *out, limes_error *err);
/*
 * Record n crossings in one durable transaction (all or nothing): on
 * LIMES_OK each is committed and out[i] filled.  For bulk loads.
 */
limes_rc limes_crossings_record_batch(limes_store *s, const limes_crossing_in *in, size_t n,
                                      limes_crossing_out *out, limes_error *err);

/* {id, surname, given_names, birth_date, sex, nationality, documents:[...]} */
limes_rc limes_traveller_get(limes_store *s, int64_t id, json_t **out, limes_error *err);
/*
 * Travellers holding a document number (exact, any issuer) or whose name
 * contains `name` (letters compared without case and accents; at least 2
 * letters).  At most `limit` (1-500).  One of document/name is required.
 */
limes_rc limes_traveller_search(limes_store *s, const char *document, const char *name,
                                int limit, json_t **out, limes_error *err);
/* Attach a document to a known traveller (EXISTS if the document is known). */
limes_rc limes_traveller_add_document(limes_store *s, int64_t traveller_id,
                                      const limes_document_ref *doc, limes_error *err);
/* Crossings, newest first, with the crossing point code. */
limes_rc limes_traveller_crossings(limes_store *s, int64_t id, json_t **out, limes_error *err);

/*
 * The stay situation of a traveller on day `on` under the regime of the
 * traveller's nationality: {traveller_id, on, regime, max_days,
 * window_days, days_used, days_left, latest_exit, overstay_days, present,
 * stays:[{entry, exit, counts, anomaly}]}.
 */
limes_rc limes_traveller_stay(limes_store *s, int64_t id, int32_t on, json_t **out,
                              limes_error *err);
/* Stays without exit whose latest lawful day is before `on`, oldest first. */
limes_rc limes_overstayers(limes_store *s, int32_t on, int limit, json_t **out,
                           limes_error *err);

/* ---- refusals and detections ------------------------------------------ */
typedef struct limes_refusal_in {
    int64_t traveller_id; /* 0: find by document, or create */
    limes_person person;
    limes_document_ref doc;
    const char *bcp_code;
    const char *codes; /* one or more letters of the loaded table: "B,H" or "BH" */
    int64_t at_ms;     /* 0 = now */
    const char *officer, *authority, *note;
    int64_t check_id;
} limes_refusal_in;

limes_rc limes_refusal_record(limes_store *s, const limes_refusal_in *in, int64_t *id,
                              int64_t *traveller_id, limes_error *err);
/* The refusal code table in use: {table, codes:[{code,label_en,label_fr}]}. */
json_t *limes_refusal_codes(void);
/* True if `code` is in the table in use. */
bool limes_refusal_code_known(const char *code);
/* Replace the refusal code table with a CSV file (format of refusal_codes.csv). */
limes_rc limes_refusal_codes_load(const char *path, limes_error *err);

typedef struct limes_detection_in {
    const char *kind;       /* fraudulent_document, facilitator, clandestine, trafficking_victim */
    const char *fraud_type; /* required for fraudulent_document, else empty */
    int64_t traveller_id;   /* 0 if not known */
    int64_t crossing_id, check_id;
    const char *bcp_code;
    int64_t at_ms;
    const char *officer, *nationality, *note;
} limes_detection_in;

limes_rc limes_detection_record(limes_store *s, const limes_detection_in *in, int64_t *id,
                                limes_error *err);
/* {kinds:[{kind, fraud_type, label_en}]} */
json_t *limes_detection_codes(void);

/* ---- the first-line check ----------------------------------------------- */
/*
 * One check at the booth.  The document comes as MRZ text (read and
 * validated by limes/mrz.h) or as fields.  The answer gathers: the
 * document's validity and problems; watchlist hits on the person and the
 * document (limes/screen.h) with their explanations; the stay situation;
 * whether the traveller is a minor on the day (unknown or doubtful age
 * counts as a minor) and whom the minor travels with; and a decision aid,
 * "clear", "attention" or "stop", with every reason.  limes never decides:
 * the officer does, once, with limes_check_decide().
 */
typedef struct limes_check_in {
    const char *mrz;         /* the zone, or NULL to use person + doc */
    limes_person person;
    limes_document_ref doc;
    const char *bcp_code;    /* required */
    const char *direction;   /* "entry" or "exit" */
    const char *travel_mode, *travel_ref;
    const int64_t *companions; /* ids of the checks of people travelling together */
    size_t ncompanions;
    const char *officer;
    int64_t at_ms;           /* 0 = now */
    /* Optional: the audit entry (limes/audit.h) of whoever runs the check,
     * written in the same transaction as the check, so that the two commit
     * together and once.  limes adds "check:ID" and, when the traveller is
     * known, "traveller:ID" to its records, and gives the decision aid as
     * its detail when it has none.  NULL: the caller audits on its own. */
    const struct limes_audit_entry *audit;
} limes_check_in;

/* The answer as JSON: {id, aid, reasons:[{level, code, detail}], document,
 * traveller_id, screening, stay, minor, ...}. */
limes_rc limes_check_run(limes_store *s, const limes_check_in *in, json_t **out,
                         limes_error *err);
/* The same, also giving *text: *out as compact JSON text (UTF-8, keys in
 * the order of *out), written out once for the stored check and the answer
 * both; the caller frees it.  *text is NULL if it could not be made (then
 * serialise *out). */
limes_rc limes_check_run_text(limes_store *s, const limes_check_in *in, json_t **out,
                              char **text, limes_error *err);
/*
 * limes_check_run_text without waiting for the disk, for servers whose
 * threads must not sleep.  The check is read, screened and assessed on the
 * calling thread; its write is queued with the writes of concurrent checks
 * and the call returns.  done(arg, rc, err, out, text) is called once: on
 * the store's writer thread when the check is stored and durable, or on
 * the calling thread, before limes_check_start returns, when the check
 * failed before its write (a bad document, an unknown crossing point).
 * out and text as for limes_check_run_text (NULL when rc != 0), owned by
 * done; err is valid during the call.  *in and everything it points to
 * stay the caller's and must stay valid until done is called.  done must
 * not wait for a store write: it hands the answer on.
 */
typedef void (*limes_check_done)(void *arg, limes_rc rc, const limes_error *err, json_t *out,
                                 char *text);
void limes_check_start(limes_store *s, const limes_check_in *in, limes_check_done done,
                       void *arg);
limes_rc limes_check_get(limes_store *s, int64_t id, json_t **out, limes_error *err);

typedef struct limes_decision_in {
    int64_t check_id;
    const char *decision; /* "admit", "refuse" or "refer" */
    const char *codes;    /* refuse: reason codes ("B,H") */
    const char *reason;   /* refer: why (required) */
    const char *officer;
    bool not_counted;     /* admit: the stay does not count (residence permit) */
} limes_decision_in;

/*
 * Decide a check: admit records the crossing, refuse records the refusal,
 * refer records the referral to second line; all with the officer, the
 * time, the crossing point and the check.  LIMES_CONFLICT if the check was
 * decided already; LIMES_NOT_FOUND if there is no such check.
 * *out: {check_id, decision, crossing_id | refusal_id, traveller_id}.
 */
limes_rc limes_check_decide(limes_store *s, const limes_decision_in *in, json_t **out,
                            limes_error *err);

/* ---- aggregates for risk analysis ---------------------------------------- */
/*
 * Counts for days [from, to]: {from, to, crossings:[{direction, border, n}],
 * anomalies:[{anomaly, n}], refusals_by_reason:[{code, n}],
 * refusals_by_bcp:[{bcp, n}], detections:[{kind, fraud_type, n}],
 * overstays_open}.  No personal data.
 */
limes_rc limes_border_stats(limes_store *s, int32_t from, int32_t to, json_t **out,
                            limes_error *err);

/* ---- retention --------------------------------------------------------- */
/* Defaults from EES Art. 34 (domain.md 3.1). */
typedef struct limes_retention {
    int closed_days;   /* stays with exit, refusals, detections: 3 years after (1096) */
    int overstay_days; /* open stays: 5 years after the latest lawful day (1827) */
} limes_retention;

limes_retention limes_retention_default(void);

typedef struct limes_purge_counts {
    int64_t stays, crossings, refusals, detections, checks, travellers;
    /* Stays without exit that this purge kept but that reach the end of
     * their retention within 90 days (EES warns 3 months ahead). */
    int64_t overstays_due_soon;
} limes_purge_counts;

/*
 * Delete the records past retention on day `today`, and travellers left
 * with nothing; audited (actor, action "purge") in the same run.
 */
limes_rc limes_border_purge(limes_store *s, int32_t today, const limes_retention *r,
                            const char *actor, limes_purge_counts *out, limes_error *err);

#ifdef __cplusplus
}
#endif
#endif
