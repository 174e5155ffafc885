/*
 * lists_common.h - shared by the list importer fuzz targets: after a
 * successful import, every entry must survive the stored JSON form
 * (entry_json.c) with the same names, dates and documents.
 */
#ifndef LIMES_FUZZ_LISTS_COMMON_H
#define LIMES_FUZZ_LISTS_COMMON_H

#include <stdlib.h>
#include <string.h>

#include "limes/lists.h"
#include "lists/lists_int.h"

static void check_round_trip(const limes_watch_set *set)
{
    for (size_t i = 0; i < set->npersons; i++) {
        const limes_watch_person *p = &set->persons[i];
        char *json = entry_person_json(p);
        if (!json)
            abort();
        limes_watch_person back = {0};
        if (!entry_person_from_json(json, &back) || back.nnames != p->nnames ||
            back.ndobs != p->ndobs || back.ndocs != p->ndocs ||
            back.nnationalities != p->nnationalities)
            abort();
        for (size_t k = 0; k < p->nnames; k++)
            if (strcmp(back.names[k].full, p->names[k].full) != 0)
                abort();
        free(json);
        limes_watch_person_free(&back);
    }
    for (size_t i = 0; i < set->ndocuments; i++) {
        char *json = entry_document_json(&set->documents[i]);
        limes_watch_document back = {0};
        if (!json || !entry_document_from_json(json, &back) ||
            strcmp(back.number, set->documents[i].number) != 0)
            abort();
        free(json);
        limes_watch_document_free(&back);
    }
}

#endif
