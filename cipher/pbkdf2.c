/* SPDX-License-Identifier: MIT */
/*
 * pbkdf2.c - PBKDF2-HMAC-SHA256 (RFC 8018 §5.2, HMAC per RFC 2104) of up
 * to 16 passwords at once.
 *
 * A dictionary run spends all its time in the iterations: for each output
 * block, U1 = HMAC(P, S || INT(i)) then c - 1 times U = HMAC(P, U), each
 * HMAC two SHA-256 compressions from the key's inner and outer states.
 * Those states and U1 are computed here once per password, in plain C;
 * the c - 1 iterations run in pbkdf2_lanes.c with every password in its own
 * SIMD lane.  OpenSSL's PKCS5_PBKDF2_HMAC, one password at a time, stays
 * the reference the unit test checks every lane against.
 *
 * Everything derived from a password lives in one apfs_secret_alloc()
 * block per call, wiped on return; the engines clear their registers and
 * the stack they spilled to is wiped after them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/secmem.h"
#include "cipher/pbkdf2_int.h"

#define MAX_DKLEN 1024
#define L APFS_PBKDF2_MAX_LANES
/*
 * Stack an engine may spill lanes to, wiped after each call: the deepest
 * frames measured with -fstack-usage are AVX-512's, 7.5 KiB with gcc 12 and
 * 6.2 KiB with clang 14 (AVX2 4.5 / 3.7 KiB), plus apfs_pbkdf2_iterate's
 * 248 bytes; twice that leaves room for other compilers.  The wipe is
 * microseconds against a batch's tens of milliseconds.
 */
#define ENGINE_STACK 16384

/* Word-major lanes for the engines, and the scalar work of each password. */
struct lanes {
	uint32_t inner[8 * L], outer[8 * L], u[8 * L], t[8 * L];
	uint32_t st_in[8], st_out[8];  /* one password's key states */
	uint8_t key[64], d[32];
	struct apfs_sha256 c;
};

static const char *const names[APFS_PBKDF2_NENGINES] = { "c", "sse2", "avx2", "avx512" };
static const unsigned lane_count[APFS_PBKDF2_NENGINES] = { 1, 4, 8, 16 };
/*
 * What one call costs, in tenths of a one-lane derivation (OpenSSL's): per
 * thread at 100,000 iterations (bench/pbkdf2_lanes, AMD EPYC with AVX-512)
 * OpenSSL made 27.5 a second, SSE2 37.2 in 4 lanes, AVX2 106 in 8, AVX-512
 * 337 in 16, so a call of any width costs 3.0, 2.1 and 1.3 derivations.
 */
static const unsigned call_cost[APFS_PBKDF2_NENGINES] = { 10, 30, 21, 13 };

unsigned apfs_pbkdf2_lanes(enum apfs_pbkdf2_engine e)
{
	return e < APFS_PBKDF2_NENGINES ? lane_count[e] : 1;
}

unsigned apfs_pbkdf2_call_cost(enum apfs_pbkdf2_engine e)
{
	return e < APFS_PBKDF2_NENGINES ? call_cost[e] : 10;
}

unsigned apfs_pbkdf2_lanes_worth(enum apfs_pbkdf2_engine e)
{
	return e < APFS_PBKDF2_NENGINES && lane_count[e] > 1 ? call_cost[e] / 10 + 1 : 0;
}

const char *apfs_pbkdf2_engine_name(enum apfs_pbkdf2_engine e)
{
	return e < APFS_PBKDF2_NENGINES ? names[e] : "?";
}

bool apfs_pbkdf2_engine_by_name(const char *s, enum apfs_pbkdf2_engine *e)
{
	for (int i = 0; i < APFS_PBKDF2_NENGINES; i++)
		if (!strcmp(s, names[i]) && apfs_pbkdf2_usable((enum apfs_pbkdf2_engine)i)) {
			*e = (enum apfs_pbkdf2_engine)i;
			return true;
		}
	return false;
}

enum apfs_pbkdf2_engine apfs_pbkdf2_engine(void)
{
	const char *force = getenv("APFSINSPECT_PBKDF2_ENGINE");
	enum apfs_pbkdf2_engine e;

	if (force && apfs_pbkdf2_engine_by_name(force, &e))
		return e;
	for (int i = APFS_PBKDF2_NENGINES - 1; i > 0; i--)
		if (apfs_pbkdf2_usable((enum apfs_pbkdf2_engine)i))
			return (enum apfs_pbkdf2_engine)i;
	return APFS_PBKDF2_C;
}

/* A SHA-256 resumed from a state that has absorbed one 64-byte block. */
static void resume(struct apfs_sha256 *c, const uint32_t st[8])
{
	memcpy(c->st, st, sizeof(c->st));
	c->fill = 0;
	c->total = 64;
}

/*
 * The HMAC key's inner and outer states: the key (hashed first when longer
 * than a block), zero-padded to 64 bytes, XOR 0x36 and 0x5c, one
 * compression each from the initial value.
 */
static void key_states(struct lanes *w, const void *pw, size_t len)
{
	memset(w->key, 0, sizeof(w->key));
	if (len > sizeof(w->key)) {
		apfs_sha256_init(&w->c);
		apfs_sha256_update(&w->c, pw, len);
		apfs_sha256_final(&w->c, w->key);
	} else if (len) {
		memcpy(w->key, pw, len);
	}
	for (size_t i = 0; i < sizeof(w->key); i++)
		w->key[i] ^= 0x36;
	memcpy(w->st_in, apfs_sha256_iv, sizeof(w->st_in));
	apfs_sha256_block(w->st_in, w->key);
	for (size_t i = 0; i < sizeof(w->key); i++)
		w->key[i] ^= 0x36 ^ 0x5c;
	memcpy(w->st_out, apfs_sha256_iv, sizeof(w->st_out));
	apfs_sha256_block(w->st_out, w->key);
}

/* U1 of output block `blk` into w->d: HMAC(key, salt || INT(blk)). */
static void first_u(struct lanes *w, const uint8_t *salt, size_t saltlen, uint32_t blk)
{
	const uint8_t be[4] = { (uint8_t)(blk >> 24), (uint8_t)(blk >> 16), (uint8_t)(blk >> 8),
				(uint8_t)blk };

	resume(&w->c, w->st_in);
	apfs_sha256_update(&w->c, salt, saltlen);
	apfs_sha256_update(&w->c, be, sizeof(be));
	apfs_sha256_final(&w->c, w->d);
	resume(&w->c, w->st_out);
	apfs_sha256_update(&w->c, w->d, sizeof(w->d));
	apfs_sha256_final(&w->c, w->d);
}

/* Lane `l` of `lanes`: its key states and U1 (also T so far), word-major. */
static void load_lane(struct lanes *w, unsigned lanes, unsigned l, const uint8_t *salt,
		      size_t saltlen, uint32_t blk)
{
	first_u(w, salt, saltlen, blk);
	for (unsigned i = 0; i < 8; i++) {
		const uint8_t *d = w->d + 4 * i;

		w->inner[i * lanes + l] = w->st_in[i];
		w->outer[i * lanes + l] = w->st_out[i];
		w->u[i * lanes + l] = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 |
				      (uint32_t)d[2] << 8 | d[3];
		w->t[i * lanes + l] = w->u[i * lanes + l];
	}
}

/* Lane l's T, big-endian, its first n bytes. */
static void store_lane(const struct lanes *w, unsigned lanes, unsigned l, uint8_t *out,
		       size_t n)
{
	for (size_t k = 0; k < n; k++)
		out[k] = (uint8_t)(w->t[(k / 4) * lanes + l] >> (24 - 8 * (k % 4)));
}

static bool bad_args(enum apfs_pbkdf2_engine e, unsigned n, const uint8_t *const salt[],
		     const size_t saltlen[], uint64_t iterations, size_t dklen)
{
	if (!apfs_pbkdf2_usable(e) || n == 0 || n > apfs_pbkdf2_lanes(e) || iterations == 0 ||
	    iterations > UINT32_MAX || dklen == 0 || dklen > MAX_DKLEN)
		return true;
	for (unsigned l = 0; l < n; l++)
		if (!salt[l] && saltlen[l])
			return true;
	return false;
}

/* Output block blk (1-based) of every lane; lanes past n get the empty password and salt. */
static void run_block(struct lanes *w, enum apfs_pbkdf2_engine e, unsigned n,
		      const void *const pw[], const size_t pwlen[], const uint8_t *const salt[],
		      const size_t saltlen[], uint64_t iterations, uint32_t blk)
{
	static const uint8_t none[1];
	unsigned lanes = apfs_pbkdf2_lanes(e);

	for (unsigned l = 0; l < lanes; l++) {
		key_states(w, l < n ? pw[l] : NULL, l < n ? pwlen[l] : 0);
		load_lane(w, lanes, l, l < n && salt[l] ? salt[l] : none, l < n ? saltlen[l] : 0,
			  blk);
	}
	apfs_pbkdf2_iterate(e, w->inner, w->outer, w->u, w->t, (uint32_t)(iterations - 1));
	apfs_stack_wipe(ENGINE_STACK);
}

int apfs_pbkdf2_sha256_lanes_salted(enum apfs_pbkdf2_engine e, unsigned n,
				    const void *const pw[], const size_t pwlen[],
				    const uint8_t *const salt[], const size_t saltlen[],
				    uint64_t iterations, uint8_t *const dk[], size_t dklen)
{
	struct lanes *w;

	if (bad_args(e, n, salt, saltlen, iterations, dklen))
		return -EINVAL;
	w = apfs_secret_alloc(sizeof(*w));
	if (!w)
		return -ENOMEM;
	for (uint32_t blk = 1; (size_t)(blk - 1) * 32 < dklen; blk++) {
		size_t at = (size_t)(blk - 1) * 32, len = dklen - at < 32 ? dklen - at : 32;

		run_block(w, e, n, pw, pwlen, salt, saltlen, iterations, blk);
		for (unsigned l = 0; l < n; l++)
			store_lane(w, apfs_pbkdf2_lanes(e), l, dk[l] + at, len);
	}
	apfs_secret_free(w);
	return 0;
}

int apfs_pbkdf2_sha256_lanes(enum apfs_pbkdf2_engine e, unsigned n, const void *const pw[],
			     const size_t pwlen[], const uint8_t *salt, size_t saltlen,
			     uint64_t iterations, uint8_t *const dk[], size_t dklen)
{
	const uint8_t *salts[APFS_PBKDF2_MAX_LANES];
	size_t lens[APFS_PBKDF2_MAX_LANES];

	if (n == 0 || n > APFS_PBKDF2_MAX_LANES)
		return -EINVAL;
	for (unsigned l = 0; l < n; l++)
		salts[l] = salt, lens[l] = saltlen;
	return apfs_pbkdf2_sha256_lanes_salted(e, n, pw, pwlen, salts, lens, iterations, dk, dklen);
}
