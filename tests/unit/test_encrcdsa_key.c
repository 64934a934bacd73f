/* SPDX-License-Identifier: MIT */
/*
 * test_encrcdsa_key.c - image/encrcdsa_key.c at the edges of its checks on
 * the unwrapped key blob (docs/containers.md §3): PKCS#7 padding of 1..8
 * bytes, and at least key_bits / 8 + 20 + 5 bytes ending in "CKIE" and one
 * byte.  Each blob is 3DES-EDE-CBC encrypted here with OpenSSL under the
 * PBKDF2-HMAC-SHA1 key of a password (one iteration: the derivation itself
 * is tested on Apple's images by containers_encrypted), so what encr_unwrap
 * sees after decrypting is exactly the bytes written below.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "util/err.h"
#include "image/encrcdsa.h"

static const char PW[] = "edge";

/* An entry whose blob decrypts to plain[0..len) (len a multiple of 8). */
static void wrap(struct encr_pwentry *e, const uint8_t *plain, size_t len)
{
	uint8_t kek[ENCR_KEK];
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int l1 = 0, l2 = 0;

	assert_non_null(c);
	assert_true(len % 8 == 0 && len <= ENCR_BLOB_MAX);
	memset(e, 0, sizeof(*e));
	e->iterations = 1;
	e->salt_len = 20;
	memset(e->salt, 0x5a, 20);
	e->iv_len = 8;
	memset(e->iv, 0xa5, 8);
	e->blob_len = (uint32_t)len;
	assert_true(PKCS5_PBKDF2_HMAC(PW, (int)strlen(PW), e->salt, 20, 1, EVP_sha1(), ENCR_KEK,
				      kek));
	assert_true(EVP_EncryptInit_ex(c, EVP_des_ede3_cbc(), NULL, kek, e->iv));
	EVP_CIPHER_CTX_set_padding(c, 0);
	assert_true(EVP_EncryptUpdate(c, e->blob, &l1, plain, (int)len));
	assert_true(EVP_EncryptFinal_ex(c, e->blob + l1, &l2));
	assert_int_equal((size_t)(l1 + l2), len);
	EVP_CIPHER_CTX_free(c);
}

/*
 * A blob: the 16-byte AES key (0x11), the 20-byte HMAC key (0x22), then
 * `extra` bytes, "CKIE", one byte, and `pad` bytes of value padval.
 */
static size_t blob(uint8_t *p, size_t extra, size_t pad, uint8_t padval)
{
	size_t n = 0;

	memset(p, 0x11, 16);
	memset(p + 16, 0x22, 20);
	n = 36;
	memset(p + n, 0x33, extra);
	n += extra;
	memcpy(p + n, "CKIE", 4);
	p[n + 4] = 0x01;
	n += 5;
	memset(p + n, padval, pad);
	return n + pad;
}

static int unwrap(const uint8_t *plain, size_t len, struct encr_keys *k)
{
	struct encr_pwentry e;

	wrap(&e, plain, len);
	memset(k, 0, sizeof(*k));
	return encr_unwrap(&e, PW, strlen(PW), 128, k);
}

/* 41 bytes (16 + 20 + 5, the least) are the keys; 40 (a 19-byte HMAC key) are not. */
static void test_blob_length_edge(void **state)
{
	uint8_t p[64], want[20];
	struct encr_keys k;

	(void)state;
	assert_int_equal(blob(p, 0, 7, 7), 48);
	assert_int_equal(unwrap(p, 48, &k), 0);
	assert_int_equal(k.aes_len, 16);
	assert_int_equal(k.aes[15], 0x11);
	memset(want, 0x22, 20);
	assert_memory_equal(k.hmac, want, 20);
	/* The same layout one byte shorter: "CKIE" at 35, padded with 8. */
	memmove(p + 35, p + 36, 5);
	memset(p + 40, 8, 8);
	assert_int_equal(unwrap(p, 48, &k), -APFS_EREJECTED);
}

/*
 * Padding: 8 bytes of 8 is the most (a whole block); 9 bytes of 9 is not
 * PKCS#7 for a 64-bit block; a last byte 0 is no padding at all, though
 * "CKIE" and one byte end the blob there.
 */
static void test_padding_edges(void **state)
{
	uint8_t p[64];
	struct encr_keys k;

	(void)state;
	assert_int_equal(blob(p, 3, 8, 8), 52);     /* 44 + 8: not a multiple of 8 */
	assert_int_equal(blob(p, 7, 8, 8), 56);
	assert_int_equal(unwrap(p, 56, &k), 0);
	assert_int_equal(k.aes_len, 16);
	assert_int_equal(blob(p, 6, 9, 9), 56);
	assert_int_equal(unwrap(p, 56, &k), -APFS_EREJECTED);
	assert_int_equal(blob(p, 6, 1, 1), 48);
	assert_int_equal(unwrap(p, 48, &k), 0);
	assert_int_equal(blob(p, 7, 0, 0), 48);
	p[47] = 0;                                  /* "CKIE" then the byte 0 */
	assert_int_equal(unwrap(p, 48, &k), -APFS_EREJECTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blob_length_edge),
		cmocka_unit_test(test_padding_edges),
	};

	return cmocka_run_group_tests_name("encrcdsa_key", tests, NULL, NULL);
}
