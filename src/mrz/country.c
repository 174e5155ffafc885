/*
 * country.c - lookup in the issuing-state / nationality code table that
 * gen_countries.py builds from Debian iso-codes plus ICAO's own codes.
 */
#include <stdlib.h>
#include <string.h>

#include "mrz/mrz_int.h"

static int compare_code(const void *key, const void *entry)
{
    return strcmp((const char *)key, ((const limes_country *)entry)->code);
}

const limes_country *limes_country_find(const char *code, size_t len)
{
    char key[4];
    size_t n = 0;
    if (!code)
        return NULL;
    while (n < len && n < 3 && code[n] >= 'A' && code[n] <= 'Z')
        n++;
    if (n == 0)
        return NULL;
    for (size_t i = n; i < len; i++) /* only trailing fillers may follow ("D<<") */
        if (code[i] != '<' || i >= 3)
            return NULL;
    memcpy(key, code, n);
    key[n] = '\0';
    return bsearch(key, mrz_countries, mrz_countries_count, sizeof mrz_countries[0],
                   compare_code);
}

size_t limes_country_count(void) { return mrz_countries_count; }

const limes_country *limes_country_at(size_t i)
{
    return i < mrz_countries_count ? &mrz_countries[i] : NULL;
}
