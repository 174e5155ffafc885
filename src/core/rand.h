/*
 * rand.h - random tokens and encodings (libsodium underneath).
 * All outputs are written into caller buffers; nothing is allocated.
 */
#ifndef LIMES_CORE_RAND_H
#define LIMES_CORE_RAND_H

#include <stddef.h>
#include <stdint.h>

/* Initialise libsodium once; returns 0 on success. Safe to call often. */
int rand_init(void);
/* n random bytes rendered as 2n lowercase hex digits plus NUL into out. */
void rand_hex(char *out, size_t nbytes);
/* Lowercase hex of bytes into out (2n+1 bytes). */
void hex_encode(char *out, const uint8_t *bytes, size_t n);
/* SHA-256 of data as 64 hex digits plus NUL. */
void sha256_hex(char out[65], const void *data, size_t len);

#endif
