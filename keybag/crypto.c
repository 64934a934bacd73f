/* SPDX-License-Identifier: MIT */
/*
 * crypto.c - PBKDF2, RFC 3394 key wrap, SHA-256 and HMAC over OpenSSL.
 *
 * The key wrap is written from RFC 3394 §2.2 on top of raw AES-ECB rather
 * than OpenSSL's wrap cipher, so the integrity value can be compared here
 * and a mismatch (the everyday result of a wrong password) is told apart
 * from a real error.  Nothing here keeps state between calls, so every
 * function is safe to call from several threads at once.
 */
#include <limits.h>
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

static const EVP_CIPHER *aes_ecb(size_t keklen)
{
	switch (keklen) {
	case 16:
		return EVP_aes_128_ecb();
	case 24:
		return EVP_aes_192_ecb();
	case 32:
		return EVP_aes_256_ecb();
	}
	return NULL;
}

static EVP_CIPHER_CTX *ecb_new(const uint8_t *kek, size_t keklen, int enc)
{
	const EVP_CIPHER *cipher = aes_ecb(keklen);
	EVP_CIPHER_CTX *ctx;

	if (!cipher)
		return NULL;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return NULL;
	if (EVP_CipherInit_ex(ctx, cipher, NULL, kek, NULL, enc) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	EVP_CIPHER_CTX_set_padding(ctx, 0);
	return ctx;
}

/* One AES block in place. */
static int ecb_block(EVP_CIPHER_CTX *ctx, uint8_t b[16])
{
	int outl = 0;

	if (EVP_CipherUpdate(ctx, b, &outl, b, 16) != 1 || outl != 16)
		return -EIO;
	return 0;
}

/* A ^= t, with t a big-endian 64-bit counter (RFC 3394 §2.2.1). */
static void xor_t(uint8_t a[8], uint64_t t)
{
	for (int k = 0; k < 8; k++)
		a[7 - k] ^= (uint8_t)(t >> (8 * k));
}

static int check_args(size_t keklen, size_t n)
{
	if (!aes_ecb(keklen))
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
 * -EINVAL for bad sizes, -ENOMEM/-EIO from OpenSSL.
 */
int kb_aes_unwrap(const uint8_t *kek, size_t keklen, const uint8_t *wrapped, size_t wlen,
		  uint8_t *out)
{
	size_t n = wlen / 8 - 1;
	uint8_t b[16];
	EVP_CIPHER_CTX *ctx;
	int ret;

	if (wlen % 8 || wlen < 8)
		return -EINVAL;
	ret = check_args(keklen, n);
	if (ret)
		return ret;
	ctx = ecb_new(kek, keklen, 0);
	if (!ctx)
		return -ENOMEM;
	memcpy(b, wrapped, 8);
	memmove(out, wrapped + 8, n * 8);
	for (int j = 5; j >= 0 && !ret; j--) {
		for (size_t i = n; i >= 1 && !ret; i--) {
			xor_t(b, n * (size_t)j + i);
			memcpy(b + 8, out + (i - 1) * 8, 8);
			ret = ecb_block(ctx, b);
			memcpy(out + (i - 1) * 8, b + 8, 8);
		}
	}
	EVP_CIPHER_CTX_free(ctx);
	if (!ret && CRYPTO_memcmp(b, kw_iv, 8) != 0)
		ret = -EKEYREJECTED;
	if (ret)
		OPENSSL_cleanse(out, n * 8);
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
	EVP_CIPHER_CTX *ctx;
	int ret;

	if (inlen % 8)
		return -EINVAL;
	ret = check_args(keklen, n);
	if (ret)
		return ret;
	ctx = ecb_new(kek, keklen, 1);
	if (!ctx)
		return -ENOMEM;
	memcpy(b, kw_iv, 8);
	memmove(out + 8, in, n * 8);
	for (int j = 0; j <= 5 && !ret; j++) {
		for (size_t i = 1; i <= n && !ret; i++) {
			memcpy(b + 8, out + i * 8, 8);
			ret = ecb_block(ctx, b);
			xor_t(b, n * (size_t)j + i);
			memcpy(out + i * 8, b + 8, 8);
		}
	}
	EVP_CIPHER_CTX_free(ctx);
	memcpy(out, b, 8);
	if (ret)
		OPENSSL_cleanse(out, (n + 1) * 8);
	OPENSSL_cleanse(b, sizeof(b));
	return ret;
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
