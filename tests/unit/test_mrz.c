/*
 * test_mrz.c - self-contained tests of the MRZ module (no shared data
 * needed): check digits, every format, long numbers, dates and centuries,
 * OCR proposals, bad input of every kind, the code table, names both ways,
 * generation read back by the parser, and random input under the
 * sanitizers.  The data-driven suites are in test_mrz_cases.c.
 */
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "limes/mrz.h"
#include "test.h"

static int32_t ref_day(void) { return date_from_civil(2026, 11, 28); }

static limes_mrz_doc *parse(const char *text)
{
    static limes_mrz_doc doc;
    limes_error err = {0};
    limes_rc rc = limes_mrz_parse(text, strlen(text), ref_day(), &doc, &err);
    CHECK_INT(rc, LIMES_OK);
    return &doc;
}

static const limes_mrz_problem *find_problem(const limes_mrz_doc *d, const char *code)
{
    for (size_t i = 0; i < d->nproblems; i++)
        if (strcmp(d->problems[i].code, code) == 0)
            return &d->problems[i];
    return NULL;
}

static void test_check_digits(void)
{
    CHECK_INT(limes_mrz_check_digit("520727", 6), '3');
    CHECK_INT(limes_mrz_check_digit("AB2134<<<", 9), '5');
    CHECK_INT(limes_mrz_check_digit("D23145890734", 12), '9');
    CHECK_INT(limes_mrz_check_digit("000590240<601", 13), '3');
    CHECK_INT(limes_mrz_check_digit("ab", 2), -1);
    CHECK_INT(limes_mrz_check_digit("", 0), '0');
}

static const char td3[] = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
                          "L898902C36UTO7408122F1204159ZE184226B<<<<<10";

static void test_td3_fields(void)
{
    limes_mrz_doc *d = parse(td3);
    CHECK_INT(d->format, LIMES_MRZ_TD3);
    CHECK(d->valid);
    CHECK_STR(d->document_code, "P");
    CHECK_STR(d->issuing_state, "UTO");
    CHECK_STR(d->primary_identifier, "ERIKSSON");
    CHECK_STR(d->secondary_identifier, "ANNA MARIA");
    CHECK_STR(d->document_number, "L898902C3");
    CHECK_STR(d->birth_date, "1974-08-12");
    CHECK_STR(d->birth_date_raw, "740812");
    CHECK_STR(d->expiry_date, "2012-04-15");
    CHECK_INT(d->sex, 'F');
    CHECK_STR(d->optional_data, "ZE184226B");
    CHECK_INT(d->checks.personal_number, LIMES_MRZ_CHECK_OK);
    CHECK_INT(d->checks.composite, LIMES_MRZ_CHECK_OK);
    CHECK(find_problem(d, "expired") != NULL);
    CHECK(find_problem(d, "expired")->severity == LIMES_MRZ_WARNING);
}

static void test_json_names(void)
{
    json_t *o = limes_mrz_to_json(parse(td3));
    static const char *const keys[] = {
        "format", "document_code", "issuing_state", "primary_identifier",
        "secondary_identifier", "document_number", "nationality", "birth_date", "birth_date_raw",
        "expiry_date", "expiry_date_raw", "sex", "optional_data", "optional_data_2", "checks",
        "valid", "problems"};
    CHECK(o != NULL);
    for (size_t i = 0; o && i < sizeof keys / sizeof keys[0]; i++)
        CHECK(json_object_get(o, keys[i]) != NULL);
    CHECK_STR(json_string_value(json_object_get(o, "format")), "TD3");
    CHECK(json_is_true(json_object_get(json_object_get(o, "checks"), "composite")));
    json_t *p = json_array_get(json_object_get(o, "problems"), 0);
    CHECK_STR(json_string_value(json_object_get(p, "code")), "expired");
    CHECK(json_integer_value(json_object_get(p, "line")) == 2);
    CHECK(json_integer_value(json_object_get(p, "column")) == 22);
    CHECK(json_is_null(json_object_get(o, "optional_data_2")));
    json_decref(o);
}

static void test_formats(void)
{
    CHECK_INT(parse("I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\n"
                    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")->format, LIMES_MRZ_TD1);
    CHECK_INT(parse("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6")
                  ->format, LIMES_MRZ_TD2);
    limes_mrz_doc *d = parse("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
                             "L8988901C4XXX7408122F96121096ZE184226B<<<<<<");
    CHECK_INT(d->format, LIMES_MRZ_MRVA);
    CHECK(d->valid);
    CHECK_INT(d->checks.composite, LIMES_MRZ_CHECK_ABSENT);
    CHECK_STR(d->optional_data, "6ZE184226B");
    CHECK_STR(d->expiry_date, "1996-12-10");
    d = parse("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX7408122F9612109<<<<<<<<");
    CHECK_INT(d->format, LIMES_MRZ_MRVB);
    CHECK(d->valid);
    d = parse("P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<\n"
              "C01X0006H1D<<6408125F1710319<<<<<<<<<<<<<<<0");
    CHECK(d->valid);
    CHECK_STR(d->issuing_state, "D");
    CHECK_STR(d->nationality, "D");
}

static void test_long_numbers(void)
{
    limes_mrz_doc *d = parse("I<UTOD23145890<7349<<<<<<<<<<<\n3407127M9507122UTO<<<<<<<<<<<2\n"
                             "STEVENSON<<PETER<JOHN<<<<<<<<<");
    CHECK(d->valid);
    CHECK_STR(d->document_number, "D23145890734");
    CHECK_INT(d->number_kind, LIMES_MRZ_NUMBER_LONG_ICAO);
    d = parse("IDBEL000590240<6013<<<<<<<<<<<\n8512017F1311048BEL851201002007\n"
              "REINARTZ<<ULRIKE<KATIA<E<<<<<<");
    CHECK(d->valid);
    CHECK_STR(d->document_number, "000590240601");
    CHECK_INT(d->number_kind, LIMES_MRZ_NUMBER_LONG_WITH_FILLER);
    CHECK_STR(d->optional_data_2, "85120100200");
    d = parse("IDBEL000590240<6016<<<<<<<<<<<\n8512017F1311048BEL851201002007\n"
              "REINARTZ<<ULRIKE<KATIA<E<<<<<<");
    CHECK(!d->valid);
    CHECK_INT(d->checks.document_number, LIMES_MRZ_CHECK_BAD);
}

static void test_dates(void)
{
    /* unknown parts stay unknown */
    limes_mrz_doc *d = parse("P<UTOERIKSSON<<ANNA<<<<<<<<<<<<<<<<<<<<<<<<<\n"
                             "L898902C36UTO74<<<<1F3004157<<<<<<<<<<<<<<<2");
    CHECK_STR(d->birth_date_raw, "74<<<<");
    CHECK_INT(d->birth.year, 1974);
    CHECK_INT(d->birth.month, 0);
    CHECK_STR(d->birth_date, "1974-?\?-?\?");
    CHECK_STR(d->expiry_date, "2030-04-15");
    CHECK(d->valid);
    /* a birth date one day after the reference is last century; on it, this one */
    CHECK_STR(parse("P<UTOA<<B<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<\n"
                    "L898902C36UTO2611295F3004157<<<<<<<<<<<<<<<6")->birth_date, "1926-11-29");
    d = parse("P<UTOA<<B<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<\n"
              "L898902C36UTO2611284F5612318<<<<<<<<<<<<<<<4");
    CHECK_STR(d->birth_date, "2026-11-28");
    CHECK_STR(d->expiry_date, "2056-12-31");
    CHECK_STR(parse("P<UTOA<<B<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<\n"
                    "L898902C36UTO2611284F5701014<<<<<<<<<<<<<<<2")->expiry_date, "1957-01-01");
    /* expiry before birth (both resolvable) is flagged */
    d = parse("P<UTOA<<B<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<\n"
              "L898902C36UTO2010108F1001015<<<<<<<<<<<<<<<6");
    CHECK(find_problem(d, "dates-inconsistent") != NULL);
    /* 30 February is no date: null, never invented */
    d = parse("P<UTOA<<B<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<\n"
              "L898902C36UTO7402304F3004157<<<<<<<<<<<<<<<0");
    CHECK_STR(d->birth_date, "");
    CHECK(find_problem(d, "bad-date") != NULL);
    CHECK(!d->valid);
}

static void test_ocr_suggestions(void)
{
    /* O read for 0 in the birth date: proposed, data unchanged */
    limes_mrz_doc *d = parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
                             "L898902C36UTO74O8122F1204159ZE184226B<<<<<10");
    CHECK(!d->valid);
    CHECK_STR(d->birth_date_raw, "74O812");
    const limes_mrz_problem *p = find_problem(d, "ocr-suggestion");
    CHECK(p != NULL);
    if (p) {
        CHECK_STR(p->field, "birth_date");
        CHECK_STR(p->suggestion, "740812");
    }
    /* several misreads: each proposed, and together they make the composite verify */
    d = parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
              "L8989O2C36UTO74O8122F1204I59ZE184226B<<<<<1O");
    CHECK(find_problem(d, "ocr-consistent") != NULL);
    CHECK(!d->valid);
    /* 0 read as O inside the document number: one swap verifies */
    d = parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
              "L8989O2C36UTO7408122F1204159ZE184226B<<<<<10");
    p = find_problem(d, "ocr-suggestion");
    CHECK(p != NULL && strcmp(p->suggestion, "L898902C3") == 0);
    CHECK_STR(d->document_number, "L8989O2C3");
    /* nationality with a digit */
    d = parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
              "L898902C36UT07408122F1204159ZE184226B<<<<<10");
    p = find_problem(d, "ocr-suggestion");
    CHECK(p != NULL && strcmp(p->suggestion, "UTO") == 0);
    /* optional data only the composite covers: one look-alike reading verifies */
    d = parse("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159AXI<<<<6");
    p = find_problem(d, "ocr-suggestion");
    CHECK(!d->valid);
    CHECK(p != NULL && strcmp(p->field, "optional_data") == 0 &&
          strcmp(p->suggestion, "AX1") == 0);
    /* ... or several do (Z read for 2 in BEL optional data 2): no guess, a warning */
    d = parse("IDBEL000590240<6013<<<<<<<<<<<\n8512017F1311048BEL85120100Z007\n"
              "REINARTZ<<ULRIKE<KATIA<E<<<<<<");
    CHECK(!d->valid && !find_problem(d, "ocr-suggestion"));
    CHECK(find_problem(d, "ocr-ambiguous") != NULL);
    /* the sex field has no check digit: a look-alike is proposed by field type */
    d = parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
              "L898902C36UTO7408122E1204159ZE184226B<<<<<10");
    p = find_problem(d, "ocr-suggestion");
    CHECK(p != NULL && strcmp(p->field, "sex") == 0 && strcmp(p->suggestion, "F") == 0);
    CHECK(!d->valid && d->sex == 0);
    /* misreads seen with Tesseract: 0ZE for CZE, HAC for MAC */
    d = parse("P<CZESPECIMEN<<VZOR<<<<<<<<<<<<<<<<<<<<<<<<<\n"
              "99003853<10ZE1101018M1207046110101111<<<<<94");
    p = find_problem(d, "ocr-suggestion");
    CHECK(p != NULL && strcmp(p->field, "nationality") == 0 && strcmp(p->suggestion, "CZE") == 0);
    CHECK(!d->valid);
}

static void test_bad_input(void)
{
    limes_mrz_doc d;
    limes_error err = {0};
    CHECK_INT(limes_mrz_parse("", 0, ref_day(), &d, &err), LIMES_BAD_MRZ);
    CHECK_INT(limes_mrz_parse(" \n\n", 3, ref_day(), &d, &err), LIMES_BAD_MRZ);
    char *huge = malloc(100000);
    memset(huge, '<', 100000);
    CHECK_INT(limes_mrz_parse(huge, 100000, ref_day(), &d, &err), LIMES_TOO_LARGE);
    free(huge);
    /* CRLF and surrounding spaces are read, with warnings */
    limes_mrz_doc *p = parse("  P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\r\n"
                             "L898902C36UTO7408122F1204159ZE184226B<<<<<10 \r\n");
    CHECK(p->valid);
    CHECK(find_problem(p, "crlf") != NULL);
    CHECK(find_problem(p, "whitespace") != NULL);
    /* old Mac line ends (lone CR) too */
    p = parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\r"
              "L898902C36UTO7408122F1204159ZE184226B<<<<<10");
    CHECK(p->valid);
    /* national formats outside ICAO 9303 are named */
    p = parse("D1FRA13AA000026181231MARTIN<<9");
    CHECK(!p->valid && find_problem(p, "national-format") != NULL);
    /* lower case is an error, never silently upper-cased */
    p = parse("p<utoeriksson<<anna<maria<<<<<<<<<<<<<<<<<<<\n"
              "L898902C36UTO7408122F1204159ZE184226B<<<<<10");
    CHECK(!p->valid);
    CHECK(find_problem(p, "lower-case") != NULL);
    /* NUL byte inside: no over-read, reported with its column */
    char nul[] = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
                 "L898902C36UTO7408122F1204159ZE184226B<<<<<10";
    nul[50] = '\0';
    CHECK_INT(limes_mrz_parse(nul, sizeof nul - 1, ref_day(), &d, &err), LIMES_OK);
    CHECK(!d.valid);
    CHECK(find_problem(&d, "nul-byte") != NULL && find_problem(&d, "nul-byte")->column == 6);
    /* wrong lengths and counts */
    p = parse("P<UTOIVANOVA<<ANNA<<<<<<<<<<<<<<<<<<<<<<<<<<<\n"
              "L898902C36UTO7408122F2504155184226<<<<<<<<<18");
    CHECK_INT(p->format, LIMES_MRZ_UNKNOWN);
    CHECK(find_problem(p, "bad-line-length") != NULL);
    p = parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<");
    CHECK(find_problem(p, "bad-line-count") != NULL);
    /* run-together lines are cut by length */
    p = parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
              "L898902C36UTO7408122F1204159ZE184226B<<<<<10");
    CHECK(p->valid);
    CHECK(find_problem(p, "single-line") != NULL);
    /* unknown codes and bad sex */
    p = parse("P<YTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
              "L898902C36UTO7408122X1204159ZE184226B<<<<<10");
    CHECK(find_problem(p, "unknown-code") != NULL);
    CHECK(find_problem(p, "bad-sex") != NULL);
    json_t *o = limes_mrz_to_json(p);
    CHECK(json_is_null(json_object_get(o, "sex")));
    json_decref(o);
}

static void test_random_input(void)
{
    static const char alphabet[] = "ABCPVI<0123456789\n\r \x00\xff";
    char text[200];
    limes_mrz_doc d;
    srand(7);
    for (int round = 0; round < 20000; round++) {
        size_t len = (size_t)(rand() % 200);
        for (size_t i = 0; i < len; i++)
            text[i] = alphabet[rand() % (int)(sizeof alphabet - 1)];
        if (limes_mrz_parse(text, len, ref_day(), &d, NULL) == LIMES_OK) {
            json_t *o = limes_mrz_to_json(&d);
            CHECK(o != NULL);
            json_decref(o);
        }
    }
}

static void test_countries(void)
{
    CHECK_INT(limes_country_count(), 279);
    const limes_country *c = limes_country_find("UTO", 3);
    CHECK(c && c->icao_only);
    CHECK(limes_country_find("YTO", 3) == NULL);
    CHECK(limes_country_find("XYZ", 3) == NULL);
    c = limes_country_find("D<<", 3);
    CHECK(c && strcmp(c->name_en, "Germany") == 0);
    CHECK(c && c->name_ar && strcmp(c->name_ar, "ألمانيا") == 0);
    c = limes_country_find("EGY", 3);
    CHECK(c && c->name_fr && strcmp(c->name_fr, "Égypte") == 0 && !c->icao_only);
    CHECK(c && strcmp(c->name_ar, "مصر") == 0);
    CHECK(limes_country_find("XXA", 3) != NULL);
    CHECK(limes_country_find("D<A", 3) == NULL);
    CHECK(limes_country_find("", 0) == NULL);
    CHECK(limes_country_at(limes_country_count()) == NULL);
}

static void check_name(const char *in, const char *lang, bool split_abd, const char *want)
{
    limes_mrz_name_options o = {.lang = lang, .split_abd = split_abd};
    char *out = NULL;
    limes_error err = {0};
    CHECK_INT(limes_mrz_name_from_unicode(in, &o, &out, &err), LIMES_OK);
    CHECK_STR(out, want);
    free(out);
}

static void test_names(void)
{
    check_name("Eriksson, Anna María", NULL, false, "ERIKSSON<<ANNA<MARIA");
    check_name("D'Artagnan", NULL, false, "DARTAGNAN");
    check_name("Marie-Élise", NULL, false, "MARIE<ELISE");
    check_name("Gauß", NULL, false, "GAUSS");
    check_name("Ştefan Ţiriac", NULL, false, "STEFAN<TIRIAC");
    check_name("ИВАНОВА, АННА", NULL, false, "IVANOVA<<ANNA");
    check_name("Юлія", "ukr", false, "YULIIA");
    check_name("Ђорђе Чолић", "srp", false, "DORDE<COLIC");
    check_name("Василь", "ukr", false, "VASYL");
    check_name("Щука", "bul", false, "SHTUKA");
    check_name("هاري الشماع", NULL, false, "HARY<ALXSHMAE");
    check_name("جميلة", NULL, false, "JMYLXAH");
    check_name("عبّاس", NULL, false, "EBBAS");
    check_name("عبدالعزيز", NULL, false, "EBDALEZYZ");
    check_name("عبدالعزيز", NULL, true, "EBD<ALEZYZ");
    check_name("\xEF\xAD\x97\xD9\x88\xD8\xB1", NULL, false, "PWR"); /* U+FB57 presentation form */
    check_name("مُحَمَّد", NULL, false, "MXHMMD");
    check_name("مهدی", NULL, false, "MHDXYA");
    char *out = NULL;
    limes_error err = {0};
    CHECK_INT(limes_mrz_name_from_unicode("Louis 14", NULL, &out, &err), LIMES_INVALID);
    CHECK_INT(limes_mrz_name_from_unicode("...", NULL, &out, &err), LIMES_INVALID);
    CHECK_INT(limes_mrz_name_from_unicode("王", NULL, &out, &err), LIMES_UNSUPPORTED);
    CHECK_INT(limes_mrz_name_from_parts("", "Anna", NULL, &out, &err), LIMES_OK);
    CHECK_STR(out, "<<ANNA");
    free(out);
}

static void test_fit_and_reverse(void)
{
    char *out = NULL;
    bool truncated;
    CHECK_INT(limes_mrz_name_fit("ERIKSSON<<ANNA<MARIA", 30, &out, &truncated, NULL), LIMES_OK);
    CHECK_STR(out, "ERIKSSON<<ANNA<MARIA<<<<<<<<<<");
    CHECK(!truncated);
    free(out);
    CHECK_INT(limes_mrz_name_fit("NILAVADHANANANDA<<CHAYAPA<DEJTHAMRONG<KRASUANG", 39, &out,
                                 &truncated, NULL), LIMES_OK);
    CHECK_STR(out, "NILAVADHANANANDA<<CHAYAPA<DEJTHAMRONG<K");
    CHECK(truncated);
    free(out);
    CHECK_INT(limes_mrz_name_fit("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGH<<JOHN", 30, &out, &truncated,
                                 NULL), LIMES_OK);
    CHECK_STR(out, "ABCDEFGHIJKLMNOPQRSTUVWXYZA<<J");
    free(out);
    CHECK_INT(limes_mrz_name_fit("SMITH<<ANNA<<<<<<<<<<<<<", 12, &out, &truncated, NULL),
              LIMES_OK);
    CHECK_STR(out, "SMITH<<ANNA<");
    CHECK(!truncated);
    free(out);
    CHECK_INT(limes_mrz_name_fit("A<B<C<D<E", 4, &out, &truncated, NULL), LIMES_OK);
    CHECK(out && !strstr(out, "<<"));
    free(out);
    CHECK_INT(limes_mrz_name_to_arabic("JMYLXAH<NEYMXAH", false, &out, NULL), LIMES_OK);
    CHECK_STR(out, "جميلة نعيمة");
    free(out);
    CHECK_INT(limes_mrz_name_to_arabic("EBBAS", true, &out, NULL), LIMES_OK);
    CHECK_STR(out, "عبّاس");
    free(out);
    CHECK_INT(limes_mrz_name_to_arabic("JOHN", true, &out, NULL), LIMES_INVALID);
    CHECK_INT(limes_mrz_name_to_arabic("XQ", true, &out, NULL), LIMES_INVALID);
}

static void check_fold(const char *in, const char *want)
{
    char *out = NULL;
    CHECK_INT(limes_mrz_name_fold(in, &out, NULL), LIMES_OK);
    CHECK_STR(out, want);
    free(out);
}

static void test_fold(void)
{
    check_fold("JMYLXTA<NEYMXAH", "JMYLXAH<NEYMXAH");
    check_fold("MXHMMD", "MXHMD");
    check_fold("MHDXYA", "MHDY");
    check_fold("XAEXHMD<<ISMAEYL", "AXHMD<<ASMAEYL");
    check_fold("ERIKSSON<<ANNA", "ERIKSSON<<ANNA"); /* O is no Arabic token: unchanged */
    check_fold("", "");
    char *out = NULL;
    CHECK_INT(limes_mrz_name_fold("abc", &out, NULL), LIMES_INVALID);
}

static void make_and_read(limes_mrz_format format, const char *number, const char *optional)
{
    limes_mrz_fields f = {.format = format, .issuing_state = "UTO",
                          .primary_identifier = "Al-Basri", .secondary_identifier = "هدى",
                          .document_number = number, .nationality = "XXA",
                          .birth_date = "1974-08-??", .sex = "X", .expiry_date = "2031-02-28",
                          .optional_data = optional};
    char *zone = NULL;
    limes_error err = {0};
    CHECK_INT(limes_mrz_make(&f, &zone, &err), LIMES_OK);
    if (!zone)
        return;
    limes_mrz_doc *d = parse(zone);
    CHECK_INT(d->format, format);
    CHECK(d->valid);
    CHECK_STR(d->document_number, number);
    CHECK_STR(d->primary_identifier, "AL BASRI");
    CHECK_STR(d->secondary_identifier, "HDXAY");
    CHECK_STR(d->birth_date, "1974-08-??");
    CHECK_STR(d->expiry_date, "2031-02-28");
    CHECK_INT(d->sex, 'X');
    CHECK_STR(d->optional_data, optional);
    free(zone);
}

static void test_make(void)
{
    static const limes_mrz_format all[] = {LIMES_MRZ_TD1, LIMES_MRZ_TD2, LIMES_MRZ_TD3,
                                           LIMES_MRZ_MRVA, LIMES_MRZ_MRVB};
    for (int i = 0; i < 5; i++) {
        make_and_read(all[i], "AB1234567", "X12");
        if (all[i] != LIMES_MRZ_TD3)
            make_and_read(all[i], "AB12345678", "");
    }
    limes_mrz_fields f = {.format = LIMES_MRZ_TD3, .issuing_state = "YTO",
                          .primary_identifier = "A", .document_number = "1",
                          .nationality = "UTO", .birth_date = "1974-08-12", .sex = "F",
                          .expiry_date = "2031-02-28"};
    char *zone = NULL;
    limes_error err = {0};
    CHECK_INT(limes_mrz_make(&f, &zone, &err), LIMES_INVALID);
    CHECK_STR(err.field, "issuing_state");
    /* every field missing or wrong is refused by name, never a crash */
    limes_mrz_fields empty = {.format = LIMES_MRZ_TD1};
    CHECK_INT(limes_mrz_make(&empty, &zone, &err), LIMES_INVALID);
    f.issuing_state = "UTO";
    f.birth_date = "1974-13";
    CHECK_INT(limes_mrz_make(&f, &zone, &err), LIMES_INVALID);
    CHECK_STR(err.field, "birth_date");
    f.birth_date = "1974-02-30";
    CHECK_INT(limes_mrz_make(&f, &zone, &err), LIMES_INVALID);
    CHECK_STR(err.field, "birth_date");
    f.birth_date = "1974-08-12";
    f.sex = "Q";
    CHECK_INT(limes_mrz_make(&f, &zone, &err), LIMES_INVALID);
    CHECK_STR(err.field, "sex");
    f.sex = "F";
    f.document_number = "1234567890";
    CHECK_INT(limes_mrz_make(&f, &zone, &err), LIMES_INVALID); /* TD3 has no long numbers */
    CHECK_STR(err.field, "document_number");
    f.format = LIMES_MRZ_UNKNOWN;
    CHECK_INT(limes_mrz_make(&f, &zone, &err), LIMES_INVALID);
    json_t *o = json_pack("{s:s, s:s, s:s}", "format", "TD2", "issuing_state", "UTO",
                          "primary_identifier", "X");
    CHECK_INT(limes_mrz_make_json(o, &zone, &err), LIMES_INVALID);
    json_decref(o);
    CHECK_INT(limes_mrz_make_json(NULL, &zone, &err), LIMES_INVALID);
}

int main(void)
{
    RUN(test_check_digits);
    RUN(test_td3_fields);
    RUN(test_json_names);
    RUN(test_formats);
    RUN(test_long_numbers);
    RUN(test_dates);
    RUN(test_ocr_suggestions);
    RUN(test_bad_input);
    RUN(test_random_input);
    RUN(test_countries);
    RUN(test_names);
    RUN(test_fit_and_reverse);
    RUN(test_fold);
    RUN(test_make);
    return test_summary();
}
