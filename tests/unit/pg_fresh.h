/*
 * pg_fresh.h - a fresh PostgreSQL database for one test, from LIMES_TEST_PG.
 *
 * Tests that run on both backends call pg_fresh_url() with their own name:
 * it connects to the database LIMES_TEST_PG names (tools/pg-test.sh starts a
 * throwaway cluster and exports it), drops and recreates the database
 * `limes_<name>`, and writes a URL for it.  Each test so starts from an
 * empty schema, and tests running in parallel never share one.
 *
 * Returns 0 on success, 77 (skip) when LIMES_TEST_PG is unset or this build
 * has no PostgreSQL support, 1 on failure (printed).  test_store_open()
 * opens either backend's store for a test, test_store_close() removes it.
 */
#ifndef LIMES_TEST_PG_FRESH_H
#define LIMES_TEST_PG_FRESH_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "limes/store.h"

#ifdef LIMES_HAVE_PG
#include <libpq-fe.h>
#endif

/* Replace the database name of a libpq URL (the path after "host/"). */
static inline int pg_url_with_db(const char *base, const char *db, char *out, size_t n)
{
    const char *scheme = strstr(base, "://");
    if (!scheme)
        return -1;
    const char *path = strchr(scheme + 3, '/');
    if (!path)
        return -1;
    const char *rest = path + 1 + strcspn(path + 1, "?");
    int w = snprintf(out, n, "%.*s/%s%s", (int)(path - base), base, db, rest);
    return w < 0 || (size_t)w >= n ? -1 : 0;
}

static inline int pg_fresh_url(const char *name, char *out, size_t n)
{
    const char *base = getenv("LIMES_TEST_PG");
    if (!base || !*base) {
        fprintf(stderr, "skipped: LIMES_TEST_PG is not set (tools/pg-test.sh start)\n");
        return 77;
    }
#ifdef LIMES_HAVE_PG
    char db[64];
    snprintf(db, sizeof db, "limes_%s", name);
    if (pg_url_with_db(base, db, out, n) != 0) {
        fprintf(stderr, "LIMES_TEST_PG is not a postgresql:// URL: %s\n", base);
        return 1;
    }
    PGconn *c = PQconnectdb(base);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "cannot connect to %s: %s", base, PQerrorMessage(c));
        PQfinish(c);
        return 1;
    }
    PQclear(PQexec(c, "SET client_min_messages = warning"));
    char sql[160];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", db);
    PGresult *r = PQexec(c, sql);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (ok) {
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", db);
        r = PQexec(c, sql);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
    }
    if (!ok)
        fprintf(stderr, "cannot recreate database %s: %s", db, PQerrorMessage(c));
    PQfinish(c);
    return ok ? 0 : 1;
#else
    (void)out;
    (void)n;
    (void)name;
    fprintf(stderr, "skipped: this build has no PostgreSQL support\n");
    return 77;
#endif
}

/*
 * The store of a test that runs on both backends: with on_pg a fresh
 * PostgreSQL database (pg_fresh_url), else a new SQLite file under /tmp;
 * path receives its name.  Returns 0, 77 (skip) or 1 (printed).
 */
static inline int test_store_open(const char *name, bool on_pg, char *path, size_t n,
                                  limes_store **store)
{
    if (on_pg) {
        int pg = pg_fresh_url(name, path, n);
        if (pg)
            return pg;
    } else {
        snprintf(path, n, "/tmp/limes-test-%s-%d.db", name, (int)getpid());
        unlink(path);
    }
    limes_error err = {0};
    if (limes_store_open(path, store, &err)) {
        fprintf(stderr, "cannot open store: %s\n", limes_error_text(&err));
        return 1;
    }
    return 0;
}

/* Remove a SQLite database and its -wal and -shm files. */
static inline void test_remove_sqlite(const char *path)
{
    char aux[600];
    unlink(path);
    snprintf(aux, sizeof aux, "%s-wal", path);
    unlink(aux);
    snprintf(aux, sizeof aux, "%s-shm", path);
    unlink(aux);
}

/* Close the store of test_store_open and remove its SQLite files. */
static inline void test_store_close(limes_store *store, bool on_pg, const char *path)
{
    limes_store_close(store);
    if (!on_pg)
        test_remove_sqlite(path);
}

#endif
