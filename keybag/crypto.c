/* SPDX-License-Identifier: MIT */
/*
 * crypto.c - PBKDF2, RFC 3394 key wrap, SHA-256 and HMAC over OpenSSL.
 *
 * The key wrap is written from RFC 3394 §2.2 on top of raw AES-ECB rather
 * than OpenSSL's wrap cipher, so the integrity value can be compared here
 * and a mismatch (the everyday result of a wrong password) is told apart
 * from a real error.  Nothing here keeps state between calls, so every
 * function is safe to call from several threads at once.
 *
 * The AES blocks go through OpenSSL's AES_KEY functions, not EVP: the first
 * EVP cipher of a process makes OpenSSL 3 build its whole table of ciphers
 * (about 150, some 400 KB of heap: 3.2 M instructions and ~80 page faults,
 * more than all an unlock with --user does beside its PBKDF2) for the dozen
 * blocks an unwrap needs (issue 14).  OpenSSL 3.0 deprecates them but keeps
 * them through 3.x, and runs the same AES behind them (AES-NI where the CPU
 * has it).
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <limits.h>
#include <openssl/aes.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#include "util/bytes.h"
#include "util/err.h"
#include "keybag/crypto.h"

/* RFC 3394 §2.2.3.1 default initial value. */
static const uint8_t kw_iv[8] = { 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6 };

/* Longest input we wrap or unwrap: keybag blobs hold at most 40 bytes. */
#define KW_MAX_BLOCKS 64

int kb_pbkdf2_sha256(const void *pw, size_t pwlen, const uint8_t *salt, size_t saltlen,
		     uint64_t iterations, uint8_t *out, size_t outlen)
{
	/* OpenSSL takes ints; an iteration count of 0 is meaningless. */
	if (iterations == 0 || iterations > INT_MAX || pwlen > INT_MAX || saltlen > INT_MAX ||
	    outlen == 0 || outlen > INT_MAX)
		return -EINVAL;
	if (PKCS5_PBKDF2_HMAC(pw, (int)pwlen, salt, (int)saltlen, (int)iterations, EVP_sha256(),
			      (int)outlen, out) != 1)
		return -EIO;
	return 0;
}

/* The AES schedule of kek (16, 24 or 32 bytes) for encryption or decryption: 0 or -EINVAL. */
static int aes_key(const uint8_t *kek, size_t keklen, int enc, AES_KEY *k)
{
	int bits = (int)keklen * 8;

	if (keklen != 16 && keklen != 24 && keklen != 32)
		return -EINVAL;
	return (enc ? AES_set_encrypt_key(kek, bits, k) : AES_set_decrypt_key(kek, bits, k))
		       ? -EINVAL : 0;
}

/* A ^= t, with t a big-endian 64-bit counter (RFC 3394 §2.2.1). */
static void xor_t(uint8_t a[8], uint64_t t)
{
	for (int k = 0; k < 8; k++)
		a[7 - k] ^= (uint8_t)(t >> (8 * k));
}

static int check_args(size_t keklen, size_t n)
{
	if (keklen != 16 && keklen != 24 && keklen != 32)
		return -EINVAL;
	if (n < 2 || n > KW_MAX_BLOCKS)
		return -EINVAL;
	return 0;
}

/**
 * kb_aes_unwrap() - RFC 3394 unwrap with integrity check.
 * @kek: 16, 24 or 32 bytes.
 * @wrapped: (n+1)*8 bytes, n >= 2.
 * @out: receives n*8 bytes; wiped on failure.
 *
 * Return: 0, -EKEYREJECTED when the integrity value is not A6..A6,
 * -EINVAL for bad sizes.
 */
int kb_aes_unwrap(const uint8_t *kek, size_t keklen, const uint8_t *wrapped, size_t wlen,
		  uint8_t *out)
{
	size_t n = wlen / 8 - 1;
	uint8_t b[16];
	AES_KEY k;
	int ret;

	if (wlen % 8 || wlen < 8)
		return -EINVAL;
	ret = check_args(keklen, n);
	if (!ret)
		ret = aes_key(kek, keklen, 0, &k);
	if (ret)
		return ret;
	memcpy(b, wrapped, 8);
	memmove(out, wrapped + 8, n * 8);
	for (int j = 5; j >= 0; j--) {
		for (size_t i = n; i >= 1; i--) {
			xor_t(b, n * (size_t)j + i);
			memcpy(b + 8, out + (i - 1) * 8, 8);
			AES_decrypt(b, b, &k);
			memcpy(out + (i - 1) * 8, b + 8, 8);
		}
	}
	OPENSSL_cleanse(&k, sizeof(k));
	if (CRYPTO_memcmp(b, kw_iv, 8) != 0) {
		ret = -EKEYREJECTED;
		OPENSSL_cleanse(out, n * 8);
	}
	OPENSSL_cleanse(b, sizeof(b));
	return ret;
}

/**
 * kb_aes_wrap() - RFC 3394 wrap with the default IV.
 * @kek: 16, 24 or 32 bytes.
 * @in: n*8 bytes, n >= 2.
 * @out: receives (n+1)*8 bytes.
 *
 * Return: 0 or -errno.
 */
int kb_aes_wrap(const uint8_t *kek, size_t keklen, const uint8_t *in, size_t inlen, uint8_t *out)
{
	size_t n = inlen / 8;
	uint8_t b[16];
	AES_KEY k;
	int ret;

	if (inlen % 8)
		return -EINVAL;
	ret = check_args(keklen, n);
	if (!ret)
		ret = aes_key(kek, keklen, 1, &k);
	if (ret)
		return ret;
	memcpy(b, kw_iv, 8);
	memmove(out + 8, in, n * 8);
	for (int j = 0; j <= 5; j++) {
		for (size_t i = 1; i <= n; i++) {
			memcpy(b + 8, out + i * 8, 8);
			AES_encrypt(b, b, &k);
			xor_t(b, n * (size_t)j + i);
			memcpy(out + i * 8, b + 8, 8);
		}
	}
	OPENSSL_cleanse(&k, sizeof(k));
	memcpy(out, b, 8);
	OPENSSL_cleanse(b, sizeof(b));
	return 0;
}

/**
 * kb_sha256() - SHA-256 of a buffer.
 *
 * Return: 0 or -EIO.
 */
int kb_sha256(const void *data, size_t len, uint8_t out[32])
{
	unsigned int outl = 0;

	if (EVP_Digest(data, len, out, &outl, EVP_sha256(), NULL) != 1 || outl != 32)
		return -EIO;
	return 0;
}

/**
 * kb_hmac_sha256() - HMAC-SHA256 of a buffer.
 *
 * Return: 0, -EINVAL for an oversized key, or -EIO.
 */
int kb_hmac_sha256(const uint8_t *key, size_t keylen, const void *data, size_t len,
		   uint8_t out[32])
{
	unsigned int outl = 0;

	if (keylen > INT_MAX)
		return -EINVAL;
	if (!HMAC(EVP_sha256(), key, (int)keylen, data, len, out, &outl) || outl != 32)
		return -EIO;
	return 0;
}
