/*
 * protect_set.c - fuzz target for indicator set files, which a partner
 * loads from outside (`limes protect indicators load FILE`): the input is
 * validated by limes_protect_set_parse(); a set that passes is then run
 * through the recommendation rules with all its indicators observed, so a
 * strange but valid set (odd groups, weak flags, derived markers) cannot
 * upset the evaluation either.
 */
#include <stdint.h>
#include <stdlib.h>

#include "limes/protect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *set = NULL;
    limes_error err = {0};
    if (limes_protect_set_parse((const char *)data, size, &set, &err) != LIMES_OK)
        return 0;
    json_t *codes = json_array();
    size_t i;
    json_t *ind;
    json_array_foreach(json_object_get(set, "indicators"), i, ind)
        json_array_append(codes, json_object_get(ind, "code"));
    json_t *flags = json_pack("[s]", "watchlist_protect");
    json_t *out = NULL;
    if (limes_protect_evaluate(set, codes, flags, &out, &err) != LIMES_OK)
        abort(); /* every code of a valid set must be known to it */
    json_decref(out);
    json_decref(flags);
    json_decref(codes);
    json_decref(set);
    return 0;
}
