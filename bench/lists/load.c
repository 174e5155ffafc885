/*
 * load.c - benchmark of list storage: generate N synthetic person entries
 * (invented names from small Latin and Arabic pools, two aliases, a date
 * of birth, a nationality, every third with a passport), store them as
 * one list with limes_lists_replace(), then time limes_lists_load(), the
 * call the screening engine makes to build its index.
 *
 * usage: load DB_PATH N   (generate and store N entries)
 *        load DB_PATH     (load only, in a fresh process, for its memory)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "limes/limes.h"
#include "limes/lists.h"
#include "lists/lists_int.h"

static const char *const given[] = {"Ahmed", "Mohammed", "Omar", "Youssef", "Karim", "Hassan",
                                    "Ali", "Ibrahim", "Fatima", "Aisha", "Layla", "Mariam",
                                    "John", "Peter", "Anna", "Maria", "Ivan", "Sofia", "Luca",
                                    "Jan", "Nadia", "Samir", "Rania", "Khalid"};
static const char *const family[] = {"Haddad", "Mansour", "Al-Masri", "Benali", "El-Sayed",
                                     "Al-Harbi", "Rahimi", "Okafor", "Smith", "Garcia",
                                     "Petrovic", "Rossi", "Nowak", "Demir", "Kovacs", "Nasser",
                                     "Khoury", "Saleh", "Hamdan", "Yilmaz"};
static const char *const arabic[] = {"أحمد", "محمد", "عمر", "يوسف", "كريم", "حسن", "علي",
                                     "ابراهيم", "حداد", "منصور", "المصري", "الحربي"};
static const char *const nats[] = {"SYR", "IRQ", "EGY", "FRA", "DEU", "NGA", "PAK", "TUR"};

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static limes_watch_set *generate(size_t n)
{
    limes_watch_set *set = set_new();
    srand(42);
    for (size_t i = 0; i < n; i++) {
        limes_watch_person *p = set_add_person(set);
        char name[160], ref[32];
        const char *g = given[rand() % 24], *m = given[rand() % 24], *f = family[rand() % 20];
        snprintf(ref, sizeof ref, "SYN-%zu", i);
        p->ref = strdup(ref);
        snprintf(name, sizeof name, "%s %s %s %zu", g, m, f, i);
        person_add_name(p, name, g, f, LIMES_NAME_PRIMARY);
        snprintf(name, sizeof name, "%s %s %zu", f, g, i);
        person_add_name(p, name, NULL, NULL, LIMES_NAME_STRONG_ALIAS);
        snprintf(name, sizeof name, "%s %s", arabic[rand() % 12], arabic[rand() % 12]);
        person_add_name(p, name, NULL, NULL, LIMES_NAME_WEAK_ALIAS);
        person_add_dob(p, 1940 + rand() % 70, 1 + rand() % 12, 1 + rand() % 28, 0);
        person_add_nationality(p, nats[rand() % 8]);
        p->gender = rand() % 2 ? 'M' : 'F';
        if (i % 3 == 0) {
            snprintf(name, sizeof name, "P%08zu", i);
            person_add_doc(p, name, nats[rand() % 8], "passport");
        }
    }
    limes_import_options opt = {.list = "SYNTHETIC"};
    set_finish(set, &opt, "refuse_entry", NULL, NULL);
    return set;
}

static int load_only(const char *db)
{
    limes_store *s;
    limes_error err = {0};
    if (limes_store_open(db, &s, &err)) {
        fprintf(stderr, "%s\n", limes_error_text(&err));
        return 1;
    }
    limes_watch_set *loaded;
    double t0 = now_s();
    if (limes_lists_load(s, &loaded, &err)) {
        fprintf(stderr, "%s\n", limes_error_text(&err));
        return 1;
    }
    double t1 = now_s();
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    printf("  load %zu entries: %.2f s wall (%.2f us/entry), %.2f s CPU of the whole process, "
           "peak RSS %.0f MB\n",
           loaded->npersons, t1 - t0, (t1 - t0) * 1e6 / (double)loaded->npersons, cpu,
           (double)ru.ru_maxrss / 1024.0);
    limes_watch_set_free(loaded);
    limes_store_close(s);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2)
        return load_only(argv[1]);
    if (argc != 3) {
        fprintf(stderr, "usage: load DB_PATH [N]\n");
        return 2;
    }
    size_t n = strtoull(argv[2], NULL, 10);
    unlink(argv[1]);
    limes_store *s;
    limes_error err = {0};
    if (limes_store_open(argv[1], &s, &err)) {
        fprintf(stderr, "%s\n", limes_error_text(&err));
        return 1;
    }
    double t0 = now_s();
    limes_watch_set *set = generate(n);
    double t1 = now_s();
    limes_import_options opt = {.list = "SYNTHETIC"};
    if (limes_lists_replace(s, "SYNTHETIC", "csv", set, NULL, 0, &opt, &err)) {
        fprintf(stderr, "%s\n", limes_error_text(&err));
        return 1;
    }
    double t2 = now_s();
    printf("entries %zu: generate %.2f s, store as one list (one transaction) %.2f s\n", n,
           t1 - t0, t2 - t1);
    limes_watch_set_free(set);
    limes_store_close(s);
    return 0;
}
