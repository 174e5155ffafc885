/* test_core.c - dates, bounded buffers and the error table. */
#include "core/buf.h"
#include "core/date.h"
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

int main(void)
{
    RUN(test_civil_round_trip);
    RUN(test_iso_parse);
    RUN(test_age);
    RUN(test_buf_cap);
    RUN(test_error_table);
    return test_summary();
}
