/* SPDX-License-Identifier: MIT */
/*
 * der.h - a minimal bounded DER TLV reader for wrapped key blobs
 * (docs/apfs-format.md §4.1).
 *
 * Only what the blobs use: one-byte tags, short-form lengths and long-form
 * lengths of 1..4 big-endian bytes.  Every length is checked against the
 * bytes that remain in the enclosing element, and nesting is bounded, so a
 * crafted blob can neither read out of bounds nor recurse without end.
 */
#ifndef KB_DER_H
#define KB_DER_H

#include <stddef.h>
#include <stdint.h>

#define KB_DER_MAX_DEPTH 4

/* Tag bytes used by APFS blobs. */
#define KB_DER_SEQUENCE 0x30
#define KB_DER_CTX(n) (0x80 | (n))         /* primitive [n] */
#define KB_DER_CTX_CONS(n) (0xa0 | (n))    /* constructed [n] */

/* A region being read: the contents of one constructed element. */
struct kb_der {
	const uint8_t *p;
	size_t len;
	size_t off;
	unsigned depth;
};

/* One element: its tag, its contents, and the whole encoding (tag..end). */
struct kb_der_tlv {
	uint8_t tag;
	const uint8_t *val;
	size_t len;
	const uint8_t *raw;
	size_t rawlen;
};

struct kb_der kb_der_init(const void *p, size_t len);

/* Read the next element: 1 when one was read, 0 at the end, -APFS_ECORRUPT. */
int kb_der_next(struct kb_der *d, struct kb_der_tlv *t);

/* Descend into a constructed element; -APFS_ECORRUPT past KB_DER_MAX_DEPTH. */
int kb_der_enter(const struct kb_der *parent, const struct kb_der_tlv *t, struct kb_der *child);

/* An unsigned big-endian INTEGER of 1..8 bytes (a leading 00 allowed). */
int kb_der_uint(const struct kb_der_tlv *t, uint64_t *v);

#endif
