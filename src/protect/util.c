/*
 * util.c - shared helpers of the protect module: the compiled-in data
 * files, JSON member readers whose errors name the field, month and time
 * formatting, and lookups in the case workflow table.
 */
#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "core/embed.h"
#include "protect_int.h"

extern const struct embedded_file protect_data[];
extern const size_t protect_data_count;

limes_rc protect_embedded(const char *name, json_t **out, limes_error *err)
{
    const struct embedded_file *f = embed_find(protect_data, protect_data_count, name);
    if (!f)
        return limes_fail(err, LIMES_INTERNAL, "", "data file %s missing from the build", name);
    json_error_t jerr;
    *out = json_loadb(f->data, f->len, 0, &jerr);
    if (!*out)
        return limes_fail(err, LIMES_INTERNAL, "", "built-in %s: %s", name, jerr.text);
    return LIMES_OK;
}

limes_rc pj_str(const json_t *in, const char *key, bool required, size_t maxlen,
                const char **out, limes_error *err)
{
    const json_t *v = json_object_get(in, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return limes_fail(err, LIMES_INVALID, key, "'%s' is required", key);
        return LIMES_OK;
    }
    if (!json_is_string(v))
        return limes_fail(err, LIMES_INVALID, key, "'%s' must be a string", key);
    const char *s = json_string_value(v);
    if (strlen(s) != json_string_length(v))
        return limes_fail(err, LIMES_INVALID, key, "'%s' contains a NUL character", key);
    if (json_string_length(v) > maxlen)
        return limes_fail(err, LIMES_INVALID, key, "'%s' is longer than %zu bytes", key, maxlen);
    if (required && !*s)
        return limes_fail(err, LIMES_INVALID, key, "'%s' must not be empty", key);
    *out = s;
    return LIMES_OK;
}

limes_rc pj_int(const json_t *in, const char *key, int64_t min, int64_t max, bool *given,
                int64_t *out, limes_error *err)
{
    const json_t *v = json_object_get(in, key);
    *given = false;
    if (!v || json_is_null(v))
        return LIMES_OK;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return limes_fail(err, LIMES_INVALID, key, "'%s' must be an integer from %lld to %lld",
                          key, (long long)min, (long long)max);
    *given = true;
    *out = json_integer_value(v);
    return LIMES_OK;
}

limes_rc pj_bool(const json_t *in, const char *key, bool *given, bool *out, limes_error *err)
{
    const json_t *v = json_object_get(in, key);
    *given = false;
    if (!v || json_is_null(v))
        return LIMES_OK;
    if (!json_is_boolean(v))
        return limes_fail(err, LIMES_INVALID, key, "'%s' must be true or false", key);
    *given = true;
    *out = json_is_true(v);
    return LIMES_OK;
}

limes_rc pj_str_array(const json_t *in, const char *key, size_t maxn, size_t maxlen,
                      const json_t **out, limes_error *err)
{
    const json_t *v = json_object_get(in, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return LIMES_OK;
    if (!json_is_array(v))
        return limes_fail(err, LIMES_INVALID, key, "'%s' must be an array of strings", key);
    if (json_array_size(v) > maxn)
        return limes_fail(err, LIMES_INVALID, key, "'%s' has more than %zu items", key, maxn);
    size_t i;
    const json_t *item;
    json_array_foreach(v, i, item) {
        if (!json_is_string(item) || json_string_length(item) == 0 ||
            json_string_length(item) > maxlen ||
            strlen(json_string_value(item)) != json_string_length(item))
            return limes_fail(err, LIMES_INVALID, key,
                              "'%s' item %zu must be a non-empty string of at most %zu bytes",
                              key, i, maxlen);
    }
    *out = v;
    return LIMES_OK;
}

bool pj_array_has(const json_t *list, const char *s)
{
    size_t i;
    const json_t *item;
    json_array_foreach(list, i, item) {
        const char *v = json_string_value(item);
        if (v && strcmp(v, s) == 0)
            return true;
    }
    return false;
}

void pj_join_codes(const json_t *array, char *out, size_t n)
{
    size_t used = 0, i;
    const json_t *item;
    out[0] = '\0';
    json_array_foreach(array, i, item) {
        const char *code = json_string_value(json_object_get(item, "code"));
        if (!code)
            code = json_string_value(item);
        if (!code || used + strlen(code) + 3 >= n)
            continue;
        used += (size_t)snprintf(out + used, n - used, "%s%s", used ? ", " : "", code);
    }
}

void protect_month(int64_t ms, char out[8])
{
    int64_t days = ms / MS_PER_DAY - (ms % MS_PER_DAY < 0 ? 1 : 0);
    int y, m, d;
    date_to_civil((day_t)days, &y, &m, &d);
    snprintf(out, 8, "%04d-%02d", (y % 10000 + 10000) % 10000, (m % 100 + 100) % 100);
}

json_t *protect_time_json(int64_t ms)
{
    if (ms <= 0)
        return json_null();
    char text[32];
    time_format_rfc3339(ms, text);
    return json_string(text);
}

bool protect_point_code_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > 16)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    }
    return true;
}

const json_t *protect_workflow_step(const json_t *workflow, const char *code)
{
    size_t i;
    const json_t *step;
    json_array_foreach(json_object_get(workflow, "steps"), i, step) {
        const char *c = json_string_value(json_object_get(step, "code"));
        if (c && strcmp(c, code) == 0)
            return step;
    }
    return NULL;
}

json_t *protect_allowed_steps(const json_t *workflow, const char *state,
                              const char *subject_kind)
{
    json_t *allowed = json_array();
    size_t i;
    const json_t *step;
    json_array_foreach(json_object_get(workflow, "steps"), i, step) {
        if (pj_array_has(json_object_get(step, "after"), state) &&
            pj_array_has(json_object_get(step, "subjects"), subject_kind))
            json_array_append(allowed, json_object_get(step, "code"));
    }
    return allowed;
}

static limes_rc check_companion(const json_t *c, size_t i, const char *field, limes_error *err)
{
    static const char *const relations[] = {"parent", "legal_guardian", "other_adult", "none"};
    const char *rel = json_string_value(json_object_get(c, "relationship"));
    bool ok = false;
    for (size_t k = 0; rel && k < 4; k++)
        ok |= strcmp(rel, relations[k]) == 0;
    if (!json_is_object(c) || !ok)
        return limes_fail(err, LIMES_INVALID, field,
                          "companion %zu: relationship must be parent, legal_guardian, "
                          "other_adult or none", i);
    const char *name;
    bool given, b;
    limes_rc rc = pj_str(c, "name", false, 200, &name, err);
    if (!rc)
        rc = pj_bool(c, "relationship_documented", &given, &b, err);
    if (!rc)
        rc = pj_bool(c, "consent_documented", &given, &b, err);
    int64_t id;
    if (!rc)
        rc = pj_int(c, "traveller_id", 1, INT64_MAX, &given, &id, err);
    if (!rc)
        rc = pj_int(c, "check_id", 1, INT64_MAX, &given, &id, err);
    return rc;
}

limes_rc protect_check_companions(const json_t *list, const char *field, limes_error *err)
{
    if (!list || json_is_null(list))
        return LIMES_OK;
    if (!json_is_array(list) || json_array_size(list) > 10)
        return limes_fail(err, LIMES_INVALID, field, "'companions' must be a list of at most 10");
    size_t i;
    const json_t *c;
    json_array_foreach(list, i, c) {
        limes_rc rc = check_companion(c, i, field, err);
        if (rc)
            return rc;
    }
    return LIMES_OK;
}
