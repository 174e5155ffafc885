/*
 * mrz.c - fuzz target for the MRZ module.  The first byte chooses what the
 * rest feeds: the zone parser (and its JSON), the Unicode name writer, the
 * Arabic reverse reader, the matching fold or the name fitter.  A zone read as valid must
 * survive a round trip: written again from its fields by limes_mrz_make()
 * and read back, it is still valid with the same number and dates.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "limes/mrz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(const limes_mrz_doc *d)
{
    char sex[2] = {d->sex == 'X' ? '<' : d->sex, '\0'};
    limes_mrz_fields f = {
        .format = d->format, .document_code = d->document_code,
        .issuing_state = d->issuing_state, .primary_identifier = d->primary_identifier,
        .secondary_identifier = d->secondary_identifier, .document_number = d->document_number,
        .nationality = d->nationality, .birth_date = d->birth_date_raw, .sex = sex,
        .expiry_date = d->expiry_date_raw, .optional_data = d->optional_data,
        .optional_data_2 = d->optional_data_2};
    char *zone = NULL;
    if (limes_mrz_make(&f, &zone, NULL) != LIMES_OK)
        return; /* e.g. an optional field too full to hold a long number's rest */
    limes_mrz_doc *back = malloc(sizeof *back);
    if (!back || limes_mrz_parse(zone, strlen(zone), 20000, back, NULL) != LIMES_OK ||
        !back->valid || strcmp(back->document_number, d->document_number) != 0 ||
        strcmp(back->birth_date_raw, d->birth_date_raw) != 0 ||
        strcmp(back->expiry_date_raw, d->expiry_date_raw) != 0)
        abort();
    free(back);
    free(zone);
}

static void fuzz_parse(const char *text, size_t len)
{
    limes_mrz_doc *d = malloc(sizeof *d);
    if (!d)
        return;
    if (limes_mrz_parse(text, len, 20000, d, NULL) == LIMES_OK) {
        json_t *o = limes_mrz_to_json(d);
        if (!o)
            abort();
        char *s = json_dumps(o, JSON_COMPACT);
        if (!s)
            abort();
        free(s);
        json_decref(o);
        if (d->valid)
            round_trip(d);
    }
    free(d);
}

static void fuzz_names(int mode, const char *text)
{
    char *out = NULL;
    bool truncated;
    limes_mrz_name_options opts = {.lang = mode & 4 ? "ukr" : NULL, .split_abd = mode & 8};
    limes_rc rc;
    if ((mode & 3) == 1)
        rc = limes_mrz_name_from_unicode(text, &opts, &out, NULL);
    else if ((mode & 3) == 2 && (mode & 16))
        rc = limes_mrz_name_fold(text, &out, NULL);
    else if ((mode & 3) == 2)
        rc = limes_mrz_name_to_arabic(text, mode & 4, &out, NULL);
    else
        rc = limes_mrz_name_fit(text, (size_t)(mode >> 2) + 4, &out, &truncated, NULL);
    if (rc == LIMES_OK && !out)
        abort();
    if (rc == LIMES_OK && (mode & 3) == 0 && strlen(out) != (size_t)(mode >> 2) + 4)
        abort(); /* a fitted name fills its field exactly */
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > 4096)
        return 0;
    int mode = data[0];
    if ((mode & 3) == 0 && mode < 128) {
        fuzz_parse((const char *)data + 1, size - 1);
        return 0;
    }
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    fuzz_names(mode, text);
    free(text);
    return 0;
}
