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
 * each read takes a context (AES key schedule, bounce chunk) from a small
 * pool, so no lock is held while decrypting and no context is built per
 * read.  The HMAC's inner and outer SHA-1 states are computed once from the
 * key (shared, read-only); a chunk's IV costs two SHA-1 blocks.  Whole
 * chunks are decrypted 64 KiB at a time as one CBC stream (decrypt_group),
 * from the lower layer's memory when it shows it (a mapped file), with no
 * copy of the ciphertext.
 */
/*
 * SHA1_Init/Update/Final are deprecated in OpenSSL 3 but still there: on a
 * copied SHA_CTX they compute a chunk's IV at a third of the cost of the
 * EVP calls (EVP_MD_CTX_copy_ex allocates, EVP_DigestFinal_ex looks up
 * parameters), and the IV is computed for every 4 KiB read.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"
#include "util/err.h"
#include "util/secmem.h"
#include "image/dev.h"
#include "image/encrcdsa.h"
#include "image/probe.h"

#define PASS_MAX 1024
#define POOL_MAX 64 /* idle contexts kept; more threads build and free their own */

struct encr_ctx {
	EVP_CIPHER_CTX *aes;
	uint8_t *bounce; /* one chunk (plain heap: data, not keys, and the key arena is small) */
	struct encr_ctx *next;
};

struct encr_priv {
	uint64_t base;        /* offset of chunk 0 in the lower device */
	uint32_t bs;
	unsigned key_bits;
	struct encr_keys *keys; /* key memory */
	SHA_CTX *pads;          /* key memory: HMAC-SHA1 states after key^ipad, key^opad */
	pthread_mutex_t lock;
	struct encr_ctx *idle;
	unsigned nidle;
};

static void ctx_free(struct encr_ctx *c)
{
	if (!c)
		return;
	EVP_CIPHER_CTX_free(c->aes); /* wipes the key schedule */
	free(c->bounce);
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
	c->bounce = malloc(p->bs);
	if (!c->aes || !c->bounce ||
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

/*
 * IVs of chunks first .. first + n - 1: HMAC-SHA1(hmac_key, big-endian u32
 * chunk number), the first 16 bytes of each.  The state of the keyed hash
 * is wiped once per group, not per chunk (it showed in profiles).
 */
static void chunk_ivs(const struct encr_priv *p, uint64_t first, size_t n, uint8_t iv[][16])
{
	SHA_CTX h;
	uint8_t be[4], inner[20], mac[20];

	for (size_t i = 0; i < n; i++) {
		h = p->pads[0];
		st_be32(be, (uint32_t)(first + i));
		SHA1_Update(&h, be, 4);
		SHA1_Final(inner, &h);
		h = p->pads[1];
		SHA1_Update(&h, inner, 20);
		SHA1_Final(mac, &h);
		memcpy(iv[i], mac, 16);
	}
	OPENSSL_cleanse(&h, sizeof(h));
}

/*
 * Decrypt n whole chunks from in to out (the same buffer, or not) as one
 * CBC stream, then mend the first block of each chunk after the first.
 * CBC decryption gives P[0] = D(C[0]) ^ IV, so in one stream chunk i's
 * first block came out XORed with the last ciphertext block of chunk i - 1
 * instead of its own IV: XOR both in again.  One call into OpenSSL per
 * group instead of one per chunk (each re-keying the IV) is what makes the
 * layer fast.
 */
#define GROUP 16 /* 64 KiB: the output is mended while in L1/L2 (measured best of 8..64) */

static int decrypt_group(const struct encr_priv *p, struct encr_ctx *c, uint8_t *out,
			 const uint8_t *in, uint64_t first, size_t n)
{
	uint8_t saved[GROUP][16], iv[GROUP][16];
	bool in_place = in == out;
	int got = 0;

	/* In place, the ciphertext blocks go: keep them.  Else read them after, from cache. */
	for (size_t i = 1; in_place && i < n; i++)
		memcpy(saved[i], in + i * p->bs - 16, 16);
	chunk_ivs(p, first, n, iv);
	if (!EVP_DecryptInit_ex(c->aes, NULL, NULL, NULL, iv[0]) ||
	    !EVP_DecryptUpdate(c->aes, out, &got, in, (int)(n * p->bs)) ||
	    got != (int)(n * p->bs))
		return -EIO;
	for (size_t i = 1; i < n; i++) {
		uint8_t *blk = out + i * p->bs;
		const uint8_t *prev = in_place ? saved[i] : in + i * p->bs - 16;

		for (unsigned k = 0; k < 16; k++)
			blk[k] ^= prev[k] ^ iv[i][k];
	}
	return 0;
}

/* Whole chunks read straight into buf and decrypted there, a group at a time. */
static int read_groups(struct apfs_dev *dev, struct encr_ctx *c, uint8_t *buf, uint64_t first,
		       size_t nchunks)
{
	struct encr_priv *p = dev->priv;
	int ret = 0;

	for (size_t i = 0; !ret && i < nchunks; i += GROUP) {
		size_t n = nchunks - i < GROUP ? nchunks - i : GROUP;
		uint8_t *b = buf + i * p->bs;

		ret = apfs_dev_read(dev->lower, b, n * p->bs, p->base + (first + i) * p->bs);
		if (!ret)
			ret = decrypt_group(p, c, b, b, first + i, n);
	}
	return ret;
}

/*
 * Whole chunks into buf: decrypted from where the lower layer holds them
 * (a mapped file's page cache) straight into buf, with no copy of the
 * ciphertext.  Where it cannot show them all at once (a range across two
 * band files of a sparsebundle), each half is tried, down to a group, and a
 * group it cannot show is read into buf and decrypted there: right after
 * the kernel copied it, it is still in the CPU's cache.
 */
static int read_whole(struct apfs_dev *dev, struct encr_ctx *c, uint8_t *buf, uint64_t first,
		      size_t nchunks)
{
	struct encr_priv *p = dev->priv;
	void *hold;
	const uint8_t *in = apfs_dev_view(dev->lower, nchunks * p->bs, p->base + first * p->bs,
					  &hold);
	size_t half = nchunks / 2 / GROUP * GROUP;
	int ret = 0;

	if (!in && nchunks <= GROUP)
		return read_groups(dev, c, buf, first, nchunks);
	if (!in) {
		ret = read_whole(dev, c, buf, first, half ? half : GROUP);
		half = half ? half : GROUP;
		return ret ? ret : read_whole(dev, c, buf + half * p->bs, first + half,
					      nchunks - half);
	}
	for (size_t i = 0; !ret && i < nchunks; i += GROUP) {
		size_t n = nchunks - i < GROUP ? nchunks - i : GROUP;

		ret = decrypt_group(p, c, buf + i * p->bs, in + i * p->bs, first + i, n);
	}
	apfs_dev_unview(dev->lower, hold);
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
		ret = decrypt_group(p, c, c->bounce, c->bounce, n, 1);
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
	apfs_secret_free(p->pads);
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

	p->pads = apfs_secret_alloc(2 * sizeof(SHA_CTX));
	if (!pad || !p->pads) {
		apfs_secret_free(pad);
		return -ENOMEM;
	}
	memset(pad, 0x36, 64);
	memset(pad + 64, 0x5c, 64);
	for (unsigned i = 0; i < ENCR_HMAC_KEY; i++)
		pad[i] ^= p->keys->hmac[i], pad[64 + i] ^= p->keys->hmac[i];
	SHA1_Init(&p->pads[0]);
	SHA1_Update(&p->pads[0], pad, 64);
	SHA1_Init(&p->pads[1]);
	SHA1_Update(&p->pads[1], pad + 64, 64);
	apfs_secret_free(pad);
	return 0;
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

/* what: where the header is, for its structures; image: the image, for the passphrase. */
static int unlock(struct apfs_dev *src, const char *what, const char *image,
		  const struct encr_header *h, struct encr_keys *k)
{
	struct unlock_state u = { 0 };
	int ret = read_entries(src, what, h, &u);

	if (!ret && !u.nents) {
		apfs_err("'%s': encrypted disk image with no password key entry, only %s: this "
			 "tool opens images with a password", image, u.other_names);
		ret = -ENOTSUP;
	}
	if (!ret)
		ret = try_passphrases(image, h, &u, k);
	if (ret == -APFS_EREJECTED)
		apfs_err("'%s': the image passphrase does not open this encrypted disk image "
			 "(%u password key entr%s tried%s%s)", image, u.nents, u.nents == 1 ? "y" : "ies",
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
		ret = unlock(hsrc, hsrc->path, data->path, h, k);
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
