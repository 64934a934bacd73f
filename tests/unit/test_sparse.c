/* SPDX-License-Identifier: MIT */
/*
 * test_sparse.c - sparse images and sparse bundles built here byte by byte
 * from docs/containers.md §1 and §2 (not by the generator's writer), read
 * across every band boundary, whole, and from four threads at once: bands
 * stored in reverse order, an index-node chain, bands never written (zeros),
 * short band files (zeros past their end), a partial last band, and more
 * band files than the reader keeps open.  The expected bytes are the
 * pattern written in.
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
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/bytes.h"
#include "util/err.h"
#include "image/dev.h"

#define NODE 4096u
#define SI_BAND 512u   /* 1 sector per band: a chain from a small file */
#define SI_NB 2500u    /* 1666 written bands: the header node and one index node */
#define SI_SIZE (SI_NB * SI_BAND)
#define SB_BAND 1536u  /* 3 sectors: not a multiple of 4096 */
#define SB_NB 200u     /* more band files than the reader's descriptor cache */
#define SB_SIZE (SB_NB * SB_BAND - 700u) /* the last band is partial */
#define SB_SHORT 1000u /* every fourth band file stops here */

static char dir[256];
static uint8_t *want;
static size_t want_len;

static int written(unsigned band)
{
	return band % 3 != 0;
}

static void pattern(size_t size, unsigned band_size)
{
	free(want);
	want = calloc(1, size);
	want_len = size;
	assert_non_null(want);
	for (size_t i = 0; i < size; i++)
		if (written((unsigned)(i / band_size)))
			want[i] = (uint8_t)(i * 13 + i / 509 + 1);
}

static void path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

/* §1: nodes of 4096 bytes, ids (band + 1) at 64 (header) or 56 (index). */
static void write_sparseimage(const char *name)
{
	unsigned order[SI_NB], n = 0, slots = 1008, ids = 64, node = 0, k = 0;
	uint64_t at = 0;
	uint8_t hdr[NODE];
	char p[300];
	FILE *f;

	pattern(SI_SIZE, SI_BAND);
	for (unsigned b = SI_NB; b-- > 0;) /* reverse order: the map must be used */
		if (written(b))
			order[n++] = b;
	path(p, sizeof(p), name);
	f = fopen(p, "wb");
	assert_non_null(f);
	for (unsigned i = 0; i < n; node++) {
		unsigned c = n - i < slots ? n - i : slots;
		uint64_t next = i + c < n ? at + NODE + (uint64_t)slots * SI_BAND : 0;

		memset(hdr, 0, sizeof(hdr));
		memcpy(hdr, "sprs", 4);
		if (node == 0) {
			st_be32(hdr + 4, 3);
			st_be32(hdr + 8, SI_BAND / 512);
			st_be32(hdr + 12, 1);
			st_be32(hdr + 16, SI_SIZE / 512);
			st_be64(hdr + 20, next);
			st_be64(hdr + 28, SI_SIZE / 512);
		} else {
			st_be32(hdr + 4, k++);
			st_be32(hdr + 8, 1);
			st_be64(hdr + 12, next);
		}
		for (unsigned s = 0; s < c; s++)
			st_be32(hdr + ids + 4 * s, order[i + s] + 1);
		fseek(f, (long)at, SEEK_SET);
		fwrite(hdr, 1, NODE, f);
		for (unsigned s = 0; s < c; s++)
			fwrite(want + (size_t)order[i + s] * SI_BAND, 1, SI_BAND, f);
		i += c;
		at = next;
		slots = 1010;
		ids = 56;
	}
	fclose(f);
}

static void put_file(const char *p, const void *b, size_t n)
{
	FILE *f = fopen(p, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, n, f), n);
	fclose(f);
}

/* §2: Info.plist, bands/<hex>; band b absent when never written, some short. */
static void write_sparsebundle(const char *name, const char *token)
{
	char p[400], plist[1024];
	int n;

	pattern(SB_SIZE, SB_BAND);
	path(p, sizeof(p), name);
	mkdir(p, 0755);
	n = snprintf(plist, sizeof(plist),
		     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict>"
		     "<key>band-size</key><integer>%u</integer>"
		     "<key>diskimage-bundle-type</key>"
		     "<string>com.apple.diskimage.sparsebundle</string>"
		     "<key>size</key><integer>%u</integer></dict></plist>\n", SB_BAND, SB_SIZE);
	snprintf(p, sizeof(p), "%s/%s/Info.plist", dir, name);
	put_file(p, plist, (size_t)n);
	snprintf(p, sizeof(p), "%s/%s/token", dir, name);
	put_file(p, token, strlen(token));
	snprintf(p, sizeof(p), "%s/%s/bands", dir, name);
	mkdir(p, 0755);
	for (unsigned b = 0; b < SB_NB; b++) {
		size_t len = b + 1 < SB_NB ? SB_BAND : SB_SIZE - (SB_NB - 1) * SB_BAND;

		if (!written(b))
			continue;
		if (b % 4 == 1) { /* short: zeros past its end */
			memset(want + (size_t)b * SB_BAND + SB_SHORT, 0, len - SB_SHORT);
			len = SB_SHORT;
		}
		snprintf(p, sizeof(p), "%s/%s/bands/%x", dir, name, b);
		put_file(p, want + (size_t)b * SB_BAND, len);
	}
}

static struct apfs_dev *open_named(const char *name, int *ret)
{
	struct apfs_dev *dev = NULL;
	char p[300];

	path(p, sizeof(p), name);
	*ret = apfs_dev_open(p, &dev);
	return dev;
}

/* Every band boundary with a byte either side, then the whole image. */
static void read_all(struct apfs_dev *dev, unsigned band_size)
{
	uint8_t *buf = malloc(want_len);

	assert_non_null(buf);
	assert_int_equal(dev->size, want_len);
	for (size_t b = band_size; b < want_len; b += band_size) {
		assert_int_equal(apfs_dev_read(dev, buf, 3, b - 1), 0);
		assert_memory_equal(buf, want + b - 1, 3);
	}
	assert_int_equal(apfs_dev_read(dev, buf, want_len, 0), 0);
	assert_memory_equal(buf, want, want_len);
	assert_int_equal(apfs_dev_read(dev, buf, 2, want_len - 1), -APFS_ETRUNC);
	free(buf);
}

struct job {
	struct apfs_dev *dev;
	unsigned seed;
	int bad;
};

static void *reader(void *arg)
{
	struct job *j = arg;
	uint8_t buf[5000];

	for (int i = 0; i < 3000; i++) {
		size_t n = 1 + rand_r(&j->seed) % sizeof(buf);
		uint64_t off = rand_r(&j->seed) % (want_len - n + 1);

		if (apfs_dev_read(j->dev, buf, n, off) || memcmp(buf, want + off, n))
			j->bad++;
	}
	return NULL;
}

static void read_threads(struct apfs_dev *dev)
{
	struct job jobs[4];
	pthread_t th[4];

	for (unsigned i = 0; i < 4; i++) {
		jobs[i] = (struct job){ dev, i + 1, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, reader, &jobs[i]), 0);
	}
	for (unsigned i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(jobs[i].bad, 0);
	}
}

static void test_sparseimage(void **state)
{
	struct apfs_dev *dev;
	int ret;

	(void)state;
	write_sparseimage("a.sparseimage");
	dev = open_named("a.sparseimage", &ret);
	assert_int_equal(ret, 0);
	assert_string_equal(dev->ops->kind, "sparseimage");
	assert_non_null(strstr(dev->summary, "1666 of 2500 written"));
	read_all(dev, SI_BAND);
	read_threads(dev);
	apfs_dev_close(dev);
}

static void test_sparsebundle(void **state)
{
	struct apfs_dev *dev;
	int ret;

	(void)state;
	write_sparsebundle("a.sparsebundle", "");
	dev = open_named("a.sparsebundle", &ret);
	assert_int_equal(ret, 0);
	assert_string_equal(dev->ops->kind, "sparsebundle");
	assert_non_null(strstr(dev->summary, "133 of 200 present"));
	read_all(dev, SB_BAND);
	read_threads(dev);
	apfs_dev_close(dev);
}

static void test_sparsebundle_damage(void **state)
{
	struct apfs_dev *dev;
	uint8_t buf[8];
	char p[300];
	int ret;

	(void)state;
	write_sparsebundle("long.sparsebundle", "");
	path(p, sizeof(p), "long.sparsebundle/bands/5");
	assert_int_equal(truncate(p, SB_BAND + 1), 0);
	/* Checked when the band is opened: its neighbours read, it does not. */
	dev = open_named("long.sparsebundle", &ret);
	assert_int_equal(ret, 0);
	assert_int_equal(apfs_dev_read(dev, buf, 8, 4 * SB_BAND), 0);
	assert_int_equal(apfs_dev_read(dev, buf, 8, 5 * SB_BAND + 100), -APFS_ECORRUPT);
	assert_int_equal(apfs_dev_read(dev, buf, 2, 6 * SB_BAND - 1), -APFS_ECORRUPT);
	apfs_dev_close(dev);
	/* A FIFO in bands/ would block an open: refused when the bundle is opened. */
	write_sparsebundle("fifo.sparsebundle", "");
	path(p, sizeof(p), "fifo.sparsebundle/bands/7");
	assert_int_equal(unlink(p), 0);
	assert_int_equal(mkfifo(p, 0644), 0);
	assert_null(open_named("fifo.sparsebundle", &ret));
	assert_int_equal(ret, -APFS_ECORRUPT);
	write_sparsebundle("enc.sparsebundle", "");
	path(p, sizeof(p), "enc.sparsebundle/token");
	put_file(p, "encrcdsa\0\0\0\2", 12);  /* an encrcdsa header cut short */
	assert_null(open_named("enc.sparsebundle", &ret));
	assert_int_equal(ret, -APFS_ECORRUPT);
	path(p, sizeof(p), "plain-dir");
	mkdir(p, 0755);
	assert_null(open_named("plain-dir", &ret));
	assert_int_equal(ret, -EISDIR);
}

static int quiet(void **state)
{
	(void)state;
	apfs_log_set_level(-1);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sparseimage),
		cmocka_unit_test(test_sparsebundle),
		cmocka_unit_test(test_sparsebundle_damage),
	};
	const char *tmp = getenv("TMPDIR");
	char cmd[300];
	int ret;

	snprintf(dir, sizeof(dir), "%s/sparse.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return 1;
	ret = cmocka_run_group_tests_name("sparse images and bundles", tests, quiet, NULL);
	free(want);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		ret = 1;
	return ret;
}
