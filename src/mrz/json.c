/*
 * json.c - the JSON object of a parsed zone (the shape that the CLI, the
 * HTTP API and the first-line check all hand out).  Field names are those
 * of issue 3; an empty string means "present but empty", null means the
 * field could not be read (malformed date, bad sex, unknown format).
 */
#include <string.h>

#include "mrz/mrz_int.h"

/* Every string of a parsed zone is printable ASCII (parse.c replaces the rest). */
static json_t *ascii(const char *s)
{
    return json_stringn_nocheck(s, strlen(s));
}

static json_t *text_or_null(bool known, const char *s)
{
    return known ? ascii(s) : json_null();
}

static json_t *checks_json(const limes_mrz_checks *c)
{
    json_t *o = json_object();
    struct {
        const char *name;
        limes_mrz_check v;
    } all[] = {
        {"document_number", c->document_number}, {"birth_date", c->birth_date},
        {"expiry_date", c->expiry_date},         {"personal_number", c->personal_number},
        {"composite", c->composite},
    };
    for (size_t i = 0; o && i < sizeof all / sizeof all[0]; i++)
        if (all[i].v != LIMES_MRZ_CHECK_ABSENT)
            json_object_set_new_nocheck(o, all[i].name, json_boolean(all[i].v == LIMES_MRZ_CHECK_OK));
    return o;
}

static json_t *problem_json(const limes_mrz_problem *p)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new_nocheck(o, "code", ascii(p->code));
    json_object_set_new_nocheck(o, "field", p->field[0] ? ascii(p->field) : json_null());
    json_object_set_new_nocheck(o, "line", json_integer(p->line));
    json_object_set_new_nocheck(o, "column", json_integer(p->column));
    json_object_set_new_nocheck(o, "message", ascii(p->message));
    json_object_set_new_nocheck(o, "severity", ascii(p->severity == LIMES_MRZ_ERROR ? "error" : "warning"));
    if (p->suggestion[0])
        json_object_set_new_nocheck(o, "suggestion", ascii(p->suggestion));
    return o;
}

static const char *number_kind_name(limes_mrz_long_number k)
{
    switch (k) {
    case LIMES_MRZ_NUMBER_LONG_ICAO: return "icao";
    case LIMES_MRZ_NUMBER_LONG_WITH_FILLER: return "with-filler";
    default: return "short";
    }
}

static void add_fields(json_t *o, const limes_mrz_doc *d)
{
    bool known = d->format != LIMES_MRZ_UNKNOWN;
    char sex[2] = {d->sex, '\0'};
    json_object_set_new_nocheck(o, "document_code", text_or_null(known, d->document_code));
    json_object_set_new_nocheck(o, "issuing_state", text_or_null(known, d->issuing_state));
    json_object_set_new_nocheck(o, "primary_identifier", text_or_null(known, d->primary_identifier));
    json_object_set_new_nocheck(o, "secondary_identifier", text_or_null(known, d->secondary_identifier));
    json_object_set_new_nocheck(o, "document_number", text_or_null(known, d->document_number));
    json_object_set_new_nocheck(o, "nationality", text_or_null(known, d->nationality));
    json_object_set_new_nocheck(o, "birth_date", text_or_null(d->birth_date[0], d->birth_date));
    json_object_set_new_nocheck(o, "birth_date_raw", text_or_null(known, d->birth_date_raw));
    json_object_set_new_nocheck(o, "expiry_date", text_or_null(d->expiry_date[0], d->expiry_date));
    json_object_set_new_nocheck(o, "expiry_date_raw", text_or_null(known, d->expiry_date_raw));
    json_object_set_new_nocheck(o, "sex", text_or_null(d->sex != 0, sex));
    json_object_set_new_nocheck(o, "optional_data", text_or_null(known, d->optional_data));
    json_object_set_new_nocheck(o, "optional_data_2",
                        text_or_null(d->format == LIMES_MRZ_TD1, d->optional_data_2));
}

json_t *limes_mrz_to_json(const limes_mrz_doc *d)
{
    const char *format = limes_mrz_format_name(d->format);
    json_t *o = json_object(), *problems = json_array();
    if (!o || !problems) {
        json_decref(o);
        json_decref(problems);
        return NULL;
    }
    json_object_set_new_nocheck(o, "format", format ? ascii(format) : json_null());
    add_fields(o, d);
    json_object_set_new_nocheck(o, "document_number_check",
                        d->format == LIMES_MRZ_UNKNOWN ? json_null()
                                                       : ascii(number_kind_name(
                                                             d->number_kind)));
    json_object_set_new_nocheck(o, "checks", checks_json(&d->checks));
    json_object_set_new_nocheck(o, "valid", json_boolean(d->valid));
    for (size_t i = 0; i < d->nproblems && i < LIMES_MRZ_MAX_PROBLEMS; i++)
        json_array_append_new(problems, problem_json(&d->problems[i]));
    json_object_set_new_nocheck(o, "problems", problems);
    return o;
}
