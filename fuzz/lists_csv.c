/*
 * lists_csv.c - fuzz target for the national CSV importers: the first
 * byte chooses persons (even) or documents (odd), the rest is the file.
 */
#include <stdint.h>

#include "lists_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *text = (const char *)data + 1;
    limes_watch_set *set = NULL;
    limes_error err = {0};
    limes_rc rc = data[0] & 1
                      ? limes_import_csv_documents(text, size - 1, NULL, &set, NULL, &err)
                      : limes_import_csv_persons(text, size - 1, NULL, &set, NULL, &err);
    if (rc == LIMES_OK) {
        check_round_trip(set);
        limes_watch_set_free(set);
    } else if (set || !err.message[0]) {
        abort();
    }
    return 0;
}
