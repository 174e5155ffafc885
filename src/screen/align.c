/*
 * align.c - aligning the tokens of a query name with those of an entry
 * name, in any order: the best remaining token pair is taken first
 * (greedy best pairs, as watchman does), each token used at most once.
 *
 * Score = weighted share of the query explained by its matched tokens,
 * times a mild penalty for entry tokens left over (a missing middle name
 * costs little, an entry that is mostly unexplained costs more):
 *     score = sum(w_i * s_i) / sum(w_i) * (1 - 0.15 * (1 - matched_entry / entry_tokens))
 * Initials weigh half a token.  Pairs below TOK_MIN do not match.
 */
#include "screen_int.h"

void screen_align(const struct align_in *in, struct align_out *out)
{
    bool qused[NAMES_MAX_TOKENS] = {0}, eused[NAMES_MAX_TOKENS] = {0};
    for (int i = 0; i < NAMES_MAX_TOKENS; i++)
        out->q_to_e[i] = out->e_to_q[i] = -1;
    int pairs = in->nq < in->ne ? in->nq : in->ne;
    double matched = 0.0, total = 0.0;
    int ematched = 0;
    for (int k = 0; k < pairs; k++) {
        float best = (float)TOK_MIN;
        int bi = -1, bj = -1;
        for (int i = 0; i < in->nq; i++) {
            if (qused[i])
                continue;
            for (int j = 0; j < in->ne; j++)
                if (!eused[j] && in->sim[i][j] >= best &&
                    (bi < 0 || in->sim[i][j] > best)) {
                    best = in->sim[i][j];
                    bi = i;
                    bj = j;
                }
        }
        if (bi < 0)
            break;
        qused[bi] = eused[bj] = true;
        out->q_to_e[bi] = (int8_t)bj;
        out->e_to_q[bj] = (int8_t)bi;
        matched += in->qw[bi] * best;
        ematched++;
    }
    for (int i = 0; i < in->nq; i++)
        total += in->qw[i];
    if (total <= 0 || in->ne == 0) {
        out->score = 0.0;
        return;
    }
    double ecov = (double)ematched / (double)in->ne;
    out->score = matched / total * (1.0 - 0.15 * (1.0 - ecov));
}
