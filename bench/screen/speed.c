/*
 * speed.c - screening speed and scale on synthetic but realistic data.
 *
 * Entries: persons with 2-4 name tokens drawn from data/names/variants.tsv
 * (Arabic name tokens and their learnt Latin spellings, weighted by how
 * often Wikidata uses them; Google's foreign-name pairs give the Latin
 * pool), a date of birth (20% year only), a nationality; 30% carry an
 * Arabic-script alias and 30% a Latin alias in other spellings.
 * Travellers: half are listed persons seen differently (another spelling
 * of each token, a typo, tokens reordered, a middle name dropped, or the
 * Arabic script), half are people drawn the same way who are not listed.
 *
 * Measures index build time and memory, p50/p99 per traveller and
 * throughput on one core, recall on the listed half at the default
 * threshold, and - on the same names - a brute-force Jaro-Winkler scan.
 * Writes the entry and traveller names to PEER_FILE for bench/screen/peer.js.
 *
 * usage: speed VARIANTS_TSV N_ENTRIES PEER_FILE [N_TRAVELLERS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "limes/screen.h"
#include "names/names.h"

struct group {
    char *arabic;
    char **latin;
    int *count;
    int n;
    long weight;
};

static struct group *G;
static size_t NG;
static long *CUM; /* cumulative weights for sampling */
static unsigned long long RNG = 88172645463325252ull;

static unsigned long long rnd(void)
{
    RNG ^= RNG << 13;
    RNG ^= RNG >> 7;
    RNG ^= RNG << 17;
    return RNG;
}

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

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void load_groups(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    char line[8192];
    size_t cap = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        line[strcspn(line, "\r\n")] = '\0';
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = '\0';
        if (NG == cap) {
            cap = cap ? cap * 2 : 4096;
            G = realloc(G, cap * sizeof *G);
        }
        struct group *g = &G[NG];
        memset(g, 0, sizeof *g);
        g->arabic = strdup(line);
        for (char *p = strtok(tab + 1, ","); p; p = strtok(NULL, ",")) {
            char *colon = strrchr(p, ':');
            if (!colon)
                continue;
            *colon = '\0';
            g->latin = realloc(g->latin, (size_t)(g->n + 1) * sizeof *g->latin);
            g->count = realloc(g->count, (size_t)(g->n + 1) * sizeof *g->count);
            g->latin[g->n] = strdup(p);
            g->count[g->n] = atoi(colon + 1);
            g->weight += g->count[g->n];
            g->n++;
        }
        if (g->n)
            NG++;
    }
    fclose(f);
    CUM = malloc(NG * sizeof *CUM);
    long acc = 0;
    for (size_t i = 0; i < NG; i++)
        CUM[i] = acc += G[i].weight;
}

static size_t pick_group(void)
{
    long r = (long)(rnd() % (unsigned long long)CUM[NG - 1]);
    size_t lo = 0, hi = NG - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (CUM[mid] > r)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static const char *pick_spelling(const struct group *g)
{
    long r = (long)(rnd() % (unsigned long long)g->weight);
    for (int i = 0; i < g->n; i++)
        if ((r -= g->count[i]) < 0)
            return g->latin[i];
    return g->latin[0];
}

struct person {
    size_t tok[4];
    int ntok;
    int year, month, day;
    int nat;
};

static const char *const NATS[] = {"IRQ", "SYR", "EGY", "JOR", "LBN", "MAR", "DZA", "TUN",
                                   "SAU", "YEM", "AFG", "PAK", "FRA", "DEU", "GBR", "USA"};

static void make_person(struct person *p)
{
    p->ntok = 2 + (int)(rnd() % 3);
    for (int i = 0; i < p->ntok; i++)
        p->tok[i] = pick_group();
    p->year = 1940 + (int)(rnd() % 66);
    p->month = rnd() % 5 ? 1 + (int)(rnd() % 12) : 0;
    p->day = p->month ? 1 + (int)(rnd() % 28) : 0;
    p->nat = (int)(rnd() % (sizeof NATS / sizeof NATS[0]));
}

static void latin_name(const struct person *p, char *out, size_t cap, bool alt)
{
    size_t o = 0;
    for (int i = 0; i < p->ntok; i++) {
        const struct group *g = &G[p->tok[i]];
        const char *s = alt ? pick_spelling(g) : g->latin[0];
        o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? " " : "", s);
        if (o >= cap)
            break;
    }
}

static void arabic_name(const struct person *p, char *out, size_t cap)
{
    size_t o = 0;
    for (int i = 0; i < p->ntok && o < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? " " : "", G[p->tok[i]].arabic);
}

static void typo(char *s)
{
    size_t n = strlen(s);
    if (n < 4)
        return;
    size_t i = 1 + rnd() % (n - 2);
    if ((unsigned char)s[i] >= 0x80 || (unsigned char)s[i + 1] >= 0x80 || s[i] == ' ' ||
        s[i + 1] == ' ')
        return;
    char c = s[i]; /* transpose two letters */
    s[i] = s[i + 1];
    s[i + 1] = c;
}

static limes_watch_set *make_set(struct person *ps, size_t n)
{
    limes_watch_set *set = calloc(1, sizeof *set);
    set->persons = calloc(n, sizeof *set->persons);
    set->npersons = n;
    char buf[512];
    for (size_t i = 0; i < n; i++) {
        limes_watch_person *w = &set->persons[i];
        struct person *p = &ps[i];
        make_person(p);
        w->id = (int64_t)i + 1;
        w->list = strdup("SYNTH");
        snprintf(buf, sizeof buf, "S%zu", i + 1);
        w->ref = strdup(buf);
        w->action = strdup("refuse_entry");
        w->version = strdup("1");
        w->names = calloc(3, sizeof *w->names);
        latin_name(p, buf, sizeof buf, false);
        w->names[w->nnames++].full = strdup(buf);
        if (rnd() % 10 < 3) {
            arabic_name(p, buf, sizeof buf);
            w->names[w->nnames++].full = strdup(buf);
        }
        if (rnd() % 10 < 3) {
            latin_name(p, buf, sizeof buf, true);
            w->names[w->nnames++].full = strdup(buf);
        }
        w->dobs = calloc(1, sizeof *w->dobs);
        w->dobs[0] = (limes_watch_dob){p->year, p->month, p->day, 0};
        w->ndobs = 1;
        w->nationalities = calloc(1, sizeof *w->nationalities);
        memcpy(w->nationalities[0], NATS[p->nat], 4);
        w->nnationalities = 1;
    }
    return set;
}

struct traveller {
    char name[512];
    char dob[16];
    const char *nat;
    size_t listed; /* entry index + 1, 0 if not listed */
};

static void make_traveller(struct traveller *t, struct person *ps, size_t n)
{
    struct person p;
    t->listed = 0;
    if (rnd() % 2) {
        size_t k = rnd() % n;
        p = ps[k];
        t->listed = k + 1;
        int how = (int)(rnd() % 10);
        if (how < 2 && p.ntok > 2) { /* a middle name dropped */
            p.tok[1] = p.tok[p.ntok - 1];
            p.ntok--;
        } else if (how < 4) { /* reordered */
            size_t x = p.tok[0];
            p.tok[0] = p.tok[p.ntok - 1];
            p.tok[p.ntok - 1] = x;
        }
        if (rnd() % 10 < 2)
            arabic_name(&p, t->name, sizeof t->name);
        else
            latin_name(&p, t->name, sizeof t->name, true);
        if (rnd() % 10 < 3)
            typo(t->name);
    } else {
        make_person(&p);
        latin_name(&p, t->name, sizeof t->name, true);
    }
    if (p.month)
        snprintf(t->dob, sizeof t->dob, "%04d-%02d-%02d", p.year, p.month, p.day);
    else
        snprintf(t->dob, sizeof t->dob, "%04d", p.year);
    t->nat = NATS[p.nat];
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Brute force: Jaro-Winkler of the query's normalised text against every name. */
struct flat {
    uint32_t *cp;
    uint32_t *off;
    size_t n;
};

static void flat_name(const char *s, uint32_t *cp, size_t *n)
{
    name_parts np;
    limes_error err = {0};
    *n = 0;
    if (names_normalize(s, strlen(s), 0, &np, &err))
        return;
    for (int i = 0; i < np.n; i++) {
        if (i && *n < 200)
            cp[(*n)++] = ' ';
        for (int k = 0; k < np.tok[i].ncp && *n < 200; k++)
            cp[(*n)++] = np.tok[i].cp[k];
    }
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: speed VARIANTS_TSV N_ENTRIES PEER_FILE [N_TRAVELLERS]\n");
        return 2;
    }
    size_t n = (size_t)atol(argv[2]);
    size_t nq = argc > 4 ? (size_t)atol(argv[4]) : (n >= 1000000 ? 10000 : 20000);
    load_groups(argv[1]);
    limes_error err = {0};
    names_init(&err);
    struct person *ps = calloc(n, sizeof *ps);
    double t0 = now_ms();
    limes_watch_set *set = make_set(ps, n);
    double gen_ms = now_ms() - t0;
    long rss0 = rss_kb();
    limes_screen_engine *e;
    t0 = now_ms();
    /* SPELLING_CACHE=off: every query token's spellings found in the index afresh */
    const char *sc = getenv("SPELLING_CACHE");
    limes_screen_config cfg = {.spelling_cache = sc && !strcmp(sc, "off") ? -1 : 0};
    if (limes_screen_engine_build(set, &cfg, &e, &err)) {
        fprintf(stderr, "build: %s\n", limes_error_text(&err));
        return 1;
    }
    double build_ms = now_ms() - t0;
    long rss1 = rss_kb();
    /* the peer file and the brute-force table before the set goes */
    FILE *peer = fopen(argv[3], "w");
    fprintf(peer, "%zu\n", n);
    struct flat fl = {malloc(n * 40 * sizeof(uint32_t)), malloc((n + 1) * sizeof(uint32_t)), 0};
    size_t cap = n * 40, used = 0;
    for (size_t i = 0; i < n; i++) {
        fprintf(peer, "%s\n", set->persons[i].names[0].full);
        uint32_t cp[256];
        size_t k;
        flat_name(set->persons[i].names[0].full, cp, &k);
        if (used + k > cap)
            fl.cp = realloc(fl.cp, (cap *= 2) * sizeof(uint32_t));
        fl.off[fl.n++] = (uint32_t)used;
        memcpy(fl.cp + used, cp, k * sizeof *cp);
        used += k;
    }
    fl.off[fl.n] = (uint32_t)used;
    limes_watch_set_free(set);

    struct traveller *tv = malloc(nq * sizeof *tv);
    for (size_t i = 0; i < nq; i++)
        make_traveller(&tv[i], ps, n);
    fprintf(peer, "%zu\n", nq);
    for (size_t i = 0; i < nq; i++)
        fprintf(peer, "%s\n", tv[i].name);
    fclose(peer);

    double *ms = malloc(nq * sizeof *ms), total = 0;
    size_t listed = 0, found = 0, false_alerts = 0, unlisted = 0;
    for (size_t i = 0; i < nq; i++) {
        limes_screen_query q = {.name = tv[i].name, .dob = tv[i].dob, .nationality = tv[i].nat};
        limes_screen_result r;
        double a = now_ms();
        if (limes_screen_engine_query(e, &q, &r, &err)) {
            ms[i] = now_ms() - a;
            continue;
        }
        ms[i] = now_ms() - a;
        total += ms[i];
        if (getenv("SHOW_SLOW") && ms[i] > atof(getenv("SHOW_SLOW")))
            printf("slow %.1f ms: %s | candidates %zu\n", ms[i], tv[i].name, r.candidates);
        char want[32];
        snprintf(want, sizeof want, "S%zu", tv[i].listed);
        if (tv[i].listed) {
            listed++;
            size_t h = 0;
            while (h < r.nhits && !(r.hits[h].alert && !strcmp(r.hits[h].ref, want)))
                h++;
            found += h < r.nhits;
            if (h == r.nhits && getenv("SHOW_MISSED")) /* for tuning: who was not found */
                printf("missed %s: %s | candidates %zu, hits %zu\n", want, tv[i].name,
                       r.candidates, r.nhits);
            if (getenv("DEBUG_Q") && !strcmp(getenv("DEBUG_Q"), want)) {
                limes_screen_query dq = q;
                dq.min_score = 0.01;
                dq.limit = 50;
                limes_screen_result dr;
                if (!limes_screen_engine_query(e, &dq, &dr, &err))
                    for (size_t k = 0; k < dr.nhits; k++)
                        printf("  %s %.3f name %.3f %s\n", dr.hits[k].ref, dr.hits[k].score,
                               dr.hits[k].name_score, dr.hits[k].matched_name);
                limes_screen_result_free(&dr);
            }
        } else {
            unlisted++;
            false_alerts += r.nhits > 0 && r.hits[0].alert;
        }
        limes_screen_result_free(&r);
    }
    qsort(ms, nq, sizeof *ms, cmp_double);
    limes_screen_stats st;
    limes_screen_engine_stats(e, &st);

    /* brute force on a few travellers */
    size_t nb = getenv("NO_BRUTE") ? 0 : n >= 1000000 ? 5 : n >= 100000 ? 20 : 200;
    double bt = now_ms();
    volatile double sink = 0;
    for (size_t i = 0; i < nb; i++) {
        uint32_t q[256];
        size_t k;
        flat_name(tv[i].name, q, &k);
        double best = 0;
        for (size_t j = 0; j < fl.n; j++) {
            double s = names_jaro_winkler(q, k, fl.cp + fl.off[j], fl.off[j + 1] - fl.off[j], false);
            best = s > best ? s : best;
        }
        sink += best;
    }
    double brute = nb ? (now_ms() - bt) / (double)nb : 0;
    (void)sink;

    printf("entries %zu (names %zu, vocabulary %zu): generated in %.0f ms\n", n, st.names,
           st.vocabulary, gen_ms);
    printf("  index build %.0f ms; index memory %.1f MB (%.0f B/entry); RSS +%.1f MB\n", build_ms,
           (double)st.memory_bytes / 1e6, (double)st.memory_bytes / (double)n,
           (double)(rss1 - rss0) / 1024.0);
    printf("  %zu travellers: p50 %.3f ms, p95 %.3f ms, p99 %.3f ms, max %.1f ms; %.0f travellers/s "
           "(one core)\n",
           nq, ms[nq / 2], ms[nq * 95 / 100], ms[nq * 99 / 100], ms[nq - 1],
           1000.0 * (double)nq / total);
    printf("  spelling cache: %s; %zu query tokens, %.1f%% found remembered\n",
           cfg.spelling_cache < 0 ? "off" : "on", st.spelling_lookups,
           st.spelling_lookups ? 100.0 * (double)st.spellings_remembered / (double)st.spelling_lookups
                               : 0.0);
    printf("  listed travellers found (alert): %.4f of %zu; unlisted with an alert: %.4f of %zu\n",
           listed ? (double)found / (double)listed : 0, listed,
           unlisted ? (double)false_alerts / (double)unlisted : 0, unlisted);
    printf("  brute-force Jaro-Winkler scan: %.2f ms per traveller (%zu travellers) = %.0fx the "
           "index p50\n",
           brute, nb, brute / ms[nq / 2]);
    limes_screen_engine_free(e);
    free(ms), free(tv), free(ps), free(fl.cp), free(fl.off);
    return 0;
}
