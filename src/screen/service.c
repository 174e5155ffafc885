/*
 * service.c - screening against a store's lists: a process-wide engine per
 * store, rebuilt when limes_lists_generation() changes; per-list thresholds
 * and reviewed false-positive marks kept in the store (migration
 * 0020-screen.sql).
 *
 * Engine lifecycle: each cached engine is reference counted.  A query takes
 * a reference under a mutex (microseconds), screens without any lock, and
 * drops the reference.  When the generation changes, one query rebuilds
 * outside the lock while the others keep screening against the previous
 * index (the result's `generation` says which one answered); only when
 * there is no previous index at all do queries wait for the first build.
 * The old engine is freed when its last query finishes.  The store's
 * serial (limes_store_serial) tells two stores apart even if a closed
 * store's address is reused.
 *
 * The generation (and a stamp of the thresholds) is read from the store
 * at most every GENERATION_FRESH_MS per store, and at once after this
 * process changed a list (limes_lists_local_changes): a list imported or
 * a threshold set by another process (the CLI beside a running server)
 * is screened against within that bound, well inside the rebuild it
 * triggers, and a check pays no read for it.
 */
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "limes/lists.h"
#include "screen_int.h"
#include "store/store.h"

#define SLOTS 16
#define GENERATION_FRESH_MS 1000

struct held {
    limes_screen_engine *engine;
    int64_t generation;
    int refs;
};

struct slot {
    limes_store *store;
    uint64_t serial; /* limes_store_serial of store */
    int64_t generation_seen; /* last limes_lists_generation read ... */
    int64_t generation_read_ns; /* ... at this monotonic time ... */
    uint64_t changes_seen;      /* ... when limes_lists_local_changes was this */
    int64_t thresholds_seen[2]; /* thresholds_stamp at that read */
    struct held *current;
    bool building;
    bool stale; /* thresholds changed: rebuild at the next query */
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cache_cond = PTHREAD_COND_INITIALIZER;
static struct slot slots[SLOTS];

/* Call with cache_lock held. */
static void release_locked(struct held *h)
{
    if (h && --h->refs == 0) {
        limes_screen_engine_free(h->engine);
        free(h);
    }
}

static void release(struct held *h)
{
    pthread_mutex_lock(&cache_lock);
    release_locked(h);
    pthread_mutex_unlock(&cache_lock);
}

static limes_rc load_thresholds(limes_store *s, limes_screen_threshold **out, size_t *n,
                                char ***names, limes_error *err)
{
    *out = NULL;
    *n = 0;
    *names = NULL;
    store_tx *tx;
    limes_rc rc = store_begin(s, false, &tx, err);
    if (rc)
        return rc;
    store_rows *rows = NULL;
    rc = store_query(tx, "SELECT list, threshold FROM screen_thresholds", NULL, 0, &rows, err);
    size_t cap = 0;
    while (!rc && store_rows_next(rows, err) > 0) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            limes_screen_threshold *t = realloc(*out, cap * sizeof *t);
            char **nm = realloc(*names, cap * sizeof *nm);
            if (t)
                *out = t;
            if (nm)
                *names = nm;
            if (!t || !nm) {
                rc = limes_fail(err, LIMES_NOMEM, "thresholds", "out of memory");
                break;
            }
        }
        (*names)[*n] = strdup(store_col_text(rows, 0));
        (*out)[*n] = (limes_screen_threshold){(*names)[*n], store_col_real(rows, 1)};
        (*n)++;
    }
    if (rows)
        store_rows_close(rows);
    store_rollback(tx);
    return rc;
}

static limes_rc build_for_store(limes_store *s, int64_t generation, struct held **out,
                                limes_error *err)
{
    limes_watch_set *set = NULL;
    limes_rc rc = limes_lists_load(s, &set, err);
    if (rc)
        return rc;
    limes_screen_threshold *th;
    size_t nth;
    char **names;
    rc = load_thresholds(s, &th, &nth, &names, err);
    limes_screen_engine *e = NULL;
    if (!rc) {
        limes_screen_config cfg = {.thresholds = th, .nthresholds = nth};
        rc = limes_screen_engine_build(set, &cfg, &e, err);
    }
    for (size_t i = 0; i < nth; i++)
        free(names[i]);
    free(names);
    free(th);
    limes_watch_set_free(set);
    if (rc)
        return rc;
    struct held *h = malloc(sizeof *h);
    if (!h) {
        limes_screen_engine_free(e);
        return limes_fail(err, LIMES_NOMEM, "lists", "out of memory");
    }
    *h = (struct held){e, generation, 1};
    *out = h;
    return LIMES_OK;
}

/* The slot of a store, taken or made; call with cache_lock held. */
static struct slot *slot_for(limes_store *s, uint64_t serial)
{
    struct slot *free_slot = NULL;
    for (int i = 0; i < SLOTS; i++) {
        if (slots[i].store == s) {
            if (slots[i].serial != serial && !slots[i].building) {
                release_locked(slots[i].current); /* another store at this address */
                memset(&slots[i], 0, sizeof slots[i]);
                slots[i].store = s;
                slots[i].serial = serial;
            }
            return &slots[i];
        }
        if (!slots[i].store && !free_slot)
            free_slot = &slots[i];
    }
    if (!free_slot) { /* evict an idle slot */
        for (int i = 0; i < SLOTS && !free_slot; i++)
            if (!slots[i].building)
                free_slot = &slots[i];
        if (!free_slot)
            return NULL;
        release_locked(free_slot->current);
    }
    memset(free_slot, 0, sizeof *free_slot);
    free_slot->store = s;
    free_slot->serial = serial;
    return free_slot;
}

/*
 * What the stored thresholds look like: how many, and the sum of their
 * times (a threshold set again gets a later time).  Another process's
 * limes_screen_set_threshold moves it; this process's marks the slot
 * stale at once.  {-1, -1} if it cannot be read.
 */
static void thresholds_stamp(limes_store *s, int64_t out[2])
{
    out[0] = out[1] = -1;
    store_tx *tx;
    if (store_begin(s, false, &tx, NULL))
        return;
    store_rows *rows;
    if (!store_query(tx, "SELECT count(*), COALESCE(sum(updated_ms), 0) FROM screen_thresholds",
                     NULL, 0, &rows, NULL)) {
        if (store_rows_next(rows, NULL) > 0) {
            out[0] = store_col_int(rows, 0);
            out[1] = store_col_int(rows, 1);
        }
        store_rows_close(rows);
    }
    store_rollback(tx);
}

/* The store's list generation, as last read if that is fresh enough (see the top). */
static int64_t generation_of(limes_store *s, uint64_t serial)
{
    uint64_t changes = limes_lists_local_changes(); /* before the read: a later change re-reads */
    int64_t now = time_mono_ns();
    pthread_mutex_lock(&cache_lock);
    struct slot *sl = slot_for(s, serial);
    bool fresh = sl && sl->generation_read_ns && sl->changes_seen == changes &&
                 now - sl->generation_read_ns < GENERATION_FRESH_MS * 1000000LL;
    int64_t gen = fresh ? sl->generation_seen : 0;
    pthread_mutex_unlock(&cache_lock);
    if (fresh)
        return gen;
    gen = limes_lists_generation(s);
    int64_t stamp[2];
    thresholds_stamp(s, stamp);
    pthread_mutex_lock(&cache_lock);
    if ((sl = slot_for(s, serial))) {
        if (sl->generation_read_ns && stamp[0] >= 0 &&
            (stamp[0] != sl->thresholds_seen[0] || stamp[1] != sl->thresholds_seen[1]))
            sl->stale = true; /* thresholds changed by another process */
        if (stamp[0] >= 0)
            memcpy(sl->thresholds_seen, stamp, sizeof stamp);
        sl->generation_seen = gen;
        sl->generation_read_ns = now;
        sl->changes_seen = changes;
    }
    pthread_mutex_unlock(&cache_lock);
    return gen;
}

/* A referenced engine for the store's current lists (or the previous one while rebuilding). */
static limes_rc acquire(limes_store *s, struct held **out, limes_error *err)
{
    uint64_t serial = limes_store_serial(s);
    int64_t gen = generation_of(s, serial);
    limes_rc rc;
    pthread_mutex_lock(&cache_lock);
    for (;;) {
        struct slot *sl = slot_for(s, serial);
        if (!sl) {
            pthread_mutex_unlock(&cache_lock);
            return limes_fail(err, LIMES_UNAVAILABLE, "lists", "too many stores screening");
        }
        struct held *cur = sl->current;
        bool fresh = cur && cur->generation == gen && !sl->stale;
        if (fresh || (cur && sl->building)) {
            cur->refs++;
            *out = cur;
            pthread_mutex_unlock(&cache_lock);
            return LIMES_OK;
        }
        if (sl->building) {
            pthread_cond_wait(&cache_cond, &cache_lock);
            continue;
        }
        sl->building = true;
        sl->stale = false;
        pthread_mutex_unlock(&cache_lock);
        struct held *h = NULL;
        rc = build_for_store(s, gen, &h, err);
        pthread_mutex_lock(&cache_lock);
        sl = slot_for(s, serial);
        if (sl) {
            sl->building = false;
            if (!rc) {
                release_locked(sl->current);
                sl->current = h;
            }
        }
        pthread_cond_broadcast(&cache_cond);
        if (rc || !sl) {
            if (h)
                release_locked(h);
            pthread_mutex_unlock(&cache_lock);
            return rc ? rc : limes_fail(err, LIMES_UNAVAILABLE, "lists", "engine cache full");
        }
        h->refs++;
        *out = h;
        pthread_mutex_unlock(&cache_lock);
        return LIMES_OK;
    }
}

bool limes_screen_store_stats(limes_store *s, limes_screen_stats *out)
{
    memset(out, 0, sizeof *out);
    bool found = false;
    pthread_mutex_lock(&cache_lock);
    for (int i = 0; i < SLOTS && !found; i++)
        if (slots[i].store == s && slots[i].current) {
            limes_screen_engine_stats(slots[i].current->engine, out);
            found = true;
        }
    pthread_mutex_unlock(&cache_lock);
    return found;
}

void limes_screen_forget(limes_store *s)
{
    pthread_mutex_lock(&cache_lock);
    for (int i = 0; i < SLOTS; i++)
        if (slots[i].store == s && !slots[i].building) {
            release_locked(slots[i].current);
            memset(&slots[i], 0, sizeof slots[i]);
        }
    pthread_mutex_unlock(&cache_lock);
}

static void mark_stale(limes_store *s)
{
    pthread_mutex_lock(&cache_lock);
    for (int i = 0; i < SLOTS; i++)
        if (slots[i].store == s) {
            slots[i].stale = true;
            slots[i].generation_read_ns = 0; /* re-read, and take the new stamp as seen */
        }
    pthread_mutex_unlock(&cache_lock);
}

/* Reviewed false positives: suppress the hits a mark covers. */
static limes_rc apply_marks(limes_store *s, limes_screen_result *r, limes_error *err)
{
    if (!r->nhits)
        return LIMES_OK;
    store_tx *tx;
    limes_rc rc = store_begin(s, false, &tx, err);
    if (rc)
        return rc;
    for (size_t i = 0; !rc && i < r->nhits; i++) {
        limes_screen_hit *h = &r->hits[i];
        if (!h->entry_id)
            continue;
        /* Matched by list, reference and version, not by entry_id: every
         * import re-inserts a list's entries, and their ids change (always
         * on PostgreSQL, sometimes on SQLite), so an unchanged entry would
         * lose its marks and a reused id could inherit another's. */
        store_val p[] = {sv_text(r->identity_key), sv_text(h->list ? h->list : ""),
                         sv_text(h->ref ? h->ref : ""), sv_text(h->version ? h->version : "")};
        store_rows *rows;
        rc = store_query(tx,
                         "SELECT reviewer, reason, created_ms FROM screen_false_positives "
                         "WHERE identity_key = $1 AND list = $2 AND entry_ref = $3 "
                         "AND entry_version = $4 ORDER BY id DESC",
                         p, 4, &rows, err);
        if (rc)
            break;
        if (store_rows_next(rows, err) > 0) {
            char when[32], text[1600];
            time_format_rfc3339(store_col_int(rows, 2), when);
            snprintf(text, sizeof text, "reviewed false positive: %s on %s: %s",
                     store_col_text(rows, 0), when, store_col_text(rows, 1));
            h->suppressed = true;
            h->alert = false;
            h->suppression = strdup(text);
        }
        store_rows_close(rows);
    }
    store_rollback(tx);
    return rc;
}

limes_rc limes_screen(limes_store *s, const limes_screen_query *q, limes_screen_result *out,
                      limes_error *err)
{
    memset(out, 0, sizeof *out);
    if (!s)
        return limes_fail(err, LIMES_INVALID, "store", "no store");
    struct held *h;
    limes_rc rc = acquire(s, &h, err);
    if (rc)
        return rc;
    rc = limes_screen_engine_query(h->engine, q, out, err);
    out->generation = h->generation;
    release(h);
    if (!rc && (rc = apply_marks(s, out, err)))
        limes_screen_result_free(out);
    return rc;
}

limes_rc limes_screen_set_threshold(limes_store *s, const char *list, double threshold,
                                    limes_error *err)
{
    if (!list || !*list || strlen(list) > 64)
        return limes_fail(err, LIMES_INVALID, "list", "list name must have 1 to 64 characters");
    if (!(threshold > 0 && threshold <= 1))
        return limes_fail(err, LIMES_INVALID, "threshold", "threshold must be in (0, 1]");
    store_tx *tx;
    limes_rc rc = store_begin(s, true, &tx, err);
    if (rc)
        return rc;
    store_val p[] = {sv_text(list), sv_real(threshold), sv_int(time_now_ms())};
    rc = store_exec(tx, "DELETE FROM screen_thresholds WHERE list = $1", p, 1, err);
    if (!rc)
        rc = store_exec(tx,
                        "INSERT INTO screen_thresholds (list, threshold, updated_ms) "
                        "VALUES ($1, $2, $3)",
                        p, 3, err);
    if (!rc)
        rc = store_commit(tx, err);
    else
        store_rollback(tx);
    if (!rc)
        mark_stale(s);
    return rc;
}

limes_rc limes_screen_thresholds(limes_store *s, json_t **out, limes_error *err)
{
    store_tx *tx;
    limes_rc rc = store_begin(s, false, &tx, err);
    if (rc)
        return rc;
    rc = store_query_json(tx, "SELECT list, threshold FROM screen_thresholds ORDER BY list", NULL,
                          0, out, err);
    store_rollback(tx);
    return rc;
}

/* The current version, reference and list of an entry in an engine. */
static bool find_entry(const limes_screen_engine *e, int64_t id, const char **version,
                       const char **ref, const char **list)
{
    for (size_t i = 0; i < e->npersons; i++)
        if (e->persons[i].id == id) {
            *version = eng_str(e, e->persons[i].version);
            *ref = eng_str(e, e->persons[i].ref);
            *list = strmap_key(&e->lists, e->persons[i].list, NULL);
            return true;
        }
    for (size_t i = 0; i < e->ndocs; i++)
        if (e->docs[i].id == id) {
            *version = eng_str(e, e->docs[i].version);
            *ref = eng_str(e, e->docs[i].ref);
            *list = strmap_key(&e->lists, e->docs[i].list, NULL);
            return true;
        }
    return false;
}

limes_rc limes_screen_mark_false_positive(limes_store *s, const char *identity_key,
                                          int64_t entry_id, const char *reviewer,
                                          const char *reason, int64_t *mark_id,
                                          limes_error *err)
{
    if (!identity_key || !*identity_key || strlen(identity_key) > 64)
        return limes_fail(err, LIMES_INVALID, "identity_key",
                          "identity_key (from the screening result) is required");
    if (!reviewer || !*reviewer)
        return limes_fail(err, LIMES_INVALID, "reviewer", "reviewer is required");
    if (!reason || !*reason || strlen(reason) > 1000)
        return limes_fail(err, LIMES_INVALID, "reason",
                          "reason is required (at most 1000 characters)");
    if (entry_id <= 0)
        return limes_fail(err, LIMES_INVALID, "entry_id", "entry_id must be positive");
    struct held *h;
    limes_rc rc = acquire(s, &h, err);
    if (rc)
        return rc;
    const char *version, *ref, *list;
    char v[160] = "", rf[160] = "", ls[80] = "";
    bool found = find_entry(h->engine, entry_id, &version, &ref, &list);
    if (found) {
        snprintf(v, sizeof v, "%s", version);
        snprintf(rf, sizeof rf, "%s", ref);
        snprintf(ls, sizeof ls, "%s", list);
    }
    release(h);
    if (!found)
        return limes_fail(err, LIMES_NOT_FOUND, "entry_id",
                          "no entry %lld in the current lists", (long long)entry_id);
    store_tx *tx;
    if ((rc = store_begin(s, true, &tx, err)))
        return rc;
    store_val p[] = {sv_text(identity_key), sv_int(entry_id), sv_text(v), sv_text(rf),
                     sv_text(ls), sv_text(reviewer), sv_text(reason), sv_int(time_now_ms())};
    /* The insert's own id, not MAX(id) afterwards: on PostgreSQL another
     * writer's mark may commit in between and MAX(id) would name that one. */
    int64_t id = 0;
    rc = store_insert_id(tx,
                         "INSERT INTO screen_false_positives (identity_key, entry_id, entry_version, "
                         "entry_ref, list, reviewer, reason, created_ms) "
                         "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                         p, 8, &id, err);
    if (!rc)
        rc = store_commit(tx, err);
    else
        store_rollback(tx);
    if (!rc && mark_id)
        *mark_id = id;
    return rc;
}
