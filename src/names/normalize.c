/*
 * normalize.c - from a name as written to the tokens the screening engine
 * compares.  ICU does the Unicode work (validation, NFKC with case folding,
 * canonical decomposition so that accents and harakat become separable
 * marks, script of each letter); the data tables of data/names/ do the
 * name-specific folding, and the particle and title rules run on the
 * tokens.  See names.h for the pipeline and its guarantees.
 */
#include <stdio.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include "names.h"
#include "names_int.h"

#define UBUF (NAMES_MAX_INPUT * 4)

/* Trim a UTF-8 string to at most max bytes without splitting a character. */
static size_t utf8_trim(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* UTF-8 -> UTF-16 -> NFKC_Casefold -> NFD; returns length in out, -1 invalid UTF-8. */
static int32_t icu_prepare(const char *s, size_t len, UChar *out, int32_t cap)
{
    static _Thread_local UChar a[UBUF];
    UErrorCode st = U_ZERO_ERROR;
    int32_t n = 0;
    u_strFromUTF8(a, UBUF, &n, s, (int32_t)len, &st);
    if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING)
        return st == U_INVALID_CHAR_FOUND || st == U_ILLEGAL_CHAR_FOUND ? -1 : (n > UBUF ? -2 : n);
    static _Thread_local UChar b[UBUF];
    st = U_ZERO_ERROR;
    const UNormalizer2 *cf = unorm2_getNFKCCasefoldInstance(&st);
    if (U_FAILURE(st))
        return -2;
    int32_t nb = unorm2_normalize(cf, a, n, b, UBUF, &st);
    if (U_FAILURE(st))
        return -2;
    st = U_ZERO_ERROR;
    const UNormalizer2 *nfd = unorm2_getNFDInstance(&st);
    if (U_FAILURE(st))
        return -2;
    int32_t no = unorm2_normalize(nfd, b, nb, out, cap, &st);
    return U_FAILURE(st) ? -2 : no;
}

static name_script script_of(uint32_t c)
{
    UErrorCode st = U_ZERO_ERROR;
    UScriptCode sc = uscript_getScript((UChar32)c, &st);
    if (U_FAILURE(st))
        return NS_OTHER;
    switch (sc) {
    case USCRIPT_LATIN: return NS_LATIN;
    case USCRIPT_ARABIC: return NS_ARABIC;
    case USCRIPT_COMMON:
    case USCRIPT_INHERITED: return NS_NONE;
    default: return NS_OTHER;
    }
}

static bool is_dropped_mark(uint32_t c)
{
    int8_t t = u_charType((UChar32)c);
    return t == U_NON_SPACING_MARK || t == U_ENCLOSING_MARK || t == U_COMBINING_SPACING_MARK ||
           t == U_FORMAT_CHAR;
}

/* Append code point c to the raw token list, starting a token if needed. */
static void raw_add(struct raw_tokens *rt, uint32_t c, name_script sc, bool *in_token)
{
    if (*in_token) {
        struct raw_token *t = &rt->tok[rt->n - 1];
        bool clash = sc != NS_NONE && t->script != NS_NONE && sc != t->script;
        if (!clash) {
            if (t->script == NS_NONE)
                t->script = (uint8_t)sc;
            if (t->ncp < NAMES_MAX_CHARS)
                t->cp[t->ncp++] = c;
            else
                rt->truncated = true;
            return;
        }
    }
    if (rt->n >= RAW_MAX_TOKENS) {
        rt->truncated = true;
        *in_token = false;
        return;
    }
    struct raw_token *t = &rt->tok[rt->n++];
    t->ncp = 0;
    t->script = (uint8_t)sc;
    t->cp[t->ncp++] = c;
    *in_token = true;
}

/*
 * Fast path for plain ASCII (most list entries and many queries): NFKC,
 * case folding and decomposition are then the identity or tolower, so ICU
 * is skipped.  Returns false (doing nothing) if the input is not ASCII.
 */
static bool ascii_tokens(const char *s, size_t len, struct raw_tokens *rt)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] >= 0x80 || s[i] == '\0')
            return false;
    bool in_token = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            raw_add(rt, c, c >= 'a' ? NS_LATIN : NS_NONE, &in_token);
        else if (c != '\'' && c != '`')
            in_token = false; /* apostrophes vanish inside a token (latin_fold.tsv) */
    }
    return true;
}

limes_rc names_raw_tokens(const char *s, size_t len, unsigned flags, struct raw_tokens *rt,
                          limes_error *err)
{
    rt->n = 0;
    rt->truncated = false;
    if (!s)
        return limes_fail(err, LIMES_INVALID, "name", "name is missing");
    if (len > NAMES_MAX_INPUT) {
        if (flags & NAMES_STRICT)
            return limes_fail(err, LIMES_TOO_LARGE, "name",
                              "name is %zu bytes long; at most %d are accepted", len,
                              NAMES_MAX_INPUT);
        len = utf8_trim(s, len, NAMES_MAX_INPUT);
        rt->truncated = true;
    }
    if (ascii_tokens(s, len, rt))
        return LIMES_OK;
    static _Thread_local UChar u[UBUF];
    int32_t n = icu_prepare(s, len, u, UBUF);
    if (n == -1)
        return limes_fail(err, LIMES_INVALID, "name", "name is not valid UTF-8");
    if (n < 0)
        return limes_fail(err, LIMES_INVALID, "name", "name cannot be normalised");
    bool in_token = false;
    for (int32_t i = 0; i < n;) {
        UChar32 c;
        U16_NEXT(u, i, n, c);
        if (is_dropped_mark((uint32_t)c))
            continue;
        uint32_t rep[3];
        int nrep = names_fold((uint32_t)c, rep);
        if (nrep < 0) {
            rep[0] = (uint32_t)c;
            nrep = 1;
        }
        for (int k = 0; k < nrep; k++) {
            if (u_isalnum((UChar32)rep[k]))
                raw_add(rt, rep[k], script_of(rep[k]), &in_token);
            else
                in_token = false;
        }
    }
    return LIMES_OK;
}

static size_t cp_to_utf8(const uint32_t *cp, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = cp[i];
        char tmp[4];
        size_t k;
        if (c < 0x80) {
            tmp[0] = (char)c;
            k = 1;
        } else if (c < 0x800) {
            tmp[0] = (char)(0xC0 | (c >> 6));
            tmp[1] = (char)(0x80 | (c & 0x3F));
            k = 2;
        } else if (c < 0x10000) {
            tmp[0] = (char)(0xE0 | (c >> 12));
            tmp[1] = (char)(0x80 | ((c >> 6) & 0x3F));
            tmp[2] = (char)(0x80 | (c & 0x3F));
            k = 3;
        } else {
            tmp[0] = (char)(0xF0 | (c >> 18));
            tmp[1] = (char)(0x80 | ((c >> 12) & 0x3F));
            tmp[2] = (char)(0x80 | ((c >> 6) & 0x3F));
            tmp[3] = (char)(0x80 | (c & 0x3F));
            k = 4;
        }
        if (o + k >= cap)
            break;
        memcpy(out + o, tmp, k);
        o += k;
    }
    out[o] = '\0';
    return o;
}

void names_raw_text(const struct raw_token *t, char *out, size_t cap)
{
    cp_to_utf8(t->cp, t->ncp, out, cap);
}

static const uint32_t ABD_AR[] = {0x639, 0x628, 0x62F};  /* عبد */
static const uint32_t ART_AR[] = {0x627, 0x644};         /* ال */

static bool is_vowel(uint32_t c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

static void cut_front(name_token *t, size_t from, size_t count)
{
    memmove(t->cp + from, t->cp + from + count, (t->ncp - from - count) * sizeof t->cp[0]);
    t->ncp = (uint8_t)(t->ncp - count);
}

/*
 * "abd" + linking article + name: "abdulrahman", "abderrahmane",
 * "abdurrahman", "abd al rahman" (glued) and "عبد الرحمن" all become
 * "abd"/"عبد" + "rahman"/"رحمن", so that the variants meet exactly.
 */
static void canonical_abd(name_token *t)
{
    if (t->script == NS_ARABIC) {
        if (t->ncp >= 6 && memcmp(t->cp, ABD_AR, sizeof ABD_AR) == 0 &&
            memcmp(t->cp + 3, ART_AR, sizeof ART_AR) == 0)
            cut_front(t, 3, 2);
        return;
    }
    if (t->script != NS_LATIN || t->ncp < 6 || t->cp[0] != 'a' || t->cp[1] != 'b' ||
        t->cp[2] != 'd')
        return;
    const uint32_t *r = t->cp + 3;
    size_t rest = t->ncp - 3;
    if (!is_vowel(r[0]))
        return;
    if (r[1] == 'l' && rest >= 4)
        cut_front(t, 3, 2);               /* abd-ul-, abd-el-, abd-al- */
    else if (rest >= 4 && !is_vowel(r[1]) && r[1] == r[2])
        cut_front(t, 3, 2);               /* abd-ur-rahman, abd-es-salam */
    else if (rest >= 4 && !is_vowel(r[1]) && r[1] != 'l')
        cut_front(t, 3, 1);               /* abdu-rahman, abdi-rahman */
}

/*
 * Leading particle glued to a token, which comparisons may ignore:
 * "al"/"el" + 3 letters ("alzaydi"), "ben"/"bin" + 3 ("benali"),
 * "ال" + 2 letters, or "بن" + 3.
 */
static uint8_t article_len(const name_token *t)
{
    if (t->script == NS_ARABIC) {
        if (t->ncp >= 4 && t->cp[0] == ART_AR[0] && t->cp[1] == ART_AR[1])
            return 2;
        /* "بنحسين": bin glued to the name, as Latin "benali" */
        return t->ncp >= 5 && t->cp[0] == 0x628 && t->cp[1] == 0x646 ? 2 : 0;
    }
    if (t->script != NS_LATIN)
        return 0;
    if (t->ncp >= 5 && (t->cp[0] == 'a' || t->cp[0] == 'e') && t->cp[1] == 'l' &&
        !is_vowel(t->cp[2]))
        return 2;
    if (t->ncp >= 6 && t->cp[0] == 'b' && (t->cp[1] == 'e' || t->cp[1] == 'i') && t->cp[2] == 'n')
        return 3;
    return 0;
}

/*
 * Skeleton of a token; an "abd" compound is keyed as "abd" + the name, so
 * that the join does not create letter groups ("abd" + "hakim" must not
 * read as "a-b-dh-akim").
 */
static void token_skeleton(const uint32_t *cp, size_t n, const name_token *t, char *out)
{
    if (!names_abd_prefix(t) || n != t->ncp) {
        names_skeleton(cp, n, (name_script)t->script, out);
        return;
    }
    char rest[NAMES_SKEL_BYTES];
    names_skeleton(cp, 3, (name_script)t->script, out);
    names_skeleton(cp + 3, n - 3, (name_script)t->script, rest);
    size_t o = strlen(out), r = 0;
    if (o && rest[0] == out[o - 1])
        r = 1; /* a repeated class is written once */
    snprintf(out + o, NAMES_SKEL_BYTES - o, "%s", rest + r);
}

static void add_groups(name_token *t, const char *text, size_t len)
{
    const uint32_t *ids;
    size_t ng = names_groups(text, len, &ids);
    for (size_t i = 0; i < ng && t->ngroups < NAMES_MAX_GROUPS; i++) {
        bool dup = false;
        for (int k = 0; k < t->ngroups; k++)
            dup |= t->groups[k] == ids[i];
        if (!dup)
            t->groups[t->ngroups++] = ids[i];
    }
}

void names_finish_token(name_token *t)
{
    size_t len = cp_to_utf8(t->cp, t->ncp, t->text, sizeof t->text);
    token_skeleton(t->cp, t->ncp, t, t->skel);
    t->art = article_len(t);
    if (t->art)
        names_skeleton(t->cp + t->art, t->ncp - t->art, (name_script)t->script, t->skel_na);
    else
        t->skel_na[0] = '\0';
    if ((t->script == NS_LATIN || t->script == NS_ARABIC) && t->ncp == 1)
        t->flags |= NT_INITIAL; /* "J.", "س." */
    t->flags &= (uint8_t)~NT_READINGS;
    if (names_has_readings(t->cp, t->ncp, (name_script)t->script))
        t->flags |= NT_READINGS;
    t->ngroups = 0;
    add_groups(t, t->text, len);
    if (t->art) { /* "المجيد" also belongs with "مجيد" */
        char bare[NAMES_TEXT_BYTES];
        size_t blen = cp_to_utf8(t->cp + t->art, t->ncp - t->art, bare, sizeof bare);
        add_groups(t, bare, blen);
    }
}

static void token_from_raw(name_token *t, const struct raw_token *r)
{
    memset(t, 0, offsetof(name_token, cp));
    memcpy(t->cp, r->cp, r->ncp * sizeof r->cp[0]);
    t->ncp = r->ncp;
    t->script = r->script;
    t->flags = 0;
}

/* Glue token b onto a (same script; the result is truncated to the limit). */
static void glue(name_token *a, const struct raw_token *b)
{
    size_t room = NAMES_MAX_CHARS - a->ncp, k = b->ncp < room ? b->ncp : room;
    memcpy(a->cp + a->ncp, b->cp, k * sizeof b->cp[0]);
    a->ncp = (uint8_t)(a->ncp + k);
    a->flags |= NT_GLUED;
}

bool names_join_tokens(const name_token *a, const name_token *b, name_token *out)
{
    if (a->script != b->script || a->script == NS_NONE ||
        (a->flags | b->flags) & NT_INITIAL || a->ncp + b->ncp > NAMES_MAX_CHARS)
        return false;
    memset(out, 0, offsetof(name_token, cp));
    memcpy(out->cp, a->cp, a->ncp * sizeof a->cp[0]);
    memcpy(out->cp + a->ncp, b->cp, b->ncp * sizeof b->cp[0]);
    out->ncp = (uint8_t)(a->ncp + b->ncp);
    out->script = a->script;
    out->flags = NT_GLUED;
    canonical_abd(out);
    names_finish_token(out);
    return true;
}

/* Arabic letters the article's lam assimilates to (الدين: ud-din, الرحمن: ur-rahman). */
static bool sun_letter(uint32_t c)
{
    static const uint32_t sun[] = {0x62A, 0x62B, 0x62F, 0x630, 0x631, 0x632, 0x633,
                                   0x634, 0x635, 0x636, 0x637, 0x638, 0x644, 0x646};
    for (size_t i = 0; i < sizeof sun / sizeof sun[0]; i++)
        if (sun[i] == c)
            return true;
    return false;
}

/*
 * An Arabic compound's second half as the Latin spellings write it joined:
 * the article's alef goes, its lam stays before a moon letter ("الحق" ->
 * "لحق": Ziaulhaq) and assimilates before a sun letter ("الدين" -> "دين":
 * Jalaluddin; "الله" -> "له": Habibullah).
 */
static void suffix_form(struct raw_token *s)
{
    if (s->script != NS_ARABIC || s->ncp <= 3 || s->cp[0] != ART_AR[0] || s->cp[1] != ART_AR[1])
        return;
    size_t cut = sun_letter(s->cp[2]) ? 2 : 1;
    memmove(s->cp, s->cp + cut, (s->ncp - cut) * sizeof s->cp[0]);
    s->ncp = (uint8_t)(s->ncp - cut);
}

static bool can_extend(const name_token *prev, const struct raw_token *r, size_t more)
{
    return prev->script == r->script && prev->ncp + r->ncp + more <= NAMES_MAX_CHARS &&
           !(prev->flags & NT_INITIAL);
}

/* A Latin token ending in a compound's linking syllable: "matiur", "ziaul", "salahud". */
static bool ends_with_link(const name_token *t)
{
    if (t->script != NS_LATIN || t->ncp < 4 || t->cp[t->ncp - 2] != 'u')
        return false;
    uint32_t c = t->cp[t->ncp - 1];
    return c == 'r' || c == 'l' || c == 'd' || c == 's' || c == 'z' || c == 't';
}

/*
 * The second half of a compound joins the token before it: "jalal" +
 * "الدين"/"uddin" (suffix), "shams" + "ur" + "rahman" (a link, then a
 * second half), "matiur" + "rahman".  Returns the raw tokens consumed
 * (0: not a compound here).
 */
static size_t join_compound(const struct raw_tokens *rt, const enum names_particle *rule, size_t i,
                            name_parts *out)
{
    if (out->n == 0)
        return 0;
    name_token *prev = &out->tok[out->n - 1];
    const struct raw_token *r = &rt->tok[i];
    if ((rule[i] == NP_LINK || rule[i] == NP_ARTICLE) && i + 1 < rt->n &&
        rule[i + 1] == NP_SECOND && r->script == NS_LATIN &&
        can_extend(prev, r, rt->tok[i + 1].ncp) && rt->tok[i + 1].script == r->script) {
        glue(prev, r);
        glue(prev, &rt->tok[i + 1]);
        names_finish_token(prev);
        return 2;
    }
    bool second = rule[i] == NP_SECOND && ends_with_link(prev);
    if ((rule[i] == NP_SUFFIX || second) && can_extend(prev, r, 0)) {
        struct raw_token suffix = *r;
        suffix_form(&suffix);
        glue(prev, &suffix);
        names_finish_token(prev);
        return 1;
    }
    return 0;
}

limes_rc names_apply_rules(const struct raw_tokens *rt, name_parts *out, limes_error *err)
{
    char texts[RAW_MAX_TOKENS][NAMES_TEXT_BYTES];
    const char *words[RAW_MAX_TOKENS];
    enum names_particle rule[RAW_MAX_TOKENS];
    for (size_t i = 0; i < rt->n; i++) {
        names_raw_text(&rt->tok[i], texts[i], sizeof texts[i]);
        words[i] = texts[i];
        rule[i] = names_particle(texts[i]);
    }
    size_t i = 0;
    size_t tl;
    int lone_particles = 0;
    while (i < rt->n && (tl = names_title_len(words + i, rt->n - i)) > 0) {
        i += tl;
        out->dropped += (int)tl;
    }
    for (; i < rt->n; i++) {
        size_t joined = join_compound(rt, rule, i, out);
        if (joined) {
            i += joined - 1;
            continue;
        }
        if (rule[i] == NP_ARTICLE || rule[i] == NP_DROP) {
            out->dropped++;
            continue;
        }
        if (out->n >= NAMES_MAX_TOKENS) {
            out->truncated = true;
            break;
        }
        name_token *t = &out->tok[out->n];
        token_from_raw(t, &rt->tok[i]);
        if (rule[i] == NP_GLUE) {
            size_t j = i + 1;
            while (j < rt->n && rule[j] == NP_ARTICLE)
                j++;
            if (j < rt->n && rt->tok[j].script == rt->tok[i].script && rule[j] != NP_DROP) {
                out->dropped += (int)(j - i - 1);
                glue(t, &rt->tok[j]);
                i = j;
            } else {
                lone_particles++; /* "abu" with nothing to join */
            }
        }
        canonical_abd(t);
        names_finish_token(t);
        out->scripts |= 1u << t->script;
        out->n++;
    }
    if (out->n == 0 || out->n == lone_particles)
        return limes_fail(err, LIMES_INVALID, "name",
                          out->dropped || lone_particles ? "name consists only of titles or particles"
                                                         : "name has no letters or digits");
    return LIMES_OK;
}

/*
 * "محمدعبد البصير": a name and the particle عبد written without a space,
 * the particle's name following; split so that the particle glues to it
 * as usual.
 */
static void split_glued_abd(struct raw_tokens *rt)
{
    for (size_t i = 0; i + 1 < rt->n && rt->n < RAW_MAX_TOKENS; i++) {
        struct raw_token *t = &rt->tok[i];
        if (t->script != NS_ARABIC || t->ncp < 5 ||
            memcmp(t->cp + t->ncp - 3, ABD_AR, sizeof ABD_AR) != 0)
            continue;
        memmove(&rt->tok[i + 2], &rt->tok[i + 1], (rt->n - i - 1) * sizeof rt->tok[0]);
        rt->n++;
        struct raw_token *abd = &rt->tok[i + 1];
        abd->script = NS_ARABIC;
        abd->ncp = 3;
        memcpy(abd->cp, ABD_AR, sizeof ABD_AR);
        t->ncp = (uint8_t)(t->ncp - 3);
        i++;
    }
}

limes_rc names_normalize_raw(const char *s, size_t len, unsigned flags, name_parts *out,
                             limes_error *err)
{
    static _Thread_local struct raw_tokens rt;
    out->n = 0;
    out->dropped = 0;
    out->scripts = 0;
    out->truncated = false;
    /* "SURNAME, Given" -> "Given SURNAME" (one comma only, as watchman does);
       order does not matter to matching, but particles must precede their name */
    static _Thread_local char swapped[NAMES_MAX_INPUT + 2];
    const char *comma = s && len <= NAMES_MAX_INPUT ? memchr(s, ',', len) : NULL;
    if (comma && !memchr(comma + 1, ',', len - (size_t)(comma - s) - 1)) {
        size_t head = (size_t)(comma - s), tail = len - head - 1;
        memcpy(swapped, comma + 1, tail);
        swapped[tail] = ' ';
        memcpy(swapped + tail + 1, s, head);
        s = swapped;
        len = head + tail + 1;
    }
    limes_rc rc = names_raw_tokens(s, len, flags, &rt, err);
    if (rc)
        return rc;
    split_glued_abd(&rt);
    out->truncated = rt.truncated;
    return names_apply_rules(&rt, out, err);
}

limes_rc names_normalize(const char *s, size_t len, unsigned flags, name_parts *out,
                         limes_error *err)
{
    limes_rc rc = names_init(err);
    if (rc)
        return rc;
    return names_normalize_raw(s, len, flags, out, err);
}
