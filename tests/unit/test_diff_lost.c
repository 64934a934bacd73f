/* SPDX-License-Identifier: MIT */
/*
 * test_diff_lost.c - why a view that lacks an inode may have lost it
 * (apfs/fs_diff_lost.c dscan_lost_why), on scans built by hand: the shapes
 * no image here gives.  A chain of directories the view lacks, many levels
 * deep, answers from the first one it holds; parents that loop in the view
 * that holds them end with no answer instead of a hang; each inode is asked
 * once (its answer kept), in whichever order the lines come.  Found in
 * review: neither a loop nor more than one level up was tested.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "apfs/fs_diff_int.h"

#define MAXI 64

/* A scan of the inodes given as (oid, parent, mode, nlink, nent), in oid order. */
struct fake {
	struct dscan s;
	struct dscan_ino ino[MAXI];
	struct dscan_drec unheld[4];
	uint64_t nodir[4];
};

static void add(struct fake *f, uint64_t oid, uint64_t parent, uint16_t mode, uint32_t nlink,
		uint64_t nent)
{
	assert_true(f->s.nino < MAXI);
	f->ino[f->s.nino++] = (struct dscan_ino){ .oid = oid, .parent = parent, .mode = mode,
						  .nlink = nlink, .nent = nent };
	f->s.ino = f->ino;
}

static void name_unheld(struct fake *f, uint64_t child, uint64_t parent)
{
	f->unheld[f->s.nunheld++] = (struct dscan_drec){ child, parent, 0 };
	f->s.unheld = f->unheld;
}

static enum apfs_diff_lost why(struct fake *o, struct fake *h, uint64_t oid)
{
	struct dscan_ino *in = dscan_ino_find(&h->s, oid);

	assert_non_null(in);
	return dscan_lost_why(&o->s, &h->s, in);
}

/*
 * h: root 2 > /a (16) > /a/b (17) > ... > 16+k: a chain of 40 directories
 * and a file at its end; o holds the root, and /a short (or sound): the
 * file answers for /a, 40 levels up, and every directory on the way.
 */
static void test_deep_chain(void **state)
{
	static struct fake o, h;
	uint64_t file = 16 + 40;

	(void)state;
	memset(&o, 0, sizeof(o));
	memset(&h, 0, sizeof(h));
	add(&h, 2, 1, S_IFDIR, 1, 1);
	for (uint64_t d = 16; d < file; d++)
		add(&h, d, d == 16 ? 2 : d - 1, S_IFDIR, 1, 1);
	add(&h, file, file - 1, S_IFREG, 1, 0);
	add(&o, 2, 1, S_IFDIR, 1, 0);  /* counts /a, holds none of its entries: short */
	assert_int_equal(why(&o, &h, file), APFS_DIFF_LOST_ABOVE);
	assert_int_equal(why(&o, &h, 16), APFS_DIFF_LOST_ENTRY);
	assert_int_equal(why(&o, &h, 30), APFS_DIFF_LOST_ABOVE);
	/* the root sound: nothing says any of them was lost */
	memset(&h.ino, 0, sizeof(h.ino));
	memset(&h.s, 0, sizeof(h.s));
	add(&h, 2, 1, S_IFDIR, 1, 1);
	for (uint64_t d = 16; d < file; d++)
		add(&h, d, d == 16 ? 2 : d - 1, S_IFDIR, 1, 1);
	add(&h, file, file - 1, S_IFREG, 1, 0);
	o.ino[0].nent = 1;
	assert_int_equal(why(&o, &h, 30), APFS_DIFF_LOST_NONE);
	assert_int_equal(why(&o, &h, file), APFS_DIFF_LOST_NONE);
}

/* Parents that loop in h, none of them in o: no answer, and no hang. */
static void test_parent_loop(void **state)
{
	static struct fake o, h;

	(void)state;
	memset(&o, 0, sizeof(o));
	memset(&h, 0, sizeof(h));
	add(&h, 16, 17, S_IFDIR, 1, 1);
	add(&h, 17, 18, S_IFDIR, 1, 1);
	add(&h, 18, 16, S_IFDIR, 1, 1);
	add(&h, 19, 19, S_IFREG, 1, 0);  /* its own parent */
	add(&h, 20, 18, S_IFREG, 1, 0);
	add(&o, 2, 1, S_IFDIR, 5, 0);    /* short, but no chain reaches it */
	assert_int_equal(why(&o, &h, 20), APFS_DIFF_LOST_NONE);
	assert_int_equal(why(&o, &h, 16), APFS_DIFF_LOST_NONE);
	assert_int_equal(why(&o, &h, 19), APFS_DIFF_LOST_NONE);
}

/*
 * The signs o itself gives: an entry naming the inode; the root and the
 * private directory, which every tree holds; a directory's entries without
 * its inode (the directory lost, not its entries); a parent that is a file
 * (its link count is no count of entries).  Asked in either order (each
 * answer kept for the next), the answers are the same.
 */
static void signs_scans(struct fake *o, struct fake *h)
{
	memset(o, 0, sizeof(*o));
	memset(h, 0, sizeof(*h));
	add(h, 2, 1, S_IFDIR, 2, 2);
	add(h, 3, 1, S_IFDIR, 0, 0);
	add(h, 16, 2, S_IFDIR, 2, 2);
	add(h, 17, 16, S_IFREG, 1, 0);
	add(h, 18, 16, S_IFREG, 1, 0);
	add(h, 19, 21, S_IFREG, 1, 0);
	add(h, 20, 22, S_IFREG, 1, 0);
	add(o, 21, 2, S_IFREG, 3, 0);   /* h's parent of 19 is a file in o */
	name_unheld(o, 18, 16);
	o->nodir[o->s.nnodir++] = 22;   /* entries of 22 held, its inode not */
	o->s.nodir = o->nodir;
}

static void test_signs(void **state)
{
	static const struct { uint64_t oid; enum apfs_diff_lost want; } q[] = {
		{ 17, APFS_DIFF_LOST_ABOVE },  /* /a (16) lacking, and the root above it */
		{ 18, APFS_DIFF_LOST_INODE },  /* its entry held */
		{ 2, APFS_DIFF_LOST_INODE },   /* every tree holds the root */
		{ 3, APFS_DIFF_LOST_INODE },   /* and the private directory */
		{ 16, APFS_DIFF_LOST_ABOVE },
		{ 19, APFS_DIFF_LOST_NONE },   /* a file's link count is no count of entries */
		{ 20, APFS_DIFF_LOST_ABOVE },  /* its directory's entries held, its inode not */
	};
	static struct fake o, h;
	const size_t n = sizeof(q) / sizeof(q[0]);

	(void)state;
	signs_scans(&o, &h);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(why(&o, &h, q[i].oid), q[i].want);
	signs_scans(&o, &h);
	for (size_t i = n; i-- > 0;)
		assert_int_equal(why(&o, &h, q[i].oid), q[i].want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deep_chain),
		cmocka_unit_test(test_parent_loop),
		cmocka_unit_test(test_signs),
	};

	/* a walk that loops fails here in seconds, not at the runner's timeout */
	alarm(30);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
