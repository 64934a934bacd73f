/* SPDX-License-Identifier: MIT */
/*
 * encrcdsa.c - wrap a file (the generator's image, or any disk image) in an
 * encrypted Apple disk image, encrcdsa version 2 (docs/containers.md §3),
 * with one password key entry:
 *
 *   KEK  = PBKDF2-HMAC-SHA1(password, salt, iterations, 24)
 *   blob = 3DES-EDE-CBC(KEK, IV, aes_key | hmac_key | "CKIE" | 0 | PKCS#7 pad)
 *   chunk c = AES-CBC(aes_key, IV = HMAC-SHA1(hmac_key, be32 c)[0..16))
 *
 * Salt, IVs and keys come from the seeded generator.  Two layouts:
 *   default  the key entry at 0x2A8, where Debian's vfdecrypt looks for it
 *            (so vfdecrypt can check the output), data at 4096;
 *   --image-key-offset N  the key entry at N, and seeded noise at 0x2A8, so
 *            a reader that ignores the key pointer cannot open it.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/bytes.h"
#include "mk.h"

#define VFDECRYPT_KEY_AT 0x2A8
#define ENTRY_LEN (104 + 512)
#define CHUNK 4096

struct wrap_keys {
	uint8_t aes[32], hmac[20], salt[20], blob_iv[8], kek[24];
	uint8_t blob[64];
	unsigned blob_len;
};

static void put_header(uint8_t *h, const struct mk_encr_opts *o, uint64_t data_len,
		       uint64_t key_at, uint64_t data_at, struct mk_rng *rng)
{
	memcpy(h, "encrcdsa", 8);
	st_be32(h + 0x08, 2);
	st_be32(h + 0x0C, 16);          /* enc IV size */
	st_be32(h + 0x10, 5);           /* mode, as hdiutil writes */
	st_be32(h + 0x14, 0x80000001);  /* algorithm */
	st_be32(h + 0x18, o->key_bits);
	st_be32(h + 0x1C, 0x80000001);  /* PRNG algorithm */
	st_be32(h + 0x20, 160);         /* PRNG key size */
	mk_rng_uuid(rng, h + 0x24);
	st_be32(h + 0x34, CHUNK);
	st_be64(h + 0x38, data_len);
	st_be64(h + 0x40, data_at);
	st_be32(h + 0x48, 1);
	st_be32(h + 0x4C, 1);           /* key pointer 1: a password entry */
	st_be64(h + 0x50, key_at);
	st_be64(h + 0x58, ENTRY_LEN);
}

static int wrap_blob(struct wrap_keys *k, const struct mk_encr_opts *o)
{
	uint8_t plain[64];
	size_t n = o->key_bits / 8, pad;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int l1 = 0, l2 = 0, ok;

	memcpy(plain, k->aes, n);
	memcpy(plain + n, k->hmac, 20);
	memcpy(plain + n + 20, "CKIE", 4);
	plain[n + 24] = 0;
	n += 25;
	pad = 8 - n % 8;
	memset(plain + n, (int)pad, pad);
	k->blob_len = (unsigned)(n + pad);
	ok = ctx && PKCS5_PBKDF2_HMAC(o->passphrase, (int)strlen(o->passphrase), k->salt, 20,
				      (int)o->iterations, EVP_sha1(), 24, k->kek) &&
	     EVP_EncryptInit_ex(ctx, EVP_des_ede3_cbc(), NULL, k->kek, k->blob_iv) &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0) &&
	     EVP_EncryptUpdate(ctx, k->blob, &l1, plain, (int)k->blob_len) &&
	     EVP_EncryptFinal_ex(ctx, k->blob + l1, &l2);
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(plain, sizeof(plain));
	return ok && (unsigned)(l1 + l2) == k->blob_len ? 0 : -EIO;
}

static void put_entry(uint8_t *e, const struct mk_encr_opts *o, const struct wrap_keys *k)
{
	st_be32(e + 0, 103);            /* CSSM_ALGID_PKCS5_PBKDF2 */
	st_be32(e + 4, 0);
	st_be32(e + 8, (uint32_t)o->iterations);
	st_be32(e + 12, 20);
	memcpy(e + 16, k->salt, 20);
	st_be32(e + 48, 8);
	memcpy(e + 52, k->blob_iv, 8);
	st_be32(e + 84, 192);           /* 3DES key bits */
	st_be32(e + 88, 17);            /* CSSM_ALGID_3DES_3KEY_EDE */
	st_be32(e + 92, 7);             /* CSSM_PADDING_PKCS7 */
	st_be32(e + 96, 6);             /* CSSM_ALGMODE_CBCPadIV8 */
	st_be32(e + 100, k->blob_len);
	memcpy(e + 104, k->blob, k->blob_len);
}

static int encrypt_chunk(EVP_CIPHER_CTX *ctx, const struct mk_encr_opts *o,
			 const struct wrap_keys *k, uint32_t n, uint8_t *buf)
{
	uint8_t be[4], mac[20];
	unsigned ml = 0;
	int l = 0;

	st_be32(be, n);
	if (!HMAC(EVP_sha1(), k->hmac, 20, be, 4, mac, &ml) ||
	    !EVP_EncryptInit_ex(ctx, o->key_bits == 256 ? EVP_aes_256_cbc() : EVP_aes_128_cbc(),
				NULL, k->aes, mac) ||
	    !EVP_CIPHER_CTX_set_padding(ctx, 0) || !EVP_EncryptUpdate(ctx, buf, &l, buf, CHUNK))
		return -EIO;
	return l == CHUNK ? 0 : -EIO;
}

static int copy_data(int in, int out, uint64_t len, uint64_t at, const struct mk_encr_opts *o,
		     const struct wrap_keys *k)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t *buf = malloc(CHUNK);
	int ret = ctx && buf ? 0 : -ENOMEM;

	for (uint64_t c = 0; !ret && c * CHUNK < len; c++) {
		size_t n = len - c * CHUNK < CHUNK ? (size_t)(len - c * CHUNK) : CHUNK;

		memset(buf, 0, CHUNK);
		if (pread(in, buf, n, (off_t)(c * CHUNK)) != (ssize_t)n)
			ret = -EIO;
		if (!ret)
			ret = encrypt_chunk(ctx, o, k, (uint32_t)c, buf);
		if (!ret && pwrite(out, buf, CHUNK, (off_t)(at + c * CHUNK)) != CHUNK)
			ret = -EIO;
	}
	EVP_CIPHER_CTX_free(ctx);
	free(buf);
	return ret;
}

/*
 * The header and key entry at the start of out; *data_at is where the
 * ciphertext follows.  bundle: the header's data offset is 0, since the
 * ciphertext is the bands' stream from its first byte.
 */
static int write_head(int out, const struct mk_encr_opts *o, uint64_t len, struct wrap_keys *k,
		      struct mk_rng *rng, bool bundle, uint64_t *data_at)
{
	uint64_t key_at = o->key_offset ? o->key_offset : VFDECRYPT_KEY_AT;
	size_t head = (size_t)((key_at + ENTRY_LEN + CHUNK - 1) / CHUNK * CHUNK);
	uint8_t *h = calloc(1, head);
	int ret;

	if (!h)
		return -ENOMEM;
	*data_at = head;
	put_header(h, o, len, key_at, bundle ? 0 : head, rng);
	if (o->key_offset)  /* noise where a pointer-ignoring reader would look */
		mk_rng_bytes(rng, h + VFDECRYPT_KEY_AT, ENTRY_LEN);
	put_entry(h + key_at, o, k);
	ret = pwrite(out, h, head, 0) == (ssize_t)head ? 0 : -EIO;
	free(h);
	return ret;
}

/* hfd gets the header; dfd the ciphertext (after the header when it is hfd). */
static int wrap_fds(int in, int hfd, int dfd, uint64_t len, const struct mk_encr_opts *o)
{
	struct wrap_keys k;
	struct mk_rng rng;
	uint64_t data_at = 0;
	int ret;

	mk_rng_seed(&rng, o->seed ^ 0x656e637263647361ull); /* "encrcdsa" */
	mk_rng_bytes(&rng, k.aes, sizeof(k.aes));
	mk_rng_bytes(&rng, k.hmac, sizeof(k.hmac));
	mk_rng_bytes(&rng, k.salt, sizeof(k.salt));
	mk_rng_bytes(&rng, k.blob_iv, sizeof(k.blob_iv));
	ret = wrap_blob(&k, o);
	if (!ret)
		ret = write_head(hfd, o, len, &k, &rng, hfd != dfd, &data_at);
	if (!ret)
		ret = copy_data(in, dfd, len, hfd == dfd ? data_at : 0, o, &k);
	OPENSSL_cleanse(&k, sizeof(k));
	return ret;
}

/* in encrypted into hpath (header) and dpath (ciphertext; NULL: after the header). */
static int wrap_paths(const char *in_path, const char *hpath, const char *dpath,
		      const struct mk_encr_opts *o)
{
	int in = open(in_path, O_RDONLY), h = -1, d = -1, ret = 0;
	struct stat st;

	if (in < 0 || fstat(in, &st))
		ret = -errno;
	if (!ret && (h = open(hpath, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
		ret = -errno;
	if (!ret && (d = dpath ? open(dpath, O_WRONLY | O_CREAT | O_TRUNC, 0644) : h) < 0)
		ret = -errno;
	if (!ret)
		ret = wrap_fds(in, h, d, (uint64_t)st.st_size, o);
	if (d >= 0 && d != h && close(d) && !ret)
		ret = -errno;
	if (h >= 0 && close(h) && !ret)
		ret = -errno;
	if (in >= 0)
		close(in);
	return ret;
}

int mk_wrap_encrypted(const char *in_path, const char *out_path, const struct mk_encr_opts *o)
{
	return wrap_paths(in_path, out_path, NULL, o);
}

/*
 * An encrypted sparse bundle: the ciphertext stored as a bundle (wrap.c),
 * the encrcdsa header as its token (docs/containers.md §2).
 */
int mk_wrap_encrypted_bundle(const char *in_path, const char *out, const struct mk_opts *mo,
			     const struct mk_encr_opts *o)
{
	char tok[4096], data[4096], dst[4096];
	int ret = -ENAMETOOLONG;

	if (snprintf(tok, sizeof(tok), "%s.token-tmp", out) < (int)sizeof(tok) &&
	    snprintf(data, sizeof(data), "%s.data-tmp", out) < (int)sizeof(data) &&
	    snprintf(dst, sizeof(dst), "%s/token", out) < (int)sizeof(dst))
		ret = wrap_paths(in_path, tok, data, o);
	if (!ret)
		ret = mk_wrap(data, out, mo);
	if (!ret && rename(tok, dst))
		ret = -errno;
	unlink(tok);
	unlink(data);
	return ret;
}
