/*
 * records.c - durable crossing inserts per second through the public API
 * (limes_crossings_record_batch: one transaction, one durable commit per
 * batch), on whichever store the URL names.  Each traveller enters and
 * leaves, so every row takes the full path: crossing point, traveller and
 * document look-up or creation, stay matching, regime and lawful-stay
 * computation at entry.
 *
 * usage: records DB ROWS BATCH [TRAVELLERS] -> one JSON line with the figures
 * (wall time, and the CPU time of this process: on PostgreSQL the server's is
 * apart).  TRAVELLERS > 0 draws the travellers from a pool of that size, so
 * that once the pool has been seen every crossing is by a known traveller
 * whose earlier stays are loaded and whose last activity is updated (each
 * visit a week after the last); 0 (the default) makes every traveller new.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "limes/limes.h"

static double clock_s(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: records DB ROWS BATCH [TRAVELLERS]\n");
        return 2;
    }
    long rows = atol(argv[2]), batch = atol(argv[3]), pool = argc == 5 ? atol(argv[4]) : 0;
    if (rows < 2 || batch < 1 || batch > 100000)
        return 2;
    limes_store *s;
    limes_error err = {0};
    if (limes_store_open(argv[1], &s, &err) || limes_bcp_add_demo(s, &err)) {
        fprintf(stderr, "records: %s\n", limes_error_text(&err));
        return 1;
    }
    static const char *const nats[] = {"GBR", "XXA", "MAR", "TUN", "USA", "D"};
    limes_crossing_in *in = calloc((size_t)batch, sizeof *in);
    limes_crossing_out *out = calloc((size_t)batch, sizeof *out);
    char (*numbers)[24] = calloc((size_t)batch, sizeof *numbers);
    int64_t base_ms = (int64_t)(time(NULL) - 400 * 86400) * 1000;
    double t0 = clock_s(CLOCK_MONOTONIC), cpu0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    long done = 0;
    while (done < rows) {
        long n = rows - done < batch ? rows - done : batch;
        for (long k = 0; k < n; k++) {
            long i = done + k;
            long traveller = pool > 0 ? i / 2 % pool : i / 2;
            long visit = pool > 0 ? i / 2 / pool : 0;
            snprintf(numbers[k], sizeof numbers[k], "BR%09ld", traveller);
            const char *nat = nats[traveller % 6];
            in[k] = (limes_crossing_in){
                .person = {.surname = "BENCH", .given_names = "TRAVELLER", .nationality = nat,
                           .birth_date = "1980-01-01", .sex = "F"},
                .doc = {.doc_type = "P", .issuer = nat, .number = numbers[k]},
                .bcp_code = i % 3 ? "TN-TUN-AIR" : "TN-RASJEDIR",
                .direction = i % 2 ? "exit" : "entry",
                .at_ms = base_ms + (visit * 7 + (i % 2) * 5) * 86400000LL + traveller % 1000,
                .officer = "bench"};
        }
        if (limes_crossings_record_batch(s, in, (size_t)n, out, &err)) {
            fprintf(stderr, "records: %s\n", limes_error_text(&err));
            return 1;
        }
        done += n;
    }
    double secs = clock_s(CLOCK_MONOTONIC) - t0;
    double cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    printf("{\"backend\": \"%s\", \"rows\": %ld, \"batch\": %ld, \"travellers\": %ld, "
           "\"seconds\": %.3f, \"rows_per_second\": %.0f, \"client_cpu_seconds\": %.3f}\n",
           limes_store_backend(s), rows, batch, pool > 0 ? pool : rows / 2, secs, rows / secs, cpu);
    free(in);
    free(out);
    free(numbers);
    limes_store_close(s);
    return 0;
}
