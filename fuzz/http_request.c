/*
 * http_request.c - fuzz target for request parsing and routing: the input's
 * first line is "METHOD PATH", the rest is the body.  It drives the real
 * route table (router_match) and the body parser with its limits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/parse.h"
#include "http/server_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct route *routes;
static int nroutes;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!routes && router_build(&routes, &nroutes, NULL) != LIMES_OK)
        abort();
    const char *nl = memchr(data, '\n', size);
    size_t head = nl ? (size_t)(nl - (const char *)data) : size;
    char line[600];
    size_t keep = head < sizeof line ? head : sizeof line - 1;
    memcpy(line, data, keep);
    line[keep] = '\0';
    char *space = strchr(line, ' ');
    const char *method = line, *path = "/";
    if (space) {
        *space = '\0';
        path = space + 1;
    }
    char params[HTTP_MAX_PARAMS][128];
    int np = 0, index = 0;
    bool mismatch = false;
    router_match(routes, nroutes, method, path, params, &np, &index, &mismatch);
    if (nl) {
        json_t *body = NULL;
        limes_error err = {0};
        const char *b = nl + 1;
        size_t blen = size - head - 1;
        if (request_parse_json(b, blen, 32, &body, &err) == LIMES_OK)
            json_decref(body);
    }
    return 0;
}
