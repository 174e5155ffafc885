/*
 * translit.h - the ICAO transliteration tables (Latin, Cyrillic, Arabic and
 * the Arabic reverse table), read once from the embedded data files
 * src/mrz/translit-*.tsv.  Entries are static after loading; nothing is
 * handed to callers to free.
 */
#ifndef LIMES_MRZ_TRANSLIT_H
#define LIMES_MRZ_TRANSLIT_H

#include <stdbool.h>
#include <stdint.h>

enum translit_script { TRANSLIT_LATIN, TRANSLIT_CYRILLIC, TRANSLIT_ARABIC };

struct translit_entry {
    int32_t cp;             /* Unicode code point */
    enum translit_script script;
    char value[8];          /* MRZ value; "" = not written; "*" = shadda */
    char alt[8];            /* Latin: the issuer's other choice; "" if none */
    char end_value[8];      /* Arabic: value at the end of a name component */
    char exceptions[64];    /* Cyrillic: "bel=H srp=H ukr^=YA" */
};

/* Entry for a code point, NULL if no table lists it.  Thread-safe. */
const struct translit_entry *translit_find(int32_t cp);
/* Arabic code point for an MRZ token ("XKH"), 0 if none.  Thread-safe. */
int32_t translit_reverse(const char *token, size_t len);

#endif
