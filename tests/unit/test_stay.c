/*
 * test_stay.c - the 90/180 calculator against every worked example and test
 * vector of domain.md section 8 (T1-T8, the worked example table, SEM
 * examples 2 and 5), plus leap years, the window edge, same-day stays,
 * merged overlapping records, bad input, and the regime table as data.
 */
#include <stdio.h>
#include <unistd.h>

#include "limes/stay.h"
#include "test.h"

static int32_t D(const char *iso)
{
    int32_t d = 0;
    limes_error err = {0};
    if (limes_day_parse(iso, "date", &d, &err) != LIMES_OK) {
        fprintf(stderr, "bad date in test: %s\n", iso);
        exit(2);
    }
    return d;
}

static limes_stay S(const char *entry, const char *exit)
{
    return (limes_stay){D(entry), exit ? D(exit) : LIMES_STAY_OPEN};
}

static limes_stay_status check_on(const limes_stay *st, size_t n, const char *on)
{
    limes_stay_rule rule = limes_stay_rule_default();
    limes_stay_status s;
    limes_error err = {0};
    CHECK_INT(limes_stay_check(&rule, st, n, D(on), &s, &err), LIMES_OK);
    return s;
}

static int plan(const limes_stay *st, size_t n, const char *entry)
{
    limes_stay_rule rule = limes_stay_rule_default();
    int days = -1;
    limes_error err = {0};
    CHECK_INT(limes_stay_plan(&rule, st, n, D(entry), &days, &err), LIMES_OK);
    return days;
}

static void check_day(int32_t day, const char *iso)
{
    char out[11];
    limes_day_format(day, out);
    CHECK_STR(out, iso);
}

static void test_t1_full_90_then_wait(void)
{
    limes_stay st[] = {S("2025-01-01", "2025-03-31")};
    limes_stay_status s = check_on(st, 1, "2025-03-31");
    CHECK_INT(s.used, 90);
    CHECK_INT(s.overstay, 0);
    CHECK(s.present);
    check_day(s.latest_exit, "2025-03-31");
    CHECK_INT(s.days_left, 0);
    CHECK_INT(plan(st, 1, "2025-06-29"), 0);
    CHECK_INT(plan(st, 1, "2025-06-30"), 90);
}

static void test_t2_single_day_leaves_window(void)
{
    limes_stay st[] = {S("2025-01-01", "2025-01-01")};
    CHECK_INT(check_on(st, 1, "2025-06-29").used, 1);
    CHECK_INT(check_on(st, 1, "2025-06-30").used, 0);
}

static void test_t3_overstay(void)
{
    limes_stay st[] = {S("2025-01-01", "2025-04-05")};
    limes_stay_status s = check_on(st, 1, "2025-04-05");
    CHECK_INT(s.used, 95);
    CHECK_INT(s.overstay, 5);
    check_day(s.latest_exit, "2025-03-31");
    CHECK_INT(s.days_left, 0);
    /* the same still open on 5 April */
    limes_stay open[] = {S("2025-01-01", NULL)};
    s = check_on(open, 1, "2025-04-05");
    CHECK_INT(s.used, 95);
    CHECK_INT(s.overstay, 5);
    CHECK(s.present);
    check_day(s.stay_entry, "2025-01-01");
}

static void test_t4_sem_example_2(void)
{
    limes_stay st[] = {S("2014-08-15", "2014-09-30"), S("2014-11-01", "2014-11-30")};
    CHECK_INT(limes_stay_days_in(st, 1, D("2014-01-01"), D("2014-12-31")), 47);
    limes_stay_status s = check_on(st, 2, "2014-11-30");
    CHECK_INT(s.used, 77);
    CHECK_INT(s.overstay, 0);
    check_day(s.latest_exit, "2014-12-13");
    CHECK_INT(s.days_left, 13);
}

static void test_t5_sem_example_5(void)
{
    limes_stay st[] = {S("2013-09-01", "2013-09-30"), S("2014-02-21", "2014-04-20"),
                       S("2014-05-01", "2014-06-09")};
    limes_stay_status s = check_on(st, 3, "2014-06-09");
    CHECK_INT(s.used, 99);
    CHECK_INT(s.overstay, 9);
    CHECK_INT(plan(st, 3, "2014-08-30"), 50);
}

static void test_t6_leap_year_stay(void)
{
    limes_stay st[] = {S("2024-02-28", "2024-03-01")};
    CHECK_INT(check_on(st, 1, "2024-03-01").used, 3);
    CHECK_INT(limes_stay_days_in(st, 1, D("2024-01-01"), D("2024-12-31")), 3);
    /* not a leap year: 28 Feb - 1 Mar is 2 days */
    limes_stay st2[] = {S("2025-02-28", "2025-03-01")};
    CHECK_INT(check_on(st2, 1, "2025-03-01").used, 2);
    int32_t d;
    limes_error err = {0};
    CHECK_INT(limes_day_parse("2023-02-29", "entry", &d, &err), LIMES_INVALID);
    CHECK_STR(err.field, "entry");
    CHECK_INT(limes_day_parse("2024-02-29", "entry", &d, &err), LIMES_OK);
}

static void test_t7_leap_year_window_start(void)
{
    limes_stay in[] = {S("2023-09-04", "2023-09-04")};
    limes_stay out[] = {S("2023-09-03", "2023-09-03")};
    CHECK_INT(check_on(in, 1, "2024-03-01").used, 1);
    CHECK_INT(check_on(out, 1, "2024-03-01").used, 0);
}

static void test_t8_same_day_entry_exit(void)
{
    limes_stay st[] = {S("2025-07-14", "2025-07-14")};
    limes_stay_status s = check_on(st, 1, "2025-07-14");
    CHECK_INT(s.used, 1);
    CHECK(s.present);
    check_day(s.latest_exit, "2025-10-11"); /* 90 days from 14 July */
}

static void test_worked_example_table(void)
{
    limes_stay st[] = {S("2025-01-01", "2025-01-10"), S("2025-03-01", "2025-05-19")};
    CHECK_INT(check_on(st, 2, "2025-05-18").used, 89);
    limes_stay_status s = check_on(st, 2, "2025-05-19");
    CHECK_INT(s.used, 90);
    CHECK_INT(s.overstay, 0);
    check_day(s.latest_exit, "2025-05-19");
    /* staying one more day would be day 91 */
    limes_stay longer[] = {S("2025-01-01", "2025-01-10"), S("2025-03-01", NULL)};
    s = check_on(longer, 2, "2025-05-20");
    CHECK_INT(s.used, 91);
    CHECK_INT(s.overstay, 1);
    check_day(s.latest_exit, "2025-05-19");
    CHECK_INT(plan(st, 2, "2025-05-20"), 0);
    CHECK_INT(plan(st, 2, "2025-06-01"), 0);
    CHECK_INT(plan(st, 2, "2025-06-29"), 0);
    CHECK_INT(plan(st, 2, "2025-06-30"), 10);
    CHECK_INT(plan(st, 2, "2025-08-17"), 10);
    CHECK_INT(plan(st, 2, "2025-08-18"), 90);
    /* check mode while absent answers the planning question for that day */
    s = check_on(st, 2, "2025-06-30");
    CHECK(!s.present);
    CHECK_INT(s.days_left, 10);
    check_day(s.latest_exit, "2025-07-09");
}

static void test_window_edge_and_absence(void)
{
    /* a stay across the window edge counts only its days inside */
    limes_stay st[] = {S("2025-01-01", "2025-01-20")};
    int32_t on = D("2025-01-15") + 179; /* window starts 15 January */
    limes_stay_status s;
    limes_stay_rule rule = limes_stay_rule_default();
    CHECK_INT(limes_stay_check(&rule, st, 1, on, &s, NULL), LIMES_OK);
    CHECK_INT(s.used, 6);
    /* 90 days of absence always allow a fresh 90 */
    limes_stay full[] = {S("2025-01-01", "2025-03-31")};
    CHECK_INT(plan(full, 1, "2025-06-30"), 90);
    /* stays after the check day are ignored; stays later than a planned entry too */
    limes_stay future[] = {S("2026-01-01", "2026-02-01")};
    CHECK_INT(check_on(future, 1, "2025-12-31").used, 0);
    CHECK_INT(plan(future, 1, "2025-12-01"), 90);
}

static void test_overlapping_records_count_once(void)
{
    limes_stay st[] = {S("2025-01-05", "2025-01-15"), S("2025-01-01", "2025-01-10")};
    CHECK_INT(check_on(st, 2, "2025-02-01").used, 15);
}

static void test_bad_input(void)
{
    limes_stay st[] = {S("2025-01-10", "2025-01-01")};
    limes_stay_rule rule = limes_stay_rule_default();
    limes_stay_status s;
    limes_error err = {0};
    CHECK_INT(limes_stay_check(&rule, st, 1, D("2025-02-01"), &s, &err), LIMES_INVALID);
    CHECK_STR(err.field, "stays");
    limes_stay_rule bad = {100, 50};
    CHECK_INT(limes_stay_check(&bad, NULL, 0, D("2025-02-01"), &s, &err), LIMES_INVALID);
    CHECK_STR(err.field, "rule");
    CHECK_INT(limes_day_parse("2025-13-01", "on", &s.on, &err), LIMES_INVALID);
    CHECK_INT(limes_day_parse("yesterday", "on", &s.on, &err), LIMES_INVALID);
}

static void test_custom_rule(void)
{
    /* a bilateral 30 days in any 60 */
    limes_stay_rule rule = {30, 60};
    limes_stay st[] = {S("2025-01-01", "2025-01-20")};
    int days;
    CHECK_INT(limes_stay_plan(&rule, st, 1, D("2025-01-25"), &days, NULL), LIMES_OK);
    CHECK_INT(days, 10);
    CHECK_INT(limes_stay_plan(&rule, st, 1, D("2025-03-21"), &days, NULL), LIMES_OK);
    CHECK_INT(days, 30);
}

static void test_regime_table(void)
{
    limes_stay_regime r;
    limes_stay_regime_for("GBR", &r);
    CHECK_INT(r.kind, LIMES_REGIME_VISA_FREE);
    CHECK_INT(r.rule.max_days, 90);
    CHECK_INT(r.rule.window_days, 180);
    limes_stay_regime_for("D", &r);
    CHECK_INT(r.kind, LIMES_REGIME_FREE_MOVEMENT);
    limes_stay_regime_for("XXA", &r);
    CHECK_INT(r.kind, LIMES_REGIME_VISA_REQUIRED);
    CHECK_STR(r.nationality, "*");
    CHECK_STR(limes_stay_regime_name(LIMES_REGIME_BILATERAL), "bilateral");

    char path[64];
    snprintf(path, sizeof path, "/tmp/limes-regimes-%d.csv", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs("# a partner's own table\nnationality,regime,max_days,window_days,note\n"
          "*,visa_required,90,180,default\nTUN,bilateral,60,180,agreement\n", f);
    fclose(f);
    limes_error err = {0};
    CHECK_INT(limes_stay_regimes_load(path, &err), LIMES_OK);
    limes_stay_regime_for("TUN", &r);
    CHECK_INT(r.kind, LIMES_REGIME_BILATERAL);
    CHECK_INT(r.rule.max_days, 60);
    CHECK_STR(r.note, "agreement");
    limes_stay_regime_for("GBR", &r); /* no longer listed: the default */
    CHECK_INT(r.kind, LIMES_REGIME_VISA_REQUIRED);

    f = fopen(path, "w");
    fputs("*,visa_required,90,180,x\nMAR,sometimes,90,180,x\n", f);
    fclose(f);
    CHECK_INT(limes_stay_regimes_load(path, &err), LIMES_INVALID);
    CHECK(strstr(err.message, "line 2") != NULL);
    limes_stay_regime_for("TUN", &r); /* the previous table stays */
    CHECK_INT(r.kind, LIMES_REGIME_BILATERAL);
    f = fopen(path, "w");
    fputs("TUN,bilateral,60,180,no default\n", f);
    fclose(f);
    CHECK_INT(limes_stay_regimes_load(path, &err), LIMES_INVALID);
    unlink(path);
    CHECK_INT(limes_stay_regimes_load(path, &err), LIMES_IO);
}

int main(void)
{
    RUN(test_t1_full_90_then_wait);
    RUN(test_t2_single_day_leaves_window);
    RUN(test_t3_overstay);
    RUN(test_t4_sem_example_2);
    RUN(test_t5_sem_example_5);
    RUN(test_t6_leap_year_stay);
    RUN(test_t7_leap_year_window_start);
    RUN(test_t8_same_day_entry_exit);
    RUN(test_worked_example_table);
    RUN(test_window_edge_and_absence);
    RUN(test_overlapping_records_count_once);
    RUN(test_bad_input);
    RUN(test_custom_rule);
    RUN(test_regime_table);
    return test_summary();
}
