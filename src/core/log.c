/*
 * log.c - JSON-lines logger; see log.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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
