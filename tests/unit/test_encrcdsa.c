/* SPDX-License-Identifier: MIT */
/*
 * test_encrcdsa.c - the encrypted disk image layer (image/encrcdsa*.c) on
 * images built here in memory from the format description (containers.md
 * §3) with OpenSSL: unaligned reads across chunks and from several threads,
 * AES-128 and AES-256, the key entry found through its pointer (not at
 * 0x2A8), the header-and-data seam a sparse bundle uses, the passphrase
 * callback (candidates, none installed, wrong), and bounds checked before
 * any key is derived (the callback is never even asked).
 *
 * The shell test (tests/cli/containers_encrypted.sh) checks the same
 * format against Debian's vfdecrypt and python3-cryptography.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/bytes.h"
#include "util/err.h"
#include "image/dev.h"
#include "image/probe.h"
#include "testutil.h"

#define BS 4096u
#define KEY_AT 0x100u   /* not vfdecrypt's 0x2A8: the pointer must be followed */
#define DATA_AT 4096u
#define PLAIN_LEN (5 * BS + 1234) /* a partial last chunk */

static uint8_t plain[PLAIN_LEN];

/* ---- an in-memory device ---------------------------------------------------- */
struct mem {
	uint8_t *b;
};

static int mem_read(struct apfs_dev *dev, void *buf, size_t len, uint64_t off)
{
	memcpy(buf, ((struct mem *)dev->priv)->b + off, len);
	return 0;
}

static void mem_close(struct apfs_dev *dev)
{
	struct mem *m = dev->priv;

	free(m->b);
	free(m);
}

static const struct apfs_dev_ops mem_ops = { "memory", mem_read, mem_close };

static struct apfs_dev *mem_dev(const uint8_t *b, size_t len)
{
	struct mem *m = calloc(1, sizeof(*m));

	m->b = malloc(len ? len : 1);
	memcpy(m->b, b, len);
	return apfs_dev_new(&mem_ops, m, len, NULL, "mem.dmg");
}

/* ---- the image, written from the format description ------------------------ */
static const uint8_t aes_key[32] = "0123456789abcdefghijklmnopqrstu";
static const uint8_t hmac_key[20] = "HMAC-key-20-bytes..";
static const uint8_t salt[20] = "salt-salt-salt-salt";
static const uint8_t blob_iv[8] = "blob-iv";

static size_t wrapped_blob(unsigned key_bits, uint32_t iter, const char *pw, uint8_t *out)
{
	uint8_t p[64], kek[24];
	size_t n = key_bits / 8;
	int l1 = 0, l2 = 0;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();

	memcpy(p, aes_key, n);
	memcpy(p + n, hmac_key, 20);
	memcpy(p + n + 20, "CKIE", 5);  /* and its NUL */
	n += 25;
	memset(p + n, (int)(8 - n % 8), 8 - n % 8);
	n += 8 - n % 8;
	assert_true(PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw), salt, 20, (int)iter, EVP_sha1(), 24, kek));
	EVP_EncryptInit_ex(c, EVP_des_ede3_cbc(), NULL, kek, blob_iv);
	EVP_CIPHER_CTX_set_padding(c, 0);
	EVP_EncryptUpdate(c, out, &l1, p, (int)n);
	EVP_EncryptFinal_ex(c, out + l1, &l2);
	EVP_CIPHER_CTX_free(c);
	return n;
}

static void encrypt_chunks(unsigned key_bits, uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();

	for (uint32_t n = 0; n * BS < PLAIN_LEN; n++) {
		uint8_t be[4], iv[20], chunk[BS] = { 0 };
		unsigned ml;
		int l;

		memcpy(chunk, plain + n * BS, PLAIN_LEN - n * BS < BS ? PLAIN_LEN - n * BS : BS);
		st_be32(be, n);
		HMAC(EVP_sha1(), hmac_key, 20, be, 4, iv, &ml);
		EVP_EncryptInit_ex(c, key_bits == 256 ? EVP_aes_256_cbc() : EVP_aes_128_cbc(), NULL,
				   aes_key, iv);
		EVP_CIPHER_CTX_set_padding(c, 0);
		EVP_EncryptUpdate(c, out + n * BS, &l, chunk, BS);
	}
	EVP_CIPHER_CTX_free(c);
}

#define NCHUNKS ((PLAIN_LEN + BS - 1) / BS)
#define FILE_LEN (DATA_AT + NCHUNKS * BS)

/* The whole file; an iteration count over 10,000 is written but the blob uses 1 (never derived). */
static uint8_t *build(unsigned key_bits, uint32_t iterations, uint32_t salt_len)
{
	uint8_t *f = calloc(1, FILE_LEN), *e = f + KEY_AT;

	memcpy(f, "encrcdsa", 8);
	st_be32(f + 8, 2);
	st_be32(f + 0x18, key_bits);
	st_be32(f + 0x34, BS);
	st_be64(f + 0x38, PLAIN_LEN);
	st_be64(f + 0x40, DATA_AT);
	st_be32(f + 0x48, 2);
	st_be32(f + 0x4C, 2);                      /* a public-key entry first */
	st_be64(f + 0x50, 0x800);
	st_be64(f + 0x58, 100);
	st_be32(f + 0x60, 1);                      /* then the password entry */
	st_be64(f + 0x64, KEY_AT);
	st_be64(f + 0x6C, 616);
	st_be32(e + 8, iterations);
	st_be32(e + 12, salt_len);
	memcpy(e + 16, salt, 20);
	st_be32(e + 48, 8);
	memcpy(e + 52, blob_iv, 8);
	st_be32(e + 100, (uint32_t)wrapped_blob(key_bits, iterations > 10000 ? 1 : iterations, "right",
						  e + 104));
	encrypt_chunks(key_bits, f + DATA_AT);
	return f;
}

/* ---- the passphrase callback ---------------------------------------------- */
static const char *const *cands;
static unsigned asked;

static int give(void *arg, const char *image, unsigned attempt, char *buf, size_t cap,
		size_t *len)
{
	(void)arg, (void)image;
	asked++;
	if (!cands[attempt])
		return attempt == 0 ? -APFS_ELOCKED : 1;
	*len = strlen(cands[attempt]);
	assert_true(*len <= cap);
	memcpy(buf, cands[attempt], *len);
	return 0;
}

static int open_image(uint8_t *f, const char *const *pw, struct apfs_dev **out)
{
	struct apfs_dev *lower = mem_dev(f, FILE_LEN);
	int ret;

	cands = pw;
	asked = 0;
	apfs_dev_set_passphrase_cb(pw ? give : NULL, NULL);
	ret = apfs_encrcdsa_probe(lower, out);
	if (ret != 1)
		apfs_dev_close(lower);
	free(f);
	return ret;
}

static void check_reads(struct apfs_dev *dev)
{
	uint8_t got[PLAIN_LEN];
	static const size_t at[][2] = { { 0, PLAIN_LEN }, { 1, 100 }, { BS - 3, 7 },
					{ 2 * BS, 2 * BS }, { BS + 5, 3 * BS }, { PLAIN_LEN - 9, 9 } };

	assert_int_equal(dev->size, PLAIN_LEN);
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		assert_int_equal(apfs_dev_read(dev, got, at[i][1], at[i][0]), 0);
		assert_memory_equal(got, plain + at[i][0], at[i][1]);
	}
	assert_int_equal(apfs_dev_read(dev, got, 2, PLAIN_LEN - 1), -APFS_ETRUNC);
}

static void test_reads(void **state)
{
	static const char *const right[] = { "right", NULL };
	struct apfs_dev *dev = NULL;

	(void)state;
	for (unsigned bits = 128; bits <= 256; bits += 128) {
		assert_int_equal(open_image(build(bits, 1000, 20), right, &dev), 1);
		check_reads(dev);
		assert_non_null(strstr(dev->summary, bits == 128 ? "AES-128" : "AES-256"));
		apfs_dev_close(dev);
	}
}

static void test_candidates(void **state)
{
	static const char *const two[] = { "wrong", "right", NULL };
	static const char *const bad[] = { "wrong", "Right", NULL };
	static const char *const none[] = { NULL };
	struct apfs_dev *dev = NULL;

	(void)state;
	assert_int_equal(open_image(build(128, 1000, 20), two, &dev), 1);
	assert_int_equal(asked, 2);
	apfs_dev_close(dev);
	assert_int_equal(open_image(build(128, 1000, 20), bad, &dev), -APFS_EREJECTED);
	assert_int_equal(asked, 3);  /* both, then "no more" */
	assert_int_equal(open_image(build(128, 1000, 20), none, &dev), -APFS_ELOCKED);
	assert_int_equal(open_image(build(128, 1000, 20), NULL, &dev), -APFS_ELOCKED);
}

/* Bounds before keys: the passphrase is not even asked for. */
static void test_bounds_first(void **state)
{
	static const char *const right[] = { "right", NULL };
	struct apfs_dev *dev = NULL;
	uint8_t *f;

	(void)state;
	assert_int_equal(open_image(build(128, 10000001, 20), right, &dev), -APFS_ECORRUPT);
	assert_int_equal(asked, 0);
	assert_int_equal(open_image(build(128, 1000, 33), right, &dev), -APFS_ECORRUPT);
	assert_int_equal(asked, 0);
	f = build(128, 1000, 20);
	st_be64(f + 0x38, FILE_LEN);  /* data length past the file's end */
	assert_int_equal(open_image(f, right, &dev), -APFS_ECORRUPT);
	assert_int_equal(asked, 0);
	f = build(128, 1000, 20);
	st_be64(f + 0x64, FILE_LEN - 50);  /* key entry cut by the end of the file */
	assert_int_equal(open_image(f, right, &dev), -APFS_ECORRUPT);
	assert_int_equal(asked, 0);
}

/*
 * Two key pointers (20 bytes each after the 0x4C fixed bytes) need 116
 * bytes: a header file of 115 is refused by the pointer check itself.
 */
static void test_pointers_edge(void **state)
{
	static const char *const right[] = { "right", NULL };
	struct apfs_dev *lower, *dev = NULL;
	uint8_t *f = build(128, 1000, 20);

	(void)state;
	log_capture();
	lower = mem_dev(f, 0x4C + 2 * 20 - 1);
	cands = right;
	asked = 0;
	apfs_dev_set_passphrase_cb(give, NULL);
	assert_int_equal(apfs_encrcdsa_probe(lower, &dev), -APFS_ECORRUPT);
	expect_log("the key pointers run past the end of the header's file, whose size is (115)");
	assert_int_equal(asked, 0);
	apfs_dev_close(lower);
	free(f);
	/* The blob's IV is 8 bytes (3DES-CBC): an entry saying 7 is refused by its check. */
	f = build(128, 1000, 20);
	st_be32(f + KEY_AT + 48, 7);
	assert_int_equal(open_image(f, right, &dev), -APFS_ECORRUPT);
	expect_log("key entry 2: IV length is not in 8..32 (7)");
	log_release();
}

/* Header from one device, ciphertext from another, chunk 0 at its byte 0. */
static void test_over(void **state)
{
	static const char *const right[] = { "right", NULL };
	uint8_t *f = build(256, 1000, 20);
	struct apfs_dev *token = mem_dev(f, DATA_AT);
	struct apfs_dev *bands = mem_dev(f + DATA_AT, NCHUNKS * BS);
	struct apfs_dev *dev = NULL;

	(void)state;
	cands = right;
	apfs_dev_set_passphrase_cb(give, NULL);
	assert_int_equal(apfs_encrcdsa_over(token, bands, &dev), 0);
	apfs_dev_close(token);
	check_reads(dev);
	assert_ptr_equal(dev->lower, bands);
	apfs_dev_close(dev);
	free(f);
}

static void *reader(void *arg)
{
	struct apfs_dev *dev = arg;
	uint8_t got[3 * BS];
	uintptr_t bad = 0;

	for (unsigned i = 0; i < 2000; i++) {
		size_t off = (i * 7919u) % (PLAIN_LEN - sizeof(got)), len = 1 + i % sizeof(got);

		if (apfs_dev_read(dev, got, len, off) || memcmp(got, plain + off, len))
			bad++;
	}
	return (void *)bad;
}

static void test_threads(void **state)
{
	static const char *const right[] = { "right", NULL };
	struct apfs_dev *dev = NULL;
	pthread_t th[4];
	void *bad;

	(void)state;
	assert_int_equal(open_image(build(128, 1000, 20), right, &dev), 1);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, reader, dev), 0);
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], &bad);
		assert_int_equal((uintptr_t)bad, 0);
	}
	apfs_dev_close(dev);
}

static int setup(void **state)
{
	(void)state;
	apfs_log_set_level(-1);
	for (size_t i = 0; i < PLAIN_LEN; i++)
		plain[i] = (uint8_t)(i * 131 + (i >> 12));
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads),
		cmocka_unit_test(test_candidates),
		cmocka_unit_test(test_bounds_first),
		cmocka_unit_test(test_pointers_edge),
		cmocka_unit_test(test_over),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
