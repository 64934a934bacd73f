/*
 * test_xts.c - our bulk AES-XTS against OpenSSL's own EVP_aes_128_xts, one
 * 512-byte unit per call with the unit number as tweak (the reference form),
 * on every alignment of batch boundaries; encrypt/decrypt round trips with
 * equal key halves (keybags), which OpenSSL refuses to encrypt with.
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
#include "apfs/xts.h"

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

static void test_matches_openssl(void **state)
{
	static const size_t sizes[] = { 512, 4096, 65536, 65536 + 512, 300 * 512, 1 << 20 };
	uint8_t key[32];
	struct apfs_xts *x;

	(void)state;
	fill(key, 32, 7);
	assert_int_equal(apfs_xts_new(key, key + 16, &x), 0);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = sizes[s];
		uint8_t *a = malloc(n), *b = malloc(n);
		uint64_t unit = (s == 5) ? (1ull << 40) + 3 : 8 * s + 1;

		fill(a, n, (unsigned)s);
		memcpy(b, a, n);
		ref_xts(key, a, n, unit, 0);
		assert_int_equal(apfs_xts_decrypt(x, b, n, unit), 0);
		assert_memory_equal(a, b, n);
		fill(a, n, (unsigned)s + 100);
		memcpy(b, a, n);
		ref_xts(key, a, n, unit, 1);
		assert_int_equal(apfs_xts_encrypt(x, b, n, unit), 0);
		assert_memory_equal(a, b, n);
		free(a);
		free(b);
	}
	apfs_xts_free(x);
}

static void test_equal_halves_round_trip(void **state)
{
	uint8_t uuid[16], *p = malloc(8192), *q = malloc(8192);
	struct apfs_xts *x;

	(void)state;
	fill(uuid, 16, 3);
	fill(p, 8192, 4);
	memcpy(q, p, 8192);
	assert_int_equal(apfs_xts_new(uuid, uuid, &x), 0);
	assert_int_equal(apfs_xts_encrypt(x, q, 8192, 172 * 8), 0);
	assert_memory_not_equal(p, q, 8192);
	assert_int_equal(apfs_xts_decrypt(x, q, 8192, 172 * 8), 0);
	assert_memory_equal(p, q, 8192);
	assert_int_equal(apfs_xts_decrypt(x, q, 100, 0), -EINVAL);
	apfs_xts_free(x);
	free(p);
	free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches_openssl),
		cmocka_unit_test(test_equal_halves_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
