/*
 * test.h - the smallest test harness that tells what failed.
 *
 * A test file defines static void test_x(void) functions and a main()
 * that runs them with RUN(test_x) and returns test_summary().  CHECK()
 * records a failure with file, line and expression and goes on; CHECK_EQ
 * variants print both values.  Exit status 0 = pass, 1 = fail, 77 = skip.
 */
#ifndef LIMES_TEST_H
#define LIMES_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failures;
static int test_checks;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        test_checks++;                                                                \
        if (!(cond)) {                                                                \
            test_failures++;                                                          \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);  \
        }                                                                             \
    } while (0)

#define CHECK_INT(a, b)                                                               \
    do {                                                                              \
        long long va_ = (long long)(a), vb_ = (long long)(b);                         \
        test_checks++;                                                                \
        if (va_ != vb_) {                                                             \
            test_failures++;                                                          \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__,       \
                    __LINE__, #a, #b, va_, vb_);                                      \
        }                                                                             \
    } while (0)

#define CHECK_STR(a, b)                                                               \
    do {                                                                              \
        const char *sa_ = (a), *sb_ = (b);                                            \
        test_checks++;                                                                \
        if (!sa_ || !sb_ || strcmp(sa_, sb_) != 0) {                                  \
            test_failures++;                                                          \
            fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n", __FILE__,   \
                    __LINE__, #a, #b, sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)");    \
        }                                                                             \
    } while (0)

#define RUN(fn)                                                                       \
    do {                                                                              \
        int before_ = test_failures;                                                  \
        fn();                                                                         \
        fprintf(stderr, "%s %s\n", test_failures == before_ ? "ok  " : "FAIL", #fn);  \
    } while (0)

static inline int test_summary(void)
{
    fprintf(stderr, "%d checks, %d failed\n", test_checks, test_failures);
    return test_failures ? 1 : 0;
}

/* Directory of the shared test data, or NULL (the test should then skip). */
static inline const char *test_shared_data(void)
{
    const char *d = getenv("LIMES_SHARED_DATA");
    return d && *d ? d : NULL;
}

#endif
