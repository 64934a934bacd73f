/* SPDX-License-Identifier: MIT */
/*
 * lzbitmap.c - LZBITMAP decoder, written from the format description in
 * lzbitmap.h.  Every cursor is checked against its chunk before use, every
 * loop produces output or consumes input, and output never exceeds dstcap.
 */
#include "codec/lzbitmap.h"

#include <string.h>

#include "util/err.h"

#define ZBM_HDR 6
#define ZBM_CHDR 15
#define ZBM_MAX_OUT 0x8000u
#define ZBM_NMASKS 12
#define ZBM_MASK_BYTES 17

struct zmask {
	uint8_t bits;
	uint8_t dist_bytes;
};

struct zchunk {
	const uint8_t *p, *end;   /* the chunk */
	const uint8_t *lit, *m1, *m2, *m3;
	int nib;                  /* 0: low nibble of *m3 next, 1: high */
	uint8_t *dst;
	size_t pos, stop;         /* output position and this chunk's end */
	uint32_t dist;
	struct zmask masks[ZBM_NMASKS];
};

static uint32_t ld24(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

static int nibble(struct zchunk *z, uint8_t *out)
{
	if (z->m3 >= z->end)
		return -APFS_ECORRUPT;
	*out = z->nib ? *z->m3 >> 4 : *z->m3 & 0xf;
	if (z->nib)
		z->m3++;
	z->nib ^= 1;
	return 0;
}

/* The 12 packed masks at the chunk's end, 10 bits each, LSB first. */
static int read_masks(struct zchunk *z)
{
	const uint8_t *b = z->end - ZBM_MASK_BYTES;

	for (unsigned i = 0; i < ZBM_NMASKS; i++) {
		unsigned v = 0;

		for (unsigned k = 0; k < 10; k++) {
			unsigned bit = i * 10 + k;

			v |= (unsigned)(b[bit / 8] >> (bit % 8) & 1) << k;
		}
		z->masks[i].bits = (uint8_t)v;
		z->masks[i].dist_bytes = (uint8_t)(v >> 8);
		if (z->masks[i].dist_bytes > 2)
			return -APFS_ECORRUPT;
	}
	return 0;
}

static int apply(struct zchunk *z, const struct zmask *m)
{
	if (m->dist_bytes) {
		if ((size_t)(z->end - z->m1) < m->dist_bytes)
			return -APFS_ECORRUPT;
		z->dist = z->m1[0] | (m->dist_bytes == 2 ? (uint32_t)z->m1[1] << 8 : 0);
		z->m1 += m->dist_bytes;
	}
	if (z->dist == 0)
		return -APFS_ECORRUPT;
	for (unsigned i = 0; i < 8 && z->pos < z->stop; i++) {
		if (m->bits >> i & 1) {
			if (z->lit >= z->end)
				return -APFS_ECORRUPT;
			z->dst[z->pos++] = *z->lit++;
		} else {
			if (z->dist > z->pos)
				return -APFS_ECORRUPT;
			z->dst[z->pos] = z->dst[z->pos - z->dist];
			z->pos++;
		}
	}
	return 0;
}

static int apply_num(struct zchunk *z, uint8_t num)
{
	struct zmask m;

	if (num == 0xf)
		return -APFS_ECORRUPT;
	if (num >= 3)
		return apply(z, &z->masks[num - 3]);
	/* 0..2: an explicit mask byte, with num distance bytes. */
	if (z->m2 >= z->end)
		return -APFS_ECORRUPT;
	m.bits = *z->m2++;
	m.dist_bytes = num;
	return apply(z, &m);
}

/* The repeat count after a mask number: 0xf, then nibbles summed. */
static int repeat_count(struct zchunk *z, uint32_t *repeat)
{
	uint8_t n;
	int ret;

	if (z->m3 >= z->end || (z->nib ? *z->m3 >> 4 : *z->m3 & 0xf) != 0xf)
		return 0;
	nibble(z, &n);
	*repeat = 4;
	do {
		ret = nibble(z, &n);
		if (ret)
			return ret;
		*repeat += n;
	} while (n == 0xf && *repeat < ZBM_MAX_OUT);
	return 0;
}

/*
 * A mask number, then an optional repeat count.  When 8 bytes or fewer of
 * the chunk remain, this mask is its last: the nibbles after it are the
 * stream's padding, which may hold 0xf and is no repeat marker (a stream
 * Apple's library decodes has one, vectors/lzbitmap 019).
 */
static int step(struct zchunk *z)
{
	uint8_t num;
	uint32_t repeat = 1;
	int ret = nibble(z, &num);

	if (!ret && z->stop - z->pos > 8)
		ret = repeat_count(z, &repeat);
	for (uint32_t i = 0; i < repeat && !ret; i++)
		ret = apply_num(z, num);
	return ret;
}

static int chunk_compressed(struct zchunk *z, uint32_t len)
{
	uint32_t o1, o2, o3;
	int ret;

	if (len < ZBM_CHDR + ZBM_MASK_BYTES)
		return -APFS_ECORRUPT;
	o1 = ld24(z->p + 6);
	o2 = ld24(z->p + 9);
	o3 = ld24(z->p + 12);
	if (o1 >= len || o2 >= len || o3 >= len)
		return -APFS_ECORRUPT;
	z->lit = z->p + ZBM_CHDR;
	z->m1 = z->p + o1;
	z->m2 = z->p + o2;
	z->m3 = z->p + o3;
	z->nib = 0;
	z->dist = 8;
	ret = read_masks(z);
	/* Each step writes at least one byte, so this loop is bounded. */
	while (!ret && z->pos < z->stop)
		ret = step(z);
	return ret;
}

/**
 * apfs_lzbitmap_decode - decode one LZBITMAP stream (see lzbitmap.h)
 */
int apfs_lzbitmap_decode(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstcap,
			 size_t *dstlen)
{
	struct zchunk z = { .dst = dst };
	size_t off = 4;

	if (srclen < 4 || memcmp(src, "ZBM\x09", 4))
		return -APFS_ECORRUPT;
	for (;;) {
		uint32_t len, out;
		int ret;

		if (srclen - off < ZBM_HDR)
			return -APFS_ECORRUPT;
		len = ld24(src + off);
		out = ld24(src + off + 3);
		if (len < ZBM_HDR || len > srclen - off || out > ZBM_MAX_OUT)
			return -APFS_ECORRUPT;
		if (out == 0)
			break;
		if (out > dstcap - z.pos)
			return -ENOSPC;
		z.p = src + off;
		z.end = src + off + len;
		z.stop = z.pos + out;
		if (len == out + ZBM_HDR) {
			memcpy(dst + z.pos, z.p + ZBM_HDR, out);
			z.pos += out;
			ret = 0;
		} else {
			ret = chunk_compressed(&z, len);
		}
		if (ret)
			return ret;
		off += len;
	}
	*dstlen = z.pos;
	return 0;
}
