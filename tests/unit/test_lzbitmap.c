/* SPDX-License-Identifier: MIT */
/*
 * test_lzbitmap.c - the LZBITMAP decoder on vectors derived by hand from
 * the format description in codec/lzbitmap.h (each byte's meaning is in the
 * comments), on every corruption check, on single-byte mutations of a
 * valid stream (must never crash or overrun: run under ASan), and on the
 * published libzbitmap test pairs in $SHARED/vectors/lzbitmap (streams
 * another implementation wrote; 019 is one Apple's own library decodes).
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/testutil.h"

#include "util/err.h"
#include "codec/lzbitmap.h"

#define END_CHUNK 0x06, 0, 0, 0, 0, 0 /* total 6, output 0 */

/* A stored chunk: total = output + 6. */
static const uint8_t v_raw[] = { 'Z', 'B', 'M', 0x09, 0x0b, 0, 0, 0x05, 0, 0,
				 'h', 'e', 'l', 'l', 'o', END_CHUNK };

/*
 * "abcabcabcabc": literals abc; explicit mask 0x07 (three literals, five
 * copies) with a 1-byte distance 3; then explicit mask 0x00 (copies, same
 * distance) cut off at 12 bytes.  Mask numbers 1, 0 in one nibble byte.
 */
static const uint8_t v_abc[] = {
	'Z', 'B', 'M', 0x09,
	0x27, 0, 0, 0x0c, 0, 0,     /* total 39, output 12 */
	0x12, 0, 0, 0x13, 0, 0, 0x15, 0, 0, /* meta1 @18, meta2 @19, meta3 @21 */
	'a', 'b', 'c',              /* literals @15 */
	0x03,                       /* meta1: distance 3 */
	0x07, 0x00,                 /* meta2: explicit masks */
	0x01,                       /* meta3: nibbles 1, 0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 12 packed masks: zero */
	END_CHUNK,
};

/*
 * 'xy' x 24 then 'z' x 8: explicit mask 0x03 with distance 2 (8 bytes);
 * packed mask 0 (all copies) repeated 4 + 1 = 5 times (nibbles 3, F, 1);
 * packed mask 1 = 0x101 (bit 0 literal, 1 distance byte) with distance 1.
 * Mask 1 sits in bits 10..19 of the mask area: bytes 1 and 2 get 0x04.
 */
static const uint8_t v_xyz[] = {
	'Z', 'B', 'M', 0x09,
	0x29, 0, 0, 0x38, 0, 0,     /* total 41, output 56 */
	0x12, 0, 0, 0x14, 0, 0, 0x15, 0, 0, /* meta1 @18, meta2 @20, meta3 @21 */
	'x', 'y', 'z',
	0x02, 0x01,                 /* distances */
	0x03,                       /* explicit mask */
	0x31, 0x1f, 0x04,           /* nibbles 1,3, F,1, 4,0 */
	0x00, 0x04, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	END_CHUNK,
};

static void test_raw_chunk(void **state)
{
	uint8_t out[16];
	size_t n = 0;

	(void)state;
	assert_int_equal(apfs_lzbitmap_decode(v_raw, sizeof(v_raw), out, sizeof(out), &n), 0);
	assert_int_equal(n, 5);
	assert_memory_equal(out, "hello", 5);
}

static void test_explicit_masks(void **state)
{
	uint8_t out[32];
	size_t n = 0;

	(void)state;
	assert_int_equal(apfs_lzbitmap_decode(v_abc, sizeof(v_abc), out, sizeof(out), &n), 0);
	assert_int_equal(n, 12);
	assert_memory_equal(out, "abcabcabcabc", 12);
}

static void test_packed_masks_and_repeat(void **state)
{
	uint8_t out[64], want[56];
	size_t n = 0;

	(void)state;
	for (int i = 0; i < 48; i++)
		want[i] = i % 2 ? 'y' : 'x';
	memset(want + 48, 'z', 8);
	assert_int_equal(apfs_lzbitmap_decode(v_xyz, sizeof(v_xyz), out, sizeof(out), &n), 0);
	assert_int_equal(n, 56);
	assert_memory_equal(out, want, 56);
}

static void test_two_chunks_share_history(void **state)
{
	/* A raw "hello" chunk, then v_abc's chunk: output is their concatenation. */
	uint8_t in[sizeof(v_raw) + sizeof(v_abc)], out[32];
	size_t n = 0, off = 0;

	(void)state;
	memcpy(in, v_raw, sizeof(v_raw) - 6);
	off = sizeof(v_raw) - 6;
	memcpy(in + off, v_abc + 4, sizeof(v_abc) - 4);
	off += sizeof(v_abc) - 4;
	assert_int_equal(apfs_lzbitmap_decode(in, off, out, sizeof(out), &n), 0);
	assert_int_equal(n, 17);
	assert_memory_equal(out, "helloabcabcabcabc", 17);
}

static int zbm_rc(const uint8_t *src, size_t len, size_t cap, uint8_t *out, size_t *n)
{
	return apfs_lzbitmap_decode(src, len, out, cap, n);
}

/*
 * The stream and chunk headers at their exact sizes, with the rest of a
 * valid stream left in the buffer past the length given: a check loosened
 * by one reads it and decodes instead of refusing.
 */
static void test_header_edges(void **state)
{
	static const uint8_t empty[] = { 'Z', 'B', 'M', 0x09, END_CHUNK };
	/* A chunk of 5 bytes (one less than its own header) and no output. */
	static const uint8_t len5[] = { 'Z', 'B', 'M', 0x09, 0x05, 0, 0, 0, 0, 0, END_CHUNK };
	uint8_t out[16];
	size_t n = 99;

	(void)state;
	assert_int_equal(zbm_rc(empty, sizeof(empty), sizeof(out), out, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(zbm_rc(empty, 3, sizeof(out), out, &n), -APFS_ECORRUPT);
	assert_int_equal(zbm_rc(empty, 9, sizeof(out), out, &n), -APFS_ECORRUPT);
	assert_int_equal(zbm_rc(len5, sizeof(len5), sizeof(out), out, &n), -APFS_ECORRUPT);
	/* The stored chunk ends at the input's end (15 bytes), then one past it. */
	assert_int_equal(zbm_rc(v_raw, 15, sizeof(out), out, &n), -APFS_ECORRUPT); /* no end chunk */
	assert_int_equal(zbm_rc(v_raw, 14, 0, out, &n), -APFS_ECORRUPT);
	assert_int_equal(zbm_rc(v_raw, 14, sizeof(out), out, &n), -APFS_ECORRUPT);
	/* Exactly its 5 bytes of room, then 4. */
	assert_int_equal(zbm_rc(v_raw, sizeof(v_raw), 5, out, &n), 0);
	assert_memory_equal(out, "hello", 5);
	assert_int_equal(zbm_rc(v_raw, sizeof(v_raw), 4, out, &n), -ENOSPC);
}

/* A stored chunk of 0x8000 bytes (the format's most) decodes; 0x8001 is refused. */
static void test_chunk_output_max(void **state)
{
	size_t sz = 4 + 6 + 0x8001 + 6, n = 0;
	uint8_t *src = calloc(1, sz), *out = malloc(0x8001);

	(void)state;
	assert_non_null(src);
	assert_non_null(out);
	for (uint32_t o = 0x8000; o <= 0x8001; o++) {
		memcpy(src, "ZBM\x09", 4);
		src[4] = (uint8_t)(o + 6);
		src[5] = (uint8_t)((o + 6) >> 8);
		src[6] = 0;
		src[7] = (uint8_t)o;
		src[8] = (uint8_t)(o >> 8);
		src[9] = 0;
		memset(src + 10, 'q', o);
		memcpy(src + 10 + o, (const uint8_t[]){ END_CHUNK }, 6);
		assert_int_equal(zbm_rc(src, 10 + o + 6, 0x8001, out, &n),
				 o == 0x8000 ? 0 : -APFS_ECORRUPT);
	}
	assert_int_equal(n, 0x8000);
	assert_int_equal(out[0x7fff], 'q');
	free(src);
	free(out);
}

/*
 * The smallest compressed chunk: a 15-byte header and the 17 bytes of
 * packed masks, 32 in all.  o3 = 14 points at the high byte of o3 itself
 * (0: mask number 0, an explicit mask byte and no distance byte), o2 = 15
 * at the mask byte 0x01 (one literal), and the literals start at 15 too:
 * the one output byte is 0x01.  The same chunk in 31 bytes (the packed
 * masks then start at byte 14) is one byte too short.
 */
static size_t min_chunk(uint8_t *s, uint32_t len, uint32_t out, uint32_t o1)
{
	static const uint8_t end[] = { END_CHUNK };

	memset(s, 0, 64);
	memcpy(s, "ZBM\x09", 4);
	s[4] = (uint8_t)len;
	s[7] = (uint8_t)out;
	s[10] = (uint8_t)o1;
	s[13] = 15;
	s[16] = 14;
	s[4 + 15] = 0x01;
	memcpy(s + 4 + len, end, sizeof(end));
	return 4 + len + sizeof(end);
}

static void test_compressed_min_edges(void **state)
{
	uint8_t s[64], out[16];
	size_t len, n = 0;

	(void)state;
	len = min_chunk(s, 32, 1, 16);
	assert_int_equal(zbm_rc(s, len, sizeof(out), out, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], 0x01);
	len = min_chunk(s, 31, 1, 16);
	assert_int_equal(zbm_rc(s, len, sizeof(out), out, &n), -APFS_ECORRUPT);
	/* The distance stream's offset: the chunk's last byte, then its end. */
	len = min_chunk(s, 32, 1, 31);
	assert_int_equal(zbm_rc(s, len, sizeof(out), out, &n), 0);
	len = min_chunk(s, 32, 1, 32);
	assert_int_equal(zbm_rc(s, len, sizeof(out), out, &n), -APFS_ECORRUPT);
}

/*
 * Literals up to the chunk's last byte, then one more.  A 32-byte chunk
 * whose packed mask 0 is 0xff (eight literals; byte 15) and whose mask
 * numbers (o3 = 19: bytes 0x33 0x33) are 3, 3, 3: mask 0 three times.  The
 * literals start at byte 15, so 17 output bytes take bytes 15..31 and an
 * 18th would be read past the chunk (there, the end chunk's first byte).
 */
static void test_literals_end_edge(void **state)
{
	static const uint8_t end[] = { END_CHUNK };
	uint8_t s[64], out[32];
	size_t n = 0;

	(void)state;
	for (uint8_t o = 17; o <= 18; o++) {
		memset(s, 0, sizeof(s));
		memcpy(s, "ZBM\x09", 4);
		s[4] = 32;
		s[7] = o;
		s[10] = 15;
		s[13] = 15;
		s[16] = 19;
		s[4 + 15] = 0xff;
		s[4 + 19] = 0x33;
		s[4 + 20] = 0x33;
		memcpy(s + 36, end, sizeof(end));
		assert_int_equal(zbm_rc(s, 42, sizeof(out), out, &n), o == 17 ? 0 : -APFS_ECORRUPT);
	}
	assert_int_equal(n, 17);
	assert_memory_equal(out, s + 4 + 15, 17);
	/*
	 * With 9 bytes of output left a nibble 0xf after the mask number is a
	 * repeat marker (4 + 3 = 7 repeats, cut at the chunk's end): the same
	 * 17 bytes.  Read as the last mask's padding (only 8 or fewer left) it
	 * would be the next mask number, 0xf, which is invalid.
	 */
	s[7] = 17;
	s[4 + 20] = 0x3f;
	assert_int_equal(zbm_rc(s, 42, sizeof(out), out, &n), 0);
	assert_int_equal(n, 17);
	assert_memory_equal(out, s + 4 + 15, 17);
}

static int decode_mut(const uint8_t *src, size_t len, size_t at, uint8_t val, size_t cap)
{
	uint8_t buf[64], out[128];
	size_t n;

	memcpy(buf, src, len);
	buf[at] = val;
	return apfs_lzbitmap_decode(buf, len, out, cap, &n);
}

static void test_corruption(void **state)
{
	uint8_t out[64];
	size_t n;

	(void)state;
	/* Stream offsets: the chunk starts after the 4-byte magic. */
	assert_int_equal(decode_mut(v_abc, sizeof(v_abc), 3, 0x08, 64), -APFS_ECORRUPT); /* magic */
	assert_int_equal(decode_mut(v_abc, sizeof(v_abc), 4 + 18, 0x05, 64), -APFS_ECORRUPT); /* dist > out */
	/* The first copy comes after 3 literals: distance 4 is one byte before the output. */
	assert_int_equal(decode_mut(v_abc, sizeof(v_abc), 4 + 18, 0x04, 64), -APFS_ECORRUPT);
	assert_int_equal(decode_mut(v_abc, sizeof(v_abc), 4 + 18, 0x00, 64), -APFS_ECORRUPT); /* dist 0 */
	assert_int_equal(decode_mut(v_abc, sizeof(v_abc), 4 + 21, 0x0f, 64), -APFS_ECORRUPT); /* mask F */
	assert_int_equal(decode_mut(v_abc, sizeof(v_abc), 10, 0x40, 64), -APFS_ECORRUPT); /* meta1 out */
	assert_int_equal(decode_mut(v_abc, sizeof(v_abc), 4, 0x7f, 64), -APFS_ECORRUPT); /* len > src */
	assert_int_equal(decode_mut(v_abc, sizeof(v_abc), 8, 0x80, 64), -APFS_ECORRUPT); /* out > 32K */
	/* Packed mask 0 with 3 distance bytes (bits 8, 9 set) is invalid. */
	assert_int_equal(decode_mut(v_xyz, sizeof(v_xyz), 4 + 24 + 1, 0x07, 64), -APFS_ECORRUPT);
	/*
	 * Packed mask 11 (bits 110..119, its distance-byte count in bits 118, 119
	 * = mask byte 14) is never used by v_xyz: a count of 2 there decodes, a
	 * count of 3 is refused as soon as the masks are read.
	 */
	assert_int_equal(decode_mut(v_xyz, sizeof(v_xyz), 4 + 24 + 14, 0x80, 64), 0);
	assert_int_equal(decode_mut(v_xyz, sizeof(v_xyz), 4 + 24 + 14, 0xc0, 64), -APFS_ECORRUPT);
	assert_int_equal(decode_mut(v_abc, sizeof(v_abc), 0, 'Z', 11), -ENOSPC);
	assert_int_equal(apfs_lzbitmap_decode(v_abc, sizeof(v_abc) - 6, out, 64, &n),
			 -APFS_ECORRUPT); /* no end chunk */
	assert_int_equal(apfs_lzbitmap_decode(v_abc, 3, out, 64, &n), -APFS_ECORRUPT);
}

/*
 * The three metadata pointers against the chunk's end, on v_abc (chunk
 * bytes 0..38 at stream offset 4; bytes 37 and 38 are mask-area padding,
 * past the 120 bits of the 12 packed masks, free to hold metadata).
 */
static int abc_at(const uint8_t *patch, size_t npatch, uint8_t *out)
{
	uint8_t b[sizeof(v_abc)];
	size_t n = 0;
	int ret;

	memcpy(b, v_abc, sizeof(b));
	for (size_t i = 0; i < npatch; i += 2)
		b[4 + patch[i]] = patch[i + 1];
	ret = apfs_lzbitmap_decode(b, sizeof(b), out, 64, &n);
	if (!ret)
		assert_int_equal(n, b[4 + 3]);
	return ret;
}

static void test_meta_at_chunk_end(void **state)
{
	uint8_t out[64];

	(void)state;
	/* meta3 (mask numbers) in the last byte: its two nibbles are read ... */
	assert_int_equal(abc_at((const uint8_t[]){ 12, 38, 38, 0x01 }, 4, out), 0);
	assert_memory_equal(out, "abcabcabcabc", 12);
	/* ... and a third (20 bytes wanted) would lie past the chunk. */
	assert_int_equal(abc_at((const uint8_t[]){ 12, 38, 38, 0x01, 3, 20 }, 6, out),
			 -APFS_ECORRUPT);
	/* meta2 (explicit masks) in the last two bytes, then in the last one only. */
	assert_int_equal(abc_at((const uint8_t[]){ 9, 37, 37, 0x07, 38, 0x00 }, 6, out), 0);
	assert_memory_equal(out, "abcabcabcabc", 12);
	assert_int_equal(abc_at((const uint8_t[]){ 9, 38, 38, 0x07 }, 4, out), -APFS_ECORRUPT);
	/* meta1 (distances): mask number 2 takes two bytes; the last two hold them, the last
	 * one alone does not. */
	assert_int_equal(abc_at((const uint8_t[]){ 21, 0x02, 6, 37, 37, 0x03, 38, 0x00 }, 8, out),
			 0);
	assert_memory_equal(out, "abcabcabcabc", 12);
	assert_int_equal(abc_at((const uint8_t[]){ 21, 0x02, 6, 38, 38, 0x03 }, 6, out),
			 -APFS_ECORRUPT);
}

/* Every single-byte change of valid streams: a result, never a crash. */
static void test_mutations(void **state)
{
	(void)state;
	for (size_t at = 0; at < sizeof(v_xyz); at++)
		for (unsigned v = 0; v < 256; v++) {
			int r = decode_mut(v_xyz, sizeof(v_xyz), at, (uint8_t)v, 128);

			assert_true(r == 0 || r == -APFS_ECORRUPT || r == -ENOSPC);
		}
}

/* The vector directory: $SHARED (tests/run.sh exports it), else ../shared. */
static const char *vector_dir(void)
{
	static char dir[4096];
	const char *shared = getenv("SHARED");

	snprintf(dir, sizeof(dir), "%s/vectors/lzbitmap", shared && *shared ? shared : "../shared");
	return dir;
}

/*
 * Every proper prefix of a valid stream lacks its end chunk, so it must be
 * refused, never accepted as a shorter output.  Small streams: every cut;
 * large ones: a sample, each cut decoded in full.
 */
static void expect_prefixes_refused(const uint8_t *src, size_t len, uint8_t *out, size_t cap)
{
	size_t step = len < 4096 ? 1 : len / 61 + 1, n;

	for (size_t cut = 0; cut < len; cut += step) {
		int r = apfs_lzbitmap_decode(src, cut, out, cap, &n);

		assert_true(r == -APFS_ECORRUPT || r == -ENOSPC);
	}
	assert_int_equal(apfs_lzbitmap_decode(src, len - 1, out, cap, &n), -APFS_ECORRUPT);
	assert_int_equal(apfs_lzbitmap_decode(src, len - 6, out, cap, &n), -APFS_ECORRUPT);
}

/* NNN-compressed decodes to NNN-original byte for byte, and only with room for all of it. */
static void check_pair(const char *dir, const char *cname)
{
	char oname[256];
	size_t clen, olen, n = 0;
	uint8_t *c = slurp(dir, cname, &clen), *o, *out;

	snprintf(oname, sizeof(oname), "%.3s-original", cname);
	o = slurp(dir, oname, &olen);
	out = malloc(olen + 64);
	assert_non_null(out);
	assert_int_equal(apfs_lzbitmap_decode(c, clen, out, olen + 64, &n), 0);
	assert_int_equal(n, olen);
	assert_memory_equal(out, o, olen);
	if (olen)
		assert_int_equal(apfs_lzbitmap_decode(c, clen, out, olen - 1, &n), -ENOSPC);
	expect_prefixes_refused(c, clen, out, olen + 64);
	free(out);
	free(o);
	free(c);
}

static void test_vectors(void **state)
{
	const char *dir = vector_dir();
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned pairs = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (l != 14 || strcmp(e->d_name + 3, "-compressed"))
			continue;
		print_message("# vector %s\n", e->d_name);
		check_pair(dir, e->d_name);
		pairs++;
	}
	closedir(d);
	/* vectors/lzbitmap/README.md lists 17 pairs (001-016, 019). */
	assert_true(pairs >= 17);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw_chunk),
		cmocka_unit_test(test_explicit_masks),
		cmocka_unit_test(test_packed_masks_and_repeat),
		cmocka_unit_test(test_two_chunks_share_history),
		cmocka_unit_test(test_corruption),
		cmocka_unit_test(test_header_edges),
		cmocka_unit_test(test_chunk_output_max),
		cmocka_unit_test(test_compressed_min_edges),
		cmocka_unit_test(test_literals_end_edge),
		cmocka_unit_test(test_meta_at_chunk_end),
		cmocka_unit_test(test_mutations),
	};
	const struct CMUnitTest vectors[] = {
		cmocka_unit_test(test_vectors),
	};
	DIR *d = opendir(vector_dir());
	int ret = cmocka_run_group_tests_name("lzbitmap", tests, NULL, NULL);

	/* cmocka 1.1.5 prints skips as "not ok", which tests/run.sh counts as failures. */
	if (!d) {
		printf("ok - test_vectors # SKIP %s not found (set SHARED)\n", vector_dir());
		return ret;
	}
	closedir(d);
	return ret | cmocka_run_group_tests_name("lzbitmap vectors", vectors, NULL, NULL);
}
