/*
 * result.c - freeing screening results and rendering them as JSON for the
 * CLI and the API: each hit with its score, list, entry, action and the
 * explanation (token matches, date of birth, nationality, gender,
 * document).
 */
#include <stdlib.h>

#include "screen_int.h"

void limes_screen_result_free(limes_screen_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nhits; i++) {
        limes_screen_hit *h = &r->hits[i];
        free(h->list);
        free(h->ref);
        free(h->action);
        free(h->version);
        free(h->matched_name);
        free(h->suppression);
    }
    free(r->hits);
    r->hits = NULL;
    r->nhits = 0;
}

static json_t *evidence_json(const limes_screen_evidence *ev)
{
    return json_pack("{s:f, s:s}", "delta", ev->delta, "note", ev->note);
}

static json_t *hit_json(const limes_screen_hit *h)
{
    json_t *matches = json_array();
    for (int i = 0; i < h->nmatches; i++) {
        const limes_screen_match *m = &h->matches[i];
        json_array_append_new(matches, json_pack("{s:s, s:s, s:s, s:f}", "query", m->query,
                                                 "entry", m->entry, "how", m->how, "score",
                                                 m->score));
    }
    json_t *explain = json_pack("{s:o, s:o, s:o, s:o}", "matches", matches, "dob",
                                evidence_json(&h->dob), "nationality",
                                evidence_json(&h->nationality), "gender",
                                evidence_json(&h->gender));
    if (h->document.note[0])
        json_object_set_new(explain, "document", evidence_json(&h->document));
    json_t *o = json_pack("{s:f, s:f, s:f, s:b, s:b, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:o}",
                          "score", h->score, "name_score", h->name_score, "threshold",
                          h->threshold, "alert", h->alert, "suppressed", h->suppressed, "kind",
                          h->kind, "entry_id", (json_int_t)h->entry_id, "list", h->list, "ref",
                          h->ref, "action", h->action, "entry_version", h->version,
                          "matched_name", h->matched_name, "explanation", explain);
    if (h->suppression)
        json_object_set_new(o, "suppression", json_string(h->suppression));
    return o;
}

json_t *limes_screen_result_json(const limes_screen_result *r)
{
    json_t *hits = json_array();
    size_t alerts = 0;
    for (size_t i = 0; i < r->nhits; i++) {
        json_array_append_new(hits, hit_json(&r->hits[i]));
        alerts += r->hits[i].alert;
    }
    return json_pack("{s:s, s:s, s:I, s:I, s:I, s:o}", "identity_key", r->identity_key,
                     "query_tokens", r->query_tokens, "generation", (json_int_t)r->generation,
                     "candidates", (json_int_t)r->candidates, "alerts", (json_int_t)alerts,
                     "hits", hits);
}
