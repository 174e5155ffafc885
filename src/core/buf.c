/*
 * buf.c - bounded growable buffer; see buf.h.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void buf_init(buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void buf_release(buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void buf_reset(buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

limes_rc buf_grow(buf *b, size_t extra)
{
    if (extra > b->max || b->len > b->max - extra) {
        buf_release(b);
        return LIMES_TOO_LARGE;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return LIMES_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        buf_release(b);
        return LIMES_NOMEM;
    }
    b->data = p;
    b->cap = cap;
    return LIMES_OK;
}

limes_rc buf_append(buf *b, const void *data, size_t len)
{
    limes_rc rc = buf_grow(b, len);
    if (rc)
        return rc;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return LIMES_OK;
}

limes_rc buf_puts(buf *b, const char *s) { return buf_append(b, s, strlen(s)); }

limes_rc buf_putc(buf *b, char c) { return buf_append(b, &c, 1); }

limes_rc buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return LIMES_INTERNAL;
    limes_rc rc = buf_grow(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return LIMES_OK;
}

const char *buf_str(const buf *b) { return b->data ? b->data : ""; }

char *buf_take(buf *b)
{
    char *p = b->data;
    if (!p)
        p = calloc(1, 1);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}
