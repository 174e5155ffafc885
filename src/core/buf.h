/*
 * buf.h - a growable byte buffer with a mandatory size cap (after curl's
 * dynbuf).  Every piece of text the library builds from outside input goes
 * through one of these, so nothing grows without bound.
 *
 * Memory: a buf owns its bytes.  buf_release() frees them; buf_take() hands
 * them to the caller (who frees them with free()).  After a failed append the
 * buffer is released and stays usable as an empty buffer.
 */
#ifndef LIMES_CORE_BUF_H
#define LIMES_CORE_BUF_H

#include <stddef.h>

#include "limes/error.h"

typedef struct buf {
    char *data; /* always NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
    size_t max; /* appends beyond this fail with LIMES_TOO_LARGE */
} buf;

void buf_init(buf *b, size_t max);
void buf_release(buf *b);
void buf_reset(buf *b); /* length 0, keeps the memory */
limes_rc buf_append(buf *b, const void *data, size_t len);
limes_rc buf_puts(buf *b, const char *s);
limes_rc buf_putc(buf *b, char c);
limes_rc buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Make room for `extra` more bytes (and the NUL) without appending: a
 * writer that then stores into data[len..] itself updates len and the NUL. */
limes_rc buf_grow(buf *b, size_t extra);
/* The contents as a NUL-terminated string ("" when empty); owned by b. */
const char *buf_str(const buf *b);
/* Hand the contents to the caller (malloc'd, NUL-terminated); b is emptied. */
char *buf_take(buf *b);

#endif
