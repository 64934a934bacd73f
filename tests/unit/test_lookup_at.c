/* SPDX-License-Identifier: MIT */
/*
 * test_lookup_at.c - apfsi_fs_lookup_at, one name in a directory given by
 * inode number (what the FUSE mount's lookup asks).  Expected values from
 * testdata/README.md: `basic` holds the small tree (case-insensitive:
 * "HELLO.TXT" finds hello.txt, named as stored) and one file under two
 * names, /hardlink-a.txt and /dir/hardlink-b.txt; `macos-boot`'s merged
 * root has /usr/share/firmlinks on System and /Users firmlinked into the
 * Data volume, which is locked when no credential is given; `dir-cycle`'s
 * /a/b/up1 names /a (inode 16) and /c/alias names /a/b (17), entries that
 * are not those directories' own.  Each answer must be the one the path
 * lookup gives; apfsi_fs_dir_entered, its rule for an entry a walk has
 * read, must pass and refuse as it does.
 */
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "apfsinspect.h"

#include "libtest_fs.h"

static int setup(void **state)
{
	(void)state;
	return scratch_setup("lookupat", "basic basic.img", "macos-boot mb.img",
			     "macos-boot mbu.img --unencrypted", "dir-cycle cyc.img", NULL);
}

/* The inode number of path (apfsi_fs_lookup, the path walk). */
static uint64_t ino_of(apfsi_fs *fs, const char *path)
{
	struct apfsi_dirent d;
	char name[256];

	assert_int_equal(apfsi_fs_lookup(fs, path, &d, name, sizeof(name)), APFSI_OK);
	return d.ino;
}

/* Name in dir: its inode; the type and the name as stored checked. */
static uint64_t step(apfsi_fs *fs, uint64_t dir, const char *name, enum apfsi_file_type type,
		     const char *stored)
{
	struct apfsi_dirent d;
	char buf[256];

	assert_int_equal(apfsi_fs_lookup_at(fs, dir, name, &d, buf, sizeof(buf)), APFSI_OK);
	assert_int_equal(d.type, type);
	assert_string_equal(d.name, stored);
	assert_ptr_equal(d.name, buf);
	return d.ino;
}

static void test_small_tree(void **state)
{
	apfsi_image *im;
	apfsi_fs *fs;
	uint64_t dir, sub;

	(void)state;
	open_fs("basic.img", "Basic", 0, &im, &fs);
	assert_true(step(fs, APFSI_ROOT_INO, "hello.txt", APFSI_TYPE_FILE, "hello.txt") ==
		    ino_of(fs, "/hello.txt"));
	assert_true(step(fs, APFSI_ROOT_INO, "HELLO.TXT", APFSI_TYPE_FILE, "hello.txt") ==
		    ino_of(fs, "/hello.txt"));
	assert_true(step(fs, APFSI_ROOT_INO, "link", APFSI_TYPE_SYMLINK, "link") ==
		    ino_of(fs, "/link"));
	dir = step(fs, APFSI_ROOT_INO, "dir", APFSI_TYPE_DIR, "dir");
	assert_true(dir == ino_of(fs, "/dir"));
	sub = step(fs, dir, "sub", APFSI_TYPE_DIR, "sub");
	assert_true(step(fs, sub, "deep.txt", APFSI_TYPE_FILE, "deep.txt") ==
		    ino_of(fs, "/dir/sub/deep.txt"));
	/* one file, two names: one inode */
	assert_true(step(fs, dir, "hardlink-b.txt", APFSI_TYPE_FILE, "hardlink-b.txt") ==
		    step(fs, APFSI_ROOT_INO, "hardlink-a.txt", APFSI_TYPE_FILE, "hardlink-a.txt"));
	apfsi_fs_close(fs);
	apfsi_image_close(im);
}

static void test_errors(void **state)
{
	struct apfsi_dirent d;
	apfsi_image *im;
	apfsi_fs *fs;
	char buf[256];
	uint64_t hello;

	(void)state;
	open_fs("basic.img", "Basic", 0, &im, &fs);
	hello = ino_of(fs, "/hello.txt");
	assert_int_equal(apfsi_fs_lookup_at(fs, hello, "x", &d, buf, sizeof(buf)),
			 APFSI_ERR_NOT_DIR);
	assert_int_equal(apfsi_fs_lookup_at(fs, APFSI_ROOT_INO, "none.txt", &d, buf, sizeof(buf)),
			 APFSI_ERR_NOT_FOUND);
	assert_int_equal(apfsi_fs_lookup_at(fs, APFSI_ROOT_INO, "hello.txt", &d, buf, 9),
			 APFSI_ERR_NAME_TOO_LONG);
	assert_int_equal(apfsi_fs_lookup_at(fs, APFSI_ROOT_INO, "hello.txt", &d, buf, 10),
			 APFSI_OK);
	for (const char *const *n = (const char *const[]){ "", ".", "..", "dir/sub", NULL }; *n;
	     n++)
		assert_int_equal(apfsi_fs_lookup_at(fs, APFSI_ROOT_INO, *n, &d, buf, sizeof(buf)),
				 APFSI_ERR_INVALID);
	assert_int_equal(apfsi_fs_lookup_at(fs, APFSI_ROOT_INO, NULL, &d, buf, sizeof(buf)),
			 APFSI_ERR_INVALID);
	assert_int_equal(apfsi_fs_lookup_at(NULL, APFSI_ROOT_INO, "dir", &d, buf, sizeof(buf)),
			 APFSI_ERR_INVALID);
	apfsi_fs_close(fs);
	apfsi_image_close(im);
}

/* The merged root: System's own names, a firmlink into the locked Data volume. */
static void test_group(void **state)
{
	struct apfsi_dirent d;
	apfsi_image *im;
	apfsi_fs *fs;
	char buf[256];
	uint64_t usr, share, users;

	(void)state;
	open_fs("mb.img", "group", 0, &im, &fs);
	usr = step(fs, APFSI_ROOT_INO, "usr", APFSI_TYPE_DIR, "usr");
	share = step(fs, usr, "share", APFSI_TYPE_DIR, "share");
	assert_true(step(fs, share, "firmlinks", APFSI_TYPE_FILE, "firmlinks") ==
		    ino_of(fs, "/usr/share/firmlinks"));
	users = step(fs, APFSI_ROOT_INO, "Users", APFSI_TYPE_DIR, "Users");
	assert_true(users == ino_of(fs, "/Users"));
	assert_int_equal(apfsi_fs_lookup_at(fs, users, "alice", &d, buf, sizeof(buf)),
			 APFSI_ERR_LOCKED);
	apfsi_fs_close(fs);
	apfsi_image_close(im);
}

/* A directory entered through an entry not its own: ELOOP, as in a path; its own entry works. */
static void test_cycle(void **state)
{
	struct apfsi_dirent d;
	apfsi_image *im;
	apfsi_fs *fs;
	char buf[256];

	(void)state;
	open_fs("cyc.img", "Cycle", 0, &im, &fs);
	assert_true(step(fs, APFSI_ROOT_INO, "a", APFSI_TYPE_DIR, "a") == 16);
	assert_true(step(fs, 16, "b", APFSI_TYPE_DIR, "b") == 17);
	assert_int_equal(apfsi_fs_lookup_at(fs, 17, "up1", &d, buf, sizeof(buf)), APFSI_ERR_LOOP);
	assert_int_equal(apfsi_fs_lookup_at(fs, 19, "alias", &d, buf, sizeof(buf)),
			 APFSI_ERR_LOOP);
	assert_int_equal(apfsi_fs_lookup(fs, "/c/alias", &d, buf, sizeof(buf)), APFSI_ERR_LOOP);
	assert_true(step(fs, 19, "real.txt", APFSI_TYPE_FILE, "real.txt") == 20);
	apfsi_fs_close(fs);
	apfsi_image_close(im);
}

/*
 * apfsi_fs_dir_entered: the same rule for an entry a walk has read.  Each
 * directory's own entry (the path lookup's) passes; the same directory as
 * another name of its parent, as a name of another directory, or as the
 * dir-cycle image's up1 and alias (the README's inodes) does not.
 */
static void test_dir_entered(void **state)
{
	apfsi_image *im;
	apfsi_fs *fs;
	uint64_t dir, sub;

	(void)state;
	open_fs("basic.img", "Basic", 0, &im, &fs);
	dir = ino_of(fs, "/dir");
	sub = ino_of(fs, "/dir/sub");
	assert_int_equal(apfsi_fs_dir_entered(fs, APFSI_ROOT_INO, "dir", dir), APFSI_OK);
	assert_int_equal(apfsi_fs_dir_entered(fs, dir, "sub", sub), APFSI_OK);
	assert_int_equal(apfsi_fs_dir_entered(fs, dir, "nested.txt", sub), APFSI_ERR_LOOP);
	assert_int_equal(apfsi_fs_dir_entered(fs, APFSI_ROOT_INO, "sub", sub), APFSI_ERR_LOOP);
	assert_int_equal(apfsi_fs_dir_entered(fs, sub, "dir", dir), APFSI_ERR_LOOP);
	/* a name is the entry's as stored: the inode's own, byte for byte */
	assert_int_equal(apfsi_fs_dir_entered(fs, dir, "SUB", sub), APFSI_ERR_LOOP);
	assert_non_null(strstr(apfsi_last_message(), "directory inode"));
	assert_non_null(strstr(apfsi_last_message(), "as 'SUB', but its own entry is 'sub' in "
			       "directory inode"));
	/* any name a walk reads, even one no path can hold: held to the rule, not refused as such */
	for (const char *const *n = (const char *const[]){ "", ".", "..", "dir/sub", NULL }; *n;
	     n++)
		assert_int_equal(apfsi_fs_dir_entered(fs, dir, *n, sub), APFSI_ERR_LOOP);
	/* the root and the private directory are no directory's child */
	assert_int_equal(apfsi_fs_dir_entered(fs, dir, "r", APFSI_ROOT_INO), APFSI_ERR_LOOP);
	assert_non_null(strstr(apfsi_last_message(), "the root (inode 2)"));
	assert_int_equal(apfsi_fs_dir_entered(fs, dir, "p", APFSI_PRIVATE_DIR_INO), APFSI_ERR_LOOP);
	assert_int_equal(apfsi_fs_dir_entered(fs, dir, NULL, sub), APFSI_ERR_INVALID);
	assert_int_equal(apfsi_fs_dir_entered(fs, 1, "dir", dir), APFSI_ERR_INVALID);
	assert_int_equal(apfsi_fs_dir_entered(NULL, dir, "sub", sub), APFSI_ERR_INVALID);
	apfsi_fs_close(fs);
	apfsi_image_close(im);

	open_fs("cyc.img", "Cycle", 0, &im, &fs);
	assert_int_equal(apfsi_fs_dir_entered(fs, 16, "b", 17), APFSI_OK);
	assert_int_equal(apfsi_fs_dir_entered(fs, 17, "up1", 16), APFSI_ERR_LOOP);
	assert_int_equal(apfsi_fs_dir_entered(fs, 19, "alias", 17), APFSI_ERR_LOOP);
	apfsi_fs_close(fs);
	apfsi_image_close(im);

	/* the merged root: System's own directory, and /Users, a firmlink into the locked Data */
	open_fs("mb.img", "group", 0, &im, &fs);
	assert_int_equal(apfsi_fs_dir_entered(fs, APFSI_ROOT_INO, "usr", ino_of(fs, "/usr")),
			 APFSI_OK);
	assert_int_equal(apfsi_fs_dir_entered(fs, APFSI_ROOT_INO, "Users", ino_of(fs, "/Users")),
			 APFSI_OK);
	assert_int_equal(apfsi_fs_dir_entered(fs, APFSI_ROOT_INO, "usr", ino_of(fs, "/Users")),
			 APFSI_ERR_LOOP);
	assert_int_equal(apfsi_fs_dir_entered(fs, APFSI_ROOT_INO, "Users", ino_of(fs, "/usr")),
			 APFSI_ERR_LOOP);
	apfsi_fs_close(fs);
	apfsi_image_close(im);

	/* the Data volume readable: /Users is Data's directory, shown through System's firmlink */
	open_fs("mbu.img", "group", 0, &im, &fs);
	assert_int_equal(apfsi_fs_dir_entered(fs, APFSI_ROOT_INO, "Users", ino_of(fs, "/Users")),
			 APFSI_OK);
	assert_int_equal(apfsi_fs_dir_entered(fs, APFSI_ROOT_INO, "usr", ino_of(fs, "/Users")),
			 APFSI_ERR_LOOP);
	assert_int_equal(apfsi_fs_dir_entered(fs, ino_of(fs, "/System/Volumes"), "Data",
					      ino_of(fs, "/System/Volumes/Data")), APFSI_OK);
	assert_int_equal(apfsi_fs_dir_entered(fs, ino_of(fs, "/System/Volumes/Data"), "Users",
					      ino_of(fs, "/System/Volumes/Data/Users")), APFSI_OK);
	assert_int_equal(apfsi_fs_dir_entered(fs, ino_of(fs, "/System/Volumes/Data"), "Users",
					      ino_of(fs, "/usr")), APFSI_ERR_LOOP);
	apfsi_fs_close(fs);
	apfsi_image_close(im);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_tree),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_group),
		cmocka_unit_test(test_cycle),
		cmocka_unit_test(test_dir_entered),
	};

	return cmocka_run_group_tests(tests, setup, scratch_teardown);
}
