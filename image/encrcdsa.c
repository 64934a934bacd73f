/* SPDX-License-Identifier: MIT */
/*
 * encrcdsa.c - the decrypting layer of an encrypted Apple disk image
 * (encrcdsa version 2, docs/containers.md §3).  The file starts with the
 * header (encrcdsa_hdr.c); a password opens one of its key entries
 * (encrcdsa_key.c), giving an AES key and an HMAC-SHA1 key.  Data chunk c
 * (block_size bytes from the data offset) is AES-CBC with
 * IV = HMAC-SHA1(hmac_key, big-endian u32 c)[0..16).  What the layer
 * serves is the decrypted stream (the header's data length), which is
 * probed again: a UDIF, a sparse image or a raw disk.
 *
 * Reads are random access and run from several threads at once (FUSE):
 * each read takes a context (AES key schedule, SHA-1 state, bounce chunk)
 * from a small pool, so no lock is held while decrypting and no context is
 * built per read.  The HMAC's inner and outer SHA-1 states are computed
 * once from the key; a chunk's IV costs two SHA-1 blocks.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apfs/bytes.h"
#include "apfs/err.h"
#include "apfs/secmem.h"
#include "image/dev.h"
#include "image/encrcdsa.h"
#include "image/probe.h"

#define PASS_MAX 1024
#define POOL_MAX 64 /* idle contexts kept; more threads build and free their own */

struct encr_ctx {
	EVP_CIPHER_CTX *aes;
	EVP_MD_CTX *md;
	uint8_t *bounce; /* one chunk */
	struct encr_ctx *next;
};

struct encr_priv {
	uint64_t base;        /* offset of chunk 0 in the lower device */
	uint32_t bs;
	unsigned key_bits;
	struct encr_keys *keys; /* key memory */
	EVP_MD_CTX *ipad, *opad; /* HMAC-SHA1 states after the padded key */
	pthread_mutex_t lock;
	struct encr_ctx *idle;
	unsigned nidle;
};

static void ctx_free(struct encr_ctx *c)
{
	if (!c)
		return;
	EVP_CIPHER_CTX_free(c->aes); /* wipes the key schedule */
	EVP_MD_CTX_free(c->md);
	if (c->bounce)
		apfs_secret_free(c->bounce);
	free(c);
}

static const EVP_CIPHER *aes_cbc(unsigned key_bits)
{
	return key_bits == 256 ? EVP_aes_256_cbc() : EVP_aes_128_cbc();
}

static struct encr_ctx *ctx_new(const struct encr_priv *p)
{
	struct encr_ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->aes = EVP_CIPHER_CTX_new();
	c->md = EVP_MD_CTX_new();
	c->bounce = apfs_secret_alloc(p->bs);
	if (!c->aes || !c->md || !c->bounce ||
	    !EVP_DecryptInit_ex(c->aes, aes_cbc(p->key_bits), NULL, p->keys->aes, NULL) ||
	    !EVP_CIPHER_CTX_set_padding(c->aes, 0)) {
		ctx_free(c);
		return NULL;
	}
	return c;
}

static struct encr_ctx *ctx_get(struct encr_priv *p)
{
	struct encr_ctx *c;

	pthread_mutex_lock(&p->lock);
	c = p->idle;
	if (c) {
		p->idle = c->next;
		p->nidle--;
	}
	pthread_mutex_unlock(&p->lock);
	return c ? c : ctx_new(p);
}

static void ctx_put(struct encr_priv *p, struct encr_ctx *c)
{
	pthread_mutex_lock(&p->lock);
	if (p->nidle < POOL_MAX) {
		c->next = p->idle;
		p->idle = c;
		p->nidle++;
		c = NULL;
	}
	pthread_mutex_unlock(&p->lock);
	ctx_free(c);
}

/* IV of chunk n: HMAC-SHA1(hmac_key, be32 n), its first 16 bytes. */
static int chunk_iv(const struct encr_priv *p, struct encr_ctx *c, uint32_t n, uint8_t iv[16])
{
	uint8_t be[4], inner[20], mac[20];
	unsigned l;
	int ok;

	st_be32(be, n);
	ok = EVP_MD_CTX_copy_ex(c->md, p->ipad) && EVP_DigestUpdate(c->md, be, 4) &&
	     EVP_DigestFinal_ex(c->md, inner, &l) && EVP_MD_CTX_copy_ex(c->md, p->opad) &&
	     EVP_DigestUpdate(c->md, inner, 20) && EVP_DigestFinal_ex(c->md, mac, &l);
	memcpy(iv, mac, 16);
	return ok ? 0 : -EIO;
}

/* Decrypt chunk n in place (in == out is allowed for CBC decryption). */
static int chunk_decrypt(const struct encr_priv *p, struct encr_ctx *c, uint32_t n, uint8_t *b)
{
	uint8_t iv[16];
	int out = 0;

	if (chunk_iv(p, c, n, iv) || !EVP_DecryptInit_ex(c->aes, NULL, NULL, NULL, iv) ||
	    !EVP_DecryptUpdate(c->aes, b, &out, b, (int)p->bs) || out != (int)p->bs)
		return -EIO;
	return 0;
}

/* Whole chunks straight into buf, then decrypted there. */
static int read_whole(struct apfs_dev *dev, struct encr_ctx *c, uint8_t *buf, uint64_t first,
		      size_t nchunks)
{
	struct encr_priv *p = dev->priv;
	int ret = apfs_dev_read(dev->lower, buf, nchunks * p->bs, p->base + first * p->bs);

	for (size_t i = 0; !ret && i < nchunks; i++)
		ret = chunk_decrypt(p, c, (uint32_t)(first + i), buf + i * p->bs);
	return ret;
}

/* Part of one chunk, through the bounce buffer. */
static int read_part(struct apfs_dev *dev, struct encr_ctx *c, uint8_t *buf, size_t len,
		     uint64_t off)
{
	struct encr_priv *p = dev->priv;
	uint64_t n = off / p->bs;
	int ret = apfs_dev_read(dev->lower, c->bounce, p->bs, p->base + n * p->bs);

	if (!ret)
		ret = chunk_decrypt(p, c, (uint32_t)n, c->bounce);
	if (!ret)
		memcpy(buf, c->bounce + off % p->bs, len);
	return ret;
}

static int encr_read(struct apfs_dev *dev, void *buf, size_t len, uint64_t off)
{
	struct encr_priv *p = dev->priv;
	struct encr_ctx *c = ctx_get(p);
	uint8_t *b = buf;
	int ret = c ? 0 : -ENOMEM;

	while (!ret && len) {
		size_t in = (size_t)(off % p->bs), n;

		if (in == 0 && len >= p->bs) {
			n = len / p->bs * p->bs;
			ret = read_whole(dev, c, b, off / p->bs, n / p->bs);
		} else {
			n = p->bs - in < len ? p->bs - in : len;
			ret = read_part(dev, c, b, n, off);
		}
		b += n, off += n, len -= n;
	}
	if (ret == -EIO || ret == -APFS_ETRUNC)
		apfs_err("'%s': cannot read or decrypt encrypted chunk %llu", dev->path,
			 (unsigned long long)(off / p->bs));
	if (c)
		ctx_put(p, c);
	return ret;
}

static void priv_free(struct encr_priv *p)
{
	while (p->idle) {
		struct encr_ctx *c = p->idle;

		p->idle = c->next;
		ctx_free(c);
	}
	EVP_MD_CTX_free(p->ipad);
	EVP_MD_CTX_free(p->opad);
	apfs_secret_free(p->keys);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static void encr_close(struct apfs_dev *dev)
{
	priv_free(dev->priv);
}

static const struct apfs_dev_ops encr_ops = { "encrypted", encr_read, encr_close };

/* The HMAC's two SHA-1 states after key ^ ipad and key ^ opad (RFC 2104). */
static int hmac_states(struct encr_priv *p)
{
	uint8_t *pad = apfs_secret_alloc(128);
	int ok;

	p->ipad = EVP_MD_CTX_new();
	p->opad = EVP_MD_CTX_new();
	if (!pad || !p->ipad || !p->opad) {
		apfs_secret_free(pad);
		return -ENOMEM;
	}
	memset(pad, 0x36, 64);
	memset(pad + 64, 0x5c, 64);
	for (unsigned i = 0; i < ENCR_HMAC_KEY; i++)
		pad[i] ^= p->keys->hmac[i], pad[64 + i] ^= p->keys->hmac[i];
	ok = EVP_DigestInit_ex(p->ipad, EVP_sha1(), NULL) && EVP_DigestUpdate(p->ipad, pad, 64) &&
	     EVP_DigestInit_ex(p->opad, EVP_sha1(), NULL) && EVP_DigestUpdate(p->opad, pad + 64, 64);
	apfs_secret_free(pad);
	return ok ? 0 : -ENOMEM;
}

struct unlock_state {
	struct encr_pwentry *ents; /* the password entries */
	unsigned nents;
	unsigned others;           /* entries of other types, by type bit below */
	char other_names[160];
};

/* Read every password entry (bounded) and name the others. */
static int read_entries(struct apfs_dev *src, const char *what, const struct encr_header *h,
			struct unlock_state *u)
{
	char tb[32];
	size_t o = 0;

	u->ents = calloc(h->nkeys, sizeof(*u->ents));
	if (!u->ents)
		return -ENOMEM;
	for (unsigned i = 0; i < h->nkeys; i++) {
		int ret;

		if (h->keys[i].type != ENCR_KEY_PASSWORD) {
			if (o < sizeof(u->other_names))
				o += (size_t)snprintf(u->other_names + o, sizeof(u->other_names) - o,
						      "%s%s", u->others ? ", " : "",
						      encr_key_type_name(h->keys[i].type, tb,
									 sizeof(tb)));
			u->others++;
			continue;
		}
		ret = encr_read_pwentry(src, what, h, i, &u->ents[u->nents]);
		if (ret)
			return ret;
		u->nents++;
	}
	return 0;
}

/* 0 when pw opens one of the password entries, else -APFS_EREJECTED (or -ENOMEM). */
static int try_entries(const struct encr_header *h, const struct unlock_state *u,
		       const char *pw, size_t len, struct encr_keys *k)
{
	int ret = -APFS_EREJECTED;

	for (unsigned i = 0; ret == -APFS_EREJECTED && i < u->nents; i++)
		ret = encr_unwrap(&u->ents[i], pw, len, h->key_bits, k);
	return ret;
}

/* Each candidate passphrase the callback gives, until one opens the image. */
static int try_passphrases(const char *what, const struct encr_header *h,
			   const struct unlock_state *u, struct encr_keys *k)
{
	char *pw = apfs_secret_alloc(PASS_MAX);
	int ret = -APFS_EREJECTED;

	if (!pw)
		return -ENOMEM;
	for (unsigned a = 0; ret == -APFS_EREJECTED; a++) {
		size_t len = 0;
		int got = apfs_dev_passphrase(what, a, pw, PASS_MAX, &len);

		if (got) {  /* 1: no candidate left (still rejected); < 0: error */
			if (got < 0)
				ret = got;
			break;
		}
		ret = len <= PASS_MAX ? try_entries(h, u, pw, len, k) : -EINVAL;
		OPENSSL_cleanse(pw, PASS_MAX);
	}
	apfs_secret_free(pw);
	return ret;
}

static int unlock(struct apfs_dev *src, const char *what, const struct encr_header *h,
		  struct encr_keys *k)
{
	struct unlock_state u = { 0 };
	int ret = read_entries(src, what, h, &u);

	if (!ret && !u.nents) {
		apfs_err("'%s': encrypted disk image with no password key entry, only %s: this "
			 "tool opens images with a password", what, u.other_names);
		ret = -ENOTSUP;
	}
	if (!ret)
		ret = try_passphrases(what, h, &u, k);
	if (ret == -APFS_EREJECTED)
		apfs_err("'%s': the image passphrase does not open this encrypted disk image "
			 "(%u password key entr%s tried%s%s)", what, u.nents, u.nents == 1 ? "y" : "ies",
			 u.others ? "; it also has a key entry of " : "", u.others ? u.other_names : "");
	free(u.ents);
	return ret;
}

static int data_fits(const char *what, const struct encr_header *h, uint64_t base,
		     uint64_t size)
{
	uint64_t chunks = h->data_len / h->block_size + !!(h->data_len % h->block_size);

	if (range_ok(base, chunks * h->block_size, size))
		return 0;
	apfs_err("'%s': encrypted disk image (encrcdsa) header: the encrypted data (%llu bytes "
		 "in %llu chunks at offset %llu) runs past the end of the data (%llu bytes)",
		 what, (unsigned long long)h->data_len, (unsigned long long)chunks,
		 (unsigned long long)base, (unsigned long long)size);
	return -APFS_ECORRUPT;
}

static int make_dev(const struct encr_header *h, uint64_t base, struct encr_keys *k,
		    struct apfs_dev *data, struct apfs_dev **out)
{
	struct encr_priv *p = calloc(1, sizeof(*p));
	char sz[32];

	if (!p) {
		apfs_secret_free(k);
		return -ENOMEM;
	}
	*p = (struct encr_priv){ .base = base, .bs = h->block_size, .key_bits = h->key_bits,
				 .keys = k };
	pthread_mutex_init(&p->lock, NULL);
	*out = hmac_states(p) ? NULL : apfs_dev_new(&encr_ops, p, h->data_len, data, data->path);
	if (!*out) {
		priv_free(p);
		return -ENOMEM;
	}
	apfs_fmt_size(h->data_len, sz, sizeof(sz));
	snprintf((*out)->summary, sizeof((*out)->summary),
		 "encrypted (encrcdsa 2, AES-%u, %u-byte chunks, %s)", h->key_bits, h->block_size,
		 sz);
	return 0;
}

static int encr_open(struct apfs_dev *hsrc, struct apfs_dev *data, bool use_offset,
		     struct apfs_dev **out)
{
	struct encr_header *h = calloc(1, sizeof(*h));
	struct encr_keys *k = apfs_secret_alloc(sizeof(*k));
	int ret = h && k ? encr_read_header(hsrc, hsrc->path, h) : -ENOMEM;
	uint64_t base = use_offset && !ret ? h->data_off : 0;

	if (!ret)
		ret = data_fits(hsrc->path, h, base, data->size);
	if (!ret)
		ret = unlock(hsrc, hsrc->path, h, k);
	if (!ret) {
		ret = make_dev(h, base, k, data, out);
		k = NULL; /* make_dev took it */
	}
	apfs_secret_free(k);
	free(h);
	return ret;
}

int apfs_encrcdsa_over(struct apfs_dev *header_src, struct apfs_dev *data,
		       struct apfs_dev **out)
{
	return encr_open(header_src, data, false, out);
}

int apfs_encrcdsa_probe(struct apfs_dev *lower, struct apfs_dev **out)
{
	uint8_t m[8];
	int ret;

	if (lower->size < 8 || apfs_dev_read(lower, m, 8, 0) || memcmp(m, ENCR_MAGIC, 8))
		return 0;
	ret = encr_open(lower, lower, true, out);
	return ret ? ret : 1;
}
