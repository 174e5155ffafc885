/*
 * travellers.c - travellers and their documents: found by document
 * (issuing state + number), created on first sight, searched by document
 * number or by name.
 *
 * Name search meets spellings through the screening normaliser (src/names):
 * each traveller keeps the consonant skeletons of the name tokens
 * (name_skel, " MHMD SLH "), so candidates are found by the skeleton of the
 * query's most distinctive token whatever the spelling or script, then
 * ranked with the screening name score.  A plain fold (name_key: upper
 * case, Latin accents dropped) also finds substrings of the name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "border_int.h"
#include "core/date.h"
#include "limes/screen.h"
#include "names/names.h"

/* Base letter of U+00C0..U+00FF (Latin-1 supplement), 0 if none. */
static char latin1_base(unsigned cp)
{
    static const char map[] = "AAAAAAACEEEEIIIIDNOOOOOxOUUUUYTsaaaaaaaceeeeiiiidnooooo/ouuuuyty";
    if (cp < 0xC0 || cp > 0xFF)
        return 0;
    char c = map[cp - 0xC0];
    if (c == 'x' || c == '/')
        return 0;
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

void border_name_key(const char *in, char *out, size_t n)
{
    size_t w = 0;
    bool space = true; /* no leading space */
    const unsigned char *p = (const unsigned char *)(in ? in : "");
    while (*p && w + 4 < n) {
        char c = 0;
        if (*p < 0x80) {
            c = (char)*p;
            if (c >= 'a' && c <= 'z')
                c = (char)(c - 'a' + 'A');
            if (!(c >= 'A' && c <= 'Z'))
                c = ' ';
            p++;
        } else if ((*p & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
            unsigned cp = ((unsigned)(*p & 0x1F) << 6) | (p[1] & 0x3F);
            c = latin1_base(cp);
            if (!c) { /* keep other scripts as they are */
                out[w++] = (char)p[0];
                out[w++] = (char)p[1];
                space = false;
            }
            p += 2;
            if (!c)
                continue;
        } else {
            /* 3- and 4-byte sequences (Arabic presentation forms, CJK...) kept as is */
            size_t len = (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 1;
            for (size_t i = 0; i < len && p[i]; i++)
                out[w++] = (char)p[i];
            p += len;
            space = false;
            continue;
        }
        if (c == ' ') {
            if (!space)
                out[w++] = ' ';
            space = true;
        } else {
            out[w++] = c;
            space = false;
        }
    }
    while (w > 0 && out[w - 1] == ' ')
        w--;
    out[w] = '\0';
}

/* " SKEL1 SKEL2 " of a name through the screening normaliser; "" if none. */
static void skeleton_key(const char *name, char *out, size_t n)
{
    out[0] = '\0';
    /* malloc: names_normalize sets every token it reports (zeroing the whole
     * struct was ~6k instructions per new traveller). */
    name_parts *parts = malloc(sizeof *parts);
    if (!parts)
        return;
    if (names_normalize(name, strlen(name), 0, parts, NULL) == LIMES_OK) {
        size_t w = 0;
        for (int i = 0; i < parts->n; i++) {
            const char *sk = parts->tok[i].skel_na[0] ? parts->tok[i].skel_na : parts->tok[i].skel;
            size_t len = strlen(sk);
            if (!len || w + len + 3 >= n)
                continue;
            out[w++] = ' ';
            memcpy(out + w, sk, len);
            w += len;
        }
        if (w) {
            out[w++] = ' ';
            out[w] = '\0';
        }
    }
    free(parts);
}

/* The longest skeleton of a name (its most distinctive token), "" if none. */
static void longest_skeleton(const char *key, char *out, size_t n)
{
    out[0] = '\0';
    size_t best = 0;
    for (const char *p = key; *p;) {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, " ");
        if (len > best && len < n) {
            memcpy(out, p, len);
            out[len] = '\0';
            best = len;
        }
        p += len;
    }
}

static const char *nz(const char *s) { return s ? s : ""; }

limes_rc border_doc_valid(const limes_document_ref *d, limes_error *err)
{
    if (!d->issuer || !*d->issuer || strlen(d->issuer) > 3)
        return limes_fail(err, LIMES_INVALID, "document/issuer",
                          "the issuing state (three letters) is required");
    if (!d->number || !*d->number || strlen(d->number) > 40)
        return limes_fail(err, LIMES_INVALID, "document/number",
                          "the document number is required (at most 40 characters)");
    return LIMES_OK;
}

static limes_rc insert_document(store_tx *tx, int64_t traveller, const limes_document_ref *d,
                                int64_t now_ms, int64_t *doc_id, limes_error *err)
{
    store_val p[] = {sv_int(traveller),          sv_text(nz(d->doc_type)), sv_text(d->issuer),
                     sv_text(d->number),         sv_text(nz(d->expiry_date)), sv_int(now_ms)};
    limes_rc rc = store_insert_id(tx,
                                  "INSERT INTO traveller_documents (traveller_id, doc_type, "
                                  "issuer, number, expiry_date, first_seen_ms) VALUES ($1, $2, "
                                  "$3, $4, $5, $6)",
                                  p, 6, doc_id, err);
    if (rc == LIMES_EXISTS)
        limes_fail(err, LIMES_EXISTS, "document/number", "document %s %s belongs to a traveller",
                   d->issuer, d->number);
    return rc;
}

void border_traveller_keys(const limes_person *p, char key[512], char skel[256])
{
    char full[512];
    snprintf(full, sizeof full, "%s %s", nz(p->surname), nz(p->given_names));
    border_name_key(full, key, 512);
    skeleton_key(full, skel, 256);
}

static limes_rc insert_traveller(store_tx *tx, const limes_person *p,
                                 const limes_document_ref *doc, int32_t day, int64_t now_ms,
                                 int64_t *id, limes_error *err)
{
    char key[512], skel[256], first[64] = "";
    border_traveller_keys(p, key, skel);
    if (doc && doc->number && *doc->number)
        snprintf(first, sizeof first, "%s/%s", nz(doc->issuer), doc->number);
    store_val v[] = {sv_text(nz(p->surname)),     sv_text(nz(p->given_names)), sv_text(key),
                     sv_text(nz(p->birth_date)),  sv_text(nz(p->sex)),
                     sv_text(nz(p->nationality)), sv_int(now_ms),             sv_int(day),
                     sv_text(skel),               sv_text(first)};
    return store_insert_id(tx,
                           "INSERT INTO travellers (surname, given_names, name_key, birth_date, "
                           "sex, nationality, created_ms, last_activity_day, name_skel, "
                           "first_document) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                           v, 10, id, err);
}

limes_rc border_person_valid(const limes_person *p, limes_error *err)
{
    if (strlen(nz(p->surname)) > 200 || strlen(nz(p->given_names)) > 200)
        return limes_fail(err, LIMES_INVALID, "person/surname", "names are at most 200 bytes");
    int32_t d;
    if (p->birth_date && *p->birth_date && limes_day_parse(p->birth_date, "person/birth_date", &d,
                                                           err))
        return LIMES_INVALID;
    if (strlen(nz(p->nationality)) > 3 || strlen(nz(p->sex)) > 1)
        return limes_fail(err, LIMES_INVALID, "person/nationality",
                          "nationality is a three-letter code, sex one letter");
    return LIMES_OK;
}

limes_rc border_traveller_resolve(store_tx *tx, int64_t traveller_id, const limes_person *p,
                                  const limes_document_ref *doc, int32_t day, int64_t now_ms,
                                  int64_t *out_id, int64_t *doc_id, bool *created,
                                  limes_error *err)
{
    *doc_id = 0;
    bool is_new = false;
    bool have_doc = doc && doc->number && *doc->number;
    limes_rc rc;
    if (have_doc && (rc = border_doc_valid(doc, err)))
        return rc;
    if ((rc = border_person_valid(p, err)))
        return rc;
    if (!traveller_id && !have_doc)
        return limes_fail(err, LIMES_INVALID, "document",
                          "a document (issuer and number) or a traveller_id is required");
    store_rows *r;
    int64_t holder = 0;
    if (have_doc) {
        store_val q[] = {sv_text(doc->issuer), sv_text(doc->number)};
        if ((rc = store_query(tx, "SELECT id, traveller_id FROM traveller_documents "
                                  "WHERE issuer = $1 AND number = $2", q, 2, &r, err)))
            return rc;
        if (store_rows_next(r, err) == 1) {
            *doc_id = store_col_int(r, 0);
            holder = store_col_int(r, 1);
        }
        store_rows_close(r);
    }
    if (traveller_id) {
        int64_t found;
        store_val q[] = {sv_int(traveller_id)};
        rc = store_query_int(tx, "SELECT id FROM travellers WHERE id = $1", q, 1, &found, err);
        if (rc == LIMES_NOT_FOUND)
            return limes_fail(err, LIMES_INVALID, "traveller_id", "no traveller %lld",
                              (long long)traveller_id);
        if (rc)
            return rc;
        if (holder && holder != traveller_id)
            return limes_fail(err, LIMES_CONFLICT, "document/number",
                              "document %s %s belongs to another traveller", doc->issuer,
                              doc->number);
        holder = traveller_id;
    }
    if (!holder) {
        if ((rc = insert_traveller(tx, p, have_doc ? doc : NULL, day, now_ms, &holder, err)))
            return rc;
        is_new = true;
    }
    if (have_doc && !*doc_id && (rc = insert_document(tx, holder, doc, now_ms, doc_id, err)))
        return rc;
    if (!is_new) { /* a new traveller's activity day is set already */
        store_val u[] = {sv_int(day), sv_int(holder)};
        rc = store_exec(tx, "UPDATE travellers SET last_activity_day = $1 WHERE id = $2 AND "
                            "last_activity_day < $1", u, 2, err);
    }
    *out_id = holder;
    if (created)
        *created = is_new;
    return rc;
}

limes_rc border_time(int64_t at_ms, int64_t now_ms, int64_t *out_ms, int32_t *day,
                     limes_error *err)
{
    if (at_ms == 0)
        at_ms = now_ms;
    if (at_ms < 0)
        return limes_fail(err, LIMES_INVALID, "at", "the time is before 1970");
    if (at_ms > now_ms + BORDER_FUTURE_SLACK_MS)
        return limes_fail(err, LIMES_INVALID, "at", "the time is in the future");
    *out_ms = at_ms;
    *day = (int32_t)(at_ms / 86400000);
    return LIMES_OK;
}

limes_rc limes_traveller_get(limes_store *s, int64_t id, json_t **out, limes_error *err)
{
    store_tx *tx;
    limes_rc rc = store_begin(s, false, &tx, err);
    if (rc)
        return rc;
    json_t *rows = NULL, *docs = NULL;
    store_val p[] = {sv_int(id)};
    rc = store_query_json(tx, "SELECT id, surname, given_names, birth_date, sex, nationality "
                              "FROM travellers WHERE id = $1", p, 1, &rows, err);
    if (!rc)
        rc = store_query_json(tx, "SELECT id, doc_type, issuer, number, expiry_date FROM "
                                  "traveller_documents WHERE traveller_id = $1 ORDER BY id",
                              p, 1, &docs, err);
    store_rollback(tx);
    if (!rc && json_array_size(rows) == 0)
        rc = limes_fail(err, LIMES_NOT_FOUND, "id", "no traveller %lld", (long long)id);
    if (!rc) {
        *out = json_incref(json_array_get(rows, 0));
        json_object_set(*out, "documents", docs);
    }
    json_decref(rows);
    json_decref(docs);
    return rc;
}

#define NAME_CANDIDATES 2000
#define NAME_MIN_SCORE 0.80

static int by_score(const void *a, const void *b)
{
    double x = json_real_value(json_object_get(*(json_t *const *)a, "score"));
    double y = json_real_value(json_object_get(*(json_t *const *)b, "score"));
    return (x < y) - (x > y);
}

/* Rank candidates by the screening name score; keep the good ones, best first. */
static json_t *rank_by_name(json_t *candidates, const char *query, const char *key, int limit)
{
    size_t n = json_array_size(candidates), k = 0;
    json_t **keep = calloc(n ? n : 1, sizeof *keep);
    size_t i;
    json_t *c;
    json_array_foreach(candidates, i, c)
    {
        char full[512];
        snprintf(full, sizeof full, "%s %s",
                 nz(json_string_value(json_object_get(c, "given_names"))),
                 nz(json_string_value(json_object_get(c, "surname"))));
        double score = 0;
        if (limes_names_score(query, full, &score, NULL, NULL) != LIMES_OK)
            score = 0;
        const char *nk = json_string_value(json_object_get(c, "name_key"));
        bool substring = nk && strstr(nk, key);
        if (substring && score < 0.9)
            score = 0.9; /* the query is written inside the name */
        if (keep && score >= NAME_MIN_SCORE) {
            json_object_set_new(c, "score", json_real(score));
            keep[k++] = c;
        }
    }
    json_t *out = json_array();
    if (keep) {
        qsort(keep, k, sizeof *keep, by_score);
        for (size_t j = 0; j < k && j < (size_t)limit; j++) {
            json_object_del(keep[j], "name_key");
            json_array_append(out, keep[j]);
        }
    }
    free(keep);
    return out;
}

limes_rc limes_traveller_search(limes_store *s, const char *document, const char *name,
                                int limit, json_t **out, limes_error *err)
{
    if (limit < 1 || limit > 500)
        return limes_fail(err, LIMES_INVALID, "limit", "limit must be 1 to 500");
    char key[256] = "", skel[256] = "", longest[NAMES_SKEL_BYTES + 2] = "", like_skel[64];
    if (name) {
        if (strlen(name) > 200)
            return limes_fail(err, LIMES_INVALID, "name", "name is at most 200 bytes");
        border_name_key(name, key, sizeof key);
        if (strlen(key) < 2)
            return limes_fail(err, LIMES_INVALID, "name", "name needs at least 2 letters");
        skeleton_key(name, skel, sizeof skel);
        longest_skeleton(skel, longest, sizeof longest);
    }
    if ((!document || !*document) && !key[0])
        return limes_fail(err, LIMES_INVALID, "document", "give a document number or a name");
    store_tx *tx;
    limes_rc rc = store_begin(s, false, &tx, err);
    if (rc)
        return rc;
    if (document && *document) {
        store_val p[] = {sv_text(document), sv_int(limit)};
        rc = store_query_json(tx, "SELECT DISTINCT t.id, t.surname, t.given_names, t.birth_date, "
                                  "t.sex, t.nationality FROM travellers t JOIN traveller_documents "
                                  "d ON d.traveller_id = t.id WHERE d.number = $1 ORDER BY t.id "
                                  "LIMIT $2", p, 2, out, err);
        store_rollback(tx);
        return rc;
    }
    /* Candidates: the fold contains the query, or a token has the query's longest
     * skeleton.  Neither key can hold LIKE wildcards (letters, spaces, other
     * scripts' bytes). */
    snprintf(like_skel, sizeof like_skel, " %s ", longest[0] ? longest : "\x01");
    store_val p[] = {sv_text(key), sv_text(like_skel), sv_int(NAME_CANDIDATES)};
    json_t *candidates = NULL;
    rc = store_query_json(tx, "SELECT id, surname, given_names, birth_date, sex, nationality, "
                              "name_key FROM travellers WHERE name_key LIKE '%' || CAST($1 AS "
                              "TEXT) || '%' OR name_skel LIKE '%' || CAST($2 AS TEXT) || '%' "
                              "ORDER BY id LIMIT $3", p, 3, &candidates, err);
    store_rollback(tx);
    if (rc)
        return rc;
    *out = rank_by_name(candidates, name, key, limit);
    json_decref(candidates);
    return LIMES_OK;
}

limes_rc limes_traveller_add_document(limes_store *s, int64_t traveller_id,
                                      const limes_document_ref *doc, limes_error *err)
{
    limes_rc rc = border_doc_valid(doc, err);
    if (rc)
        return rc;
    store_tx *tx;
    if ((rc = store_begin(s, true, &tx, err)))
        return rc;
    int64_t found, doc_id;
    store_val q[] = {sv_int(traveller_id)};
    rc = store_query_int(tx, "SELECT id FROM travellers WHERE id = $1", q, 1, &found, err);
    if (rc == LIMES_NOT_FOUND)
        limes_fail(err, LIMES_NOT_FOUND, "id", "no traveller %lld", (long long)traveller_id);
    if (!rc)
        rc = insert_document(tx, traveller_id, doc, time_now_ms(), &doc_id, err);
    if (rc) {
        store_rollback(tx);
        return rc;
    }
    return store_commit(tx, err);
}

limes_rc limes_traveller_crossings(limes_store *s, int64_t id, json_t **out, limes_error *err)
{
    store_tx *tx;
    limes_rc rc = store_begin(s, false, &tx, err);
    if (rc)
        return rc;
    int64_t found;
    store_val p[] = {sv_int(id)};
    rc = store_query_int(tx, "SELECT id FROM travellers WHERE id = $1", p, 1, &found, err);
    if (rc == LIMES_NOT_FOUND)
        limes_fail(err, LIMES_NOT_FOUND, "id", "no traveller %lld", (long long)id);
    if (!rc)
        rc = store_query_json(
            tx,
            "SELECT c.id, c.direction, c.day, c.at_ms, b.code AS bcp, c.officer, c.check_id, "
            "c.stay_id, c.counts, c.travel_mode, c.travel_ref, c.anomaly, d.issuer AS "
            "document_issuer, d.number AS document_number FROM crossings c JOIN bcp b ON b.id = "
            "c.bcp_id LEFT JOIN traveller_documents d ON d.id = c.document_id WHERE "
            "c.traveller_id = $1 ORDER BY c.at_ms DESC, c.id DESC",
            p, 1, out, err);
    store_rollback(tx);
    if (rc)
        return rc;
    /* days as ISO dates for people */
    size_t i;
    json_t *row;
    json_array_foreach(*out, i, row)
    {
        char iso[11];
        limes_day_format((int32_t)json_integer_value(json_object_get(row, "day")), iso);
        json_object_set_new(row, "date", json_string(iso));
    }
    return LIMES_OK;
}
