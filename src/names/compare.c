/*
 * compare.c - similarity of two name tokens, and how it was reached, for
 * the screening engine's token alignment and its explanations.
 *
 * Same script: exact, shared learnt variant group, Jaro-Winkler on the
 * text (also without a glued article: "alzaydi" ~ "zaydi"), lifted when
 * the consonant skeletons agree.  Across Arabic and Latin script: shared
 * variant group, Jaro-Winkler against the learnt Latin spellings of the
 * Arabic token, or the skeletons compared with Jaro-Winkler.  The weights
 * put exact > variant > transliteration > skeleton, so an explanation
 * says which evidence carried the match.
 */
#include <string.h>

#include "names.h"
#include "names_int.h"

#define SIM_VARIANT 0.95
#define SIM_TRANSLIT_MAX 0.93
#define SIM_SKEL_CROSS 0.90
#define SIM_INITIAL 0.80
#define TRANSLIT_SPELLINGS 6
#define SKEL_ONE_EDIT 0.93

const char *names_how_name(name_match_how how)
{
    switch (how) {
    case NM_EXACT: return "exact";
    case NM_VARIANT: return "variant";
    case NM_TRANSLIT: return "transliteration";
    case NM_SKELETON: return "skeleton";
    case NM_FUZZY: return "fuzzy";
    case NM_INITIAL: return "initial";
    case NM_MERGED: return "merged";
    case NM_NONE: break;
    }
    return "none";
}

static bool is_vowel(uint32_t c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 0x627 /* ا */;
}

bool names_share_group(const name_token *a, const name_token *b)
{
    for (int i = 0; i < a->ngroups; i++)
        for (int j = 0; j < b->ngroups; j++)
            if (a->groups[i] == b->groups[j])
                return true;
    return false;
}

static double jw(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    return names_jaro_winkler(a, na, b, nb, false);
}

double names_skeleton_jw(const char *a, const char *b)
{
    uint32_t x[NAMES_SKEL_BYTES], y[NAMES_SKEL_BYTES];
    size_t nx = 0, ny = 0;
    for (; a[nx] && nx < NAMES_SKEL_BYTES; nx++)
        x[nx] = (unsigned char)a[nx];
    for (; b[ny] && ny < NAMES_SKEL_BYTES; ny++)
        y[ny] = (unsigned char)b[ny];
    return jw(x, nx, y, ny);
}

/* Jaro-Winkler of the texts, also trying each side without its article. */
static double text_sim(const name_token *a, const name_token *b)
{
    double s = jw(a->cp, a->ncp, b->cp, b->ncp);
    if (a->art) {
        double t = jw(a->cp + a->art, a->ncp - a->art, b->cp, b->ncp);
        s = t > s ? t : s;
    }
    if (b->art) {
        double t = jw(a->cp, a->ncp, b->cp + b->art, b->ncp - b->art);
        s = t > s ? t : s;
    }
    if (a->art && b->art) {
        double t = jw(a->cp + a->art, a->ncp - a->art, b->cp + b->art, b->ncp - b->art);
        s = t > s ? t : s;
    }
    return s;
}

static bool skel_equal(const name_token *a, const name_token *b)
{
    if (!a->skel[0] || !b->skel[0])
        return false;
    if (!strcmp(a->skel, b->skel))
        return true;
    if (a->skel_na[0] && !strcmp(a->skel_na, b->skel))
        return true;
    if (b->skel_na[0] && !strcmp(a->skel, b->skel_na))
        return true;
    return a->skel_na[0] && b->skel_na[0] && !strcmp(a->skel_na, b->skel_na);
}

/* An Arabic token against a Latin one through the Arabic token's learnt spellings. */
static double translit_sim(const name_token *ar, const name_token *la)
{
    double best = 0.0;
    for (int g = 0; g < ar->ngroups; g++) {
        size_t ns = names_group_nspellings(ar->groups[g]);
        if (ns > TRANSLIT_SPELLINGS)
            ns = TRANSLIT_SPELLINGS; /* the most used spellings carry the signal */
        for (size_t k = 0; k < ns; k++) {
            size_t n;
            const uint32_t *sp = names_group_spelling(ar->groups[g], k, &n);
            double s = jw(sp, n, la->cp, la->ncp);
            if (la->art) {
                double t = jw(sp, n, la->cp + la->art, la->ncp - la->art);
                s = t > s ? t : s;
            }
            best = s > best ? s : best;
        }
    }
    return best * SIM_TRANSLIT_MAX;
}

/* The first letter of a token alone, as a token (for its skeleton readings). */
static void first_letter(const name_token *t, name_token *out)
{
    memset(out, 0, sizeof *out);
    out->cp[0] = t->cp[0];
    out->ncp = 1;
    out->script = t->script;
    if (names_has_readings(out->cp, 1, (name_script)out->script))
        out->flags = NT_READINGS;
    names_skeleton(out->cp, 1, (name_script)out->script, out->skel);
}

/* Do the first letters of an Arabic and a Latin token write one consonant? */
static bool initials_meet(const name_token *a, const name_token *b)
{
    name_token x, y;
    first_letter(a->script == NS_ARABIC ? a : b, &x);
    first_letter(a->script == NS_ARABIC ? b : a, &y);
    if (!y.skel[0])
        return false;
    char keys[NAMES_MAX_KEYS][NAMES_SKEL_BYTES];
    size_t n = names_token_readings(&x, keys, NAMES_MAX_KEYS);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(keys[i], y.skel))
            return true;
    return false;
}

static double initial_sim(const name_token *a, const name_token *b)
{
    const name_token *ini = (a->flags & NT_INITIAL) ? a : b, *full = ini == a ? b : a;
    bool cross = ini->script != full->script;
    bool meet = cross ? (ini->script | full->script) == (NS_LATIN | NS_ARABIC) &&
                            initials_meet(ini, full)
                      : ini->cp[0] == full->cp[0];
    if (full->flags & NT_INITIAL)
        return meet ? 1.0 : 0.0;
    return meet ? SIM_INITIAL : 0.0;
}

/*
 * Two Latin spellings of one Arabic letter written two ways ("Natheer",
 * "Nazir": ذ; "Usman", "Uthman": ث) share a key of names_token_keys.
 * Checked class by class on skeletons of equal length (the keys are a
 * reach device, looser than a skeleton): each place has the same class,
 * or one's class is the other's alternative, or both have one alternative.
 */
static bool latin_keys_meet(const name_token *a, const name_token *b)
{
    if (a->script != NS_LATIN || b->script != NS_LATIN)
        return false;
    char ca[NAMES_SKEL_BYTES], aa[NAMES_SKEL_BYTES], cb[NAMES_SKEL_BYTES], ab[NAMES_SKEL_BYTES];
    size_t n = names_skeleton_alts(a->cp, a->ncp, ca, aa);
    if (n != names_skeleton_alts(b->cp, b->ncp, cb, ab) || n < 3)
        return false;
    for (size_t i = 0; i < n; i++)
        if (ca[i] != cb[i] && ca[i] != ab[i] && aa[i] != cb[i] && !(aa[i] && aa[i] == ab[i]))
            return false;
    return true;
}

/*
 * Two "abd" compounds are as alike as the names after "abd": the prefix
 * that thousands of names share must not make Abd al-Razzaq and Abd
 * al-Bari alike (Jaro-Winkler counts a common start twice).
 */
static double abd_sim(const name_token *a, const name_token *b, double s)
{
    size_t pa = names_abd_prefix(a), pb = names_abd_prefix(b);
    if (!pa || !pb || a->ncp < pa + 3 || b->ncp < pb + 3)
        return s; /* "abdah" for a mistyped Abdullah: too little left to compare */
    double rest = jw(a->cp + pa, a->ncp - pa, b->cp + pb, b->ncp - pb);
    return rest < s ? rest : s;
}

static double same_script_sim(const name_token *a, const name_token *b, name_match_how *how)
{
    double s = abd_sim(a, b, text_sim(a, b));
    *how = NM_FUZZY;
    /* two tokens each known to the variant table, in no common group, are
       different names (Mohamed / Mahmoud): their skeletons prove nothing */
    bool known_apart = a->ngroups && b->ngroups;
    /* only for skeletons of 3+ classes and the same first letter (or two
       vowels): two-consonant skeletons collide too often to mean anything */
    bool same_start = a->cp[0] == b->cp[0] || (is_vowel(a->cp[0]) && is_vowel(b->cp[0]));
    if (!known_apart && same_start && strlen(a->skel) >= 3 &&
        (skel_equal(a, b) ||
         (strlen(a->skel) == strlen(b->skel) && latin_keys_meet(a, b)))) {
        /* same consonants, different vowels: lift, but keep below a variant */
        double lifted = 0.80 + 0.15 * s;
        if (lifted > s) {
            s = lifted > 0.93 ? 0.93 : lifted;
            *how = NM_SKELETON;
        }
    }
    return s;
}

/*
 * Skeletons of an Arabic and a Latin token: 1 if they share a reading
 * (names_token_readings: ث as t or s, ض as d or z, ...; "sh" as s + h),
 * else the best Jaro-Winkler between their readings.
 */
struct readings {
    uint32_t cp[NAMES_MAX_CHARS];
    uint8_t ncp, art, flags;
    size_t n;
    char keys[NAMES_MAX_KEYS][NAMES_SKEL_BYTES];
};

/* The readings of t, remembered: one query token meets many others in a row. */
static const struct readings *readings_of(struct readings *last, const name_token *t)
{
    if (last->ncp != t->ncp || last->art != t->art || last->flags != t->flags ||
        memcmp(last->cp, t->cp, t->ncp * sizeof t->cp[0])) {
        memcpy(last->cp, t->cp, t->ncp * sizeof t->cp[0]);
        last->ncp = t->ncp;
        last->art = t->art;
        last->flags = t->flags;
        last->n = names_token_readings(t, last->keys, NAMES_MAX_KEYS);
    }
    return last;
}

/*
 * Two skeletons of 4+ classes one edit apart (a consonant dropped, added,
 * changed or two swapped: آخوندزاده kndzd / Akhunzada knzd) are as close
 * as SKEL_ONE_EDIT at least; Jaro-Winkler alone ranks a dropped consonant
 * inside a short skeleton too low.  Otherwise their Jaro-Winkler.
 */
static double skeleton_near(const char *a, const char *b)
{
    double s = names_skeleton_jw(a, b);
    size_t na = strlen(a), nb = strlen(b);
    if (s >= SKEL_ONE_EDIT || na < 4 || nb < 4 || na > nb + 1 || nb > na + 1)
        return s;
    uint32_t x[NAMES_SKEL_BYTES], y[NAMES_SKEL_BYTES];
    for (size_t i = 0; i < na; i++)
        x[i] = (unsigned char)a[i];
    for (size_t i = 0; i < nb; i++)
        y[i] = (unsigned char)b[i];
    return names_damerau(x, na, y, nb) == 1 ? SKEL_ONE_EDIT : s;
}

static double cross_skel_sim(const name_token *ar, const name_token *la)
{
    static _Thread_local struct readings last_ar, last_la;
    const struct readings *ra = readings_of(&last_ar, ar);
    const struct readings *rl = (la->flags & NT_READINGS) ? readings_of(&last_la, la) : NULL;
    char kl[2][NAMES_SKEL_BYTES];
    size_t na = ra->n, nl = rl ? rl->n : names_token_readings(la, kl, 2);
    const char (*ka)[NAMES_SKEL_BYTES] = ra->keys;
    const char (*kk)[NAMES_SKEL_BYTES] = rl ? rl->keys : (const char (*)[NAMES_SKEL_BYTES])kl;
    double best = 0.0;
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nl; j++) {
            if (!strcmp(ka[i], kk[j]))
                return 1.0;
            double s = skeleton_near(ka[i], kk[j]);
            best = s > best ? s : best;
        }
    return best;
}

/*
 * Has one of the Arabic token's learnt spellings the Latin token's
 * skeleton?  Then the table knows how this skeleton is spelt, and a Latin
 * token outside its groups is another name (محمود / Mohamed).
 */
static bool spelled_alike(const name_token *ar, const name_token *la)
{
    uint32_t h = names_skel_hash(la->skel), hna = la->skel_na[0] ? names_skel_hash(la->skel_na) : h;
    for (int g = 0; g < ar->ngroups; g++) {
        size_t ns = names_group_nspellings(ar->groups[g]);
        for (size_t k = 0; k < ns && k < TRANSLIT_SPELLINGS; k++) {
            uint32_t s = names_group_spelling_skel(ar->groups[g], k);
            if (s == h || s == hna)
                return true; /* a hash collision only keeps the skeleton silent */
        }
    }
    return false;
}

static double cross_script_sim(const name_token *a, const name_token *b, name_match_how *how)
{
    const name_token *ar = a->script == NS_ARABIC ? a : b, *la = ar == a ? b : a;
    double t = translit_sim(ar, la);
    /* the skeleton speaks only when the table cannot: the Arabic token has no
       learnt spellings, or the Latin token is not itself a known spelling */
    double k = 0.0;
    bool known = ar->ngroups && la->ngroups;
    if (ar->skel[0] && la->skel[0]) {
        double s = cross_skel_sim(ar, la);
        if (!known)
            k = s == 1.0 ? SIM_SKEL_CROSS : s * SIM_SKEL_CROSS * 0.95;
        else if (s == 1.0 && !spelled_alike(ar, la))
            k = SIM_SKEL_CROSS; /* a reading the table has not seen */
    }
    if (t >= k) {
        *how = NM_TRANSLIT;
        return t;
    }
    *how = NM_SKELETON;
    return k;
}

double names_token_sim(const name_token *a, const name_token *b, name_match_how *how)
{
    name_match_how dummy;
    if (!how)
        how = &dummy;
    if (a->ncp == b->ncp && !memcmp(a->cp, b->cp, a->ncp * sizeof a->cp[0])) {
        *how = NM_EXACT;
        return 1.0;
    }
    if ((a->flags | b->flags) & NT_INITIAL) {
        double s = initial_sim(a, b);
        *how = s > 0 ? NM_INITIAL : NM_NONE;
        return s;
    }
    if (names_share_group(a, b)) {
        *how = NM_VARIANT;
        return SIM_VARIANT;
    }
    if (a->script == b->script)
        return same_script_sim(a, b, how);
    if ((a->script == NS_ARABIC && b->script == NS_LATIN) ||
        (a->script == NS_LATIN && b->script == NS_ARABIC))
        return cross_script_sim(a, b, how);
    *how = NM_NONE;
    return 0.0;
}
