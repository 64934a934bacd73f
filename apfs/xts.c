/* SPDX-License-Identifier: MIT */
/*
 * xts.c - AES-XTS-128 over 512-byte units.
 *
 * Decryption uses OpenSSL's EVP_aes_128_xts (AES-NI).  One template context
 * holds the key schedule; each call copies it, so callers on several threads
 * never share cipher state.  Encryption is done by hand from two ECB
 * contexts because OpenSSL rejects XTS encryption with key1 == key2, which
 * is exactly what container and volume keybags use.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "err.h"
#include "xts.h"

struct apfs_xts {
	uint64_t id;           /* unique per key: tags its plaintext in the block cache */
	EVP_CIPHER_CTX *dec;   /* XTS decrypt template */
	EVP_CIPHER_CTX *ecb1;  /* AES-128-ECB encrypt, data key */
	EVP_CIPHER_CTX *ecb2;  /* AES-128-ECB encrypt, tweak key */
};

/* Never reused, unlike an address: a freed key's plaintext can never be
 * mistaken for a later key's in the cache. */
static _Atomic uint64_t next_id = 1;

uint64_t apfs_xts_id(const struct apfs_xts *x)
{
	return x ? x->id : 0;
}

static EVP_CIPHER_CTX *ecb_ctx(const uint8_t key[16])
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	if (!ctx)
		return NULL;
	if (EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, key, NULL) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	EVP_CIPHER_CTX_set_padding(ctx, 0);
	return ctx;
}

int apfs_xts_new(const uint8_t key1[16], const uint8_t key2[16], struct apfs_xts **out)
{
	struct apfs_xts *x = calloc(1, sizeof(*x));
	uint8_t key[32];
	int ok;

	if (!x)
		return -ENOMEM;
	x->id = atomic_fetch_add(&next_id, 1);
	memcpy(key, key1, 16);
	memcpy(key + 16, key2, 16);
	x->dec = EVP_CIPHER_CTX_new();
	ok = x->dec && EVP_DecryptInit_ex(x->dec, EVP_aes_128_xts(), NULL, key, NULL) == 1;
	OPENSSL_cleanse(key, sizeof(key));
	x->ecb1 = ecb_ctx(key1);
	x->ecb2 = ecb_ctx(key2);
	if (!ok || !x->ecb1 || !x->ecb2) {
		apfs_xts_free(x);
		return -ENOMEM;
	}
	*out = x;
	return 0;
}

void apfs_xts_free(struct apfs_xts *x)
{
	if (!x)
		return;
	EVP_CIPHER_CTX_free(x->dec);
	EVP_CIPHER_CTX_free(x->ecb1);
	EVP_CIPHER_CTX_free(x->ecb2);
	free(x);
}

static void tweak_block(uint8_t iv[16], uint64_t unit)
{
	memset(iv, 0, 16);
	st_le64(iv, unit);
}

int apfs_xts_decrypt(struct apfs_xts *x, uint8_t *buf, size_t len, uint64_t first_unit)
{
	EVP_CIPHER_CTX *ctx;
	uint8_t iv[16];
	int ret = 0, outl;

	if (len % APFS_XTS_UNIT)
		return -EINVAL;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx || EVP_CIPHER_CTX_copy(ctx, x->dec) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		return -ENOMEM;
	}
	for (size_t i = 0; i < len / APFS_XTS_UNIT; i++) {
		uint8_t *p = buf + i * APFS_XTS_UNIT;

		tweak_block(iv, first_unit + i);
		if (EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, iv) != 1 ||
		    EVP_DecryptUpdate(ctx, p, &outl, p, APFS_XTS_UNIT) != 1) {
			ret = -EIO;
			break;
		}
	}
	EVP_CIPHER_CTX_free(ctx);
	return ret;
}

/* Multiply the tweak by x in GF(2^128), little-endian convention (IEEE 1619). */
static void gf_mul_x(uint8_t t[16])
{
	uint8_t carry = 0;

	for (int i = 0; i < 16; i++) {
		uint8_t next = t[i] >> 7;

		t[i] = (uint8_t)(t[i] << 1 | carry);
		carry = next;
	}
	if (carry)
		t[0] ^= 0x87;
}

static int ecb1(EVP_CIPHER_CTX *ctx, uint8_t out[16], const uint8_t in[16])
{
	int outl;

	return EVP_EncryptUpdate(ctx, out, &outl, in, 16) == 1 && outl == 16 ? 0 : -EIO;
}

static int encrypt_unit(struct apfs_xts *x, uint8_t *p, uint64_t unit)
{
	uint8_t t[16], iv[16], b[16];

	tweak_block(iv, unit);
	if (ecb1(x->ecb2, t, iv))
		return -EIO;
	for (int j = 0; j < APFS_XTS_UNIT; j += 16) {
		for (int k = 0; k < 16; k++)
			b[k] = p[j + k] ^ t[k];
		if (ecb1(x->ecb1, b, b))
			return -EIO;
		for (int k = 0; k < 16; k++)
			p[j + k] = b[k] ^ t[k];
		gf_mul_x(t);
	}
	OPENSSL_cleanse(b, sizeof(b));
	return 0;
}

int apfs_xts_encrypt(struct apfs_xts *x, uint8_t *buf, size_t len, uint64_t first_unit)
{
	if (len % APFS_XTS_UNIT)
		return -EINVAL;
	for (size_t i = 0; i < len / APFS_XTS_UNIT; i++) {
		int ret = encrypt_unit(x, buf + i * APFS_XTS_UNIT, first_unit + i);

		if (ret)
			return ret;
	}
	return 0;
}
