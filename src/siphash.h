/*
 * siphash: SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast
 * short-input PRF", 2012), a keyed hash for tables whose keys a client
 * chooses (pure).
 */
#ifndef SIPHASH_H
#define SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LEN	16

/* The 64-bit SipHash-2-4 of LEN bytes at DATA under the 16-byte KEY. */
uint64_t	siphash24(const unsigned char *, const void *, size_t);

#endif
