/*
 * test_siphash.c - apfs_siphash24 against the SipHash paper's worked
 * example (appendix A: key 00..0f, message 00..0e, 0xa129ca6149be45e5) and
 * against OpenSSL's own SipHash-2-4 (EVP_MAC "SIPHASH", 8-byte output) on
 * every message length 0..64 and random keys and messages up to 1,100
 * bytes (a name of up to 1,024 bytes behind an inode number).
 */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/bytes.h"
#include "cipher/siphash.h"

static uint64_t ref_siphash(const uint8_t key[16], const uint8_t *msg, size_t len)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "SIPHASH", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	size_t size = 8, outl = 0;
	OSSL_PARAM params[] = { OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size),
				OSSL_PARAM_construct_end() };
	uint8_t out[8];

	assert_non_null(ctx);
	assert_int_equal(EVP_MAC_init(ctx, key, 16, params), 1);
	assert_int_equal(EVP_MAC_update(ctx, msg, len), 1);
	assert_int_equal(EVP_MAC_final(ctx, out, &outl, sizeof(out)), 1);
	assert_int_equal(outl, 8);
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ld_le64(out);
}

static void test_paper_vector(void **state)
{
	uint8_t key[16], msg[15];

	(void)state;
	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	assert_true(apfs_siphash24(ld_le64(key), ld_le64(key + 8), msg, 15) ==
		    0xa129ca6149be45e5ull);
}

static void test_against_openssl(void **state)
{
	uint8_t key[16], msg[1100];

	(void)state;
	srand(1);
	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	for (size_t len = 0; len <= 64; len++)
		assert_true(apfs_siphash24(ld_le64(key), ld_le64(key + 8), msg, len) ==
			    ref_siphash(key, msg, len));
	for (int t = 0; t < 2000; t++) {
		size_t len = (size_t)rand() % sizeof(msg);

		for (int i = 0; i < 16; i++)
			key[i] = (uint8_t)rand();
		for (size_t i = 0; i < len; i++)
			msg[i] = (uint8_t)rand();
		assert_true(apfs_siphash24(ld_le64(key), ld_le64(key + 8), msg, len) ==
			    ref_siphash(key, msg, len));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paper_vector),
		cmocka_unit_test(test_against_openssl),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
