/*
 * make.c - writing a complete machine-readable zone from its fields, with
 * every check digit: test and demo documents, the training simulator.
 * The positions are those of the layouts in fields.c (Doc 9303 Parts 4-7);
 * what is written here is read back by limes_mrz_parse() in the tests.
 */
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "mrz/mrz_int.h"

struct zone {
    char line[3][45];
    int width, nlines;
};

static bool mrz_chars(const char *s)
{
    for (; *s; s++)
        if (mrz_char_value(*s) < 0)
            return false;
    return true;
}

/* Put s at (line, col), padded with '<' to n characters; false if too long. */
static bool put(struct zone *z, int line, int col, const char *s, size_t n)
{
    size_t len = strlen(s);
    if (len > n)
        return false;
    memcpy(&z->line[line][col], s, len);
    memset(&z->line[line][col + (int)len], '<', n - len);
    return true;
}

static void put_check(struct zone *z, int line, int col, int from, int n)
{
    z->line[line][col] = (char)limes_mrz_check_digit(&z->line[line][from], (size_t)n);
}

static limes_rc put_field(struct zone *z, int line, int col, const char *value, size_t n,
                          const char *field, limes_error *err)
{
    char clean[64];
    size_t len = value ? strlen(value) : 0;
    if (len >= sizeof clean)
        return limes_fail(err, LIMES_INVALID, field, "%s is too long", field);
    for (size_t i = 0; i < len; i++)
        clean[i] = value[i] == ' ' ? '<' : value[i];
    clean[len] = '\0';
    if (!mrz_chars(clean))
        return limes_fail(err, LIMES_INVALID, field, "%s may hold only A-Z, 0-9 and '<'", field);
    if (!put(z, line, col, clean, n))
        return limes_fail(err, LIMES_INVALID, field, "%s has more than %zu characters", field, n);
    return LIMES_OK;
}

static limes_rc put_code(struct zone *z, int line, int col, const char *code, const char *field,
                         limes_error *err)
{
    if (!code || !limes_country_find(code, strlen(code)))
        return limes_fail(err, LIMES_INVALID, field, "'%s' is not an ISO 3166-1 or ICAO code",
                          code ? code : "");
    return put_field(z, line, col, code, 3, field, err);
}

/* Two date characters: 0-99, -1 both unknown ('<<'), -2 half known. */
static int two_parts(const char *p)
{
    if (p[0] == '<' && p[1] == '<')
        return -1;
    if (p[0] == '<' || p[1] == '<')
        return -2;
    return (p[0] - '0') * 10 + (p[1] - '0');
}

/* YYMMDD with unknown parts allowed is a possible date of `year`. */
static bool date_parts_ok(const char *six, int year)
{
    int yy = two_parts(six), month = two_parts(six + 2), day = two_parts(six + 4);
    if (yy == -2 || month == -2 || day == -2)
        return false;
    if (month == -1)
        return day == -1 || (day >= 1 && day <= 31);
    if (month < 1 || month > 12)
        return false;
    return day == -1 || date_valid(yy == -1 ? 2000 : year, month, day);
}

/* "YYYY-MM-DD" (with '?' for unknown parts) or six MRZ characters -> YYMMDD. */
static limes_rc put_date(struct zone *z, int line, int col, const char *date, const char *field,
                         limes_error *err)
{
    char six[7];
    size_t len = date ? strlen(date) : 0;
    if (len == 10 && date[4] == '-' && date[7] == '-') {
        const char src[6] = {date[2], date[3], date[5], date[6], date[8], date[9]};
        for (int i = 0; i < 6; i++)
            six[i] = src[i] == '?' ? '<' : src[i];
    } else if (len == 6) {
        memcpy(six, date, 6);
    } else {
        return limes_fail(err, LIMES_INVALID, field, "%s must be YYYY-MM-DD or YYMMDD", field);
    }
    six[6] = '\0';
    for (int i = 0; i < 6; i++)
        if (!((six[i] >= '0' && six[i] <= '9') || six[i] == '<'))
            return limes_fail(err, LIMES_INVALID, field, "%s must be YYYY-MM-DD or YYMMDD", field);
    if (!date_parts_ok(six, len == 10 ? atoi(date) : 2000))
        return limes_fail(err, LIMES_INVALID, field, "%s is not a calendar date", field);
    put(z, line, col, six, 6);
    put_check(z, line, col + 6, col, 6);
    return LIMES_OK;
}

static limes_rc put_sex(struct zone *z, int line, int col, const char *sex, limes_error *err)
{
    char c = sex && strlen(sex) == 1 ? sex[0] : '?';
    if (c == 'X')
        c = '<';
    if (c != 'F' && c != 'M' && c != '<')
        return limes_fail(err, LIMES_INVALID, "sex", "sex must be F, M or X");
    z->line[line][col] = c;
    return LIMES_OK;
}

/* The name field: MRZ names as given, Unicode names transliterated, then fitted. */
static limes_rc put_name(struct zone *z, int line, int col, int width, const limes_mrz_fields *f,
                         limes_error *err)
{
    char *name = NULL, *fitted = NULL;
    bool truncated;
    limes_rc rc = limes_mrz_name_from_parts(f->primary_identifier, f->secondary_identifier,
                                            &f->name_opts, &name, err);
    if (!rc)
        rc = limes_mrz_name_fit(name, (size_t)width, &fitted, &truncated, err);
    if (!rc)
        memcpy(&z->line[line][col], fitted, (size_t)width);
    free(name);
    free(fitted);
    return rc;
}

/*
 * Document number at (line, col) with its check; numbers over 9 characters
 * continue in the optional field at (oline, ocol) (Part 5 note j).  Returns
 * how many optional characters the continuation used.
 */
static limes_rc put_number(struct zone *z, int line, int col, int oline, int ocol, int olen,
                           const char *number, size_t *used, limes_error *err)
{
    size_t len = number ? strlen(number) : 0;
    *used = 0;
    if (len == 0 || len > 22 || !mrz_chars(number))
        return limes_fail(err, LIMES_INVALID, "document_number",
                          "document_number must be 1 to 22 characters A-Z 0-9");
    if (len <= 9) {
        put(z, line, col, number, 9);
        put_check(z, line, col + 9, col, 9);
        return LIMES_OK;
    }
    if (oline < 0 || (int)(len - 9 + 2) > olen)
        return limes_fail(err, LIMES_INVALID, "document_number",
                          "document_number is too long for this format");
    memcpy(&z->line[line][col], number, 9);
    z->line[line][col + 9] = '<';
    memcpy(&z->line[oline][ocol], number + 9, len - 9);
    z->line[oline][ocol + (int)(len - 9)] = (char)limes_mrz_check_digit(number, len);
    z->line[oline][ocol + (int)(len - 9) + 1] = '<';
    *used = len - 9 + 2;
    return LIMES_OK;
}

static void put_composite(struct zone *z, int line, int col, const int parts[][3], int n)
{
    unsigned pos = 0, sum = 0;
    for (int i = 0; i < n; i++)
        mrz_weighted_sum(&z->line[parts[i][0]][parts[i][1]], (size_t)parts[i][2], &pos, &sum);
    z->line[line][col] = (char)('0' + sum % 10);
}

static const char *default_code(limes_mrz_format format)
{
    if (format == LIMES_MRZ_TD3)
        return "P";
    return format == LIMES_MRZ_MRVA || format == LIMES_MRZ_MRVB ? "V" : "I";
}

static limes_rc put_header(struct zone *z, const limes_mrz_fields *f, limes_error *err)
{
    const char *code = f->document_code && f->document_code[0] ? f->document_code
                                                               : default_code(f->format);
    limes_rc rc = put_field(z, 0, 0, code, 2, "document_code", err);
    return rc ? rc : put_code(z, 0, 2, f->issuing_state, "issuing_state", err);
}

/* Birth, sex, expiry and nationality: at (line, col) in TD1 order or the others' order. */
static limes_rc put_personal(struct zone *z, const limes_mrz_fields *f, bool td1,
                             limes_error *err)
{
    int line = 1, birth = td1 ? 0 : 13, nat = td1 ? 15 : 10;
    limes_rc rc = put_date(z, line, birth, f->birth_date, "birth_date", err);
    if (!rc)
        rc = put_sex(z, line, birth + 7, f->sex, err);
    if (!rc)
        rc = put_date(z, line, birth + 8, f->expiry_date, "expiry_date", err);
    return rc ? rc : put_code(z, line, nat, f->nationality, "nationality", err);
}

static limes_rc make_td1(struct zone *z, const limes_mrz_fields *f, limes_error *err)
{
    static const int parts[][3] = {{0, 5, 25}, {1, 0, 7}, {1, 8, 7}, {1, 18, 11}};
    size_t used;
    limes_rc rc = put_header(z, f, err);
    if (!rc)
        rc = put_number(z, 0, 5, 0, 15, 15, f->document_number, &used, err);
    if (!rc)
        rc = put_field(z, 0, 15 + (int)used, f->optional_data ? f->optional_data : "",
                       15 - used, "optional_data", err);
    if (!rc)
        rc = put_personal(z, f, true, err);
    if (!rc)
        rc = put_field(z, 1, 18, f->optional_data_2 ? f->optional_data_2 : "", 11,
                       "optional_data_2", err);
    if (!rc)
        rc = put_name(z, 2, 0, 30, f, err);
    if (!rc)
        put_composite(z, 1, 29, parts, 4);
    return rc;
}

/* TD2, TD3, MRV-A, MRV-B: name on line 1, the rest on line 2. */
static limes_rc make_two_line(struct zone *z, const limes_mrz_fields *f, limes_error *err)
{
    bool td3 = f->format == LIMES_MRZ_TD3, visa = !td3 && f->format != LIMES_MRZ_TD2;
    int olen = z->width - 28 - (visa ? 0 : 1) - (td3 ? 1 : 0);
    size_t used;
    limes_rc rc = put_header(z, f, err);
    if (!rc)
        rc = put_name(z, 0, 5, z->width - 5, f, err);
    if (!rc)
        rc = put_number(z, 1, 0, td3 ? -1 : 1, 28, olen, f->document_number, &used, err);
    if (!rc)
        rc = put_personal(z, f, false, err);
    if (!rc)
        rc = put_field(z, 1, 28 + (int)used, f->optional_data ? f->optional_data : "",
                       (size_t)olen - used, "optional_data", err);
    if (rc || visa)
        return rc;
    if (td3) {
        bool empty = strspn(&z->line[1][28], "<") >= 14;
        z->line[1][42] = empty ? '<' : (char)limes_mrz_check_digit(&z->line[1][28], 14);
    }
    const int parts[][3] = {{1, 0, 10}, {1, 13, 7}, {1, 21, z->width - 22}};
    put_composite(z, 1, z->width - 1, parts, 3);
    return LIMES_OK;
}

limes_rc limes_mrz_make(const limes_mrz_fields *f, char **out, limes_error *err)
{
    struct zone z;
    memset(&z, 0, sizeof z);
    switch (f->format) {
    case LIMES_MRZ_TD1: z.width = 30; z.nlines = 3; break;
    case LIMES_MRZ_TD2: case LIMES_MRZ_MRVB: z.width = 36; z.nlines = 2; break;
    case LIMES_MRZ_TD3: case LIMES_MRZ_MRVA: z.width = 44; z.nlines = 2; break;
    default: return limes_fail(err, LIMES_INVALID, "format", "format must be TD1, TD2, TD3, "
                                                             "MRVA or MRVB");
    }
    for (int i = 0; i < z.nlines; i++)
        memset(z.line[i], '<', (size_t)z.width);
    limes_rc rc = f->format == LIMES_MRZ_TD1 ? make_td1(&z, f, err) : make_two_line(&z, f, err);
    if (rc)
        return rc;
    size_t total = (size_t)(z.width + 1) * (size_t)z.nlines;
    char *text = malloc(total);
    if (!text)
        return limes_fail(err, LIMES_NOMEM, "mrz", "out of memory");
    for (int i = 0; i < z.nlines; i++) {
        memcpy(text + i * (z.width + 1), z.line[i], (size_t)z.width);
        text[i * (z.width + 1) + z.width] = i + 1 < z.nlines ? '\n' : '\0';
    }
    *out = text;
    return LIMES_OK;
}

static const char *json_text(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static limes_mrz_format format_from_name(const char *name)
{
    static const char *const names[] = {"TD1", "TD2", "TD3", "MRVA", "MRVB"};
    for (int i = 0; name && i < 5; i++)
        if (strcmp(name, names[i]) == 0)
            return (limes_mrz_format)(LIMES_MRZ_TD1 + i);
    return LIMES_MRZ_UNKNOWN;
}

limes_rc limes_mrz_make_json(const json_t *o, char **out, limes_error *err)
{
    if (!json_is_object(o))
        return limes_fail(err, LIMES_INVALID, "", "the fields must be a JSON object");
    limes_mrz_fields f = {
        .format = format_from_name(json_text(o, "format")),
        .document_code = json_text(o, "document_code"),
        .issuing_state = json_text(o, "issuing_state"),
        .primary_identifier = json_text(o, "primary_identifier"),
        .secondary_identifier = json_text(o, "secondary_identifier"),
        .document_number = json_text(o, "document_number"),
        .nationality = json_text(o, "nationality"),
        .birth_date = json_text(o, "birth_date"),
        .sex = json_text(o, "sex"),
        .expiry_date = json_text(o, "expiry_date"),
        .optional_data = json_text(o, "optional_data"),
        .optional_data_2 = json_text(o, "optional_data_2"),
        .name_opts = {.lang = json_text(o, "lang"),
                      .split_abd = json_is_true(json_object_get(o, "split_abd"))},
    };
    if (!f.primary_identifier)
        return limes_fail(err, LIMES_INVALID, "primary_identifier",
                          "primary_identifier is required");
    return limes_mrz_make(&f, out, err);
}
