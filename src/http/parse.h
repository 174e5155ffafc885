/*
 * parse.h - request-body parsing with limits.
 * request_parse_json() hands the caller a new JSON object (json_decref it).
 */
#ifndef LIMES_HTTP_PARSE_H
#define LIMES_HTTP_PARSE_H

#include <stddef.h>

#include <jansson.h>

#include "limes/error.h"

/* Deepest bracket nesting outside strings. */
int json_nesting_depth(const char *s, size_t n);
/* Parse a body that must be a JSON object no deeper than max_depth. */
limes_rc request_parse_json(const char *data, size_t len, int max_depth, json_t **out,
                            limes_error *err);

#endif
