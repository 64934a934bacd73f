/* SPDX-License-Identifier: MIT */
/*
 * der.c - the DER encoding of wrapped-key blobs (docs/apfs-format.md §4.2,
 * §4.3) and their outer HMAC (§4.6), written with the same choices Apple
 * makes: definite lengths in the shortest form, iteration counts as
 * minimal big-endian integers.
 */
#include <errno.h>

#include "keybag/crypto.h"
#include "mk.h"

struct der {
	uint8_t *p;
	size_t len, cap;
	int err;
};

static void der_byte(struct der *d, uint8_t b)
{
	if (d->len >= d->cap) {
		d->err = -EOVERFLOW;
		return;
	}
	d->p[d->len++] = b;
}

static void der_len(struct der *d, size_t n)
{
	if (n >= 0x100) {
		der_byte(d, 0x82);
		der_byte(d, (uint8_t)(n >> 8));
	} else if (n >= 0x80) {
		der_byte(d, 0x81);
	}
	der_byte(d, (uint8_t)n);
}

static void der_put(struct der *d, uint8_t tag, const void *data, size_t n)
{
	const uint8_t *s = data;

	der_byte(d, tag);
	der_len(d, n);
	for (size_t i = 0; i < n; i++)
		der_byte(d, s[i]);
}

/* Unsigned big-endian in the fewest bytes, with a leading 00 if the top bit is set. */
static void der_uint(struct der *d, uint8_t tag, uint64_t v)
{
	uint8_t b[9];
	size_t n = 0;

	do {
		b[8 - n++] = (uint8_t)v;
		v >>= 8;
	} while (v);
	if (b[9 - n] & 0x80)
		b[8 - n++] = 0;
	der_put(d, tag, b + 9 - n, n);
}

/* The [3] key element, tag and length included (what the HMAC covers). */
static void key_element(const struct mk_blob *b, struct der *d)
{
	uint8_t body[256];
	struct der in = { body, 0, sizeof(body), 0 };

	der_uint(&in, 0x80, 0);
	der_put(&in, 0x81, b->uuid, 16);
	der_put(&in, 0x82, b->meta, b->meta_len);
	der_put(&in, 0x83, b->wrapped, 40);
	if (b->iterations) {
		der_uint(&in, 0x84, b->iterations);
		der_put(&in, 0x85, b->salt, 16);
	}
	der_put(d, 0xa3, body, in.len);
	if (in.err)
		d->err = in.err;
}

static int blob_hmac(const struct mk_blob *b, const uint8_t *el, size_t len, uint8_t mac[32])
{
	static const uint8_t prefix[6] = { 0x01, 0x16, 0x20, 0x17, 0x15, 0x05 };
	uint8_t seed[14], key[32];
	int rc;

	memcpy(seed, prefix, 6);
	memcpy(seed + 6, b->hmac_salt, 8);
	rc = kb_sha256(seed, sizeof(seed), key);
	return rc ? rc : kb_hmac_sha256(key, sizeof(key), el, len, mac);
}

/**
 * mk_der_blob() - encode a KEK blob (iterations set) or a VEK blob.
 * @b: the fields
 * @out: output buffer
 * @len: in: capacity of out; out: bytes written
 */
int mk_der_blob(const struct mk_blob *b, uint8_t *out, size_t *len)
{
	uint8_t el[300], body[400], mac[32];
	struct der k = { el, 0, sizeof(el), 0 }, o = { body, 0, sizeof(body), 0 };
	struct der d = { out, 0, *len, 0 };
	int rc;

	key_element(b, &k);
	if (k.err)
		return k.err;
	rc = blob_hmac(b, el, k.len, mac);
	if (rc)
		return rc;
	der_uint(&o, 0x80, 0);
	der_put(&o, 0x81, mac, 32);
	der_put(&o, 0x82, b->hmac_salt, 8);
	for (size_t i = 0; i < k.len; i++)
		der_byte(&o, el[i]);
	der_put(&d, 0x30, body, o.len);
	*len = d.len;
	return o.err ? o.err : d.err;
}
