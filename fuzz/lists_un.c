/*
 * lists_un.c - fuzz target for the UN consolidated list importer (libxml2
 * underneath): any bytes must give either a clean error or a watch set
 * whose entries survive the stored form.
 */
#include <stdint.h>

#include "lists_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    limes_watch_set *set = NULL;
    limes_import_report rep = {0};
    limes_error err = {0};
    if (limes_import_un_xml((const char *)data, size, NULL, &set, &rep, &err) == LIMES_OK) {
        check_round_trip(set);
        limes_watch_set_free(set);
    } else if (set || !err.message[0]) {
        abort(); /* a failure hands out nothing and says why */
    }
    return 0;
}
