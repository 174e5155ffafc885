/*
 * check.c - the ICAO 7-3-1 check digit (Doc 9303 Part 3 section 4.9) and
 * the OCR look-alike pairs used to propose corrections.  Pure functions.
 */
#include "mrz/mrz_int.h"

int mrz_char_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    if (c == '<')
        return 0;
    return -1;
}

bool mrz_weighted_sum(const char *s, size_t n, unsigned *pos, unsigned *sum)
{
    static const unsigned weights[3] = {7, 3, 1};
    for (size_t i = 0; i < n; i++) {
        int v = mrz_char_value(s[i]);
        if (v < 0)
            return false;
        *sum += (unsigned)v * weights[*pos % 3];
        (*pos)++;
    }
    return true;
}

int limes_mrz_check_digit(const char *s, size_t len)
{
    unsigned pos = 0, sum = 0;
    if (!s || !mrz_weighted_sum(s, len, &pos, &sum))
        return -1;
    return (int)('0' + sum % 10);
}

/* The pairs of Doc 9303-era OCR confusion: 0/O 1/I 2/Z 5/S 6/G 8/B (+ D, Q read for 0). */
char mrz_digit_for_letter(char c)
{
    switch (c) {
    case 'O': case 'D': case 'Q': return '0';
    case 'I': return '1';
    case 'Z': return '2';
    case 'S': return '5';
    case 'G': return '6';
    case 'B': return '8';
    default: return 0;
    }
}

char mrz_letter_for_digit(char c)
{
    switch (c) {
    case '0': return 'O';
    case '1': return 'I';
    case '2': return 'Z';
    case '5': return 'S';
    case '6': return 'G';
    case '8': return 'B';
    default: return 0;
    }
}
