/* SPDX-License-Identifier: MIT */
/*
 * test_lookup_memo.c - what a lookup's miss remembers (apfs/fs_dir.c).  A
 * miss is held to the directory's inode count by a walk of its records;
 * the walk is made once per directory, whether found whole or short.  Seen
 * here as blocks read from the image: the container's cache is cut to four
 * blocks, so a walk's leaves come from the image each time, and a second
 * miss must read far fewer blocks than the first.
 *
 * The image is tests/cli/fs_leaf_lost.sh's: `mkimage scale --entries 60000
 * --per-dir 3000 --unencrypted`, with the last record of the index node
 * above /d00016's second leaf dropped (tests/tools/index_slots.py), so that
 * /d00017 (inode 33; 3,000 entries counted, the generator's) has fewer
 * records, and /d00016 (inode 32) stays whole; and a byte of /d00010's
 * (inode 26) second leaf flipped (its checksum fails), so that a walk of
 * its records cannot read them all.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "apfs/apfs.h"
#include "apfs/cache.h"
#include "apfs/fs.h"
#include "image/dev.h"
#include "libtest.h"
#include "testutil.h"

static struct apfs_dev *dev;
static struct apfs_container *ctr;
static struct apfs_volume *vol;
static struct apfs_fs *fs;

static struct apfs_dev_ops counting;
static const struct apfs_dev_ops *plain;
static atomic_ulong reads;

static int count_read(struct apfs_dev *d, void *buf, size_t len, uint64_t off)
{
	atomic_fetch_add(&reads, 1);
	return plain->read(d, buf, len, off);
}

static int setup(void **state)
{
	(void)state;
	if (scratch_setup("lookup-memo", "scale tr.img --entries 60000 --per-dir 3000 --unencrypted",
			  NULL))
		return -1;
	if (sh("cd '%s' && T=\"$TESTS/tools\" && python3 \"$T/dir_leaf.py\" tr.img d00016 > dl && "
	       "L=$(python3 \"$T/index_slots.py\" tr.img \"above:$(head -1 dl)\" swap:0:0 | "
	       "tail -1 | cut -d: -f1) && python3 \"$T/index_slots.py\" tr.img "
	       "\"above:$(head -1 dl)\" \"nkeys:$L:0\" > /dev/null && "
	       "B=$(python3 \"$T/dir_leaf.py\" tr.img d00010 | head -1) && "
	       "printf '\\377' | dd of=tr.img bs=1 seek=$((B * 4096 + 2000)) conv=notrunc "
	       "status=none", scratch_dir))
		return -1;
	if (apfs_dev_open(img_path("tr.img"), &dev) ||
	    apfs_container_open(dev, 0, dev->size, 0, &ctr))
		return -1;
	apfs_cache_free(ctr->cache);
	if (apfs_cache_new(ctr->block_size, 4 * ctr->block_size, &ctr->cache))
		return -1;
	plain = dev->ops;
	counting = *plain;
	counting.read = count_read;
	dev->ops = &counting;
	return apfs_volume_open(ctr, 0, &vol) || apfs_fs_open(vol, 0, &fs) ? -1 : 0;
}

static int teardown(void **state)
{
	apfs_fs_close(fs);
	apfs_volume_close(vol);
	apfs_container_close(ctr);
	dev->ops = plain;
	apfs_dev_close(dev);
	return scratch_teardown(state);
}

/* The blocks read by a lookup of name in dir; *ret its result. */
static unsigned long lookup_reads(uint64_t dir, const char *name, int *ret)
{
	struct apfs_dirent d;
	unsigned long before = atomic_load(&reads);

	log_capture();
	*ret = apfs_fs_lookup_name(fs, dir, name, &d);
	log_release();
	return atomic_load(&reads) - before;
}

/*
 * Two misses in dir, each answered want: the blocks each read in *first
 * and *second.  The first walks dir's records, 2,923 to 3,000 of them at
 * some 70 a leaf (names of 13 bytes): some 40 leaves.
 */
static void two_misses(uint64_t dir, int want, unsigned long *first, unsigned long *second)
{
	int ret;

	*first = lookup_reads(dir, "f00099999.txt", &ret);
	assert_int_equal(ret, want);
	*second = lookup_reads(dir, "f00099998.txt", &ret);
	assert_int_equal(ret, want);
	assert_true(*first >= 30);
}

/* A name never held, in a directory found short: the walk once, then the counts remembered. */
static void test_miss_in_short_dir_walks_once(void **state)
{
	unsigned long first, second;

	(void)state;
	two_misses(33, -APFS_EINCOMPLETE, &first, &second);
	expect_log("directory 33 holds no entry of that name, but its inode counts 3000 entries");
	assert_true(second * 8 < first);
}

/* The same in a directory found whole: no such file, the walk once. */
static void test_miss_in_whole_dir_walks_once(void **state)
{
	unsigned long first, second;

	(void)state;
	two_misses(32, -ENOENT, &first, &second);
	assert_true(second * 8 < first);
}

/*
 * A directory whose walk cannot read all its records (a leaf damaged): the
 * miss stands, and is not remembered (found in review: a walk failed by an
 * error such as no memory was remembered as whole for good).
 */
static void test_miss_in_unread_dir_not_remembered(void **state)
{
	unsigned long first, second;

	(void)state;
	two_misses(26, -ENOENT, &first, &second);
	assert_true(second * 2 > first);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_miss_in_short_dir_walks_once),
		cmocka_unit_test(test_miss_in_whole_dir_walks_once),
		cmocka_unit_test(test_miss_in_unread_dir_not_remembered),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
