/*
 * import_un.c - the UN Security Council consolidated list (XML, root
 * CONSOLIDATED_LIST) parsed with libxml2 into person entries.
 *
 * Each INDIVIDUAL becomes one person: FIRST_NAME..FOURTH_NAME joined as
 * the primary name (given = FIRST_NAME, family = the other parts; a part
 * that is the list's lower-case placeholder "na" is left out),
 * NAME_ORIGINAL_SCRIPT as a second primary name (its script detected, for
 * example "Arab"), INDIVIDUAL_ALIAS names (QUALITY Good = strong, Low =
 * weak), dates of birth (EXACT date or year, APPROXIMATELY year, BETWEEN
 * FROM_YEAR/TO_YEAR), places of birth, NATIONALITY values mapped to
 * alpha-3, GENDER, passports and identity numbers from
 * INDIVIDUAL_DOCUMENT, and REFERENCE_NUMBER as ref.  ENTITY records
 * (organisations) are not persons a border checks and are counted as
 * skipped.  The parser never loads a DTD or external entity and refuses
 * documents with a DOCTYPE; any XML error fails the whole import.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "lists_int.h"

#define UN_DEFAULT_ACTION "refuse_entry"

static bool is_element(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* Text of the first child element `name` of n, trimmed; NULL if absent or blank.  Caller frees. */
static char *child_text(const xmlNode *n, const char *name)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (!is_element(c, name))
            continue;
        xmlChar *t = xmlNodeGetContent(c);
        char *s = t ? lists_strdup((const char *)t, true) : NULL;
        xmlFree(t);
        if (s && !*s) {
            free(s);
            s = NULL;
        }
        return s;
    }
    return NULL;
}

/* Collapse runs of white space (the list wraps long values over lines). */
static void squeeze_spaces(char *s)
{
    char *o = s;
    bool pending = false;
    for (const char *i = s; *i; i++) {
        if (isspace((unsigned char)*i)) {
            pending = o != s;
            continue;
        }
        if (pending)
            *o++ = ' ';
        pending = false;
        *o++ = *i;
    }
    *o = '\0';
}

static limes_rc un_names(const xmlNode *ind, limes_watch_person *p)
{
    static const char *const parts[] = {"FIRST_NAME", "SECOND_NAME", "THIRD_NAME",
                                        "FOURTH_NAME"};
    buf full, family;
    buf_init(&full, 4096);
    buf_init(&family, 4096);
    char *given = NULL;
    limes_rc rc = LIMES_OK;
    for (size_t i = 0; i < 4 && !rc; i++) {
        char *t = child_text(ind, parts[i]);
        if (t && strcmp(t, "na") == 0) { /* the list's "not available", as in NATIONALITY */
            free(t);
            t = NULL;
        }
        if (!t)
            continue;
        if (full.len)
            rc = buf_putc(&full, ' ');
        if (!rc)
            rc = buf_puts(&full, t);
        if (i == 0) {
            given = t;
            continue;
        }
        if (!rc && family.len)
            rc = buf_putc(&family, ' ');
        if (!rc)
            rc = buf_puts(&family, t);
        free(t);
    }
    if (!rc && full.len) {
        squeeze_spaces(full.data);
        rc = person_add_name(p, full.data, given, family.len ? family.data : NULL,
                             LIMES_NAME_PRIMARY);
    }
    free(given);
    buf_release(&full);
    buf_release(&family);
    char *original = rc ? NULL : child_text(ind, "NAME_ORIGINAL_SCRIPT");
    if (original) {
        squeeze_spaces(original);
        rc = person_add_name(p, original, NULL, NULL, LIMES_NAME_PRIMARY);
        free(original);
    }
    return rc;
}

static limes_rc un_alias(const xmlNode *a, limes_watch_person *p)
{
    char *name = child_text(a, "ALIAS_NAME");
    if (!name)
        return LIMES_OK;
    char *quality = child_text(a, "QUALITY");
    limes_name_quality q = quality && strcasecmp(quality, "Low") == 0 ? LIMES_NAME_WEAK_ALIAS
                                                                      : LIMES_NAME_STRONG_ALIAS;
    squeeze_spaces(name);
    limes_rc rc = person_add_name(p, name, NULL, NULL, q);
    free(name);
    free(quality);
    return rc;
}

/* "1960" -> 1960; 0 when not a plausible year. */
static int parse_year(const char *s)
{
    if (!s || strlen(s) != 4)
        return 0;
    for (int i = 0; i < 4; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    int y = atoi(s);
    return y >= 1800 && y <= 2200 ? y : 0;
}

static limes_rc un_dob(const xmlNode *d, limes_watch_person *p)
{
    char *date = child_text(d, "DATE"), *year = child_text(d, "YEAR");
    char *from = child_text(d, "FROM_YEAR"), *to = child_text(d, "TO_YEAR");
    limes_rc rc = LIMES_OK;
    limes_watch_dob iso;
    if (date && dob_parse_iso(date, &iso))
        rc = person_add_dob(p, iso.year, iso.month, iso.day, 0);
    else if (parse_year(year))
        rc = person_add_dob(p, parse_year(year), 0, 0, 0);
    else if (parse_year(from))
        rc = person_add_dob(p, parse_year(from), 0, 0, parse_year(to));
    free(date);
    free(year);
    free(from);
    free(to);
    return rc;
}

static limes_rc un_pob(const xmlNode *n, limes_watch_person *p)
{
    static const char *const parts[] = {"CITY", "STATE_PROVINCE", "COUNTRY"};
    buf b;
    buf_init(&b, 4096);
    limes_rc rc = LIMES_OK;
    for (size_t i = 0; i < 3 && !rc; i++) {
        char *t = child_text(n, parts[i]);
        if (t && b.len)
            rc = buf_puts(&b, ", ");
        if (t && !rc)
            rc = buf_puts(&b, t);
        free(t);
    }
    if (!rc && b.len) {
        squeeze_spaces(b.data);
        rc = person_add_pob(p, b.data);
    }
    buf_release(&b);
    return rc;
}

/* "Passport", "Numéro de passeport", "National Identification Number" -> short types. */
static const char *doc_type(const char *t)
{
    if (!t)
        return "document";
    if (strcasestr(t, "pass"))
        return "passport";
    if (strcasestr(t, "identif") || strcasestr(t, "identity"))
        return "national id";
    return "document";
}

static limes_rc un_document(const xmlNode *d, limes_watch_person *p)
{
    char *number = child_text(d, "NUMBER");
    if (!number)
        return LIMES_OK;
    char *type = child_text(d, "TYPE_OF_DOCUMENT");
    char *country = child_text(d, "ISSUING_COUNTRY");
    if (!country)
        country = child_text(d, "COUNTRY_OF_ISSUE");
    char a3[4];
    country_alpha3(country, a3);
    squeeze_spaces(number);
    limes_rc rc = person_add_doc(p, number, a3, doc_type(type));
    free(number);
    free(type);
    free(country);
    return rc;
}

static limes_rc un_nationalities(const xmlNode *n, limes_watch_person *p)
{
    limes_rc rc = LIMES_OK;
    for (const xmlNode *v = n->children; v && !rc; v = v->next) {
        if (!is_element(v, "VALUE"))
            continue;
        xmlChar *t = xmlNodeGetContent(v);
        char a3[4];
        country_alpha3((const char *)t, a3);
        rc = person_add_nationality(p, a3);
        xmlFree(t);
    }
    return rc;
}

static limes_rc un_gender_ref_remarks(const xmlNode *ind, limes_watch_person *p)
{
    char *g = child_text(ind, "GENDER");
    if (g && strcasecmp(g, "Male") == 0)
        p->gender = 'M';
    else if (g && strcasecmp(g, "Female") == 0)
        p->gender = 'F';
    free(g);
    p->ref = child_text(ind, "REFERENCE_NUMBER");
    if (!p->ref)
        p->ref = child_text(ind, "DATAID");
    p->remarks = child_text(ind, "COMMENTS1");
    return LIMES_OK;
}

static limes_rc un_individual(const xmlNode *ind, limes_watch_set *set,
                              limes_import_report *report)
{
    limes_watch_person *p = set_add_person(set);
    if (!p)
        return LIMES_NOMEM;
    limes_rc rc = un_names(ind, p);
    for (const xmlNode *c = ind->children; c && !rc; c = c->next) {
        if (is_element(c, "INDIVIDUAL_ALIAS"))
            rc = un_alias(c, p);
        else if (is_element(c, "INDIVIDUAL_DATE_OF_BIRTH"))
            rc = un_dob(c, p);
        else if (is_element(c, "INDIVIDUAL_PLACE_OF_BIRTH"))
            rc = un_pob(c, p);
        else if (is_element(c, "INDIVIDUAL_DOCUMENT"))
            rc = un_document(c, p);
        else if (is_element(c, "NATIONALITY"))
            rc = un_nationalities(c, p);
    }
    if (!rc)
        rc = un_gender_ref_remarks(ind, p);
    if (!rc && p->nnames == 0) {
        set_drop_last_person(set);
        limes_import_report_skip(report, "individual without a name", 1);
    }
    return rc;
}

/* Count the element children named `name` of n. */
static size_t count_children(const xmlNode *n, const char *name)
{
    size_t k = 0;
    for (const xmlNode *c = n ? n->children : NULL; c; c = c->next)
        k += is_element(c, name);
    return k;
}

static const xmlNode *find_child(const xmlNode *n, const char *name)
{
    for (const xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (is_element(c, name))
            return c;
    return NULL;
}

static limes_rc un_walk(const xmlNode *root, limes_watch_set *set,
                        const limes_import_options *opt, limes_import_report *report,
                        limes_error *err)
{
    if (!root || !is_element(root, "CONSOLIDATED_LIST"))
        return limes_fail(err, LIMES_INVALID, "file",
                          "not a UN consolidated list (root element is not CONSOLIDATED_LIST)");
    const xmlNode *inds = find_child(root, "INDIVIDUALS");
    size_t total = count_children(inds, "INDIVIDUAL"), done = 0;
    for (const xmlNode *c = inds ? inds->children : NULL; c; c = c->next) {
        if (!is_element(c, "INDIVIDUAL"))
            continue;
        limes_rc rc = un_individual(c, set, report);
        if (rc)
            return limes_fail(err, rc, "file", "out of memory reading the UN list");
        if (++done % 256 == 0 || done == total)
            progress_report(opt, "parse", done, total);
    }
    limes_import_report_skip(report, "entity (organisation), not a person",
                             (int64_t)count_children(find_child(root, "ENTITIES"), "ENTITY"));
    return LIMES_OK;
}

static pthread_once_t libxml_once = PTHREAD_ONCE_INIT;

static void libxml_init(void)
{
    xmlInitParser(); /* once, before any thread parses */
}

limes_rc limes_import_un_xml(const char *data, size_t len, const limes_import_options *opt,
                             limes_watch_set **out, limes_import_report *report,
                             limes_error *err)
{
    *out = NULL;
    pthread_once(&libxml_once, libxml_init);
    if (len == 0)
        return limes_fail(err, LIMES_INVALID, "file", "the UN list file is empty");
    if (len > INT32_MAX)
        return limes_fail(err, LIMES_TOO_LARGE, "file", "the UN list file is too large");
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt)
        return limes_fail(err, LIMES_NOMEM, "file", "out of memory");
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, data, (int)len, "un.xml", NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    limes_rc rc = LIMES_OK;
    if (!doc || !ctxt->wellFormed) {
        const xmlError *e = xmlCtxtGetLastError(ctxt);
        rc = limes_fail(err, LIMES_INVALID, "file", "the UN list is not well-formed XML: line %d: %s",
                        e ? e->line : 0, e && e->message ? e->message : "parse error");
        /* libxml2 messages end with a newline; drop it. */
        if (err)
            err->message[strcspn(err->message, "\n")] = '\0';
    } else if (doc->intSubset || doc->extSubset) {
        rc = limes_fail(err, LIMES_INVALID, "file", "the UN list must not carry a DOCTYPE");
    }
    limes_watch_set *set = rc ? NULL : set_new();
    if (!rc && !set)
        rc = limes_fail(err, LIMES_NOMEM, "file", "out of memory");
    if (!rc)
        rc = un_walk(xmlDocGetRootElement(doc), set, opt, report, err);
    if (!rc)
        rc = set_finish(set, opt, UN_DEFAULT_ACTION, report, err);
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    if (rc) {
        limes_watch_set_free(set);
        return rc;
    }
    *out = set;
    return LIMES_OK;
}

limes_rc limes_import_un_xml_file(const char *path, const limes_import_options *opt,
                                  limes_watch_set **out, limes_import_report *report,
                                  limes_error *err)
{
    char *data;
    size_t len;
    *out = NULL;
    limes_rc rc = read_file_all(path, LISTS_MAX_FILE, &data, &len, err);
    if (rc)
        return rc;
    rc = limes_import_un_xml(data, len, opt, out, report, err);
    free(data);
    return rc;
}
