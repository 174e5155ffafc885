/*
 * limes/mrz.h - machine-readable zones of travel documents (ICAO Doc 9303,
 * 8th edition): reading and validating TD1, TD2, TD3, MRV-A and MRV-B,
 * the ISO 3166-1 + ICAO code list, writing MRZ names from Unicode names
 * (Part 3 section 6) and back, and generating complete MRZs.
 *
 * Reading never changes the data: what the zone says is reported as it is,
 * every defect is a problem with a stable code, a field and a position,
 * and OCR look-alike corrections that the check digits confirm are only
 * proposed (problem code "ocr-suggestion" with the corrected value).
 *
 * Memory: limes_mrz_doc is a plain value that the caller owns; it holds no
 * pointers and needs no cleanup.  limes_mrz_to_json() returns a new jansson
 * reference that the caller releases with json_decref().  Functions that
 * return `char *` hand the caller a malloc'd string to free().  Country
 * records from limes_country_find() are static and never freed.
 */
#ifndef LIMES_MRZ_H
#define LIMES_MRZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "limes/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Inputs longer than this are refused with LIMES_TOO_LARGE. */
#define LIMES_MRZ_MAX_INPUT 1024
/* At most this many problems are kept; the last says when more were cut. */
#define LIMES_MRZ_MAX_PROBLEMS 24
/* Pass as reference day to mean "today (UTC)". */
#define LIMES_MRZ_TODAY INT32_MIN

typedef enum limes_mrz_format {
    LIMES_MRZ_UNKNOWN = 0, /* shape not recognised: see problems */
    LIMES_MRZ_TD1,         /* 3 x 30, ID cards */
    LIMES_MRZ_TD2,         /* 2 x 36 */
    LIMES_MRZ_TD3,         /* 2 x 44, passports */
    LIMES_MRZ_MRVA,        /* 2 x 44 visa */
    LIMES_MRZ_MRVB,        /* 2 x 36 visa */
} limes_mrz_format;

/* One check digit: not present in this format, verified, or failed. */
typedef enum limes_mrz_check {
    LIMES_MRZ_CHECK_ABSENT = 0,
    LIMES_MRZ_CHECK_OK,
    LIMES_MRZ_CHECK_BAD,
} limes_mrz_check;

/* Which way a long document number's check digit verified (TD1 note j). */
typedef enum limes_mrz_long_number {
    LIMES_MRZ_NUMBER_SHORT = 0,       /* ordinary 9-character field */
    LIMES_MRZ_NUMBER_LONG_ICAO,       /* check over the number without the filler */
    LIMES_MRZ_NUMBER_LONG_WITH_FILLER /* check over number incl. the '<' (Belgium) */
} limes_mrz_long_number;

typedef enum limes_mrz_severity {
    LIMES_MRZ_ERROR = 0, /* makes the document invalid */
    LIMES_MRZ_WARNING,   /* worth telling (expired, possibly truncated name) */
} limes_mrz_severity;

/*
 * A problem.  `code` is stable and machine-readable: bad-line-count,
 * bad-line-length, bad-character, lower-case, crlf, whitespace, nul-byte,
 * bad-document-code, unknown-code, bad-date, bad-sex, check-digit,
 * composite-check, missing-check-digit, ocr-suggestion, ocr-ambiguous, ocr-consistent,
 * expired, dates-inconsistent, national-format, single-line,
 * name-truncated, empty-name, too-many-problems.  Line and column are
 * 1-based; 0 means the whole document or line.
 */
typedef struct limes_mrz_problem {
    char code[24];
    char field[24];          /* JSON field name, "" for the whole zone */
    int line, column;
    limes_mrz_severity severity;
    char suggestion[48];     /* ocr-suggestion: the corrected field value */
    char message[160];
} limes_mrz_problem;

/* A calendar date as precise as the zone: unknown parts are 0. */
typedef struct limes_mrz_date {
    int year, month, day;
} limes_mrz_date;

typedef struct limes_mrz_checks {
    limes_mrz_check document_number, birth_date, expiry_date;
    limes_mrz_check personal_number; /* TD3 only */
    limes_mrz_check composite;       /* TD1, TD2, TD3 */
} limes_mrz_checks;

/*
 * A parsed zone.  Strings are NUL-terminated; names have fillers turned into
 * spaces; "" when absent.  Dates: `birth_date` / `expiry_date` are ISO
 * "YYYY-MM-DD" with unknown parts written as '?' ("1974-08-??",
 * "????-??-??"), "" when the field is malformed (then JSON null); the raw
 * six MRZ characters are in *_raw.
 */
typedef struct limes_mrz_doc {
    limes_mrz_format format;
    char document_code[3];
    char issuing_state[4];           /* "D" for Germany ("D<<" in the zone) */
    char primary_identifier[40];
    char secondary_identifier[40];
    char document_number[24];        /* long numbers joined, without filler */
    limes_mrz_long_number number_kind;
    char nationality[4];
    char birth_date[11], birth_date_raw[7];
    char expiry_date[11], expiry_date_raw[7];
    limes_mrz_date birth, expiry;    /* numeric form, parts 0 when unknown */
    char sex;                        /* 'F', 'M' or 'X' (MRZ '<', unspecified) */
    char optional_data[24];          /* TD3: personal number; trailing fillers cut */
    char optional_data_2[16];        /* TD1 line 2 only */
    limes_mrz_checks checks;
    bool name_truncated;             /* last name position alphabetic */
    bool valid;                      /* no problem of severity error */
    int nlines;
    char lines[3][45];               /* the zone as read (after CR/space trimming) */
    size_t nproblems;
    limes_mrz_problem problems[LIMES_MRZ_MAX_PROBLEMS];
} limes_mrz_doc;

/*
 * Read and validate one zone: 2 or 3 lines separated by '\n' ("\r\n" is
 * accepted with a warning), or the lines run together on one line.
 * `reference_day` (days since 1970-01-01, or LIMES_MRZ_TODAY) resolves the
 * two-digit years: a birth date lies on or before it, an expiry date within
 * 70 years before to 30 years after it.
 *
 * Returns LIMES_OK whenever *out describes the input (even when it is
 * invalid: look at out->valid and out->problems); LIMES_TOO_LARGE when len
 * exceeds LIMES_MRZ_MAX_INPUT; LIMES_BAD_MRZ when the input holds no text.
 * Never reads beyond text[len - 1]; text need not be NUL-terminated.
 */
limes_rc limes_mrz_parse(const char *text, size_t len, int32_t reference_day,
                         limes_mrz_doc *out, limes_error *err);

/* "YYYY-MM-DD" -> days since 1970-01-01; LIMES_INVALID (field "on") if not a date. */
limes_rc limes_mrz_day_from_iso(const char *iso, int32_t *day, limes_error *err);

/*
 * The JSON object of a parsed zone with the fields format, document_code,
 * issuing_state, primary_identifier, secondary_identifier, document_number,
 * nationality, birth_date, birth_date_raw, expiry_date, expiry_date_raw, sex,
 * optional_data, optional_data_2 (TD1 only, else null), checks {name: bool},
 * valid, problems [{code, field, line, column, message, severity
 * [, suggestion]}], plus document_number_check ("short", "icao",
 * "with-filler").  New reference (json_decref), NULL only when out of memory.
 */
json_t *limes_mrz_to_json(const limes_mrz_doc *doc);

/* "TD1", "TD2", "TD3", "MRVA", "MRVB" or NULL for LIMES_MRZ_UNKNOWN. */
const char *limes_mrz_format_name(limes_mrz_format f);

/* ICAO 7-3-1 check digit ('0'..'9') of s[0..len); -1 if a character is outside A-Z 0-9 <. */
int limes_mrz_check_digit(const char *s, size_t len);

/* ---- codes: ISO 3166-1 alpha-3 (Debian iso-codes) + ICAO Part 3 section 5 ---- */

typedef struct limes_country {
    const char *code;    /* "DEU", "D", "UTO", "XXA" */
    const char *name_en; /* never NULL */
    const char *name_ar; /* iso-codes' translation (ICAO-only codes: the project's,
                            from src/mrz/icao-codes.tsv); NULL if none */
    const char *name_fr; /* likewise */
    bool icao_only;      /* from Doc 9303 Part 3 section 5, not ISO 3166-1 */
} limes_country;

/*
 * Look up an issuing-state or nationality code: 1 to 3 letters, MRZ fillers
 * allowed at the end ("D<<" finds "D").  NULL when unknown (e.g. "YTO").
 * The record is static.
 */
const limes_country *limes_country_find(const char *code, size_t len);
/* Number of known codes and the i-th (in code order), for listing. */
size_t limes_country_count(void);
const limes_country *limes_country_at(size_t i);

/* ---- names: Unicode <-> MRZ name field (Part 3 section 6, Appendix B) ---- */

typedef struct limes_mrz_name_options {
    const char *lang;     /* ISO 639-2/3 language hint for Cyrillic: "ukr", "bel",
                             "srp", "mkd", "bul", "rus"; NULL = table default */
    bool split_abd;       /* Arabic: write one-word "abd al-..." as EBD<AL...
                             (ICAO Appendix B); false keeps EBDAL... joined */
    bool second_choice;   /* Latin: take the second table value where ICAO
                             lists two (Ä -> A instead of AE) */
} limes_mrz_name_options;

/*
 * Transliterate one name (or "PRIMARY, SECONDARY": the first comma separates
 * the identifiers) into MRZ name characters, without padding or truncation:
 * "ERIKSSON<<ANNA<MARIA".  NFKC first (ICU), then upper case, then the
 * tables.  Characters that no table covers fall back to their NFD base
 * letter when that is A-Z, else LIMES_UNSUPPORTED naming the character.
 * opts may be NULL.  *out is malloc'd (caller frees).
 */
limes_rc limes_mrz_name_from_unicode(const char *utf8, const limes_mrz_name_options *opts,
                                     char **out, limes_error *err);

/* Same with the two identifiers given separately (secondary may be NULL or ""). */
limes_rc limes_mrz_name_from_parts(const char *primary, const char *secondary,
                                   const limes_mrz_name_options *opts, char **out,
                                   limes_error *err);

/*
 * Fit an MRZ name ("PRIMARY<<SECONDARY") into a field of `width` characters
 * per Part 3 section 4.6: pad with '<', or truncate (secondary components
 * first, then primary, keeping '<<' and at least one secondary letter).
 * *out is malloc'd, exactly width characters; *truncated tells whether it
 * had to shorten.
 */
limes_rc limes_mrz_name_fit(const char *mrz_name, size_t width, char **out, bool *truncated,
                            limes_error *err);

/*
 * MRZ Arabic transliteration back to Arabic script (Appendix B.6, greedy
 * over the prefix-free token code; a doubled token becomes letter+shadda
 * when `shadda` is true).  '<' becomes a space.  LIMES_INVALID when the
 * text is not a well-formed token sequence (e.g. "XQ").  *out malloc'd.
 */
limes_rc limes_mrz_name_to_arabic(const char *mrz, bool shadda, char **out, limes_error *err);

/*
 * Fold an MRZ name for matching (not for writing): in names that read as
 * Arabic transliteration, the spellings Appendix B says a match must
 * tolerate become one: teh marbuta XTA/XAH -> XAH, a doubled letter (shadda)
 * -> single, Persian XYA and alef maksura XAY -> Y, Persian XKK -> K, and the
 * hamza/madda/wasla alef forms XAE, XAA, I, XXA -> A.  A name that is not a
 * token sequence (it has C, O or a stray X) is returned unchanged; a Latin
 * name that happens to parse (ANNA -> ANA) is folded too, harmless when both
 * sides of a comparison are folded.  Fillers are kept.  *out malloc'd.
 */
limes_rc limes_mrz_name_fold(const char *mrz, char **out, limes_error *err);

/* ---- generating a zone from fields ---- */

/*
 * Fields of a document to write.  Strings are plain (dates "YYYY-MM-DD" or
 * six MRZ characters "7408<<"); names are MRZ names already ("ERIKSSON",
 * "ANNA<MARIA" or with spaces) or Unicode (transliterated with name_opts).
 */
typedef struct limes_mrz_fields {
    limes_mrz_format format;
    const char *document_code;    /* "P", "I", "ID", "V"... */
    const char *issuing_state;
    const char *primary_identifier;
    const char *secondary_identifier;
    const char *document_number;  /* longer than 9 => TD1/TD2/MRV long form */
    const char *nationality;
    const char *birth_date;
    const char *sex;              /* "F", "M", "X" or "<" */
    const char *expiry_date;
    const char *optional_data;    /* TD3 personal number, else optional data */
    const char *optional_data_2;  /* TD1 only */
    limes_mrz_name_options name_opts;
} limes_mrz_fields;

/*
 * Write a complete zone with all check digits: lines joined by '\n', no
 * final newline.  *out is malloc'd.  LIMES_INVALID naming the field when a
 * value does not fit or is not writable.
 */
limes_rc limes_mrz_make(const limes_mrz_fields *f, char **out, limes_error *err);
/* The same from a JSON object with the JSON names of limes_mrz_to_json(). */
limes_rc limes_mrz_make_json(const json_t *fields, char **out, limes_error *err);

#ifdef __cplusplus
}
#endif
#endif
