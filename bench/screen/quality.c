/*
 * quality.c - screening quality on the shared test data: recall of the UN
 * positives (yente fixtures, treated rows: typos, swaps, shifted dates)
 * at each threshold, false alerts per 1,000 synthetic negative travellers
 * (negatives_global.csv + negatives_us.csv against UN + OFAC), the
 * precision-recall table, cross-script recall (each UN individual's
 * Arabic original-script name against an index of the Latin names only,
 * and each Latin name against an index of the Arabic names only)
 * and OFAC alias recall (each alt.csv alias of an individual against the
 * list without that alias), also on the aliases a spelling model can reach
 * at all (reachable(): another spelling of one of the person's other
 * names, token for token), with per-query latency.
 *
 * usage: quality SHARED_DATA_DIR [MAX_NEGATIVES]
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "limes/lists.h"
#include "limes/screen.h"
#include "lists/lists_int.h"
#include "names/names.h"

#define NT 20 /* thresholds in the table: 0.60, 0.62, ... 0.98 */

/*
 * CPU time of this thread: the figures are per core and do not depend on
 * what else the (shared, 2-core) machine is running.
 */
static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* ---- minimal CSV (RFC 4180 quotes, one record per line) ---- */
static int csv_split(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        char *out = p;
        f[n++] = out;
        if (*p == '"') {
            p++;
            for (;;) {
                if (*p == '"' && p[1] == '"') {
                    *out++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else if (!*p) {
                    break;
                } else {
                    *out++ = *p++;
                }
            }
        } else {
            while (*p && *p != ',')
                *out++ = *p++;
        }
        char c = *p;
        *out = '\0';
        if (c != ',')
            break;
        p++;
    }
    return n;
}

struct row {
    char name[512], dob[16], nat[4], gender, ref[64];
};

/* full_name,first,middle,last,gender,date_of_birth,place_of_birth,nationality */
static size_t read_travellers(const char *path, struct row **out, size_t max)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    char line[4096];
    size_t n = 0, cap = 1024;
    struct row *rows = malloc(cap * sizeof *rows);
    if (!fgets(line, sizeof line, f)) /* header */
        exit(2);
    while (n < max && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *fld[8];
        if (csv_split(line, fld, 8) < 8)
            continue;
        if (n == cap)
            rows = realloc(rows, (cap *= 2) * sizeof *rows);
        struct row *r = &rows[n++];
        memset(r, 0, sizeof *r);
        snprintf(r->name, sizeof r->name, "%s", fld[0]);
        snprintf(r->dob, sizeof r->dob, "%s", fld[5]);
        r->gender = fld[4][0] == 'm' ? 'M' : fld[4][0] == 'f' ? 'F' : 0;
        country_code_alpha3(fld[7], r->nat);
    }
    fclose(f);
    *out = rows;
    return n;
}

static double thr(int k) { return 0.60 + 0.02 * k; }

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* ref is one of the ';'-separated references in want */
static bool ref_in(const char *ref, const char *want)
{
    size_t n = strlen(ref);
    for (const char *p = want; p && *p;) {
        const char *e = strchr(p, ';');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && !strncmp(p, ref, n))
            return true;
        p = e ? e + 1 : NULL;
    }
    return false;
}

/* Best score among hits whose ref equals want (want NULL: any hit); -1 if none. */
static double screen_one(const limes_screen_engine *e, const struct row *r, const char *want,
                         double *ms, int *rank)
{
    limes_screen_query q = {.name = r->name, .dob = r->dob[0] ? r->dob : NULL,
                            .nationality = r->nat[0] ? r->nat : NULL, .gender = r->gender,
                            .min_score = 0.55, .limit = 10};
    limes_screen_result res;
    limes_error err = {0};
    double t0 = now_ms();
    if (limes_screen_engine_query(e, &q, &res, &err)) {
        q.dob = NULL; /* malformed dates in the fixtures: screen by name */
        if (limes_screen_engine_query(e, &q, &res, &err))
            return -2;
    }
    *ms = now_ms() - t0;
    double best = -1;
    if (rank)
        *rank = 0;
    const char *dbg = getenv("SHOW_HITS"); /* a query name: print its hits */
    for (size_t i = 0; dbg && !strcmp(dbg, r->name) && i < res.nhits; i++)
        printf("hit: %s %.3f %s\n", res.hits[i].ref, res.hits[i].score, res.hits[i].matched_name);
    for (size_t i = 0; i < res.nhits; i++)
        if (!want || ref_in(res.hits[i].ref, want)) {
            if (res.hits[i].score > best) {
                best = res.hits[i].score;
                if (rank)
                    *rank = (int)i + 1;
            }
        }
    limes_screen_result_free(&res);
    return best;
}

static void latency_line(const char *what, double *ms, size_t n)
{
    qsort(ms, n, sizeof *ms, cmp_double);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += ms[i];
    printf("%s: %zu queries, p50 %.3f ms, p95 %.3f ms, p99 %.3f ms, mean %.3f ms (%.0f/s)\n",
           what, n, ms[n / 2], ms[n * 95 / 100], ms[n * 99 / 100], sum / (double)n,
           1000.0 * (double)n / sum);
}

/* A cross-script miss with the Latin names of the entry it should have found. */
static void show_xmiss(const limes_watch_set *latin, const char *name, const char *ref, double s,
                       bool original)
{
    printf("xmiss%s: %s -> %s (%.3f):", original ? "" : " (alias)", name, ref, s);
    for (size_t i = 0; i < latin->npersons; i++)
        if (!strcmp(latin->persons[i].ref, ref))
            for (size_t k = 0; k < latin->persons[i].nnames; k++)
                printf(" [%s]", latin->persons[i].names[k].full);
    printf("\n");
}

static void recall_lines(const size_t *found, size_t n)
{
    for (int k = 0; k < NT; k += 2)
        printf("  threshold %.2f: recall %.4f\n", thr(k), (double)found[k] / (double)n);
    int d = (int)lround((LIMES_SCREEN_DEFAULT_THRESHOLD - 0.60) / 0.02);
    printf("  threshold %.2f (default): recall %.4f\n", thr(d), (double)found[d] / (double)n);
}

/*
 * Can a spelling model tie this alias to the person's other names at all?
 * Yes when it is another spelling of one of them: as many tokens, each
 * token of the alias has a token spelt alike in that name and each token
 * of the name one in the alias (same normalised text, same consonant
 * skeleton of 2+ classes, or Jaro-Winkler >= 0.88 on texts whose lengths
 * differ by 2 at most).  The test does not use the
 * engine's similarity, so it does not move when the engine changes.
 * Kunyas, nicknames, other names altogether and shortened names (a part
 * of another name) fail it.
 */
static bool token_alike(const name_token *a, const name_token *b)
{
    if (a->script != b->script)
        return false;
    int dlen = (int)a->ncp - (int)b->ncp;
    if ((strlen(a->skel) >= 2 && !strcmp(a->skel, b->skel)) ||
        (dlen >= -2 && dlen <= 2 && names_jaro_winkler(a->cp, a->ncp, b->cp, b->ncp, false) >= 0.88))
        return true;
    return a->ncp == b->ncp && !memcmp(a->cp, b->cp, a->ncp * sizeof a->cp[0]);
}

/* Has every token of x a token spelt alike in y? */
static bool covered(const name_parts *x, const name_parts *y)
{
    for (int i = 0; i < x->n; i++) {
        bool met = false;
        for (int j = 0; !met && j < y->n; j++)
            met = token_alike(&x->tok[i], &y->tok[j]);
        if (!met)
            return false;
    }
    return true;
}

static bool reachable(const char *alias, const limes_watch_person *kept)
{
    static name_parts a, b;
    limes_error err = {0};
    if (names_normalize(alias, strlen(alias), 0, &a, &err))
        return false;
    for (size_t k = 0; k < kept->nnames; k++) {
        const char *n = kept->names[k].full;
        if (n && !names_normalize(n, strlen(n), 0, &b, &err) && a.n == b.n && covered(&a, &b) &&
            covered(&b, &a))
            return true;
    }
    return false;
}

static limes_watch_set *load(const char *dir)
{
    char un[1024], sdn[1024], alt[1024], add[1024];
    snprintf(un, sizeof un, "%s/screening/un/UN_consolidated_2026-02-27.xml", dir);
    snprintf(sdn, sizeof sdn, "%s/screening/ofac_2021/sdn.csv", dir);
    snprintf(alt, sizeof alt, "%s/screening/ofac_2021/alt.csv", dir);
    snprintf(add, sizeof add, "%s/screening/ofac_2021/add.csv", dir);
    limes_watch_set *a, *b;
    limes_import_report rep = {0};
    limes_error err = {0};
    limes_import_options ou = {.list = "UN"}, oo = {.list = "OFAC"};
    if (limes_import_un_xml_file(un, &ou, &a, &rep, &err) ||
        limes_import_ofac_files(sdn, alt, add, &oo, &b, &rep, &err)) {
        fprintf(stderr, "import: %s\n", limes_error_text(&err));
        exit(1);
    }
    /* join b into a (shallow: entries move) */
    a->persons = realloc(a->persons, (a->npersons + b->npersons) * sizeof *a->persons);
    memcpy(a->persons + a->npersons, b->persons, b->npersons * sizeof *b->persons);
    a->npersons += b->npersons;
    free(b->persons);
    b->persons = NULL;
    b->npersons = 0;
    limes_watch_set_free(b);
    return a;
}

/*
 * The other direction: the Latin primary name of each UN individual who
 * has an Arabic-script name, against an index holding the Arabic names
 * only.
 */
static void reverse_cross_script(const limes_watch_set *set, double *ms)
{
    limes_watch_set arabic = {0};
    arabic.persons = calloc(set->npersons ? set->npersons : 1, sizeof *arabic.persons);
    for (size_t i = 0; i < set->npersons; i++) {
        const limes_watch_person *p = &set->persons[i];
        if (strcmp(p->list, "UN") != 0)
            continue;
        limes_watch_person c = *p;
        c.names = calloc(p->nnames ? p->nnames : 1, sizeof *c.names);
        c.nnames = 0;
        for (size_t k = 0; k < p->nnames; k++)
            if (!strcmp(p->names[k].script, "Arab"))
                c.names[c.nnames++] = p->names[k];
        if (c.nnames)
            arabic.persons[arabic.npersons++] = c;
        else
            free(c.names);
    }
    limes_screen_engine *e;
    limes_error err = {0};
    if (limes_screen_engine_build(&arabic, NULL, &e, &err))
        exit(1);
    size_t found[NT] = {0}, nq = 0;
    for (size_t i = 0; i < arabic.npersons; i++) {
        const limes_watch_person *c = &arabic.persons[i];
        const limes_watch_person *p = NULL;
        for (size_t j = 0; j < set->npersons && !p; j++)
            if (set->persons[j].id == c->id && !strcmp(set->persons[j].ref, c->ref))
                p = &set->persons[j];
        for (size_t k = 0; p && k < p->nnames; k++) {
            if (!strcmp(p->names[k].script, "Arab") || p->names[k].quality != LIMES_NAME_PRIMARY)
                continue; /* aliases are often other names altogether */
            struct row r = {0};
            snprintf(r.name, sizeof r.name, "%s", p->names[k].full);
            double t, sc = screen_one(e, &r, c->ref, &t, NULL);
            if (sc == -2)
                continue;
            ms[nq++] = t;
            for (int j = 0; j < NT; j++)
                found[j] += sc >= thr(j);
            if (sc < LIMES_SCREEN_DEFAULT_THRESHOLD && getenv("SHOW_RMISSES"))
                printf("rmiss: %s -> %s (%.3f)\n", r.name, c->ref, sc);
        }
    }
    printf("\ncross-script, other way: %zu Latin primary names of UN individuals vs an index "
           "of their %zu persons' Arabic-script names only\n",
           nq, arabic.npersons);
    recall_lines(found, nq);
    for (size_t i = 0; i < arabic.npersons; i++)
        free(arabic.persons[i].names);
    free(arabic.persons);
    limes_screen_engine_free(e);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: quality SHARED_DATA_DIR [MAX_NEGATIVES]\n");
        return 2;
    }
    const char *dir = argv[1];
    size_t maxneg = argc > 2 ? (size_t)atol(argv[2]) : 1000000;
    limes_watch_set *set = load(dir);
    limes_screen_engine *e;
    limes_error err = {0};
    if (limes_screen_engine_build(set, NULL, &e, &err)) {
        fprintf(stderr, "build: %s\n", limes_error_text(&err));
        return 1;
    }
    limes_screen_stats st;
    limes_screen_engine_stats(e, &st);
    printf("index: %zu persons, %zu names, %zu vocabulary tokens, %.1f MB, built in %.0f ms\n",
           st.persons, st.names, st.vocabulary, (double)st.memory_bytes / 1e6, st.build_ms);

    /* positives */
    char path[1024];
    struct row *pos;
    snprintf(path, sizeof path, "%s/screening/yente_fixtures/positives_un_treated.csv", dir);
    size_t npos = read_travellers(path, &pos, 100000);
    snprintf(path, sizeof path, "%s/screening/yente_fixtures/positives_un_ground_truth.csv", dir);
    FILE *gt = fopen(path, "r");
    char line[4096];
    if (!gt || !fgets(line, sizeof line, gt))
        return 2;
    for (size_t i = 0; i < npos && fgets(line, sizeof line, gt); i++) {
        line[strcspn(line, "\r\n")] = '\0';
        char *fld[8];
        if (csv_split(line, fld, 8) == 8 && strcmp(fld[7], "none") != 0)
            snprintf(pos[i].ref, sizeof pos[i].ref, "%s", fld[6]);
    }
    fclose(gt);
    size_t found[NT] = {0}, scored = 0, at1 = 0;
    double *ms = malloc((npos + 200000) * sizeof *ms);
    size_t nms = 0;
    for (size_t i = 0; i < npos; i++) {
        if (!pos[i].ref[0])
            continue;
        scored++;
        int rank;
        double s = screen_one(e, &pos[i], pos[i].ref, &ms[nms++], &rank);
        at1 += rank == 1;
        for (int k = 0; k < NT; k++)
            found[k] += s >= thr(k);
        if (s < LIMES_SCREEN_DEFAULT_THRESHOLD && getenv("SHOW_MISSES"))
            printf("miss: %s | %s | %s -> %s (%.3f)\n", pos[i].name, pos[i].dob, pos[i].nat,
                   pos[i].ref, s);
    }
    latency_line("positives latency", ms, nms);

    /* negatives */
    struct row *neg[2];
    size_t nneg[2];
    snprintf(path, sizeof path, "%s/screening/yente_fixtures/negatives_global.csv", dir);
    nneg[0] = read_travellers(path, &neg[0], maxneg);
    snprintf(path, sizeof path, "%s/screening/yente_fixtures/negatives_us.csv", dir);
    nneg[1] = read_travellers(path, &neg[1], maxneg);
    size_t alerts[NT] = {0}, nneg_all = nneg[0] + nneg[1];
    nms = 0;
    for (int f = 0; f < 2; f++)
        for (size_t i = 0; i < nneg[f]; i++) {
            double s = screen_one(e, &neg[f][i], NULL, &ms[nms++], NULL);
            for (int k = 0; k < NT; k++)
                alerts[k] += s >= thr(k);
            if (s >= LIMES_SCREEN_DEFAULT_THRESHOLD && getenv("SHOW_ALERTS"))
                printf("alert: %s | %s | %s (%.3f)\n", neg[f][i].name, neg[f][i].dob,
                       neg[f][i].nat, s);
        }
    latency_line("negatives latency", ms, nms);

    printf("\npositives: %zu rows with a UN reference; recall@1 (any score) %.4f\n", scored,
           (double)at1 / (double)scored);
    printf("| threshold | recall | false alerts / 1,000 | precision |\n|---|---|---|---|\n");
    for (int k = 0; k < NT; k++) {
        double rec = (double)found[k] / (double)scored;
        double fa = 1000.0 * (double)alerts[k] / (double)nneg_all;
        double prec = found[k] + alerts[k] ? (double)found[k] / (double)(found[k] + alerts[k]) : 1;
        printf("| %.2f%s | %.4f | %.2f | %.4f |\n", thr(k),
               fabs(thr(k) - LIMES_SCREEN_DEFAULT_THRESHOLD) < 1e-9 ? " (default)" : "", rec, fa,
               prec);
    }
    printf("negatives screened: %zu\n", nneg_all);

    /* cross-script: Arabic original-script names against Latin-only UN names */
    limes_watch_set latin = {0};
    size_t nun = 0;
    for (size_t i = 0; i < set->npersons; i++)
        nun += !strcmp(set->persons[i].list, "UN");
    latin.persons = calloc(nun, sizeof *latin.persons);
    struct {
        const char *name, *ref;
        bool original; /* the entry's NAME_ORIGINAL_SCRIPT (a primary name), not an alias */
    } *arq = calloc(nun * 4, sizeof *arq);
    size_t narq = 0;
    for (size_t i = 0; i < set->npersons; i++) {
        limes_watch_person *p = &set->persons[i];
        if (strcmp(p->list, "UN") != 0)
            continue;
        limes_watch_person *c = &latin.persons[latin.npersons++];
        *c = *p;
        c->names = calloc(p->nnames ? p->nnames : 1, sizeof *c->names);
        c->nnames = 0;
        for (size_t k = 0; k < p->nnames; k++) {
            if (!strcmp(p->names[k].script, "Arab")) {
                if (narq < nun * 4) {
                    arq[narq].name = p->names[k].full;
                    arq[narq].original = p->names[k].quality == LIMES_NAME_PRIMARY;
                    arq[narq++].ref = p->ref;
                }
            } else {
                c->names[c->nnames++] = p->names[k];
            }
        }
    }
    limes_screen_engine *le;
    if (limes_screen_engine_build(&latin, NULL, &le, &err))
        return 1;
    size_t xfound[NT] = {0}, ofound[NT] = {0}, norig = 0;
    nms = 0;
    for (size_t i = 0; i < narq; i++) {
        struct row r = {0};
        snprintf(r.name, sizeof r.name, "%s", arq[i].name);
        double s = screen_one(le, &r, arq[i].ref, &ms[nms++], NULL);
        norig += arq[i].original;
        for (int k = 0; k < NT; k++) {
            xfound[k] += s >= thr(k);
            ofound[k] += arq[i].original && s >= thr(k);
        }
        if (s < LIMES_SCREEN_DEFAULT_THRESHOLD && getenv("SHOW_XMISSES"))
            show_xmiss(&latin, arq[i].name, arq[i].ref, s, arq[i].original);
    }
    printf("\ncross-script (the issue's measure): the NAME_ORIGINAL_SCRIPT of each of %zu UN "
           "individuals vs Latin-only index\n",
           norig);
    recall_lines(ofound, norig);
    printf("\ncross-script: all %zu Arabic-script UN names (original-script names and Arabic "
           "aliases) vs Latin-only index\n",
           narq);
    recall_lines(xfound, narq);
    for (size_t i = 0; i < latin.npersons; i++)
        free(latin.persons[i].names);
    free(latin.persons);
    limes_screen_engine_free(le);
    reverse_cross_script(set, ms);

    /* OFAC aliases: each alias of an individual against a list without that
       alias (the other names stay).  Aliases are split into FOLDS folds by
       their position; fold f's aliases are removed from one index and
       screened against it, so each index is built FOLDS times, not once per
       alias (aliases of one person in the same fold are removed together,
       which is slightly stricter than one at a time). */
    enum { FOLDS = 8 };
    size_t nal = 0, alfound[NT] = {0}, nreach = 0, refound[NT] = {0};
    for (int fold = 0; fold < FOLDS; fold++) {
        limes_watch_set held = {0};
        held.persons = calloc(set->npersons, sizeof *held.persons);
        size_t counter = 0;
        for (size_t i = 0; i < set->npersons; i++) {
            limes_watch_person *p = &set->persons[i];
            if (strcmp(p->list, "OFAC") != 0)
                continue;
            limes_watch_person *c = &held.persons[held.npersons++];
            *c = *p;
            c->names = calloc(p->nnames ? p->nnames : 1, sizeof *c->names);
            c->nnames = 0;
            for (size_t k = 0; k < p->nnames; k++) {
                bool out = k > 0 && (counter + k) % FOLDS == (size_t)fold;
                if (!out)
                    c->names[c->nnames++] = p->names[k];
            }
            counter += p->nnames;
        }
        if (limes_screen_engine_build(&held, NULL, &le, &err))
            return 1;
        counter = 0;
        for (size_t i = 0, h = 0; i < set->npersons; i++) {
            limes_watch_person *p = &set->persons[i];
            if (strcmp(p->list, "OFAC") != 0)
                continue;
            h++;
            for (size_t k = 1; k < p->nnames; k++) {
                if ((counter + k) % FOLDS != (size_t)fold)
                    continue;
                struct row r = {0};
                snprintf(r.name, sizeof r.name, "%s", p->names[k].full);
                double t;
                double sc = screen_one(le, &r, p->ref, &t, NULL);
                if (sc == -2)
                    continue; /* an alias that is no name (particles only, ...) */
                nal++;
                for (int j = 0; j < NT; j++)
                    alfound[j] += sc >= thr(j);
                bool reach = reachable(r.name, &held.persons[h - 1]);
                nreach += reach;
                for (int j = 0; reach && j < NT; j++)
                    refound[j] += sc >= thr(j);
                if (sc < LIMES_SCREEN_DEFAULT_THRESHOLD && getenv("SHOW_AMISSES")) {
                    const limes_watch_person *kept = &held.persons[h - 1];
                    printf("amiss%s: %s -> %s (%.3f):", reach ? "-reachable" : "", r.name, p->ref, sc);
                    for (size_t j = 0; j < kept->nnames; j++)
                        printf(" [%s]", kept->names[j].full);
                    printf("\n");
                }
            }
            counter += p->nnames;
        }
        for (size_t i = 0; i < held.npersons; i++)
            free(held.persons[i].names);
        free(held.persons);
        limes_screen_engine_free(le);
    }
    printf("\nOFAC aliases: %zu aliases, each against the list without it (other names kept)\n",
           nal);
    recall_lines(alfound, nal);
    printf("OFAC aliases a spelling model can reach (another spelling of one of the other "
           "names, token for token): %zu of %zu\n",
           nreach, nal);
    recall_lines(refound, nreach);
    limes_screen_engine_free(e);
    limes_watch_set_free(set);
    free(pos), free(neg[0]), free(neg[1]), free(ms), free(arq);
    return 0;
}
