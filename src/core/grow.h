/*
 * grow.h - growing a malloc'd array by doubling, with the size arithmetic
 * checked for overflow (after git's ALLOC_GROW).  The array stays the
 * caller's: on failure *p and *cap are unchanged and still valid.
 */
#ifndef LIMES_CORE_GROW_H
#define LIMES_CORE_GROW_H

#include <stdbool.h>
#include <stddef.h>

/* Room for `need` elements of `size` bytes in *p (capacity *cap); false if
 * out of memory or if the byte count would overflow. */
bool array_grow(void **p, size_t *cap, size_t need, size_t size);

#endif
