/* SPDX-License-Identifier: MIT */
/*
 * pbkdf2_int.h - inside the multi-lane PBKDF2: the SHA-256 pieces pbkdf2.c
 * builds on (sha256.c) and the lane engines (pbkdf2_lanes.c).
 * Not for callers outside cipher/ other than the tests and bench/.
 */
#ifndef APFS_PBKDF2_INT_H
#define APFS_PBKDF2_INT_H

#include <stddef.h>
#include <stdint.h>

#include "cipher/pbkdf2.h"

/* FIPS 180-4 §4.2.2 round constants and §5.3.3 initial hash value. */
extern const uint32_t apfs_sha256_k[64];
extern const uint32_t apfs_sha256_iv[8];

/* One compression of a 64-byte block into st (plain C, pbkdf2_lanes.c). */
void apfs_sha256_block(uint32_t st[8], const uint8_t blk[64]);

/* A running SHA-256 over a message given in pieces (sha256.c). */
struct apfs_sha256 {
	uint32_t st[8];
	uint8_t buf[64];
	size_t fill;     /* bytes waiting in buf */
	uint64_t total;  /* message bytes so far, with any block absorbed before */
};

void apfs_sha256_init(struct apfs_sha256 *c);
void apfs_sha256_update(struct apfs_sha256 *c, const void *data, size_t len);
/* The digest, big-endian; c is left wiped. */
void apfs_sha256_final(struct apfs_sha256 *c, uint8_t out[32]);

/*
 * Iterations 2..c of one group of lanes (pbkdf2_lanes.c): inner, outer, u
 * and t are 8 words each of every lane, word-major (word i of lane l at
 * [i * lanes + l]; the engines load them unaligned); u and t hold U1 on entry, t holds
 * T = U1 ^ ... ^ Uc on return.  `more` is c - 1.
 */
void apfs_pbkdf2_iterate(enum apfs_pbkdf2_engine e, const uint32_t *inner,
			 const uint32_t *outer, uint32_t *u, uint32_t *t, uint32_t more);
/* Whether this CPU (and kernel) runs engine e. */
bool apfs_pbkdf2_usable(enum apfs_pbkdf2_engine e);

#endif
