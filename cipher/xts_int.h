/* SPDX-License-Identifier: MIT */
/*
 * xts_int.h - inside apfs_xts: the round keys and the engines (xts_vaes.c
 * on x86 with VAES, xts_aesni.c with AES-NI, xts.c's bulk AES-ECB
 * everywhere else).
 * Not for callers outside apfs/ other than the tests and bench/xts_speed.
 */
#ifndef APFS_XTS_INT_H
#define APFS_XTS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cipher/xts.h"

#define APFS_AES128_NRK 11  /* AES-128: 10 rounds, 11 round keys */

/*
 * Round keys for xts_aesni.c, 16-byte aligned so that AESDEC can take them
 * straight from memory (the struct holding them comes from aligned_alloc).
 */
struct apfs_xts_rk {
	/* key2's schedule first: dec1 ends with key1, and enc2 starts with key2,
	 * so the other order would hold the whole VEK as one run of bytes. */
	_Alignas(16) uint8_t enc2[APFS_AES128_NRK][16];  /* key2 (tweak key) */
	_Alignas(16) uint8_t enc1[APFS_AES128_NRK][16];  /* key1, encryption order */
	_Alignas(16) uint8_t dec1[APFS_AES128_NRK][16];  /* key1, AESIMC'd, reversed */
};

/* xts_aesni.c: false where the CPU (or the compiler's target) lacks AES-NI. */
bool apfs_xts_aesni_usable(void);
void apfs_xts_aesni_setkey(struct apfs_xts_rk *rk, const uint8_t key1[16],
			   const uint8_t key2[16]);
void apfs_xts_aesni_crypt(const struct apfs_xts_rk *rk, uint8_t *buf, size_t units,
			  uint64_t first_unit, bool enc);

/* The engines, slowest first: a key gets the fastest the CPU runs. */
enum apfs_xts_engine {
	APFS_XTS_ECB,      /* OpenSSL AES-128-ECB plus tweaks in C (xts.c), anywhere */
	APFS_XTS_AESNI,    /* xts_aesni.c */
	APFS_XTS_VAES256,  /* xts_vaes.c, 256-bit registers (AVX2) */
	APFS_XTS_VAES,     /* xts_vaes.c, 512-bit registers (AVX-512) */
};

/* xts_vaes.c: VAES, 2 or 4 blocks an instruction; the same round keys. */
bool apfs_xts_vaes_usable(enum apfs_xts_engine e);
void apfs_xts_vaes_crypt(const struct apfs_xts_rk *rk, enum apfs_xts_engine e, uint8_t *buf,
			 size_t units, uint64_t first_unit, bool enc);

/*
 * apfs_xts_new() with a ceiling on the engine: the fastest the CPU runs up
 * to max (tests compare every engine; bench/xts_speed times each).
 * apfs_xts_engine() says which one a key got; apfs_xts_engine_name() names
 * it ("aes-ecb", "aes-ni", "vaes-avx2", "vaes-avx512").
 */
int apfs_xts_new_engine(const uint8_t key1[16], const uint8_t key2[16],
			enum apfs_xts_engine max, struct apfs_xts **out);
enum apfs_xts_engine apfs_xts_engine(const struct apfs_xts *x);
const char *apfs_xts_engine_name(enum apfs_xts_engine e);

#endif
