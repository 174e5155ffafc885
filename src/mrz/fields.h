/*
 * fields.h - reading the fields and check digits of a zone whose format
 * parse.c has already recognised (fields.c).
 */
#ifndef LIMES_MRZ_FIELDS_H
#define LIMES_MRZ_FIELDS_H

#include <stdint.h>

#include "limes/mrz.h"

/* Fill d's fields and checks from d->lines; d->format is set.  Problems are added. */
void mrz_read_fields(limes_mrz_doc *d, int32_t reference_day);

#endif
