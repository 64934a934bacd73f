/* SPDX-License-Identifier: MIT */
/*
 * xts.c - AES-XTS-128 over 512-byte units.
 *
 * Built on OpenSSL's AES-128-ECB (AES-NI) rather than EVP_aes_128_xts: APFS
 * restarts the tweak every 512 bytes, which would cost one XTS call per unit,
 * and OpenSSL refuses XTS encryption with key1 == key2, which is exactly what
 * container and volume keybags use.  Template contexts hold the key
 * schedules; each call works on copies, so threads never share cipher state.
 * On x86 CPUs with AES-NI, xts_aesni.c (or with VAES, xts_vaes.c) does the
 * work instead, from round keys computed here once; this file's
 * AES-ECB path is the fallback.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"
#include "util/err.h"
#include "util/secmem.h"
#include "cipher/xts_int.h"

struct apfs_xts {
	uint64_t id;           /* unique per key: tags its plaintext in the block cache */
	EVP_CIPHER_CTX *dec1;  /* AES-128-ECB decrypt, data key (template) */
	EVP_CIPHER_CTX *ecb1;  /* AES-128-ECB encrypt, data key */
	EVP_CIPHER_CTX *ecb2;  /* AES-128-ECB encrypt, tweak key */
	enum apfs_xts_engine engine;  /* above ECB: rk set, contexts NULL */
	struct apfs_xts_rk rk;
};

/*
 * Stack the SIMD engines may leave key material in (spilled round keys and
 * tweaks), wiped after each call: their deepest frames, measured with
 * gcc -fstack-usage (AES-NI 360 bytes, VAES 2240 with its broadcast keys),
 * with room for other compilers' choices.  The wipe costs little: a 4 KiB
 * node decrypts in about 0.4 us.
 */
#define AESNI_STACK 768
#define VAES_STACK 3072

/* Never reused, unlike an address: a freed key's plaintext can never be
 * mistaken for a later key's in the cache. */
static _Atomic uint64_t next_id = 1;

uint64_t apfs_xts_id(const struct apfs_xts *x)
{
	return x ? x->id : 0;
}

static EVP_CIPHER_CTX *ecb_ctx(const uint8_t key[16], int enc)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	if (!ctx)
		return NULL;
	if (EVP_CipherInit_ex(ctx, EVP_aes_128_ecb(), NULL, key, NULL, enc) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	EVP_CIPHER_CTX_set_padding(ctx, 0);
	return ctx;
}

/**
 * apfs_xts_new_engine - apfs_xts_new(), optionally kept off AES-NI
 * @key1:        the data key
 * @key2:        the tweak key
 * @max:         the fastest engine allowed (tests and benchmarks force slower ones)
 * @out:         the new key, for apfs_xts_free()
 *
 * Returns 0 or -ENOMEM.
 */
int apfs_xts_new_engine(const uint8_t key1[16], const uint8_t key2[16],
			enum apfs_xts_engine max, struct apfs_xts **out)
{
	/* Key memory: never in a core dump, locked where allowed; 16-aligned,
	 * as AESDEC reads the round keys straight from x->rk. */
	struct apfs_xts *x = apfs_secret_alloc(sizeof(*x));

	if (!x)
		return -ENOMEM;
	x->id = atomic_fetch_add(&next_id, 1);
	if (max >= APFS_XTS_VAES && apfs_xts_vaes_usable(APFS_XTS_VAES))
		x->engine = APFS_XTS_VAES;
	else if (max >= APFS_XTS_VAES256 && apfs_xts_vaes_usable(APFS_XTS_VAES256))
		x->engine = APFS_XTS_VAES256;
	else if (max >= APFS_XTS_AESNI && apfs_xts_aesni_usable())
		x->engine = APFS_XTS_AESNI;
	if (x->engine != APFS_XTS_ECB) {
		apfs_xts_aesni_setkey(&x->rk, key1, key2);
		apfs_stack_wipe(AESNI_STACK);
		*out = x;
		return 0;
	}
	x->dec1 = ecb_ctx(key1, 0);
	x->ecb1 = ecb_ctx(key1, 1);
	x->ecb2 = ecb_ctx(key2, 1);
	if (!x->dec1 || !x->ecb1 || !x->ecb2) {
		apfs_xts_free(x);
		return -ENOMEM;
	}
	*out = x;
	return 0;
}

/*
 * APFSINSPECT_XTS_ENGINE=vaes-avx2, aes-ni or aes-ecb caps the engine, as
 * OPENSSL_ia32cap does OpenSSL's: to measure or check the slower engines
 * (which CPUs without AVX-512, VAES or AES-NI get) on a machine that has
 * them all.
 */
static enum apfs_xts_engine engine_cap(void)
{
	const char *e = getenv("APFSINSPECT_XTS_ENGINE");

	for (int i = APFS_XTS_ECB; e && i < APFS_XTS_VAES; i++)
		if (!strcmp(e, apfs_xts_engine_name((enum apfs_xts_engine)i)))
			return (enum apfs_xts_engine)i;
	return APFS_XTS_VAES;
}

int apfs_xts_new(const uint8_t key1[16], const uint8_t key2[16], struct apfs_xts **out)
{
	return apfs_xts_new_engine(key1, key2, engine_cap(), out);
}

enum apfs_xts_engine apfs_xts_engine(const struct apfs_xts *x)
{
	return x ? x->engine : APFS_XTS_ECB;
}

const char *apfs_xts_engine_name(enum apfs_xts_engine e)
{
	static const char *const names[] = {
		[APFS_XTS_ECB] = "aes-ecb", [APFS_XTS_AESNI] = "aes-ni",
		[APFS_XTS_VAES256] = "vaes-avx2", [APFS_XTS_VAES] = "vaes-avx512",
	};

	return (unsigned)e <= APFS_XTS_VAES ? names[e] : "?";
}

/* Whole units through the key's SIMD engine; its stack wiped after. */
static void simd_crypt(const struct apfs_xts *x, uint8_t *buf, size_t len, uint64_t first_unit,
		       bool enc)
{
	if (x->engine >= APFS_XTS_VAES256) {
		apfs_xts_vaes_crypt(&x->rk, x->engine, buf, len / APFS_XTS_UNIT, first_unit, enc);
		apfs_stack_wipe(VAES_STACK);
		return;
	}
	apfs_xts_aesni_crypt(&x->rk, buf, len / APFS_XTS_UNIT, first_unit, enc);
	apfs_stack_wipe(AESNI_STACK);
}

void apfs_xts_free(struct apfs_xts *x)
{
	if (!x)
		return;
	EVP_CIPHER_CTX_free(x->dec1);
	EVP_CIPHER_CTX_free(x->ecb1);
	EVP_CIPHER_CTX_free(x->ecb2);
	apfs_secret_free(x);
}


/*
 * Bulk XTS.  Each 512-byte unit restarts the tweak at its own unit number,
 * so OpenSSL's XTS (one tweak per call) would need a call per 512 bytes and
 * runs at a third of AES-NI speed.  Instead, for a batch of units: encrypt
 * all their tweak numbers in one ECB call, expand each into its 32 block
 * tweaks (multiplication by x in GF(2^128), IEEE 1619), XOR, run one bulk ECB
 * call over the whole batch, XOR again.
 */
#define BATCH_UNITS 128  /* 64 KiB of data: stays in L2 */

/* Expand one unit's tweak into its 32 block tweaks, XORing them into buf. */
static void expand_tweaks(const uint8_t *t0, uint8_t *tw, uint8_t *buf)
{
	uint64_t lo = ld_le64(t0), hi = ld_le64(t0 + 8);

	for (int j = 0; j < APFS_XTS_UNIT / 16; j++) {
		uint64_t carry = hi >> 63;

		st_le64(tw + 16 * j, lo);
		st_le64(tw + 16 * j + 8, hi);
		st_le64(buf + 16 * j, ld_le64(buf + 16 * j) ^ lo);
		st_le64(buf + 16 * j + 8, ld_le64(buf + 16 * j + 8) ^ hi);
		hi = hi << 1 | lo >> 63;
		lo = lo << 1 ^ (carry ? 0x87 : 0);
	}
}

/* XOR is byte-order blind: host words via memcpy let the compiler vectorise. */
static void xor_into(uint8_t *dst, const uint8_t *src, size_t len)
{
	for (size_t i = 0; i < len; i += 16) {
		uint64_t a[2], b[2];

		memcpy(a, dst + i, 16);
		memcpy(b, src + i, 16);
		a[0] ^= b[0];
		a[1] ^= b[1];
		memcpy(dst + i, a, 16);
	}
}

static int ecb_run(EVP_CIPHER_CTX *ctx, uint8_t *buf, size_t len)
{
	int outl = 0;

	return EVP_CipherUpdate(ctx, buf, &outl, buf, (int)len) == 1 && (size_t)outl == len ?
	       0 : -EIO;
}

static int xts_batch(EVP_CIPHER_CTX *tctx, EVP_CIPHER_CTX *dctx, uint8_t *buf, size_t units,
		     uint64_t first_unit, uint8_t *tw)
{
	uint8_t t0[BATCH_UNITS * 16];
	int ret;

	memset(t0, 0, units * 16);
	for (size_t i = 0; i < units; i++)
		st_le64(t0 + 16 * i, first_unit + i);
	ret = ecb_run(tctx, t0, units * 16);
	for (size_t i = 0; !ret && i < units; i++)
		expand_tweaks(t0 + 16 * i, tw + i * APFS_XTS_UNIT, buf + i * APFS_XTS_UNIT);
	/* The encrypted unit numbers are the tweaks: key-derived, not for the stack. */
	OPENSSL_cleanse(t0, units * 16);
	if (ret)
		return ret;
	ret = ecb_run(dctx, buf, units * APFS_XTS_UNIT);
	xor_into(buf, tw, units * APFS_XTS_UNIT);
	return ret;
}

static int xts_bulk(struct apfs_xts *x, EVP_CIPHER_CTX *data_key, uint8_t *buf, size_t len,
		    uint64_t first_unit)
{
	EVP_CIPHER_CTX *tctx = EVP_CIPHER_CTX_new(), *dctx = EVP_CIPHER_CTX_new();
	size_t units = len / APFS_XTS_UNIT;
	/* Tweaks of one batch at most: a 4 KiB node needs 4 KiB, not 64. */
	size_t twlen = (units < BATCH_UNITS ? units : BATCH_UNITS) * APFS_XTS_UNIT;
	uint8_t *tw = malloc(twlen ? twlen : 1);
	int ret = 0;

	/* Private copies of the key schedules: callers may be on many threads. */
	if (!tctx || !dctx || !tw || EVP_CIPHER_CTX_copy(tctx, x->ecb2) != 1 ||
	    EVP_CIPHER_CTX_copy(dctx, data_key) != 1)
		ret = -ENOMEM;
	for (size_t u = 0; !ret && u < units; u += BATCH_UNITS) {
		size_t n = units - u < BATCH_UNITS ? units - u : BATCH_UNITS;

		ret = xts_batch(tctx, dctx, buf + u * APFS_XTS_UNIT, n, first_unit + u, tw);
	}
	if (tw)
		OPENSSL_cleanse(tw, twlen);
	free(tw);
	EVP_CIPHER_CTX_free(tctx);
	EVP_CIPHER_CTX_free(dctx);
	return ret;
}

int apfs_xts_decrypt(struct apfs_xts *x, uint8_t *buf, size_t len, uint64_t first_unit)
{
	if (len % APFS_XTS_UNIT)
		return -EINVAL;
	if (x->engine != APFS_XTS_ECB) {
		simd_crypt(x, buf, len, first_unit, false);
		return 0;
	}
	return xts_bulk(x, x->dec1, buf, len, first_unit);
}

int apfs_xts_encrypt(struct apfs_xts *x, uint8_t *buf, size_t len, uint64_t first_unit)
{
	if (len % APFS_XTS_UNIT)
		return -EINVAL;
	if (x->engine != APFS_XTS_ECB) {
		simd_crypt(x, buf, len, first_unit, true);
		return 0;
	}
	return xts_bulk(x, x->ecb1, buf, len, first_unit);
}
