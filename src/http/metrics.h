/*
 * metrics.h - rendering the server's metrics for the /metrics route.
 * The text goes into a caller's buf.
 */
#ifndef LIMES_HTTP_METRICS_H
#define LIMES_HTTP_METRICS_H

#include "core/buf.h"
#include "http.h"

extern const double metric_bounds_ms[];

/* Prometheus text exposition of requests, latency, process and store figures. */
limes_rc metrics_render(http_req *r, buf *out);

#endif
