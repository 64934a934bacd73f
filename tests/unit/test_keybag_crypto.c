/* SPDX-License-Identifier: MIT */
/*
 * test_keybag_crypto.c - keybag/crypto.c against published vectors:
 * RFC 3394 §4, apfs-fuse #147 (docs/apfs-format.md §5.9), the §4.6 HMAC
 * vector, and the hashcat 18300 / JtR fvde self-test hashes (§7).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "testutil.h"

#include "keybag/crypto.h"

/* Decode hex (no separators) into out; returns the byte count. */

static void assert_hex(const uint8_t *got, size_t len, const char *want)
{
	uint8_t w[128];

	assert_int_equal(unhex(want, w, sizeof(w)), len);
	assert_memory_equal(got, w, len);
}

/* RFC 3394 §4.1: 128-bit key data, 128-bit KEK. */
static void test_rfc3394_128(void **state)
{
	uint8_t kek[16], data[16], out[24], back[16];

	(void)state;
	unhex("000102030405060708090A0B0C0D0E0F", kek, 16);
	unhex("00112233445566778899AABBCCDDEEFF", data, 16);
	assert_int_equal(kb_aes_wrap(kek, 16, data, 16, out), 0);
	assert_hex(out, 24, "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5");
	assert_int_equal(kb_aes_unwrap(kek, 16, out, 24, back), 0);
	assert_memory_equal(back, data, 16);
}

/* RFC 3394 §4.3 and §4.6: 128- and 256-bit key data, 256-bit KEK. */
static void test_rfc3394_256(void **state)
{
	uint8_t kek[32], data[32], out[40], back[32];

	(void)state;
	unhex("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F", kek, 32);
	unhex("00112233445566778899AABBCCDDEEFF", data, 16);
	assert_int_equal(kb_aes_wrap(kek, 32, data, 16, out), 0);
	assert_hex(out, 24, "64E8C3F9CE0F5BA263E9777905818A2A93C8191E7D6E8AE7");
	unhex("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F", data, 32);
	assert_int_equal(kb_aes_wrap(kek, 32, data, 32, out), 0);
	assert_hex(out, 40, "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326"
			    "CBC7F0E71A99F43BFB988B9B7A02DD21");
	assert_int_equal(kb_aes_unwrap(kek, 32, out, 40, back), 0);
	assert_memory_equal(back, data, 32);
}

static void test_unwrap_rejects(void **state)
{
	uint8_t kek[16], w[24], out[16];

	(void)state;
	unhex("000102030405060708090A0B0C0D0E0F", kek, 16);
	unhex("1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5", w, 24);
	w[23] ^= 1;
	assert_int_equal(kb_aes_unwrap(kek, 16, w, 24, out), -EKEYREJECTED);
	w[23] ^= 1;
	kek[0] ^= 0x80;
	assert_int_equal(kb_aes_unwrap(kek, 16, w, 24, out), -EKEYREJECTED);
}

/*
 * Wrapped by OpenSSL's own RFC 3394 wrap with an integrity value that differs
 * from A6A6A6A6A6A6A6A6 only in its last byte: every one of the 8 bytes is
 * checked, not a prefix.
 */
static void test_unwrap_iv_last_byte(void **state)
{
	static const uint8_t iv[8] = { 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa7 };
	uint8_t kek[16], data[16], w[24], out[16];
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0;

	(void)state;
	unhex("000102030405060708090A0B0C0D0E0F", kek, 16);
	unhex("00112233445566778899AABBCCDDEEFF", data, 16);
	assert_non_null(ctx);
	assert_int_equal(EVP_EncryptInit_ex(ctx, EVP_aes_128_wrap(), NULL, kek, iv), 1);
	assert_int_equal(EVP_EncryptUpdate(ctx, w, &n, data, 16), 1);
	assert_int_equal(n, 24);
	EVP_CIPHER_CTX_free(ctx);
	assert_int_equal(kb_aes_unwrap(kek, 16, w, 24, out), -EKEYREJECTED);
}

static void test_bad_sizes(void **state)
{
	uint8_t k[32] = { 0 }, buf[48] = { 0 }, out[48];

	(void)state;
	assert_int_equal(kb_aes_unwrap(k, 15, buf, 24, out), -EINVAL);
	assert_int_equal(kb_aes_unwrap(k, 16, buf, 23, out), -EINVAL);
	assert_int_equal(kb_aes_unwrap(k, 16, buf, 25, out), -EINVAL); /* 3 blocks and a byte */
	assert_int_equal(kb_aes_unwrap(k, 16, buf, 16, out), -EINVAL); /* n = 1 */
	assert_int_equal(kb_aes_unwrap(k, 16, buf, 0, out), -EINVAL);
	assert_int_equal(kb_aes_wrap(k, 16, buf, 8, out), -EINVAL);
	assert_int_equal(kb_aes_wrap(k, 16, buf, 12, out), -EINVAL);
	assert_int_equal(kb_pbkdf2_sha256("x", 1, buf, 16, 0, out, 32), -EINVAL);
	assert_int_equal(kb_pbkdf2_sha256("x", 1, buf, 16, 1ull << 32, out, 32), -EINVAL);
}

/* apfs-fuse #147: password "stellar" → dk → KEK → VEK (§5.9). */
static void test_apfs_fuse_147(void **state)
{
	uint8_t salt[16], wkek[40], wvek[40], dk[32], kek[32], vek[32];

	(void)state;
	unhex("30985112E6235BBAAF029BD9460EDBF3", salt, 16);
	unhex("5F40E757A4B8B3D39CE6DE06D34D89A40F00BE67BF6D9D2E0A2DB6EA761E5F1019D8B07E286B4A7A",
	      wkek, 40);
	unhex("85BD643CC2A38C14568DFD4CD1F38F1720E106922CA32A8FE8D440F6BC6827B138A7C7BFE4367C1B",
	      wvek, 40);
	assert_int_equal(kb_pbkdf2_sha256("stellar", 7, salt, 16, 186082, dk, 32), 0);
	assert_hex(dk, 32, "4132f30b2a0792c8443bceab9677cc7b37ed1ffdcb05df248e504b6ed01c3613");
	assert_int_equal(kb_aes_unwrap(dk, 32, wkek, 40, kek), 0);
	assert_hex(kek, 32, "c07da03e2cdb1938b3c0446e1be983ea7d83b5e23eb5b71a646ebd00c4b1b4cc");
	assert_int_equal(kb_aes_unwrap(kek, 32, wvek, 40, vek), 0);
	assert_hex(vek, 32, "3bca637f33ac7b5ecbd0388edbe8ae0552df388bb63aa2d4c1d8cdbfe7c38228");

	/* A wrong password is the integrity-check failure, nothing else. */
	assert_int_equal(kb_pbkdf2_sha256("stellaR", 7, salt, 16, 186082, dk, 32), 0);
	assert_int_equal(kb_aes_unwrap(dk, 32, wkek, 40, kek), -EKEYREJECTED);
}

/* $fvde$2$16$salt$iter$wrapped: PBKDF2 → AES-256 unwrap → A6 check (§7). */
static void check_fvde2(const char *pw, const char *salt_hex, uint64_t iter, const char *w_hex)
{
	uint8_t salt[16], w[40], dk[32], kek[32];

	unhex(salt_hex, salt, 16);
	unhex(w_hex, w, 40);
	assert_int_equal(kb_pbkdf2_sha256(pw, strlen(pw), salt, 16, iter, dk, 32), 0);
	assert_int_equal(kb_aes_unwrap(dk, 32, w, 40, kek), 0);
	dk[0] ^= 1;
	assert_int_equal(kb_aes_unwrap(dk, 32, w, 40, kek), -EKEYREJECTED);
}

static void test_hashcat_selftest(void **state)
{
	(void)state;
	check_fvde2("hashcat", "58778104701476542047675521040224", 20000,
		    "39602e86b7cea4a34f4ff69ff6ed706d68954ee474de1d2a"
		    "9f6a6f2d24d172001e484c1d4eaa237d");
}

static void test_jtr_selftest(void **state)
{
	(void)state;
	check_fvde2("openwall", "0d7426917b673738a1e39c987ec0f477", 181461,
		    "450319e1181941d5fb77d2a200c03ace7ebec71b76c56cb9"
		    "faa9216403aa6be9df2118ddcac19c62");
}

/* §4.6: hmac_key = SHA-256(01 16 20 17 15 05 || salt); HMAC over all of [3]. */
static void test_blob_hmac_vector(void **state)
{
	uint8_t pre[14], key[32], blob[75], mac[32];

	(void)state;
	unhex("0116201715051CBE2A592B4361DD", pre, sizeof(pre));
	unhex("A349800100" "81105FF0B63B00C440FF8120B2871B9E1C4D" "82080000000001001712"
	      "832861A83AC52732E9634E36A2FDB241FADAF134BD1B7CCAAEFC730954CC0775"
	      "4BB01A32F37B33B5DB74",
	      blob, sizeof(blob));
	assert_int_equal(kb_sha256(pre, sizeof(pre), key), 0);
	assert_int_equal(kb_hmac_sha256(key, 32, blob, sizeof(blob), mac), 0);
	assert_hex(mac, 32, "D67E60BFA4857A9B4F75D43C39B9A366D339671CBED25118803CB455C52EAF6D");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3394_128),
		cmocka_unit_test(test_rfc3394_256),
		cmocka_unit_test(test_unwrap_rejects),
		cmocka_unit_test(test_unwrap_iv_last_byte),
		cmocka_unit_test(test_bad_sizes),
		cmocka_unit_test(test_apfs_fuse_147),
		cmocka_unit_test(test_hashcat_selftest),
		cmocka_unit_test(test_jtr_selftest),
		cmocka_unit_test(test_blob_hmac_vector),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
