/*
 * sets.c - indicator sets: validating a set file, storing a partner's
 * version, and finding the active or a named version.  Built-in sets are
 * the compiled-in data/protect/indicators-*.json; a loaded version of the
 * same name takes over (the newest load is active), and older versions stay
 * so that every assessment can be read with the set it used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "protect_int.h"

static const char *const builtin_sets[] = {"indicators-child.json", "indicators-adult.json"};
#define NBUILTIN (sizeof builtin_sets / sizeof builtin_sets[0])
#define MAX_INDICATORS 200
#define MAX_TEXT 2000

/* Names and versions: 1-maxlen of a-z 0-9 . - _ */
bool protect_name_ok(const char *s, size_t maxlen)
{
    size_t n = strlen(s);
    if (n == 0 || n > maxlen)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.'))
            return false;
    }
    return true;
}

/* "A" .. "Z" group codes; indicator codes are the group letter and 1-2 digits. */
static bool indicator_code_ok(const char *code, const char *group)
{
    size_t n = strlen(code);
    if (n < 2 || n > 3 || code[0] != group[0])
        return false;
    for (size_t i = 1; i < n; i++)
        if (code[i] < '0' || code[i] > '9')
            return false;
    return code[1] != '0';
}

limes_rc protect_check_texts(const json_t *t, const char *where, limes_error *err)
{
    static const char *const langs[] = {"en", "ar", "fr"};
    if (!json_is_object(t))
        return limes_fail(err, LIMES_INVALID, where, "%s must be an object with en, ar and fr",
                          where);
    for (size_t i = 0; i < 3; i++) {
        const json_t *v = json_object_get(t, langs[i]);
        if (!json_is_string(v) || json_string_length(v) == 0 ||
            json_string_length(v) > MAX_TEXT)
            return limes_fail(err, LIMES_INVALID, where, "%s/%s must be a text of 1-%d bytes",
                              where, langs[i], MAX_TEXT);
    }
    return LIMES_OK;
}

static limes_rc check_groups(const json_t *groups, limes_error *err)
{
    if (!json_is_array(groups) || json_array_size(groups) == 0 || json_array_size(groups) > 26)
        return limes_fail(err, LIMES_INVALID, "/groups", "groups must be a list of 1-26 groups");
    size_t i;
    const json_t *g;
    json_array_foreach(groups, i, g) {
        char where[64];
        snprintf(where, sizeof where, "/groups/%zu", i);
        const char *code = json_string_value(json_object_get(g, "code"));
        if (!code || strlen(code) != 1 || code[0] < 'A' || code[0] > 'Z')
            return limes_fail(err, LIMES_INVALID, where, "%s/code must be one letter A-Z", where);
        for (size_t j = 0; j < i; j++)
            if (strcmp(code, json_string_value(json_object_get(json_array_get(groups, j),
                                                               "code"))) == 0)
                return limes_fail(err, LIMES_INVALID, where, "group %s appears twice", code);
        snprintf(where, sizeof where, "/groups/%zu/text", i);
        limes_rc rc = protect_check_texts(json_object_get(g, "text"), where, err);
        if (rc)
            return rc;
    }
    return LIMES_OK;
}

static bool group_known(const json_t *groups, const char *code)
{
    size_t i;
    const json_t *g;
    json_array_foreach(groups, i, g) {
        const char *c = json_string_value(json_object_get(g, "code"));
        if (c && strcmp(c, code) == 0)
            return true;
    }
    return false;
}

static limes_rc check_indicator(const json_t *ind, size_t i, const json_t *groups,
                                json_t *seen, limes_error *err)
{
    char where[64];
    snprintf(where, sizeof where, "/indicators/%zu", i);
    if (!json_is_object(ind))
        return limes_fail(err, LIMES_INVALID, where, "%s must be an object", where);
    const char *code = json_string_value(json_object_get(ind, "code"));
    const char *group = json_string_value(json_object_get(ind, "group"));
    const char *phase = json_string_value(json_object_get(ind, "phase"));
    if (!group || !group_known(groups, group))
        return limes_fail(err, LIMES_INVALID, where, "%s/group must name one of the groups",
                          where);
    if (!code || !indicator_code_ok(code, group))
        return limes_fail(err, LIMES_INVALID, where,
                          "%s/code must be its group letter and a number (A1, B12)", where);
    if (json_object_get(seen, code))
        return limes_fail(err, LIMES_INVALID, where, "indicator code %s appears twice", code);
    json_object_set_new(seen, code, json_true());
    if (!phase || (strcmp(phase, "first_line") != 0 && strcmp(phase, "second_line") != 0))
        return limes_fail(err, LIMES_INVALID, where,
                          "%s/phase must be first_line or second_line", where);
    const json_t *weak = json_object_get(ind, "weak");
    if (weak && !json_is_boolean(weak))
        return limes_fail(err, LIMES_INVALID, where, "%s/weak must be true or false", where);
    const json_t *derived = json_object_get(ind, "derived");
    if (derived && !json_is_string(derived))
        return limes_fail(err, LIMES_INVALID, where, "%s/derived must be a string", where);
    char twhere[80];
    snprintf(twhere, sizeof twhere, "%s/text", where);
    return protect_check_texts(json_object_get(ind, "text"), twhere, err);
}

static limes_rc check_set(const json_t *set, limes_error *err)
{
    if (!json_is_object(set))
        return limes_fail(err, LIMES_INVALID, "/", "an indicator set is a JSON object");
    const char *name = json_string_value(json_object_get(set, "set"));
    const char *version = json_string_value(json_object_get(set, "version"));
    const char *subject = json_string_value(json_object_get(set, "subject"));
    if (!name || !protect_name_ok(name, 32))
        return limes_fail(err, LIMES_INVALID, "/set",
                          "set must be a name of 1-32 of a-z 0-9 . - _");
    if (!version || !protect_name_ok(version, 32))
        return limes_fail(err, LIMES_INVALID, "/version",
                          "version must be 1-32 of a-z 0-9 . - _");
    if (!subject || (strcmp(subject, "child") != 0 && strcmp(subject, "adult") != 0))
        return limes_fail(err, LIMES_INVALID, "/subject", "subject must be child or adult");
    limes_rc rc = protect_check_texts(json_object_get(set, "title"), "/title", err);
    if (!rc)
        rc = check_groups(json_object_get(set, "groups"), err);
    if (rc)
        return rc;
    const json_t *inds = json_object_get(set, "indicators");
    if (!json_is_array(inds) || json_array_size(inds) == 0 ||
        json_array_size(inds) > MAX_INDICATORS)
        return limes_fail(err, LIMES_INVALID, "/indicators",
                          "indicators must be a list of 1-%d indicators", MAX_INDICATORS);
    json_t *seen = json_object();
    size_t i;
    const json_t *ind;
    json_array_foreach(inds, i, ind) {
        rc = check_indicator(ind, i, json_object_get(set, "groups"), seen, err);
        if (rc)
            break;
    }
    json_decref(seen);
    return rc;
}

limes_rc limes_protect_set_parse(const char *text, size_t len, json_t **out, limes_error *err)
{
    json_error_t jerr;
    json_t *set = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!set)
        return limes_fail(err, LIMES_BAD_JSON, "", "line %d: %s", jerr.line, jerr.text);
    limes_rc rc = check_set(set, err);
    if (rc) {
        json_decref(set);
        return rc;
    }
    *out = set;
    return LIMES_OK;
}

/* The built-in set of that name (and version, if given); NULL if none. */
static json_t *builtin_set(const char *name, const char *version)
{
    for (size_t i = 0; i < NBUILTIN; i++) {
        json_t *set;
        if (protect_embedded(builtin_sets[i], &set, NULL))
            continue;
        const char *n = json_string_value(json_object_get(set, "set"));
        const char *v = json_string_value(json_object_get(set, "version"));
        if (n && strcmp(n, name) == 0 && (!version || (v && strcmp(v, version) == 0)))
            return set;
        json_decref(set);
    }
    return NULL;
}

static char *canonical(const json_t *set)
{
    return json_dumps(set, JSON_COMPACT | JSON_SORT_KEYS);
}

/* Same name+version already known: identical (false) or a clash (EXISTS). */
static limes_rc compare_known(const char *stored, const json_t *set, bool *known,
                              limes_error *err)
{
    char *mine = canonical(set);
    *known = true;
    limes_rc rc = LIMES_OK;
    if (!mine || strcmp(mine, stored) != 0)
        rc = limes_fail(err, LIMES_EXISTS, "/version",
                        "set %s version %s exists with different content: give it a new "
                        "version", json_string_value(json_object_get(set, "set")),
                        json_string_value(json_object_get(set, "version")));
    free(mine);
    return rc;
}

static limes_rc store_set(store_tx *tx, const json_t *set, const char *actor, bool *changed,
                          limes_error *err)
{
    const char *name = json_string_value(json_object_get(set, "set"));
    const char *version = json_string_value(json_object_get(set, "version"));
    *changed = false;
    json_t *builtin = builtin_set(name, version);
    if (builtin) {
        char *b = canonical(builtin);
        json_decref(builtin);
        bool known;
        limes_rc rc = compare_known(b ? b : "", set, &known, err);
        free(b);
        return rc;
    }
    store_val p[] = {sv_text(name), sv_text(version)};
    store_rows *rows;
    limes_rc rc = store_query(tx, "SELECT content FROM protect_sets WHERE name = $1 AND "
                                  "version = $2", p, 2, &rows, err);
    if (rc)
        return rc;
    int have = store_rows_next(rows, err);
    if (have == 1) {
        bool known;
        rc = compare_known(store_col_text(rows, 0), set, &known, err);
        store_rows_close(rows);
        return rc;
    }
    store_rows_close(rows);
    if (have < 0)
        return err ? err->rc : LIMES_STORE;
    char *text = canonical(set);
    if (!text)
        return limes_fail(err, LIMES_NOMEM, "", "cannot serialise the set");
    store_val ins[] = {sv_text(name), sv_text(version), sv_text(text), sv_text(actor ? actor : ""),
                       sv_int(time_now_ms())};
    rc = store_exec(tx, "INSERT INTO protect_sets (name, version, content, loaded_by, loaded_ms)"
                        " VALUES ($1, $2, $3, $4, $5)", ins, 5, err);
    free(text);
    *changed = rc == LIMES_OK;
    return rc;
}

limes_rc limes_protect_set_load(limes_store *s, const char *text, size_t len, const char *actor,
                                json_t **summary, limes_error *err)
{
    json_t *set;
    limes_rc rc = limes_protect_set_parse(text, len, &set, err);
    if (rc)
        return rc;
    store_tx *tx;
    bool changed = false;
    rc = store_begin(s, true, &tx, err);
    if (!rc) {
        rc = store_set(tx, set, actor, &changed, err);
        if (rc)
            store_rollback(tx);
        else
            rc = store_commit(tx, err);
    }
    if (!rc && summary)
        *summary = json_pack("{s:O, s:O, s:I, s:b}", "set", json_object_get(set, "set"),
                             "version", json_object_get(set, "version"), "indicators",
                             (json_int_t)json_array_size(json_object_get(set, "indicators")),
                             "changed", changed);
    json_decref(set);
    return rc;
}

/* The stored set: a given version, or the newest loaded one. */
static limes_rc stored_set(limes_store *s, const char *name, const char *version, json_t **out,
                           limes_error *err)
{
    store_tx *tx;
    limes_rc rc = store_begin(s, false, &tx, err);
    if (rc)
        return rc;
    store_val p[] = {sv_text(name), sv_text(version)};
    store_rows *rows;
    rc = store_query(tx, "SELECT content FROM protect_sets WHERE name = $1 AND"
                         " (CAST($2 AS TEXT) IS NULL OR version = $2) ORDER BY id DESC",
                     p, 2, &rows, err);
    if (rc) {
        store_rollback(tx);
        return rc;
    }
    int have = store_rows_next(rows, err);
    *out = have == 1 ? json_loads(store_col_text(rows, 0), 0, NULL) : NULL;
    store_rows_close(rows);
    store_rollback(tx);
    if (have < 0)
        return err ? err->rc : LIMES_STORE;
    return LIMES_OK;
}

limes_rc limes_protect_set_get(limes_store *s, const char *name, const char *version,
                               json_t **out, limes_error *err)
{
    json_t *set = NULL;
    limes_rc rc = stored_set(s, name, version, &set, err);
    if (rc)
        return rc;
    if (!set)
        set = builtin_set(name, version);
    if (!set) {
        if (version)
            return limes_fail(err, LIMES_NOT_FOUND, "set_version",
                              "no indicator set '%s' in version '%s'", name, version);
        return limes_fail(err, LIMES_NOT_FOUND, "set", "no indicator set '%s' (child, adult)",
                          name);
    }
    *out = set;
    return LIMES_OK;
}

static json_t *set_entry(const json_t *set, const char *source)
{
    return json_pack("{s:O, s:O, s:O, s:I, s:s, s:b}", "set", json_object_get(set, "set"),
                     "version", json_object_get(set, "version"), "subject",
                     json_object_get(set, "subject"), "indicators",
                     (json_int_t)json_array_size(json_object_get(set, "indicators")), "source",
                     source, "active", 0);
}

/* Mark the newest entry of each set name active (loaded beat built-in). */
static void mark_active(json_t *list)
{
    size_t n = json_array_size(list);
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(list, i);
        const char *name = json_string_value(json_object_get(e, "set"));
        bool newer = false;
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(name, json_string_value(json_object_get(json_array_get(list, j),
                                                               "set"))) == 0)
                newer = true;
        json_object_set_new(e, "active", json_boolean(!newer));
    }
}

limes_rc limes_protect_set_list(limes_store *s, json_t **out, limes_error *err)
{
    json_t *list = json_array();
    for (size_t i = 0; i < NBUILTIN; i++) {
        json_t *set;
        limes_rc rc = protect_embedded(builtin_sets[i], &set, err);
        if (rc) {
            json_decref(list);
            return rc;
        }
        json_array_append_new(list, set_entry(set, "built-in"));
        json_decref(set);
    }
    store_tx *tx;
    limes_rc rc = store_begin(s, false, &tx, err);
    if (rc) {
        json_decref(list);
        return rc;
    }
    store_rows *rows;
    rc = store_query(tx, "SELECT content FROM protect_sets ORDER BY id", NULL, 0, &rows, err);
    int have = 0;
    while (!rc && (have = store_rows_next(rows, err)) == 1) {
        json_t *set = json_loads(store_col_text(rows, 0), 0, NULL);
        if (set)
            json_array_append_new(list, set_entry(set, "loaded"));
        json_decref(set);
    }
    if (!rc)
        store_rows_close(rows);
    store_rollback(tx);
    if (!rc && have < 0)
        rc = err ? err->rc : LIMES_STORE;
    if (rc) {
        json_decref(list);
        return rc;
    }
    mark_active(list);
    *out = list;
    return LIMES_OK;
}

limes_rc limes_protect_rules(json_t **out, limes_error *err)
{
    return protect_embedded("rules.json", out, err);
}

limes_rc limes_protect_workflow(json_t **out, limes_error *err)
{
    return protect_embedded("workflow.json", out, err);
}
