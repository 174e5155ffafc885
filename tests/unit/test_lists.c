/*
 * test_lists.c - the watchlist importers on the real UN and OFAC files
 * (from $LIMES_SHARED_DATA/screening, skipped when absent), the national
 * CSV formats and their bad-input errors, and list storage: atomic
 * replace, load round trip, generation, summary and removal.  With --pg the
 * storage tests run on fresh PostgreSQL databases (LIMES_TEST_PG).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "limes/limes.h"
#include "limes/lists.h"
#include "lists/lists_int.h"
#include "pg_fresh.h"
#include "test.h"

static const limes_watch_person *find_ref(const limes_watch_set *set, const char *ref)
{
    for (size_t i = 0; set && i < set->npersons; i++)
        if (set->persons[i].ref && strcmp(set->persons[i].ref, ref) == 0)
            return &set->persons[i];
    return NULL;
}

static const limes_watch_name *find_name(const limes_watch_person *p, const char *full)
{
    for (size_t i = 0; p && i < p->nnames; i++)
        if (strcmp(p->names[i].full, full) == 0)
            return &p->names[i];
    return NULL;
}

static bool has_dob(const limes_watch_person *p, int y, int m, int d, int to)
{
    for (size_t i = 0; p && i < p->ndobs; i++)
        if (p->dobs[i].year == y && p->dobs[i].month == m && p->dobs[i].day == d &&
            p->dobs[i].year_to == to)
            return true;
    return false;
}

static bool has_nat(const limes_watch_person *p, const char *a3)
{
    for (size_t i = 0; p && i < p->nnationalities; i++)
        if (strcmp(p->nationalities[i], a3) == 0)
            return true;
    return false;
}

static const limes_watch_doc_ref *find_doc(const limes_watch_person *p, const char *number)
{
    for (size_t i = 0; p && i < p->ndocs; i++)
        if (strcmp(p->docs[i].number, number) == 0)
            return &p->docs[i];
    return NULL;
}

static char shared_path[1024];

static const char *shared(const char *rel)
{
    snprintf(shared_path, sizeof shared_path, "%s/screening/%s", test_shared_data(), rel);
    return shared_path;
}

/* ---- UN ---- */

static void test_un_real_file(void)
{
    limes_watch_set *set = NULL;
    limes_import_report rep = {0};
    limes_error err = {0};
    limes_import_options opt = {.list = "UN"};
    CHECK_INT(limes_import_un_xml_file(shared("un/UN_consolidated_2026-02-27.xml"), &opt, &set,
                                       &rep, &err),
              LIMES_OK);
    if (!set) {
        fprintf(stderr, "  %s\n", err.message);
        return;
    }
    CHECK_INT(set->npersons, 730);
    CHECK_INT(rep.persons, 730);
    CHECK_INT(rep.skipped, 273); /* entities */
    size_t arabic = 0, strong = 0, weak = 0, with_dob = 0, docs = 0;
    for (size_t i = 0; i < set->npersons; i++) {
        const limes_watch_person *p = &set->persons[i];
        CHECK(p->ref && *p->ref);
        CHECK_STR(p->action, "refuse_entry");
        CHECK_STR(p->list, "UN");
        CHECK(p->version && strlen(p->version) == 64);
        with_dob += p->ndobs > 0;
        docs += p->ndocs;
        for (size_t k = 0; k < p->nnames; k++) {
            arabic += strcmp(p->names[k].script, "Arab") == 0 &&
                      p->names[k].quality == LIMES_NAME_PRIMARY;
            strong += p->names[k].quality == LIMES_NAME_STRONG_ALIAS;
            weak += p->names[k].quality == LIMES_NAME_WEAK_ALIAS;
        }
    }
    CHECK_INT(arabic, 327);
    CHECK(strong >= 1500 && strong <= 1524); /* a few aliases repeat the primary name */
    CHECK(weak >= 600 && weak <= 615);
    CHECK(with_dob >= 670);
    CHECK(docs >= 440 && docs <= 454);
    fprintf(stderr, "  UN: %zu Arabic names, %zu strong, %zu weak aliases, %zu with DOB, %zu docs\n",
            arabic, strong, weak, with_dob, docs);

    const limes_watch_person *saddam = find_ref(set, "IQi.001");
    CHECK(saddam != NULL);
    const limes_watch_name *n = find_name(saddam, "SADDAM HUSSEIN AL-TIKRITI");
    CHECK(n && n->quality == LIMES_NAME_PRIMARY && strcmp(n->script, "Latn") == 0);
    CHECK(n && n->given && strcmp(n->given, "SADDAM") == 0);
    n = find_name(saddam, "صدام حسين التكريتي");
    CHECK(n && n->quality == LIMES_NAME_PRIMARY && strcmp(n->script, "Arab") == 0);
    n = find_name(saddam, "Abu Ali");
    CHECK(n && n->quality == LIMES_NAME_WEAK_ALIAS);
    CHECK(has_dob(saddam, 1937, 4, 28, 0));
    CHECK(has_nat(saddam, "IRQ"));
    CHECK(saddam && saddam->place_of_birth &&
          strcmp(saddam->place_of_birth, "al-Awja, near Tikrit, Iraq") == 0);

    const limes_watch_person *tharwat = find_ref(set, "QDi.017");
    CHECK(tharwat != NULL);
    n = find_name(tharwat, "Tarwat Salah Abdallah");
    CHECK(n && n->quality == LIMES_NAME_STRONG_ALIAS);
    CHECK(find_name(tharwat, "Tharwat Salah Shihata Ali") != NULL);
    CHECK(has_dob(tharwat, 1960, 6, 29, 0));
    CHECK(has_nat(tharwat, "EGY"));
    CHECK(tharwat && tharwat->nnames == 6);

    const limes_watch_person *badege = find_ref(set, "CDi.001");
    CHECK(badege && badege->gender == 'M');
    CHECK(has_dob(badege, 1971, 0, 0, 0));
    CHECK(has_nat(badege, "COD"));
    limes_watch_set_free(set);
}

/* Documents, date ranges and the "Iran (Islamic Republic of)" spelling, on a small file. */
static const char un_small[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>\n"
    "<DATAID>1</DATAID><FIRST_NAME>AHMAD</FIRST_NAME><SECOND_NAME>TEST</SECOND_NAME>\n"
    "<THIRD_NAME>AL-EXAMPLE</THIRD_NAME><FOURTH_NAME>na</FOURTH_NAME>\n"
    "<REFERENCE_NUMBER>XXi.001</REFERENCE_NUMBER>\n"
    "<GENDER>Female</GENDER><NAME_ORIGINAL_SCRIPT>أحمد</NAME_ORIGINAL_SCRIPT>\n"
    "<NATIONALITY><VALUE>Iran (Islamic Republic of)</VALUE><VALUE>na</VALUE></NATIONALITY>\n"
    "<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Ahmed Test</ALIAS_NAME></INDIVIDUAL_ALIAS>\n"
    "<INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>\n"
    "<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1960</FROM_YEAR>"
    "<TO_YEAR>1963</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>\n"
    "<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>APPROXIMATELY</TYPE_OF_DATE><YEAR>1965</YEAR>"
    "</INDIVIDUAL_DATE_OF_BIRTH>\n"
    "<INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Numéro de passeport </TYPE_OF_DOCUMENT>"
    "<NUMBER>A1234567</NUMBER><ISSUING_COUNTRY>Syrian Arab Republic</ISSUING_COUNTRY>"
    "</INDIVIDUAL_DOCUMENT>\n"
    "</INDIVIDUAL><INDIVIDUAL><DATAID>2</DATAID></INDIVIDUAL></INDIVIDUALS>\n"
    "<ENTITIES><ENTITY><FIRST_NAME>SOME FRONT</FIRST_NAME></ENTITY></ENTITIES>\n"
    "</CONSOLIDATED_LIST>\n";

static void test_un_small(void)
{
    limes_watch_set *set = NULL;
    limes_import_report rep = {0};
    limes_error err = {0};
    limes_import_options opt = {.action = "arrest"};
    CHECK_INT(limes_import_un_xml(un_small, sizeof un_small - 1, &opt, &set, &rep, &err),
              LIMES_OK);
    CHECK(set && set->npersons == 1);
    CHECK_INT(rep.skipped, 2); /* the nameless individual and the entity */
    const limes_watch_person *p = find_ref(set, "XXi.001");
    CHECK(p && p->gender == 'F');
    CHECK(p && p->action && strcmp(p->action, "arrest") == 0);
    CHECK(has_dob(p, 1960, 0, 0, 1963));
    CHECK(has_dob(p, 1965, 0, 0, 0));
    CHECK(has_nat(p, "IRN"));
    CHECK(p && p->nnationalities == 1); /* "na" is not Namibia */
    const limes_watch_doc_ref *d = find_doc(p, "A1234567");
    CHECK(d && strcmp(d->issuer, "SYR") == 0 && strcmp(d->type, "passport") == 0);
    CHECK(p && p->nnames == 3);
    const limes_watch_name *n = find_name(p, "AHMAD TEST AL-EXAMPLE"); /* "na": no name part */
    CHECK(n && n->family && strcmp(n->family, "TEST AL-EXAMPLE") == 0);
    limes_watch_set_free(set);
}

static void test_un_bad_input(void)
{
    limes_watch_set *set = NULL;
    limes_error err = {0};
    /* Truncated in the middle of a record. */
    CHECK_INT(limes_import_un_xml(un_small, 400, NULL, &set, NULL, &err), LIMES_INVALID);
    CHECK(set == NULL);
    CHECK(strstr(err.message, "not well-formed") != NULL);
    fprintf(stderr, "  truncated: %s\n", err.message);
    CHECK_INT(limes_import_un_xml("", 0, NULL, &set, NULL, &err), LIMES_INVALID);
    const char other[] = "<?xml version=\"1.0\"?><sdnList/>";
    CHECK_INT(limes_import_un_xml(other, sizeof other - 1, NULL, &set, NULL, &err), LIMES_INVALID);
    CHECK(strstr(err.message, "CONSOLIDATED_LIST") != NULL);
    const char doctype[] = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]>"
                           "<CONSOLIDATED_LIST/>";
    CHECK_INT(limes_import_un_xml(doctype, sizeof doctype - 1, NULL, &set, NULL, &err),
              LIMES_INVALID);
    const char badutf[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><CONSOLIDATED_LIST>"
                          "<INDIVIDUALS><INDIVIDUAL><FIRST_NAME>\xC3\x28</FIRST_NAME>"
                          "</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>";
    CHECK_INT(limes_import_un_xml(badutf, sizeof badutf - 1, NULL, &set, NULL, &err),
              LIMES_INVALID);
    CHECK(set == NULL);
    const char bad_action[] = "<CONSOLIDATED_LIST/>";
    limes_import_options opt = {.action = "Shoot!"};
    CHECK_INT(limes_import_un_xml(bad_action, sizeof bad_action - 1, &opt, &set, NULL, &err),
              LIMES_INVALID);
    CHECK_STR(err.field, "action");
}

/* ---- OFAC ---- */

static void test_ofac_real_files(void)
{
    limes_watch_set *set = NULL;
    limes_import_report rep = {0};
    limes_error err = {0};
    char sdn[1024], alt[1024], add[1024];
    snprintf(sdn, sizeof sdn, "%s", shared("ofac_2021/sdn.csv"));
    snprintf(alt, sizeof alt, "%s", shared("ofac_2021/alt.csv"));
    snprintf(add, sizeof add, "%s", shared("ofac_2021/add.csv"));
    CHECK_INT(limes_import_ofac_files(sdn, alt, add, NULL, &set, &rep, &err), LIMES_OK);
    if (!set) {
        fprintf(stderr, "  %s\n", err.message);
        return;
    }
    CHECK_INT(set->npersons, 4620);
    CHECK_INT(rep.skipped, 8976 - 4620);
    size_t strong = 0, weak = 0, with_dob = 0, passports = 0, with_nat = 0, with_alias = 0;
    for (size_t i = 0; i < set->npersons; i++) {
        const limes_watch_person *p = &set->persons[i];
        size_t aliases = 0;
        for (size_t k = 0; k < p->nnames; k++) {
            strong += p->names[k].quality == LIMES_NAME_STRONG_ALIAS;
            weak += p->names[k].quality == LIMES_NAME_WEAK_ALIAS;
            aliases += p->names[k].quality == LIMES_NAME_STRONG_ALIAS;
        }
        with_alias += aliases > 0;
        with_dob += p->ndobs > 0;
        with_nat += p->nnationalities > 0;
        for (size_t k = 0; k < p->ndocs; k++)
            passports += strcmp(p->docs[k].type, "passport") == 0;
    }
    fprintf(stderr, "  OFAC: %zu strong, %zu weak aliases, %zu with DOB, %zu with nationality,"
            " %zu passports, %zu with aliases\n", strong, weak, with_dob, with_nat, passports,
            with_alias);
    CHECK(strong >= 6200 && strong <= 6272);
    CHECK(with_alias >= 2165 && with_alias <= 2171); /* 2,171 rows; a few repeat the primary */
    CHECK(weak >= 1700);
    CHECK(with_dob >= 4400 && with_dob <= 4428);
    CHECK(with_nat >= 2000);
    CHECK(passports >= 750);

    const limes_watch_person *z = find_ref(set, "2676");
    CHECK(z != NULL);
    const limes_watch_name *n = find_name(z, "AL ZAWAHIRI, Dr. Ayman");
    CHECK(n && n->quality == LIMES_NAME_PRIMARY && n->family && strcmp(n->family, "AL ZAWAHIRI") == 0 &&
          n->given && strcmp(n->given, "Dr. Ayman") == 0);
    n = find_name(z, "AL-ZAWAHIRI, Ayman");
    CHECK(n && n->quality == LIMES_NAME_STRONG_ALIAS);
    CHECK(find_name(z, "SALIM, Ahmad Fuad") != NULL);
    CHECK(has_dob(z, 1951, 6, 19, 0));
    const limes_watch_doc_ref *d = find_doc(z, "1084010");
    CHECK(d && strcmp(d->issuer, "EGY") == 0 && strcmp(d->type, "passport") == 0);
    CHECK(find_doc(z, "19820215") != NULL);
    CHECK(z && z->place_of_birth && strcmp(z->place_of_birth, "Giza, Egypt") == 0);
    CHECK_STR(z ? z->action : NULL, "refuse_entry");
    limes_watch_set_free(set);
}

/* The file shapes OFAC really ships: CRLF, -0- with spaces, a final 0x1A. */
static const char ofac_sdn[] =
    "36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n"
    "100,\"TESTER, Omar Abd\",\"individual\",\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"
    "\"DOB 01 Jan 1960; alt. DOB 1961; alt. DOB circa 1955; alt. DOB 1970 to 1972; "
    "POB Baghdad, Iraq; nationality Iraq; alt. nationality Syria; citizen Korea, North; "
    "Passport A123456 (Egypt) issued 01 Jan 2000 expires 01 Jan 2005; alt. Passport B 99; "
    "Gender Male; a.k.a. 'ABU 'UMAR'; a.k.a. 'THE TESTER'.\"\r\n"
    "101,\"VESSEL ONE\",\"vessel\",\"IRAN\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n"
    "\x1A";
static const char ofac_alt[] = "100,1,\"aka\",\"TESTIR, Omar\",-0- \r\n"
                               "100,2,\"fka\",\"OLDNAME, Omar\",-0- \r\n"
                               "36,3,\"aka\",\"AERO-CARIBBEAN\",-0- \r\n\x1A";
static const char ofac_add[] = "100,25,-0- ,\"Baghdad\",\"Iraq\",-0- \r\n\x1A";

static void test_ofac_remarks(void)
{
    limes_watch_set *set = NULL;
    limes_import_report rep = {0};
    limes_error err = {0};
    CHECK_INT(limes_import_ofac(ofac_sdn, sizeof ofac_sdn - 1, ofac_alt, sizeof ofac_alt - 1,
                                ofac_add, sizeof ofac_add - 1, NULL, &set, &rep, &err),
              LIMES_OK);
    if (!set) {
        fprintf(stderr, "  %s\n", err.message);
        return;
    }
    CHECK_INT(set->npersons, 1);
    CHECK_INT(rep.skipped, 2);
    const limes_watch_person *p = find_ref(set, "100");
    CHECK(has_dob(p, 1960, 1, 1, 0));
    CHECK(has_dob(p, 1961, 0, 0, 0));
    CHECK(has_dob(p, 1955, 0, 0, 0));
    CHECK(has_dob(p, 1970, 0, 0, 1972));
    CHECK(has_nat(p, "IRQ") && has_nat(p, "SYR") && has_nat(p, "PRK"));
    const limes_watch_doc_ref *d = find_doc(p, "A123456");
    CHECK(d && strcmp(d->issuer, "EGY") == 0);
    d = find_doc(p, "B 99");
    CHECK(d && d->issuer[0] == '\0');
    CHECK(p && p->gender == 'M');
    CHECK(p && p->place_of_birth && strcmp(p->place_of_birth, "Baghdad, Iraq") == 0);
    const limes_watch_name *n = find_name(p, "ABU 'UMAR");
    CHECK(n && n->quality == LIMES_NAME_WEAK_ALIAS);
    n = find_name(p, "THE TESTER");
    CHECK(n && n->quality == LIMES_NAME_WEAK_ALIAS);
    n = find_name(p, "TESTIR, Omar");
    CHECK(n && n->quality == LIMES_NAME_STRONG_ALIAS);
    CHECK(find_name(p, "OLDNAME, Omar") != NULL);
    CHECK(find_name(p, "AERO-CARIBBEAN") == NULL);
    limes_watch_set_free(set);
}

static void test_ofac_bad_input(void)
{
    limes_watch_set *set = NULL;
    limes_error err = {0};
    CHECK_INT(limes_import_ofac("", 0, NULL, 0, NULL, 0, NULL, &set, NULL, &err), LIMES_INVALID);
    const char short_row[] = "100,\"X, Y\",\"individual\"\r\n";
    CHECK_INT(limes_import_ofac(short_row, sizeof short_row - 1, NULL, 0, NULL, 0, NULL, &set,
                                NULL, &err),
              LIMES_INVALID);
    CHECK(strstr(err.message, "line 1") != NULL);
    const char bad_utf[] = "100,\"X\xff, Y\",\"individual\",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\r\n";
    CHECK_INT(limes_import_ofac(bad_utf, sizeof bad_utf - 1, NULL, 0, NULL, 0, NULL, &set, NULL,
                                &err),
              LIMES_INVALID);
    CHECK(strstr(err.message, "UTF-8") != NULL);
    const char open_quote[] = "100,\"X, Y,\"individual\",-0-\r\n";
    CHECK_INT(limes_import_ofac(open_quote, sizeof open_quote - 1, NULL, 0, NULL, 0, NULL, &set,
                                NULL, &err),
              LIMES_INVALID);
    CHECK(set == NULL);
}

/* ---- national CSV ---- */

static const char persons_csv[] =
    "ref,full_name,given_name,family_name,aliases,weak_aliases,dob,nationality,gender,"
    "place_of_birth,documents,action,remarks\n"
    "NP-1,,Karim,Haddad,Kareem Hadad|كريم حداد,Abu Samir,1975-03-14|1976,LBN|sy,M,Beirut,"
    "X1234567/LBN/passport|ID-9,arrest,\"wanted, armed\"\n"
    "NP-2,Lina Mansour,,,,,2015-06,JOR,F,,,protect,missing child\n"
    "NP-3,علي حسن,,,,,1960..1962,,,,,,\n";

static void test_csv_persons(void)
{
    limes_watch_set *set = NULL;
    limes_import_report rep = {0};
    limes_error err = {0};
    CHECK_INT(limes_import_csv_persons(persons_csv, sizeof persons_csv - 1, NULL, &set, &rep,
                                       &err),
              LIMES_OK);
    if (!set) {
        fprintf(stderr, "  %s\n", err.message);
        return;
    }
    CHECK_INT(set->npersons, 3);
    const limes_watch_person *p = find_ref(set, "NP-1");
    const limes_watch_name *n = find_name(p, "Karim Haddad");
    CHECK(n && n->quality == LIMES_NAME_PRIMARY && strcmp(n->given, "Karim") == 0);
    n = find_name(p, "كريم حداد");
    CHECK(n && n->quality == LIMES_NAME_STRONG_ALIAS && strcmp(n->script, "Arab") == 0);
    n = find_name(p, "Abu Samir");
    CHECK(n && n->quality == LIMES_NAME_WEAK_ALIAS);
    CHECK(has_dob(p, 1975, 3, 14, 0) && has_dob(p, 1976, 0, 0, 0));
    CHECK(has_nat(p, "LBN") && has_nat(p, "SYR"));
    const limes_watch_doc_ref *d = find_doc(p, "X1234567");
    CHECK(d && strcmp(d->issuer, "LBN") == 0 && strcmp(d->type, "passport") == 0);
    CHECK(find_doc(p, "ID-9") != NULL);
    CHECK_STR(p ? p->action : NULL, "arrest");
    CHECK_STR(p ? p->remarks : NULL, "wanted, armed");
    p = find_ref(set, "NP-2");
    CHECK_STR(p ? p->action : NULL, "protect");
    CHECK(has_dob(p, 2015, 6, 0, 0));
    CHECK(p && p->gender == 'F');
    p = find_ref(set, "NP-3");
    CHECK_STR(p ? p->action : NULL, "refuse_entry");
    CHECK(has_dob(p, 1960, 0, 0, 1962));
    CHECK(p && strcmp(p->names[0].script, "Arab") == 0);
    limes_watch_set_free(set);
}

/* Import `csv` as persons and expect failure with `want` in the message. */
static void expect_persons_error(const char *csv, const char *want)
{
    limes_watch_set *set = NULL;
    limes_error err = {0};
    limes_rc rc = limes_import_csv_persons(csv, strlen(csv), NULL, &set, NULL, &err);
    CHECK(rc != LIMES_OK);
    CHECK(set == NULL);
    if (!strstr(err.message, want)) {
        fprintf(stderr, "  expected '%s' in: %s\n", want, err.message);
        CHECK(strstr(err.message, want) != NULL);
    }
}

static void test_csv_persons_bad_input(void)
{
    expect_persons_error("", "empty");
    expect_persons_error("ref,full_name\n", "no entries");
    expect_persons_error("ref,full_name,shoe_size\nA,B,42\n", "line 1, column 3: unknown column");
    expect_persons_error("full_name\nA\n", "'ref' is missing");
    expect_persons_error("ref,dob\nA,1970\n", "name column is missing");
    expect_persons_error("ref,full_name,dob\nA,Ali,1970-01-01\nB,Omar,1970-13-01\n",
                         "line 3, column 3 (dob)");
    expect_persons_error("ref,full_name,dob\nA,Ali,31/12/1970\n", "not a date of birth");
    expect_persons_error("ref,full_name,nationality\nA,Ali,Atlantis\n", "column 3 (nationality)");
    expect_persons_error("ref,full_name\nA,Ali\nA,Omar\n", "ref used twice");
    expect_persons_error("ref,full_name\nA,Ali,extra\n", "line 2: 3 fields");
    expect_persons_error("ref,full_name\nA,Ali\nB,Om\xe2\x28r\n", "line 3, column 2: invalid UTF-8");
    expect_persons_error("ref,full_name,gender\nA,Ali,X\n", "gender");
    expect_persons_error("ref,full_name,action\nA,Ali,Arrest Now\n", "action");
    expect_persons_error("ref,full_name\nA,\"Ali\n", "quote not closed");
    expect_persons_error("ref,full_name\nA,\n", "no name");
    /* A document type too long to keep whole (cutting could split a UTF-8 sequence). */
    expect_persons_error("ref,full_name,documents\nA,Ali,X1/LBN/passport                                                      "
                         "\xd9\x85\xd8\xad\xd9\x85\xd8\xaf \xd8\xb9\xd8\xa8\xd8\xaf\n",
                         "column 3 (documents)");
}

static const char documents_csv[] =
    "number,issuer,type,status,reported,action\r\n"
    "L898902C3,UTO,passport,stolen,2024-05-01,seize_document\r\n"
    "X0000001,FRA,id card,lost,,\r\n"
    "B1234,de,passport,blank,2023-01-31,\r\n";

static void test_csv_documents(void)
{
    limes_watch_set *set = NULL;
    limes_import_report rep = {0};
    limes_error err = {0};
    CHECK_INT(limes_import_csv_documents(documents_csv, sizeof documents_csv - 1, NULL, &set,
                                         &rep, &err),
              LIMES_OK);
    if (!set) {
        fprintf(stderr, "  %s\n", err.message);
        return;
    }
    CHECK_INT(set->ndocuments, 3);
    CHECK_INT(rep.documents, 3);
    const limes_watch_document *d = &set->documents[0];
    CHECK_STR(d->number, "L898902C3");
    CHECK_STR(d->issuer, "UTO");
    CHECK_STR(d->status, "stolen");
    CHECK_STR(d->reported, "2024-05-01");
    CHECK_STR(d->ref, "L898902C3");
    CHECK_STR(set->documents[1].action, "seize_document");
    CHECK_STR(set->documents[2].issuer, "DEU");
    limes_watch_set_free(set);

    const char *bad[][2] = {
        {"number,issuer,status\nA1,FRA,misplaced\n", "line 2, column 3 (status)"},
        {"number,issuer,status,reported\nA1,FRA,lost,2024-02-30\n", "column 4 (reported)"},
        {"number,issuer\nA1,FRA\n", "'status' is missing"},
        {"number,issuer,status\nA1,ZZZ,lost\n", "unknown issuing country"},
        {"number,issuer,status\nA1,FRA,lost\nA1,FRA,stolen\n", "listed twice"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        set = NULL;
        CHECK(limes_import_csv_documents(bad[i][0], strlen(bad[i][0]), NULL, &set, NULL, &err) !=
              LIMES_OK);
        CHECK(set == NULL);
        if (!strstr(err.message, bad[i][1])) {
            fprintf(stderr, "  expected '%s' in: %s\n", bad[i][1], err.message);
            CHECK(0);
        }
    }
}

/* ---- storage ---- */

static char db_path[512], dir[256];
static int on_pg; /* --pg: the store tests run on PostgreSQL */

static const char *write_tmp(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    fputs(text, f);
    fclose(f);
    return path;
}

static bool same_person(const limes_watch_person *a, const limes_watch_person *b)
{
    if (strcmp(a->ref, b->ref) || strcmp(a->version, b->version) || a->nnames != b->nnames ||
        a->ndobs != b->ndobs || a->ndocs != b->ndocs || a->nnationalities != b->nnationalities ||
        a->gender != b->gender || strcmp(a->action, b->action))
        return false;
    for (size_t i = 0; i < a->nnames; i++)
        if (strcmp(a->names[i].full, b->names[i].full) ||
            strcmp(a->names[i].script, b->names[i].script) ||
            a->names[i].quality != b->names[i].quality)
            return false;
    return memcmp(a->dobs, b->dobs, a->ndobs * sizeof *a->dobs) == 0;
}

static void test_store_round_trip_and_atomic_replace(void)
{
    limes_store *s = NULL;
    limes_error err = {0};
    CHECK_INT(limes_store_open(db_path, &s, &err), LIMES_OK);
    if (!s)
        return;
    CHECK_INT(limes_lists_generation(s), 0);
    const char *p1[] = {write_tmp("persons.csv", persons_csv)};
    limes_import_report rep;
    CHECK_INT(limes_lists_import(s, "NATIONAL", "csv", p1, 1, NULL, NULL, &rep, &err), LIMES_OK);
    CHECK_INT(rep.persons, 3);
    int64_t g1 = limes_lists_generation(s);
    CHECK(g1 > 0);
    CHECK_INT(rep.generation, g1);
    const char *p2[] = {write_tmp("docs.csv", documents_csv)};
    CHECK_INT(limes_lists_import(s, "SLTD", "csv-documents", p2, 1, NULL, NULL, &rep, &err),
              LIMES_OK);
    CHECK(limes_lists_generation(s) > g1);

    /* Load: every entry back, same content and version. */
    limes_watch_set *parsed = NULL, *loaded = NULL;
    CHECK_INT(limes_import_csv_persons(persons_csv, sizeof persons_csv - 1,
                                       &(limes_import_options){.list = "NATIONAL"}, &parsed,
                                       NULL, &err),
              LIMES_OK);
    CHECK_INT(limes_lists_load(s, &loaded, &err), LIMES_OK);
    CHECK(loaded && loaded->npersons == 3 && loaded->ndocuments == 3);
    for (size_t i = 0; loaded && parsed && i < parsed->npersons; i++) {
        const limes_watch_person *back = find_ref(loaded, parsed->persons[i].ref);
        CHECK(back && back->id > 0 && strcmp(back->list, "NATIONAL") == 0);
        CHECK(back && same_person(&parsed->persons[i], back));
    }
    if (loaded && loaded->ndocuments == 3) {
        CHECK_STR(loaded->documents[0].list, "SLTD");
        CHECK_STR(loaded->documents[0].number, "L898902C3");
        CHECK_STR(loaded->documents[0].reported, "2024-05-01");
        CHECK_STR(loaded->documents[0].status, "stolen");
    }
    limes_watch_set_free(parsed);
    limes_watch_set_free(loaded);

    /* A failing re-import leaves the first version in force and the generation unchanged. */
    int64_t g2 = limes_lists_generation(s);
    const char *bad[] = {write_tmp("bad.csv", "ref,full_name,dob\nA,Ali,1970\nB,Omar,19700\n")};
    CHECK_INT(limes_lists_import(s, "NATIONAL", "csv", bad, 1, NULL, NULL, &rep, &err),
              LIMES_INVALID);
    CHECK(strstr(err.message, "bad.csv") && strstr(err.message, "line 3"));
    CHECK_INT(limes_lists_generation(s), g2);
    CHECK_INT(limes_lists_load(s, &loaded, &err), LIMES_OK);
    CHECK(loaded && loaded->npersons == 3 && find_ref(loaded, "NP-2"));
    limes_watch_set_free(loaded);

    /* Several files form one list; a ref may not repeat across them. */
    const char *two[] = {write_tmp("a.csv", "ref,full_name\nA-1,Ali\n"), NULL};
    char first[600];
    snprintf(first, sizeof first, "%s", two[0]);
    two[0] = first;
    two[1] = write_tmp("b.csv", "ref,full_name\nA-1,Omar\n");
    CHECK_INT(limes_lists_import(s, "NATIONAL", "csv", two, 2, NULL, NULL, &rep, &err),
              LIMES_INVALID);
    CHECK(strstr(err.message, "'A-1' is in both a.csv and b.csv") != NULL);
    CHECK_INT(limes_lists_generation(s), g2);

    /* A good re-import replaces it entirely. */
    const char *p3[] = {write_tmp("small.csv", "ref,full_name\nZ-1,Zaid Nour\n")};
    CHECK_INT(limes_lists_import(s, "NATIONAL", "csv", p3, 1, NULL, NULL, &rep, &err), LIMES_OK);
    CHECK_INT(limes_lists_load(s, &loaded, &err), LIMES_OK);
    CHECK(loaded && loaded->npersons == 1 && find_ref(loaded, "Z-1") && !find_ref(loaded, "NP-2"));
    limes_watch_set_free(loaded);

    json_t *summary = NULL;
    CHECK_INT(limes_lists_summary(s, &summary, &err), LIMES_OK);
    CHECK_INT(json_array_size(summary), 2);
    json_t *nat = json_array_get(summary, 0);
    CHECK_STR(json_string_value(json_object_get(nat, "name")), "NATIONAL");
    CHECK_STR(json_string_value(json_object_get(nat, "kind")), "persons");
    CHECK_INT(json_integer_value(json_object_get(nat, "entries")), 1);
    CHECK_STR(json_string_value(json_array_get(json_object_get(nat, "sources"), 0)), "small.csv");
    CHECK_STR(json_string_value(json_object_get(json_array_get(summary, 1), "kind")), "documents");
    json_decref(summary);

    /* Bad names and formats are refused before anything is read. */
    CHECK_INT(limes_lists_import(s, "bad name", "csv", p3, 1, NULL, NULL, &rep, &err),
              LIMES_INVALID);
    CHECK_INT(limes_lists_import(s, "X", "pdf", p3, 1, NULL, NULL, &rep, &err), LIMES_INVALID);
    CHECK_STR(err.field, "format");

    int64_t g3 = limes_lists_generation(s);
    CHECK_INT(limes_lists_remove(s, "SLTD", &err), LIMES_OK);
    CHECK(limes_lists_generation(s) > g3);
    CHECK_INT(limes_lists_remove(s, "SLTD", &err), LIMES_NOT_FOUND);
    CHECK_INT(limes_lists_load(s, &loaded, &err), LIMES_OK);
    CHECK(loaded && loaded->ndocuments == 0 && loaded->npersons == 1);
    limes_watch_set_free(loaded);
    limes_store_close(s);
}

static int progress_calls;
static void count_progress(void *ud, const char *phase, uint64_t done, uint64_t total)
{
    (void)ud;
    CHECK(done <= total || total == 0);
    CHECK(strcmp(phase, "parse") == 0 || strcmp(phase, "store") == 0);
    progress_calls++;
}

static void test_store_real_lists(void)
{
    limes_store *s = NULL;
    limes_error err = {0};
    CHECK_INT(limes_store_open(db_path, &s, &err), LIMES_OK);
    if (!s)
        return;
    char un[1024];
    snprintf(un, sizeof un, "%s", shared("un/UN_consolidated_2026-02-27.xml"));
    const char *p[] = {un};
    limes_import_report rep;
    CHECK_INT(limes_lists_import(s, "UN", "un", p, 1, count_progress, NULL, &rep, &err),
              LIMES_OK);
    CHECK(progress_calls > 2);
    char sdn[1024], alt[1024], add[1024];
    snprintf(sdn, sizeof sdn, "%s", shared("ofac_2021/sdn.csv"));
    snprintf(alt, sizeof alt, "%s", shared("ofac_2021/alt.csv"));
    snprintf(add, sizeof add, "%s", shared("ofac_2021/add.csv"));
    const char *o[] = {add, sdn, alt}; /* any order: told apart by name */
    CHECK_INT(limes_lists_import(s, "OFAC", "ofac", o, 3, NULL, NULL, &rep, &err), LIMES_OK);
    CHECK_INT(rep.persons, 4620);
    limes_watch_set *loaded = NULL;
    CHECK_INT(limes_lists_load(s, &loaded, &err), LIMES_OK);
    CHECK(loaded && loaded->npersons == 730 + 4620 + 1);
    const limes_watch_person *saddam = find_ref(loaded, "IQi.001");
    CHECK(saddam && find_name(saddam, "صدام حسين التكريتي") && has_dob(saddam, 1937, 4, 28, 0));
    limes_watch_set_free(loaded);
    limes_store_close(s);
}


/* ---- the stored form ---- */

static void test_entry_json_round_trip(void)
{
    limes_watch_person p = {0};
    person_add_name(&p, "Quote \" back\\slash\ttab \xF0\x9F\x98\x80 \xD8\xB9\xD9\x84\xD9\x8A", "G",
                    NULL, LIMES_NAME_PRIMARY);
    person_add_name(&p, "Weak", NULL, "F", LIMES_NAME_WEAK_ALIAS);
    person_add_dob(&p, 1960, 0, 0, 1962);
    person_add_nationality(&p, "SYR");
    person_add_doc(&p, "A\"1", "EGY", NULL);
    person_add_pob(&p, "Aleppo");
    p.gender = 'F';
    p.action = strdup("protect");
    char *json = entry_person_json(&p);
    CHECK(json != NULL);
    limes_watch_person back = {0};
    CHECK(entry_person_from_json(json, &back));
    CHECK_INT(back.nnames, 2);
    if (back.nnames == 2) {
        CHECK_STR(back.names[0].full, p.names[0].full);
        CHECK_STR(back.names[0].given, "G");
        CHECK(back.names[0].family == NULL);
        CHECK_STR(back.names[1].family, "F");
        CHECK_INT(back.names[1].quality, LIMES_NAME_WEAK_ALIAS);
        CHECK_STR(back.names[0].script, p.names[0].script);
    }
    CHECK(back.ndobs == 1 && back.dobs[0].year == 1960 && back.dobs[0].year_to == 1962);
    CHECK(back.nnationalities == 1 && strcmp(back.nationalities[0], "SYR") == 0);
    CHECK(back.ndocs == 1 && strcmp(back.docs[0].number, "A\"1") == 0 && back.docs[0].type == NULL);
    CHECK_STR(back.place_of_birth, "Aleppo");
    CHECK_STR(back.action, "protect");
    CHECK(back.gender == 'F');
    limes_watch_person_free(&back);
    free(json);
    limes_watch_person_free(&p);

    /* \u escapes (a surrogate pair), unknown members skipped, broken input refused. */
    limes_watch_person q = {0};
    CHECK(entry_person_from_json("{\"z\":[1,{\"k\":[true,null,-2.5e3]}],\"n\":[[\"\\u00e9\\ud83d\\ude00\","
                                 "null,null,\"Latn\",0]],\"g\":\"M\"}", &q));
    CHECK(q.nnames == 1 && strcmp(q.names[0].full, "\xC3\xA9\xF0\x9F\x98\x80") == 0);
    limes_watch_person_free(&q);
    static const char *const broken[] = {
        "", "{", "{\"n\":[[\"x\",null,null,\"Latn\",0]]", "{\"n\":[]}", "{\"n\":[[\"x\"]]}",
        "{\"n\":[[\"\\ud800\",null,null,\"\",0]]}", "{\"n\":[[\"\\u0000\",null,null,\"\",0]]}",
        "{\"n\":[[\"x\",null,null,\"Latn\",0]]} trailing", "{\"c\":[\"TOOLONG\"],\"n\":[[\"x\",null,null,\"\",0]]}",
    };
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        limes_watch_person b = {0};
        CHECK(!entry_person_from_json(broken[i], &b));
        limes_watch_person_free(&b);
    }
    limes_watch_document d = {0};
    CHECK(entry_document_from_json("{\"num\":\"L898902C3\",\"i\":\"UTO\",\"s\":\"stolen\",\"rd\":\"2024-05-01\"}", &d));
    CHECK_STR(d.number, "L898902C3");
    CHECK_STR(d.reported, "2024-05-01");
    limes_watch_document_free(&d);
    CHECK(!entry_document_from_json("{\"i\":\"UTO\"}", &d));
    limes_watch_document_free(&d);
}

static void test_demo_lists(void)
{
    const char *src = getenv("LIMES_SOURCE");
    if (!src) {
        fprintf(stderr, "  skipped: LIMES_SOURCE not set\n");
        return;
    }
    char demo_db[600], data[600];
    if (on_pg) {
        if (pg_fresh_url("lists_demo", demo_db, sizeof demo_db) != 0) {
            CHECK(0);
            return;
        }
    } else {
        snprintf(demo_db, sizeof demo_db, "%s/demo.db", dir);
    }
    snprintf(data, sizeof data, "%s/data/lists", src);
    limes_store *s = NULL;
    limes_error err = {0};
    CHECK_INT(limes_store_open(demo_db, &s, &err), LIMES_OK);
    if (!s)
        return;
    int loaded = -1;
    CHECK_INT(limes_lists_load_demo(s, data, &loaded, &err), LIMES_OK);
    CHECK_INT(loaded, 3);
    int64_t gen = limes_lists_generation(s);
    CHECK_INT(limes_lists_load_demo(s, data, &loaded, &err), LIMES_OK);
    CHECK_INT(loaded, 0); /* lists exist: nothing reloaded */
    CHECK_INT(limes_lists_generation(s), gen);
    limes_watch_set *set = NULL;
    CHECK_INT(limes_lists_load(s, &set, &err), LIMES_OK);
    size_t protect = 0, arabic = 0, specimen = 0;
    for (size_t i = 0; set && i < set->npersons; i++) {
        const limes_watch_person *p = &set->persons[i];
        if (strcmp(p->list, "NATIONAL-PERSONS") != 0)
            continue;
        protect += strcmp(p->action, "protect") == 0;
        for (size_t k = 0; k < p->nnames; k++)
            arabic += strcmp(p->names[k].script, "Arab") == 0;
    }
    for (size_t i = 0; set && i < set->ndocuments; i++)
        specimen += strcmp(set->documents[i].number, "L898902C3") == 0 &&
                    strcmp(set->documents[i].issuer, "UTO") == 0;
    CHECK(set && set->npersons == 730 + 12);
    CHECK(protect >= 1);
    CHECK(arabic >= 5);
    CHECK_INT(specimen, 1);
    limes_watch_set_free(set);
    limes_store_close(s);
}

int main(int argc, char **argv)
{
    on_pg = argc > 1 && strcmp(argv[1], "--pg") == 0;
    snprintf(dir, sizeof dir, "/tmp/limes-test-lists-%d", (int)getpid());
    if (on_pg) {
        int pg = pg_fresh_url("lists", db_path, sizeof db_path);
        if (pg)
            return pg;
    } else {
        snprintf(db_path, sizeof db_path, "%s/lists.db", dir);
    }
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s", dir, dir);
    if (system(cmd) != 0)
        return 1;
    if (!on_pg) { /* the importers do not touch a store: once is enough */
        RUN(test_un_small);
        RUN(test_un_bad_input);
        RUN(test_ofac_remarks);
        RUN(test_ofac_bad_input);
        RUN(test_csv_persons);
        RUN(test_csv_persons_bad_input);
        RUN(test_csv_documents);
        RUN(test_entry_json_round_trip);
    }
    RUN(test_store_round_trip_and_atomic_replace);
    RUN(test_demo_lists);
    if (test_shared_data()) {
        if (!on_pg) {
            RUN(test_un_real_file);
            RUN(test_ofac_real_files);
        }
        RUN(test_store_real_lists);
    } else {
        fprintf(stderr, "skipped: importer tests on the real UN and OFAC files "
                        "(LIMES_SHARED_DATA not set)\n");
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return test_summary();
}
