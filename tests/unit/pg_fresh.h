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
 * has no PostgreSQL support, 1 on failure (printed).
 */
#ifndef LIMES_TEST_PG_FRESH_H
#define LIMES_TEST_PG_FRESH_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#endif
