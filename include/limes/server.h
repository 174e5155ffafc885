/*
 * limes/server.h - the HTTP API server (libmicrohttpd, internal thread pool).
 *
 * limes_serve() runs until SIGINT or SIGTERM, then stops taking new
 * connections, lets requests in flight finish, and returns.  For tests and
 * embedding, limes_server_start()/limes_server_stop() do the same without
 * touching signals.
 *
 * Memory: the config's strings are borrowed until the server stops; the
 * store must stay open until then.  A limes_server is freed by
 * limes_server_stop().
 */
#ifndef LIMES_SERVER_H
#define LIMES_SERVER_H

#include <stddef.h>

#include <jansson.h>

#include "limes/error.h"
#include "limes/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct limes_server_config {
    const char *listen;   /* "ADDR:PORT"; port 0 picks a free one */
    const char *tls_cert; /* PEM files; both or neither */
    const char *tls_key;
    const char *web_dir;  /* static web interface; NULL serves none */
    unsigned threads;     /* 0: two per core, at least 4 */
    size_t max_body;      /* JSON request body cap in bytes; 0: 1 MiB */
    size_t max_upload;    /* cap for file uploads (list imports); 0: 64 MiB */
} limes_server_config;

typedef struct limes_server limes_server;

limes_rc limes_server_start(limes_store *store, const limes_server_config *cfg,
                            limes_server **out, limes_error *err);
/* The port actually bound (useful with port 0). */
unsigned limes_server_port(const limes_server *srv);
/* Stop accepting, wait (up to 10 s) for requests in flight, free. */
void limes_server_stop(limes_server *srv);

/*
 * The route table as JSON: [{method, path, roles:[...], public, personal}].
 * The caller owns the returned array.  (`limes routes` prints it.)
 */
json_t *limes_server_routes(void);

/* Start, print the URL, wait for SIGINT/SIGTERM, stop.  Returns LIMES_OK. */
limes_rc limes_serve(limes_store *store, const limes_server_config *cfg, limes_error *err);

#ifdef __cplusplus
}
#endif
#endif
