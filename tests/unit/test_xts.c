/*
 * test_xts.c - both XTS engines (AES-NI, and the bulk AES-ECB fallback forced
 * with apfs_xts_new_engine(..., false, ...)) against OpenSSL's own
 * EVP_aes_128_xts, one 512-byte unit per call with the unit number as tweak
 * (the reference form): every unit count around the 8-unit lanes and the
 * 128-unit ECB batches, unit numbers across 2^32 and 2^64, unaligned
 * buffers; encrypt/decrypt round trips with equal key halves (keybags),
 * which OpenSSL refuses to encrypt with but does decrypt.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "apfs/bytes.h"
#include "apfs/xts_int.h"

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

/* Does this CPU run the AES-NI engine?  (Independent of the library's answer.) */
static bool cpu_has_aesni(void)
{
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
	return __builtin_cpu_supports("aes") && __builtin_cpu_supports("sse4.1");
#else
	return false;
#endif
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

static void check_engine(bool aesni)
{
	static const size_t units[] = { 1, 2, 7, 8, 9, 15, 16, 17, 24, 127, 128, 129, 300, 2048 };
	static const uint64_t firsts[] = {
		0, 1, 8 * 5 + 1, 0xfffffffdull, (1ull << 40) + 3, (1ull << 63) + 5, UINT64_MAX - 3,
	};
	uint8_t key[32];
	struct apfs_xts *x;
	unsigned seed = 1;

	fill(key, 32, 7);
	assert_int_equal(apfs_xts_new_engine(key, key + 16, aesni, &x), 0);
	assert_int_equal(apfs_xts_uses_aesni(x), aesni && cpu_has_aesni());
	for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++)
		for (size_t f = 0; f < sizeof(firsts) / sizeof(firsts[0]); f++, seed++)
			if (units[u] <= 300 || f == 4)  /* 1 MiB once: the reference is slow */
				check_one(x, key, units[u] * 512, firsts[f], seed % 16, seed);
	apfs_xts_free(x);
}

static void test_aesni_matches_openssl(void **state)
{
	(void)state;
	if (!cpu_has_aesni())
		skip();
	check_engine(true);
}

static void test_ecb_matches_openssl(void **state)
{
	(void)state;
	check_engine(false);
}

/* apfs_xts_new() picks AES-NI whenever the CPU has it. */
static void test_default_engine(void **state)
{
	uint8_t key[32];
	struct apfs_xts *x;

	(void)state;
	fill(key, 32, 9);
	assert_int_equal(apfs_xts_new(key, key + 16, &x), 0);
	assert_int_equal(apfs_xts_uses_aesni(x), cpu_has_aesni());
	assert_int_equal(apfs_xts_decrypt(x, key, 0, 5), 0);
	assert_int_equal(apfs_xts_decrypt(x, key, 100, 0), -EINVAL);
	assert_int_equal(apfs_xts_encrypt(x, key, 513, 0), -EINVAL);
	apfs_xts_free(x);
	assert_false(apfs_xts_uses_aesni(NULL));
}

/*
 * Keybags: key UUID || UUID.  Each engine encrypts; OpenSSL (which accepts
 * equal halves for decryption only) must get the plaintext back, and so must
 * both engines.
 */
static void test_equal_halves_round_trip(void **state)
{
	static const uint64_t firsts[] = { 172 * 8, 0xfffffffcull, UINT64_MAX - 9 };
	const size_t n = 19 * 512;
	uint8_t key[32], *p = malloc(n), *q = malloc(n), *r = malloc(n);
	struct apfs_xts *x[2];

	(void)state;
	fill(key, 16, 3);
	memcpy(key + 16, key, 16);
	fill(p, n, 4);
	assert_int_equal(apfs_xts_new_engine(key, key, true, &x[0]), 0);
	assert_int_equal(apfs_xts_new_engine(key, key, false, &x[1]), 0);
	for (size_t f = 0; f < sizeof(firsts) / sizeof(firsts[0]); f++) {
		for (int e = 0; e < 2; e++) {
			memcpy(q, p, n);
			assert_int_equal(apfs_xts_encrypt(x[e], q, n, firsts[f]), 0);
			assert_memory_not_equal(p, q, n);
			memcpy(r, q, n);
			ref_xts(key, r, n, firsts[f], 0);
			assert_memory_equal(p, r, n);
			for (int d = 0; d < 2; d++) {
				memcpy(r, q, n);
				assert_int_equal(apfs_xts_decrypt(x[d], r, n, firsts[f]), 0);
				assert_memory_equal(p, r, n);
			}
		}
	}
	apfs_xts_free(x[0]);
	apfs_xts_free(x[1]);
	free(p);
	free(q);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aesni_matches_openssl),
		cmocka_unit_test(test_ecb_matches_openssl),
		cmocka_unit_test(test_default_engine),
		cmocka_unit_test(test_equal_halves_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
