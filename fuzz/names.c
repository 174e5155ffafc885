/*
 * names.c - fuzz target for the name normaliser and the token comparison
 * (src/names): any bytes, as a query (strict) and as a list entry
 * (truncating), must give a clean result or a clean error; when the input
 * splits at its first NUL byte, the two halves are also compared with
 * limes_names_score(), which aligns tokens and tries merges.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "limes/screen.h"
#include "names/names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static name_parts a, b;
    limes_error err = {0};
    const char *s = (const char *)data;
    limes_rc ra = names_normalize(s, size, NAMES_STRICT, &a, &err);
    limes_rc rb = names_normalize(s, size, 0, &b, &err);
    if (!ra && !rb && a.n > 0 && b.n > 0) {
        name_match_how how;
        double sim = names_token_sim(&a.tok[0], &b.tok[b.n - 1], &how);
        if (sim < 0 || sim > 1)
            abort();
    }
    const char *nul = memchr(s, '\0', size);
    if (nul && size < 4096) {
        char *copy = malloc(size + 1);
        if (!copy)
            return 0;
        memcpy(copy, s, size);
        copy[size] = '\0';
        double score;
        json_t *ex = NULL;
        if (!limes_names_score(copy, copy + (nul - s) + 1, &score, &ex, &err) &&
            (score < 0 || score > 1))
            abort();
        json_decref(ex);
        free(copy);
    }
    return 0;
}
