/*
 * test_byino.c - APFSI_DIR_INODE_ORDER: a directory's entries read from its
 * children's inode records in number order.  Expected values from
 * testdata/README.md: `scale --shuffle` puts name j of a directory of n
 * files (fGGGGGGGG.txt, G = j for the first directory) on inode
 * 16 + D + (j M mod n), M the first number from floor(0.618 n) up with no
 * common factor with n, and only the file of j = 0 holds data ("file 0\n");
 * `basic` has one file under two names (/hardlink-a.txt, /dir/hardlink-b.txt);
 * `dir-cycle`'s /a/b (17) holds up1, an entry naming /a (16), whose own
 * entry is in the root; `macos-boot`'s /Users is firmlinked into the Data
 * volume and /Users/alice/Documents holds file-00000.txt ... file-00009.txt.
 * forged.img is flat.img with one inode's name changed to another file's
 * (tests/tools/inode_rename.py): the same count, a different set;
 * retyped.img has one directory record typed as a directory
 * (tests/tools/drec_retype.py) where its inode is a file.  Three images
 * have their fs tree damaged (tests/tools/fstree_edit.py): swapped.img
 * lists inode 273's record before 272's in their leaf (each still found
 * by a lookup, and read in its place, since a leaf out of order is walked
 * in key order); in rekeyed.img the
 * index sends a search for inode 272 to the next leaf (first key 283),
 * while a walk from the start still sees every record once, in order;
 * broken.img's leaf holding inode 1500 fails its checksum.  dated.img is
 * flat.img with each record fNNNNNNNN.txt dated 1,600,000,000 s plus
 * NNNNNNNN x 1,000,003 ns (tests/tools/drec_redate.py), so that a date
 * paired with the wrong entry shows.
 * Where the order cannot be vouched for, the answer must be UNSUPPORTED.
 */
#include <fcntl.h>
#include <limits.h>
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

#include "apfsinspect.h"
#include "lib/internal.h"

#include "libtest_fs.h"

#define SCALE_N 3001u          /* entries: one directory and 3000 files */
#define SCALE_F (SCALE_N - 1)

#define FLAT "--entries 3001 --per-dir 100000000 --shuffle --unencrypted"

/* TMPDIR as the suite found it (NULL: unset), put back after every test. */
static char *user_tmpdir;

/* A failed assertion leaves a test's variables set: none may reach the next test. */
static int restore_env(void **state)
{
	(void)state;
	if (unsetenv("APFSINSPECT_DIR_ADDED_MEMORY"))
		return -1;
	return user_tmpdir ? setenv("TMPDIR", user_tmpdir, 1) : unsetenv("TMPDIR");
}

static int setup(void **state)
{
	const char *tests = getenv("TESTS"), *tmp = getenv("TMPDIR");

	(void)state;
	if (tmp && !(user_tmpdir = strdup(tmp)))
		return -1;
	if (!tests || scratch_setup("byino", "basic basic.img", "dir-cycle cyc.img",
				    "scale flat.img " FLAT, "scale forged.img " FLAT,
				    "scale retyped.img " FLAT, "scale swapped.img " FLAT,
				    "scale rekeyed.img " FLAT, "scale broken.img " FLAT,
				    "scale dated.img " FLAT,
				    "macos-boot mb.img --unencrypted", NULL))
		return -1;
	/* f00000005.txt's inode says f00000006.txt, its directory record still f00000005.txt */
	if (sh("python3 '%s/tools/inode_rename.py' '%s/forged.img' f00000005.txt f00000006.txt",
	       tests, scratch_dir))
		return -1;
	/* f00000007.txt's directory record says directory (DT_DIR 4), its inode a file */
	if (sh("python3 '%s/tools/drec_retype.py' '%s/retyped.img' f00000007.txt 4", tests,
	       scratch_dir))
		return -1;
	/* every file's record its own date added */
	if (sh("python3 '%s/tools/drec_redate.py' '%s/dated.img' | grep -qx %u", tests,
	       scratch_dir, SCALE_F))
		return -1;
	/* the fs tree damaged three ways (tests/tools/fstree_edit.py) */
	return sh("cd '%s' && python3 '%s/tools/fstree_edit.py' swapped.img swap 272 273 > /dev/null && "
		  "python3 '%s/tools/fstree_edit.py' rekeyed.img rekey 273 272 > /dev/null && "
		  "python3 '%s/tools/fstree_edit.py' broken.img break 1500",
		  scratch_dir, tests, tests, tests) ? -1 : 0;
}

static uint64_t ino_of(apfsi_fs *fs, const char *path)
{
	struct apfsi_dirent d;
	char name[256];

	assert_int_equal(apfsi_fs_lookup(fs, path, &d, name, sizeof(name)), APFSI_OK);
	return d.ino;
}

static unsigned gcd(unsigned a, unsigned b)
{
	while (b) {
		unsigned t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* README `scale --shuffle`: the name offset j of each file, by inode - 17 (D = 1). */
static unsigned *shuffle_names(unsigned n)
{
	unsigned *j_of = calloc(n, sizeof(*j_of)), m = (unsigned)(0.618 * n);

	assert_non_null(j_of);
	while (gcd(m, n) != 1)
		m++;
	for (unsigned j = 0; j < n; j++)
		j_of[(unsigned long long)j * m % n] = j;
	return j_of;
}

/* /d00000's every file once, in rising inode order, named as the README says, with its size. */
static void scale_in_inode_order(apfsi_fs *fs)
{
	const struct apfsi_dirent *e;
	unsigned *j_of = shuffle_names(SCALE_F), got = 0;
	char want[32];
	apfsi_dir *d;

	assert_int_equal(ino_of(fs, "/d00000"), 16);
	assert_int_equal(apfsi_dir_open(fs, 16, APFSI_DIR_INODE_ORDER | APFSI_DIR_STAT, &d),
			 APFSI_OK);
	while (apfsi_dir_next(d, &e) == APFSI_OK && e) {
		assert_true(e->ino == 17 + got);
		snprintf(want, sizeof(want), "f%08u.txt", j_of[got]);
		assert_string_equal(e->name, want);
		assert_int_equal(e->type, APFSI_TYPE_FILE);
		assert_int_equal(e->date_added, 0);
		assert_int_equal(e->stat_error, APFSI_OK);
		assert_non_null(e->st);
		assert_true(e->st->ino == e->ino);
		assert_true(e->st->size == (j_of[got] == 0 ? 7 : 0));
		got++;
	}
	assert_int_equal(got, SCALE_F);
	apfsi_dir_close(d);
	free(j_of);
}

static void test_scale_directory(void **state)
{
	const struct apfsi_dirent *e;
	apfsi_image *im;
	apfsi_dir *d;
	apfsi_fs *fs;

	(void)state;
	open_fs("flat.img", NULL, 0, &im, &fs);
	scale_in_inode_order(fs);
	/* the root's one entry, /d00000 */
	assert_int_equal(apfsi_dir_open(fs, APFSI_ROOT_INO, APFSI_DIR_INODE_ORDER, &d), APFSI_OK);
	assert_int_equal(apfsi_dir_next(d, &e), APFSI_OK);
	assert_non_null(e);
	assert_true(e->ino == 16);
	assert_string_equal(e->name, "d00000");
	assert_int_equal(e->type, APFSI_TYPE_DIR);
	assert_int_equal(apfsi_dir_next(d, &e), APFSI_OK);
	assert_null(e);
	apfsi_dir_close(d);
	close_fs(im, fs);
}

#define DATED(j) (INT64_C(1600000000000000000) + (int64_t)(j) * 1000003)

/* Every date of an APFSI_DIR_INODE_ORDER iterator, from entry `from` on, as drec_redate.py set it. */
static unsigned check_dates(apfsi_dir *d, const unsigned *j_of, unsigned from)
{
	const struct apfsi_dirent *e;
	unsigned got = from;

	while (apfsi_dir_next(d, &e) == APFSI_OK && e) {
		assert_true(e->ino == 17 + got);
		assert_int_equal(e->date_added, DATED(j_of[got]));
		assert_non_null(e->st);
		assert_int_equal(e->st->added, DATED(j_of[got]));
		got++;
	}
	return got;
}

/* Each entry its own record's date in inode order, after seeks too (dated.img's /). */
static void dates_in_inode_order(apfsi_fs *fs, const unsigned *j_of)
{
	const struct apfsi_dirent *e;
	uint64_t cookie[SCALE_F];
	apfsi_dir *d;
	unsigned got;

	/* without APFSI_DIR_ADDED the order has none */
	assert_int_equal(apfsi_dir_open(fs, 16, APFSI_DIR_INODE_ORDER, &d), APFSI_OK);
	for (got = 0; apfsi_dir_next(d, &e) == APFSI_OK && e; got++) {
		assert_int_equal(e->date_added, 0);
		cookie[got] = e->cookie;
	}
	apfsi_dir_close(d);
	assert_int_equal(got, SCALE_F);
	assert_int_equal(apfsi_dir_open(fs, 16, APFSI_DIR_INODE_ORDER | APFSI_DIR_ADDED |
					    APFSI_DIR_STAT, &d), APFSI_OK);
	assert_int_equal(check_dates(d, j_of, 0), SCALE_F);
	apfsi_dir_close(d);
	/* a seek past the batch in hand, the cursor mid-way: not the pair after it */
	assert_int_equal(apfsi_dir_open(fs, 16, APFSI_DIR_INODE_ORDER | APFSI_DIR_ADDED |
					    APFSI_DIR_STAT, &d), APFSI_OK);
	for (got = 0; got < 100; got++)
		assert_int_equal(apfsi_dir_next(d, &e), APFSI_OK);
	assert_int_equal(apfsi_dir_seek(d, cookie[1200]), APFSI_OK);
	assert_int_equal(check_dates(d, j_of, 1201), SCALE_F);
	/* back, far forward and to the start: the cursor is found again by search */
	assert_int_equal(apfsi_dir_seek(d, cookie[1200]), APFSI_OK);
	assert_int_equal(check_dates(d, j_of, 1201), SCALE_F);
	assert_int_equal(apfsi_dir_seek(d, cookie[2990]), APFSI_OK);
	assert_int_equal(check_dates(d, j_of, 2991), SCALE_F);
	assert_int_equal(apfsi_dir_seek(d, 0), APFSI_OK);
	assert_int_equal(check_dates(d, j_of, 0), SCALE_F);
	apfsi_dir_close(d);
}

/* APFSI_DIR_ADDED: each entry its own record's date, in inode order, after seeks too. */
static void test_dates_added(void **state)
{
	const struct apfsi_dirent *e;
	unsigned *j_of = shuffle_names(SCALE_F), got = 0, j;
	apfsi_image *im;
	apfsi_dir *d;
	apfsi_fs *fs;

	(void)state;
	open_fs("dated.img", NULL, 0, &im, &fs);
	/* on-disk order reads the dates from the records themselves */
	assert_int_equal(apfsi_dir_open(fs, 16, 0, &d), APFSI_OK);
	while (apfsi_dir_next(d, &e) == APFSI_OK && e) {
		assert_int_equal(sscanf(e->name, "f%8u.txt", &j), 1);
		assert_int_equal(e->date_added, DATED(j));
		got++;
	}
	assert_int_equal(got, SCALE_F);
	apfsi_dir_close(d);
	dates_in_inode_order(fs, j_of);
	/* and in name order it changes nothing */
	assert_int_equal(apfsi_dir_open(fs, 16, APFSI_DIR_ADDED, &d), APFSI_OK);
	assert_int_equal(apfsi_dir_next(d, &e), APFSI_OK);
	assert_non_null(e);
	assert_int_equal(sscanf(e->name, "f%8u.txt", &j), 1);
	assert_int_equal(e->date_added, DATED(j));
	apfsi_dir_close(d);
	free(j_of);
	close_fs(im, fs);
}

/*
 * Past APFSI_DIR_ADDED's memory (APFSINSPECT_DIR_ADDED_MEMORY: 16 KiB, 1,024
 * pairs here, so 3,000 entries make three sorted runs in a temporary file):
 * the same dates, after the same seeks, and two iterators open at once (the
 * second given what the first left); where no temporary file can be made,
 * NOMEM, on which the CLI reads the directory in windows instead.
 */
static void test_dates_added_runs(void **state)
{
	const struct apfsi_dirent *e;
	unsigned *j_of = shuffle_names(SCALE_F), got;
	apfsi_dir *d, *d2;
	apfsi_image *im;
	apfsi_fs *fs;

	(void)state;
	assert_int_equal(setenv("APFSINSPECT_DIR_ADDED_MEMORY", "16384", 1), 0);
	open_fs("dated.img", NULL, 0, &im, &fs);
	dates_in_inode_order(fs, j_of);
	assert_int_equal(apfsi_dir_open(fs, 16, APFSI_DIR_INODE_ORDER | APFSI_DIR_ADDED |
					    APFSI_DIR_STAT, &d), APFSI_OK);
	assert_int_equal(apfsi_dir_open(fs, 16, APFSI_DIR_INODE_ORDER | APFSI_DIR_ADDED |
					    APFSI_DIR_STAT, &d2), APFSI_OK);
	/* each kept of its 16 KiB what its runs hold (3 buffers of 4 KiB), no more */
	assert_in_range(fs->added_held, 2 * 3 * 4096, 2 * 16384 - 1);
	for (got = 0; got < 1500; got++)
		assert_int_equal(apfsi_dir_next(d, &e), APFSI_OK);
	assert_int_equal(check_dates(d2, j_of, 0), SCALE_F);
	assert_int_equal(check_dates(d, j_of, 1500), SCALE_F);
	apfsi_dir_close(d2);
	apfsi_dir_close(d);
	assert_int_equal(fs->added_held, 0);
	/* 1 KiB: 47 runs take more than that (8 pairs of buffer each at least), counted too */
	assert_int_equal(setenv("APFSINSPECT_DIR_ADDED_MEMORY", "1024", 1), 0);
	assert_int_equal(apfsi_dir_open(fs, 16, APFSI_DIR_INODE_ORDER | APFSI_DIR_ADDED |
					    APFSI_DIR_STAT, &d), APFSI_OK);
	assert_in_range(fs->added_held, 47 * 8 * sizeof(struct dir_added_pair), 64 * 1024);
	assert_int_equal(check_dates(d, j_of, 0), SCALE_F);
	apfsi_dir_close(d);
	assert_int_equal(fs->added_held, 0);
	assert_int_equal(setenv("APFSINSPECT_DIR_ADDED_MEMORY", "16384", 1), 0);
	assert_int_equal(setenv("TMPDIR", "/nonexistent/apfsinspect-test", 1), 0);
	assert_int_equal(apfsi_dir_open(fs, 16, APFSI_DIR_INODE_ORDER | APFSI_DIR_ADDED, &d),
			 APFSI_ERR_NOMEM);
	assert_non_null(strstr(apfsi_last_message(), "a temporary file in $TMPDIR"));
	/* a directory within the memory needs no file */
	assert_int_equal(setenv("APFSINSPECT_DIR_ADDED_MEMORY", "65536", 1), 0);
	assert_int_equal(apfsi_dir_open(fs, 16, APFSI_DIR_INODE_ORDER | APFSI_DIR_ADDED |
					    APFSI_DIR_STAT, &d), APFSI_OK);
	assert_int_equal(check_dates(d, j_of, 0), SCALE_F);
	apfsi_dir_close(d);
	free(j_of);
	close_fs(im, fs);
}

/*
 * The descriptor of the unlinked temporary file under dir the library holds
 * (-1: none), by the path the kernel gives it (dir as realpath spells it).
 */
static int tmpfile_fd(const char *dir)
{
	char link[64], target[PATH_MAX + 32], real[PATH_MAX];
	size_t n;

	if (!realpath(dir, real))
		return -1;
	n = strlen(real);
	for (int fd = 3; fd < 1024; fd++) {
		ssize_t len;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		if ((len = readlink(link, target, sizeof(target) - 1)) <= 0)
			continue;
		target[len] = 0;
		if (!strncmp(target, real, n) && target[n] == '/' && strstr(target, "(deleted)"))
			return fd;
	}
	return -1;
}

/*
 * The dates' temporary file fails a read (here: it is swapped for /dev/null,
 * so it reads as cut short): the message names $TMPDIR, not the image.
 */
static void test_dates_added_file_fails(void **state)
{
	const struct apfsi_dirent *e;
	char *dir = strdup(img_path("tmpdir"));
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC), fd, ret;
	unsigned got = 0;
	apfsi_image *im;
	apfsi_dir *d;
	apfsi_fs *fs;

	(void)state;
	assert_true(dir && null >= 0 && mkdir(dir, 0700) == 0);
	assert_int_equal(setenv("APFSINSPECT_DIR_ADDED_MEMORY", "16384", 1), 0);
	assert_int_equal(setenv("TMPDIR", dir, 1), 0);
	open_fs("dated.img", NULL, 0, &im, &fs);
	assert_int_equal(apfsi_dir_open(fs, 16, APFSI_DIR_INODE_ORDER | APFSI_DIR_ADDED, &d),
			 APFSI_OK);
	assert_true((fd = tmpfile_fd(dir)) >= 0);
	assert_int_equal(dup2(null, fd), fd);
	while ((ret = apfsi_dir_next(d, &e)) == APFSI_OK && e)
		got++;
	assert_true(got < SCALE_F);
	assert_int_equal(ret, APFSI_ERR_IO);
	assert_non_null(strstr(apfsi_last_message(), "temporary file in $TMPDIR"));
	apfsi_dir_close(d);
	close_fs(im, fs);
	assert_int_equal(rmdir(dir), 0);
	close(null);
	free(dir);
}

/* Seeks by cookie: within the entries read last, far back, forward, to the start. */
static void test_seek(void **state)
{
	const struct apfsi_dirent *e;
	uint64_t *cookie = calloc(SCALE_F, sizeof(*cookie));
	unsigned k[] = { 0, 5, 255, 256, 257, 1000, 2998, 3, 2999 }, got = 0;
	apfsi_image *im;
	apfsi_dir *d, *plain;
	apfsi_fs *fs;

	(void)state;
	assert_non_null(cookie);
	open_fs("flat.img", NULL, 0, &im, &fs);
	assert_int_equal(apfsi_dir_open(fs, 16, APFSI_DIR_INODE_ORDER, &d), APFSI_OK);
	while (apfsi_dir_next(d, &e) == APFSI_OK && e) {
		assert_true(e->cookie != 0 && e->cookie < (UINT64_C(1) << 63));
		assert_true(got == 0 || e->cookie > cookie[got - 1]);
		cookie[got++] = e->cookie;
	}
	assert_int_equal(got, SCALE_F);
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		assert_int_equal(apfsi_dir_seek(d, cookie[k[i]]), APFSI_OK);
		if (apfsi_dir_next(d, &e) != APFSI_OK)
			fail_msg("seek to entry %u: %s", k[i], apfsi_last_message());
		if (k[i] + 1 == SCALE_F) {
			assert_null(e);
			continue;
		}
		assert_non_null(e);
		assert_true(e->ino == 17 + k[i] + 1);
		/* and on from there */
		assert_int_equal(apfsi_dir_next(d, &e), APFSI_OK);
		if (k[i] + 2 < SCALE_F)
			assert_true(e && e->ino == 17 + k[i] + 2);
	}
	assert_int_equal(apfsi_dir_seek(d, 0), APFSI_OK);
	assert_int_equal(apfsi_dir_next(d, &e), APFSI_OK);
	assert_true(e && e->ino == 17);
	/* two seeks with no read between: the second counts */
	assert_int_equal(apfsi_dir_seek(d, cookie[1000]), APFSI_OK);
	assert_int_equal(apfsi_dir_seek(d, 0), APFSI_OK);
	assert_int_equal(apfsi_dir_next(d, &e), APFSI_OK);
	assert_true(e && e->ino == 17);
	/* not a cookie of this order */
	assert_int_equal(apfsi_dir_seek(d, 5), APFSI_ERR_INVALID);
	assert_int_equal(apfsi_dir_open(fs, 16, 0, &plain), APFSI_OK);
	assert_int_equal(apfsi_dir_seek(plain, cookie[3]), APFSI_ERR_INVALID);
	apfsi_dir_close(plain);
	apfsi_dir_close(d);
	free(cookie);
	close_fs(im, fs);
}

static int line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's (number, type, name) lines, sorted: two orders compare as sets. */
static char *entries_of(apfsi_fs *fs, uint64_t dir, unsigned flags)
{
	const struct apfsi_dirent *e;
	char *line[256], *out = calloc(1, 65536);
	size_t n = 0, at = 0;
	apfsi_dir *d;

	assert_non_null(out);
	assert_int_equal(apfsi_dir_open(fs, dir, flags, &d), APFSI_OK);
	while (apfsi_dir_next(d, &e) == APFSI_OK && e) {
		assert_true(n < 256);
		assert_true(asprintf(&line[n++], "%llu %d %s\n", (unsigned long long)e->ino,
				     (int)e->type, e->name) > 0);
	}
	apfsi_dir_close(d);
	qsort(line, n, sizeof(*line), line_cmp);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(line[i]);

		assert_true(at + l < 65536);
		memcpy(out + at, line[i], l);
		at += l;
		free(line[i]);
	}
	return out;
}

/*
 * basic's root: each entry is its inode's primary name (hardlink-a.txt is
 * the first of its two), so it is read so, the same entries.  /dir holds
 * the second name of that file (hardlink-b.txt), whose inode names the
 * root: not vouched for.  Nor /a/b of dir-cycle (up1 names /a).
 */
static void test_links_and_cycles(void **state)
{
	apfsi_image *im;
	apfsi_dir *d = (apfsi_dir *)&d;
	apfsi_fs *fs;
	char *a, *b;

	(void)state;
	open_fs("basic.img", NULL, 0, &im, &fs);
	a = entries_of(fs, APFSI_ROOT_INO, 0);
	b = entries_of(fs, APFSI_ROOT_INO, APFSI_DIR_INODE_ORDER);
	assert_non_null(strstr(a, " hardlink-a.txt\n"));
	assert_string_equal(a, b);
	free(a);
	free(b);
	assert_int_equal(apfsi_dir_open(fs, ino_of(fs, "/dir"), APFSI_DIR_INODE_ORDER, &d),
			 APFSI_ERR_UNSUPPORTED);
	assert_null(d);
	/* a file is no directory, whatever the order asked */
	assert_int_equal(apfsi_dir_open(fs, ino_of(fs, "/hello.txt"), APFSI_DIR_INODE_ORDER, &d),
			 APFSI_ERR_NOT_DIR);
	assert_int_equal(apfsi_dir_open(fs, APFSI_ROOT_INO, 1u << 5, &d), APFSI_ERR_INVALID);
	close_fs(im, fs);
	open_fs("cyc.img", "Cycle", 0, &im, &fs);
	assert_int_equal(apfsi_dir_open(fs, 17, APFSI_DIR_INODE_ORDER, &d), APFSI_ERR_UNSUPPORTED);
	close_fs(im, fs);
}

/* One inode's name forged to another's: as many children, not the same entries. */
static void test_forged_name(void **state)
{
	apfsi_image *im;
	apfsi_dir *d;
	apfsi_fs *fs;

	(void)state;
	open_fs("forged.img", NULL, 0, &im, &fs);
	assert_int_equal(apfsi_dir_open(fs, 16, APFSI_DIR_INODE_ORDER, &d), APFSI_ERR_UNSUPPORTED);
	/* the directory itself reads as ever */
	assert_int_equal(apfsi_dir_open(fs, 16, 0, &d), APFSI_OK);
	apfsi_dir_close(d);
	close_fs(im, fs);
}

/* An entry typed otherwise than its inode: not the same entries either. */
static void test_forged_type(void **state)
{
	const struct apfsi_dirent *e;
	apfsi_image *im;
	apfsi_dir *d;
	apfsi_fs *fs;
	int seen = 0;

	(void)state;
	open_fs("retyped.img", NULL, 0, &im, &fs);
	assert_int_equal(apfsi_dir_open(fs, 16, APFSI_DIR_INODE_ORDER, &d), APFSI_ERR_UNSUPPORTED);
	/* the forgery took: the directory's record says directory */
	assert_int_equal(apfsi_dir_open(fs, 16, 0, &d), APFSI_OK);
	while (apfsi_dir_next(d, &e) == APFSI_OK && e)
		if (!strcmp(e->name, "f00000007.txt")) {
			assert_int_equal(e->type, APFSI_TYPE_DIR);
			seen++;
		}
	assert_int_equal(seen, 1);
	apfsi_dir_close(d);
	close_fs(im, fs);
}

static unsigned logged;

static void count_log(int level, const char *message, void *arg)
{
	(void)level, (void)message, (void)arg;
	logged++;
}

/*
 * A leaf out of key order: not vouched for.  An index that misdirects a
 * search: the read that resumes through it fails (CORRUPT) instead of
 * losing the entries it skips, and hands out nothing twice or out of order.
 * A damaged leaf in the children's range: not vouched for, and quietly (the
 * windows the caller falls back to report what they meet).
 */
static void test_damaged_tree(void **state)
{
	unsigned *j_of = shuffle_names(SCALE_F);
	const struct apfsi_dirent *e;
	uint64_t last = 0;
	unsigned got = 0;
	apfsi_image *im;
	bool opened;
	apfsi_dir *d;
	apfsi_fs *fs;
	int ret;

	(void)state;
	open_fs("swapped.img", NULL, 0, &im, &fs);
	/* the leaf is walked in key order: the two inodes read in their places */
	scale_in_inode_order(fs);
	/* a lookup finds each of the two records where it stands, not "no such file" */
	for (uint64_t ino = 272; ino <= 273; ino++) {
		struct apfsi_stat st;
		char path[64];

		snprintf(path, sizeof(path), "/d00000/f%08u.txt", j_of[ino - 17]);
		assert_int_equal(apfsi_fs_stat_path(fs, path, &st), APFSI_OK);
		assert_true(st.ino == ino);
		assert_int_equal(apfsi_fs_stat(fs, ino, &st), APFSI_OK);
		assert_int_equal(st.type, APFSI_TYPE_FILE);
	}
	close_fs(im, fs);

	/* damage where a walk ends at a key straying into a leaf: at open, or before 283 */
	open_fs("rekeyed.img", NULL, 0, &im, &fs);
	ret = apfsi_dir_open(fs, 16, APFSI_DIR_INODE_ORDER, &d);
	opened = ret == APFSI_OK;
	while (ret == APFSI_OK && (ret = apfsi_dir_next(d, &e)) == APFSI_OK && e) {
		assert_true(e->ino > last);
		last = e->ino;
		got++;
	}
	assert_int_equal(ret, APFSI_ERR_CORRUPT);
	assert_true(got < SCALE_F && last < 283);
	if (opened)
		apfsi_dir_close(d);
	close_fs(im, fs);

	open_fs("broken.img", NULL, 0, &im, &fs);
	apfsi_set_log(count_log, APFSI_LOG_DEBUG, NULL);
	logged = 0;
	assert_int_equal(apfsi_dir_open(fs, 16, APFSI_DIR_INODE_ORDER, &d), APFSI_ERR_UNSUPPORTED);
	assert_int_equal(logged, 0);
	apfsi_set_log(NULL, 0, NULL);
	close_fs(im, fs);
	free(j_of);
}

/* A merged root: a Data directory is read so, numbered as the view numbers it; System not. */
static void test_group(void **state)
{
	const struct apfsi_dirent *e;
	uint64_t docs, prev = 0;
	apfsi_image *im;
	apfsi_dir *d;
	apfsi_fs *fs;
	char want[64];
	unsigned seen = 0;

	(void)state;
	open_fs("mb.img", "System", 0, &im, &fs);
	assert_int_equal(apfsi_fs_is_group(fs), 1);
	assert_int_equal(apfsi_dir_open(fs, APFSI_ROOT_INO, APFSI_DIR_INODE_ORDER, &d),
			 APFSI_ERR_UNSUPPORTED);
	docs = ino_of(fs, "/Users/alice/Documents");
	assert_int_equal(apfsi_dir_open(fs, docs, APFSI_DIR_INODE_ORDER, &d), APFSI_OK);
	while (apfsi_dir_next(d, &e) == APFSI_OK && e) {
		unsigned k;

		assert_true(e->ino > prev);
		prev = e->ino;
		assert_int_equal(sscanf(e->name, "file-%05u.txt", &k), 1);
		snprintf(want, sizeof(want), "/Users/alice/Documents/file-%05u.txt", k);
		/* the number the path lookup gives, once each */
		assert_true(e->ino == ino_of(fs, want));
		assert_int_equal(seen & (1u << k), 0);
		seen |= 1u << k;
	}
	assert_int_equal(seen, (1u << 10) - 1);
	apfsi_dir_close(d);
	/* the dates added of a Data directory through the group: those its records hold */
	assert_int_equal(apfsi_dir_open(fs, docs, APFSI_DIR_INODE_ORDER | APFSI_DIR_ADDED, &d),
			 APFSI_OK);
	for (seen = 0; apfsi_dir_next(d, &e) == APFSI_OK && e; seen++) {
		struct apfsi_dirent by_name;
		char name[256];

		snprintf(want, sizeof(want), "/Users/alice/Documents/%s", e->name);
		assert_int_equal(apfsi_fs_lookup(fs, want, &by_name, name, sizeof(name)), APFSI_OK);
		assert_int_not_equal(by_name.date_added, 0);
		assert_int_equal(e->date_added, by_name.date_added);
	}
	assert_int_equal(seen, 10);
	apfsi_dir_close(d);
	close_fs(im, fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scale_directory),
		cmocka_unit_test(test_seek),
		cmocka_unit_test(test_dates_added),
		cmocka_unit_test_teardown(test_dates_added_runs, restore_env),
		cmocka_unit_test_teardown(test_dates_added_file_fails, restore_env),
		cmocka_unit_test(test_links_and_cycles),
		cmocka_unit_test(test_forged_name),
		cmocka_unit_test(test_forged_type),
		cmocka_unit_test(test_damaged_tree),
		cmocka_unit_test(test_group),
	};

	return cmocka_run_group_tests(tests, setup, scratch_teardown);
}
