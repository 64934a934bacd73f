/* SPDX-License-Identifier: MIT */
/*
 * test_udif_bounds.c - the bounds of image/udif.c and image/udif_chunk.c at
 * their edges, on .dmg images built here in memory from the layout of
 * docs/containers.md §1: the data fork, the XML plist (resource-fork/blkx:
 * dictionaries whose Data is a mish block: "mish", u32 version, u64 first
 * sector at 8, sector count at 16, data offset at 24, u32 chunk count at
 * 200, then 40-byte chunks: u32 type, u32 comment, u64 sector, sector
 * count, compressed offset, compressed length) and the 512-byte koly
 * trailer (version 4 and header size 512 at 4 and 8, data fork offset at
 * 24, XML offset and length at 216 and 224, sector count at 492); all
 * big-endian.  ADC per Apple's description as udif_chunk.c quotes it.
 */
#include <openssl/evp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/bytes.h"
#include "image/dev.h"
#include "image/udif.h"
#include "testutil.h"

#define KOLY 512
#define CHUNK_SECTORS_MAX (UDIF_CHUNK_MAX / UDIF_SECTOR)

/* ---- an in-memory file ------------------------------------------------------ */

static int mem_read(struct apfs_dev *dev, void *buf, size_t len, uint64_t off)
{
	memcpy(buf, (const uint8_t *)dev->priv + off, len);
	return 0;
}

static void mem_close(struct apfs_dev *dev)
{
	free(dev->priv);
}

static const struct apfs_dev_ops mem_ops = { "memory", mem_read, mem_close };

/* ---- the image -------------------------------------------------------------- */

struct ent {
	uint32_t type;
	uint64_t sector, nsect, coff, len;
};

/* The mish blocks' DataOffset (added to each chunk's compressed offset). */
static uint64_t mish_data_off;

/* A mish block for sectors first..first+count of the entries, an end entry after them. */
static size_t mish(uint8_t *m, uint64_t first, uint64_t count, const struct ent *e, unsigned n)
{
	size_t len = 204 + 40 * ((size_t)n + 1);

	memset(m, 0, len);
	memcpy(m, "mish", 4);
	st_be32(m + 4, 1);
	st_be64(m + 8, first);
	st_be64(m + 16, count);
	st_be64(m + 24, mish_data_off);
	st_be32(m + 200, n + 1);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *c = m + 204 + 40 * i;

		st_be32(c, e[i].type);
		st_be64(c + 8, e[i].sector);
		st_be64(c + 16, e[i].nsect);
		st_be64(c + 24, e[i].coff);
		st_be64(c + 32, e[i].len);
	}
	st_be32(m + 204 + 40 * n, UDIF_END);
	return len;
}

/* The plist of one blkx entry holding the mish block m. */
static size_t plist1(char *x, size_t cap, const uint8_t *m, size_t mlen)
{
	char b64[2048];

	assert_true(4 * ((mlen + 2) / 3) < sizeof(b64));
	EVP_EncodeBlock((unsigned char *)b64, m, (int)mlen);
	return (size_t)snprintf(x, cap, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
				"<plist version=\"1.0\"><dict><key>resource-fork</key><dict>"
				"<key>blkx</key><array><dict><key>Name</key><string>e</string>"
				"<key>Data</key><data>%s</data></dict></array></dict></dict></plist>\n",
				b64);
}

struct dmg {
	const uint8_t *data;    /* the data fork's bytes, at 0 */
	size_t dlen;
	const char *xml;        /* then the plist, padded with spaces to xpad bytes */
	size_t xlen, xpad;
	int64_t xml_len_add;    /* added to the koly's XML length */
	uint64_t sectors;       /* koly sector count */
	int64_t dfo;            /* koly data fork offset (-1: the koly's own offset + 1) */
};

/* apfs_udif_probe on the image: 1 when it opens, else its error; the message kept. */
static int probe(const struct dmg *d, const char *msg, uint64_t *size)
{
	size_t len = d->dlen + d->xpad + KOLY;
	uint8_t *b = calloc(1, len), *k = b + len - KOLY;
	struct apfs_dev *lower, *dev = NULL;
	int ret;

	assert_non_null(b);
	memcpy(b, d->data, d->dlen);
	memset(b + d->dlen, ' ', d->xpad);
	memcpy(b + d->dlen, d->xml, d->xlen);
	memcpy(k, "koly", 4);
	st_be32(k + 4, 4);
	st_be32(k + 8, KOLY);
	st_be64(k + 24, d->dfo < 0 ? len - KOLY + 1 : (uint64_t)d->dfo);
	st_be64(k + 216, d->dlen);
	st_be64(k + 224, (uint64_t)((int64_t)d->xpad + d->xml_len_add));
	st_be64(k + 492, d->sectors);
	lower = apfs_dev_new(&mem_ops, b, len, NULL, "t.dmg");
	log_capture();
	ret = apfs_udif_probe(lower, &dev);
	log_release();
	if (ret == 1) {
		if (size)
			*size = dev->size;
		apfs_dev_close(dev);
	} else {
		apfs_dev_close(lower);
	}
	if (msg)
		expect_log(msg);
	else if (ret != 1)
		fail_msg("refused: %s", log_last());
	return ret;
}

static uint8_t sector0[512], mbuf[1024];
static char xbuf[4096];

/* A dmg of `sectors` sectors: a raw sector 0 (data at 0), then zero-fill. */
static struct dmg raw_dmg(uint64_t sectors, const struct ent *e, unsigned n, uint64_t first,
			  uint64_t count)
{
	struct dmg d = { .data = sector0, .dlen = sizeof(sector0), .xml = xbuf,
			 .sectors = sectors };

	d.xlen = plist1(xbuf, sizeof(xbuf), mbuf, mish(mbuf, first, count, e, n));
	d.xpad = d.xlen;
	return d;
}

static const struct ent raw0 = { UDIF_RAW, 0, 1, 0, 512 };

/* apfs_udif_probe on a file of exactly these bytes; the message kept. */
static int probe_bytes(const uint8_t *bytes, size_t len, const char *msg)
{
	uint8_t *b = malloc(len);
	struct apfs_dev *lower, *dev = NULL;
	int ret;

	assert_non_null(b);
	memcpy(b, bytes, len);
	lower = apfs_dev_new(&mem_ops, b, len, NULL, "t.dmg");
	log_capture();
	ret = apfs_udif_probe(lower, &dev);
	log_release();
	if (ret == 1)
		apfs_dev_close(dev);
	else
		apfs_dev_close(lower);
	if (msg)
		expect_log(msg);
	return ret;
}

/*
 * The koly trailer (512 bytes, its signature "koly" 0 0 0 4 0 0 2 0): a
 * file of 511 bytes holding its start is a cut trailer; in a longer file a
 * signature 511 bytes before the end is cut short, 513 before it has one
 * byte after it (at 512 it would be the trailer itself).
 */
static void test_koly_tail(void **state)
{
	static const uint8_t sig[12] = { 'k', 'o', 'l', 'y', 0, 0, 0, 4, 0, 0, 2, 0 };
	static uint8_t f[2048];

	(void)state;
	memset(f, 0, sizeof(f));
	memcpy(f, sig, sizeof(sig));
	assert_int_equal(probe_bytes(f, 511, "UDIF koly trailer at byte 0 is cut short (511 of "
				     "512 bytes): truncated image"), -APFS_ECORRUPT);
	assert_int_equal(probe_bytes(f, 512, "UDIF koly XML plist"), -APFS_ECORRUPT);
	memset(f, 0, sizeof(f));
	memcpy(f + 2048 - 511, sig, sizeof(sig));
	assert_int_equal(probe_bytes(f, 2048, "trailer at byte 1537 is cut short (511 of 512 "
				     "bytes)"), -APFS_ECORRUPT);
	memset(f, 0, sizeof(f));
	memcpy(f + 2048 - 513, sig, sizeof(sig));
	assert_int_equal(probe_bytes(f, 2048, "trailer at byte 1535 is not at the end of the "
				     "file (1 bytes follow it)"), -APFS_ECORRUPT);
}

/*
 * A mish block's fixed header is 204 bytes (the chunk count at 200): 204
 * with no chunk is a mish block that maps nothing (the table is then
 * refused as a whole); 203 is not one.
 */
static void test_mish_header(void **state)
{
	struct dmg d = raw_dmg(1, &raw0, 1, 0, 1);

	(void)state;
	for (size_t len = 203; len <= 204; len++) {
		memset(mbuf, 0, 204);
		memcpy(mbuf, "mish", 4);
		st_be32(mbuf + 4, 1);
		st_be64(mbuf + 16, 1);
		d.xlen = plist1(xbuf, sizeof(xbuf), mbuf, len);
		d.xpad = d.xlen;
		if (len == 203)
			assert_int_equal(probe(&d, "blkx entry 'e' is not a mish block (203 bytes)",
					       NULL), -APFS_ECORRUPT);
		else
			assert_int_equal(probe(&d, "UDIF blkx table maps no sectors", NULL),
					 -APFS_ECORRUPT);
	}
}

static void test_good(void **state)
{
	const struct ent e[2] = { raw0, { UDIF_ZERO, 1, 1, 0, 0 } };
	struct dmg d = raw_dmg(2, e, 2, 0, 2);
	uint64_t size = 0;

	(void)state;
	assert_int_equal(probe(&d, NULL, &size), 1);
	assert_int_equal(size, 1024);
}

/* The plist may end where the koly begins, not a byte later; it is not empty. */
static void test_xml_range(void **state)
{
	struct dmg d = raw_dmg(1, &raw0, 1, 0, 1);
	const char *out = "UDIF koly XML plist";

	(void)state;
	d.xpad = d.xlen + 100;
	assert_int_equal(probe(&d, NULL, NULL), 1);
	d.xml_len_add = 1;
	assert_int_equal(probe(&d, out, NULL), -APFS_ECORRUPT);
	d.xml_len_add = -(int64_t)d.xpad;
	assert_int_equal(probe(&d, "(0 bytes at 512) lies outside", NULL), -APFS_ECORRUPT);
}

/* 64 MiB of plist is read; one byte more is refused though it is in the file. */
static void test_xml_max(void **state)
{
	struct dmg d = raw_dmg(1, &raw0, 1, 0, 1);

	(void)state;
	d.xpad = 64u << 20;
	assert_int_equal(probe(&d, NULL, NULL), 1);
	d.xpad = (64u << 20) + 1;
	assert_int_equal(probe(&d, "UDIF koly XML plist (67108865 bytes at 512) lies outside",
			       NULL), -APFS_ECORRUPT);
}

static void test_sector_count(void **state)
{
	const struct ent zero = { UDIF_ZERO, 0, 1, 0, 0 };
	struct dmg d = raw_dmg(1, &zero, 1, 0, 1);
	uint64_t size = 0;

	(void)state;
	d.sectors = 0;
	assert_int_equal(probe(&d, "UDIF koly sectorCount 0 or data fork offset 0 is invalid",
			       NULL), -APFS_ECORRUPT);
	d.sectors = UINT64_MAX / UDIF_SECTOR;
	assert_int_equal(probe(&d, NULL, &size), 1);
	assert_int_equal(size, UINT64_MAX / UDIF_SECTOR * UDIF_SECTOR);
	d.sectors = UINT64_MAX / UDIF_SECTOR + 1;
	assert_int_equal(probe(&d, "UDIF koly sectorCount 36028797018963968 or data fork",
			       NULL), -APFS_ECORRUPT);
}

/* The data fork may start at the koly (then it is empty), not after it. */
static void test_data_fork_offset(void **state)
{
	const struct ent zero = { UDIF_ZERO, 0, 1, 0, 0 };
	struct dmg d = raw_dmg(1, &zero, 1, 0, 1);

	(void)state;
	d.dfo = (int64_t)(d.dlen + d.xpad);
	assert_int_equal(probe(&d, NULL, NULL), 1);
	d.dfo = -1;
	assert_int_equal(probe(&d, "is invalid", NULL), -APFS_ECORRUPT);
}

/* A blkx array of n entries that are not dictionaries. */
static void blkx_count(uint32_t n, const char *msg)
{
	size_t cap = 200 + 7 * (size_t)n, x;
	char *p = malloc(cap);
	struct dmg d = { .data = sector0, .dlen = 0, .sectors = 1 };

	x = (size_t)sprintf(p, "<plist version=\"1.0\"><dict><key>resource-fork</key><dict>"
			    "<key>blkx</key><array>");
	for (uint32_t i = 0; i < n; i++)
		x += (size_t)sprintf(p + x, "<true/>");
	x += (size_t)sprintf(p + x, "</array></dict></dict></plist>");
	d.xml = p;
	d.xlen = d.xpad = x;
	assert_int_equal(probe(&d, msg, NULL), -APFS_ECORRUPT);
	free(p);
}

static void test_blkx_count(void **state)
{
	(void)state;
	blkx_count(0, "UDIF blkx array has 0 entries");
	blkx_count(65536, "blkx entry 0 is not a dictionary");
	blkx_count(65537, "UDIF blkx array has 65537 entries");
}

/* A mish block's sectors end at the disk's end at most. */
static void test_mish_range(void **state)
{
	const struct ent zero = { UDIF_ZERO, 0, 1, 0, 0 };
	struct dmg d = raw_dmg(10, &zero, 1, 9, 1);

	(void)state;
	assert_int_equal(probe(&d, NULL, NULL), 1);
	d = raw_dmg(10, &zero, 1, 9, 2);
	assert_int_equal(probe(&d, "blkx entry 'e': sectors 9+2 lie past the disk's 10", NULL),
			 -APFS_ECORRUPT);
	/* A chunk ends at its entry's end at most. */
	d = raw_dmg(10, (const struct ent[]){ { UDIF_ZERO, 1, 1, 0, 0 } }, 1, 8, 2);
	assert_int_equal(probe(&d, NULL, NULL), 1);
	d = raw_dmg(10, (const struct ent[]){ { UDIF_ZERO, 1, 2, 0, 0 } }, 1, 8, 2);
	assert_int_equal(probe(&d, "chunk of 2 sectors at sector 1 is out of order, overlapping "
			       "or outside the entry's 2 sectors", NULL), -APFS_ECORRUPT);
}

/* A chunk expands to 64 MiB at most and is stored in 128 MiB at most. */
static void test_chunk_size(void **state)
{
	const char *oob = "is out of bounds";
	struct ent z = { UDIF_ZLIB, 0, CHUNK_SECTORS_MAX, 0, 512 };
	struct dmg d;

	(void)state;
	d = raw_dmg(CHUNK_SECTORS_MAX + 1, &z, 1, 0, CHUNK_SECTORS_MAX + 1);
	assert_int_equal(probe(&d, NULL, NULL), 1);
	z.nsect = CHUNK_SECTORS_MAX + 1;
	d = raw_dmg(CHUNK_SECTORS_MAX + 1, &z, 1, 0, CHUNK_SECTORS_MAX + 1);
	assert_int_equal(probe(&d, oob, NULL), -APFS_ECORRUPT);
	z.nsect = 1;
	z.len = 2ull * UDIF_CHUNK_MAX;  /* passes this check, then is past the data */
	d = raw_dmg(1, &z, 1, 0, 1);
	assert_int_equal(probe(&d, "where the koly trailer begins", NULL), -APFS_ECORRUPT);
	z.len = 2ull * UDIF_CHUNK_MAX + 1;
	d = raw_dmg(1, &z, 1, 0, 1);
	assert_int_equal(probe(&d, oob, NULL), -APFS_ECORRUPT);
	/* A raw chunk is stored in exactly its sectors' bytes. */
	d = raw_dmg(1, (const struct ent[]){ { UDIF_RAW, 0, 1, 0, 511 } }, 1, 0, 1);
	assert_int_equal(probe(&d, oob, NULL), -APFS_ECORRUPT);
	d = raw_dmg(1, (const struct ent[]){ { UDIF_RAW, 0, 1, 0, 513 } }, 1, 0, 1);
	assert_int_equal(probe(&d, oob, NULL), -APFS_ECORRUPT);
}

/* A chunk's bytes end where the koly begins at most (data fork, mish offset, chunk offset). */
static void test_chunk_range(void **state)
{
	struct dmg d = raw_dmg(1, &raw0, 1, 0, 1);
	size_t end;
	struct ent e = raw0;

	(void)state;
	end = d.dlen + d.xpad;  /* the koly's offset */
	e.coff = end - 512;
	d = raw_dmg(1, &e, 1, 0, 1);
	assert_int_equal(probe(&d, NULL, NULL), 1);
	e.coff = end - 511;
	d = raw_dmg(1, &e, 1, 0, 1);
	assert_int_equal(probe(&d, "runs past byte", NULL), -APFS_ECORRUPT);
}

/*
 * Data fork offset + mish DataOffset + chunk offset must not wrap: sums
 * that would wrap to 0 (where sector 0's bytes are) are refused, not read
 * from there.
 */
static void test_chunk_offset_wrap(void **state)
{
	struct ent e = raw0;
	struct dmg d;

	(void)state;
	mish_data_off = 1;
	e.coff = UINT64_MAX - 1;  /* 1 + 2^64 - 2: the last byte, far past the data */
	d = raw_dmg(1, &e, 1, 0, 1);
	assert_int_equal(probe(&d, "runs past byte", NULL), -APFS_ECORRUPT);
	e.coff = UINT64_MAX;      /* 1 + 2^64 - 1 wraps to 0 */
	d = raw_dmg(1, &e, 1, 0, 1);
	assert_int_equal(probe(&d, "runs past byte", NULL), -APFS_ECORRUPT);
	/* The data fork at 1, DataOffset 2^64 - 1: wraps to 0 as well. */
	mish_data_off = UINT64_MAX;
	e.coff = 0;
	d = raw_dmg(1, &e, 1, 0, 1);
	d.dfo = 1;
	assert_int_equal(probe(&d, "runs past byte", NULL), -APFS_ECORRUPT);
	mish_data_off = 0;
}

/* ---- ADC (udif_chunk.c) ----------------------------------------------------- */

/*
 * Decompress in[0..n) as one ADC chunk of one sector into out; 0 or
 * -APFS_ECORRUPT.  The sector is followed by a canary: a decoder that
 * writes past its 512 bytes (and then says corrupt) is caught too.
 */
static int adc(const uint8_t *in, size_t n, uint8_t *out)
{
	uint8_t *b = malloc(n ? n : 1), canary[256], *o = malloc(512 + sizeof(canary));
	struct apfs_dev *lower;
	struct udif_chunk c = { .sector = 0, .nsect = 1, .off = 0, .len = n, .type = UDIF_ADC };
	int ret;

	memcpy(b, in, n);
	memset(canary, 0xa5, sizeof(canary));
	memcpy(o + 512, canary, sizeof(canary));
	lower = apfs_dev_new(&mem_ops, b, n, NULL, "t.dmg");
	log_capture();
	ret = apfs_udif_decompress(lower, &c, o, "t.dmg");
	log_release();
	apfs_dev_close(lower);
	assert_memory_equal(o + 512, canary, sizeof(canary));
	memcpy(out, o, 512);
	free(o);
	if (ret)
		expect_log("ADC chunk for sector 0");
	return ret;
}

/* Literals: 0x80 | (n - 1) then n bytes; 4 runs of 128 fill the sector. */
static void test_adc_literals(void **state)
{
	uint8_t in[600], out[512];
	size_t n = 0;

	(void)state;
	for (int r = 0; r < 4; r++) {
		in[n++] = 0xff;
		for (int i = 0; i < 128; i++)
			in[n++] = (uint8_t)(r * 128 + i);
	}
	assert_int_equal(adc(in, n, out), 0);
	assert_int_equal(out[511], 255);
	/* The last run one byte short of its input. */
	assert_int_equal(adc(in, n - 1, out), -APFS_ECORRUPT);
	/* 3 x 128 + 1 + 127 fills it; 3 x 128 + 1 + 128 is one past it. */
	n = 3 * 129;
	in[n++] = 0x80;
	in[n++] = 'x';
	in[n++] = 0x80 | 126;
	memset(in + n, 'y', 128);
	assert_int_equal(adc(in, n + 127, out), 0);
	in[n - 1] = 0x80 | 127;
	assert_int_equal(adc(in, n + 128, out), -APFS_ECORRUPT);
}

/*
 * Matches: 'a' then 7 x (0x7f: 67 bytes at distance 1) = 470 bytes; 42 more
 * (0x40 | 38) make 512, 43 (0x40 | 39) one too many.  A distance of 2 with
 * one byte written reaches before the output.
 */
static void test_adc_matches(void **state)
{
	uint8_t in[64], out[512];
	size_t n = 0;

	(void)state;
	in[n++] = 0x80;
	in[n++] = 'a';
	for (int i = 0; i < 7; i++) {
		in[n++] = 0x7f;
		in[n++] = 0;
		in[n++] = 0;
	}
	in[n++] = 0x40 | 38;
	in[n++] = 0;
	in[n++] = 0;
	assert_int_equal(adc(in, n, out), 0);
	assert_int_equal(out[511], 'a');
	/* The last match's header cut by one byte. */
	assert_int_equal(adc(in, n - 1, out), -APFS_ECORRUPT);
	in[n - 3] = 0x40 | 39;
	assert_int_equal(adc(in, n, out), -APFS_ECORRUPT);
	in[n - 3] = 0x40 | 38;
	in[4] = 1;  /* the first match at distance 2 */
	assert_int_equal(adc(in, n, out), -APFS_ECORRUPT);
	/* The short form 00xxxxyy L: distance (yy << 8 | L) + 1. */
	n = 0;
	in[n++] = 0x81;
	in[n++] = 'a';
	in[n++] = 'b';
	for (int i = 0; i < 28; i++) {
		in[n++] = 0x3c;  /* 15 + 3 = 18 bytes at distance 2 */
		in[n++] = 1;
	}
	in[n++] = 0x00;  /* 0 + 3 = 3 more at distance 2: 2 + 504 + 3 = 509, "aba" */
	in[n++] = 1;
	in[n++] = 0x00;  /* 3 at distance 1: 512, "aaa" */
	in[n++] = 0;
	assert_int_equal(adc(in, n, out), 0);
	assert_int_equal(out[507], 'b');
	assert_int_equal(out[508], 'a');
	assert_int_equal(out[511], 'a');
	assert_int_equal(adc(in, n - 1, out), -APFS_ECORRUPT);  /* its second byte missing */
	in[4] = 2;  /* distance 3 after 2 bytes */
	assert_int_equal(adc(in, n, out), -APFS_ECORRUPT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_koly_tail),
		cmocka_unit_test(test_mish_header),
		cmocka_unit_test(test_xml_range),
		cmocka_unit_test(test_xml_max),
		cmocka_unit_test(test_sector_count),
		cmocka_unit_test(test_data_fork_offset),
		cmocka_unit_test(test_blkx_count),
		cmocka_unit_test(test_mish_range),
		cmocka_unit_test(test_chunk_size),
		cmocka_unit_test(test_chunk_range),
		cmocka_unit_test(test_chunk_offset_wrap),
		cmocka_unit_test(test_adc_literals),
		cmocka_unit_test(test_adc_matches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
