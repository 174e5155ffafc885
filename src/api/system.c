/*
 * system.c - health, metrics and the OpenAPI document.
 * GET /healthz is public so that load balancers can probe it; /metrics
 * needs a supervisor or admin (or their API token, for the scraper).
 */
#include <string.h>

#include "api.h"
#include "core/embed.h"
#include "http/metrics.h"
#include "store/store.h"

extern const struct embedded_file api_docs[];
extern const size_t api_docs_count;

static int get_healthz(http_req *r)
{
    store_tx *tx;
    limes_error err = {0};
    int64_t one = 0;
    limes_rc rc = store_begin(http_store(r), false, &tx, &err);
    if (!rc) {
        rc = store_query_int(tx, "SELECT 1", NULL, 0, &one, &err);
        store_rollback(tx);
    }
    if (rc)
        return http_problem(r, LIMES_UNAVAILABLE, "", "store not answering: %s",
                            limes_error_text(&err));
    return http_json(r, 200, json_pack("{s:s, s:s}", "status", "ok", "store",
                                       limes_store_backend(http_store(r))));
}

static int get_metrics(http_req *r)
{
    buf out;
    buf_init(&out, 8u << 20);
    limes_rc rc = metrics_render(r, &out);
    int status = rc ? http_problem(r, rc, "", "cannot render metrics")
                    : http_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8", buf_str(&out),
                               out.len);
    buf_release(&out);
    return status;
}

static int get_openapi(http_req *r)
{
    const struct embedded_file *f = embed_find(api_docs, api_docs_count, "openapi.json");
    if (!f)
        return http_problem(r, LIMES_INTERNAL, "", "OpenAPI document missing from the build");
    return http_raw(r, 200, "application/json", f->data, f->len);
}

const struct route api_system_routes[] = {
    {"GET", "/healthz", 0, ROUTE_PUBLIC, get_healthz},
    {"GET", "/metrics", ROLES_SUPERVISION, 0, get_metrics},
    {"GET", "/v1/openapi.json", 0, ROUTE_PUBLIC, get_openapi},
    {0},
};
