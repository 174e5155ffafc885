/*
 * store_count.h - a test's one-number query: the first column of the
 * first row of sql, read in a read transaction of its own.  -1 if it
 * cannot be read; the caller's CHECK_INT then shows the difference.
 */
#ifndef LIMES_TEST_STORE_COUNT_H
#define LIMES_TEST_STORE_COUNT_H

#include "store/store.h"

static int64_t store_count(limes_store *s, const char *sql)
{
    store_tx *tx;
    int64_t n = -1;
    if (store_begin(s, false, &tx, NULL) != LIMES_OK)
        return -1;
    if (store_query_int(tx, sql, NULL, 0, &n, NULL) != LIMES_OK)
        n = -1;
    store_rollback(tx);
    return n;
}

#endif
