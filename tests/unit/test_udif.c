/* SPDX-License-Identifier: MIT */
/*
 * test_udif.c - image/udif.c through apfs_dev_open().
 *
 * Real images (when IMAGES is set): basic.dmg (UDZO), basic-bz2.dmg (UDBZ)
 * and basic-lzfse.dmg (ULFO) must expand to the 16,777,216-byte disk whose
 * SHA-256 IMAGES.md gives, and reads at odd offsets across chunk boundaries
 * (also from several threads) must match basic.img, the gunzipped raw copy.
 *
 * Crafted images, built here: a tiny valid UDZO, then one defect at a time;
 * each must give an error, never a crash (run under `make asan`).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "util/bytes.h"
#include "image/dev.h"
#include "util/err.h"
#include "testutil.h"

#define DISK_SIZE 16777216u
static const char disk_sha[] =
	"\xbd\x84\xd4\x28\x81\xd2\x93\x73\x76\x01\x7b\x9d\xde\x38\x4e\xa3"
	"\xf7\x91\x27\x8e\x77\xf4\xc9\x74\x37\x00\x82\x7a\x4e\x49\x4c\x75";

static char images[4096];
static uint8_t *raw_disk; /* basic.img */

static uint8_t *slurp_path(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	p = malloc((size_t)n);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

static struct apfs_dev *open_image(const char *name, const char *kind)
{
	char path[4200];
	struct apfs_dev *dev = NULL;

	snprintf(path, sizeof(path), "%s/%s", images, name);
	assert_int_equal(apfs_dev_open(path, &dev), 0);
	assert_string_equal(dev->ops->kind, kind);
	assert_int_equal(dev->size, DISK_SIZE);
	return dev;
}

/* The whole disk in uneven pieces, hashed. */
static void check_whole(struct apfs_dev *dev)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t *buf = malloc(1 << 20), md[32];
	uint64_t off = 0;
	unsigned mdlen;

	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	while (off < DISK_SIZE) {
		size_t n = (size_t)(DISK_SIZE - off) < 999999 ? (size_t)(DISK_SIZE - off) : 999999;

		assert_int_equal(apfs_dev_read(dev, buf, n, off), 0);
		EVP_DigestUpdate(ctx, buf, n);
		off += n;
	}
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	assert_memory_equal(md, disk_sha, 32);
	free(buf);
}

static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * Reads straddling the chunk edges of the Apple_APFS entry (sectors 40,
 * 2088 and 4104, from the plist) and the end, then random ones.
 */
static void check_odd_reads(struct apfs_dev *dev, uint64_t seed)
{
	static const uint64_t edges[] = { 40 * 512, 2088 * 512, 4104 * 512, 32728 * 512,
					  DISK_SIZE };
	uint8_t *buf = malloc(300000);

	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		uint64_t off = edges[i] - 777;
		size_t n = edges[i] == DISK_SIZE ? 777 : 5001;

		assert_int_equal(apfs_dev_read(dev, buf, n, off), 0);
		assert_memory_equal(buf, raw_disk + off, n);
	}
	for (int i = 0; i < 200; i++) {
		uint64_t off = rnd(&seed) % DISK_SIZE;
		size_t n = (size_t)(rnd(&seed) % 300000);

		if (n > DISK_SIZE - off)
			n = (size_t)(DISK_SIZE - off);
		assert_int_equal(apfs_dev_read(dev, buf, n, off), 0);
		assert_memory_equal(buf, raw_disk + off, n);
	}
	assert_int_equal(apfs_dev_read(dev, buf, 2, DISK_SIZE - 1), -APFS_ETRUNC);
	free(buf);
}

struct thread_arg {
	struct apfs_dev *dev;
	uint64_t seed;
	int bad;
};

static void *reader(void *v)
{
	struct thread_arg *a = v;
	uint8_t *buf = malloc(65536);

	for (int i = 0; i < 300; i++) {
		uint64_t off = rnd(&a->seed) % (DISK_SIZE - 65536);
		size_t n = (size_t)(rnd(&a->seed) % 65536);

		if (apfs_dev_read(a->dev, buf, n, off) || memcmp(buf, raw_disk + off, n))
			a->bad++;
	}
	free(buf);
	return NULL;
}

/* Four threads share the eight-slot cache. */
static void check_threads(struct apfs_dev *dev)
{
	pthread_t t[4];
	struct thread_arg a[4];

	for (int i = 0; i < 4; i++) {
		a[i] = (struct thread_arg){ dev, 1000 + (uint64_t)i, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, reader, &a[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(a[i].bad, 0);
	}
}

static void check_dmg(const char *name, const char *kind, uint64_t seed)
{
	struct apfs_dev *dev = open_image(name, kind);

	check_whole(dev);
	check_odd_reads(dev, seed);
	check_threads(dev);
	apfs_dev_close(dev);
}

static void test_udzo(void **state)
{
	(void)state;
	check_dmg("basic.dmg", "UDIF (UDZO zlib)", 11);
}

static void test_udbz(void **state)
{
	(void)state;
	check_dmg("basic-bz2.dmg", "UDIF (UDBZ bzip2)", 12);
}

static void test_ulfo(void **state)
{
	(void)state;
	check_dmg("basic-lzfse.dmg", "UDIF (ULFO lzfse)", 13);
}

/* ---- crafted images ------------------------------------------------------ */

/* What to build: one knob per defect. */
struct spec {
	const char *blkx_key;   /* "blkx", or something else */
	uint32_t type;          /* type of the first chunk */
	uint64_t chunk_sectors; /* sectors the first chunk claims */
	uint32_t nchunks;       /* mish NumberOfBlockChunks */
	uint64_t coff_add;      /* added to the first chunk's offset */
	uint64_t xml_off_add;   /* added to koly XMLOffset */
	int overlap;            /* a second blkx entry over sector 0 */
	size_t cut;             /* bytes chopped off the end */
	uint32_t koly_hdr;      /* koly HeaderSize if not 0 (512) */
	int second_at_zero;     /* the zero-fill chunk starts at sector 0, not 1 */
};

/* The first sector's content: a pattern zlib, ADC and raw all encode. */
static void pattern(uint8_t *p)
{
	for (int i = 0; i < 512; i++)
		p[i] = (uint8_t)(i % 2 ? 'b' : 'a');
}

/*
 * ADC by hand: 81 'a' 'b' = 2 literals; 7 x 7F 00 01 = matches of 63 + 4 =
 * 67 bytes at distance 0x0001 + 1 = 2 (469 bytes); 65 00 01 = 37 + 4 = 41
 * more.  2 + 469 + 41 = 512 bytes of "abab...".
 */
static size_t adc_sector(uint8_t *out)
{
	size_t n = 0;

	out[n++] = 0x81;
	out[n++] = 'a';
	out[n++] = 'b';
	for (int i = 0; i < 7; i++) {
		out[n++] = 0x7f;
		out[n++] = 0x00;
		out[n++] = 0x01;
	}
	out[n++] = 0x65;
	out[n++] = 0x00;
	out[n++] = 0x01;
	return n;
}

static size_t mish_block(uint8_t *m, uint64_t first, uint64_t count, const struct spec *s,
			 uint64_t clen)
{
	uint8_t *e = m + 204;

	memset(m, 0, 204 + 3 * 40);
	memcpy(m, "mish", 4);
	st_be32(m + 4, 1);
	st_be64(m + 8, first);
	st_be64(m + 16, count);
	st_be32(m + 200, s->nchunks);
	st_be32(e, s->type);                  /* the data chunk */
	st_be64(e + 16, s->chunk_sectors);
	st_be64(e + 24, s->coff_add);
	st_be64(e + 32, clen);
	st_be32(e + 40, 0);                   /* sector 1: zero-fill */
	st_be64(e + 48, s->second_at_zero ? 0 : 1);
	st_be64(e + 56, 1);
	st_be32(e + 80, 0xffffffffu);         /* end */
	st_be64(e + 88, 2);
	return 204 + 3 * 40;
}

static size_t plist_entry(char *x, size_t cap, const char *name, const uint8_t *m, size_t mlen)
{
	char b64[1024];

	EVP_EncodeBlock((unsigned char *)b64, m, (int)mlen);
	return (size_t)snprintf(x, cap, "<dict><key>Name</key><string>%s</string>"
			       "<key>Data</key><data>%s</data></dict>", name, b64);
}

/* Write a dmg per spec into path: chunk data, plist, koly. */
static void build_dmg(const char *path, const struct spec *s)
{
	uint8_t data[1024], sector[512], m[400], koly[512];
	char xml[4096];
	size_t dlen = 0, mlen, x = 0;
	uLongf zlen = sizeof(data);
	FILE *f;

	pattern(sector);
	if (s->type == 0x80000004u) {
		dlen = adc_sector(data);
	} else if (s->type == 1) {
		memcpy(data, sector, 512);
		dlen = 512;
	} else {
		assert_int_equal(compress2(data, &zlen, sector, 512, 9), Z_OK);
		dlen = zlen;
	}
	x += (size_t)snprintf(xml, sizeof(xml), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			      "<plist version=\"1.0\"><dict><key>resource-fork</key><dict>"
			      "<key>%s</key><array>", s->blkx_key);
	mlen = mish_block(m, 0, 2, s, dlen);
	x += plist_entry(xml + x, sizeof(xml) - x, "whole disk", m, mlen);
	if (s->overlap) {
		mlen = mish_block(m, 1, 1, &(struct spec){ .type = 2, .chunk_sectors = 1,
							   .nchunks = 1 }, 0);
		x += plist_entry(xml + x, sizeof(xml) - x, "second", m, mlen);
	}
	x += (size_t)snprintf(xml + x, sizeof(xml) - x, "</array></dict></dict></plist>\n");
	memset(koly, 0, sizeof(koly));
	memcpy(koly, "koly", 4);
	st_be32(koly + 4, 4);
	st_be32(koly + 8, s->koly_hdr ? s->koly_hdr : 512);
	st_be64(koly + 216, dlen + s->xml_off_add);
	st_be64(koly + 224, x);
	st_be64(koly + 492, 2);
	f = fopen(path, "wb");
	assert_non_null(f);
	fwrite(data, 1, dlen, f);
	fwrite(xml, 1, x, f);
	fwrite(koly, 1, sizeof(koly) - s->cut, f);
	fclose(f);
}

static const struct spec good = { "blkx", 0x80000005u, 1, 3, 0, 0, 0, 0, 0, 0 };

static char tmpdir[256];

/* Build, open; returns apfs_dev_open's result and closes any device. */
static int try_open(const struct spec *s, struct apfs_dev **keep)
{
	char path[300];
	struct apfs_dev *dev = NULL;
	int ret;

	snprintf(path, sizeof(path), "%s/t.dmg", tmpdir);
	build_dmg(path, s);
	ret = apfs_dev_open(path, &dev);
	if (ret == 0 && keep)
		*keep = dev;
	else if (ret == 0)
		apfs_dev_close(dev);
	return ret;
}

/* The valid one, then the same with zlib replaced by raw and by ADC. */
static void test_crafted_good(void **state)
{
	static const uint32_t types[] = { 0x80000005u, 1, 0x80000004u };
	static const char *const kinds[] = { "UDIF (UDZO zlib)", "UDIF (UDRW raw)",
					     "UDIF (UDCO ADC)" };
	uint8_t buf[1024], want[1024];

	(void)state;
	pattern(want);
	memset(want + 512, 0, 512);
	for (int i = 0; i < 3; i++) {
		struct spec s = good;
		struct apfs_dev *dev = NULL;

		s.type = types[i];
		assert_int_equal(try_open(&s, &dev), 0);
		assert_string_equal(dev->ops->kind, kinds[i]);
		assert_int_equal(dev->size, 1024);
		assert_int_equal(apfs_dev_read(dev, buf, 1024, 0), 0);
		assert_memory_equal(buf, want, 1024);
		assert_int_equal(apfs_dev_read(dev, buf, 3, 510), 0);
		assert_memory_equal(buf, want + 510, 3);
		apfs_dev_close(dev);
	}
}

static void test_crafted_bad(void **state)
{
	struct spec s;
	struct apfs_dev *dev = NULL;
	uint8_t buf[1024];
	char path[300];
	FILE *f;

	(void)state;
	s = good, s.cut = 100;                  /* truncated koly */
	assert_int_equal(try_open(&s, NULL), -APFS_ECORRUPT);
	s = good, s.xml_off_add = 100000;       /* koly's plist past EOF */
	assert_int_equal(try_open(&s, NULL), -APFS_ECORRUPT);
	s = good, s.blkx_key = "blkz";          /* plist missing blkx */
	assert_int_equal(try_open(&s, NULL), -APFS_ECORRUPT);
	s = good, s.nchunks = 1000;             /* chunk count overflows the mish */
	assert_int_equal(try_open(&s, NULL), -APFS_ECORRUPT);
	s = good, s.coff_add = 1u << 30;        /* compressed range past EOF */
	assert_int_equal(try_open(&s, NULL), -APFS_ECORRUPT);
	s = good, s.overlap = 1;                /* two entries claim sector 1 */
	assert_int_equal(try_open(&s, NULL), -APFS_ECORRUPT);
	s = good, s.chunk_sectors = 3;          /* chunk runs past its entry */
	assert_int_equal(try_open(&s, NULL), -APFS_ECORRUPT);
	s = good, s.type = 0x12345678;          /* unknown chunk type */
	assert_int_equal(try_open(&s, NULL), -APFS_ECORRUPT);
	s = good, s.type = 1, s.chunk_sectors = 2, s.nchunks = 1; /* raw: 512 bytes for 2 sectors */
	assert_int_equal(try_open(&s, NULL), -APFS_ECORRUPT);
	/* Only a comment chunk: the table maps nothing (UBSan caught qsort(NULL, 0) here). */
	s = good, s.type = 0x7ffffffe, s.nchunks = 1;
	assert_int_equal(try_open(&s, NULL), -APFS_ECORRUPT);
	s = good, s.chunk_sectors = 0, s.nchunks = 1; /* a data chunk of 0 sectors: skipped */
	assert_int_equal(try_open(&s, NULL), -APFS_ECORRUPT);

	/* zlib chunk claims 2 sectors but inflates to 1: opens, reads fail. */
	s = good, s.chunk_sectors = 2, s.nchunks = 1;
	assert_int_equal(try_open(&s, &dev), 0);
	assert_int_equal(apfs_dev_read(dev, buf, 16, 0), -APFS_ECORRUPT);
	assert_int_equal(apfs_dev_read(dev, buf, 16, 600), -APFS_ECORRUPT);
	apfs_dev_close(dev);

	/* An encrypted dmg starts with "encrcdsa". */
	snprintf(path, sizeof(path), "%s/enc.dmg", tmpdir);
	f = fopen(path, "wb");
	assert_non_null(f);
	memset(buf, 0x11, sizeof(buf));
	memcpy(buf, "encrcdsa", 8);
	fwrite(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(apfs_dev_open(path, &dev), -ENOTSUP);
}

/* Each check refuses by its own message, one step past what it accepts. */
static void test_crafted_edges(void **state)
{
	struct spec s;

	(void)state;
	log_capture();
	s = good, s.koly_hdr = 511;             /* version 4 but a header of 511 bytes */
	assert_int_equal(try_open(&s, NULL), -APFS_ECORRUPT);
	expect_log("UDIF koly version 4, header size 511: expected 4 and 512");
	s = good, s.nchunks = 4;                /* the 324-byte mish holds 3 entries */
	assert_int_equal(try_open(&s, NULL), -APFS_ECORRUPT);
	expect_log("blkx entry 'whole disk': 4 chunks do not fit its 324-byte mish block");
	s = good, s.second_at_zero = 1;         /* the second chunk goes back to sector 0 */
	assert_int_equal(try_open(&s, NULL), -APFS_ECORRUPT);
	expect_log("blkx entry 'whole disk': chunk of 1 sectors at sector 0 is out of order, "
		   "overlapping or outside the entry's 2 sectors");
	log_release();
}

/* Every single-byte corruption of the valid image's mish and koly: no crash. */
static void test_crafted_mutations(void **state)
{
	char path[300];
	uint8_t *img, *copy;
	size_t len;
	uint64_t seed = 77;
	struct apfs_dev *dev;
	uint8_t buf[1024];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/t.dmg", tmpdir);
	build_dmg(path, &good);
	img = slurp_path(path, &len);
	copy = malloc(len);
	for (int it = 0; it < 400; it++) {
		memcpy(copy, img, len);
		for (int k = 0; k < 3; k++)
			copy[rnd(&seed) % len] = (uint8_t)rnd(&seed);
		f = fopen(path, "wb");
		fwrite(copy, 1, len, f);
		fclose(f);
		dev = NULL;
		if (apfs_dev_open(path, &dev) == 0) {
			if (dev->size >= sizeof(buf))
				(void)apfs_dev_read(dev, buf, sizeof(buf), 0);
			apfs_dev_close(dev);
		}
	}
	free(copy);
	free(img);
}

static int quiet(void **state)
{
	(void)state;
	/* Errors are expected here: keep the TAP output readable. */
	apfs_log_set_level(-1);
	return 0;
}

static int real_setup(void **state)
{
	char path[4200];
	size_t len;

	(void)state;
	snprintf(path, sizeof(path), "%s/basic.img", images);
	raw_disk = slurp_path(path, &len);
	assert_int_equal(len, DISK_SIZE);
	return 0;
}

static int real_teardown(void **state)
{
	(void)state;
	free(raw_disk);
	return 0;
}

int main(void)
{
	const struct CMUnitTest crafted[] = {
		cmocka_unit_test(test_crafted_good),
		cmocka_unit_test(test_crafted_bad),
		cmocka_unit_test(test_crafted_edges),
		cmocka_unit_test(test_crafted_mutations),
	};
	const struct CMUnitTest real[] = {
		cmocka_unit_test(test_udzo),
		cmocka_unit_test(test_udbz),
		cmocka_unit_test(test_ulfo),
	};
	const char *dir = getenv("IMAGES"), *tmp = getenv("TMPDIR");
	char probe[4200];
	int ret;

	snprintf(tmpdir, sizeof(tmpdir), "%s/udif.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpdir))
		return 1;
	ret = cmocka_run_group_tests_name("udif crafted", crafted, quiet, NULL);
	snprintf(probe, sizeof(probe), "%s/basic.img", dir ? dir : "");
	snprintf(images, sizeof(images), "%s", dir ? dir : "");
	/* cmocka 1.1.5 prints skips as "not ok", which tests/run.sh counts as failures. */
	if (!dir || access(probe, R_OK)) {
		printf("ok - real dmgs # SKIP $IMAGES/basic.img and the dmgs not available\n");
	} else {
		apfs_log_set_level(APFS_LOG_WARN);
		ret |= cmocka_run_group_tests_name("udif real", real, real_setup, real_teardown);
	}
	snprintf(probe, sizeof(probe), "rm -rf '%s'", tmpdir);
	if (system(probe) != 0)
		ret |= 1;
	return ret;
}
