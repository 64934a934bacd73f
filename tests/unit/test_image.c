/* SPDX-License-Identifier: MIT */
/*
 * test_image.c - the image layer's own pieces: a split set of 1000-byte
 * segments (not a sector multiple) read across every boundary and from
 * several threads at once, its damage (missing, short, long segments), the
 * chain of layers, the probe table's refusals and --format, the file
 * layer's view of its bytes, the size formatter and the libyal message
 * picker.
 *
 * The expected bytes are the pattern written into the segments; the shell
 * tests (tests/cli/containers_*.sh) check the same against coreutils split,
 * ewfacquire and qemu-img.
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

#include "util/err.h"
#include "image/dev.h"
#include "image/libyal.h"

#define SEG 1000u
#define NSEG 7u
#define TOTAL (SEG * (NSEG - 1) + 333u)

static char dir[256];
static uint8_t want[TOTAL];

static void path_of(char *buf, size_t len, unsigned i)
{
	snprintf(buf, len, "%s/ev.%03u", dir, i + 1);
}

static void write_set(void)
{
	char p[300];

	for (unsigned i = 0; i < TOTAL; i++)
		want[i] = (uint8_t)(i * 7 + i / 251);
	for (unsigned i = 0; i < NSEG; i++) {
		FILE *f;
		size_t n = i + 1 < NSEG ? SEG : TOTAL - SEG * (NSEG - 1);

		path_of(p, sizeof(p), i);
		f = fopen(p, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(want + (size_t)i * SEG, 1, n, f), n);
		fclose(f);
	}
}

static struct apfs_dev *open_first(int *ret)
{
	char p[300];
	struct apfs_dev *dev = NULL;

	path_of(p, sizeof(p), 0);
	*ret = apfs_dev_open(p, &dev);
	return dev;
}

static void test_split_reads(void **state)
{
	uint8_t buf[TOTAL];
	struct apfs_dev *dev;
	const struct apfs_dev *l[4];
	int ret;

	(void)state;
	write_set();
	dev = open_first(&ret);
	assert_int_equal(ret, 0);
	assert_int_equal(dev->size, TOTAL);
	assert_string_equal(dev->ops->kind, "split raw");
	assert_int_equal(apfs_dev_chain(dev, l, 4), 1);
	assert_non_null(strstr(l[0]->summary, "7 numbered segments"));
	/* Every boundary, with a byte either side, and the whole disk at once. */
	for (unsigned b = SEG; b < TOTAL; b += SEG) {
		assert_int_equal(apfs_dev_read(dev, buf, 3, b - 1), 0);
		assert_memory_equal(buf, want + b - 1, 3);
	}
	assert_int_equal(apfs_dev_read(dev, buf, TOTAL, 0), 0);
	assert_memory_equal(buf, want, TOTAL);
	assert_int_equal(apfs_dev_read(dev, buf, 2, TOTAL - 1), -APFS_ETRUNC);
	apfs_dev_close(dev);
}

struct job {
	struct apfs_dev *dev;
	unsigned seed;
	int bad;
};

static void *reader(void *arg)
{
	struct job *j = arg;
	uint8_t buf[2500];

	for (int i = 0; i < 2000; i++) {
		size_t n = 1 + rand_r(&j->seed) % sizeof(buf);
		uint64_t off = rand_r(&j->seed) % (TOTAL - n + 1);

		if (apfs_dev_read(j->dev, buf, n, off) || memcmp(buf, want + off, n))
			j->bad++;
	}
	return NULL;
}

static void test_split_threads(void **state)
{
	struct job jobs[4];
	pthread_t th[4];
	int ret;
	struct apfs_dev *dev;

	(void)state;
	write_set();
	dev = open_first(&ret);
	assert_int_equal(ret, 0);
	for (unsigned i = 0; i < 4; i++) {
		jobs[i] = (struct job){ dev, i + 1, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, reader, &jobs[i]), 0);
	}
	for (unsigned i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(jobs[i].bad, 0);
	}
	apfs_dev_close(dev);
}

static void test_split_damage(void **state)
{
	char p[300];
	FILE *f;
	int ret;

	(void)state;
	write_set();
	path_of(p, sizeof(p), 3);
	assert_int_equal(truncate(p, SEG - 1), 0);      /* short middle segment */
	assert_null(open_first(&ret));
	assert_int_equal(ret, -APFS_ECORRUPT);
	f = fopen(p, "ab");                             /* one byte too long */
	assert_non_null(f);
	fputs("xy", f);
	fclose(f);
	assert_null(open_first(&ret));
	assert_int_equal(ret, -APFS_ECORRUPT);
	assert_int_equal(unlink(p), 0);                 /* missing: ev.005 exists */
	assert_null(open_first(&ret));
	assert_int_equal(ret, -APFS_ECORRUPT);
	write_set();
	path_of(p, sizeof(p), NSEG - 1);                /* last longer than the first */
	assert_int_equal(truncate(p, SEG + 1), 0);
	assert_null(open_first(&ret));
	assert_int_equal(ret, -APFS_ECORRUPT);
}

static void write_file(const char *name, const void *head, size_t hlen, size_t size)
{
	char p[300];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "wb");
	assert_non_null(f);
	fwrite(head, 1, hlen, f);
	fclose(f);
	assert_int_equal(truncate(p, (off_t)size), 0);
}

static int open_named(const char *name, const char *format)
{
	char p[300];
	struct apfs_dev *dev = NULL;
	int ret;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	ret = apfs_dev_open_format(p, format, &dev);
	apfs_dev_close(dev);
	return ret;
}

/* Signatures from each format's description (image/refuse.c names them). */
static void test_refusals(void **state)
{
	(void)state;
	write_file("a.Ex01", "EVF2\r\n\x81\0", 8, 8192);
	assert_int_equal(open_named("a.Ex01", NULL), -ENOTSUP);
	write_file("a.L01", "LVF\t\r\n\xff\0", 8, 8192);
	assert_int_equal(open_named("a.L01", NULL), -ENOTSUP);
	write_file("a.aff4", "PK\3\4\0\0\0\0information.turtle", 26, 8192);
	assert_int_equal(open_named("a.aff4", NULL), -ENOTSUP);
	write_file("a.dmg", "encrcdsa\0\0\0\7", 12, 8192);
	assert_int_equal(open_named("a.dmg", NULL), -ENOTSUP);
	write_file("plain.img", "", 0, 8192);
	assert_int_equal(open_named("plain.img", NULL), 0);
	assert_int_equal(open_named("plain.img", "raw"), 0);
	assert_int_equal(open_named("plain.img", "qcow2"), -APFS_ECORRUPT);
	assert_int_equal(open_named("plain.img", "no-such-format"), -EINVAL);
	/* A forced raw reads a refused container as bytes, as asked. */
	assert_int_equal(open_named("a.Ex01", "raw"), 0);
}

/* len bytes of data at off in the file name (written by write_file). */
static void write_at(const char *name, uint64_t off, const void *data, size_t len)
{
	char p[300];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "r+b");
	assert_non_null(f);
	assert_int_equal(fseeko(f, (off_t)off, SEEK_SET), 0);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/*
 * What refuse.c finds at the end of a file: an AFF4 volume URN in a ZIP's
 * last 64 KiB (its comment) but not before them, a cdsaencr trailer (a
 * version 1 encrypted image) after a ZIP's head or any other; and a file
 * shorter than the trailer is read as raw.
 */
static void test_refusal_tails(void **state)
{
	(void)state;
	write_file("t.aff4", "PK\3\4", 4, 200000);
	write_at("t.aff4", 200000 - 100, "aff4://", 7);
	assert_int_equal(open_named("t.aff4", NULL), -ENOTSUP);
	write_file("t.zip", "PK\3\4", 4, 200000);
	write_at("t.zip", 100000, "aff4://", 7); /* past the head, before the last 64 KiB */
	assert_int_equal(open_named("t.zip", NULL), 0);
	write_file("t1.dmg", "PK\3\4", 4, 200000);
	write_at("t1.dmg", 200000 - 8, "cdsaencr", 8);
	assert_int_equal(open_named("t1.dmg", NULL), -ENOTSUP);
	write_file("t2.dmg", "", 0, 8192);
	write_at("t2.dmg", 8192 - 8, "cdsaencr", 8);
	assert_int_equal(open_named("t2.dmg", NULL), -ENOTSUP);
	write_file("t2.img", "", 0, 8192);
	write_at("t2.img", 8192 - 9, "cdsaencr", 8); /* not the last 8 bytes */
	assert_int_equal(open_named("t2.img", NULL), 0);
	write_file("tiny.img", "cdsa", 4, 4);
	assert_int_equal(open_named("tiny.img", NULL), 0);
}

/*
 * The file layer's view (what the decrypting layer reads from): the bytes
 * of the file at the offset asked, nothing outside the device, and no view
 * (so a read, and its error) of pages the file no longer has: touching
 * those would raise SIGBUS.
 */
static void test_file_view(void **state)
{
	uint8_t pat[3 * 4096];
	struct apfs_dev *dev = NULL;
	const uint8_t *v;
	void *hold;
	char p[300];

	(void)state;
	for (size_t i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i * 7 + i / 4096);
	write_file("view.img", pat, sizeof(pat), sizeof(pat));
	snprintf(p, sizeof(p), "%s/view.img", dir);
	assert_int_equal(apfs_dev_open_format(p, "raw", &dev), 0);
	v = apfs_dev_view(dev, 5000, 4097, &hold);
	if (!v) {
		apfs_dev_close(dev);
		skip(); /* a kernel without MADV_POPULATE_READ: reads only */
	}
	assert_memory_equal(v, pat + 4097, 5000);
	apfs_dev_unview(dev, hold);
	assert_null(apfs_dev_view(dev, 2, sizeof(pat) - 1, &hold));
	assert_int_equal(truncate(p, 4096), 0);   /* shrinks while open */
	assert_null(apfs_dev_view(dev, 100, 5000, &hold));
	assert_non_null(apfs_dev_view(dev, 100, 100, &hold));
	assert_int_equal(apfs_dev_read(dev, pat, 100, 5000), -EIO);
	apfs_dev_close(dev);
}

static void test_helpers(void **state)
{
	char buf[64];
	char bt[] = "libcdata_array_get_entry_by_index: invalid entry index value out of bounds.\n"
		    "libqcow_internal_file_get_cluster_block_offset: unable to retrieve level2 "
		    "table at offset: 0x09400000.\n"
		    "libqcow_file_read_buffer_at_offset: unable to read buffer.";
	char one[] = "libfdata_x: only helper frames";
	char own[] = "libqcow_open: invalid level1 table size value out of bounds.\n"
		     "libqcow_file_open: unable to open file: q.qcow2.";

	(void)state;
	apfs_fmt_size(512, buf, sizeof(buf));
	assert_string_equal(buf, "512 B");
	apfs_fmt_size(3ull << 30, buf, sizeof(buf));
	assert_string_equal(buf, "3.0 GiB");
	apfs_fmt_size(1536, buf, sizeof(buf));
	assert_string_equal(buf, "1.5 KiB");
	yal_message(bt, "libqcow_");
	assert_string_equal(bt, "invalid entry index value out of bounds (unable to retrieve "
				"level2 table at offset: 0x09400000)");
	yal_message(one, "libqcow_");
	assert_string_equal(one, "only helper frames");
	yal_message(own, "libqcow_");
	assert_string_equal(own, "invalid level1 table size value out of bounds");
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
		cmocka_unit_test(test_split_reads),
		cmocka_unit_test(test_split_threads),
		cmocka_unit_test(test_split_damage),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_refusal_tails),
		cmocka_unit_test(test_file_view),
		cmocka_unit_test(test_helpers),
	};
	const char *tmp = getenv("TMPDIR");
	char cmd[300];
	int ret;

	snprintf(dir, sizeof(dir), "%s/image.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return 1;
	ret = cmocka_run_group_tests_name("image layer", tests, quiet, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		ret = 1;
	return ret;
}
