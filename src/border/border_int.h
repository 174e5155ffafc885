/*
 * border_int.h - pieces shared by the files of the border module: CSV
 * lines of the code tables, and the store look-ups every record needs
 * (crossing point by code, traveller by document).
 */
#ifndef LIMES_BORDER_INT_H
#define LIMES_BORDER_INT_H

#include "limes/border.h"
#include "store/store.h"

#define BORDER_FUTURE_SLACK_MS (5 * 60 * 1000) /* clocks of terminals drift */

/* Split a CSV line in place ("..." quoting, "" for a quote); returns columns. */
int border_csv_split(char *line, char **cols, int max);

/* Id of the crossing point `code`; LIMES_INVALID (field) if unknown. */
limes_rc border_bcp_id(store_tx *tx, const char *code, const char *field, int64_t *id,
                       limes_error *err);

/* The crossing points already looked up in one batch (a transaction): a
 * batch names a few of them, and a look-up per row was a round trip per
 * row on PostgreSQL. */
#define BORDER_BCP_MEMO 16
struct border_bcp_memo {
    char code[BORDER_BCP_MEMO][20];
    int64_t id[BORDER_BCP_MEMO];
    int next; /* slot replaced next when all are taken */
};
/* border_bcp_id() remembering its answers in *m (may be NULL). */
limes_rc border_bcp_memo(store_tx *tx, const char *code, struct border_bcp_memo *m, int64_t *id,
                         limes_error *err);

/*
 * The traveller for a crossing or refusal: traveller_id if given (must
 * exist), else the holder of the document, else a new traveller; the
 * document is attached when new.  *doc_id is 0 when no document was given
 * with a traveller_id.  *created (may be NULL) tells whether the traveller
 * is new.
 */
limes_rc border_traveller_resolve(store_tx *tx, int64_t traveller_id, const limes_person *p,
                                  const limes_document_ref *doc, int32_t day, int64_t now_ms,
                                  int64_t *out_id, int64_t *doc_id, bool *created,
                                  limes_error *err);

/* Validation of a document reference and of a person (LIMES_INVALID naming the field). */
limes_rc border_doc_valid(const limes_document_ref *d, limes_error *err);
limes_rc border_person_valid(const limes_person *p, limes_error *err);
/* The search keys stored with a traveller: name fold and name skeletons. */
void border_traveller_keys(const limes_person *p, char key[512], char skel[256]);

/* Check "at" against now: 0 = now; future beyond slack refused. */
limes_rc border_time(int64_t at_ms, int64_t now_ms, int64_t *out_ms, int32_t *day,
                     limes_error *err);

/* Name of the refusal code table in use (recorded with each refusal). */
const char *border_refusal_table_name(void);
/* True if (kind, fraud_type) is a line of the detection table. */
bool border_detection_known(const char *kind, const char *fraud_type);

/* limes_traveller_stay() inside the caller's transaction. */
limes_rc border_traveller_stay_tx(store_tx *tx, int64_t id, int32_t on, json_t **out,
                                  limes_error *err);
/* Record one crossing / refusal inside an open write transaction. */
limes_rc border_crossing_record_tx(store_tx *tx, const limes_crossing_in *in, int64_t now_ms,
                                   limes_crossing_out *out, limes_error *err);
limes_rc border_refusal_record_tx(store_tx *tx, const limes_refusal_in *in, int64_t now_ms,
                                  int64_t *id, int64_t *traveller_out, limes_error *err);

/*
 * Bulk recording (bulk.c): the rules of crossings.c with one bulk load per
 * table per chunk.  Possible when every row names its document and no
 * traveller_id, and the batch is worth it.
 */
bool border_bulk_possible(const limes_crossing_in *in, size_t n);
limes_rc border_crossings_bulk_tx(store_tx *tx, const limes_crossing_in *in, size_t n,
                                  int64_t now, limes_crossing_out *out, limes_error *err);

/* Upper-case A-Z letters and single spaces, accents dropped: the name search key. */
void border_name_key(const char *in, char *out, size_t n);

#endif
