/*
 * rand.c - random tokens and hashes via libsodium; see rand.h.
 */
#include <sodium.h>

#include "rand.h"

int rand_init(void) { return sodium_init() < 0 ? -1 : 0; }

void hex_encode(char *out, const uint8_t *bytes, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}

void rand_hex(char *out, size_t nbytes)
{
    uint8_t raw[64];
    if (nbytes > sizeof raw)
        nbytes = sizeof raw;
    randombytes_buf(raw, nbytes);
    hex_encode(out, raw, nbytes);
}

void sha256_hex(char out[65], const void *data, size_t len)
{
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    hex_encode(out, h, sizeof h);
}
