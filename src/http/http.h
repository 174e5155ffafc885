/*
 * http.h - what a route handler sees of an HTTP request, and how it answers.
 *
 * The server (server.c) owns each http_req from the first byte to the last:
 * it authenticates the caller, checks the route's roles and the CSRF token,
 * parses the JSON body, calls the handler, writes the audit entry and the
 * access log line, and frees everything.  A handler reads the request
 * through the accessors below, calls into the domain modules, and sets the
 * answer with http_json() or http_problem(); it returns the HTTP status.
 *
 * Memory: strings from accessors live as long as the request.  http_json()
 * takes ownership of the JSON it is given.
 */
#ifndef LIMES_HTTP_H
#define LIMES_HTTP_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/buf.h"
#include "limes/audit.h"
#include "limes/auth.h"
#include "limes/error.h"
#include "limes/store.h"

typedef struct http_req http_req;
typedef int (*route_fn)(http_req *r);

enum route_flags {
    ROUTE_PUBLIC = 1 << 0,   /* no credentials needed */
    ROUTE_PERSONAL = 1 << 1, /* touches personal data: every call is audited */
    ROUTE_NO_CSRF = 1 << 2,  /* login: no session yet, so no CSRF token */
    ROUTE_RAW_BODY = 1 << 3, /* body is not JSON (CSV, XML uploads) */
};

struct route {
    const char *method;  /* "GET", "POST", ... */
    const char *pattern; /* "/v1/users/{id}" */
    unsigned roles;      /* limes_role bits allowed; ignored when ROUTE_PUBLIC */
    unsigned flags;
    route_fn fn;
};

#define HTTP_MAX_PARAMS 4
#define HTTP_MAX_RECORDS 64

/* ---- reading the request ------------------------------------------------- */
limes_store *http_store(http_req *r);
const char *http_method(http_req *r);
const char *http_path(http_req *r);
const char *http_request_id(http_req *r);
const char *http_param(http_req *r, int i);          /* {...} captures, in order */
const char *http_query(http_req *r, const char *key); /* NULL if absent */
const char *http_header(http_req *r, const char *name);
const char *http_cookie(http_req *r, const char *name);
const char *http_client_address(http_req *r);
bool http_is_tls(http_req *r);
json_t *http_body_json(http_req *r);                  /* NULL if no body; borrowed */
const char *http_body_raw(http_req *r, size_t *len);
const limes_principal *http_who(http_req *r);         /* NULL on public routes */

/* ---- answering ----------------------------------------------------------- */
/* Answer with a JSON body (ownership taken); returns status. */
int http_json(http_req *r, int status, json_t *body);
/* Answer with raw bytes (copied) and a content type; returns status. */
int http_raw(http_req *r, int status, const char *content_type, const char *data, size_t len);
/* RFC 9457 problem answer for rc; returns the HTTP status. */
int http_problem(http_req *r, limes_rc rc, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Problem answer from a filled limes_error. */
int http_fail(http_req *r, const limes_error *err);
/* Add a response header (copied). */
void http_add_header(http_req *r, const char *name, const char *value);

/* ---- answering later ----------------------------------------------------- */
/* For a handler whose work waits for something slow (the disk): it calls
 * http_later(r), hands r to the code that will finish the work, and
 * returns; the server sets the connection aside and serves others on its
 * thread.  Whoever finishes - any thread, even the handler's own before it
 * returns - sets the answer (http_json, http_raw, http_fail,
 * http_audit_written) and calls http_answered(r) last: r may be freed the
 * moment it returns.  The server then audits and answers as for any
 * request. */
void http_later(http_req *r);
void http_answered(http_req *r);

/* ---- audit --------------------------------------------------------------- */
/* Note a record this request touched ("traveller:42"); copied. */
void http_audit_record(http_req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Audit this request even if its route is not flagged ROUTE_PERSONAL. */
void http_audit_force(http_req *r);
/* Free-text detail for the audit entry (copied). */
void http_audit_detail(http_req *r, const char *detail);
/* The request's audit entry as the server would write it, with `status`
 * as its outcome, for a library call that writes it within its own
 * transaction (limes_check_in.audit: the entry commits with the records it
 * is about, once).  Valid until the request ends.  Once the call stored it,
 * http_audit_written() tells the server to write no other. */
const limes_audit_entry *http_audit_entry(http_req *r, int status);
void http_audit_written(http_req *r);

/* ---- body validation helpers: return false and answer 400 on failure ---- */
/* Required (or optional, if !required) string field of at most maxlen bytes. */
bool http_body_str(http_req *r, const char *key, bool required, size_t maxlen,
                   const char **out);
bool http_body_int(http_req *r, const char *key, bool required, int64_t min, int64_t max,
                   int64_t *out);
bool http_body_bool(http_req *r, const char *key, bool required, bool *out);
/* Parse an integer path parameter; false (404) if malformed. */
bool http_param_id(http_req *r, int i, int64_t *out);
/* The answer status already set by a failed helper. */
int http_status(http_req *r);

#endif
