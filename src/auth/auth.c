/*
 * auth.c - users, passwords, sessions and API tokens; see limes/auth.h.
 *
 * Why this shape: a border post has few users but every request must be
 * attributable to one of them, so each request resolves to a principal
 * (user, role) before any route runs.  Secrets never reach the database in
 * the clear: passwords are Argon2id strings, session ids and tokens are
 * SHA-256 hashes of random values.
 *
 * API tokens verified in the last TOKEN_MEMO_MS are remembered in memory
 * (the booths' scanners send one with every check: the read transaction
 * per request was ~3% of a check's CPU, bench/checks).  A revocation, a
 * disabled user or a role change made through this process forgets every
 * remembered token at once; one made by another process (the CLI on the
 * same database) takes effect within TOKEN_MEMO_MS.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/date.h"
#include "core/rand.h"
#include "limes/auth.h"
#include "store/store.h"

#define LOCK_AFTER_FAILURES 5
#define ADDRESS_WINDOW_MS (5 * 60 * 1000)
#define ADDRESS_MAX_FAILURES 20

static int64_t session_absolute_ms = 12LL * 3600 * 1000; /* one long shift */
static int64_t session_idle_ms = 30LL * 60 * 1000;

void limes_auth_set_session_lifetime(int64_t absolute_ms, int64_t idle_ms)
{
    session_absolute_ms = absolute_ms;
    session_idle_ms = idle_ms;
}

#define TOKEN_MEMO 64
#define TOKEN_MEMO_MS 2000

struct token_memo {
    const limes_store *store;
    char hash[65];
    limes_principal who;
    int64_t until_ms;
    uint64_t generation; /* valid only while equal to token_generation */
};

static pthread_mutex_t token_lock = PTHREAD_MUTEX_INITIALIZER;
static struct token_memo token_memo[TOKEN_MEMO];
static uint64_t token_generation = 1;

/* Forget every remembered token (a token, user or role changed). */
static void tokens_forget(void)
{
    pthread_mutex_lock(&token_lock);
    token_generation++;
    pthread_mutex_unlock(&token_lock);
}

static struct token_memo *memo_slot(const limes_store *s, const char *hash)
{
    return &token_memo[(((unsigned)hash[0] << 8 | (unsigned)hash[1]) ^ (uintptr_t)s >> 4) %
                       TOKEN_MEMO];
}

static bool token_recall(const limes_store *s, const char *hash, int64_t now,
                         limes_principal *who, uint64_t *generation)
{
    pthread_mutex_lock(&token_lock);
    struct token_memo *m = memo_slot(s, hash);
    bool hit = m->generation == token_generation && m->store == s && now < m->until_ms &&
               strcmp(m->hash, hash) == 0;
    if (hit)
        *who = m->who;
    *generation = token_generation;
    pthread_mutex_unlock(&token_lock);
    return hit;
}

/* Remember a token verified in the store, unless something was forgotten
 * since the read began (generation). */
static void token_remember(const limes_store *s, const char *hash, int64_t now,
                           const limes_principal *who, uint64_t generation)
{
    pthread_mutex_lock(&token_lock);
    if (generation == token_generation) {
        struct token_memo *m = memo_slot(s, hash);
        *m = (struct token_memo){.store = s, .who = *who, .until_ms = now + TOKEN_MEMO_MS,
                                 .generation = generation};
        memcpy(m->hash, hash, 65);
    }
    pthread_mutex_unlock(&token_lock);
}

static const struct {
    limes_role role;
    const char *name;
} role_names[] = {
    {LIMES_ROLE_OFFICER, "officer"},       {LIMES_ROLE_SECOND_LINE, "second_line"},
    {LIMES_ROLE_SUPERVISOR, "supervisor"}, {LIMES_ROLE_ANALYST, "analyst"},
    {LIMES_ROLE_LIAISON, "liaison"},       {LIMES_ROLE_ADMIN, "admin"},
};

const char *limes_role_name(limes_role role)
{
    for (size_t i = 0; i < sizeof role_names / sizeof role_names[0]; i++)
        if (role_names[i].role == role)
            return role_names[i].name;
    return "";
}

bool limes_role_parse(const char *name, limes_role *out)
{
    for (size_t i = 0; name && i < sizeof role_names / sizeof role_names[0]; i++) {
        if (strcmp(role_names[i].name, name) == 0) {
            *out = role_names[i].role;
            return true;
        }
    }
    return false;
}

void limes_generate_password(char out[21])
{
    static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    for (int i = 0; i < 20; i++)
        out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    out[20] = '\0';
}

/* ---- validation ---------------------------------------------------------- */

static limes_rc check_username(const char *u, limes_error *err)
{
    size_t n = u ? strlen(u) : 0;
    if (n < 2 || n > 63)
        return limes_fail(err, LIMES_INVALID, "username",
                          "username must have 2 to 63 characters");
    for (size_t i = 0; i < n; i++) {
        char c = u[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                  c == '-';
        if (!ok)
            return limes_fail(err, LIMES_INVALID, "username",
                              "username may use only a-z, 0-9, '.', '_' and '-'");
    }
    return LIMES_OK;
}

static limes_rc check_password(const char *p, limes_error *err)
{
    size_t n = p ? strlen(p) : 0;
    if (n < LIMES_PASSWORD_MIN)
        return limes_fail(err, LIMES_INVALID, "password",
                          "password must have at least %d characters", LIMES_PASSWORD_MIN);
    if (n > 1024)
        return limes_fail(err, LIMES_INVALID, "password", "password is longer than 1024 bytes");
    return LIMES_OK;
}

static limes_rc hash_password(const char *password, char out[crypto_pwhash_STRBYTES],
                              limes_error *err)
{
    if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return limes_fail(err, LIMES_NOMEM, "password", "cannot hash password (out of memory)");
    return LIMES_OK;
}

/* Run one write statement in its own transaction; NOT_FOUND if no row changed. */
static limes_rc write_one(limes_store *s, const char *sql, const store_val *p, int n,
                          const char *what, limes_error *err)
{
    store_tx *tx;
    limes_rc rc = store_begin(s, true, &tx, err);
    if (rc)
        return rc;
    int64_t changed = 0;
    rc = store_exec_changes(tx, sql, p, n, &changed, err);
    if (!rc && changed == 0)
        rc = limes_fail(err, LIMES_NOT_FOUND, "username", "no such %s", what);
    if (rc) {
        store_rollback(tx);
        return rc;
    }
    return store_commit(tx, err);
}

/* ---- users --------------------------------------------------------------- */

limes_rc limes_user_add(limes_store *s, const char *username, const char *display_name,
                        limes_role role, const char *password, int64_t *id_out,
                        limes_error *err)
{
    limes_rc rc = check_username(username, err);
    if (!rc)
        rc = check_password(password, err);
    if (rc)
        return rc;
    if (!*limes_role_name(role))
        return limes_fail(err, LIMES_INVALID, "role", "unknown role");
    if (display_name && strlen(display_name) > 200)
        return limes_fail(err, LIMES_INVALID, "display_name", "display name is too long");
    char hash[crypto_pwhash_STRBYTES];
    rc = hash_password(password, hash, err);
    if (rc)
        return rc;
    int64_t now = time_now_ms();
    store_val p[] = {sv_text(username), sv_text(display_name ? display_name : ""),
                     sv_text(limes_role_name(role)), sv_text(hash), sv_int(now)};
    store_tx *tx;
    rc = store_begin(s, true, &tx, err);
    if (rc)
        return rc;
    int64_t id = 0;
    rc = store_insert_id(tx,
                         "INSERT INTO users (username, display_name, role, password_hash,"
                         " created_ms, updated_ms) VALUES ($1, $2, $3, $4, $5, $5)",
                         p, 5, &id, err);
    if (rc == LIMES_EXISTS)
        rc = limes_fail(err, LIMES_EXISTS, "username", "user '%s' already exists", username);
    if (rc) {
        store_rollback(tx);
        return rc;
    }
    rc = store_commit(tx, err);
    if (!rc && id_out)
        *id_out = id;
    return rc;
}

limes_rc limes_user_set_password(limes_store *s, const char *username, const char *password,
                                 limes_error *err)
{
    limes_rc rc = check_password(password, err);
    if (rc)
        return rc;
    char hash[crypto_pwhash_STRBYTES];
    rc = hash_password(password, hash, err);
    if (rc)
        return rc;
    store_val p[] = {sv_text(hash), sv_int(time_now_ms()), sv_text(username)};
    return write_one(s,
                     "UPDATE users SET password_hash = $1, updated_ms = $2, failed_logins = 0,"
                     " locked_until_ms = 0 WHERE username = $3",
                     p, 3, "user", err);
}

limes_rc limes_user_set_disabled(limes_store *s, const char *username, bool disabled,
                                 limes_error *err)
{
    store_tx *tx;
    limes_rc rc = store_begin(s, true, &tx, err);
    if (rc)
        return rc;
    store_val p[] = {sv_int(disabled), sv_int(time_now_ms()), sv_text(username)};
    int64_t changed = 0;
    rc = store_exec_changes(tx, "UPDATE users SET disabled = $1, updated_ms = $2 WHERE username = $3",
                            p, 3, &changed, err);
    if (!rc && changed == 0)
        rc = limes_fail(err, LIMES_NOT_FOUND, "username", "no such user '%s'", username);
    store_val u[] = {sv_text(username)};
    if (!rc && disabled)
        rc = store_exec(tx, "DELETE FROM sessions WHERE user_id IN"
                            " (SELECT id FROM users WHERE username = $1)", u, 1, err);
    if (rc) {
        store_rollback(tx);
        return rc;
    }
    rc = store_commit(tx, err);
    tokens_forget();
    return rc;
}

limes_rc limes_user_set_role(limes_store *s, const char *username, limes_role role,
                             limes_error *err)
{
    if (!*limes_role_name(role))
        return limes_fail(err, LIMES_INVALID, "role", "unknown role");
    store_val p[] = {sv_text(limes_role_name(role)), sv_int(time_now_ms()), sv_text(username)};
    limes_rc rc = write_one(s, "UPDATE users SET role = $1, updated_ms = $2 WHERE username = $3",
                            p, 3, "user", err);
    tokens_forget();
    return rc;
}

static void booleanise(json_t *rows, const char *key)
{
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        json_t *v = json_object_get(row, key);
        if (v)
            json_object_set_new(row, key, json_boolean(json_integer_value(v) != 0));
    }
}

limes_rc limes_user_list(limes_store *s, json_t **out, limes_error *err)
{
    limes_rc rc = store_read_json(s,
                            "SELECT id, username, display_name, role, disabled FROM users"
                            " ORDER BY username",
                            NULL, 0, out, err);
    if (!rc)
        booleanise(*out, "disabled");
    return rc;
}

limes_rc limes_user_get(limes_store *s, int64_t id, json_t **out, limes_error *err)
{
    store_val p[] = {sv_int(id)};
    json_t *rows;
    limes_rc rc = store_read_json(s,
                            "SELECT id, username, display_name, role, disabled FROM users"
                            " WHERE id = $1",
                            p, 1, &rows, err);
    if (rc)
        return rc;
    booleanise(rows, "disabled");
    if (json_array_size(rows) == 0) {
        json_decref(rows);
        return limes_fail(err, LIMES_NOT_FOUND, "id", "no user with id %lld", (long long)id);
    }
    *out = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    return LIMES_OK;
}

/* ---- per-address failure limiter (in memory, per process) ---------------- */

#define ADDR_SLOTS 512
static struct {
    char addr[64];
    int64_t window_start;
    int failures;
} addr_slots[ADDR_SLOTS];
static pthread_mutex_t addr_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned addr_slot(const char *addr)
{
    unsigned h = 2166136261u;
    for (const char *p = addr; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return h % ADDR_SLOTS;
}

/* Returns true if this address may try again; counts a failure if fail. */
static bool address_allowed(const char *addr, bool fail)
{
    if (!addr || !*addr)
        return true;
    int64_t now = time_now_ms();
    pthread_mutex_lock(&addr_lock);
    unsigned i = addr_slot(addr);
    if (strcmp(addr_slots[i].addr, addr) != 0 ||
        now - addr_slots[i].window_start > ADDRESS_WINDOW_MS) {
        snprintf(addr_slots[i].addr, sizeof addr_slots[i].addr, "%s", addr);
        addr_slots[i].window_start = now;
        addr_slots[i].failures = 0;
    }
    if (fail)
        addr_slots[i].failures++;
    bool ok = addr_slots[i].failures < ADDRESS_MAX_FAILURES;
    pthread_mutex_unlock(&addr_lock);
    return ok;
}

static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy_hash(void)
{
    if (crypto_pwhash_str(dummy_hash, "limes-dummy-password", 20,
                          crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE))
        dummy_hash[0] = '\0';
}

/* ---- sessions ------------------------------------------------------------ */

struct login_row {
    int64_t id;
    char role[32];
    char hash[crypto_pwhash_STRBYTES];
    bool disabled;
    int failed;
    int64_t locked_until;
};

static limes_rc load_login(store_tx *tx, const char *username, struct login_row *row,
                           limes_error *err)
{
    store_val p[] = {sv_text(username)};
    store_rows *r;
    limes_rc rc = store_query(tx,
                              "SELECT id, role, password_hash, disabled, failed_logins,"
                              " locked_until_ms FROM users WHERE username = $1",
                              p, 1, &r, err);
    if (rc)
        return rc;
    int have = store_rows_next(r, err);
    if (have == 1) {
        row->id = store_col_int(r, 0);
        snprintf(row->role, sizeof row->role, "%s", store_col_text(r, 1));
        snprintf(row->hash, sizeof row->hash, "%s", store_col_text(r, 2));
        row->disabled = store_col_int(r, 3) != 0;
        row->failed = (int)store_col_int(r, 4);
        row->locked_until = store_col_int(r, 5);
    }
    store_rows_close(r);
    if (have < 0)
        return LIMES_STORE;
    return have == 1 ? LIMES_OK : LIMES_NOT_FOUND;
}

static int64_t lock_duration_ms(int failures)
{
    if (failures < LOCK_AFTER_FAILURES)
        return 0;
    int shift = failures - LOCK_AFTER_FAILURES;
    if (shift > 6)
        shift = 6;
    return 60000LL << shift; /* 1 min, doubling, at most about an hour */
}

static limes_rc record_failure(limes_store *s, int64_t user_id, int failures, limes_error *err)
{
    store_val p[] = {sv_int(failures), sv_int(time_now_ms() + lock_duration_ms(failures)),
                     sv_int(user_id)};
    limes_error ignored;
    (void)err;
    return write_one(s, "UPDATE users SET failed_logins = $1, locked_until_ms = $2 WHERE id = $3",
                     p, 3, "user", &ignored);
}

static limes_rc insert_session(limes_store *s, int64_t user_id, const char *address,
                               limes_session *out, limes_error *err)
{
    rand_hex(out->id, 32);
    rand_hex(out->csrf_token, 32);
    char id_hash[65];
    sha256_hex(id_hash, out->id, strlen(out->id));
    int64_t now = time_now_ms();
    out->expires_ms = now + session_absolute_ms;
    store_tx *tx;
    limes_rc rc = store_begin(s, true, &tx, err);
    if (rc)
        return rc;
    store_val p[] = {sv_text(id_hash),   sv_int(user_id),
                     sv_text(out->csrf_token), sv_int(now),
                     sv_int(out->expires_ms),  sv_int(now + session_idle_ms),
                     sv_text(address ? address : "")};
    rc = store_exec(tx,
                    "INSERT INTO sessions (id_hash, user_id, csrf_token, created_ms, expires_ms,"
                    " idle_expires_ms, address) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    p, 7, err);
    store_val clean[] = {sv_int(now)};
    if (!rc) /* housekeeping: drop expired sessions */
        rc = store_exec(tx, "DELETE FROM sessions WHERE expires_ms < $1 OR idle_expires_ms < $1",
                        clean, 1, err);
    store_val reset[] = {sv_int(user_id)};
    if (!rc)
        rc = store_exec(tx, "UPDATE users SET failed_logins = 0, locked_until_ms = 0 WHERE id = $1",
                        reset, 1, err);
    if (rc) {
        store_rollback(tx);
        return rc;
    }
    return store_commit(tx, err);
}

limes_rc limes_login(limes_store *s, const char *username, const char *password,
                     const char *address, limes_session *out, limes_error *err)
{
    memset(out, 0, sizeof *out);
    if (!username || !*username)
        return limes_fail(err, LIMES_INVALID, "username", "username is missing");
    if (!password || !*password)
        return limes_fail(err, LIMES_INVALID, "password", "password is missing");
    if (strlen(password) > 1024 || strlen(username) > 63)
        return limes_fail(err, LIMES_UNAUTHENTICATED, "", "wrong username or password");
    if (!address_allowed(address, false))
        return limes_fail(err, LIMES_RATE_LIMITED, "",
                          "too many failed logins from this address; try again later");
    store_tx *tx;
    limes_rc rc = store_begin(s, false, &tx, err);
    if (rc)
        return rc;
    struct login_row row;
    rc = load_login(tx, username, &row, err);
    store_rollback(tx);
    if (rc && rc != LIMES_NOT_FOUND)
        return rc;
    if (rc == LIMES_NOT_FOUND) {
        /* Spend the same effort as for a real user, so timing tells nothing. */
        pthread_once(&dummy_once, make_dummy_hash);
        int same = crypto_pwhash_str_verify(dummy_hash, password, strlen(password));
        (void)same; /* the outcome is irrelevant: only the time spent matters */
        address_allowed(address, true);
        return limes_fail(err, LIMES_UNAUTHENTICATED, "", "wrong username or password");
    }
    int64_t now = time_now_ms();
    if (row.locked_until > now)
        return limes_fail(err, LIMES_RATE_LIMITED, "",
                          "account locked after failed logins; try again in %lld s",
                          (long long)((row.locked_until - now + 999) / 1000));
    if (crypto_pwhash_str_verify(row.hash, password, strlen(password)) != 0 || row.disabled) {
        address_allowed(address, true);
        if (!row.disabled)
            record_failure(s, row.id, row.failed + 1, err);
        return limes_fail(err, LIMES_UNAUTHENTICATED, "", "wrong username or password");
    }
    rc = insert_session(s, row.id, address, out, err);
    if (rc)
        return rc;
    out->who.user_id = row.id;
    snprintf(out->who.username, sizeof out->who.username, "%s", username);
    limes_role_parse(row.role, &out->who.role);
    out->who.via_session = true;
    snprintf(out->who.csrf_token, sizeof out->who.csrf_token, "%s", out->csrf_token);
    out->who.expires_ms = out->expires_ms;
    return LIMES_OK;
}

static bool well_formed_secret(const char *t)
{
    if (!t || strlen(t) != LIMES_TOKEN_CHARS)
        return false;
    for (const char *p = t; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

/* Sliding idle expiry is refreshed at most once a minute, so that checking a
 * session is a read: a durable write per request would cost an fsync each. */
#define SESSION_TOUCH_MS 60000

static limes_rc touch_session(limes_store *s, const char *id_hash, int64_t now,
                              limes_error *err)
{
    store_val p[] = {sv_int(now + session_idle_ms), sv_text(id_hash)};
    limes_rc rc = write_one(s, "UPDATE sessions SET idle_expires_ms = $1 WHERE id_hash = $2", p,
                            2, "session", err);
    return rc == LIMES_NOT_FOUND ? LIMES_OK : rc;
}

limes_rc limes_session_check(limes_store *s, const char *session_id, limes_principal *who,
                             limes_error *err)
{
    memset(who, 0, sizeof *who);
    if (!well_formed_secret(session_id))
        return limes_fail(err, LIMES_UNAUTHENTICATED, "", "no valid session");
    char id_hash[65];
    sha256_hex(id_hash, session_id, strlen(session_id));
    int64_t now = time_now_ms();
    store_tx *tx;
    limes_rc rc = store_begin(s, false, &tx, err);
    if (rc)
        return rc;
    store_val p[] = {sv_text(id_hash), sv_int(now)};
    store_rows *r;
    rc = store_query(tx,
                     "SELECT u.id, u.username, u.role, s.csrf_token, s.expires_ms,"
                     " s.idle_expires_ms FROM sessions s"
                     " JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1"
                     " AND s.expires_ms > $2 AND s.idle_expires_ms > $2 AND u.disabled = 0",
                     p, 2, &r, err);
    if (rc) {
        store_rollback(tx);
        return rc;
    }
    int have = store_rows_next(r, err);
    int64_t idle_expires = 0;
    if (have == 1) {
        who->user_id = store_col_int(r, 0);
        snprintf(who->username, sizeof who->username, "%s", store_col_text(r, 1));
        limes_role_parse(store_col_text(r, 2), &who->role);
        snprintf(who->csrf_token, sizeof who->csrf_token, "%s", store_col_text(r, 3));
        who->expires_ms = store_col_int(r, 4);
        who->via_session = true;
        idle_expires = store_col_int(r, 5);
    }
    store_rows_close(r);
    store_rollback(tx);
    if (have != 1)
        return have < 0 ? LIMES_STORE
                        : limes_fail(err, LIMES_UNAUTHENTICATED, "", "session expired or unknown");
    if (idle_expires - now < session_idle_ms - SESSION_TOUCH_MS)
        return touch_session(s, id_hash, now, err);
    return LIMES_OK;
}

limes_rc limes_logout(limes_store *s, const char *session_id, limes_error *err)
{
    if (!well_formed_secret(session_id))
        return LIMES_OK;
    char id_hash[65];
    sha256_hex(id_hash, session_id, strlen(session_id));
    store_val p[] = {sv_text(id_hash)};
    limes_rc rc = write_one(s, "DELETE FROM sessions WHERE id_hash = $1", p, 1, "session", err);
    return rc == LIMES_NOT_FOUND ? LIMES_OK : rc;
}

/* ---- API tokens ---------------------------------------------------------- */

limes_rc limes_token_create(limes_store *s, const char *username, const char *name,
                            char token_out[LIMES_TOKEN_CHARS + 1], int64_t *id_out,
                            limes_error *err)
{
    if (!name || !*name || strlen(name) > 100)
        return limes_fail(err, LIMES_INVALID, "name", "token name must have 1 to 100 characters");
    rand_hex(token_out, 32);
    char hash[65];
    sha256_hex(hash, token_out, strlen(token_out));
    store_tx *tx;
    limes_rc rc = store_begin(s, true, &tx, err);
    if (rc)
        return rc;
    store_val p[] = {sv_text(name), sv_text(hash), sv_int(time_now_ms()), sv_text(username)};
    int64_t id = 0;
    rc = store_query_int(tx,
                         "INSERT INTO api_tokens (user_id, name, token_hash, created_ms)"
                         " SELECT id, $1, $2, $3 FROM users WHERE username = $4 RETURNING id",
                         p, 4, &id, err);
    if (rc == LIMES_NOT_FOUND)
        rc = limes_fail(err, LIMES_NOT_FOUND, "username", "no such user '%s'", username);
    if (rc) {
        store_rollback(tx);
        return rc;
    }
    if (id_out)
        *id_out = id;
    return store_commit(tx, err);
}

limes_rc limes_token_check(limes_store *s, const char *token, limes_principal *who,
                           limes_error *err)
{
    memset(who, 0, sizeof *who);
    if (!well_formed_secret(token))
        return limes_fail(err, LIMES_UNAUTHENTICATED, "", "malformed API token");
    char hash[65];
    sha256_hex(hash, token, strlen(token));
    int64_t now = time_now_ms();
    uint64_t generation;
    if (token_recall(s, hash, now, who, &generation))
        return LIMES_OK;
    store_tx *tx;
    limes_rc rc = store_begin(s, false, &tx, err);
    if (rc)
        return rc;
    store_val p[] = {sv_text(hash)};
    store_rows *r;
    rc = store_query(tx,
                     "SELECT u.id, u.username, u.role FROM api_tokens t JOIN users u"
                     " ON u.id = t.user_id WHERE t.token_hash = $1 AND t.revoked_ms IS NULL"
                     " AND u.disabled = 0",
                     p, 1, &r, err);
    if (rc) {
        store_rollback(tx);
        return rc;
    }
    int have = store_rows_next(r, err);
    if (have == 1) {
        who->user_id = store_col_int(r, 0);
        snprintf(who->username, sizeof who->username, "%s", store_col_text(r, 1));
        limes_role_parse(store_col_text(r, 2), &who->role);
    }
    store_rows_close(r);
    store_rollback(tx);
    if (have < 0)
        return LIMES_STORE;
    if (have == 0)
        return limes_fail(err, LIMES_UNAUTHENTICATED, "", "unknown or revoked API token");
    token_remember(s, hash, now, who, generation);
    return LIMES_OK;
}

limes_rc limes_token_revoke(limes_store *s, int64_t token_id, limes_error *err)
{
    store_val p[] = {sv_int(time_now_ms()), sv_int(token_id)};
    limes_rc rc = write_one(s,
                            "UPDATE api_tokens SET revoked_ms = $1 WHERE id = $2 AND revoked_ms "
                            "IS NULL", p, 2, "active token", err);
    tokens_forget();
    return rc;
}

limes_rc limes_token_list(limes_store *s, json_t **out, limes_error *err)
{
    return store_read_json(s,
                     "SELECT t.id, u.username, t.name, t.created_ms, t.revoked_ms FROM api_tokens t"
                     " JOIN users u ON u.id = t.user_id ORDER BY t.id",
                     NULL, 0, out, err);
}
