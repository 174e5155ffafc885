/*
 * bcp.c - border crossing points: a code, names in English, Arabic and
 * French, the kind of border (air, land, sea) and the country.  Every
 * crossing, refusal and detection names the point it happened at.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "border_int.h"
#include "core/date.h"
#include "core/embed.h"

extern const struct embedded_file border_data[];
extern const size_t border_data_count;

static bool bcp_code_ok(const char *c)
{
    size_t len = c ? strlen(c) : 0;
    if (len < 2 || len > 16)
        return false;
    for (; *c; c++)
        if (!((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
            return false;
    return true;
}

static bool country_ok(const char *c)
{
    size_t len = c ? strlen(c) : 0;
    if (len < 1 || len > 3)
        return false;
    for (; *c; c++)
        if (!(*c >= 'A' && *c <= 'Z'))
            return false;
    return true;
}

static limes_rc validate(const limes_bcp *b, limes_error *err)
{
    if (!bcp_code_ok(b->code))
        return limes_fail(err, LIMES_INVALID, "code",
                          "code must be 2 to 16 of A-Z, 0-9, '-' and '_'");
    if (!b->name_en || !*b->name_en || strlen(b->name_en) > 200)
        return limes_fail(err, LIMES_INVALID, "name_en", "name_en is required (at most 200 bytes)");
    if ((b->name_ar && strlen(b->name_ar) > 400) || (b->name_fr && strlen(b->name_fr) > 200))
        return limes_fail(err, LIMES_INVALID, "name_ar", "names are at most 200 characters");
    if (!b->kind || (strcmp(b->kind, "air") && strcmp(b->kind, "land") && strcmp(b->kind, "sea")))
        return limes_fail(err, LIMES_INVALID, "kind", "kind must be air, land or sea");
    if (!country_ok(b->country))
        return limes_fail(err, LIMES_INVALID, "country",
                          "country must be an ICAO code of 1 to 3 letters A-Z");
    return LIMES_OK;
}

limes_rc limes_bcp_add(limes_store *s, const limes_bcp *b, int64_t *id, limes_error *err)
{
    limes_rc rc = validate(b, err);
    if (rc)
        return rc;
    store_tx *tx;
    if ((rc = store_begin(s, true, &tx, err)))
        return rc;
    store_val p[] = {sv_text(b->code),  sv_text(b->name_en), sv_text(b->name_ar ? b->name_ar : ""),
                     sv_text(b->name_fr ? b->name_fr : ""), sv_text(b->kind), sv_text(b->country),
                     sv_int(time_now_ms())};
    int64_t new_id = 0;
    rc = store_insert_id(tx,
                         "INSERT INTO bcp (code, name_en, name_ar, name_fr, kind, country, "
                         "created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                         p, 7, &new_id, err);
    if (rc == LIMES_EXISTS)
        limes_fail(err, LIMES_EXISTS, "code", "crossing point %s exists already", b->code);
    if (rc) {
        store_rollback(tx);
        return rc;
    }
    rc = store_commit(tx, err);
    if (!rc && id)
        *id = new_id;
    return rc;
}

#define BCP_COLUMNS "id, code, name_en, name_ar, name_fr, kind, country"

limes_rc limes_bcp_get(limes_store *s, const char *code, json_t **out, limes_error *err)
{
    store_tx *tx;
    limes_rc rc = store_begin(s, false, &tx, err);
    if (rc)
        return rc;
    json_t *rows;
    store_val p[] = {sv_text(code ? code : "")};
    rc = store_query_json(tx, "SELECT " BCP_COLUMNS " FROM bcp WHERE code = $1", p, 1, &rows,
                          err);
    store_rollback(tx);
    if (rc)
        return rc;
    if (json_array_size(rows) == 0) {
        json_decref(rows);
        return limes_fail(err, LIMES_NOT_FOUND, "code", "no crossing point %s", code);
    }
    *out = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    return LIMES_OK;
}

limes_rc limes_bcp_list(limes_store *s, json_t **out, limes_error *err)
{
    store_tx *tx;
    limes_rc rc = store_begin(s, false, &tx, err);
    if (rc)
        return rc;
    rc = store_query_json(tx, "SELECT " BCP_COLUMNS " FROM bcp ORDER BY code", NULL, 0, out, err);
    store_rollback(tx);
    return rc;
}

limes_rc border_bcp_id(store_tx *tx, const char *code, const char *field, int64_t *id,
                       limes_error *err)
{
    if (!code || !*code)
        return limes_fail(err, LIMES_INVALID, field, "%s (crossing point code) is required",
                          field);
    store_val p[] = {sv_text(code)};
    limes_rc rc = store_query_int(tx, "SELECT id FROM bcp WHERE code = $1", p, 1, id, err);
    if (rc == LIMES_NOT_FOUND)
        return limes_fail(err, LIMES_INVALID, field, "unknown crossing point '%s'", code);
    return rc;
}

limes_rc border_bcp_memo(store_tx *tx, const char *code, struct border_bcp_memo *m, int64_t *id,
                         limes_error *err)
{
    for (int i = 0; m && code && i < BORDER_BCP_MEMO; i++) {
        if (m->id[i] && strcmp(code, m->code[i]) == 0) {
            *id = m->id[i];
            return LIMES_OK;
        }
    }
    limes_rc rc = border_bcp_id(tx, code, "bcp", id, err);
    if (!rc && m && strlen(code) < sizeof m->code[0]) {
        memcpy(m->code[m->next], code, strlen(code) + 1);
        m->id[m->next] = *id;
        m->next = (m->next + 1) % BORDER_BCP_MEMO;
    }
    return rc;
}

limes_rc limes_bcp_add_demo(limes_store *s, limes_error *err)
{
    const struct embedded_file *f = embed_find(border_data, border_data_count, "demo_bcp.csv");
    if (!f)
        return limes_fail(err, LIMES_INTERNAL, "", "demo crossing points missing");
    char *copy = strdup(f->data);
    if (!copy)
        return limes_fail(err, LIMES_NOMEM, "", "out of memory");
    limes_rc rc = LIMES_OK;
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line && !rc;
         line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#' || strncmp(line, "code,", 5) == 0)
            continue;
        char *c[6] = {0};
        if (border_csv_split(line, c, 6) != 6)
            continue;
        limes_bcp b = {.code = c[0], .kind = c[1], .country = c[2], .name_en = c[3],
                       .name_ar = c[4], .name_fr = c[5]};
        rc = limes_bcp_add(s, &b, NULL, err);
        if (rc == LIMES_EXISTS)
            rc = LIMES_OK;
    }
    free(copy);
    return rc;
}
