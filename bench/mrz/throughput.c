/*
 * throughput.c - parse-and-validate throughput of limes_mrz_parse() on one
 * core: the zones of ZONES (blank-line separated, as `limes mrz parse`
 * reads them) over and over for SECONDS of CPU time, counting zones per
 * CPU second (so other load on the machine does not distort the figure).  The
 * JSON object is not built (the npm peer builds its own result object, so
 * a second figure with limes_mrz_to_json() is printed too).
 *
 * usage: throughput ZONES SECONDS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "limes/mrz.h"

#define MAX_ZONES 512

struct zone {
    const char *text;
    size_t len;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: per core, whatever the load */
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t split_zones(char *buf, struct zone *zones)
{
    size_t n = 0;
    char *p = buf;
    while (*p && n < MAX_ZONES) {
        while (*p == '\n')
            p++;
        if (!*p)
            break;
        char *end = strstr(p, "\n\n");
        size_t len = end ? (size_t)(end - p) : strlen(p);
        zones[n++] = (struct zone){p, len};
        p += len;
    }
    return n;
}

static double run(const struct zone *zones, size_t n, double seconds, bool json, long *valid)
{
    limes_mrz_doc doc;
    long count = 0;
    double start = now(), t = start;
    *valid = 0;
    while (t - start < seconds) {
        for (size_t i = 0; i < n; i++) {
            if (limes_mrz_parse(zones[i].text, zones[i].len, 20000, &doc, NULL) == LIMES_OK &&
                doc.valid)
                (*valid)++;
            if (json)
                json_decref(limes_mrz_to_json(&doc));
            count++;
        }
        t = now();
    }
    return (double)count / (t - start);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: throughput ZONES SECONDS\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    static char buf[1 << 20];
    size_t len = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    buf[len] = '\0';
    static struct zone zones[MAX_ZONES];
    size_t n = split_zones(buf, zones);
    double seconds = atof(argv[2]);
    long valid;
    double plain = run(zones, n, seconds, false, &valid);
    double with_json = run(zones, n, seconds, true, &valid);
    printf("{\"zones\": %zu, \"per_second\": %.0f, \"per_second_with_json\": %.0f}\n", n, plain,
           with_json);
    return 0;
}
