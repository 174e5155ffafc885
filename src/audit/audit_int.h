/*
 * audit_int.h - the audit trail inside the library: an entry appended in
 * a transaction the caller already holds, so that the entry and the
 * records it is about commit together, once (src/border/checks.c: the
 * first-line check and its request's entry).
 *
 * Memory: as limes_audit_append (the entry's strings are borrowed).
 */
#ifndef LIMES_AUDIT_INT_H
#define LIMES_AUDIT_INT_H

#include "limes/audit.h"
#include "store/store.h"

/* Append e after the trail's head within tx, a write transaction: write
 * transactions run one at a time on both backends (SQLite: BEGIN
 * IMMEDIATE; PostgreSQL: an advisory lock, src/store/pg.c), so no other
 * append comes between.  If tx rolls back, the entry goes with it; it is
 * durable when tx's commit is. */
limes_rc audit_append_in(store_tx *tx, const limes_audit_entry *e, limes_error *err);

#endif
