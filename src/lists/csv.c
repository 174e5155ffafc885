/*
 * csv.c - a small RFC 4180 reader for the OFAC and national list files:
 * comma-separated, fields optionally in double quotes ("" inside quotes
 * is one quote, quoted fields may span lines), CRLF or LF line ends, a
 * UTF-8 byte order mark and OFAC's trailing Ctrl-Z (0x1A) byte ignored.
 * It never allocates per field: fields are copied into one scratch buffer
 * with NUL separators.
 */
#include <stdlib.h>
#include <string.h>

#include "lists_int.h"

#define CSV_MAX_RECORD (1u << 20) /* one record of at most 1 MiB */

void csv_open(csv_reader *r, const char *data, size_t len)
{
    memset(r, 0, sizeof *r);
    r->data = r->pos = data;
    r->end = data + len;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        r->pos += 3;
    buf_init(&r->scratch, CSV_MAX_RECORD);
}

void csv_close(csv_reader *r)
{
    free(r->fields);
    buf_release(&r->scratch);
    memset(r, 0, sizeof *r);
}

/* Is the rest of the data only blank lines and a Ctrl-Z? */
static bool only_trailer(const char *p, const char *end)
{
    for (; p < end; p++)
        if (*p != '\r' && *p != '\n' && *p != 0x1A && *p != ' ' && *p != '\t')
            return false;
    return true;
}

/* Record the field offsets after the scratch buffer is complete. */
static int csv_split(csv_reader *r, const size_t *starts, size_t n, limes_error *err)
{
    if (n > r->cap) {
        char **f = realloc(r->fields, n * sizeof *f);
        if (!f)
            return limes_fail(err, LIMES_NOMEM, "", "out of memory"), -1;
        r->fields = f;
        r->cap = n;
    }
    for (size_t i = 0; i < n; i++)
        r->fields[i] = r->scratch.data + starts[i];
    r->nfields = n;
    return 1;
}

int csv_next(csv_reader *r, limes_error *err)
{
    /* Skip empty lines between records. */
    while (r->pos < r->end && (*r->pos == '\n' || *r->pos == '\r')) {
        if (*r->pos == '\n')
            r->line++;
        r->pos++;
    }
    if (r->pos >= r->end || only_trailer(r->pos, r->end))
        return 0;
    r->line++;
    size_t record_line = r->line;
    buf_reset(&r->scratch);
    size_t starts[256];
    size_t n = 0;
    const char *p = r->pos;
    for (;;) { /* one field per iteration */
        if (n == sizeof starts / sizeof starts[0])
            return limes_fail(err, LIMES_INVALID, "line",
                              "line %zu: more than %zu fields", record_line, n), -1;
        starts[n++] = r->scratch.len;
        if (p < r->end && *p == '"') {
            p++;
            for (;;) {
                if (p >= r->end)
                    return limes_fail(err, LIMES_INVALID, "line",
                                      "line %zu, field %zu: quote not closed", record_line,
                                      n), -1;
                if (*p == '"' && p + 1 < r->end && p[1] == '"') {
                    if (buf_putc(&r->scratch, '"'))
                        goto too_long;
                    p += 2;
                    continue;
                }
                if (*p == '"') {
                    p++;
                    break;
                }
                if (*p == '\n')
                    r->line++;
                if (buf_putc(&r->scratch, *p++))
                    goto too_long;
            }
            /* After the closing quote only spaces may precede the separator. */
            while (p < r->end && (*p == ' ' || *p == '\t'))
                p++;
            if (p < r->end && *p != ',' && *p != '\r' && *p != '\n' && *p != 0x1A)
                return limes_fail(err, LIMES_INVALID, "line",
                                  "line %zu, field %zu: text after closing quote", record_line,
                                  n), -1;
        } else {
            const char *s = p;
            while (p < r->end && *p != ',' && *p != '\r' && *p != '\n')
                p++;
            if (buf_append(&r->scratch, s, (size_t)(p - s)))
                goto too_long;
        }
        if (buf_putc(&r->scratch, '\0'))
            goto too_long;
        if (p < r->end && *p == ',') {
            p++;
            continue;
        }
        break;
    }
    while (p < r->end && *p == '\r')
        p++;
    if (p < r->end && *p == '\n')
        p++;
    r->pos = p;
    return csv_split(r, starts, n, err);
too_long:
    return limes_fail(err, LIMES_TOO_LARGE, "line", "line %zu: record longer than %u bytes",
                      record_line, CSV_MAX_RECORD), -1;
}
