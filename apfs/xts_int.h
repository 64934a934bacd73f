/* SPDX-License-Identifier: MIT */
/*
 * xts_int.h - inside apfs_xts: the AES-NI round keys and the two engines
 * (xts_aesni.c on x86 with AES-NI, xts.c's bulk AES-ECB everywhere else).
 * Not for callers outside apfs/ other than the tests and bench/xts_speed.
 */
#ifndef APFS_XTS_INT_H
#define APFS_XTS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xts.h"

#define APFS_AES128_NRK 11  /* AES-128: 10 rounds, 11 round keys */

/*
 * Round keys for xts_aesni.c, 16-byte aligned so that AESDEC can take them
 * straight from memory (the struct holding them comes from aligned_alloc).
 */
struct apfs_xts_rk {
	_Alignas(16) uint8_t enc1[APFS_AES128_NRK][16];  /* key1, encryption order */
	_Alignas(16) uint8_t dec1[APFS_AES128_NRK][16];  /* key1, AESIMC'd, reversed */
	_Alignas(16) uint8_t enc2[APFS_AES128_NRK][16];  /* key2 (tweak key) */
};

/* xts_aesni.c: false where the CPU (or the compiler's target) lacks AES-NI. */
bool apfs_xts_aesni_usable(void);
void apfs_xts_aesni_setkey(struct apfs_xts_rk *rk, const uint8_t key1[16],
			   const uint8_t key2[16]);
void apfs_xts_aesni_crypt(const struct apfs_xts_rk *rk, uint8_t *buf, size_t units,
			  uint64_t first_unit, bool enc);

/*
 * apfs_xts_new() with a choice of engine: allow_aesni false forces the
 * AES-ECB path even on an AES-NI CPU (tests compare both; bench/xts_speed
 * times both).  apfs_xts_uses_aesni() says which engine a key got.
 */
int apfs_xts_new_engine(const uint8_t key1[16], const uint8_t key2[16], bool allow_aesni,
			struct apfs_xts **out);
bool apfs_xts_uses_aesni(const struct apfs_xts *x);

#endif
