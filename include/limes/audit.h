/*
 * limes/audit.h - the tamper-evident audit trail.
 *
 * Every access to personal data leaves an entry: who, with which role,
 * when, what action (route), the stated purpose, which records, and the
 * outcome.  Entries are append-only and hash-chained: each entry's SHA-256
 * covers its fields and the previous entry's hash, and a head row keeps the
 * newest hash, so limes_audit_verify() finds any edited, inserted or deleted
 * entry.
 *
 * Memory: limes_audit_entry only borrows its strings for the call.  JSON
 * results are new references the caller must json_decref().
 */
#ifndef LIMES_AUDIT_H
#define LIMES_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "limes/error.h"
#include "limes/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct limes_audit_entry {
    const char *request_id; /* may be NULL */
    const char *actor;      /* username, or "" when unauthenticated; "cli:<user>" for CLI */
    const char *role;
    const char *action;     /* e.g. "GET /v1/travellers/{id}" or "cli purge" */
    const char *purpose;    /* stated purpose, may be NULL */
    const char *const *records; /* "type:id" strings */
    size_t nrecords;
    const char *outcome;    /* "ok", "denied", "error", or an HTTP status */
    const char *detail;     /* free text, may be NULL */
} limes_audit_entry;

limes_rc limes_audit_append(limes_store *s, const limes_audit_entry *e, limes_error *err);

typedef struct limes_audit_report {
    int64_t entries;      /* entries checked */
    int64_t first_bad;    /* sequence number of the first bad entry, 0 if none */
    char problem[256];    /* what is wrong, "" if the chain holds */
} limes_audit_report;

/* LIMES_OK if the chain holds, LIMES_TAMPERED (report filled) if not. */
limes_rc limes_audit_verify(limes_store *s, limes_audit_report *report, limes_error *err);

typedef struct limes_audit_filter {
    const char *actor;  /* NULL = any */
    const char *record; /* NULL = any */
    int64_t from_ms, to_ms; /* 0 = open */
    int64_t before_seq; /* 0 = newest; for paging */
    int limit;          /* default 100, at most 1000 */
} limes_audit_filter;

limes_rc limes_audit_query(limes_store *s, const limes_audit_filter *f, json_t **out,
                           limes_error *err);

#ifdef __cplusplus
}
#endif
#endif
