/*
 * rules.c - turning observed indicators into a recommendation with its
 * reasons.  The rules are data (data/protect/rules.json): a rule matches
 * when the observed indicators in its codes or groups (weak indicators
 * never count) number at least `min`, and all its flags are set.  The
 * strongest matching recommendation wins and every matching rule is a
 * reason.  The result always says that limes decided nothing.
 */
#include <stdio.h>
#include <string.h>

#include "protect_int.h"

static int level_rank(const char *level)
{
    if (strcmp(level, "referral") == 0)
        return 2;
    if (strcmp(level, "second_line_interview") == 0)
        return 1;
    return 0;
}

static const json_t *find_indicator(const json_t *set, const char *code)
{
    size_t i;
    const json_t *ind;
    json_array_foreach(json_object_get(set, "indicators"), i, ind) {
        const char *c = json_string_value(json_object_get(ind, "code"));
        if (c && strcmp(c, code) == 0)
            return ind;
    }
    return NULL;
}

static bool flag_known(const json_t *rules, const char *flag)
{
    size_t i;
    const json_t *f;
    json_array_foreach(json_object_get(rules, "flags"), i, f) {
        const char *c = json_string_value(json_object_get(f, "code"));
        if (c && strcmp(c, flag) == 0)
            return true;
    }
    return false;
}

/* Every unknown code named in one message; nothing else is looked at. */
static limes_rc check_known(const json_t *set, const json_t *rules, const json_t *codes,
                            const json_t *flags, limes_error *err)
{
    char unknown[200] = "";
    size_t used = 0, i;
    const json_t *v;
    if (codes && !json_is_array(codes))
        return limes_fail(err, LIMES_INVALID, "indicators", "'indicators' must be a list of codes");
    json_array_foreach(codes, i, v) {
        const char *c = json_string_value(v);
        if (!c)
            return limes_fail(err, LIMES_INVALID, "indicators",
                              "'indicators' item %zu must be a code string", i);
        if (!find_indicator(set, c) && used + strlen(c) + 4 < sizeof unknown)
            used += (size_t)snprintf(unknown + used, sizeof unknown - used, "%s%s",
                                     used ? ", " : "", c);
    }
    if (used)
        return limes_fail(err, LIMES_INVALID, "indicators",
                          "unknown indicator codes in set %s %s: %s",
                          json_string_value(json_object_get(set, "set")),
                          json_string_value(json_object_get(set, "version")), unknown);
    if (flags && !json_is_array(flags))
        return limes_fail(err, LIMES_INVALID, "flags", "'flags' must be a list of flag codes");
    json_array_foreach(flags, i, v) {
        const char *f = json_string_value(v);
        if (!f || !flag_known(rules, f))
            return limes_fail(err, LIMES_INVALID, "flags",
                              "unknown flag '%s' (watchlist_protect, child_at_risk_alert, "
                              "unaccompanied, age_doubtful)", f ? f : "?");
    }
    return LIMES_OK;
}

/* Observed, non-weak indicators in the rule's codes or groups; NULL if the rule
 * names neither. */
static json_t *matching_codes(const json_t *set, const json_t *when, const json_t *codes)
{
    const json_t *rcodes = json_object_get(when, "codes");
    const json_t *rgroups = json_object_get(when, "groups");
    if (!rcodes && !rgroups)
        return NULL;
    json_t *matched = json_array();
    size_t i;
    const json_t *v;
    json_array_foreach(codes, i, v) {
        const char *c = json_string_value(v);
        const json_t *ind = find_indicator(set, c);
        if (!ind || json_is_true(json_object_get(ind, "weak")) || pj_array_has(matched, c))
            continue;
        const char *group = json_string_value(json_object_get(ind, "group"));
        if (pj_array_has(rcodes, c) || (group && pj_array_has(rgroups, group)))
            json_array_append_new(matched, json_string(c));
    }
    return matched;
}

/* The reason when the rule matches, else NULL. */
static json_t *apply_rule(const json_t *set, const json_t *rule, const json_t *codes,
                          const json_t *flags)
{
    const char *subject = json_string_value(json_object_get(set, "subject"));
    if (!subject || !pj_array_has(json_object_get(rule, "sets"), subject))
        return NULL;
    const json_t *when = json_object_get(rule, "when");
    json_t *matched = matching_codes(set, when, codes);
    json_int_t min = json_integer_value(json_object_get(when, "min"));
    if (min < 1)
        min = 1;
    bool ok = !matched || (json_int_t)json_array_size(matched) >= min;
    const json_t *rflags = json_object_get(when, "flags");
    if (!matched && json_array_size(rflags) == 0)
        ok = false;
    if (!matched)
        matched = json_array();
    size_t i;
    const json_t *f;
    json_array_foreach(rflags, i, f) {
        if (!pj_array_has(flags, json_string_value(f)))
            ok = false;
        json_array_append(matched, (json_t *)f);
    }
    if (!ok) {
        json_decref(matched);
        return NULL;
    }
    return json_pack("{s:O, s:O, s:o, s:O}", "rule", json_object_get(rule, "id"), "recommend",
                     json_object_get(rule, "recommend"), "matched", matched, "text",
                     json_object_get(rule, "reason"));
}

limes_rc limes_protect_evaluate(const json_t *set, const json_t *codes, const json_t *flags,
                                json_t **out, limes_error *err)
{
    json_t *rules;
    limes_rc rc = limes_protect_rules(&rules, err);
    if (rc)
        return rc;
    rc = limes_protect_evaluate_with(set, rules, codes, flags, out, err);
    json_decref(rules);
    return rc;
}

limes_rc limes_protect_evaluate_with(const json_t *set, const json_t *rules, const json_t *codes,
                                     const json_t *flags, json_t **out, limes_error *err)
{
    limes_rc rc = check_known(set, rules, codes, flags, err);
    if (rc)
        return rc;
    json_t *reasons = json_array();
    const char *best = "none";
    size_t i;
    const json_t *rule;
    json_array_foreach(json_object_get(rules, "rules"), i, rule) {
        json_t *reason = apply_rule(set, rule, codes, flags);
        if (!reason)
            continue;
        const char *level = json_string_value(json_object_get(reason, "recommend"));
        if (level && level_rank(level) > level_rank(best))
            best = level;
        json_array_append_new(reasons, reason);
    }
    *out = json_pack("{s:s, s:o, s:s, s:b}", "recommendation", best, "reasons", reasons,
                     "rules_version", json_string_value(json_object_get(rules, "version")),
                     "decided_by_limes", 0);
    return LIMES_OK;
}
