/*
 * jsontext.h - a JSON value written out as compact text, byte for byte what
 * json_dumps(v, JSON_COMPACT) writes (keys in insertion order, UTF-8 as
 * is, jansson's escapes and number formats), but several times faster:
 * jansson decodes every character of every string and grows its buffer
 * through a callback, ~100 instructions per byte, which made writing out
 * the stored check 10% of a check's instructions (bench/checks, issue 5).
 *
 * Memory: json_text() returns malloc'd text the caller frees, or NULL
 * (nesting deeper than 64, larger than max bytes, out of memory).
 */
#ifndef LIMES_CORE_JSONTEXT_H
#define LIMES_CORE_JSONTEXT_H

#include <jansson.h>

#include "buf.h"

char *json_text(const json_t *v, size_t max);
/* Append v's text to b. */
limes_rc json_text_append(buf *b, const json_t *v);

#endif
