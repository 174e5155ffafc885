/*
 * log.h - structured logging: one JSON object per line on stderr.
 *
 * Every line carries "ts", "level", "msg" and, when the line belongs to an
 * HTTP request, "request_id".  Extra fields come as a jansson object that
 * log_json() consumes (decrefs); pass NULL for none.  Thread-safe: each line
 * is written with a single write(2).
 */
#ifndef LIMES_CORE_LOG_H
#define LIMES_CORE_LOG_H

#include <jansson.h>

typedef enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR } log_level;

/* Lines below this level are dropped.  Default LOG_INFO. */
void log_set_level(log_level level);
/* Stop writing entirely (tests, CLI commands that print their own output). */
void log_set_quiet(int quiet);
void log_json(log_level level, const char *request_id, const char *msg, json_t *fields);
void log_msg(log_level level, const char *request_id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The server's line for each request, at LOG_INFO, msg "request": fields
 * method, path, status, ms, user and, when terminated >= 0, terminated.
 * Written out directly, without a JSON tree (that was ~2% of a check's
 * CPU, bench/checks); text escaped as log_json() does. */
void log_request(const char *request_id, const char *method, const char *path, int status,
                 double ms, const char *user, int terminated);

#endif
