/* SPDX-License-Identifier: MIT */
/*
 * pbkdf2.h - PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) of several passwords at
 * once, for dictionary runs (the same salt and iteration count) and for one
 * password on several crypto users (a salt each, the same count), each
 * password in its own SIMD lane (4 with SSE2, 8 with AVX2, 16 with
 * AVX-512), every key byte the same as OpenSSL's PKCS5_PBKDF2_HMAC gives.
 * Password material stays in memory from apfs_secret_alloc() and is wiped.
 */
#ifndef APFS_PBKDF2_H
#define APFS_PBKDF2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The engines, fewest lanes first. */
enum apfs_pbkdf2_engine {
	APFS_PBKDF2_C,       /* plain C, one lane, anywhere */
	APFS_PBKDF2_SSE2,    /* 4 lanes */
	APFS_PBKDF2_AVX2,    /* 8 lanes */
	APFS_PBKDF2_AVX512,  /* 16 lanes, with rotate and three-input logic instructions */
	APFS_PBKDF2_NENGINES
};

#define APFS_PBKDF2_MAX_LANES 16

/*
 * The engine to use: the widest this CPU runs, or the one the environment
 * variable APFSINSPECT_PBKDF2_ENGINE names ("c", "sse2", "avx2", "avx512")
 * when the CPU runs it (tests and benchmarks compare them).
 */
enum apfs_pbkdf2_engine apfs_pbkdf2_engine(void);
unsigned apfs_pbkdf2_lanes(enum apfs_pbkdf2_engine e);
/* What a call of e costs, in tenths of one one-lane derivation (measured; 10 for "c"). */
unsigned apfs_pbkdf2_call_cost(enum apfs_pbkdf2_engine e);
/* The fewest passwords worth a call of e rather than one derivation each (0: never). */
unsigned apfs_pbkdf2_lanes_worth(enum apfs_pbkdf2_engine e);
const char *apfs_pbkdf2_engine_name(enum apfs_pbkdf2_engine e);
/* The engine named s, if this CPU runs it; false otherwise. */
bool apfs_pbkdf2_engine_by_name(const char *s, enum apfs_pbkdf2_engine *e);

/*
 * dk[i] = PBKDF2-HMAC-SHA256(pw[i], salt, iterations, dklen) for i < n,
 * 1 <= n <= apfs_pbkdf2_lanes(e).  Returns 0, -EINVAL (n, an iteration
 * count of 0 or above 2^32 - 1, dklen 0 or above 1024), or -ENOMEM.
 * Thread-safe: each call works on memory of its own.
 */
int apfs_pbkdf2_sha256_lanes(enum apfs_pbkdf2_engine e, unsigned n, const void *const pw[],
			     const size_t pwlen[], const uint8_t *salt, size_t saltlen,
			     uint64_t iterations, uint8_t *const dk[], size_t dklen);

/*
 * The same with a salt of each lane's own (one password for several crypto
 * users whose iteration count agrees): dk[i] = PBKDF2-HMAC-SHA256(pw[i],
 * salt[i], iterations, dklen).  The salt enters U1 only (RFC 8018 §5.2),
 * which each lane computes apart; the iterations run in the lanes as above.
 */
int apfs_pbkdf2_sha256_lanes_salted(enum apfs_pbkdf2_engine e, unsigned n,
				    const void *const pw[], const size_t pwlen[],
				    const uint8_t *const salt[], const size_t saltlen[],
				    uint64_t iterations, uint8_t *const dk[], size_t dklen);

#endif
