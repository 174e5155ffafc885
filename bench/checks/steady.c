/*
 * steady.c - is this machine's CPU speed steady?  A probe for the
 * first-line check benchmark (issue 5), run before it by run.sh.
 *
 * Why: the benchmark's p99 at 1,000 checks/s is set by a few windows of
 * 100-200 ms in which every request slows down at once (traces of load.c
 * -o: the server's own CPU per request triples there, with the same
 * profile).  On the 2-core VM this was found on, the cause is the host: a
 * fixed loop of integer arithmetic, with nothing else running, takes 2-4
 * times longer in such windows, on both cores at the same moment, about
 * every 1.6 s.  A benchmark's tail on such a machine measures the host as
 * much as the code, so run.sh prints this probe's figures beside its own.
 *
 * What it does: one thread per online core, each pinned to its core,
 * repeats a fixed unit of work (WORK_ITERS steps of a linear congruential
 * generator, ~30 us) for SECONDS.  Per 100 ms window and core it takes the
 * mean time of a unit and divides it by the fastest unit seen on that core
 * (the machine's speed when nothing interferes).  Prints one JSON line: the
 * number of windows, the share of them at least 1.5x, 2x and 3x slower
 * (the slowest core counts), the worst factor, and how many slow (>= 2x)
 * episodes there were (consecutive slow windows count once).
 *
 * usage: steady [SECONDS]   (default 10; run it on an otherwise idle machine)
 * C only: cc -O1 -std=c17 -D_GNU_SOURCE steady.c -lpthread -o steady
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define WORK_ITERS 20000
#define WINDOW_MS 100.0
#define MAX_CORES 64
#define MAX_WINDOWS 6000 /* 10 minutes */

struct core {
    int cpu;
    double start_ms, seconds;
    double fastest;              /* fastest unit seen, ms */
    double sum[MAX_WINDOWS];     /* unit times per window, ms */
    int count[MAX_WINDOWS];
    pthread_t thread;
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void *probe(void *arg)
{
    struct core *c = arg;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(c->cpu, &set);
    sched_setaffinity(0, sizeof set, &set); /* best effort: unpinned still measures */
    volatile unsigned x = 1;
    c->fastest = 1e9;
    for (;;) {
        double a = now_ms();
        if (a - c->start_ms >= c->seconds * 1e3)
            break;
        for (int i = 0; i < WORK_ITERS; i++)
            x = x * 1664525u + 1013904223u;
        double took = now_ms() - a;
        int w = (int)((a - c->start_ms) / WINDOW_MS);
        if (w < 0 || w >= MAX_WINDOWS)
            continue;
        c->sum[w] += took;
        c->count[w]++;
        if (took < c->fastest)
            c->fastest = took;
    }
    return NULL;
}

/* The slowest core's slowdown factor in window w (0 if no core measured it). */
static double window_factor(struct core *cs, int n, int w)
{
    double worst = 0;
    for (int i = 0; i < n; i++) {
        if (!cs[i].count[w])
            continue;
        double f = cs[i].sum[w] / cs[i].count[w] / cs[i].fastest;
        if (f > worst)
            worst = f;
    }
    return worst;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 10;
    if (seconds <= 0 || seconds * 1e3 / WINDOW_MS > MAX_WINDOWS) {
        fprintf(stderr, "usage: steady [SECONDS] (at most %d)\n", (int)(MAX_WINDOWS * WINDOW_MS / 1e3));
        return 2;
    }
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    int n = online < 1 ? 1 : online > MAX_CORES ? MAX_CORES : (int)online;
    struct core *cs = calloc((size_t)n, sizeof *cs);
    if (!cs)
        return 1;
    double start = now_ms() + 20; /* every thread starts its windows together */
    for (int i = 0; i < n; i++) {
        cs[i] = (struct core){.cpu = i, .start_ms = start, .seconds = seconds};
        if (pthread_create(&cs[i].thread, NULL, probe, &cs[i]) != 0)
            return 1;
    }
    for (int i = 0; i < n; i++)
        pthread_join(cs[i].thread, NULL);
    int windows = (int)(seconds * 1e3 / WINDOW_MS), over15 = 0, over2 = 0, over3 = 0, episodes = 0;
    double worst = 0;
    int in_episode = 0;
    for (int w = 0; w < windows; w++) {
        double f = window_factor(cs, n, w);
        over15 += f >= 1.5;
        over2 += f >= 2;
        over3 += f >= 3;
        episodes += f >= 2 && !in_episode;
        in_episode = f >= 2;
        if (f > worst)
            worst = f;
    }
    printf("{\"cores\": %d, \"seconds\": %.0f, \"windows_100ms\": %d, \"slower_1_5x\": %.3f, "
           "\"slower_2x\": %.3f, \"slower_3x\": %.3f, \"worst_x\": %.1f, \"slow_episodes\": %d}\n",
           n, seconds, windows, (double)over15 / windows, (double)over2 / windows,
           (double)over3 / windows, worst, episodes);
    free(cs);
    return 0;
}
