/*
 * align.c - aligning the tokens of a query name with those of an entry
 * name, in any order: the best remaining option is taken first (greedy
 * best pairs, as watchman does), each token used at most once.  Options
 * are single token pairs and merges - two adjacent tokens of one side
 * joined against one token of the other ("abudl salam" ~ "abdsalam",
 * "al zaydi" ~ "alzaydi") - so split and merged tokens align.
 *
 * Score = weighted share of the query explained by its matched tokens,
 * times a penalty for entry tokens left over (a missing middle name costs
 * a little, an entry that is mostly unexplained costs more):
 *     score = sum(w_i * s_i) / sum(w_i) * (1 - ENTRY_PENALTY * (1 - matched_entry / entry_tokens))
 * Initials weigh half a token.  Pairs below TOK_MIN do not match.
 */
#include <string.h>

#include "screen_int.h"

#define ENTRY_PENALTY 0.25

static void take_pair(const struct align_in *in, struct align_out *out, bool *qused,
                      bool *eused, int i, int j, double *matched, int *ematched)
{
    qused[i] = eused[j] = true;
    out->q_to_e[i] = (int8_t)j;
    out->e_to_q[j] = (int8_t)i;
    out->q_sim[i] = in->sim[i][j];
    out->q_how[i] = in->how[i][j];
    *matched += in->qw[i] * in->sim[i][j];
    (*ematched)++;
}

static void take_merge(const struct align_in *in, struct align_out *out, bool *qused,
                       bool *eused, const struct merge *m, double *matched, int *ematched)
{
    qused[m->q0] = eused[m->e0] = true;
    out->q_to_e[m->q0] = m->e0;
    out->e_to_q[m->e0] = m->q0;
    out->q_sim[m->q0] = m->sim;
    out->q_how[m->q0] = NM_MERGED;
    *matched += in->qw[m->q0] * m->sim;
    (*ematched)++;
    if (m->q1 >= 0) {
        qused[m->q1] = true;
        out->q_to_e[m->q1] = m->e0;
        out->q_partner[m->q0] = m->q1;
        out->q_partner[m->q1] = m->q0;
        out->q_sim[m->q1] = m->sim;
        out->q_how[m->q1] = NM_MERGED;
        *matched += in->qw[m->q1] * m->sim;
    }
    if (m->e1 >= 0) {
        eused[m->e1] = true;
        out->e_to_q[m->e1] = m->q0;
        out->q_to_e2[m->q0] = m->e1;
        (*ematched)++;
    }
}

/* A token pair that can match, for the greedy order. */
struct cand_pair {
    float sim;
    int8_t i, j;
};

/*
 * The pairs at or above TOK_MIN, best first, ties in row-major order:
 * the order in which the greedy loop would pick them if all stayed free.
 * Returns how many.
 */
static int sorted_pairs(const struct align_in *in, struct cand_pair *p)
{
    int n = 0;
    for (int i = 0; i < in->nq; i++)
        for (int j = 0; j < in->ne; j++) {
            float s = in->sim[i][j];
            if (s < (float)TOK_MIN)
                continue;
            int k = n++;
            while (k > 0 && p[k - 1].sim < s) { /* stable: equal sims keep row-major order */
                p[k] = p[k - 1];
                k--;
            }
            p[k] = (struct cand_pair){s, (int8_t)i, (int8_t)j};
        }
    return n;
}

/* The best merge still free that beats a pair of sim `best` (or any, if have_pair is false). */
static int best_merge(const struct align_in *in, const bool *qused, const bool *eused,
                      float best, bool have_pair)
{
    int bm = -1;
    for (int k = 0; k < in->nmerges; k++) {
        const struct merge *m = &in->merges[k];
        if (qused[m->q0] || eused[m->e0] || (m->q1 >= 0 && qused[m->q1]) ||
            (m->e1 >= 0 && eused[m->e1]) || m->sim < best || (have_pair && m->sim <= best))
            continue;
        best = m->sim;
        bm = k;
    }
    return bm;
}

void screen_align(const struct align_in *in, struct align_out *out)
{
    bool qused[NAMES_MAX_TOKENS] = {0}, eused[NAMES_MAX_TOKENS] = {0};
    memset(out->q_to_e, -1, sizeof out->q_to_e);
    memset(out->e_to_q, -1, sizeof out->e_to_q);
    memset(out->q_to_e2, -1, sizeof out->q_to_e2);
    memset(out->q_partner, -1, sizeof out->q_partner);
    memset(out->q_sim, 0, sizeof out->q_sim);
    memset(out->q_how, NM_NONE, sizeof out->q_how);
    double matched = 0.0, total = 0.0;
    int ematched = 0;
    struct cand_pair pairs[NAMES_MAX_TOKENS * NAMES_MAX_TOKENS];
    int npairs = sorted_pairs(in, pairs), next = 0;
    /* greedy: the best free option each time; a pair passed over is never free again */
    for (;;) {
        while (next < npairs && (qused[pairs[next].i] || eused[pairs[next].j]))
            next++;
        bool have_pair = next < npairs;
        float best = have_pair ? pairs[next].sim : (float)TOK_MIN;
        int bm = in->nmerges ? best_merge(in, qused, eused, best, have_pair) : -1;
        if (bm >= 0)
            take_merge(in, out, qused, eused, &in->merges[bm], &matched, &ematched);
        else if (have_pair)
            take_pair(in, out, qused, eused, pairs[next].i, pairs[next].j, &matched, &ematched);
        else
            break;
    }
    for (int i = 0; i < in->nq; i++)
        total += in->qw[i];
    if (total <= 0 || in->ne == 0) {
        out->score = 0.0;
        return;
    }
    double ecov = (double)ematched / (double)in->ne;
    out->score = matched / total * (1.0 - ENTRY_PENALTY * (1.0 - ecov));
    if (out->score > 1.0)
        out->score = 1.0;
}

static void add_merge(struct align_in *in, int q0, int q1, int e0, int e1, double sim)
{
    if (sim < TOK_MIN || in->nmerges >= MAX_MERGES)
        return;
    /* only worth it if the join beats each part on its own */
    double part = q1 >= 0 ? (in->sim[q0][e0] > in->sim[q1][e0] ? in->sim[q0][e0] : in->sim[q1][e0])
                          : (in->sim[q0][e0] > in->sim[q0][e1] ? in->sim[q0][e0] : in->sim[q0][e1]);
    if (sim <= part)
        return;
    in->merges[in->nmerges++] = (struct merge){(int8_t)q0, (int8_t)q1, (int8_t)e0, (int8_t)e1,
                                               (float)sim};
}

/*
 * Cheap test before the full token comparison: same script, close length,
 * close text; across Arabic and Latin script, close skeletons or one learnt
 * variant group (لا لا and Lala; the joined token must then be finished
 * first, which the caller does).
 */
static bool worth_joining(const name_token *joined, const name_token *t)
{
    if (joined->script != t->script)
        return false;
    if (joined->ncp + 3 < t->ncp || t->ncp + 3 < joined->ncp)
        return false;
    return names_jaro_winkler(joined->cp, joined->ncp, t->cp, t->ncp, false) >= 0.75;
}

static bool cross_script(const name_token *a, const name_token *b)
{
    return (a->script == NS_ARABIC && b->script == NS_LATIN) ||
           (a->script == NS_LATIN && b->script == NS_ARABIC);
}

static bool skeletons_close(const char *a, const char *b)
{
    return strlen(a) >= 3 && strlen(b) >= 3 && names_skeleton_jw(a, b) >= 0.85;
}

void screen_add_merges(const name_token *q, int nq, const name_token *qjoin,
                       const bool *qjoin_ok, const name_token *const *ep, int ne,
                       struct align_in *in)
{
    in->nmerges = 0;
    for (int i = 0; i + 1 < nq; i++) {
        if (!qjoin_ok[i] || (in->sim[i][0] >= 0.99f && in->sim[i + 1][0] >= 0.99f))
            continue;
        for (int j = 0; j < ne; j++)
            if (worth_joining(&qjoin[i], ep[j]) ||
                (cross_script(&qjoin[i], ep[j]) && (skeletons_close(qjoin[i].skel, ep[j]->skel) ||
                                                    names_share_group(&qjoin[i], ep[j]))))
                add_merge(in, i, i + 1, j, -1, names_token_sim(&qjoin[i], ep[j], NULL));
    }
    for (int j = 0; j + 1 < ne; j++) {
        name_token joined;
        if (ep[j]->script != ep[j + 1]->script || (ep[j]->flags | ep[j + 1]->flags) & NT_INITIAL ||
            ep[j]->ncp + ep[j + 1]->ncp > NAMES_MAX_CHARS)
            continue;
        /* the raw join first; the canonical token only if some query token is close */
        joined.script = ep[j]->script;
        joined.ncp = (uint8_t)(ep[j]->ncp + ep[j + 1]->ncp);
        memcpy(joined.cp, ep[j]->cp, ep[j]->ncp * sizeof ep[j]->cp[0]);
        memcpy(joined.cp + ep[j]->ncp, ep[j + 1]->cp, ep[j + 1]->ncp * sizeof ep[j]->cp[0]);
        bool finished = false;
        for (int i = 0; i < nq; i++) {
            if (cross_script(ep[j], &q[i])) {
                if (!finished && !names_join_tokens(ep[j], ep[j + 1], &joined))
                    break;
                finished = true;
                if (skeletons_close(joined.skel, q[i].skel))
                    add_merge(in, i, -1, j, j + 1, names_token_sim(&q[i], &joined, NULL));
                continue;
            }
            if (!worth_joining(&joined, &q[i]))
                continue;
            if (!finished && !names_join_tokens(ep[j], ep[j + 1], &joined))
                break;
            finished = true;
            add_merge(in, i, -1, j, j + 1, names_token_sim(&q[i], &joined, NULL));
        }
    }
}
