/*
 * keys.c - the cross-script consonant skeleton of a token.  Unvocalised
 * Arabic writes consonants and long vowels; Latin spellings of the same
 * name differ mostly in vowels and in how they render a consonant ("kh",
 * "q", "g").  Mapping both onto the reduced alphabet of
 * data/names/skeleton.tsv and dropping vowels, non-initial w/y, a final h
 * and repeats makes "Mohammed", "Muhammad" and "محمد" all "mhmd".
 * The skeleton is an index key and one of the similarity signals; it is
 * never the only evidence of a hit.
 */
#include <string.h>

#include "names.h"

static void put_class(char *out, size_t *o, int cls, bool initial)
{
    if (cls <= 0)
        return;
    if ((cls == 'w' || cls == 'y') && !initial)
        return;
    if (*o > 0 && out[*o - 1] == (char)cls)
        return;
    if (*o + 1 < NAMES_SKEL_BYTES)
        out[(*o)++] = (char)cls;
}

static void finish(char *out, size_t o)
{
    if (o > 1 && out[o - 1] == 'h')
        o--;
    out[o] = '\0';
}

void names_skeleton(const uint32_t *cp, size_t n, name_script script, char *out)
{
    size_t o = 0;
    if (script == NS_ARABIC) {
        for (size_t i = 0; i < n; i++) {
            int cls = cp[i] >= '0' && cp[i] <= '9' ? (int)cp[i] : names_skel_arabic(cp[i]);
            put_class(out, &o, cls, i == 0);
        }
    } else if (script == NS_LATIN) {
        char ascii[NAMES_MAX_CHARS + 1];
        size_t na = 0;
        for (size_t i = 0; i < n; i++)
            if (cp[i] < 0x80)
                ascii[na++] = (char)cp[i];
        for (size_t i = 0; i < na;) {
            size_t used;
            int cls = ascii[i] >= '0' && ascii[i] <= '9' ? ascii[i]
                                                         : names_skel_latin(ascii + i, na - i, &used);
            if (ascii[i] >= '0' && ascii[i] <= '9')
                used = 1;
            put_class(out, &o, cls, i == 0);
            i += used;
        }
    }
    finish(out, o);
}
