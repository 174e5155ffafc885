/*
 * log.c - JSON-lines logger; see log.h.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "date.h"
#include "log.h"

static log_level min_level = LOG_INFO;
static int quiet;

void log_set_level(log_level level) { min_level = level; }
void log_set_quiet(int q) { quiet = q; }

static const char *level_name(log_level level)
{
    switch (level) {
    case LOG_DEBUG: return "debug";
    case LOG_INFO: return "info";
    case LOG_WARN: return "warn";
    default: return "error";
    }
}

void log_json(log_level level, const char *request_id, const char *msg, json_t *fields)
{
    if (quiet || level < min_level) {
        json_decref(fields);
        return;
    }
    char ts[32];
    time_format_rfc3339(time_now_ms(), ts);
    json_t *line = json_object();
    json_object_set_new(line, "ts", json_string(ts));
    json_object_set_new(line, "level", json_string(level_name(level)));
    if (request_id)
        json_object_set_new(line, "request_id", json_string(request_id));
    json_object_set_new(line, "msg", json_string(msg ? msg : ""));
    if (fields && json_is_object(fields))
        json_object_update(line, fields);
    json_decref(fields);
    char *text = json_dumps(line, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(line);
    if (!text)
        return;
    size_t n = 0;
    while (text[n])
        n++;
    text[n] = '\n'; /* overwrite the terminator: one write for the line */
    ssize_t w = write(STDERR_FILENO, text, n + 1);
    (void)w;
    free(text);
}

void log_msg(log_level level, const char *request_id, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_json(level, request_id, msg, NULL);
}

/* Decode one UTF-8 sequence at s (n bytes left) into *cp; its length, or 0
 * if it is not well-formed (overlong, surrogate, beyond U+10FFFF). */
static size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
    size_t len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 0;
    if (!len || len > n || s[0] > 0xF4)
        return 0;
    unsigned v = s[0] & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    static const unsigned min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < min[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

/* Append "text" as a JSON string, ASCII only, at *pos in out (cap bytes);
 * false if it does not fit. */
static bool put_string(char *out, size_t cap, size_t *pos, const char *text)
{
    const unsigned char *s = (const unsigned char *)(text ? text : "");
    size_t n = strlen((const char *)s), p = *pos;
    if (p + 1 >= cap)
        return false;
    out[p++] = '"';
    for (size_t i = 0; i < n;) {
        if (p + 13 >= cap) /* the longest escape: a surrogate pair */
            return false;
        unsigned c = s[i];
        if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
            out[p++] = (char)c;
            i++;
            continue;
        }
        unsigned cp = c;
        size_t len = c < 0x80 ? 1 : utf8_decode(s + i, n - i, &cp);
        if (!len) { /* not UTF-8: the replacement character */
            cp = 0xFFFD;
            len = 1;
        }
        i += len;
        if (cp == '"' || cp == '\\')
            p += (size_t)snprintf(out + p, cap - p, "\\%c", (char)cp);
        else if (cp > 0xFFFF)
            p += (size_t)snprintf(out + p, cap - p, "\\u%04x\\u%04x",
                                  0xD800 + ((cp - 0x10000) >> 10), 0xDC00 + ((cp - 0x10000) & 0x3FF));
        else
            p += (size_t)snprintf(out + p, cap - p, "\\u%04x", cp);
    }
    out[p++] = '"';
    *pos = p;
    return true;
}

void log_request(const char *request_id, const char *method, const char *path, int status,
                 double ms, const char *user, int terminated)
{
    if (quiet || LOG_INFO < min_level)
        return;
    char ts[32], line[4096];
    time_format_rfc3339(time_now_ms(), ts);
    size_t p = (size_t)snprintf(line, sizeof line, "{\"ts\":\"%s\",\"level\":\"info\",", ts);
    bool ok = true;
    if (request_id) {
        p += (size_t)snprintf(line + p, sizeof line - p, "\"request_id\":");
        ok = put_string(line, sizeof line, &p, request_id);
        line[p++] = ',';
    }
    p += (size_t)snprintf(line + p, sizeof line - p, "\"msg\":\"request\",\"method\":");
    ok = ok && put_string(line, sizeof line, &p, method);
    ok = ok && p + 8 < sizeof line;
    if (ok) {
        memcpy(line + p, ",\"path\":", 8);
        p += 8;
    }
    ok = ok && put_string(line, sizeof line, &p, path);
    if (ok)
        p += (size_t)snprintf(line + p, sizeof line - p, ",\"status\":%d,\"ms\":%.3f,\"user\":",
                              status, ms);
    ok = ok && p < sizeof line && put_string(line, sizeof line, &p, user);
    if (ok && terminated >= 0)
        p += (size_t)snprintf(line + p, sizeof line - p, ",\"terminated\":%d", terminated);
    if (!ok || p + 2 >= sizeof line) { /* a huge path: the tree has no length limit */
        json_t *f = json_pack("{s:s?, s:s?, s:i, s:f, s:s?}", "method", method, "path", path,
                              "status", status, "ms", ms, "user", user);
        if (f && terminated >= 0)
            json_object_set_new(f, "terminated", json_integer(terminated));
        log_json(LOG_INFO, request_id, "request", f);
        return;
    }
    line[p++] = '}';
    line[p++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, p);
    (void)w;
}
