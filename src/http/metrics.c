/*
 * metrics.c - request counts and latency histograms per route, kept in
 * atomics so the hot path takes no lock; rendered in the Prometheus text
 * format by the /metrics route (src/api/system.c), with the store's and
 * the screening engine's own counters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "metrics.h"
#include "server_int.h"
#include "limes/screen.h"
#include "store/sqlite_sync.h"
#include "store/store.h"

const double metric_bounds_ms[METRIC_BUCKETS] = {0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500,
                                                 1000, 5000};

limes_rc metrics_init(struct metrics *m, const struct route *routes, int n)
{
    m->routes = routes;
    m->nroutes = n;
    m->per_route = calloc((size_t)n + 1, sizeof *m->per_route);
    return m->per_route ? LIMES_OK : LIMES_NOMEM;
}

void metrics_release(struct metrics *m)
{
    free(m->per_route);
    m->per_route = NULL;
}

void metrics_observe(struct metrics *m, int route_index, int status, double ms)
{
    if (!m->per_route)
        return;
    if (route_index < 0 || route_index > m->nroutes)
        route_index = m->nroutes;
    struct route_metrics *rm = &m->per_route[route_index];
    int cls = status / 100;
    if (cls < 1 || cls > 5)
        cls = 5;
    atomic_fetch_add(&rm->count[cls], 1);
    int b = 0;
    while (b < METRIC_BUCKETS && ms > metric_bounds_ms[b])
        b++;
    atomic_fetch_add(&rm->bucket[b], 1);
    double old = atomic_load(&rm->sum_ms);
    while (!atomic_compare_exchange_weak(&rm->sum_ms, &old, old + ms))
        ;
}

static void render_route(buf *out, const struct route *rt, const struct route_metrics *rm)
{
    const char *method = rt ? rt->method : "";
    const char *pattern = rt ? rt->pattern : "unmatched";
    uint64_t total = 0;
    for (int c = 1; c <= 5; c++) {
        uint64_t n = atomic_load(&rm->count[c]);
        total += n;
        if (n)
            buf_printf(out, "limes_http_requests_total{method=\"%s\",route=\"%s\",code=\"%dxx\"} %llu\n",
                       method, pattern, c, (unsigned long long)n);
    }
    if (!total)
        return;
    uint64_t cumulative = 0;
    for (int b = 0; b <= METRIC_BUCKETS; b++) {
        cumulative += atomic_load(&rm->bucket[b]);
        if (b < METRIC_BUCKETS)
            buf_printf(out,
                       "limes_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\","
                       "le=\"%g\"} %llu\n",
                       method, pattern, metric_bounds_ms[b] / 1000.0,
                       (unsigned long long)cumulative);
        else
            buf_printf(out,
                       "limes_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\","
                       "le=\"+Inf\"} %llu\n",
                       method, pattern, (unsigned long long)cumulative);
    }
    buf_printf(out, "limes_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n",
               method, pattern, atomic_load(&rm->sum_ms) / 1000.0);
    buf_printf(out, "limes_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %llu\n",
               method, pattern, (unsigned long long)total);
}

static long resident_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, rss = 0;
    if (!f)
        return 0;
    if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
        rss = 0;
    fclose(f);
    return rss * sysconf(_SC_PAGESIZE);
}

static void render_store(http_req *r, buf *out)
{
    store_tx *tx;
    int64_t audit = 0, users = 0, sessions = 0;
    if (store_begin(http_store(r), false, &tx, NULL) != LIMES_OK)
        return;
    store_query_int(tx, "SELECT seq FROM audit_head WHERE id = 1", NULL, 0, &audit, NULL);
    store_query_int(tx, "SELECT COUNT(*) FROM users", NULL, 0, &users, NULL);
    store_query_int(tx, "SELECT COUNT(*) FROM sessions", NULL, 0, &sessions, NULL);
    store_rollback(tx);
    buf_printf(out, "# TYPE limes_store_info gauge\nlimes_store_info{backend=\"%s\"} 1\n",
               limes_store_backend(http_store(r)));
    buf_printf(out, "# TYPE limes_audit_entries gauge\nlimes_audit_entries %lld\n",
               (long long)audit);
    buf_printf(out, "# TYPE limes_users gauge\nlimes_users %lld\n", (long long)users);
    buf_printf(out, "# TYPE limes_sessions gauge\nlimes_sessions %lld\n", (long long)sessions);
}

/* The screening index and its remembered spellings; SQLite's group commit. */
static void render_engine(http_req *r, buf *out)
{
    limes_screen_stats st;
    if (limes_screen_store_stats(http_store(r), &st)) {
        buf_printf(out, "# TYPE limes_screen_index_names gauge\nlimes_screen_index_names %zu\n",
                   st.names);
        buf_printf(out, "# TYPE limes_screen_index_bytes gauge\nlimes_screen_index_bytes %zu\n",
                   st.memory_bytes);
        buf_printf(out,
                   "# HELP limes_screen_spelling_lookups_total Query tokens looked up, and "
                   "found remembered.\n# TYPE limes_screen_spelling_lookups_total counter\n"
                   "limes_screen_spelling_lookups_total %zu\n"
                   "# TYPE limes_screen_spellings_remembered_total counter\n"
                   "limes_screen_spellings_remembered_total %zu\n",
                   st.spelling_lookups, st.spellings_remembered);
    }
    int64_t commits, syncs;
    store_sqlite_counts(&commits, &syncs);
    buf_printf(out,
               "# HELP limes_store_durable_commits_total SQLite write transactions made durable, "
               "and the WAL syncs they shared.\n"
               "# TYPE limes_store_durable_commits_total counter\n"
               "limes_store_durable_commits_total %lld\n"
               "# TYPE limes_store_wal_syncs_total counter\nlimes_store_wal_syncs_total %lld\n"
               "# HELP limes_store_checkpoints_total WAL checkpoints run in the background.\n"
               "# TYPE limes_store_checkpoints_total counter\nlimes_store_checkpoints_total %lld\n"
               "# HELP limes_store_committer_checkpoints_total WAL checkpoints a committer ran "
               "itself, every writer waiting (the background fell behind).\n"
               "# TYPE limes_store_committer_checkpoints_total counter\n"
               "limes_store_committer_checkpoints_total %lld\n",
               (long long)commits, (long long)syncs, (long long)store_sqlite_checkpoints(),
               (long long)store_sqlite_committer_checkpoints());
}

limes_rc metrics_render(http_req *r, buf *out)
{
    struct limes_server *srv = http_server(r);
    const struct metrics *m = &srv->metrics;
    buf_puts(out, "# HELP limes_http_requests_total HTTP requests by route and status class.\n"
                  "# TYPE limes_http_requests_total counter\n"
                  "# HELP limes_http_request_duration_seconds Time to answer, by route.\n"
                  "# TYPE limes_http_request_duration_seconds histogram\n");
    for (int i = 0; i <= m->nroutes; i++)
        render_route(out, i < m->nroutes ? &m->routes[i] : NULL, &m->per_route[i]);
    buf_printf(out, "# TYPE limes_http_inflight_requests gauge\nlimes_http_inflight_requests %d\n",
               atomic_load(&srv->inflight));
    buf_printf(out, "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes %ld\n",
               resident_bytes());
    buf_printf(out, "# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds %.3f\n",
               (double)srv->started_ms / 1000.0);
    render_store(r, out);
    render_engine(r, out);
    return out->data ? LIMES_OK : LIMES_NOMEM;
}
