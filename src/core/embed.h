/*
 * embed.h - data files compiled into the library by tools/embed.py.
 * The bytes are static and NUL-terminated; nothing is allocated.
 */
#ifndef LIMES_CORE_EMBED_H
#define LIMES_CORE_EMBED_H

#include <stddef.h>

struct embedded_file {
    const char *name; /* base name of the source file */
    const char *data; /* contents, NUL-terminated */
    size_t len;
};

/* Find a file by name in a generated table; NULL if absent. */
const struct embedded_file *embed_find(const struct embedded_file *files, size_t n,
                                       const char *name);

#endif
