/* SPDX-License-Identifier: MIT */
/*
 * lzfse.c - bounded LZFSE decoder, written from the format description.
 *
 * Block layouts (all fields little-endian):
 *   bvx$  magic                                         end of stream
 *   bvx-  magic, n_raw_bytes, then n_raw_bytes stored
 *   bvxn  magic, n_raw_bytes, n_payload_bytes, then an LZVN stream
 *   bvx1  a 772-byte header (the reference encoder's C struct: seven u32
 *         counts, literal_bits, literal_state[4], lmd_bits, l/m/d_state,
 *         then the 360 u16 frequencies, padded to 4), then the payload
 *   bvx2  magic, n_raw_bytes, three u64 bit-packed fields, then the
 *         frequencies with a variable-length code, header_size bytes in all
 *
 * An FSE block holds n_literals literals (four interleaved FSE streams over
 * one backward bit stream) and then n_matches (L, M, D) triples, each
 * "copy L literals, then M bytes from D back" (D = 0: the previous D).
 * Matches may reach into the output of earlier blocks.
 */
#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"
#include "util/err.h"
#include "codec/fse.h"
#include "codec/lzfse.h"
#include "codec/lzvn.h"

#define LZFSE_MAGIC_END 0x24787662u  /* "bvx$" */
#define LZFSE_MAGIC_RAW 0x2d787662u  /* "bvx-" */
#define LZFSE_MAGIC_V1 0x31787662u   /* "bvx1" */
#define LZFSE_MAGIC_V2 0x32787662u   /* "bvx2" */
#define LZFSE_MAGIC_LZVN 0x6e787662u /* "bvxn" */

#define L_SYMBOLS 20
#define M_SYMBOLS 20
#define D_SYMBOLS 64
#define LIT_SYMBOLS 256
#define N_FREQ (L_SYMBOLS + M_SYMBOLS + D_SYMBOLS + LIT_SYMBOLS)
#define L_STATES 64
#define M_STATES 64
#define D_STATES 256
#define LIT_STATES 1024
#define LITERALS_PER_BLOCK 40000 /* the reference encoder's literal buffer */
#define V1_HEADER_SIZE 772
#define V2_FIXED_SIZE 32

/* Extra bits per L, M and D symbol. */
static const uint8_t l_vbits[L_SYMBOLS] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 5, 8
};
static const uint8_t m_vbits[M_SYMBOLS] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 5, 8, 11
};
static const uint8_t d_vbits[D_SYMBOLS] = {
	0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3,
	4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7,
	8, 8, 8, 8, 9, 9, 9, 9, 10, 10, 10, 10, 11, 11, 11, 11,
	12, 12, 12, 12, 13, 13, 13, 13, 14, 14, 14, 14, 15, 15, 15, 15
};

/* A bvx1 or bvx2 header in host order. */
struct lzfse_header {
	uint32_t n_raw_bytes;
	uint32_t n_literals;
	uint32_t n_matches;
	uint32_t n_literal_payload_bytes;
	uint32_t n_lmd_payload_bytes;
	int literal_bits;
	int lmd_bits;
	uint16_t literal_state[4];
	uint16_t l_state, m_state, d_state;
	uint16_t freq[N_FREQ]; /* L, M, D, then literal frequencies */
};

/* Decoder state for one call; on the heap because of the literal buffer. */
struct lzfse_dec {
	const uint8_t *src;
	size_t srclen, s;
	uint8_t *dst;
	size_t dstcap, d;
	struct lzfse_header h;
	struct apfs_fse_entry lit_tab[LIT_STATES];
	struct apfs_fse_ventry l_tab[L_STATES], m_tab[M_STATES], d_tab[D_STATES];
	uint32_t l_base[L_SYMBOLS], m_base[M_SYMBOLS], d_base[D_SYMBOLS];
	uint8_t literals[LITERALS_PER_BLOCK];
};

/*
 * Each symbol's values follow the previous symbol's: base[i + 1] =
 * base[i] + 2^vbits[i] (L: 0..15, 16, 20, 28, 60; D: 0, 1, 2, 3, 4, 6, ...).
 */
static void lzfse_bases(const uint8_t *vbits, unsigned n, uint32_t *base)
{
	base[0] = 0;
	for (unsigned i = 1; i < n; i++)
		base[i] = base[i - 1] + (1u << vbits[i - 1]);
}

static int lzfse_block_raw(struct lzfse_dec *z)
{
	uint32_t n;

	if (z->srclen - z->s < 8)
		return -APFS_ECORRUPT;
	n = ld_le32(z->src + z->s + 4);
	if (n > z->srclen - z->s - 8)
		return -APFS_ECORRUPT;
	if (n > z->dstcap - z->d)
		return -ENOSPC;
	memcpy(z->dst + z->d, z->src + z->s + 8, n);
	z->d += n;
	z->s += 8 + (size_t)n;
	return 0;
}

static int lzfse_block_lzvn(struct lzfse_dec *z)
{
	uint32_t n_raw, n_payload;
	size_t used, pos = z->d;
	int ret;

	if (z->srclen - z->s < 12)
		return -APFS_ECORRUPT;
	n_raw = ld_le32(z->src + z->s + 4);
	n_payload = ld_le32(z->src + z->s + 8);
	if (n_payload > z->srclen - z->s - 12)
		return -APFS_ECORRUPT;
	if (n_raw > z->dstcap - z->d)
		return -ENOSPC;
	ret = apfs_lzvn_decode_at(z->src + z->s + 12, n_payload, &used, z->dst, z->d + n_raw,
				  &pos);
	/* Output past n_raw_bytes is the block contradicting its own header. */
	if (ret == -ENOSPC || (ret == 0 && (pos != z->d + n_raw || used != n_payload)))
		ret = -APFS_ECORRUPT;
	if (ret)
		return ret;
	z->d = pos;
	z->s += 12 + (size_t)n_payload;
	return 0;
}

static void lzfse_v1_freq(const uint8_t *p, struct lzfse_header *h)
{
	for (unsigned i = 0; i < N_FREQ; i++)
		h->freq[i] = ld_le16(p + 50 + 2 * i);
}

static int lzfse_parse_v1(struct lzfse_dec *z, size_t *hdr_len)
{
	const uint8_t *p = z->src + z->s;
	struct lzfse_header *h = &z->h;

	if (z->srclen - z->s < V1_HEADER_SIZE)
		return -APFS_ECORRUPT;
	/* n_payload_bytes (offset 8) is the sum of the two payload sizes: unused. */
	h->n_raw_bytes = ld_le32(p + 4);
	h->n_literals = ld_le32(p + 12);
	h->n_matches = ld_le32(p + 16);
	h->n_literal_payload_bytes = ld_le32(p + 20);
	h->n_lmd_payload_bytes = ld_le32(p + 24);
	h->literal_bits = (int32_t)ld_le32(p + 28);
	for (unsigned i = 0; i < 4; i++)
		h->literal_state[i] = ld_le16(p + 32 + 2 * i);
	h->lmd_bits = (int32_t)ld_le32(p + 40);
	h->l_state = ld_le16(p + 44);
	h->m_state = ld_le16(p + 46);
	h->d_state = ld_le16(p + 48);
	lzfse_v1_freq(p, h);
	*hdr_len = V1_HEADER_SIZE;
	return 0;
}

/*
 * One frequency from the low bits of a 32-bit window: 2, 3 or 5-bit codes
 * for 0..7, an 8-bit code xxxx0111 for 8..23 and a 14-bit code
 * xxxxxxxxxx1111 for 24..1047 (table indexed by the low five bits).
 */
static unsigned lzfse_freq_code(uint32_t bits, unsigned *nbits)
{
	static const uint8_t len[32] = {
		2, 3, 2, 5, 2, 3, 2, 8, 2, 3, 2, 5, 2, 3, 2, 14,
		2, 3, 2, 5, 2, 3, 2, 8, 2, 3, 2, 5, 2, 3, 2, 14
	};
	static const uint8_t val[32] = {
		0, 2, 1, 4, 0, 3, 1, 0, 0, 2, 1, 5, 0, 3, 1, 0,
		0, 2, 1, 6, 0, 3, 1, 0, 0, 2, 1, 7, 0, 3, 1, 0
	};

	*nbits = len[bits & 31];
	if (*nbits == 8)
		return 8 + ((bits >> 4) & 0xf);
	if (*nbits == 14)
		return 24 + ((bits >> 4) & 0x3ff);
	return val[bits & 31];
}

/* Decode the packed frequencies from p[0..len): they must end exactly there. */
static int lzfse_v2_freq(const uint8_t *p, size_t len, uint16_t *freq)
{
	uint32_t accum = 0;
	unsigned have = 0, nbits;
	size_t i = 0;

	for (unsigned f = 0; f < N_FREQ; f++) {
		while (i < len && have + 8 <= 32) {
			accum |= (uint32_t)p[i++] << have;
			have += 8;
		}
		freq[f] = (uint16_t)lzfse_freq_code(accum, &nbits);
		if (nbits > have)
			return -APFS_ECORRUPT;
		accum >>= nbits;
		have -= nbits;
	}
	return (have >= 8 || i != len) ? -APFS_ECORRUPT : 0;
}

/* Bits of the v2 packed fields: v >> off, width bits. */
static uint32_t field(uint64_t v, unsigned off, unsigned width)
{
	return (uint32_t)((v >> off) & ((1ULL << width) - 1));
}

static int lzfse_parse_v2(struct lzfse_dec *z, size_t *hdr_len)
{
	const uint8_t *p = z->src + z->s;
	struct lzfse_header *h = &z->h;
	uint64_t f0, f1, f2;
	uint32_t size;

	if (z->srclen - z->s < V2_FIXED_SIZE)
		return -APFS_ECORRUPT;
	h->n_raw_bytes = ld_le32(p + 4);
	f0 = ld_le64(p + 8);
	f1 = ld_le64(p + 16);
	f2 = ld_le64(p + 24);
	h->n_literals = field(f0, 0, 20);
	h->n_literal_payload_bytes = field(f0, 20, 20);
	h->n_matches = field(f0, 40, 20);
	h->literal_bits = (int)field(f0, 60, 3) - 7;
	for (unsigned i = 0; i < 4; i++)
		h->literal_state[i] = (uint16_t)field(f1, 10 * i, 10);
	h->n_lmd_payload_bytes = field(f1, 40, 20);
	h->lmd_bits = (int)field(f1, 60, 3) - 7;
	size = field(f2, 0, 32);
	h->l_state = (uint16_t)field(f2, 32, 10);
	h->m_state = (uint16_t)field(f2, 42, 10);
	h->d_state = (uint16_t)field(f2, 52, 10);
	if (size < V2_FIXED_SIZE || size > z->srclen - z->s)
		return -APFS_ECORRUPT;
	memset(h->freq, 0, sizeof(h->freq));
	/* A header of exactly 32 bytes omits the tables (all zero). */
	if (size > V2_FIXED_SIZE &&
	    lzfse_v2_freq(p + V2_FIXED_SIZE, size - V2_FIXED_SIZE, h->freq))
		return -APFS_ECORRUPT;
	*hdr_len = size;
	return 0;
}

static int lzfse_check_header(const struct lzfse_header *h)
{
	const uint16_t *f = h->freq;

	for (unsigned i = 0; i < 4; i++)
		if (h->literal_state[i] >= LIT_STATES)
			return -APFS_ECORRUPT;
	if (h->l_state >= L_STATES || h->m_state >= M_STATES || h->d_state >= D_STATES)
		return -APFS_ECORRUPT;
	if (h->n_literals > LITERALS_PER_BLOCK)
		return -APFS_ECORRUPT;
	if (h->literal_bits < -7 || h->literal_bits > 0 || h->lmd_bits < -7 || h->lmd_bits > 0)
		return -APFS_ECORRUPT;
	if (apfs_fse_check_freq(f, L_SYMBOLS, L_STATES) ||
	    apfs_fse_check_freq(f + L_SYMBOLS, M_SYMBOLS, M_STATES) ||
	    apfs_fse_check_freq(f + L_SYMBOLS + M_SYMBOLS, D_SYMBOLS, D_STATES) ||
	    apfs_fse_check_freq(f + L_SYMBOLS + M_SYMBOLS + D_SYMBOLS, LIT_SYMBOLS, LIT_STATES))
		return -APFS_ECORRUPT;
	return 0;
}

static void lzfse_tables(struct lzfse_dec *z)
{
	const uint16_t *f = z->h.freq;

	apfs_fse_init_vtable(L_STATES, L_SYMBOLS, f, l_vbits, z->l_base, z->l_tab);
	f += L_SYMBOLS;
	apfs_fse_init_vtable(M_STATES, M_SYMBOLS, f, m_vbits, z->m_base, z->m_tab);
	f += M_SYMBOLS;
	apfs_fse_init_vtable(D_STATES, D_SYMBOLS, f, d_vbits, z->d_base, z->d_tab);
	f += D_SYMBOLS;
	apfs_fse_init_table(LIT_STATES, LIT_SYMBOLS, f, z->lit_tab);
}

/* Literals come four at a time, one FSE state per lane; n_literals is padded to 4. */
static int lzfse_literals(struct lzfse_dec *z, const uint8_t *p, size_t len, size_t *nlit)
{
	struct apfs_fse_in in;
	uint16_t st[4];
	size_t n = ((size_t)z->h.n_literals + 3) & ~(size_t)3;

	if (apfs_fse_in_init(&in, p, len, z->h.literal_bits))
		return -APFS_ECORRUPT;
	memcpy(st, z->h.literal_state, sizeof(st));
	for (size_t i = 0; i < n; i += 4) {
		if (apfs_fse_in_flush(&in))
			return -APFS_ECORRUPT;
		for (unsigned j = 0; j < 4; j++)
			z->literals[i + j] = apfs_fse_decode(&st[j], z->lit_tab, &in);
	}
	*nlit = n;
	return in.bad ? -APFS_ECORRUPT : 0;
}

/* Copy L literals then the match; end is where this block's output stops. */
static int lzfse_execute(struct lzfse_dec *z, size_t *lit, size_t nlit, uint32_t l, uint32_t m,
			 size_t dist, size_t end)
{
	if (l > nlit - *lit || l > end - z->d)
		return -APFS_ECORRUPT;
	memcpy(z->dst + z->d, z->literals + *lit, l);
	*lit += l;
	z->d += l;
	if (m == 0)
		return 0;
	if (dist == 0 || dist > z->d || m > end - z->d)
		return -APFS_ECORRUPT;
	for (size_t i = 0; i < m; i++)
		z->dst[z->d + i] = z->dst[z->d + i - dist];
	z->d += m;
	return 0;
}

static int lzfse_lmd(struct lzfse_dec *z, const uint8_t *p, size_t len, size_t nlit, size_t end)
{
	struct apfs_fse_in in;
	uint16_t ls = z->h.l_state, ms = z->h.m_state, ds = z->h.d_state;
	size_t lit = 0, dist = 0; /* 0: no distance yet, so a "repeat" is invalid */
	uint32_t l, m, d;
	int ret;

	if (apfs_fse_in_init(&in, p, len, z->h.lmd_bits))
		return -APFS_ECORRUPT;
	/* n_matches < 2^20: bounded even when no bits are consumed. */
	for (uint32_t i = 0; i < z->h.n_matches; i++) {
		if (apfs_fse_in_flush(&in))
			return -APFS_ECORRUPT;
		l = apfs_fse_vdecode(&ls, z->l_tab, &in);
		m = apfs_fse_vdecode(&ms, z->m_tab, &in);
		d = apfs_fse_vdecode(&ds, z->d_tab, &in);
		if (in.bad)
			return -APFS_ECORRUPT;
		if (d != 0)
			dist = d;
		ret = lzfse_execute(z, &lit, nlit, l, m, dist, end);
		if (ret)
			return ret;
	}
	return 0;
}

/* A bvx1/bvx2 block once its header is parsed: hdr_len bytes from z->s. */
static int lzfse_block_fse(struct lzfse_dec *z, size_t hdr_len)
{
	const struct lzfse_header *h = &z->h;
	const uint8_t *payload = z->src + z->s + hdr_len;
	size_t left = z->srclen - z->s - hdr_len, nlit, end;
	int ret;

	if (lzfse_check_header(h))
		return -APFS_ECORRUPT;
	if (h->n_literal_payload_bytes > left ||
	    h->n_lmd_payload_bytes > left - h->n_literal_payload_bytes)
		return -APFS_ECORRUPT;
	if (h->n_raw_bytes > z->dstcap - z->d)
		return -ENOSPC;
	end = z->d + h->n_raw_bytes;
	lzfse_tables(z);
	ret = lzfse_literals(z, payload, h->n_literal_payload_bytes, &nlit);
	if (ret)
		return ret;
	ret = lzfse_lmd(z, payload + h->n_literal_payload_bytes, h->n_lmd_payload_bytes, nlit,
			end);
	if (ret)
		return ret;
	if (z->d != end)
		return -APFS_ECORRUPT;
	z->s += hdr_len + h->n_literal_payload_bytes + h->n_lmd_payload_bytes;
	return 0;
}

/* Decode the block at z->s.  Returns 1 at the end-of-stream block. */
static int lzfse_block(struct lzfse_dec *z)
{
	size_t hdr_len = 0;
	int ret;

	if (z->srclen - z->s < 4)
		return -APFS_ECORRUPT; /* no end-of-stream block */
	switch (ld_le32(z->src + z->s)) {
	case LZFSE_MAGIC_END:
		z->s += 4;
		return 1;
	case LZFSE_MAGIC_RAW:
		return lzfse_block_raw(z);
	case LZFSE_MAGIC_LZVN:
		return lzfse_block_lzvn(z);
	case LZFSE_MAGIC_V1:
		ret = lzfse_parse_v1(z, &hdr_len);
		break;
	case LZFSE_MAGIC_V2:
		ret = lzfse_parse_v2(z, &hdr_len);
		break;
	default:
		return -APFS_ECORRUPT;
	}
	return ret ? ret : lzfse_block_fse(z, hdr_len);
}

int apfs_lzfse_decode(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstcap,
		      size_t *dstlen)
{
	struct lzfse_dec *z = malloc(sizeof(*z));
	int ret;

	if (!z)
		return -ENOMEM;
	memset(z, 0, offsetof(struct lzfse_dec, literals));
	z->src = src;
	z->srclen = srclen;
	z->dst = dst;
	z->dstcap = dstcap;
	lzfse_bases(l_vbits, L_SYMBOLS, z->l_base);
	lzfse_bases(m_vbits, M_SYMBOLS, z->m_base);
	lzfse_bases(d_vbits, D_SYMBOLS, z->d_base);
	/* Every block consumes at least four bytes, so this loop ends. */
	do
		ret = lzfse_block(z);
	while (ret == 0);
	if (ret == 1) {
		*dstlen = z->d;
		ret = 0;
	}
	free(z);
	return ret;
}
