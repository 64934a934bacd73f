/* SPDX-License-Identifier: MIT */
/*
 * test_lzfse.c - codec/lzfse.c: hand-assembled streams of every block kind
 * (expected output worked out by hand below), error paths, a seeded
 * mutation loop (run it under `make asan`), and real Apple data when IMAGES
 * is set: the first lzfse chunk of basic-lzfse.dmg against the same sectors
 * of basic.img (the gunzipped UDTO conversion of the same disk).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/bytes.h"
#include "util/err.h"
#include "codec/fse.h"
#include "codec/lzfse.h"

#define EOS 0x06, 0, 0, 0, 0, 0, 0, 0
#define END 'b', 'v', 'x', '$'

static void expect_out(const uint8_t *src, size_t n, const char *want, size_t wantlen)
{
	uint8_t out[256];
	size_t len = 999;

	assert_int_equal(apfs_lzfse_decode(src, n, out, sizeof(out), &len), 0);
	assert_int_equal(len, wantlen);
	assert_memory_equal(out, want, wantlen);
}

static int decode_rc(const uint8_t *src, size_t n, size_t cap)
{
	uint8_t out[256];
	size_t len;

	assert_true(cap <= sizeof(out));
	return apfs_lzfse_decode(src, n, out, cap, &len);
}

/* "bvx-" + n_raw_bytes 5 + the bytes, then "bvx$". */
static void test_raw_block(void **state)
{
	static const uint8_t s[] = { 'b', 'v', 'x', '-', 5, 0, 0, 0, 'h', 'e', 'l', 'l', 'o', END };

	(void)state;
	expect_out(s, sizeof(s), "hello", 5);
}

/*
 * Two "bvxn" blocks (magic, n_raw_bytes, n_payload_bytes, LZVN stream):
 * the first is E3 "abc" 00 03 EOS = "abcabc" (6 bytes from 14), the second
 * 00 06 EOS = sml_d M 3, D 6: a match into the first block's output, "abc".
 */
static void test_lzvn_blocks(void **state)
{
	static const uint8_t s[] = {
		'b', 'v', 'x', 'n', 6, 0, 0, 0, 14, 0, 0, 0, 0xe3, 'a', 'b', 'c', 0x00, 0x03, EOS,
		'b', 'v', 'x', 'n', 3, 0, 0, 0, 10, 0, 0, 0, 0x00, 0x06, EOS,
		END
	};

	(void)state;
	expect_out(s, sizeof(s), "abcabcabc", 9);
}

/* LSB-first bit writer for the v2 frequency code. */
struct bits {
	uint8_t *p;
	size_t nbits;
};

static void put_bits(struct bits *b, uint32_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++, b->nbits++)
		if (v >> i & 1)
			b->p[b->nbits / 8] |= (uint8_t)(1u << (b->nbits % 8));
}

/* 0 is the 2-bit code 00; 24..1047 the 14-bit code 1111 then (f - 24). */
static void put_freq(struct bits *b, unsigned f)
{
	if (f == 0) {
		put_bits(b, 0, 2);
	} else {
		assert_true(f >= 24 && f <= 1047);
		put_bits(b, 0xf | (f - 24) << 4, 14);
	}
}

/*
 * The FSE stream used by the bvx1/bvx2 tests, worked out by hand:
 *   L table: only symbol 4 (L = 4), freq 64 = all states.  A symbol owning
 *     all N states has k = 0: it reads no bits and keeps its state.
 *   M table: only symbol 4 (M = 4), freq 64.  D table: only symbol 2
 *     (D = 2, no extra bits), freq 256.  So the one match is L 4, M 4, D 2
 *     and the L/M/D stream consumes no bits: 7 zero bytes (lmd_bits 0).
 *   Literal table: 'a' (97) and 'b' (98) with freq 512 each of 1024 states:
 *     k = log2(1024) - log2(512) = 1, j0 = 2048 / 2 - 512 = 512 = f, so
 *     all of a symbol's states read 1 bit; states 0..511 are 'a' and
 *     512..1023 are 'b'.  Initial states 0, 512, 512, 0 give the 4 literals
 *     "abba" whatever bits follow; 7 zero bytes again (literal_bits 0).
 *   Execution: "abba", then 4 bytes from 2 back, overlapping: "baba".
 *   Output "abbababa", n_raw_bytes 8.
 */
static void lmd_freqs(uint16_t *freq)
{
	memset(freq, 0, 360 * sizeof(*freq));
	freq[4] = 64;                /* L symbol 4 */
	freq[20 + 4] = 64;           /* M symbol 4 */
	freq[40 + 2] = 256;          /* D symbol 2 */
	freq[104 + 'a'] = 512;
	freq[104 + 'b'] = 512;
}

/* bvx2: the packed header (field layout in codec/lzfse.c), 7 + 7 payload bytes. */
static size_t build_v2(uint8_t *s)
{
	uint16_t freq[360];
	struct bits b = { s + 32, 0 };
	size_t hdr;
	uint64_t f0, f1, f2;

	memset(s, 0, 256);
	lmd_freqs(freq);
	for (int i = 0; i < 360; i++)
		put_freq(&b, freq[i]);
	/* 19 + 19 + 63 + 254 zeros (2 bits) and 5 long codes (14 bits): 780 bits. */
	assert_int_equal(b.nbits, 780);
	hdr = 32 + (b.nbits + 7) / 8;
	memcpy(s, "bvx2", 4);
	st_le32(s + 4, 8);
	f0 = 4 | (uint64_t)7 << 20 | (uint64_t)1 << 40 | (uint64_t)(0 + 7) << 60;
	f1 = 0 | (uint64_t)512 << 10 | (uint64_t)512 << 20 | (uint64_t)0 << 30 |
	     (uint64_t)7 << 40 | (uint64_t)(0 + 7) << 60;
	f2 = hdr; /* l, m, d states 0 */
	st_le64(s + 8, f0);
	st_le64(s + 16, f1);
	st_le64(s + 24, f2);
	memcpy(s + hdr + 14, "bvx$", 4); /* the 14 payload bytes stay zero */
	return hdr + 14 + 4;
}

static void test_v2_block(void **state)
{
	uint8_t s[256];
	size_t n;

	(void)state;
	n = build_v2(s);
	assert_int_equal(n, 130 + 18);
	expect_out(s, n, "abbababa", 8);
}

/* bvx1: the same block with a plain 772-byte header (offsets in codec/lzfse.c). */
static void test_v1_block(void **state)
{
	uint8_t *s = calloc(1, 800);
	uint16_t freq[360];
	static const uint16_t lit_state[4] = { 0, 512, 512, 0 };

	(void)state;
	lmd_freqs(freq);
	memcpy(s, "bvx1", 4);
	st_le32(s + 4, 8);      /* n_raw_bytes */
	st_le32(s + 8, 14);     /* n_payload_bytes */
	st_le32(s + 12, 4);     /* n_literals */
	st_le32(s + 16, 1);     /* n_matches */
	st_le32(s + 20, 7);     /* n_literal_payload_bytes */
	st_le32(s + 24, 7);     /* n_lmd_payload_bytes */
	for (int i = 0; i < 4; i++)
		st_le16(s + 32 + 2 * i, lit_state[i]);
	for (int i = 0; i < 360; i++)
		st_le16(s + 50 + 2 * i, freq[i]);
	memcpy(s + 772 + 14, "bvx$", 4);
	expect_out(s, 772 + 18, "abbababa", 8);
	free(s);
}

/*
 * A bvx1 block (as test_v1_block) with a chosen literal count, initial
 * literal states, L/M/D symbols (each owning all its states, so the L/M/D
 * stream reads only the D symbol's extra bits, all zero) and literal
 * frequencies, decoded into 256 bytes: the return code, out/len filled.
 */
struct v1_edge {
	uint32_t n_literals, n_raw;
	uint16_t lit_state[4];
	unsigned l_sym, m_sym, d_sym;
	uint16_t freq_a, freq_b;
	uint16_t l_state, m_state, d_state; /* the L/M/D streams' initial states */
};

/*
 * literal_bits and lmd_bits of the block decode_v1_edge writes (0: whole
 * bytes), and the size of each payload (zeros; a stream whose last byte is
 * partly used starts with 8 bytes, so 7 is too few then).
 */
static int32_t edge_lit_bits, edge_lmd_bits;
static uint32_t edge_payload = 7;
/* The input length and output room given to the decoder (0: all of it, 256). */
static size_t edge_srclen, edge_cap;

static int decode_v1_edge(const struct v1_edge *e, uint8_t *out, size_t *len)
{
	uint8_t *s = calloc(1, 800);
	uint16_t freq[360] = { 0 };
	int ret;

	assert_non_null(s);
	freq[e->l_sym] = 64;
	freq[20 + e->m_sym] = 64;
	freq[40 + e->d_sym] = 256;
	freq[104 + 'a'] = e->freq_a;
	freq[104 + 'b'] = e->freq_b;
	memcpy(s, "bvx1", 4);
	st_le32(s + 4, e->n_raw);
	st_le32(s + 8, 2 * edge_payload);
	st_le32(s + 12, e->n_literals);
	st_le32(s + 16, 1);
	st_le32(s + 20, edge_payload);
	st_le32(s + 24, edge_payload);
	st_le32(s + 28, (uint32_t)edge_lit_bits);
	for (int i = 0; i < 4; i++)
		st_le16(s + 32 + 2 * i, e->lit_state[i]);
	st_le32(s + 40, (uint32_t)edge_lmd_bits);
	st_le16(s + 44, e->l_state);
	st_le16(s + 46, e->m_state);
	st_le16(s + 48, e->d_state);
	for (int i = 0; i < 360; i++)
		st_le16(s + 50 + 2 * i, freq[i]);
	memcpy(s + 772 + 2 * edge_payload, "bvx$", 4);
	ret = apfs_lzfse_decode(s, edge_srclen ? edge_srclen : 772 + 2 * edge_payload + 4, out,
				edge_cap ? edge_cap : 256, len);
	free(s);
	return ret;
}

/*
 * n_literals at the literal buffer's size (40000, a multiple of 4) decodes;
 * 40004 is refused by the header check.  'a' owns all 1024 literal states,
 * so every literal is 'a' and no bit is read: decoding would go on.
 */
static void test_v1_literal_count_edge(void **state)
{
	struct v1_edge e = { 40000, 8, { 0, 0, 0, 0 }, 4, 4, 2, 1024, 0, 0, 0, 0 };
	uint8_t out[256];
	size_t len = 0;

	(void)state;
	assert_int_equal(decode_v1_edge(&e, out, &len), 0);
	assert_int_equal(len, 8);
	assert_memory_equal(out, "aaaaaaaa", 8);
	e.n_literals = 40004;
	assert_int_equal(decode_v1_edge(&e, out, &len), -APFS_ECORRUPT);
}

/* Initial literal states: 1023 is the last ('b'); 1024 is past the table. */
static void test_v1_literal_state_edge(void **state)
{
	struct v1_edge e = { 4, 8, { 1023, 512, 512, 0 }, 4, 4, 2, 512, 512, 0, 0, 0 };
	uint8_t out[256];
	size_t len = 0;

	(void)state;
	assert_int_equal(decode_v1_edge(&e, out, &len), 0);
	assert_int_equal(len, 8);
	assert_memory_equal(out, "bbbababa", 8);
	e.lit_state[0] = 1024;
	assert_int_equal(decode_v1_edge(&e, out, &len), -APFS_ECORRUPT);
}

/*
 * A match distance equal to the bytes written so far reaches the first
 * byte; one more reaches before the output.  D symbol 4 is 4 with one
 * extra bit (0 here); L symbol 4 writes "abba" first, L symbol 3 "abb".
 */
static void test_v1_distance_edge(void **state)
{
	struct v1_edge e = { 4, 8, { 0, 512, 512, 0 }, 4, 4, 4, 512, 512, 0, 0, 0 };
	uint8_t out[256];
	size_t len = 0;

	(void)state;
	assert_int_equal(decode_v1_edge(&e, out, &len), 0);
	assert_int_equal(len, 8);
	assert_memory_equal(out, "abbaabba", 8);
	e.l_sym = 3;
	e.n_raw = 7;
	assert_int_equal(decode_v1_edge(&e, out, &len), -APFS_ECORRUPT);
}

/*
 * literal_bits and lmd_bits (the bits of the stream's last byte left unused,
 * as a negative count) lie in -7..0: the payloads here are 8 zero bytes, so
 * -7 decodes as 0 does; -8 and 1 are refused.
 */
static void test_v1_bits_edge(void **state)
{
	static const int32_t bits[] = { 0, -7, -8, 1 };
	struct v1_edge e = { 4, 8, { 1023, 512, 512, 0 }, 4, 4, 2, 512, 512, 0, 0, 0 };
	uint8_t out[256];
	size_t len = 0;

	(void)state;
	edge_payload = 8;
	for (int which = 0; which < 2; which++)
		for (int i = 0; i < 4; i++) {
			edge_lit_bits = which ? 0 : bits[i];
			edge_lmd_bits = which ? bits[i] : 0;
			assert_int_equal(decode_v1_edge(&e, out, &len), i < 2 ? 0 : -APFS_ECORRUPT);
			if (i < 2)
				assert_memory_equal(out, "bbbababa", 8);
		}
	edge_lit_bits = edge_lmd_bits = 0;
	edge_payload = 7;
}

/*
 * A bvx1 block's header (772 bytes) and payloads (7 + 7) cut at the exact
 * byte, and its output room at n_raw_bytes and one less.  The bytes after
 * the cut stay in the buffer: a check loosened by one reads them and
 * decodes the whole stream (with its end block) instead of refusing it.
 */
static void test_v1_cut_edges(void **state)
{
	struct v1_edge e = { 4, 8, { 0, 512, 512, 0 }, 4, 4, 2, 512, 512, 0, 0, 0 };
	static const size_t cut[] = { 771, 772 + 6, 772 + 13, 786 };
	uint8_t out[256];
	size_t len = 0;

	(void)state;
	assert_int_equal(decode_v1_edge(&e, out, &len), 0);
	assert_memory_equal(out, "abbababa", 8);
	for (size_t i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
		edge_srclen = cut[i];
		assert_int_equal(decode_v1_edge(&e, out, &len), -APFS_ECORRUPT);
	}
	edge_srclen = 0;
	edge_cap = 8;
	assert_int_equal(decode_v1_edge(&e, out, &len), 0);
	assert_int_equal(len, 8);
	edge_cap = 7;
	assert_int_equal(decode_v1_edge(&e, out, &len), -ENOSPC);
	edge_cap = 0;
}

/*
 * The L, M and D initial states: the last of each table (63, 63, 255)
 * decodes, one more is past the table.  D symbol 4 (4 + one extra bit) so
 * that a past-the-end L or M state, read as the next table's first entry
 * (M: L = 4; D: M = 4), would decode the same "abbaabba".
 */
static void test_v1_lmd_state_edges(void **state)
{
	struct v1_edge e = { 4, 8, { 0, 512, 512, 0 }, 4, 4, 4, 512, 512, 0, 0, 0 };
	uint16_t *st[3] = { &e.l_state, &e.m_state, &e.d_state };
	static const uint16_t last[3] = { 63, 63, 255 };
	uint8_t out[256];
	size_t len = 0;

	(void)state;
	for (int i = 0; i < 3; i++) {
		*st[i] = last[i];
		assert_int_equal(decode_v1_edge(&e, out, &len), 0);
		assert_memory_equal(out, "abbaabba", 8);
		*st[i] = (uint16_t)(last[i] + 1);
		assert_int_equal(decode_v1_edge(&e, out, &len), -APFS_ECORRUPT);
		*st[i] = 0;
	}
}

/*
 * L at the literal count (4 literals, L 4, M 4) decodes; L 5 (with M 3, the
 * same 8 bytes) is one literal more than the block holds.
 */
static void test_v1_literal_run_edge(void **state)
{
	struct v1_edge e = { 4, 8, { 0, 512, 512, 0 }, 4, 4, 2, 512, 512, 0, 0, 0 };
	uint8_t out[256];
	size_t len = 0;

	(void)state;
	assert_int_equal(decode_v1_edge(&e, out, &len), 0);
	e.l_sym = 5;
	e.m_sym = 3;
	assert_int_equal(decode_v1_edge(&e, out, &len), -APFS_ECORRUPT);
}

/* bvx2: the header's own size (130 here) with 130 bytes left, then 129. */
static void test_v2_size_edge(void **state)
{
	uint8_t s[256], out[256];
	size_t n, len;

	(void)state;
	n = build_v2(s);
	assert_int_equal(apfs_lzfse_decode(s, n, out, sizeof(out), &len), 0);
	assert_int_equal(apfs_lzfse_decode(s, 129, out, sizeof(out), &len), -APFS_ECORRUPT);
	/* The fixed part cut by one: refused (the size check would refuse it too). */
	assert_int_equal(apfs_lzfse_decode(s, 31, out, sizeof(out), &len), -APFS_ECORRUPT);
}

/*
 * A bvx2 header of exactly its 32 fixed bytes (no frequency tables: all
 * zero) for an empty block: no literal, no match, two 7-byte payloads of
 * zeros.  It decodes to nothing; the same header claiming 31 bytes (its
 * payloads then start one byte earlier, on a zero too) is refused.
 */
static void test_v2_fixed_size_edge(void **state)
{
	uint8_t s[64], out[16];
	size_t len = 99;

	(void)state;
	for (uint32_t size = 32; size >= 31; size--) {
		memset(s, 0, sizeof(s));
		memcpy(s, "bvx2", 4);
		st_le64(s + 8, (uint64_t)7 << 20 | (uint64_t)7 << 60);
		st_le64(s + 16, (uint64_t)7 << 40 | (uint64_t)7 << 60);
		st_le64(s + 24, size);
		memcpy(s + size + 14, "bvx$", 4);
		assert_int_equal(apfs_lzfse_decode(s, size + 18, out, sizeof(out), &len),
				 size == 32 ? 0 : -APFS_ECORRUPT);
	}
	assert_int_equal(len, 0);
}

/*
 * Raw, LZVN and end blocks cut one byte short of their header or payload
 * (the rest of a valid stream follows in the buffer), and raw and LZVN
 * blocks given exactly their n_raw_bytes of room, then one byte less.
 */
static void test_block_edges(void **state)
{
	static const uint8_t raw0[] = { 'b', 'v', 'x', '-', 0, 0, 0, 0, END };
	static const uint8_t raw5[] = { 'b', 'v', 'x', '-', 5, 0, 0, 0, 'h', 'e', 'l', 'l', 'o', END };
	static const uint8_t vn0[] = { 'b', 'v', 'x', 'n', 0, 0, 0, 0, 8, 0, 0, 0, EOS, END };
	static const uint8_t vn3[] = { 'b', 'v', 'x', 'n', 3, 0, 0, 0, 12, 0, 0, 0,
				       0xe3, 'a', 'b', 'c', EOS, END };
	static const uint8_t end[] = { END };

	(void)state;
	expect_out(end, 4, "", 0);
	assert_int_equal(decode_rc(end, 3, 256), -APFS_ECORRUPT);
	expect_out(raw0, sizeof(raw0), "", 0);
	assert_int_equal(decode_rc(raw0, 7, 256), -APFS_ECORRUPT);
	assert_int_equal(decode_rc(raw5, sizeof(raw5), 5), 0);
	assert_int_equal(decode_rc(raw5, sizeof(raw5), 4), -ENOSPC);
	expect_out(vn0, sizeof(vn0), "", 0);
	assert_int_equal(decode_rc(vn0, 11, 256), -APFS_ECORRUPT);
	assert_int_equal(decode_rc(vn0, 19, 256), -APFS_ECORRUPT);
	assert_int_equal(decode_rc(vn3, sizeof(vn3), 3), 0);
	assert_int_equal(decode_rc(vn3, sizeof(vn3), 2), -ENOSPC);
}

/*
 * The backward bit stream: 7 bytes at least when no bit of the last byte is
 * unused (6: refused), and the unused bits must be zero: with 2 unused
 * (n = -2, 62 bits), bit 61 is data and bit 62 padding.
 */
static void test_fse_in_edges(void **state)
{
	uint8_t b[9] = { 0 };
	struct apfs_fse_in in;

	(void)state;
	assert_int_equal(apfs_fse_in_init(&in, b + 1, 7, 0), 0);
	assert_int_equal(apfs_fse_in_init(&in, b + 1, 6, 0), -APFS_ECORRUPT);
	b[8] = 0x20; /* bit 61 of the 8 bytes b[1..8] */
	assert_int_equal(apfs_fse_in_init(&in, b + 1, 8, -2), 0);
	b[8] = 0x40; /* bit 62 */
	assert_int_equal(apfs_fse_in_init(&in, b + 1, 8, -2), -APFS_ECORRUPT);
}

/*
 * The bit reader's own invariant: at most 63 bits buffered before a refill
 * (no stream reaches 64: the decoder flushes after every read).  At 63
 * there is no whole byte of room and nothing moves; at 64 the room would
 * wrap to 2^61 bytes, so it must refuse.
 */
static void test_fse_flush_edge(void **state)
{
	uint8_t b[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct apfs_fse_in in = { .buf = b, .pos = 8, .accum = 0x5a, .nbits = 63 };

	(void)state;
	assert_int_equal(apfs_fse_in_flush(&in), 0);
	assert_int_equal(in.nbits, 63);
	assert_int_equal(in.pos, 8);
	in.nbits = 64;
	assert_int_equal(apfs_fse_in_flush(&in), -APFS_ECORRUPT);
	assert_int_equal(in.pos, 8);
}

static void test_errors(void **state)
{
	static const uint8_t noend[] = { 'b', 'v', 'x', '-', 1, 0, 0, 0, 'x' };
	static const uint8_t magic[] = { 'b', 'v', 'x', '3', END };
	static const uint8_t rawlong[] = { 'b', 'v', 'x', '-', 9, 0, 0, 0, 'x', END };
	/*
	 * A raw block claiming 5 bytes where the stream (9 + 4 bytes given) holds
	 * 4: the byte after the cut, and an end block after it, are not part of
	 * the stream and must not be read as if they were.
	 */
	static const uint8_t rawcut[] = { 'b', 'v', 'x', '-', 5, 0, 0, 0, 'a', 'b', 'c', 'd', 'e', END };
	static const uint8_t big[] = { 'b', 'v', 'x', '-', 5, 0, 0, 0, 'h', 'e', 'l', 'l', 'o', END };
	static const uint8_t vnshort[] = { /* claims 4 bytes but makes 6 */
		'b', 'v', 'x', 'n', 4, 0, 0, 0, 14, 0, 0, 0, 0xe3, 'a', 'b', 'c', 0x00, 0x03, EOS,
		END
	};
	uint8_t s[256];
	size_t n;

	(void)state;
	assert_int_equal(decode_rc(noend, sizeof(noend), 64), -APFS_ECORRUPT);
	assert_int_equal(decode_rc(rawcut, 12, 64), -APFS_ECORRUPT);
	expect_out(rawcut, sizeof(rawcut), "abcde", 5);  /* the whole stream is fine */
	assert_int_equal(decode_rc(magic, sizeof(magic), 64), -APFS_ECORRUPT);
	assert_int_equal(decode_rc(rawlong, sizeof(rawlong), 64), -APFS_ECORRUPT);
	assert_int_equal(decode_rc(big, sizeof(big), 4), -ENOSPC);
	assert_int_equal(decode_rc(vnshort, sizeof(vnshort), 64), -APFS_ECORRUPT);
	assert_int_equal(decode_rc(noend, 0, 64), -APFS_ECORRUPT);

	n = build_v2(s);
	assert_int_equal(decode_rc(s, n, 7), -ENOSPC);
	assert_int_equal(decode_rc(s, n - 4, 64), -APFS_ECORRUPT); /* no bvx$ */
	assert_int_equal(decode_rc(s, 100, 64), -APFS_ECORRUPT);  /* header cut */
	st_le32(s + 4, 9);                 /* n_raw_bytes 9, but the block makes 8 */
	assert_int_equal(decode_rc(s, n, 64), -APFS_ECORRUPT);
	n = build_v2(s);
	s[28] = 64;                        /* l_state (f2 bits 32..41) = 64 of 64 states */
	assert_int_equal(decode_rc(s, n, 64), -APFS_ECORRUPT);
	n = build_v2(s);
	st_le32(s + 24, 200);              /* header_size past the stream's end */
	assert_int_equal(decode_rc(s, n, 64), -APFS_ECORRUPT);
	n = build_v2(s);
	s[32] = 0xff;                      /* L freq[0] becomes a huge code: sum > 64 */
	assert_int_equal(decode_rc(s, n, 64), -APFS_ECORRUPT);
}

static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Flip, replace, truncate or insert bytes of base; decode into a tight heap buffer. */
static int mutate_and_decode(const uint8_t *base, size_t basen, uint64_t *seed, size_t cap)
{
	uint8_t *buf = malloc(basen + 8), *exact, *out = malloc(cap);
	size_t n = basen, len;
	int ret;

	memcpy(buf, base, basen);
	for (int k = 0; k < 1 + (int)(rnd(seed) % 4) && n > 0; k++) {
		size_t at = rnd(seed) % n;

		switch (rnd(seed) % 4) {
		case 0: buf[at] ^= (uint8_t)(1u << (rnd(seed) % 8)); break;
		case 1: buf[at] = (uint8_t)rnd(seed); break;
		case 2: n = at; break;
		default:
			memmove(buf + at + 1, buf + at, n - at);
			buf[at] = (uint8_t)rnd(seed);
			n++;
		}
	}
	exact = malloc(n ? n : 1);
	memcpy(exact, buf, n);
	ret = apfs_lzfse_decode(exact, n, out, cap, &len);
	assert_true(ret == 0 || ret == -APFS_ECORRUPT || ret == -ENOSPC);
	if (ret == 0)
		assert_true(len <= cap);
	free(exact);
	free(out);
	free(buf);
	return ret == 0;
}

static void test_mutations(void **state)
{
	static const uint8_t vn[] = {
		'b', 'v', 'x', 'n', 6, 0, 0, 0, 14, 0, 0, 0, 0xe3, 'a', 'b', 'c', 0x00, 0x03, EOS,
		'b', 'v', 'x', '-', 2, 0, 0, 0, 'h', 'i',
	};
	uint8_t base[300];
	size_t n;
	uint64_t seed = 0xfeedface12345ULL;
	int ok = 0;

	(void)state;
	/* bvxn + bvx- + bvx2 + bvx$: every block kind in one stream. */
	memcpy(base, vn, sizeof(vn));
	n = sizeof(vn) + build_v2(base + sizeof(vn));
	expect_out(base, n, "abcabchiabbababa", 16);
	for (int it = 0; it < 5000; it++)
		ok += mutate_and_decode(base, n, &seed, 24);
	print_message("# %d of 5000 mutated streams decoded\n", ok);
}

static void test_random(void **state)
{
	uint64_t seed = 7;
	uint8_t out[300];
	size_t len;

	(void)state;
	for (int it = 0; it < 2000; it++) {
		size_t n = rnd(&seed) % 300;
		uint8_t *src = malloc(n + 4);

		for (size_t i = 0; i < n; i++)
			src[i] = (uint8_t)rnd(&seed);
		/* Give most of them a valid magic so the block parsers are reached. */
		if (n >= 4 && it % 4)
			memcpy(src, (const char *[]){ "bvx-", "bvxn", "bvx1", "bvx2" }[it % 4], 4);
		int ret = apfs_lzfse_decode(src, n, out, sizeof(out), &len);
		assert_true(ret == 0 || ret == -APFS_ECORRUPT || ret == -ENOSPC);
		free(src);
	}
}

static uint8_t *read_at(const char *path, long off, size_t len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = malloc(len);

	assert_non_null(f);
	assert_int_equal(fseek(f, off, SEEK_SET), 0);
	assert_int_equal(fread(p, 1, len, f), len);
	fclose(f);
	return p;
}

/*
 * basic-lzfse.dmg's blkx entry "disk image (Apple_APFS : 4)" starts at
 * sector 40; its first chunk (type 0x80000007) covers 2048 sectors and is
 * stored at byte 385, 660,726 bytes long (from the dmg's plist).  The same
 * 1 MiB sits at byte 40 * 512 of basic.img.  A sample of mutations of this
 * real stream must fail cleanly too.
 */
static void test_real_chunk(void **state)
{
	const char *dir = getenv("IMAGES");
	char dmg[4096], img[4096];
	const size_t clen = 660726, rawlen = 2048 * 512;
	uint8_t *src, *want, *out = malloc(rawlen);
	size_t len;
	uint64_t seed = 99;

	(void)state;
	snprintf(dmg, sizeof(dmg), "%s/basic-lzfse.dmg", dir);
	snprintf(img, sizeof(img), "%s/basic.img", dir);
	src = read_at(dmg, 385, clen);
	want = read_at(img, 40 * 512, rawlen);
	assert_int_equal(apfs_lzfse_decode(src, clen, out, rawlen, &len), 0);
	assert_int_equal(len, rawlen);
	assert_memory_equal(out, want, rawlen);
	assert_int_equal(apfs_lzfse_decode(src, clen, out, rawlen - 1, &len), -ENOSPC);
	for (int it = 0; it < 40; it++)
		mutate_and_decode(src, clen, &seed, rawlen);
	free(src);
	free(want);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw_block),
		cmocka_unit_test(test_lzvn_blocks),
		cmocka_unit_test(test_v2_block),
		cmocka_unit_test(test_v1_block),
		cmocka_unit_test(test_v1_literal_count_edge),
		cmocka_unit_test(test_v1_literal_state_edge),
		cmocka_unit_test(test_v1_distance_edge),
		cmocka_unit_test(test_v1_bits_edge),
		cmocka_unit_test(test_v1_cut_edges),
		cmocka_unit_test(test_v1_lmd_state_edges),
		cmocka_unit_test(test_v1_literal_run_edge),
		cmocka_unit_test(test_v2_size_edge),
		cmocka_unit_test(test_v2_fixed_size_edge),
		cmocka_unit_test(test_block_edges),
		cmocka_unit_test(test_fse_in_edges),
		cmocka_unit_test(test_fse_flush_edge),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_random),
	};
	const struct CMUnitTest real[] = {
		cmocka_unit_test(test_real_chunk),
	};
	const char *dir = getenv("IMAGES");
	char path[4096];
	int ret = cmocka_run_group_tests_name("lzfse", tests, NULL, NULL);

	/* cmocka 1.1.5 prints skips as "not ok", which tests/run.sh counts as failures. */
	snprintf(path, sizeof(path), "%s/basic-lzfse.dmg", dir ? dir : "");
	if (!dir || access(path, R_OK)) {
		printf("ok - test_real_chunk # SKIP $IMAGES/basic-lzfse.dmg not available\n");
		return ret;
	}
	return ret | cmocka_run_group_tests_name("lzfse real data", real, NULL, NULL);
}
