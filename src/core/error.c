/*
 * error.c - names, messages and HTTP statuses of limes_rc, all expanded
 * from the single LIMES_ERROR_LIST in limes/error.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "limes/error.h"

struct rc_info {
    const char *code;
    int status;
    const char *message;
};

#define RC_INFO_ITEM(name, value, code, status, msg) [value] = {code, status, msg},
static const struct rc_info rc_table[] = {LIMES_ERROR_LIST(RC_INFO_ITEM)};
#undef RC_INFO_ITEM

static const struct rc_info *info_of(limes_rc rc)
{
    if ((unsigned)rc >= sizeof rc_table / sizeof rc_table[0] || !rc_table[rc].code)
        return &rc_table[LIMES_INTERNAL];
    return &rc_table[rc];
}

const char *limes_rc_code(limes_rc rc) { return info_of(rc)->code; }
const char *limes_rc_message(limes_rc rc) { return info_of(rc)->message; }
int limes_rc_http_status(limes_rc rc) { return info_of(rc)->status; }

limes_rc limes_fail(limes_error *err, limes_rc rc, const char *field, const char *fmt, ...)
{
    if (!err)
        return rc;
    err->rc = rc;
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    err->message[0] = '\0';
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return rc;
}

const char *limes_error_text(const limes_error *err)
{
    if (!err)
        return "";
    return err->message[0] ? err->message : limes_rc_message(err->rc);
}
