/*
 * server_int.h - the server's private parts, shared by server.c, router.c,
 * metrics.c and static.c.  Route handlers never include this.
 */
#ifndef LIMES_HTTP_SERVER_INT_H
#define LIMES_HTTP_SERVER_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "http.h"

#define METRIC_BUCKETS 12

struct route_metrics {
    atomic_uint_fast64_t count[6]; /* by status class: 1xx..5xx, [0] unused */
    atomic_uint_fast64_t bucket[METRIC_BUCKETS + 1]; /* cumulative at render */
    _Atomic double sum_ms;
};

struct metrics {
    const struct route *routes;
    int nroutes;
    struct route_metrics *per_route; /* nroutes + 1 (the last: unmatched) */
};

struct limes_server {
    limes_store *store;
    struct MHD_Daemon *mhd;
    struct route *routes;
    int nroutes;
    size_t max_body;   /* JSON requests */
    size_t max_upload; /* routes flagged ROUTE_RAW_BODY (list files) */
    const char *web_dir;
    bool tls;
    char *tls_cert, *tls_key;
    unsigned port;
    atomic_int inflight;
    atomic_int later; /* requests handed on (http_later) and not answered yet */
    int64_t started_ms;
    struct metrics metrics;
};

/* router.c: the whole route table, and matching a request against it. */
limes_rc router_build(struct route **routes, int *n, limes_error *err);
const struct route *router_match(const struct route *routes, int n, const char *method,
                                 const char *path, char params[][128], int *nparams,
                                 int *index, bool *method_mismatch);

/* metrics.c */
limes_rc metrics_init(struct metrics *m, const struct route *routes, int n);
void metrics_release(struct metrics *m);
void metrics_observe(struct metrics *m, int route_index, int status, double ms);

/* server.c: the server a request belongs to. */
struct limes_server *http_server(http_req *r);

/* static.c: serve a file of the web interface; false if none matches. */
bool static_serve(http_req *r, const char *web_dir);

#endif
