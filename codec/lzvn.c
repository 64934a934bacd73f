/* SPDX-License-Identifier: MIT */
/*
 * lzvn.c - bounded LZVN decoder, written from the format description.
 *
 * Every opcode is "copy L literal bytes that follow the opcode, then copy M
 * bytes from D bytes back in the output".  The first byte says which of
 * these encodings it is (L = literal length, M = match length, D = match
 * distance; bits listed most significant first):
 *
 *   sml_d  LLMMMDDD DDDDDDDD          L 0-3, M 3-10, D 11 bits
 *   med_d  101LLMMM DDDDDDMM DDDDDDDD L 0-3, M 3-34, D 14 bits
 *   lrg_d  LLMMM111 DDDDDDDD DDDDDDDD L 0-3, M 3-10, D 16 bits (LE)
 *   pre_d  LLMMM110                   L 0-3, M 3-10, D = previous D
 *   sml_l  1110LLLL                   L 1-15, no match
 *   lrg_l  11100000 LLLLLLLL          L 16-271, no match
 *   sml_m  1111MMMM                   M 1-15, previous D, no literal
 *   lrg_m  11110000 MMMMMMMM          M 16-271, previous D, no literal
 *   eos    00000110 + 7 bytes         end of stream (8 bytes in all)
 *   nop    00001110, 00010110         skip one byte
 *   undefined: 0x1e 0x26 0x2e 0x36 0x3e (pre_d with L = 0), 0x70-0x7f, 0xd0-0xdf
 *
 * Matches may overlap their destination (D < M repeats a pattern), so the
 * copy is byte by byte in increasing order, never memmove.
 */
#include <string.h>

#include "util/err.h"
#include "codec/lzvn.h"

enum lzvn_kind { OP_MATCH, OP_LIT, OP_NOP, OP_EOS, OP_UDEF };

/* One decoded opcode: its own length and what it asks for. */
struct lzvn_op {
	enum lzvn_kind kind;
	size_t len;   /* opcode bytes, literal bytes excluded */
	size_t lit;   /* L */
	size_t match; /* M */
	size_t dist;  /* D, when new_dist */
	int new_dist;
};

/* Opcodes whose low three bits are 110 with L = 0 are special or invalid. */
static enum lzvn_kind lzvn_pre_d_kind(uint8_t opc)
{
	if (opc >= 0x40)
		return OP_MATCH;
	if (opc == 0x06)
		return OP_EOS;
	if (opc == 0x0e || opc == 0x16)
		return OP_NOP;
	return OP_UDEF;
}

static void lzvn_set(struct lzvn_op *op, enum lzvn_kind kind, size_t len, size_t lit,
		     size_t match)
{
	op->kind = kind;
	op->len = len;
	op->lit = lit;
	op->match = match;
	op->new_dist = 0;
}

/* Decode the opcode byte into its class and the fields it carries itself. */
static void lzvn_classify(uint8_t opc, struct lzvn_op *op)
{
	if (opc >= 0xf0) {
		lzvn_set(op, OP_MATCH, opc == 0xf0 ? 2 : 1, 0, opc & 0x0f);
	} else if (opc >= 0xe0) {
		lzvn_set(op, OP_LIT, opc == 0xe0 ? 2 : 1, opc & 0x0f, 0);
	} else if ((opc >= 0xd0 && opc < 0xe0) || (opc >= 0x70 && opc < 0x80)) {
		lzvn_set(op, OP_UDEF, 1, 0, 0);
	} else if (opc >= 0xa0 && opc < 0xc0) {
		lzvn_set(op, OP_MATCH, 3, (opc >> 3) & 3, 0);
		op->new_dist = 1;
	} else if ((opc & 7) == 7) {
		lzvn_set(op, OP_MATCH, 3, opc >> 6, ((opc >> 3) & 7) + 3);
		op->new_dist = 1;
	} else if ((opc & 7) == 6) {
		lzvn_set(op, lzvn_pre_d_kind(opc), opc == 0x06 ? 8 : 1, opc >> 6,
			 ((opc >> 3) & 7) + 3);
	} else {
		lzvn_set(op, OP_MATCH, 2, opc >> 6, ((opc >> 3) & 7) + 3);
		op->new_dist = 1;
	}
}

/*
 * Parse the opcode at p (avail > 0 bytes).  On return the whole opcode and
 * its literal lie inside the input.
 */
static int lzvn_parse(const uint8_t *p, size_t avail, struct lzvn_op *op)
{
	uint8_t opc = p[0];

	lzvn_classify(opc, op);
	if (op->kind == OP_UDEF || op->len > avail)
		return -APFS_ECORRUPT;
	if (opc == 0xe0)
		op->lit = (size_t)p[1] + 16;
	else if (opc == 0xf0)
		op->match = (size_t)p[1] + 16;
	else if (opc >= 0xa0 && opc < 0xc0) {
		op->match = ((size_t)(opc & 7) << 2 | (p[1] & 3)) + 3;
		op->dist = (size_t)p[1] >> 2 | (size_t)p[2] << 6;
	} else if (op->new_dist && op->len == 3)
		op->dist = (size_t)p[1] | (size_t)p[2] << 8;
	else if (op->new_dist)
		op->dist = (size_t)(opc & 7) << 8 | p[1];
	if (op->lit > avail - op->len)
		return -APFS_ECORRUPT;
	return 0;
}

/* Copy M bytes from D back; the distance was checked against the history. */
static void lzvn_match(uint8_t *dst, size_t pos, size_t dist, size_t len)
{
	for (size_t i = 0; i < len; i++)
		dst[pos + i] = dst[pos + i - dist];
}

/* Carry out a parsed opcode: literal, then match. */
static int lzvn_apply(const struct lzvn_op *op, const uint8_t *lit, uint8_t *dst,
		      size_t dstcap, size_t *pos, size_t *dist)
{
	size_t d = *pos;

	if (op->lit > dstcap - d)
		return -ENOSPC;
	memcpy(dst + d, lit, op->lit);
	d += op->lit;
	if (op->new_dist)
		*dist = op->dist;
	if (op->match > 0) {
		/* D = 0 would copy a byte onto itself: never valid. */
		if (*dist == 0 || *dist > d)
			return -APFS_ECORRUPT;
		if (op->match > dstcap - d)
			return -ENOSPC;
		lzvn_match(dst, d, *dist, op->match);
		d += op->match;
	}
	*pos = d;
	return 0;
}

int apfs_lzvn_decode_at(const uint8_t *src, size_t srclen, size_t *used, uint8_t *dst,
			size_t dstcap, size_t *pos)
{
	struct lzvn_op op;
	size_t s = 0, d = *pos, dist = 0;
	int ret;

	if (d > dstcap)
		return -ENOSPC;
	/* Every opcode consumes at least one byte, so this loop ends. */
	while (s < srclen) {
		ret = lzvn_parse(src + s, srclen - s, &op);
		if (ret)
			return ret;
		if (op.kind == OP_EOS) {
			*used = s + op.len;
			*pos = d;
			return 0;
		}
		if (op.kind != OP_NOP) {
			ret = lzvn_apply(&op, src + s + op.len, dst, dstcap, &d, &dist);
			if (ret)
				return ret;
		}
		s += op.len + op.lit;
	}
	return -APFS_ECORRUPT; /* ran out of input before the end-of-stream opcode */
}

int apfs_lzvn_decode(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstcap,
		     size_t *dstlen)
{
	size_t used, pos = 0;
	int ret;

	ret = apfs_lzvn_decode_at(src, srclen, &used, dst, dstcap, &pos);
	if (ret == 0)
		*dstlen = pos;
	return ret;
}
