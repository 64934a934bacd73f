/* SPDX-License-Identifier: MIT */
/*
 * test_sparsebundle_plist.c - the bounds of a sparse bundle's Info.plist
 * (image/sparsebundle_plist.c) at their edges: band-size in whole 512-byte
 * sectors from 512 bytes to 1 GiB, size from 1 byte to 64 PiB, the file at
 * most 1 MiB, its nesting and values bounded before libplist reads it.
 * The keys are those of docs/containers.md §2 (hdiutil's Info.plist).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/err.h"
#include "image/dev.h"
#include "image/probe.h"
#include "image/sparsebundle.h"
#include "testutil.h"

static char dir[256];

static int setup(void **state)
{
	const char *t = getenv("TMPDIR");

	(void)state;
	snprintf(dir, sizeof(dir), "%s/sbplist.XXXXXX", t ? t : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char p[300];

	(void)state;
	for (int b = 0; b < 3; b++) {
		snprintf(p, sizeof(p), "%s/bands/%x", dir, b);
		unlink(p);
	}
	snprintf(p, sizeof(p), "%s/bands", dir);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/Info.plist", dir);
	unlink(p);
	return rmdir(dir);
}

static void put(const char *text, size_t len)
{
	char p[300];
	FILE *f;

	snprintf(p, sizeof(p), "%s/Info.plist", dir);
	f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

/* An Info.plist of band_size and size, padded with spaces to pad bytes (0: none). */
static void plist(unsigned long long band_size, unsigned long long size, size_t pad)
{
	static char b[(1 << 20) + 2];
	int n = snprintf(b, sizeof(b),
			 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict>"
			 "<key>diskimage-bundle-type</key>"
			 "<string>com.apple.diskimage.sparsebundle</string>"
			 "<key>band-size</key><integer>%llu</integer>"
			 "<key>size</key><integer>%llu</integer></dict></plist>\n", band_size, size);

	assert_true(n > 0 && (size_t)n <= (pad ? pad : sizeof(b)));
	if (pad) {
		memset(b + n, ' ', pad - (size_t)n);
		n = (int)pad;
	}
	put(b, (size_t)n);
}

/* bundle_info's result; its message compared when msg is given. */
static int info(const char *msg, struct bundle_info *bi)
{
	char type[160];
	int ret;

	log_capture();
	ret = bundle_info(dir, bi, type, sizeof(type));
	log_release();
	if (msg)
		expect_log(msg);
	return ret;
}

static void band(unsigned long long bs, bool ok)
{
	struct bundle_info bi;
	char msg[160];

	plist(bs, 1 << 20, 0);
	snprintf(msg, sizeof(msg), "band-size %llu (want 512 bytes .. 1 GiB", bs);
	assert_int_equal(info(ok ? NULL : msg, &bi), ok ? 1 : -APFS_ECORRUPT);
	if (ok)
		assert_int_equal(bi.band_size, bs);
}

static void test_band_size(void **state)
{
	(void)state;
	band(512, true);
	band(511, false);
	band(0, false);
	band(1024, true);
	band(1000, false);
	band(1ull << 30, true);
	band((1ull << 30) + 512, false);
}

static void total(unsigned long long sz, bool ok)
{
	struct bundle_info bi;
	char msg[160];

	plist(1 << 20, sz, 0);
	snprintf(msg, sizeof(msg), "size %llu (want 1 byte .. 64 PiB)", sz);
	assert_int_equal(info(ok ? NULL : msg, &bi), ok ? 1 : -APFS_ECORRUPT);
	if (ok)
		assert_int_equal(bi.size, sz);
}

static void test_size(void **state)
{
	(void)state;
	total(1, true);
	total(0, false);
	total(1ull << 56, true);
	total((1ull << 56) + 1, false);
}

static void test_file_size(void **state)
{
	struct bundle_info bi;

	(void)state;
	plist(4096, 8192, 1 << 20);
	assert_int_equal(info(NULL, &bi), 1);
	plist(4096, 8192, (1 << 20) + 1);
	assert_int_equal(info("sparsebundle Info.plist cannot be read: File too large", &bi),
			 -EFBIG);
}

/* Nesting: 8 containers deep is read (then lacks its keys), 9 are refused unread. */
static void nest(unsigned depth, const char *msg)
{
	char b[1024];
	struct bundle_info bi;
	size_t n = (size_t)sprintf(b, "<plist version=\"1.0\"><dict><key>diskimage-bundle-type"
				    "</key><string>com.apple.diskimage.sparsebundle</string>"
				    "<key>x</key>");

	for (unsigned i = 1; i < depth; i++)
		n += (size_t)sprintf(b + n, "<array>");
	for (unsigned i = 1; i < depth; i++)
		n += (size_t)sprintf(b + n, "</array>");
	n += (size_t)sprintf(b + n, "</dict></plist>");
	put(b, n);
	assert_int_equal(info(msg, &bi), -APFS_ECORRUPT);
}

static void test_nesting(void **state)
{
	(void)state;
	nest(8, "sparsebundle Info.plist has no integer band-size");
	nest(9, "Info.plist is not a property list dictionary (refused before parsing: arrays "
	     "or dictionaries nested too deep)");
}

/* Band files 0 .. nbands - 1 are the bundle's; one named nbands is past its size, ignored. */
static void test_bands_past_size(void **state)
{
	struct apfs_dev *dev = NULL;
	char p[300];
	FILE *f;
	int ret;

	(void)state;
	plist(4096, 8192, 0);  /* 2 bands */
	snprintf(p, sizeof(p), "%s/bands", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	for (int b = 0; b < 3; b++) {
		snprintf(p, sizeof(p), "%s/bands/%x", dir, b);
		f = fopen(p, "wb");
		assert_non_null(f);
		fclose(f);
		if (b == 1) {  /* bands 0 and 1: the bundle's own, nothing said */
			log_capture();
			ret = apfs_sparsebundle_open(dir, &dev);
			log_release();
			assert_int_equal(ret, 1);
			apfs_dev_close(dev);
			assert_string_equal(log_last(), "");
		}
	}
	log_capture();
	ret = apfs_sparsebundle_open(dir, &dev);
	log_release();
	assert_int_equal(ret, 1);
	apfs_dev_close(dev);
	expect_log("sparsebundle: 1 band files past the size in Info.plist, ignored");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_band_size),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_file_size),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_bands_past_size),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
