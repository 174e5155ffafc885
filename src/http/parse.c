/*
 * parse.c - turning a request body into JSON, with the limits every body
 * gets: a nesting depth cap (jansson's own is 2048, far too deep for an
 * API) and a message that says where malformed JSON went wrong.  Kept apart
 * from server.c so the fuzz target can drive it without a socket.
 */
#include <stdbool.h>

#include "parse.h"

int json_nesting_depth(const char *s, size_t n)
{
    int depth = 0, max = 0;
    bool in_string = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max)
                max = depth;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return max;
}

limes_rc request_parse_json(const char *data, size_t len, int max_depth, json_t **out,
                            limes_error *err)
{
    *out = NULL;
    if (json_nesting_depth(data, len) > max_depth)
        return limes_fail(err, LIMES_BAD_JSON, "", "JSON nested deeper than %d levels",
                          max_depth);
    json_error_t jerr;
    json_t *v = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!v)
        return limes_fail(err, LIMES_BAD_JSON, "", "malformed JSON at line %d, column %d: %s",
                          jerr.line, jerr.column, jerr.text);
    if (!json_is_object(v)) {
        json_decref(v);
        return limes_fail(err, LIMES_BAD_JSON, "", "the request body must be a JSON object");
    }
    *out = v;
    return LIMES_OK;
}
