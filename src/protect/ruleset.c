/*
 * ruleset.c - recommendation rules a partner loads instead of the built-in
 * data/protect/rules.json: validated (every rule names the subjects it
 * applies to, a known recommendation, codes or groups or known flags, and
 * its reason in en, ar and fr), stored as a new version, and the newest
 * version is the one assessments use.  The flags a rule may test are the
 * ones limes can set (the built-in list), so the built-in "flags" and
 * "levels" tables are kept when a file leaves them out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "protect_int.h"

#define MAX_RULES 200

static bool known_flag(const json_t *builtin, const char *flag)
{
    size_t i;
    const json_t *f;
    json_array_foreach(json_object_get(builtin, "flags"), i, f) {
        const char *c = json_string_value(json_object_get(f, "code"));
        if (c && strcmp(c, flag) == 0)
            return true;
    }
    return false;
}

static limes_rc check_string_list(const json_t *list, const char *where, size_t maxlen,
                                  limes_error *err)
{
    if (!list)
        return LIMES_OK;
    if (!json_is_array(list) || json_array_size(list) > 100)
        return limes_fail(err, LIMES_INVALID, where, "%s must be a list of strings", where);
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v) {
        if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > maxlen)
            return limes_fail(err, LIMES_INVALID, where, "%s item %zu is not a short string",
                              where, i);
    }
    return LIMES_OK;
}

static limes_rc check_when(const json_t *when, const json_t *builtin, const char *where,
                           limes_error *err)
{
    char w[96];
    if (!json_is_object(when))
        return limes_fail(err, LIMES_INVALID, where, "%s/when must be an object", where);
    const json_t *codes = json_object_get(when, "codes"), *groups = json_object_get(when, "groups");
    const json_t *flags = json_object_get(when, "flags"), *min = json_object_get(when, "min");
    snprintf(w, sizeof w, "%s/when", where);
    limes_rc rc = check_string_list(codes, w, 3, err);
    if (!rc)
        rc = check_string_list(groups, w, 1, err);
    if (!rc)
        rc = check_string_list(flags, w, 40, err);
    if (rc)
        return rc;
    if (json_array_size(codes) + json_array_size(groups) + json_array_size(flags) == 0)
        return limes_fail(err, LIMES_INVALID, w, "%s needs codes, groups or flags", w);
    if (min && (!json_is_integer(min) || json_integer_value(min) < 1 ||
                json_integer_value(min) > 100))
        return limes_fail(err, LIMES_INVALID, w, "%s/min must be an integer from 1 to 100", w);
    size_t i;
    const json_t *f;
    json_array_foreach(flags, i, f) {
        if (!known_flag(builtin, json_string_value(f)))
            return limes_fail(err, LIMES_INVALID, w, "%s: unknown flag '%s'", w,
                              json_string_value(f));
    }
    return LIMES_OK;
}

static limes_rc check_rule(const json_t *rule, size_t i, const json_t *builtin, json_t *ids,
                           limes_error *err)
{
    char where[48];
    snprintf(where, sizeof where, "/rules/%zu", i);
    const char *id = json_string_value(json_object_get(rule, "id"));
    const char *level = json_string_value(json_object_get(rule, "recommend"));
    const json_t *sets = json_object_get(rule, "sets");
    if (!id || !protect_name_ok(id, 64))
        return limes_fail(err, LIMES_INVALID, where, "%s/id must be 1-64 of a-z 0-9 . - _", where);
    if (json_object_get(ids, id))
        return limes_fail(err, LIMES_INVALID, where, "rule id '%s' appears twice", id);
    json_object_set_new(ids, id, json_true());
    if (!level || (strcmp(level, "referral") != 0 && strcmp(level, "second_line_interview") != 0))
        return limes_fail(err, LIMES_INVALID, where,
                          "%s/recommend must be second_line_interview or referral", where);
    bool subjects_ok = json_is_array(sets) && json_array_size(sets) > 0;
    size_t k;
    const json_t *v;
    json_array_foreach(sets, k, v) {
        const char *subject = json_string_value(v);
        subjects_ok &= subject && (strcmp(subject, "child") == 0 || strcmp(subject, "adult") == 0);
    }
    if (!subjects_ok)
        return limes_fail(err, LIMES_INVALID, where, "%s/sets must list child and/or adult", where);
    limes_rc rc = check_when(json_object_get(rule, "when"), builtin, where, err);
    if (rc)
        return rc;
    char twhere[64];
    snprintf(twhere, sizeof twhere, "%s/reason", where);
    return protect_check_texts(json_object_get(rule, "reason"), twhere, err);
}

limes_rc limes_protect_rules_parse(const char *text, size_t len, json_t **out, limes_error *err)
{
    json_error_t jerr;
    json_t *rules = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!rules)
        return limes_fail(err, LIMES_BAD_JSON, "", "line %d: %s", jerr.line, jerr.text);
    json_t *builtin = NULL;
    limes_rc rc = json_is_object(rules) ? limes_protect_rules(&builtin, err)
                                        : limes_fail(err, LIMES_INVALID, "/", "rules are a JSON object");
    const char *version = json_string_value(json_object_get(rules, "version"));
    const json_t *list = json_object_get(rules, "rules");
    if (!rc && (!version || !protect_name_ok(version, 32)))
        rc = limes_fail(err, LIMES_INVALID, "/version", "version must be 1-32 of a-z 0-9 . - _");
    if (!rc && (!json_is_array(list) || json_array_size(list) == 0 ||
                json_array_size(list) > MAX_RULES))
        rc = limes_fail(err, LIMES_INVALID, "/rules", "rules must be a list of 1-%d rules",
                        MAX_RULES);
    json_t *ids = json_object();
    size_t i;
    const json_t *rule;
    json_array_foreach(list, i, rule) {
        if (rc)
            break;
        rc = check_rule(rule, i, builtin, ids, err);
    }
    json_decref(ids);
    if (!rc) {
        /* the flags and levels are limes's own: always the built-in tables */
        json_object_set(rules, "flags", json_object_get(builtin, "flags"));
        json_object_set(rules, "levels", json_object_get(builtin, "levels"));
    }
    json_decref(builtin);
    if (rc) {
        json_decref(rules);
        return rc;
    }
    *out = rules;
    return LIMES_OK;
}

static limes_rc store_rules(store_tx *tx, const json_t *rules, const char *actor, bool *changed,
                            limes_error *err)
{
    const char *version = json_string_value(json_object_get(rules, "version"));
    char *text = json_dumps(rules, JSON_COMPACT | JSON_SORT_KEYS);
    json_t *builtin = NULL;
    limes_rc rc = text ? limes_protect_rules(&builtin, err) : LIMES_NOMEM;
    *changed = false;
    if (!rc && strcmp(json_string_value(json_object_get(builtin, "version")), version) == 0)
        rc = limes_fail(err, LIMES_EXISTS, "/version",
                        "version %s is the built-in rules' version: give yours a new one", version);
    json_decref(builtin);
    store_val p[] = {sv_text(version), sv_text(text), sv_text(actor ? actor : ""),
                     sv_int(time_now_ms())};
    store_rows *rows = NULL;
    if (!rc)
        rc = store_query(tx, "SELECT content FROM protect_rules WHERE version = $1", p, 1, &rows,
                         err);
    int have = rc ? 0 : store_rows_next(rows, err);
    if (have == 1 && strcmp(store_col_text(rows, 0), text) != 0)
        rc = limes_fail(err, LIMES_EXISTS, "/version",
                        "rules version %s exists with different content: give it a new version",
                        version);
    if (rows)
        store_rows_close(rows);
    if (!rc && have < 0)
        rc = err ? err->rc : LIMES_STORE;
    if (!rc && have == 0) {
        rc = store_exec(tx, "INSERT INTO protect_rules (version, content, loaded_by, loaded_ms)"
                            " VALUES ($1, $2, $3, $4)", p, 4, err);
        *changed = rc == LIMES_OK;
    }
    free(text);
    return rc == LIMES_NOMEM ? limes_fail(err, rc, "", "out of memory") : rc;
}

limes_rc limes_protect_rules_load(limes_store *s, const char *text, size_t len,
                                  const char *actor, json_t **summary, limes_error *err)
{
    json_t *rules;
    limes_rc rc = limes_protect_rules_parse(text, len, &rules, err);
    if (rc)
        return rc;
    store_tx *tx;
    bool changed = false;
    rc = store_begin(s, true, &tx, err);
    if (!rc) {
        rc = store_rules(tx, rules, actor, &changed, err);
        rc = rc ? (store_rollback(tx), rc) : store_commit(tx, err);
    }
    if (!rc && summary)
        *summary = json_pack("{s:O, s:I, s:b}", "version", json_object_get(rules, "version"),
                             "rules", (json_int_t)json_array_size(json_object_get(rules, "rules")),
                             "changed", changed);
    json_decref(rules);
    return rc;
}

limes_rc limes_protect_rules_active(limes_store *s, json_t **out, limes_error *err)
{
    store_tx *tx;
    limes_rc rc = store_begin(s, false, &tx, err);
    if (rc)
        return rc;
    store_rows *rows;
    rc = store_query(tx, "SELECT content FROM protect_rules ORDER BY id DESC LIMIT 1", NULL, 0,
                     &rows, err);
    if (rc) {
        store_rollback(tx);
        return rc;
    }
    int have = store_rows_next(rows, err);
    json_t *loaded = have == 1 ? json_loads(store_col_text(rows, 0), 0, NULL) : NULL;
    store_rows_close(rows);
    store_rollback(tx);
    if (have < 0)
        return err ? err->rc : LIMES_STORE;
    if (loaded) {
        *out = loaded;
        return LIMES_OK;
    }
    return limes_protect_rules(out, err);
}
