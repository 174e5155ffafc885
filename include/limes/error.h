/*
 * limes/error.h - the one result type of the library.
 *
 * Every fallible library function returns a limes_rc.  LIMES_OK (0) is
 * success; everything else names what went wrong.  Functions that can say
 * more (which field, which line) also take a `limes_error *` that they fill
 * on failure; passing NULL is always allowed.
 *
 * The codes, their stable machine-readable names (used in problem+json and
 * in CLI messages), their default messages and the HTTP status each maps to
 * all come from the single list LIMES_ERROR_LIST below.  Never renumber:
 * append new codes at the end.
 *
 * Memory: a limes_error is a plain value the caller owns; it holds no
 * pointers.
 */
#ifndef LIMES_ERROR_H
#define LIMES_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/* X(enum suffix, value, stable code, HTTP status, default message) */
#define LIMES_ERROR_LIST(X)                                                   \
    X(OK, 0, "ok", 200, "success")                                            \
    X(INVALID, 1, "invalid-input", 400, "invalid input")                      \
    X(NOMEM, 2, "out-of-memory", 500, "out of memory")                        \
    X(IO, 3, "io-error", 500, "input/output error")                           \
    X(NOT_FOUND, 4, "not-found", 404, "not found")                            \
    X(EXISTS, 5, "already-exists", 409, "already exists")                     \
    X(CONFLICT, 6, "conflict", 409, "conflict with the current state")        \
    X(STORE, 7, "store-error", 500, "storage error")                          \
    X(UNAUTHENTICATED, 8, "unauthenticated", 401, "authentication required")  \
    X(FORBIDDEN, 9, "forbidden", 403, "not allowed for this role")            \
    X(TOO_LARGE, 10, "too-large", 413, "input too large")                     \
    X(BAD_JSON, 11, "bad-json", 400, "malformed JSON")                        \
    X(RATE_LIMITED, 12, "rate-limited", 429, "too many attempts")             \
    X(CRYPTO, 13, "crypto-error", 500, "cryptographic failure")               \
    X(TAMPERED, 14, "audit-tampered", 500, "audit chain broken")              \
    X(UNSUPPORTED, 15, "unsupported", 400, "not supported")                   \
    X(BAD_METHOD, 16, "method-not-allowed", 405, "method not allowed")        \
    X(CSRF, 17, "csrf-token-missing", 403, "CSRF token missing or wrong")     \
    X(INTERNAL, 18, "internal-error", 500, "internal error")                  \
    X(BAD_MRZ, 19, "unusable-mrz", 422, "machine-readable zone unusable")     \
    X(UNPROCESSABLE, 20, "unprocessable", 422, "request cannot be processed") \
    X(UNAVAILABLE, 21, "unavailable", 503, "service unavailable")

#define LIMES_ERROR_ENUM_ITEM(name, value, code, status, msg) LIMES_##name = value,
typedef enum limes_rc { LIMES_ERROR_LIST(LIMES_ERROR_ENUM_ITEM) LIMES__LAST } limes_rc;
#undef LIMES_ERROR_ENUM_ITEM

/* Detail that travels with a limes_rc: which field, and a human message. */
typedef struct limes_error {
    limes_rc rc;
    char field[64];    /* JSON pointer, CLI option or column; "" if none */
    char message[256]; /* complete sentence for a person; "" = default */
} limes_error;

/* Stable machine-readable name, e.g. "invalid-input".  Never NULL. */
const char *limes_rc_code(limes_rc rc);
/* Default English message for the code.  Never NULL. */
const char *limes_rc_message(limes_rc rc);
/* HTTP status that an API answer with this code uses. */
int limes_rc_http_status(limes_rc rc);

/*
 * Fill *err (if err is not NULL) and return rc, so that callers can write
 * `return limes_fail(err, LIMES_INVALID, "name", "name is empty");`.
 * `fmt` is printf-style; the message is truncated to fit.
 */
limes_rc limes_fail(limes_error *err, limes_rc rc, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The message in err if set, otherwise the default for err->rc. */
const char *limes_error_text(const limes_error *err);

#ifdef __cplusplus
}
#endif
#endif
