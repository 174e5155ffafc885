/* test_core.c - dates, bounded buffers and the error table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/date.h"
#include "core/jsontext.h"
#include "core/log.h"
#include "limes/error.h"
#include "test.h"

static void test_civil_round_trip(void)
{
    CHECK_INT(date_from_civil(1970, 1, 1), 0);
    CHECK_INT(date_from_civil(2000, 3, 1), 11017);
    for (day_t d = -800000; d < 800000; d += 997) {
        int y, m, dd;
        date_to_civil(d, &y, &m, &dd);
        CHECK_INT(date_from_civil(y, m, dd), d);
    }
}

static void test_iso_parse(void)
{
    day_t d;
    CHECK(date_parse_iso("2024-02-29", &d));
    char out[11];
    date_format_iso(d, out);
    CHECK_STR(out, "2024-02-29");
    CHECK(!date_parse_iso("2023-02-29", &d));
    CHECK(!date_parse_iso("2024-13-01", &d));
    CHECK(!date_parse_iso("2024-1-01", &d));
    CHECK(!date_parse_iso("", &d));
    CHECK(!date_parse_iso(NULL, &d));
}

static void test_age(void)
{
    day_t b = date_from_civil(2008, 2, 29);
    CHECK_INT(date_age_years(b, date_from_civil(2026, 2, 28)), 17);
    CHECK_INT(date_age_years(b, date_from_civil(2026, 3, 1)), 18);
}

static void test_buf_cap(void)
{
    buf b;
    buf_init(&b, 8);
    CHECK_INT(buf_puts(&b, "12345678"), LIMES_OK);
    CHECK_STR(buf_str(&b), "12345678");
    CHECK_INT(buf_putc(&b, '9'), LIMES_TOO_LARGE);
    CHECK_INT(b.len, 0); /* a failed append empties the buffer */
    CHECK_INT(buf_printf(&b, "%d", 42), LIMES_OK);
    CHECK_STR(buf_str(&b), "42");
    buf_release(&b);
}

static void test_error_table(void)
{
    CHECK_STR(limes_rc_code(LIMES_OK), "ok");
    CHECK_STR(limes_rc_code(LIMES_NOT_FOUND), "not-found");
    CHECK_INT(limes_rc_http_status(LIMES_TOO_LARGE), 413);
    CHECK_INT(limes_rc_http_status(LIMES_UNAUTHENTICATED), 401);
    CHECK_STR(limes_rc_code((limes_rc)9999), "internal-error");
    limes_error e = {0};
    CHECK_INT(limes_fail(&e, LIMES_INVALID, "name", "bad %s", "x"), LIMES_INVALID);
    CHECK_STR(e.field, "name");
    CHECK_STR(limes_error_text(&e), "bad x");
    /* every code has a distinct name */
    for (int i = 0; i < LIMES__LAST; i++)
        for (int j = i + 1; j < LIMES__LAST; j++)
            CHECK(strcmp(limes_rc_code((limes_rc)i), limes_rc_code((limes_rc)j)) != 0);
}

/* log_request's hand-written line reads back as the JSON of its fields,
 * whatever the path holds (quotes, control bytes, Arabic, a character
 * beyond the BMP, bytes that are not UTF-8). */
static void test_log_request_line(void)
{
    char name[] = "/tmp/limes-test-log-XXXXXX";
    int fd = mkstemp(name);
    CHECK(fd >= 0);
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    const char *path = "/v1/\"q\"\\\n\x01/\xd8\xb9\xd9\x84\xd9\x8a/\xf0\x9f\x98\x80/\xff\xc3";
    log_request("abc123", "POST", path, 201, 12.5, "amira", -1);
    log_request(NULL, "GET", "/healthz", 200, 0.25, "", 3);
    dup2(saved, STDERR_FILENO);
    close(saved);
    char text[4096] = "";
    ssize_t n = pread(fd, text, sizeof text - 1, 0);
    close(fd);
    unlink(name);
    CHECK(n > 0);
    char *second = strchr(text, '\n');
    CHECK(second != NULL);
    if (!second)
        return;
    *second++ = '\0';
    json_t *a = json_loads(text, 0, NULL), *b = json_loads(second, 0, NULL);
    CHECK(a != NULL && b != NULL);
    if (!a || !b)
        return;
    CHECK_STR(json_string_value(json_object_get(a, "msg")), "request");
    CHECK_STR(json_string_value(json_object_get(a, "request_id")), "abc123");
    CHECK_STR(json_string_value(json_object_get(a, "method")), "POST");
    CHECK_STR(json_string_value(json_object_get(a, "path")),
              "/v1/\"q\"\\\n\x01/\xd8\xb9\xd9\x84\xd9\x8a/\xf0\x9f\x98\x80/\xef\xbf\xbd\xef\xbf\xbd");
    CHECK_INT(json_integer_value(json_object_get(a, "status")), 201);
    CHECK(json_real_value(json_object_get(a, "ms")) == 12.5);
    CHECK_STR(json_string_value(json_object_get(a, "user")), "amira");
    CHECK(json_object_get(a, "terminated") == NULL);
    CHECK(json_object_get(b, "request_id") == NULL);
    CHECK_INT(json_integer_value(json_object_get(b, "terminated")), 3);
    for (const char *p = text; *p; p++)
        CHECK((unsigned char)*p < 0x80); /* ASCII only, as log_json writes */
    json_decref(a);
    json_decref(b);
}

/* json_text writes exactly what json_dumps(JSON_COMPACT) writes. */
static void test_json_text_as_jansson(void)
{
    const char *docs[] = {
        "{}", "[]", "[[],{},[{}]]", "\"\"", "null", "true", "false", "0", "-9223372036854775808",
        "9223372036854775807",
        "[0.0, -0.0, 0.1, 1.5, 100.0, 1e21, 1e-7, -2.5e-7, 1.7976931348623157e308, 5e-324, "
        "123456789012345680.0, 0.30000000000000004, 3.14159, 1e100, 2e-300]",
        "{\"a\":\"q\\\"b\\\\s\\/\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\\u0000z\",\"k\":1}",
        "{\"name\":\"\u0639\u0644\u064a \\ud83d\\ude00 Ren\u00e9e\",\"list\":[1,\"two\",{\"x\":null}]}",
        "{\"z\":1,\"a\":2,\"m\":{\"b\":[true,false],\"a\":0.25}}",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        json_error_t je;
        json_t *v = json_loads(docs[i], JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
        CHECK(v != NULL);
        if (!v) {
            fprintf(stderr, "  %s: %s\n", docs[i], je.text);
            continue;
        }
        char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        char *got = json_text(v, 1 << 20);
        CHECK_STR(got ? got : "(null)", want ? want : "");
        free(want);
        free(got);
        json_decref(v);
    }
    /* too large for its cap: NULL, not a cut text */
    json_t *big = json_pack("{s:s}", "k", "0123456789");
    CHECK(json_text(big, 8) == NULL);
    json_decref(big);
}

int main(void)
{
    RUN(test_civil_round_trip);
    RUN(test_iso_parse);
    RUN(test_age);
    RUN(test_buf_cap);
    RUN(test_error_table);
    RUN(test_log_request_line);
    RUN(test_json_text_as_jansson);
    return test_summary();
}
