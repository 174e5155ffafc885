/*
 * protect_rules.c - fuzz target for recommendation rule files, which a
 * partner loads from outside (`limes protect rules load FILE`): the input
 * is validated by limes_protect_rules_parse(); rules that pass are then
 * evaluated against a small child set with every indicator and flag
 * observed, so valid but odd rules cannot upset the evaluation.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "limes/protect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *rules = NULL;
    limes_error err = {0};
    if (limes_protect_rules_parse((const char *)data, size, &rules, &err) != LIMES_OK)
        return 0;
    /* a minimal child set with one indicator per group A-D */
    json_t *set = json_loads(
        "{\"set\":\"f\",\"version\":\"1\",\"subject\":\"child\",\"indicators\":["
        "{\"code\":\"A1\",\"group\":\"A\"},{\"code\":\"B1\",\"group\":\"B\"},"
        "{\"code\":\"C1\",\"group\":\"C\"},{\"code\":\"C5\",\"group\":\"C\",\"weak\":true},"
        "{\"code\":\"D1\",\"group\":\"D\"}]}", 0, NULL);
    json_t *codes = json_pack("[s,s,s,s,s]", "A1", "B1", "C1", "C5", "D1");
    json_t *flags = json_pack("[s,s,s,s]", "watchlist_protect", "child_at_risk_alert",
                              "unaccompanied", "age_doubtful");
    json_t *out = NULL;
    if (limes_protect_evaluate_with(set, rules, codes, flags, &out, &err) != LIMES_OK)
        abort(); /* known codes and limes's own flags must always evaluate */
    json_decref(out);
    json_decref(flags);
    json_decref(codes);
    json_decref(set);
    json_decref(rules);
    return 0;
}
