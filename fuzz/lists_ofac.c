/*
 * lists_ofac.c - fuzz target for the OFAC SDN CSV importer.  The input is
 * split at NUL bytes into sdn.csv, alt.csv and add.csv (missing parts are
 * absent files), so the fuzzer reaches the alias join and the Remarks
 * parser (dates, passports, a.k.a.s).
 */
#include <stdint.h>

#include "lists_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *part[3] = {NULL, NULL, NULL};
    size_t len[3] = {0, 0, 0};
    const char *p = (const char *)data, *end = p + size;
    for (int i = 0; i < 3 && p <= end; i++) {
        const char *nul = memchr(p, '\0', (size_t)(end - p));
        part[i] = p;
        len[i] = nul && i < 2 ? (size_t)(nul - p) : (size_t)(end - p);
        if (!nul || i == 2)
            break;
        p = nul + 1;
    }
    limes_watch_set *set = NULL;
    limes_error err = {0};
    if (limes_import_ofac(part[0], len[0], part[1], len[1], part[2], len[2], NULL, &set, NULL,
                          &err) == LIMES_OK) {
        check_round_trip(set);
        limes_watch_set_free(set);
    } else if (set || !err.message[0]) {
        abort();
    }
    return 0;
}
