/*
 * limes/watchlist.h - watchlist entries: the contract between the list
 * importers (src/lists) and the screening engine (src/screen).
 *
 * A watchlist ("UN", "OFAC", "NATIONAL-PERSONS", "NATIONAL-SLTD") holds
 * person entries and document entries.  Importers turn source files into
 * these structs; the lists module stores them (replacing a list
 * atomically) and hands them back; the screening engine indexes them.
 *
 * Memory: an entry owns every string and array it points to (all malloc'd);
 * limes_watch_person_free() / limes_watch_document_free() release one entry,
 * and a limes_watch_set owns its entries.
 */
#ifndef LIMES_WATCHLIST_H
#define LIMES_WATCHLIST_H

#include <stddef.h>
#include <stdint.h>

#include "limes/error.h"
#include "limes/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum limes_name_quality {
    LIMES_NAME_PRIMARY = 0,
    LIMES_NAME_STRONG_ALIAS = 1, /* UN "Good", OFAC a.k.a. */
    LIMES_NAME_WEAK_ALIAS = 2,   /* UN "Low", OFAC weak a.k.a., kunyas */
} limes_name_quality;

typedef struct limes_watch_name {
    char *full;      /* as the source writes it, UTF-8, e.g. "AL-ZAYDI, Shibl Muhsin" */
    char *given;     /* parts where the source separates them, else NULL */
    char *family;
    char script[8];  /* ISO 15924: "Latn", "Arab", "Cyrl", ... ("" = unknown) */
    limes_name_quality quality;
} limes_watch_name;

/*
 * A date of birth as precise as the source: year only, year-month, full
 * date, or a range of years.  Unknown parts are 0.
 */
typedef struct limes_watch_dob {
    int year, month, day;  /* month/day 0 when unknown */
    int year_to;           /* range end ("1960 to 1962"), 0 if not a range */
} limes_watch_dob;

typedef struct limes_watch_doc_ref {
    char *number;     /* as printed */
    char issuer[4];   /* ICAO/ISO alpha-3, "" if unknown */
    char *type;       /* "passport", "national id", ... */
} limes_watch_doc_ref;

typedef struct limes_watch_person {
    int64_t id;          /* store id, 0 before storing */
    char *list;          /* list name */
    char *ref;           /* the source's own reference: "QDi.017", OFAC ent_num, ... */
    char *action;        /* action to take on a hit: "arrest", "discreet_check",
                            "refuse_entry", "protect", "inform_issuer", ... */
    char *remarks;       /* free text from the source, may be NULL */
    limes_watch_name *names;
    size_t nnames;
    limes_watch_dob *dobs;
    size_t ndobs;
    char (*nationalities)[4]; /* alpha-3 codes */
    size_t nnationalities;
    char gender;         /* 'M', 'F' or 0 */
    char *place_of_birth;
    limes_watch_doc_ref *docs;
    size_t ndocs;
    char *version;       /* hash of the entry's content: changes when the source changes it */
} limes_watch_person;

typedef struct limes_watch_document {
    int64_t id;
    char *list;
    char *ref;
    char *number;        /* as reported */
    char issuer[4];
    char *type;          /* "passport", "id card", "visa", ... */
    char *status;        /* "stolen", "lost", "revoked", "blank" */
    char reported[11];   /* ISO date, "" if unknown */
    char *action;
} limes_watch_document;

typedef struct limes_watch_set {
    limes_watch_person *persons;
    size_t npersons;
    limes_watch_document *documents;
    size_t ndocuments;
} limes_watch_set;

void limes_watch_person_free(limes_watch_person *p);   /* frees the contents, not p */
void limes_watch_document_free(limes_watch_document *d);
void limes_watch_set_free(limes_watch_set *set);       /* frees contents and entries */

#ifdef __cplusplus
}
#endif
#endif
