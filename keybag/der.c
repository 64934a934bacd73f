/* SPDX-License-Identifier: MIT */
/*
 * der.c - bounded DER TLV reader (see der.h).
 *
 * Long-form lengths are big-endian as X.690 says; libfsapfs once read them
 * little-endian and TSK drops them, both of which break real macOS blobs.
 * Errors are not logged here: the blob parser knows which blob and block
 * it is reading and logs once.
 */
#include "util/err.h"
#include "keybag/der.h"

struct kb_der kb_der_init(const void *p, size_t len)
{
	struct kb_der d = { p, len, 0, 0 };

	return d;
}

/* Decode the length octets at d->p[d->off]; advance past them. */
static int read_len(struct kb_der *d, size_t *len)
{
	size_t nbytes, v = 0;
	uint8_t b;

	if (d->off >= d->len)
		return -APFS_ECORRUPT;
	b = d->p[d->off++];
	if (b < 0x80) {
		*len = b;
		return 0;
	}
	/* 0x80 is the indefinite form, which DER forbids. */
	nbytes = b & 0x7f;
	if (nbytes == 0 || nbytes > 4 || nbytes > d->len - d->off)
		return -APFS_ECORRUPT;
	for (size_t i = 0; i < nbytes; i++)
		v = v << 8 | d->p[d->off++];
	*len = v;
	return 0;
}

/**
 * kb_der_next() - read the next element of a region.
 * @d: the region; advanced past the element.
 * @t: receives the element.
 *
 * Return: 1 when an element was read, 0 at the end of the region,
 * -APFS_ECORRUPT for a multi-byte tag or a length past the region's end.
 */
int kb_der_next(struct kb_der *d, struct kb_der_tlv *t)
{
	size_t start = d->off, len;
	int ret;

	if (d->off >= d->len)
		return 0;
	t->tag = d->p[d->off++];
	/* High tag numbers (low five bits all set) never occur in APFS blobs. */
	if ((t->tag & 0x1f) == 0x1f)
		return -APFS_ECORRUPT;
	ret = read_len(d, &len);
	if (ret)
		return ret;
	if (len > d->len - d->off)
		return -APFS_ECORRUPT;
	t->val = d->p + d->off;
	t->len = len;
	d->off += len;
	t->raw = d->p + start;
	t->rawlen = d->off - start;
	return 1;
}

/**
 * kb_der_enter() - make a region of a constructed element's contents.
 * @parent: the region the element was read from (gives the depth).
 * @t: the element; must have the constructed bit (0x20).
 * @child: receives the new region.
 *
 * Return: 0, or -APFS_ECORRUPT for a primitive element or too deep nesting.
 */
int kb_der_enter(const struct kb_der *parent, const struct kb_der_tlv *t, struct kb_der *child)
{
	if (!(t->tag & 0x20) || parent->depth + 1 > KB_DER_MAX_DEPTH)
		return -APFS_ECORRUPT;
	*child = kb_der_init(t->val, t->len);
	child->depth = parent->depth + 1;
	return 0;
}

/**
 * kb_der_uint() - decode an unsigned big-endian integer element.
 * @t: the element; 1..8 content bytes, or 9 with a leading zero byte.
 * @v: receives the value.
 *
 * Return: 0 or -APFS_ECORRUPT.
 */
int kb_der_uint(const struct kb_der_tlv *t, uint64_t *v)
{
	const uint8_t *p = t->val;
	size_t n = t->len;

	if (n == 9 && p[0] == 0) {
		p++;
		n--;
	}
	if (n == 0 || n > 8)
		return -APFS_ECORRUPT;
	*v = 0;
	for (size_t i = 0; i < n; i++)
		*v = *v << 8 | p[i];
	return 0;
}
