/*
 * jsontext.c - compact JSON text of a jansson value; see jsontext.h.
 *
 * Strings: bytes copied in runs; '"' and '\\' and the control characters
 * escaped as jansson escapes them (\b \f \n \r \t, else \u00XX in upper
 * case); jansson strings are valid UTF-8, so other bytes go out as they
 * are.  Reals as jansson's jsonp_dtostr: "%.17g", ".0" added when there is
 * neither '.' nor 'e', the exponent without '+' and leading zeros.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsontext.h"

#define MAX_DEPTH 64

/* One byte, without a call when there is room (most of the structure). */
static limes_rc put_char(buf *b, char c)
{
    if (b->len + 1 >= b->cap)
        return buf_putc(b, c);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
    return LIMES_OK;
}

/* Bytes a string needs written escaped: '"', '\\' and the control characters. */
static bool needs_escape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

static limes_rc put_escaped(buf *b, const char *s, size_t n)
{
    limes_rc rc = LIMES_OK;
    size_t run = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!needs_escape(c))
            continue;
        rc = buf_append(b, s + run, i - run);
        run = i + 1;
        char esc[8];
        const char *e = esc;
        switch (c) {
        case '"': e = "\\\""; break;
        case '\\': e = "\\\\"; break;
        case '\b': e = "\\b"; break;
        case '\f': e = "\\f"; break;
        case '\n': e = "\\n"; break;
        case '\r': e = "\\r"; break;
        case '\t': e = "\\t"; break;
        default: snprintf(esc, sizeof esc, "\\u%04X", c); break;
        }
        if (!rc)
            rc = buf_puts(b, e);
    }
    return rc ? rc : buf_append(b, s + run, n - run);
}

static limes_rc put_string(buf *b, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && !needs_escape((unsigned char)s[i]))
        i++;
    limes_rc rc = buf_grow(b, n + 2);
    if (rc)
        return rc;
    if (i < n) { /* something to escape: the slower way */
        rc = put_char(b, '"');
        rc = rc ? rc : put_escaped(b, s, n);
        return rc ? rc : put_char(b, '"');
    }
    char *d = b->data + b->len;
    d[0] = '"';
    memcpy(d + 1, s, n);
    d[n + 1] = '"';
    d[n + 2] = '\0';
    b->len += n + 2;
    return LIMES_OK;
}

static limes_rc put_integer(buf *b, json_int_t v)
{
    char t[24], *p = t + sizeof t;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do
        *--p = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0)
        *--p = '-';
    return buf_append(b, p, (size_t)(t + sizeof t - p));
}

static limes_rc put_real(buf *b, double v)
{
    char t[40];
    int n = snprintf(t, sizeof t - 3, "%.17g", v);
    if (n < 0 || (size_t)n >= sizeof t - 3)
        return LIMES_INVALID;
    if (!strchr(t, '.') && !strchr(t, 'e')) {
        memcpy(t + n, ".0", 3);
        n += 2;
    }
    char *start = strchr(t, 'e');
    if (start) { /* "1e+05" -> "1e5", "1e-05" -> "1e-5" */
        start++;
        char *end = start + 1;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, (size_t)n - (size_t)(end - t) + 1);
            n -= (int)(end - start);
        }
    }
    return buf_append(b, t, (size_t)n);
}

static limes_rc put_value(buf *b, const json_t *v, int depth)
{
    if (depth > MAX_DEPTH)
        return LIMES_TOO_LARGE;
    limes_rc rc = LIMES_OK;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *item;
        bool first = true;
        rc = put_char(b, '{');
        json_object_foreach((json_t *)v, key, item)
        {
            if (!rc && !first)
                rc = put_char(b, ',');
            first = false;
            if (!rc)
                rc = put_string(b, key, strlen(key));
            if (!rc)
                rc = put_char(b, ':');
            if (!rc)
                rc = put_value(b, item, depth + 1);
        }
        return rc ? rc : put_char(b, '}');
    }
    case JSON_ARRAY: {
        rc = put_char(b, '[');
        for (size_t i = 0; !rc && i < json_array_size(v); i++) {
            if (i)
                rc = put_char(b, ',');
            if (!rc)
                rc = put_value(b, json_array_get(v, i), depth + 1);
        }
        return rc ? rc : put_char(b, ']');
    }
    case JSON_STRING: return put_string(b, json_string_value(v), json_string_length(v));
    case JSON_INTEGER: return put_integer(b, json_integer_value(v));
    case JSON_REAL: return put_real(b, json_real_value(v));
    case JSON_TRUE: return buf_puts(b, "true");
    case JSON_FALSE: return buf_puts(b, "false");
    case JSON_NULL: return buf_puts(b, "null");
    }
    return LIMES_INVALID;
}

limes_rc json_text_append(buf *b, const json_t *v)
{
    if (!v)
        return LIMES_INVALID;
    size_t room = b->len < b->max ? b->max - b->len : 0;
    limes_rc rc = buf_grow(b, room < 1024 ? room : 1024); /* most texts: one allocation */
    return rc ? rc : put_value(b, v, 0);
}

char *json_text(const json_t *v, size_t max)
{
    buf b;
    buf_init(&b, max);
    if (json_text_append(&b, v) != LIMES_OK) {
        buf_release(&b);
        return NULL;
    }
    return buf_take(&b);
}
