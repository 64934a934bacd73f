/* SPDX-License-Identifier: MIT */
/*
 * test_libfsapi.c - the public calls the FUSE mount needs beside the
 * directory iterator (include/apfsinspect.h): apfsi_fs_readdir from a
 * resume cookie and apfsi_fs_usage.  The root of `basic` holds what
 * testdata/README.md lists ("The small tree" and the hard link); a resume
 * from any entry's cookie must give exactly the entries after it; a
 * callback's stop value comes back.  statfs's figures: the container's
 * blocks (apfsi_container_info), free blocks below them, objects the
 * superblock's counts, and the Mac's root of `macos-boot` counting its
 * Data volume's objects too.
 */
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "apfsinspect.h"

#include "libtest_fs.h"

static int setup(void **state)
{
	(void)state;
	return scratch_setup("libfsapi", "basic basic.img", "macos-boot mb.img", NULL);
}

#define MAXE 64

struct names {
	char name[MAXE][256];
	uint64_t cookie[MAXE];
	unsigned n;
	unsigned stop_after;  /* 0: never stop */
};

static int collect(const struct apfsi_dirent *e, void *arg)
{
	struct names *nm = arg;

	assert_true(nm->n < MAXE);
	assert_null(e->st);
	assert_true(e->cookie != 0 && e->cookie < (UINT64_C(1) << 63));
	snprintf(nm->name[nm->n], sizeof(nm->name[0]), "%s", e->name);
	nm->cookie[nm->n++] = e->cookie;
	return nm->stop_after && nm->n == nm->stop_after ? 77 : 0;
}

static bool has(const struct names *nm, const char *name)
{
	for (unsigned i = 0; i < nm->n; i++)
		if (!strcmp(nm->name[i], name))
			return true;
	return false;
}

static void test_readdir_root(void **state)
{
	static const char *const want[] = { "hello.txt", "dir", "empty.txt", "link", "Café.txt",
					    "multi.bin", "hardlink-a.txt" };
	static struct names all;
	apfsi_image *im;
	apfsi_fs *fs;

	(void)state;
	open_fs("basic.img", NULL, 0, &im, &fs);
	memset(&all, 0, sizeof(all));
	assert_int_equal(apfsi_fs_readdir(fs, APFSI_ROOT_INO, 0, collect, &all), APFSI_OK);
	assert_int_equal(all.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_true(has(&all, want[i]));
	/* From each entry's cookie: exactly the entries after it, in the same order. */
	for (unsigned i = 0; i < all.n; i++) {
		static struct names rest;

		memset(&rest, 0, sizeof(rest));
		assert_int_equal(apfsi_fs_readdir(fs, APFSI_ROOT_INO, all.cookie[i], collect, &rest),
				 APFSI_OK);
		assert_int_equal(rest.n, all.n - i - 1);
		for (unsigned j = 0; j < rest.n; j++)
			assert_string_equal(rest.name[j], all.name[i + 1 + j]);
	}
	apfsi_fs_close(fs);
	apfsi_image_close(im);
}

static void test_readdir_stop_and_errors(void **state)
{
	static struct names part;
	struct apfsi_stat st;
	apfsi_image *im;
	apfsi_fs *fs;

	(void)state;
	open_fs("basic.img", NULL, 0, &im, &fs);
	memset(&part, 0, sizeof(part));
	part.stop_after = 2;
	assert_int_equal(apfsi_fs_readdir(fs, APFSI_ROOT_INO, 0, collect, &part), 77);
	assert_int_equal(part.n, 2);
	assert_int_equal(apfsi_fs_readdir(NULL, APFSI_ROOT_INO, 0, collect, &part),
			 APFSI_ERR_INVALID);
	assert_int_equal(apfsi_fs_readdir(fs, APFSI_ROOT_INO, 0, NULL, NULL), APFSI_ERR_INVALID);
	/* /dir: nested.txt, sub, hardlink-b.txt */
	assert_int_equal(apfsi_fs_stat_path(fs, "/dir", &st), APFSI_OK);
	memset(&part, 0, sizeof(part));
	assert_int_equal(apfsi_fs_readdir(fs, st.ino, 0, collect, &part), APFSI_OK);
	assert_int_equal(part.n, 3);
	assert_true(has(&part, "nested.txt") && has(&part, "sub") && has(&part, "hardlink-b.txt"));
	apfsi_fs_close(fs);
	apfsi_image_close(im);
}

static uint64_t objects_of(apfsi_image *im, const char *sel)
{
	struct apfsi_volume_info vi;
	apfsi_volume *vol;

	assert_int_equal(apfsi_image_select_volume(im, sel, &vol), APFSI_OK);
	assert_int_equal(apfsi_volume_info(vol, &vi), APFSI_OK);
	return vi.files + vi.directories + vi.symlinks;
}

static void test_usage(void **state)
{
	struct apfsi_container_info ci;
	struct apfsi_fs_usage u;
	apfsi_image *im;
	apfsi_fs *fs;

	(void)state;
	open_fs("basic.img", NULL, 0, &im, &fs);
	assert_int_equal(apfsi_fs_usage(fs, &u), APFSI_OK);
	assert_int_equal(apfsi_container_info(im, 0, &ci), APFSI_OK);
	assert_int_equal(u.block_size, ci.block_size);
	assert_int_equal(u.blocks, ci.block_count);
	assert_int_equal(u.blocks * u.block_size, 16u << 20);  /* "16 MiB container" */
	assert_true(u.free_blocks > 0 && u.free_blocks < u.blocks);
	assert_int_equal(u.objects, objects_of(im, NULL));
	assert_int_equal(apfsi_fs_usage(fs, NULL), APFSI_ERR_INVALID);
	assert_int_equal(apfsi_fs_usage(NULL, &u), APFSI_ERR_INVALID);
	apfsi_fs_close(fs);
	apfsi_image_close(im);
}

/* The Mac's root counts System's and Data's objects; System alone its own. */
static void test_usage_group(void **state)
{
	struct apfsi_fs_usage merged, alone;
	apfsi_image *im;
	apfsi_fs *fs;

	(void)state;
	open_fs("mb.img", "group", 0, &im, &fs);
	assert_int_equal(apfsi_fs_usage(fs, &merged), APFSI_OK);
	apfsi_fs_close(fs);
	apfsi_image_close(im);
	open_fs("mb.img", "System", APFSI_FS_NO_FIRMLINKS, &im, &fs);
	assert_int_equal(apfsi_fs_usage(fs, &alone), APFSI_OK);
	assert_int_equal(alone.objects, objects_of(im, "System"));
	assert_int_equal(merged.objects, objects_of(im, "System") + objects_of(im, "Data"));
	assert_true(objects_of(im, "Data") > 0);
	assert_int_equal(merged.free_blocks, alone.free_blocks);
	apfsi_fs_close(fs);
	apfsi_image_close(im);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readdir_root),
		cmocka_unit_test(test_readdir_stop_and_errors),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_usage_group),
	};

	return cmocka_run_group_tests(tests, setup, scratch_teardown);
}
