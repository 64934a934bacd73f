/*
 * test_xts.c - every XTS engine (VAES on 512- and 256-bit registers,
 * AES-NI, and the bulk AES-ECB fallback, each forced with
 * apfs_xts_new_engine's ceiling) against OpenSSL's own EVP_aes_128_xts, one
 * 512-byte unit per call with the unit number as tweak (the reference form):
 * every unit count around the 4-unit VAES groups, the 8-unit AES-NI lanes
 * and the 128-unit ECB batches, unit numbers across 2^32 and 2^64,
 * unaligned buffers; encrypt/decrypt round trips with equal key halves
 * (keybags), which OpenSSL refuses to encrypt with but does decrypt.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/bytes.h"
#include "cipher/xts_int.h"

static void ref_xts(const uint8_t key[32], uint8_t *buf, size_t len, uint64_t unit, int enc)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t iv[16];
	int outl;

	assert_non_null(ctx);
	for (size_t i = 0; i < len / 512; i++) {
		memset(iv, 0, 16);
		st_le64(iv, unit + i);
		assert_int_equal(EVP_CipherInit_ex(ctx, EVP_aes_128_xts(), NULL, key, iv, enc), 1);
		assert_int_equal(EVP_CipherUpdate(ctx, buf + 512 * i, &outl, buf + 512 * i, 512), 1);
	}
	EVP_CIPHER_CTX_free(ctx);
}

static void fill(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

/*
 * The kernel's view of the CPU, independent of the library's CPUID code:
 * /proc/cpuinfo lists a flag only when the CPU has it and the kernel
 * enabled its register state (it clears the AVX flags without XSAVE).
 */
static bool cpu_flags(const char *const *want)
{
	char line[8192], word[64];
	FILE *f = fopen("/proc/cpuinfo", "r");
	bool ok = false;

	while (f && !ok && fgets(line, sizeof(line), f))
		ok = strncmp(line, "flags", 5) == 0;
	if (f)
		fclose(f);
	if (ok)
		line[strcspn(line, "\n")] = ' ';
	for (; ok && *want; want++) {
		snprintf(word, sizeof(word), " %s ", *want);
		ok = strstr(line, word) != NULL;
	}
	return ok;
}

static bool cpu_has_aesni(void)
{
	static const char *const f[] = { "aes", "sse4_1", NULL };

	return cpu_flags(f);
}

/* And the VAES ones: AVX2 with VAES and VPCLMULQDQ; the 512-bit one AVX-512 F/BW/VL too. */
static bool cpu_has_vaes256(void)
{
	static const char *const f[] = { "aes", "sse4_1", "avx2", "vaes", "vpclmulqdq", NULL };

	return cpu_flags(f);
}

static bool cpu_has_vaes(void)
{
	static const char *const f[] = { "avx512f", "avx512bw", "avx512vl", NULL };

	return cpu_has_vaes256() && cpu_flags(f);
}

/* The engine a key gets when at most max is allowed, by this test's own reckoning. */
static enum apfs_xts_engine expected_engine(enum apfs_xts_engine max)
{
	if (max >= APFS_XTS_VAES && cpu_has_vaes())
		return APFS_XTS_VAES;
	if (max >= APFS_XTS_VAES256 && cpu_has_vaes256())
		return APFS_XTS_VAES256;
	if (max >= APFS_XTS_AESNI && cpu_has_aesni())
		return APFS_XTS_AESNI;
	return APFS_XTS_ECB;
}

/* len bytes at buf + skew (skew < 16: unaligned loads) against the reference, both ways. */
static void check_one(struct apfs_xts *x, const uint8_t key[32], size_t len, uint64_t unit,
		      size_t skew, unsigned seed)
{
	uint8_t *a = malloc(len), *mem = malloc(len + 16), *b = mem + skew;

	assert_non_null(a);
	assert_non_null(mem);
	fill(a, len, seed);
	memcpy(b, a, len);
	ref_xts(key, a, len, unit, 0);
	assert_int_equal(apfs_xts_decrypt(x, b, len, unit), 0);
	assert_memory_equal(a, b, len);
	fill(a, len, seed + 1000);
	memcpy(b, a, len);
	ref_xts(key, a, len, unit, 1);
	assert_int_equal(apfs_xts_encrypt(x, b, len, unit), 0);
	assert_memory_equal(a, b, len);
	free(a);
	free(mem);
}

static void check_engine(enum apfs_xts_engine engine)
{
	static const size_t units[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 15, 16, 17, 24, 127, 128, 129,
					300, 2048 };
	static const uint64_t firsts[] = {
		0, 1, 8 * 5 + 1, 0xfffffffdull, (1ull << 40) + 3, (1ull << 63) + 5, UINT64_MAX - 3,
	};
	uint8_t key[32];
	struct apfs_xts *x;
	unsigned seed = 1;

	fill(key, 32, 7);
	assert_int_equal(apfs_xts_new_engine(key, key + 16, engine, &x), 0);
	assert_int_equal(apfs_xts_engine(x), engine);
	for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++)
		for (size_t f = 0; f < sizeof(firsts) / sizeof(firsts[0]); f++, seed++)
			if (units[u] <= 300 || f == 4)  /* 1 MiB once: the reference is slow */
				check_one(x, key, units[u] * 512, firsts[f], seed % 16, seed);
	apfs_xts_free(x);
}

static void test_vaes_matches_openssl(void **state)
{
	(void)state;
	if (!cpu_has_vaes())
		skip();
	check_engine(APFS_XTS_VAES);
}

static void test_vaes256_matches_openssl(void **state)
{
	(void)state;
	if (!cpu_has_vaes256())
		skip();
	check_engine(APFS_XTS_VAES256);
}

static void test_aesni_matches_openssl(void **state)
{
	(void)state;
	if (!cpu_has_aesni())
		skip();
	check_engine(APFS_XTS_AESNI);
}

static void test_ecb_matches_openssl(void **state)
{
	(void)state;
	check_engine(APFS_XTS_ECB);
}

/* apfs_xts_new() picks the fastest engine the CPU has. */
static void test_default_engine(void **state)
{
	uint8_t key[32];
	struct apfs_xts *x;

	(void)state;
	fill(key, 32, 9);
	assert_int_equal(apfs_xts_new(key, key + 16, &x), 0);
	assert_int_equal(apfs_xts_engine(x), expected_engine(APFS_XTS_VAES));
	assert_int_equal(apfs_xts_decrypt(x, key, 0, 5), 0);
	assert_int_equal(apfs_xts_decrypt(x, key, 100, 0), -EINVAL);
	assert_int_equal(apfs_xts_encrypt(x, key, 513, 0), -EINVAL);
	apfs_xts_free(x);
	assert_int_equal(apfs_xts_engine(NULL), APFS_XTS_ECB);
	assert_string_equal(apfs_xts_engine_name(APFS_XTS_VAES), "vaes-avx512");
}

/* APFSINSPECT_XTS_ENGINE caps the engine apfs_xts_new() picks; unknown values do not. */
static void test_engine_cap(void **state)
{
	static const struct { const char *val; enum apfs_xts_engine max; } cases[] = {
		{ "aes-ecb", APFS_XTS_ECB }, { "aes-ni", APFS_XTS_AESNI },
		{ "vaes-avx2", APFS_XTS_VAES256 }, { "vaes-avx512", APFS_XTS_VAES },
		{ "bogus", APFS_XTS_VAES },
	};
	uint8_t key[32];
	struct apfs_xts *x;

	(void)state;
	fill(key, 32, 11);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(setenv("APFSINSPECT_XTS_ENGINE", cases[i].val, 1), 0);
		assert_int_equal(apfs_xts_new(key, key + 16, &x), 0);
		assert_int_equal(apfs_xts_engine(x), expected_engine(cases[i].max));
		check_one(x, key, 4096 + 512, 77, 3, (unsigned)i);
		apfs_xts_free(x);
	}
	unsetenv("APFSINSPECT_XTS_ENGINE");
}

/*
 * Keybags: key UUID || UUID.  Each engine encrypts; OpenSSL (which accepts
 * equal halves for decryption only) must get the plaintext back, and so must
 * every engine.
 */
static void test_equal_halves_round_trip(void **state)
{
	static const uint64_t firsts[] = { 172 * 8, 0xfffffffcull, UINT64_MAX - 9 };
	const size_t n = 19 * 512;
	uint8_t key[32], *p = malloc(n), *q = malloc(n), *r = malloc(n);
	struct apfs_xts *x[APFS_XTS_VAES + 1];
	const int ne = APFS_XTS_VAES + 1;

	(void)state;
	fill(key, 16, 3);
	memcpy(key + 16, key, 16);
	fill(p, n, 4);
	for (int e = 0; e < ne; e++)
		assert_int_equal(apfs_xts_new_engine(key, key, (enum apfs_xts_engine)e, &x[e]), 0);
	for (size_t f = 0; f < sizeof(firsts) / sizeof(firsts[0]); f++) {
		for (int e = 0; e < ne; e++) {
			memcpy(q, p, n);
			assert_int_equal(apfs_xts_encrypt(x[e], q, n, firsts[f]), 0);
			assert_memory_not_equal(p, q, n);
			memcpy(r, q, n);
			ref_xts(key, r, n, firsts[f], 0);
			assert_memory_equal(p, r, n);
			for (int d = 0; d < ne; d++) {
				memcpy(r, q, n);
				assert_int_equal(apfs_xts_decrypt(x[d], r, n, firsts[f]), 0);
				assert_memory_equal(p, r, n);
			}
		}
	}
	for (int e = 0; e < ne; e++)
		apfs_xts_free(x[e]);
	free(p);
	free(q);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vaes_matches_openssl),
		cmocka_unit_test(test_vaes256_matches_openssl),
		cmocka_unit_test(test_aesni_matches_openssl),
		cmocka_unit_test(test_ecb_matches_openssl),
		cmocka_unit_test(test_default_engine),
		cmocka_unit_test(test_engine_cap),
		cmocka_unit_test(test_equal_halves_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
