/*
 * partners.c - the referral-partner directory: organisations per country
 * and region that a case can be referred to (child protection service,
 * police anti-trafficking unit, guardianship authority, IOM, NGO), with
 * contacts.  Admins edit it; second line reads it.  A demo directory
 * (data/protect/referral-partners-demo.json, fictitious contacts) is
 * loaded into an empty directory by `limes demo`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "protect_int.h"

static const char *const partner_types[] = {"child_protection", "police_thb_unit",
                                            "guardianship_authority", "iom", "ngo"};

#define PARTNER_COLUMNS                                                                   \
    "SELECT id, name, type, country, region, phone, email, hours, languages_json, notes," \
    " active, created_ms, updated_ms FROM protect_partners"

struct partner {
    const char *name, *type, *country, *region, *phone, *email, *hours, *notes;
    const json_t *languages;
    bool active;
};

static bool type_ok(const char *t)
{
    for (size_t i = 0; i < sizeof partner_types / sizeof partner_types[0]; i++)
        if (strcmp(t, partner_types[i]) == 0)
            return true;
    return false;
}

static bool country_ok(const char *c)
{
    if (strlen(c) != 3)
        return false;
    for (int i = 0; i < 3; i++)
        if (c[i] < 'A' || c[i] > 'Z')
            return false;
    return true;
}

/* Read the fields present in `in` over *p (which holds defaults or the old row). */
static limes_rc read_partner(const json_t *in, struct partner *p, limes_error *err)
{
    if (!json_is_object(in))
        return limes_fail(err, LIMES_INVALID, "", "a referral partner is a JSON object");
    struct {
        const char *key;
        size_t max;
        const char **dst;
    } fields[] = {
        {"name", 200, &p->name},   {"type", 32, &p->type},     {"country", 3, &p->country},
        {"region", 100, &p->region}, {"phone", 40, &p->phone}, {"email", 200, &p->email},
        {"hours", 100, &p->hours}, {"notes", 2000, &p->notes},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const char *v;
        limes_rc rc = pj_str(in, fields[i].key, false, fields[i].max, &v, err);
        if (rc)
            return rc;
        if (v)
            *fields[i].dst = v;
    }
    const json_t *langs;
    limes_rc rc = pj_str_array(in, "languages", 20, 3, &langs, err);
    if (rc)
        return rc;
    if (langs)
        p->languages = langs;
    bool given, active;
    rc = pj_bool(in, "active", &given, &active, err);
    if (given)
        p->active = active;
    return rc;
}

static limes_rc check_partner(const struct partner *p, limes_error *err)
{
    if (!p->name || !p->name[0])
        return limes_fail(err, LIMES_INVALID, "name", "'name' is required");
    if (!p->type || !type_ok(p->type))
        return limes_fail(err, LIMES_INVALID, "type",
                          "'type' must be child_protection, police_thb_unit, "
                          "guardianship_authority, iom or ngo");
    if (!p->country || !country_ok(p->country))
        return limes_fail(err, LIMES_INVALID, "country",
                          "'country' must be a three-letter code such as TUN");
    if (p->email && p->email[0] && !strchr(p->email, '@'))
        return limes_fail(err, LIMES_INVALID, "email", "'email' is not an e-mail address");
    return LIMES_OK;
}

static store_val opt(const char *s) { return sv_text(s ? s : ""); }

static limes_rc write_partner(store_tx *tx, int64_t id, const struct partner *p, int64_t now_ms,
                              int64_t *id_out, limes_error *err)
{
    json_t *none = json_array();
    char *langs = json_dumps(p->languages ? p->languages : none, JSON_COMPACT);
    json_decref(none);
    if (!langs)
        return limes_fail(err, LIMES_NOMEM, "", "out of memory");
    store_val v[] = {opt(p->name),  opt(p->type),  opt(p->country), opt(p->region),
                     opt(p->phone), opt(p->email), opt(p->hours),   sv_text(langs),
                     opt(p->notes), sv_int(p->active), sv_int(now_ms), sv_int(id)};
    limes_rc rc;
    if (id) {
        rc = store_exec(tx, "UPDATE protect_partners SET name = $1, type = $2, country = $3,"
                            " region = $4, phone = $5, email = $6, hours = $7, languages_json = $8,"
                            " notes = $9, active = $10, updated_ms = $11 WHERE id = $12",
                        v, 12, err);
        *id_out = id;
    } else {
        rc = store_insert_id(tx, "INSERT INTO protect_partners (name, type, country, region,"
                                 " phone, email, hours, languages_json, notes, active, created_ms,"
                                 " updated_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
                                 " $11, $11)", v, 11, id_out, err);
    }
    free(langs);
    if (rc == LIMES_EXISTS)
        rc = limes_fail(err, LIMES_EXISTS, "name", "a partner named '%s' exists in %s", p->name,
                        p->country);
    return rc;
}

static limes_rc get_in(store_tx *tx, int64_t id, json_t **out, limes_error *err)
{
    store_val p[] = {sv_int(id)};
    limes_rc rc = store_query_json_one(tx, PARTNER_COLUMNS " WHERE id = $1", p, 1, out, err);
    if (rc == LIMES_NOT_FOUND)
        return limes_fail(err, LIMES_NOT_FOUND, "id", "no referral partner %lld", (long long)id);
    if (rc)
        return rc;
    json_object_set_new(*out, "active", json_boolean(json_integer_value(json_object_get(*out,
                                                                                      "active"))));
    return LIMES_OK;
}

static limes_rc save(limes_store *s, int64_t id, const struct partner *p, int64_t now_ms,
                     json_t **out, limes_error *err)
{
    limes_rc rc = check_partner(p, err);
    if (rc)
        return rc;
    store_tx *tx;
    rc = store_begin(s, true, &tx, err);
    if (rc)
        return rc;
    int64_t new_id = 0;
    rc = write_partner(tx, id, p, now_ms, &new_id, err);
    if (!rc && out)
        rc = get_in(tx, new_id, out, err);
    if (rc) {
        store_rollback(tx);
        return rc;
    }
    rc = store_commit(tx, err);
    if (rc && out)
        json_decref(*out);
    return rc;
}

limes_rc limes_partner_add(limes_store *s, const json_t *in, int64_t now_ms, json_t **out,
                           limes_error *err)
{
    struct partner p = {.active = true};
    limes_rc rc = read_partner(in, &p, err);
    return rc ? rc : save(s, 0, &p, now_ms, out, err);
}

limes_rc limes_partner_update(limes_store *s, int64_t id, const json_t *in, int64_t now_ms,
                              json_t **out, limes_error *err)
{
    json_t *old;
    limes_rc rc = limes_partner_get(s, id, &old, err);
    if (rc)
        return rc;
    struct partner p = {
        .name = json_string_value(json_object_get(old, "name")),
        .type = json_string_value(json_object_get(old, "type")),
        .country = json_string_value(json_object_get(old, "country")),
        .region = json_string_value(json_object_get(old, "region")),
        .phone = json_string_value(json_object_get(old, "phone")),
        .email = json_string_value(json_object_get(old, "email")),
        .hours = json_string_value(json_object_get(old, "hours")),
        .notes = json_string_value(json_object_get(old, "notes")),
        .languages = json_object_get(old, "languages"),
        .active = json_is_true(json_object_get(old, "active")),
    };
    rc = read_partner(in, &p, err);
    if (!rc)
        rc = save(s, id, &p, now_ms, out, err);
    json_decref(old);
    return rc;
}

limes_rc limes_partner_get(limes_store *s, int64_t id, json_t **out, limes_error *err)
{
    store_tx *tx;
    limes_rc rc = store_begin(s, false, &tx, err);
    if (rc)
        return rc;
    rc = get_in(tx, id, out, err);
    store_rollback(tx);
    return rc;
}

limes_rc limes_partner_list(limes_store *s, const char *country, const char *region,
                            const char *type, json_t **out, limes_error *err)
{
    store_val p[] = {sv_text(country), sv_text(region), sv_text(type)};
    limes_rc rc = store_read_json(s, PARTNER_COLUMNS
                                  " WHERE (CAST($1 AS TEXT) IS NULL OR country = $1)"
                                  " AND (CAST($2 AS TEXT) IS NULL OR region = $2)"
                                  " AND (CAST($3 AS TEXT) IS NULL OR type = $3)"
                                  " ORDER BY country, region, name",
                                  p, 3, out, err);
    if (rc)
        return rc;
    size_t i;
    json_t *row;
    json_array_foreach(*out, i, row)
        json_object_set_new(row, "active",
                            json_boolean(json_integer_value(json_object_get(row, "active"))));
    return LIMES_OK;
}

limes_rc limes_partner_load_demo(limes_store *s, int *added, limes_error *err)
{
    *added = 0;
    json_t *list;
    limes_rc rc = limes_partner_list(s, NULL, NULL, NULL, &list, err);
    if (rc)
        return rc;
    size_t existing = json_array_size(list);
    json_decref(list);
    if (existing)
        return LIMES_OK;
    json_t *demo;
    rc = protect_embedded("referral-partners-demo.json", &demo, err);
    size_t i;
    const json_t *entry;
    json_array_foreach(json_object_get(demo, "partners"), i, entry) {
        if (rc)
            break;
        rc = limes_partner_add(s, entry, time_now_ms(), NULL, err);
        *added += rc == LIMES_OK;
    }
    json_decref(demo);
    return rc;
}
