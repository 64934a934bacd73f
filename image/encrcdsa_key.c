/* SPDX-License-Identifier: MIT */
/*
 * encrcdsa_key.c - unwrap the data keys of an encrypted disk image from a
 * password key entry (docs/containers.md §3):
 *
 *   KEK  = PBKDF2-HMAC-SHA1(password, salt, iterations, 24 bytes)
 *   blob = 3DES-EDE-CBC-decrypt(KEK, IV = the entry's first 8 IV bytes)
 *   strip PKCS#7 padding (1..8); a right password leaves the blob ending in
 *   "CKIE" and one byte; it begins with the AES key (key_bits / 8 bytes)
 *   and then the 20-byte HMAC-SHA1 key of the chunk IVs.
 *
 * Every intermediate that depends on the password is in key memory and
 * wiped, whatever the outcome.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>

#include "util/err.h"
#include "util/secmem.h"
#include "image/encrcdsa.h"

struct unwrap_tmp {
	uint8_t kek[ENCR_KEK];
	uint8_t plain[ENCR_BLOB_MAX + 16];
};

static int des3_decrypt(const uint8_t *kek, const uint8_t *iv, const uint8_t *in, size_t len,
			uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, m = 0, ok;

	if (!ctx)
		return -ENOMEM;
	ok = EVP_DecryptInit_ex(ctx, EVP_des_ede3_cbc(), NULL, kek, iv) &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0) &&
	     EVP_DecryptUpdate(ctx, out, &n, in, (int)len) &&
	     EVP_DecryptFinal_ex(ctx, out + n, &m);
	EVP_CIPHER_CTX_free(ctx);
	return ok && (size_t)(n + m) == len ? 0 : -EIO;
}

/* The unpadded length, or 0 when the padding is not PKCS#7. */
static size_t pkcs7_len(const uint8_t *p, size_t len)
{
	uint8_t pad = p[len - 1];

	if (pad < 1 || pad > 8 || pad > len)
		return 0;
	for (size_t i = len - pad; i < len; i++)
		if (p[i] != pad)
			return 0;
	return len - pad;
}

static int check_blob(const uint8_t *p, size_t len, unsigned key_bits, struct encr_keys *k)
{
	size_t n = pkcs7_len(p, len), klen = key_bits / 8;

	if (n < klen + ENCR_HMAC_KEY + 5 || memcmp(p + n - 5, "CKIE", 4))
		return -APFS_EREJECTED;
	memcpy(k->aes, p, klen);
	memcpy(k->hmac, p + klen, ENCR_HMAC_KEY);
	k->aes_len = (unsigned)klen;
	return 0;
}

int encr_unwrap(const struct encr_pwentry *e, const char *pw, size_t pwlen, unsigned key_bits,
		struct encr_keys *k)
{
	struct unwrap_tmp *t = apfs_secret_alloc(sizeof(*t));
	int ret = -APFS_EREJECTED;

	if (!t)
		return -ENOMEM;
	if (!PKCS5_PBKDF2_HMAC(pw, (int)pwlen, e->salt, (int)e->salt_len, (int)e->iterations,
			       EVP_sha1(), ENCR_KEK, t->kek))
		ret = -ENOMEM;
	else if (!des3_decrypt(t->kek, e->iv, e->blob, e->blob_len, t->plain))
		ret = check_blob(t->plain, e->blob_len, key_bits, k);
	apfs_secret_free(t);
	return ret;
}
