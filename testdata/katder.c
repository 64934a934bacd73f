/* SPDX-License-Identifier: MIT */
/*
 * katder.c - a minimal bounded DER reader for the known-answer test: it
 * takes the inputs of Apple's key blobs (salts, UUIDs, metadata, wrapped
 * keys, iteration counts) so the writer can rebuild them.  Independent of
 * the reader in keybag/ on purpose.
 */
#include <errno.h>

#include "kat.h"

/* Find the element with tag `tag` directly inside [p, p+len). */
int kat_der_find(const uint8_t *p, size_t len, uint8_t tag, const uint8_t **val, size_t *vlen)
{
	size_t off = 0;

	while (len - off >= 2) {
		uint8_t t = p[off], l = p[off + 1];
		size_t n = l, hdr = 2;

		if (l == 0x81 || l == 0x82) {
			hdr += l - 0x80u;
			if (len - off < hdr)
				return -EBADMSG;
			n = l == 0x81 ? p[off + 2] : (size_t)p[off + 2] << 8 | p[off + 3];
		} else if (l & 0x80) {
			return -EBADMSG;
		}
		if (n > len - off - hdr)
			return -EBADMSG;
		if (t == tag) {
			*val = p + off + hdr;
			*vlen = n;
			return 0;
		}
		off += hdr + n;
	}
	return -ENOENT;
}

static int copy_field(const uint8_t *p, size_t len, uint8_t tag, uint8_t *out, size_t want)
{
	const uint8_t *v;
	size_t n;
	int rc = kat_der_find(p, len, tag, &v, &n);

	if (rc)
		return rc;
	if (n != want)
		return -EBADMSG;
	memcpy(out, v, n);
	return 0;
}

static int read_uint(const uint8_t *p, size_t len, uint8_t tag, uint64_t *out)
{
	const uint8_t *v;
	size_t n;
	int rc = kat_der_find(p, len, tag, &v, &n);

	if (rc)
		return rc;
	if (n < 1 || n > 8)
		return -EBADMSG;
	*out = 0;
	for (size_t i = 0; i < n; i++)
		*out = *out << 8 | v[i];
	return 0;
}

/**
 * kat_blob_inputs() - the writer's inputs of one DER key blob.
 * @der: the entry data
 * @len: its length
 * @b: filled; iterations 0 for a VEK blob
 */
int kat_blob_inputs(const uint8_t *der, size_t len, struct mk_blob *b)
{
	const uint8_t *body, *in, *meta;
	size_t blen, ilen, mlen;
	int rc = kat_der_find(der, len, 0x30, &body, &blen);

	memset(b, 0, sizeof(*b));
	if (!rc)
		rc = copy_field(body, blen, 0x82, b->hmac_salt, 8);
	if (!rc)
		rc = kat_der_find(body, blen, 0xa3, &in, &ilen);
	if (!rc)
		rc = copy_field(in, ilen, 0x81, b->uuid, 16);
	if (!rc)
		rc = kat_der_find(in, ilen, 0x82, &meta, &mlen);
	if (!rc && mlen != 8 && mlen != 22)
		rc = -EBADMSG;
	if (rc)
		return rc;
	memcpy(b->meta, meta, mlen);
	b->meta_len = (unsigned)mlen;
	rc = copy_field(in, ilen, 0x83, b->wrapped, 40);
	if (!rc && read_uint(in, ilen, 0x84, &b->iterations) == 0)
		rc = copy_field(in, ilen, 0x85, b->salt, 16);
	return rc;
}
