/*
 * server.c - the HTTP server: libmicrohttpd in its internal epoll thread
 * pool, one http_req per request, and the fixed path every request takes:
 *
 *   receive (size cap) -> route -> authenticate -> authorise (roles, CSRF)
 *   -> parse JSON (depth cap) -> handler -> audit -> durable -> respond
 *   -> log, metrics
 *
 * A handler whose answer waits for the disk (the first-line check) hands
 * its work on and says so (http_later): the connection is suspended and
 * the pool thread goes on serving its other connections; http_answered,
 * from whichever thread finished the work, resumes it, and the answer goes
 * out on the pool thread as any other.  A thread slept through every
 * check's write and sync before, and the fifty connections it served
 * waited with it.
 *
 * Settings and pitfalls follow the measurements in infra.md section 4: the
 * answer is queued on a later callback, never the headers-only first one,
 * so keep-alive survives; quiescing needs MHD_USE_ITC.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "core/date.h"
#include "core/log.h"
#include "core/rand.h"
#include "http.h"
#include "limes/audit.h"
#include "limes/server.h"
#include "parse.h"
#include "server_int.h"

#define DEFAULT_MAX_BODY (1u << 20)
#define DEFAULT_MAX_UPLOAD (64u << 20)
#define DISCARD_LIMIT (256u << 20)
#define MAX_JSON_DEPTH 32
#define SESSION_COOKIE "limes_session"

struct http_req {
    struct limes_server *srv;
    struct MHD_Connection *conn;
    const char *method;
    char path[512];
    char request_id[33];
    const struct route *route; /* NULL when no route matched */
    bool method_mismatch;      /* the path exists with another method */
    int route_index;           /* metrics slot; nroutes when no route matched */
    size_t body_cap;
    size_t discarded;          /* bytes of an oversized body dropped so far */
    char params[HTTP_MAX_PARAMS][128];
    int nparams;
    buf body;
    bool too_large;
    json_t *json;
    limes_principal who;
    bool authed;
    char address[64];
    int64_t start_ns;
    /* answer */
    int status;
    json_t *resp;
    buf raw;
    const char *content_type;
    char *headers[16][2];
    int nheaders;
    /* audit */
    char *records[HTTP_MAX_RECORDS];
    int nrecords;
    bool audit;
    char *audit_detail;
    bool audit_written; /* stored by the handler's own transaction */
    limes_audit_entry entry; /* http_audit_entry, and what write_audit writes */
    char audit_action[600], audit_outcome[16];
    /* answering later (http_later): `lock` orders the handler's thread
     * setting the connection aside against the thread that answers */
    bool later;     /* the handler handed its work on */
    bool answered;  /* http_answered was called */
    bool suspended; /* the connection is set aside until then */
    bool not_durable; /* the commits before the handing on could not be synced */
    pthread_mutex_t lock;
};

/* ---- accessors ----------------------------------------------------------- */

limes_store *http_store(http_req *r) { return r->srv->store; }
struct limes_server *http_server(http_req *r) { return r->srv; }
const char *http_method(http_req *r) { return r->method; }
const char *http_path(http_req *r) { return r->path; }
const char *http_request_id(http_req *r) { return r->request_id; }
const char *http_client_address(http_req *r) { return r->address; }
bool http_is_tls(http_req *r) { return r->srv->tls; }
json_t *http_body_json(http_req *r) { return r->json; }
int http_status(http_req *r) { return r->status; }

const char *http_param(http_req *r, int i)
{
    return i >= 0 && i < r->nparams ? r->params[i] : "";
}

const char *http_query(http_req *r, const char *key)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *http_header(http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *http_cookie(http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

const char *http_body_raw(http_req *r, size_t *len)
{
    if (len)
        *len = r->body.len;
    return buf_str(&r->body);
}

const limes_principal *http_who(http_req *r) { return r->authed ? &r->who : NULL; }

/* ---- answering ----------------------------------------------------------- */

int http_json(http_req *r, int status, json_t *body)
{
    json_decref(r->resp);
    r->resp = body;
    r->status = status;
    r->content_type = "application/json";
    return status;
}

int http_raw(http_req *r, int status, const char *content_type, const char *data, size_t len)
{
    json_decref(r->resp);
    r->resp = NULL;
    buf_reset(&r->raw);
    if (buf_append(&r->raw, data, len) != LIMES_OK)
        return http_problem(r, LIMES_TOO_LARGE, "", "response too large");
    r->status = status;
    r->content_type = content_type;
    return status;
}

static int problem_json(http_req *r, limes_rc rc, const char *field, const char *detail)
{
    int status = limes_rc_http_status(rc);
    json_t *p = json_object();
    json_object_set_new(p, "type", json_sprintf("urn:limes:problem:%s", limes_rc_code(rc)));
    json_object_set_new(p, "title", json_string(limes_rc_message(rc)));
    json_object_set_new(p, "status", json_integer(status));
    json_object_set_new(p, "code", json_string(limes_rc_code(rc)));
    json_object_set_new(p, "detail", json_string(detail && *detail ? detail : limes_rc_message(rc)));
    if (field && *field)
        json_object_set_new(p, "field", json_string(field));
    json_object_set_new(p, "instance", json_string(r->path));
    json_object_set_new(p, "request_id", json_string(r->request_id));
    http_json(r, status, p);
    r->content_type = "application/problem+json";
    return status;
}

int http_problem(http_req *r, limes_rc rc, const char *field, const char *fmt, ...)
{
    char detail[512] = "";
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(detail, sizeof detail, fmt, ap);
        va_end(ap);
    }
    return problem_json(r, rc, field, detail);
}

int http_fail(http_req *r, const limes_error *err)
{
    limes_rc rc = err->rc ? err->rc : LIMES_INTERNAL;
    return problem_json(r, rc, err->field, limes_error_text(err));
}

void http_add_header(http_req *r, const char *name, const char *value)
{
    if (r->nheaders >= 16)
        return;
    r->headers[r->nheaders][0] = strdup(name);
    r->headers[r->nheaders][1] = strdup(value);
    r->nheaders++;
}

void http_audit_record(http_req *r, const char *fmt, ...)
{
    if (r->nrecords >= HTTP_MAX_RECORDS)
        return;
    char rec[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rec, sizeof rec, fmt, ap);
    va_end(ap);
    r->records[r->nrecords++] = strdup(rec);
}

void http_audit_force(http_req *r) { r->audit = true; }

void http_audit_detail(http_req *r, const char *detail)
{
    free(r->audit_detail);
    r->audit_detail = strdup(detail);
}

/* ---- body helpers -------------------------------------------------------- */

static json_t *body_field(http_req *r, const char *key, bool required, bool *ok)
{
    json_t *v = r->json ? json_object_get(r->json, key) : NULL;
    *ok = true;
    if ((!v || json_is_null(v)) && required) {
        http_problem(r, LIMES_INVALID, key, "'%s' is required", key);
        *ok = false;
    }
    return v && !json_is_null(v) ? v : NULL;
}

bool http_body_str(http_req *r, const char *key, bool required, size_t maxlen,
                   const char **out)
{
    bool ok;
    json_t *v = body_field(r, key, required, &ok);
    *out = NULL;
    if (!ok || !v)
        return ok;
    if (!json_is_string(v)) {
        http_problem(r, LIMES_INVALID, key, "'%s' must be a string", key);
        return false;
    }
    if (json_string_length(v) > maxlen) {
        http_problem(r, LIMES_INVALID, key, "'%s' is longer than %zu bytes", key, maxlen);
        return false;
    }
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        http_problem(r, LIMES_INVALID, key, "'%s' contains a NUL character", key);
        return false;
    }
    *out = json_string_value(v);
    return true;
}

bool http_body_int(http_req *r, const char *key, bool required, int64_t min, int64_t max,
                   int64_t *out)
{
    bool ok;
    json_t *v = body_field(r, key, required, &ok);
    if (!ok || !v)
        return ok;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        http_problem(r, LIMES_INVALID, key, "'%s' must be an integer from %lld to %lld", key,
                     (long long)min, (long long)max);
        return false;
    }
    *out = json_integer_value(v);
    return true;
}

bool http_body_bool(http_req *r, const char *key, bool required, bool *out)
{
    bool ok;
    json_t *v = body_field(r, key, required, &ok);
    if (!ok || !v)
        return ok;
    if (!json_is_boolean(v)) {
        http_problem(r, LIMES_INVALID, key, "'%s' must be true or false", key);
        return false;
    }
    *out = json_is_true(v);
    return true;
}

bool http_param_id(http_req *r, int i, int64_t *out)
{
    const char *s = http_param(r, i);
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno || v <= 0) {
        http_problem(r, LIMES_NOT_FOUND, "id", "'%s' is not a valid id", s);
        return false;
    }
    *out = v;
    return true;
}

/* ---- answering later ------------------------------------------------------ */

void http_later(http_req *r)
{
    r->later = true;
    atomic_fetch_add(&r->srv->later, 1);
}

void http_answered(http_req *r)
{
    pthread_mutex_lock(&r->lock);
    r->answered = true;
    struct MHD_Connection *resume = r->suspended ? r->conn : NULL;
    struct limes_server *srv = r->srv;
    pthread_mutex_unlock(&r->lock);
    /* From here r is the pool thread's again: the resumed connection may
     * be answered and r freed at once. */
    if (resume)
        MHD_resume_connection(resume);
    atomic_fetch_sub(&srv->later, 1);
}

/* ---- request processing -------------------------------------------------- */

static bool parse_body(http_req *r, unsigned flags)
{
    if (r->body.len == 0 || (flags & ROUTE_RAW_BODY))
        return true;
    limes_error err = {0};
    if (request_parse_json(r->body.data, r->body.len, MAX_JSON_DEPTH, &r->json, &err)) {
        http_fail(r, &err);
        return false;
    }
    return true;
}

static bool authenticate(http_req *r)
{
    limes_error err = {0};
    const char *authz = http_header(r, "Authorization");
    limes_rc rc;
    if (authz && strncasecmp(authz, "Bearer ", 7) == 0) {
        rc = limes_token_check(r->srv->store, authz + 7, &r->who, &err);
    } else {
        const char *sid = http_cookie(r, SESSION_COOKIE);
        if (!sid) {
            http_problem(r, LIMES_UNAUTHENTICATED, "", "log in or present an API token");
            return false;
        }
        rc = limes_session_check(r->srv->store, sid, &r->who, &err);
    }
    if (rc) {
        http_fail(r, &err);
        return false;
    }
    r->authed = true;
    return true;
}

static bool authorise(http_req *r, const struct route *rt)
{
    if (!(rt->roles & r->who.role)) {
        http_problem(r, LIMES_FORBIDDEN, "", "role '%s' may not use %s %s",
                     limes_role_name(r->who.role), rt->method, rt->pattern);
        return false;
    }
    bool safe = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
    if (r->who.via_session && !safe && !(rt->flags & ROUTE_NO_CSRF)) {
        const char *token = http_header(r, "X-CSRF-Token");
        if (!token || strcmp(token, r->who.csrf_token) != 0) {
            http_problem(r, LIMES_CSRF, "X-CSRF-Token",
                         "state-changing requests made with a session need the X-CSRF-Token "
                         "header");
            return false;
        }
    }
    return true;
}

const limes_audit_entry *http_audit_entry(http_req *r, int status)
{
    const struct route *rt = r->route;
    snprintf(r->audit_action, sizeof r->audit_action, "%s %s", r->method,
             rt ? rt->pattern : r->path);
    snprintf(r->audit_outcome, sizeof r->audit_outcome, "%d", status);
    const char *purpose = http_header(r, "X-Purpose");
    if (!purpose)
        purpose = http_query(r, "purpose");
    r->entry = (limes_audit_entry){
        .request_id = r->request_id,
        .actor = r->authed ? r->who.username : "",
        .role = r->authed ? limes_role_name(r->who.role) : "",
        .action = r->audit_action,
        .purpose = purpose,
        .records = (const char *const *)r->records,
        .nrecords = (size_t)r->nrecords,
        .outcome = r->audit_outcome,
        .detail = r->audit_detail,
    };
    return &r->entry;
}

void http_audit_written(http_req *r) { r->audit_written = true; }

static void write_audit(http_req *r)
{
    const limes_audit_entry *e = http_audit_entry(r, r->status);
    limes_error err = {0};
    if (limes_audit_append(r->srv->store, e, &err) != LIMES_OK) {
        log_msg(LOG_ERROR, r->request_id, "audit append failed: %s", limes_error_text(&err));
        /* An unaudited answer to a personal-data request must not leave. */
        if (r->status < 400)
            http_problem(r, LIMES_UNAVAILABLE, "", "the audit trail could not be written");
    }
}

static void audit_unless_written(http_req *r)
{
    if (((r->route->flags & ROUTE_PERSONAL) || r->audit) && !r->audit_written)
        write_audit(r);
}

/* The one durability wait for the request's deferred commits; false if
 * they could not be made durable.  Touches nothing of r's answer: for a
 * request answered later, another thread may be setting it meanwhile. */
static bool deferred_durable(http_req *r)
{
    limes_error err = {0};
    if (limes_store_defer_end(r->srv->store, &err) == LIMES_OK)
        return true;
    log_msg(LOG_ERROR, r->request_id, "commit not durable: %s", limes_error_text(&err));
    return false;
}

static void end_deferred(http_req *r)
{
    if (!deferred_durable(r) && r->status < 400)
        http_problem(r, LIMES_UNAVAILABLE, "", "the records could not be made durable");
}

static void dispatch(http_req *r)
{
    const struct route *rt = r->route;
    if (!rt) {
        if (r->method_mismatch)
            http_problem(r, LIMES_BAD_METHOD, "", "%s is not allowed on %s", r->method, r->path);
        else if (!static_serve(r, r->srv->web_dir))
            http_problem(r, LIMES_NOT_FOUND, "", "no such resource: %s", r->path);
        return;
    }
    if (r->too_large) {
        http_problem(r, LIMES_TOO_LARGE, "", "request body larger than %zu bytes",
                     r->body_cap);
        return;
    }
    /* The request's commits (handler, session touch) and its audit entry
     * are made durable by ONE wait, after all of them (limes/store.h):
     * before, each waited for its own sync in turn, and the pool threads
     * slept through both. */
    limes_store_defer_begin(r->srv->store);
    bool ok = true;
    if (!(rt->flags & ROUTE_PUBLIC))
        ok = authenticate(r) && authorise(r, rt);
    if (ok)
        ok = parse_body(r, rt->flags);
    if (ok) {
        int status = rt->fn(r);
        if (r->later) { /* respond_later completes it, once answered */
            r->not_durable = !deferred_durable(r);
            return;
        }
        if (!r->status)
            http_problem(r, LIMES_INTERNAL, "", "handler gave no answer (status %d)", status);
    }
    audit_unless_written(r);
    end_deferred(r);
}

static void add_common_headers(http_req *r, struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "X-Request-Id", r->request_id);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
    if (r->srv->tls)
        MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
    for (int i = 0; i < r->nheaders; i++)
        MHD_add_response_header(resp, r->headers[i][0], r->headers[i][1]);
    bool cache_set = false;
    for (int i = 0; i < r->nheaders; i++)
        cache_set = cache_set || strcasecmp(r->headers[i][0], "Cache-Control") == 0;
    if (!cache_set && (!r->content_type || strncmp(r->content_type, "application/", 12) == 0))
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (r->content_type)
        MHD_add_response_header(resp, "Content-Type", r->content_type);
}

static enum MHD_Result respond(http_req *r)
{
    char *text = NULL;
    size_t len = 0;
    if (r->resp) {
        text = json_dumps(r->resp, JSON_COMPACT | JSON_ENSURE_ASCII);
        if (!text)
            return MHD_NO;
        len = strlen(text);
    } else {
        len = r->raw.len;
        text = buf_take(&r->raw);
    }
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    add_common_headers(r, resp);
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* The request answered later, on the pool thread again: its audit entry,
 * unless the handler's work stored it, made durable, then the answer. */
static enum MHD_Result respond_later(http_req *r)
{
    if (r->not_durable && r->status < 400)
        http_problem(r, LIMES_UNAVAILABLE, "", "the records could not be made durable");
    limes_store_defer_begin(r->srv->store);
    audit_unless_written(r);
    end_deferred(r);
    return respond(r);
}

static void client_address(http_req *r)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    r->address[0] = '\0';
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, r->address,
                  sizeof r->address);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                  r->address, sizeof r->address);
}

static http_req *request_new(struct limes_server *srv, struct MHD_Connection *conn,
                             const char *method, const char *url)
{
    http_req *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->srv = srv;
    r->conn = conn;
    r->method = method;
    r->start_ns = time_mono_ns();
    snprintf(r->path, sizeof r->path, "%s", url);
    rand_hex(r->request_id, 16);
    /* Route on the headers, so that the body cap can depend on the route:
     * uploads (CSV, XML lists) may be larger than JSON requests. */
    r->route = router_match(srv->routes, srv->nroutes, method, r->path, r->params, &r->nparams,
                            &r->route_index, &r->method_mismatch);
    r->body_cap = r->route && (r->route->flags & ROUTE_RAW_BODY) ? srv->max_upload
                                                                 : srv->max_body;
    buf_init(&r->body, r->body_cap);
    buf_init(&r->raw, 64u << 20);
    client_address(r);
    const char *len = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    if (len && strtoull(len, NULL, 10) > r->body_cap)
        r->too_large = true;
    pthread_mutex_init(&r->lock, NULL);
    atomic_fetch_add(&srv->inflight, 1);
    return r;
}

/* The handler answers later: suspend the connection until http_answered,
 * or answer now if it already was. */
static enum MHD_Result set_aside(http_req *r)
{
    pthread_mutex_lock(&r->lock);
    bool answered = r->answered;
    if (!answered) {
        MHD_suspend_connection(r->conn);
        r->suspended = true;
    }
    pthread_mutex_unlock(&r->lock);
    return answered ? respond_later(r) : MHD_YES;
}

/* Run the request, and answer it now or set it aside. */
static enum MHD_Result run(http_req *r)
{
    dispatch(r);
    return r->later ? set_aside(r) : respond(r);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls)
{
    struct limes_server *srv = cls;
    http_req *r = *con_cls;
    if (!r) {
        r = request_new(srv, conn, method, url);
        *con_cls = r;
        return r ? MHD_YES : MHD_NO;
    }
    if (*upload_size) {
        if (!r->too_large && buf_append(&r->body, upload_data, *upload_size) != LIMES_OK)
            r->too_large = true;
        if (r->too_large)
            r->discarded += *upload_size;
        *upload_size = 0;
        /* An oversized body is read and dropped so that ordinary clients,
         * which send the whole body before reading, still get the 413; past
         * DISCARD_LIMIT the answer goes at once and the connection closes. */
        if (r->discarded <= DISCARD_LIMIT)
            return MHD_YES;
        return run(r);
    }
    if (r->suspended) { /* resumed: answered */
        r->suspended = false;
        return respond_later(r);
    }
    return run(r);
}

static void request_free(http_req *r)
{
    buf_release(&r->body);
    buf_release(&r->raw);
    json_decref(r->json);
    json_decref(r->resp);
    for (int i = 0; i < r->nheaders; i++) {
        free(r->headers[i][0]);
        free(r->headers[i][1]);
    }
    for (int i = 0; i < r->nrecords; i++)
        free(r->records[i]);
    free(r->audit_detail);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct limes_server *srv = cls;
    http_req *r = *con_cls;
    if (!r)
        return;
    double ms = (double)(time_mono_ns() - r->start_ns) / 1e6;
    metrics_observe(&srv->metrics, r->route_index, r->status, ms);
    log_request(r->request_id, r->method, r->path, r->status, ms,
                r->authed ? r->who.username : "",
                toe != MHD_REQUEST_TERMINATED_COMPLETED_OK ? (int)toe : -1);
    request_free(r);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->inflight, 1);
}

/* ---- start and stop ------------------------------------------------------ */

static limes_rc parse_listen(const char *listen, struct sockaddr_in *sa, limes_error *err)
{
    char host[64];
    const char *colon = listen ? strrchr(listen, ':') : NULL;
    if (!colon || (size_t)(colon - listen) >= sizeof host)
        return limes_fail(err, LIMES_INVALID, "listen", "--listen must be ADDR:PORT, got '%s'",
                          listen ? listen : "");
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535 || colon[1] == '\0')
        return limes_fail(err, LIMES_INVALID, "listen", "bad port in '%s'", listen);
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
        return limes_fail(err, LIMES_INVALID, "listen", "bad IPv4 address '%s'", host);
    return LIMES_OK;
}

static char *read_file(const char *path, limes_error *err, const char *field)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        limes_fail(err, LIMES_IO, field, "cannot read '%s': %s", path, strerror(errno));
        return NULL;
    }
    buf b;
    buf_init(&b, 1 << 20);
    char chunk[4096];
    size_t n;
    limes_rc rc = LIMES_OK;
    while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = buf_append(&b, chunk, n);
    fclose(f);
    if (rc) {
        limes_fail(err, rc, field, "'%s' is too large", path);
        return NULL;
    }
    return buf_take(&b);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    log_msg(LOG_WARN, NULL, "microhttpd: %s", msg);
}

static unsigned thread_count(const limes_server_config *cfg)
{
    if (cfg->threads)
        return cfg->threads;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned n = cores > 0 ? (unsigned)cores * 2 : 4;
    return n < 4 ? 4 : n;
}

static limes_rc load_tls(struct limes_server *srv, const limes_server_config *cfg,
                         limes_error *err)
{
    if (!cfg->tls_cert && !cfg->tls_key)
        return LIMES_OK;
    if (!cfg->tls_cert || !cfg->tls_key)
        return limes_fail(err, LIMES_INVALID, cfg->tls_cert ? "tls-key" : "tls-cert",
                          "--tls-cert and --tls-key go together");
    srv->tls_cert = read_file(cfg->tls_cert, err, "tls-cert");
    if (!srv->tls_cert)
        return err ? err->rc : LIMES_IO;
    srv->tls_key = read_file(cfg->tls_key, err, "tls-key");
    if (!srv->tls_key)
        return err ? err->rc : LIMES_IO;
    srv->tls = true;
    return LIMES_OK;
}

static void server_free(struct limes_server *srv)
{
    free(srv->tls_cert);
    free(srv->tls_key);
    free(srv->routes);
    metrics_release(&srv->metrics);
    free(srv);
}

limes_rc limes_server_start(limes_store *store, const limes_server_config *cfg,
                            limes_server **out, limes_error *err)
{
    struct sockaddr_in sa;
    limes_rc rc = parse_listen(cfg->listen, &sa, err);
    if (rc)
        return rc;
    struct limes_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        return LIMES_NOMEM;
    srv->store = store;
    srv->max_body = cfg->max_body ? cfg->max_body : DEFAULT_MAX_BODY;
    srv->max_upload = cfg->max_upload ? cfg->max_upload : DEFAULT_MAX_UPLOAD;
    srv->web_dir = cfg->web_dir;
    srv->started_ms = time_now_ms();
    rc = router_build(&srv->routes, &srv->nroutes, err);
    if (!rc)
        rc = metrics_init(&srv->metrics, srv->routes, srv->nroutes);
    if (!rc)
        rc = load_tls(srv, cfg, err);
    if (rc) {
        server_free(srv);
        return rc;
    }
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
                     MHD_ALLOW_SUSPEND_RESUME;
    if (srv->tls)
        flags |= MHD_USE_TLS;
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL},
        {MHD_OPTION_SOCK_ADDR, 0, &sa},
        {MHD_OPTION_THREAD_POOL_SIZE, thread_count(cfg), NULL},
        {MHD_OPTION_CONNECTION_LIMIT, 10000, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, 30, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, srv},
        {srv->tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, srv->tls_key},
        {srv->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, srv->tls_cert},
        {MHD_OPTION_END, 0, NULL},
    };
    srv->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_ARRAY, opts,
                                MHD_OPTION_END);
    if (!srv->mhd) {
        server_free(srv);
        return limes_fail(err, LIMES_IO, "listen",
                          "cannot listen on %s (address in use, or bad TLS key/certificate)",
                          cfg->listen);
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di ? di->port : ntohs(sa.sin_port);
    *out = srv;
    return LIMES_OK;
}

unsigned limes_server_port(const limes_server *srv) { return srv->port; }

void limes_server_stop(limes_server *srv)
{
    if (!srv)
        return;
    MHD_socket fd = MHD_quiesce_daemon(srv->mhd);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    for (int i = 0; i < 1000 && atomic_load(&srv->inflight) > 0; i++)
        usleep(10000);
    while (atomic_load(&srv->later) > 0) /* a suspended connection must be resumed first */
        usleep(1000);
    MHD_stop_daemon(srv->mhd);
    server_free(srv);
}

limes_rc limes_serve(limes_store *store, const limes_server_config *cfg, limes_error *err)
{
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, &old); /* threads started below inherit the mask */
    signal(SIGPIPE, SIG_IGN);
    limes_server *srv;
    limes_rc rc = limes_server_start(store, cfg, &srv, err);
    if (rc) {
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return rc;
    }
    char host[64];
    snprintf(host, sizeof host, "%.*s", (int)(strrchr(cfg->listen, ':') - cfg->listen),
             cfg->listen);
    printf("limes listening on %s://%s:%u/\n", srv->tls ? "https" : "http", host,
           limes_server_port(srv));
    fflush(stdout);
    log_json(LOG_INFO, NULL, "listening",
             json_pack("{s:s, s:i, s:b}", "address", host, "port", (int)limes_server_port(srv),
                       "tls", srv->tls));
    int sig = 0;
    sigwait(&set, &sig);
    log_json(LOG_INFO, NULL, "stopping", json_pack("{s:i}", "signal", sig));
    limes_server_stop(srv);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return LIMES_OK;
}
