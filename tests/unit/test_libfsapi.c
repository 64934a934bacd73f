/* SPDX-License-Identifier: MIT */
/*
 * test_libfsapi.c - the public calls the FUSE mount needs beside the
 * directory iterator (include/apfsinspect.h): apfsi_fs_readdir from a
 * resume cookie and apfsi_fs_usage.  The root of `basic` holds what
 * testdata/README.md lists ("The small tree" and the hard link); a resume
 * from any entry's cookie must give exactly the entries after it; a
 * callback's stop value comes back; the same on `unhashed`'s /many, whose
 * records carry no name hash (3000 entries; a cookie there counts them).
 * An xattr's and a sibling link's record traded into another leaf: listing
 * them is damage.  statfs's figures: the container's
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
	return scratch_setup("libfsapi", "basic basic.img", "macos-boot mb.img",
			     "unhashed uh.img", "unhashed uhswap.img", "unhashed uhswap2.img",
			     "unhashed uhcross.img", "unhashed uhmid.img",
			     "scale scswap.img --entries 1000 --per-dir 999 --unencrypted",
			     "scale sccross.img --entries 1000 --per-dir 999 --unencrypted",
			     "scale scmid.img --entries 1000 --per-dir 999 --unencrypted",
			     "scale scmiskey.img --entries 1000 --per-dir 999 --unencrypted",
			     "scale scbatch.img --entries 1000 --per-dir 267 --unencrypted",
			     "scale scneigh.img --entries 1000 --per-dir 260 --unencrypted",
			     "scale sctrade.img --entries 1000 --per-dir 260 --unencrypted",
			     "scale scraise.img --entries 1000 --per-dir 260 --unencrypted",
			     "scale sclost.img --entries 1000 --per-dir 260 --unencrypted",
			     "scale scunloc.img --entries 1000 --per-dir 260 --unencrypted",
			     "scale scix.img --entries 20000 --per-dir 17000 --unencrypted",
			     "unhashed uhlost.img", NULL);
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

static int no_entry(const struct apfsi_dirent *e, void *arg)
{
	(void)e;
	(void)arg;
	fail_msg("an entry of a directory numbered past 60 bits");
	return 0;
}

static int no_link(uint64_t parent, const char *name, void *arg)
{
	(void)parent;
	(void)name;
	(void)arg;
	fail_msg("a name of an inode numbered past 60 bits");
	return 0;
}

static int no_xattr(const char *name, uint64_t size, void *arg)
{
	(void)name;
	(void)size;
	(void)arg;
	fail_msg("an xattr of an inode numbered past 60 bits");
	return 0;
}

static int no_run(const struct apfsi_byte_run *r, void *arg)
{
	(void)r;
	(void)arg;
	fail_msg("a run of an inode numbered past 60 bits");
	return 0;
}

/*
 * A number past the 60 bits of an object id (a hostile directory record's
 * file id) is damage at every entry point that takes one: a key keeps only
 * 60 bits, so 2^60 + 2 would read as the root (2), and bit 60 or 63 over
 * /hello.txt's number as that file, with its attributes and entries, or
 * over /hardlink-a.txt's (two names: sibling links) as its names.
 */
static void test_numbers_past_60_bits(void **state)
{
	static const uint64_t high[] = { UINT64_C(1) << 60, UINT64_C(1) << 63 };
	struct apfsi_dir_stats ds;
	uint64_t base[3];
	struct apfsi_dirent de;
	struct apfsi_stat st;
	apfsi_image *im;
	apfsi_file *f;
	apfsi_dir *d;
	apfsi_fs *fs;
	char buf[256];
	uint64_t size;
	int resident;

	(void)state;
	open_fs("basic.img", NULL, 0, &im, &fs);
	base[0] = APFSI_ROOT_INO;
	assert_int_equal(apfsi_fs_stat_path(fs, "/hello.txt", &st), APFSI_OK);
	base[1] = st.ino;
	assert_int_equal(apfsi_fs_stat_path(fs, "/hardlink-a.txt", &st), APFSI_OK);
	base[2] = st.ino;
	for (size_t i = 0; i < 6; i++) {
		uint64_t n = high[i % 2] | base[i / 2];

		assert_int_equal(apfsi_fs_stat(fs, n, &st), APFSI_ERR_CORRUPT);
		assert_int_equal(apfsi_fs_readdir(fs, n, 0, no_entry, NULL), APFSI_ERR_CORRUPT);
		assert_int_equal(apfsi_dir_open(fs, n, 0, &d), APFSI_ERR_CORRUPT);
		assert_int_equal(apfsi_dir_open(fs, n, APFSI_DIR_INODE_ORDER, &d),
				 APFSI_ERR_CORRUPT);
		assert_int_equal(apfsi_fs_lookup_at(fs, n, "hello.txt", &de, buf, sizeof(buf)),
				 APFSI_ERR_CORRUPT);
		assert_int_equal(apfsi_fs_path(fs, n, buf, sizeof(buf)), APFSI_ERR_CORRUPT);
		assert_int_equal(apfsi_fs_readlink(fs, n, buf, sizeof(buf)), APFSI_ERR_CORRUPT);
		assert_int_equal(apfsi_fs_firmlink(fs, n, buf, sizeof(buf)), APFSI_ERR_CORRUPT);
		assert_int_equal(apfsi_fs_dir_stats(fs, n, &ds), APFSI_ERR_CORRUPT);
		assert_int_equal(apfsi_file_open(fs, n, &f), APFSI_ERR_CORRUPT);
		assert_int_equal(apfsi_file_open_fork(fs, n, "rsrc", &f), APFSI_ERR_CORRUPT);
		assert_int_equal(apfsi_fs_listxattr(fs, n, APFSI_XATTR_HIDDEN, no_xattr, NULL),
				 APFSI_ERR_CORRUPT);
		assert_int_equal(apfsi_fs_getxattr(fs, n, "com.apple.decmpfs", 0, buf,
						   sizeof(buf), NULL, &size),
				 APFSI_ERR_CORRUPT);
		assert_int_equal(apfsi_fs_xattr_runs(fs, n, "com.apple.ResourceFork", no_run,
						     NULL, &resident),
				 APFSI_ERR_CORRUPT);
		assert_int_equal(apfsi_fs_links(fs, n, no_link, NULL), APFSI_ERR_CORRUPT);
	}
	apfsi_fs_close(fs);
	apfsi_image_close(im);
}

#define UH_MANY 3000
/* unhashed's /many/m%04u.txt (testdata/README.md; libfsapfs's fsapfsinfo -F agrees): 34 + j. */
#define UH_INO(j) (34u + (j))

/* /many of `unhashed`: m0000.txt ... m2999.txt (testdata/README.md). */
struct many {
	uint32_t seen[UH_MANY];  /* per m%04u.txt: times listed */
	uint64_t cookie[UH_MANY + 1];
	unsigned order[UH_MANY + 1]; /* the number of the entry at each position */
	unsigned n;
	unsigned page;           /* stop (77) at the entry after this many more: 0 never */
	unsigned taken;          /* in this call */
};

static int many_take(const struct apfsi_dirent *e, void *arg)
{
	struct many *m = arg;
	unsigned i;
	char end;

	if (m->page && m->taken == m->page)
		return 77;  /* as a full FUSE buffer: this entry is not taken */
	m->taken++;
	assert_true(m->n < UH_MANY);
	assert_int_equal(sscanf(e->name, "m%4u.tx%c", &i, &end), 2);
	assert_true(i < UH_MANY && end == 't');
	m->seen[i]++;
	m->order[m->n] = i;
	m->cookie[m->n++] = e->cookie;
	return 0;
}

/* /many into m, page entries a call, each call from the last cookie taken. */
static void page_many(apfsi_fs *fs, uint64_t dir, unsigned page, struct many *m)
{
	memset(m, 0, sizeof(*m));
	m->page = page;
	for (unsigned calls = 0; m->n < UH_MANY; calls++) {
		uint64_t from = m->n ? m->cookie[m->n - 1] : 0;
		int ret = apfsi_fs_readdir(fs, dir, from, many_take, m);

		assert_int_equal(ret, m->n < UH_MANY ? 77 : APFSI_OK);
		assert_true(calls <= UH_MANY);
		m->taken = 0;
	}
}

/* From the cookie of all's entry at - 1: exactly all's entries from at on. */
static void resume_many(apfsi_fs *fs, uint64_t dir, const struct many *all, unsigned at)
{
	static struct many rest;

	memset(&rest, 0, sizeof(rest));
	assert_int_equal(apfsi_fs_readdir(fs, dir, all->cookie[at - 1], many_take, &rest),
			 APFSI_OK);
	assert_int_equal(rest.n, UH_MANY - at);
	assert_memory_equal(rest.order, all->order + at, rest.n * sizeof(rest.order[0]));
}

static int one_name(const struct apfsi_dirent *e, void *arg)
{
	uint64_t *last = arg;

	if (last[1]++)
		return 1;
	last[0] = e->cookie;
	return 0;
}

/* A resume of /many from inside another walk of the same tree: the thread's cursor is busy. */
struct nested {
	apfsi_fs *fs;
	uint64_t dir;
	const struct many *all;
};

static int nested_resume(const struct apfsi_dirent *e, void *arg)
{
	const struct nested *n = arg;

	(void)e;
	resume_many(n->fs, n->dir, n->all, 2990);
	return 1;
}

/* /names (four files) an entry a call: its walks stop at its cookies 1, 2, 3. */
static void page_names(apfsi_fs *fs)
{
	uint64_t last[2] = { 0, 0 };
	struct apfsi_stat st;
	unsigned calls = 0;
	int ret;

	assert_int_equal(apfsi_fs_stat_path(fs, "/names", &st), APFSI_OK);
	do {
		last[1] = 0;
		ret = apfsi_fs_readdir(fs, st.ino, last[0], one_name, last);
	} while (ret == 1 && ++calls < 10);
	assert_int_equal(ret, APFSI_OK);
	assert_int_equal(calls, 3);
}

/*
 * Unhashed records: a resume cookie is the count of entries before it, so a
 * resume counts them again.  From a sample of positions (the first, a
 * FUSE buffer's worth, the middle, the last two): exactly what follows.
 */
static void test_readdir_unhashed(void **state)
{
	static const unsigned at[] = { 0, 1, 99, 100, 1500, 2998, 2999 };
	static const unsigned pages[] = { 128, 1 };  /* 1 last: its stops stay kept */
	static struct many all, rest;
	struct nested nest;
	struct apfsi_stat st;
	apfsi_image *im;
	apfsi_fs *fs;

	(void)state;
	open_fs("uh.img", NULL, 0, &im, &fs);
	assert_int_equal(apfsi_fs_stat_path(fs, "/many", &st), APFSI_OK);
	memset(&all, 0, sizeof(all));
	assert_int_equal(apfsi_fs_readdir(fs, st.ino, 0, many_take, &all), APFSI_OK);
	assert_int_equal(all.n, UH_MANY);
	/* Unhashed records sort by name bytes: m0000.txt, m0001.txt ... in that order. */
	for (unsigned i = 0; i < UH_MANY; i++)
		assert_int_equal(all.order[i], i);
	for (size_t k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
		memset(&rest, 0, sizeof(rest));
		assert_int_equal(apfsi_fs_readdir(fs, st.ino, all.cookie[at[k]], many_take, &rest),
				 APFSI_OK);
		assert_int_equal(rest.n, UH_MANY - at[k] - 1);
		for (unsigned j = 0; j < rest.n; j++)
			assert_int_equal(rest.order[j], all.order[at[k] + 1 + j]);
	}
	/*
	 * A bufferful at a time, each call from the last cookie taken, as the
	 * kernel reads (fs_resume.c keeps where each stopped): the same entries
	 * with the same cookies.
	 */
	for (size_t k = 0; k < sizeof(pages) / sizeof(pages[0]); k++) {
		page_many(fs, st.ino, pages[k], &rest);
		assert_memory_equal(rest.order, all.order, sizeof(all.order));
		assert_memory_equal(rest.cookie, all.cookie, sizeof(all.cookie));
	}
	/* From a cookie a walk stopped at lately (kept), and from one long ago (counted). */
	resume_many(fs, st.ino, &all, 2990);
	resume_many(fs, st.ino, &all, 1500);
	/* A kept place used by a walk without the thread's cursor: no node is out of order. */
	nest = (struct nested){ fs, st.ino, &all };
	assert_int_equal(apfsi_fs_readdir(fs, APFSI_ROOT_INO, 0, nested_resume, &nest), 1);
	/* Another directory's walks stopped at cookies 1, 2, 3: not /many's. */
	page_names(fs);
	resume_many(fs, st.ino, &all, 1);
	resume_many(fs, st.ino, &all, 2);
	apfsi_fs_close(fs);
	apfsi_image_close(im);
}

/* fs_dir.c's COOKIE_UNSOUND: a hashed cookie handed out past a damaged node. */
#define UNSOUND (UINT64_C(1) << 42)

/* How a readdir resumed where the order is not known to hold is refused. */
#define RESUME_REFUSED "records out of key order, or outside the range their parent node " \
	"gives them, where a readdir resumes"

/* How a walk that read a leaf holding another's keys, one of its own found there, ends. */
#define TRADED_AWAY "traded for one of its own: a walk that read that node wanted it"

/* Image img opened, with the number of its directory dir. */
static uint64_t open_dir(const char *img, const char *dir, apfsi_image **im, apfsi_fs **fs)
{
	struct apfsi_stat st;

	open_fs(img, NULL, 0, im, fs);
	assert_int_equal(apfsi_fs_stat_path(*fs, dir, &st), APFSI_OK);
	return st.ino;
}

/*
 * Scratch image img with the slots of directory records a and b swapped in
 * their leaf (tests/tools/drec_swap.py), opened: the number of directory dir.
 */
static uint64_t swapped_dir(const char *img, const char *a, const char *b, const char *dir,
			    apfsi_image **im, apfsi_fs **fs)
{
	assert_int_equal(sh("python3 '%s/tools/drec_swap.py' '%s' %s %s", getenv("TESTS"),
			    img_path(img), a, b), 0);
	return open_dir(img, dir, im, fs);
}

/*
 * dir/name's lookup: ret, and where found, inode ino; APFSI_ERR_CORRUPT
 * where it lands in a leaf whose keys stray outside its range and lacks
 * the name (traded across two leaves): damage to name, not "no such file".
 */
static void lookup_is(apfsi_fs *fs, const char *dir, const char *name, int ret, uint64_t ino)
{
	struct apfsi_stat st;
	char path[64];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(apfsi_fs_stat_path(fs, path, &st), ret);
	if (ret == APFSI_ERR_CORRUPT)
		assert_non_null(strstr(apfsi_last_message(), "a search passed a node whose keys "
				       "stray outside its parent's range"));
	if (ret == APFSI_OK)
		assert_true(st.ino == ino);
}

/* scale's f%08u.txt of /d00000 (testdata/README.md, D = 1, no --shuffle): inode 17 + j. */
#define SC_INO(j) (17u + (j))

/*
 * A leaf of /many whose keys do not ascend: tests/tools/drec_swap.py swaps
 * the slots of m0005.txt and m0040.txt (every record intact).  Read five
 * a call, the first walk stops at the sixth slot, m0040.txt's record: a
 * walk resumed from that key would skip m0005.txt ... m0039.txt, which sort
 * before it.  Such a stop is not kept; counting lists each name once.
 */
/* Scratch image img with records a and b swapped: paged, /many lists each name once. */
static void swapped_many_once(const char *img, const char *a, const char *b, unsigned page)
{
	static struct many rest;
	apfsi_image *im;
	apfsi_fs *fs;
	uint64_t many = swapped_dir(img, a, b, "/many", &im, &fs);

	page_many(fs, many, page, &rest);
	for (unsigned i = 0; i < UH_MANY; i++)
		assert_int_equal(rest.seen[i], 1);
	close_fs(im, fs);
}

static void test_readdir_unordered_leaf(void **state)
{
	apfsi_image *im;
	apfsi_fs *fs;

	(void)state;
	swapped_many_once("uhswap.img", "m0005.txt", "m0040.txt", 5);
	/*
	 * A lookup finds every name of the leaf where it stands: the search
	 * stopped at m0040.txt's record, in m0005.txt's slot, for m0005.txt
	 * ... m0039.txt ("No such file or directory").
	 */
	open_fs("uhswap.img", NULL, 0, &im, &fs);
	for (unsigned i = 0; i <= 41; i++) {
		char name[16];

		snprintf(name, sizeof(name), "m%04u.txt", i);
		lookup_is(fs, "/many", name, APFSI_OK, UH_INO(i));
	}
	close_fs(im, fs);
}

/* Names f%08u.txt of a scale directory (testdata/README.md), each taken once. */
struct scale_names {
	uint8_t seen[999];
	uint64_t cookie[999];  /* per name: the cookie that resumes after it */
	unsigned order[999];   /* the names in the order listed */
	uint64_t last;
	unsigned n, taken;
	unsigned page;  /* stop (77) at the entry after this many a call */
};

static int scale_take(const struct apfsi_dirent *e, void *arg)
{
	struct scale_names *s = arg;
	unsigned i;

	if (s->taken == s->page)
		return 77;
	assert_int_equal(sscanf(e->name, "f%8u.txt", &i), 1);
	assert_true(i < 999 && !s->seen[i]++);  /* never the same name twice */
	s->taken++;
	s->order[s->n++] = i;
	s->last = s->cookie[i] = e->cookie;
	return 0;
}

/* A scale directory into s, page entries a call: what the last call said. */
static int page_scale(apfsi_fs *fs, uint64_t dir, unsigned page, struct scale_names *s)
{
	int ret;

	memset(s, 0, sizeof(*s));
	s->page = page;
	do {
		s->taken = 0;
		ret = apfsi_fs_readdir(fs, dir, s->last, scale_take, s);
	} while (ret == 77 && s->n < 999);
	return ret;
}

/*
 * The same leaf damage on a volume with hashed records (`scale`, /d00000 of
 * 999 files; tests/tools/drec_swap.py swaps the slots of f00000009.txt and
 * f00000394.txt, the fourth and 26th of its first leaf): a resume by hash
 * lands in that leaf, where the records at or past the key come in the
 * leaf's order.  Refused as damage (a wrong set listed before: 1002 entries).
 */
static void test_readdir_unordered_hashed(void **state)
{
	static struct scale_names s;
	apfsi_image *im;
	apfsi_fs *fs;
	uint64_t dir;

	(void)state;
	dir = swapped_dir("scswap.img", "f00000009.txt", "f00000394.txt", "/d00000", &im, &fs);
	assert_int_equal(page_scale(fs, dir, 5, &s), APFSI_ERR_CORRUPT);
	assert_non_null(strstr(apfsi_last_message(), RESUME_REFUSED));
	close_fs(im, fs);
}

/* Of cookies (per scale name), the name whose cookie is the least past c; -1 none. */
static int scale_next(const uint64_t *cookie, uint64_t c)
{
	int next = -1;

	for (int i = 0; i < 999; i++)
		if (cookie[i] > c && (next < 0 || cookie[i] < cookie[next]))
			next = i;
	return next;
}

/*
 * Then f00000746.txt and f00000020.txt trade places: the second leaf
 * begins at its key again, sound, and the first holds f00000020.txt past
 * its range, listed last of it.  A paged walk that stops right after it
 * would resume by f00000020.txt's hash in the second leaf and pass over
 * f00000746.txt, sorting before (998 names were listed, no error).  Every
 * cookie handed out once the walk met the first leaf is marked so: a
 * resume from it is refused, each name listed once before; so is one from
 * the second leaf's second name, where a name of the same hash standing
 * in the first leaf (a collision) would be passed over alike.  A walk
 * without a stop lists all 999.
 */
static void miskeyed_traded(struct scale_names *s)
{
	apfsi_image *im;
	apfsi_fs *fs;
	uint64_t dir, next;
	unsigned at = 0;

	dir = swapped_dir("scmiskey.img", "f00000746.txt", "f00000020.txt", "/d00000", &im, &fs);
	assert_int_equal(page_scale(fs, dir, 999, s), APFSI_OK);
	assert_int_equal(s->n, 999);
	while (s->order[at] != 20)
		at++;
	assert_int_equal(s->order[at + 1], 746);  /* the first leaf's last, then the second's first */
	next = s->cookie[s->order[at + 2]];
	assert_int_equal(page_scale(fs, dir, at + 1, s), APFSI_ERR_CORRUPT);
	assert_non_null(strstr(apfsi_last_message(), RESUME_REFUSED));
	assert_int_equal(s->n, at + 1);
	assert_int_equal(apfsi_fs_readdir(fs, dir, next, scale_take, s), APFSI_ERR_CORRUPT);
	assert_non_null(strstr(apfsi_last_message(), RESUME_REFUSED));
	close_fs(im, fs);
}

/*
 * A leaf that begins past its parent's key for it (apfsck: "index key
 * absent from child node"): drec_swap.py --rekey sets the index key of
 * /d00000's second leaf (f00000020.txt first, as in sccross.img) to the
 * first leaf's last key, f00000746.txt's, which the first leaf then holds
 * past its range.  Each leaf's keys ascend and a walk from the start lists
 * all 999, its cookies past the first leaf marked (COOKIE_UNSOUND): a
 * resume from them is refused.  Unmarked, the walk refuses each itself:
 * one past the second leaf's first record, as that leaf does not begin at
 * its key (its keys ascend, but the leaf before may hold records of its
 * range: here only f00000746.txt, below its first; a neighbour's record
 * traded in may stand past it, and a resume there would pass over it);
 * one at f00000020.txt's hash begins in the gap before that first record:
 * damage, named so; one at f00000746.txt's hash lands in the first leaf,
 * out of its range.
 */
static void test_readdir_miskeyed_hashed(void **state)
{
	static struct scale_names s, rest;
	apfsi_image *im;
	apfsi_fs *fs;
	uint64_t dir, after;

	(void)state;
	assert_int_equal(sh("python3 '%s/tools/drec_swap.py' '%s' --rekey f00000746.txt",
			    getenv("TESTS"), img_path("scmiskey.img")), 0);
	dir = open_dir("scmiskey.img", "/d00000", &im, &fs);
	assert_int_equal(page_scale(fs, dir, 999, &s), APFSI_OK);
	assert_int_equal(s.n, 999);
	/* the cookie after f00000020.txt's in hash order (its next name's) */
	assert_true(scale_next(s.cookie, s.cookie[20]) >= 0);
	after = s.cookie[scale_next(s.cookie, s.cookie[20])];
	assert_true((after & ~UNSOUND) >> 20 != (s.cookie[20] & ~UNSOUND) >> 20);  /* its own hash */
	/* handed out past the first leaf, both are marked: refused as they are */
	assert_true(after & s.cookie[20] & UNSOUND);
	memset(&rest, 0, sizeof(rest));
	rest.page = 999;
	assert_int_equal(apfsi_fs_readdir(fs, dir, after, scale_take, &rest), APFSI_ERR_CORRUPT);
	assert_non_null(strstr(apfsi_last_message(), RESUME_REFUSED));
	/* unmarked (as a caller may forge them), the walk itself refuses each */
	assert_int_equal(apfsi_fs_readdir(fs, dir, after & ~UNSOUND, scale_take, &rest),
			 APFSI_ERR_CORRUPT);
	assert_non_null(strstr(apfsi_last_message(), RESUME_REFUSED));
	assert_int_equal(rest.n, 0);
	assert_int_equal(apfsi_fs_readdir(fs, dir, s.cookie[20] & ~UNSOUND, scale_take, &rest),
			 APFSI_ERR_CORRUPT);
	assert_non_null(strstr(apfsi_last_message(), "a walk began in a node whose first key "
			       "is not its parent's key for it"));
	assert_int_equal(apfsi_fs_readdir(fs, dir, s.cookie[746], scale_take, &rest),
			 APFSI_ERR_CORRUPT);
	assert_non_null(strstr(apfsi_last_message(), RESUME_REFUSED));
	close_fs(im, fs);
	miskeyed_traded(&s);
}

/*
 * The order broken across two leaves, each leaf's keys still ascending:
 * drec_swap.py trades the last record of one leaf for the first of the
 * next (each layout's leaves as `mkimage` lays them out: /many's m0159.txt
 * ... m0245.txt, then m0246.txt ... m0332.txt; /d00000's first leaf ends
 * with f00000746.txt, the next begins with f00000020.txt).  The first leaf
 * then ends past the second's index key, and the second begins below it:
 * a walk resumed at the first leaf's last key lands in the second and would
 * pass over the record moved there.  Read one entry a call, so that a walk
 * stops at every entry: with unhashed records the stop past that leaf is
 * not kept and counting lists each name once; a resume by hash into either
 * leaf is refused as damage, also straight after the first leaf's last
 * entry (f00000020.txt's record now), which lands in the second leaf only.
 * A walk from the start lists all 999, though the thread's cursor holds the
 * first leaf (a walk on from that leaf's end would pass over the second's
 * first record).
 */
static void test_readdir_cross_leaf(void **state)
{
	static struct scale_names s;
	apfsi_image *im;
	apfsi_fs *fs;
	uint64_t dir;

	(void)state;
	swapped_many_once("uhcross.img", "m0245.txt", "m0246.txt", 1);
	/*
	 * Each name's search lands in the leaf that lost it.  m0245.txt's
	 * finds there no key of that leaf's range past it (m0246.txt, traded
	 * in, is the next leaf's) and walks on to find it; m0246.txt's meets
	 * larger keys of its leaf, which strays, and looks where the key that
	 * leaf holds of another's range belongs (m0245.txt's leaf): found
	 * there, as on the undamaged image (damage, before).
	 */
	open_fs("uhcross.img", NULL, 0, &im, &fs);
	lookup_is(fs, "/many", "m0245.txt", APFSI_OK, UH_INO(245));
	lookup_is(fs, "/many", "m0246.txt", APFSI_OK, UH_INO(246));
	lookup_is(fs, "/many", "m1000.txt", APFSI_OK, UH_INO(1000));
	close_fs(im, fs);

	/*
	 * Hashed: a search by hash sorts before the index key's full key, so
	 * f00000020.txt's lands in the first leaf, which now holds it;
	 * f00000746.txt's walks on past the key traded in, as m0245.txt's.
	 */
	dir = swapped_dir("sccross.img", "f00000746.txt", "f00000020.txt", "/d00000", &im, &fs);
	lookup_is(fs, "/d00000", "f00000746.txt", APFSI_OK, SC_INO(746));
	lookup_is(fs, "/d00000", "f00000020.txt", APFSI_OK, SC_INO(20));
	lookup_is(fs, "/d00000", "f00000500.txt", APFSI_OK, SC_INO(500));
	assert_int_equal(page_scale(fs, dir, 1, &s), APFSI_ERR_CORRUPT);
	assert_non_null(strstr(apfsi_last_message(), RESUME_REFUSED));
	/* one walk from the start, the cursor warm; then a resume after f00000020.txt */
	assert_int_equal(page_scale(fs, dir, 999, &s), APFSI_OK);
	assert_int_equal(s.n, 999);
	assert_int_equal(apfsi_fs_readdir(fs, dir, s.cookie[20], scale_take, &s),
			 APFSI_ERR_CORRUPT);
	close_fs(im, fs);
}

/*
 * Records traded between the middles of two leaves (m0200.txt and
 * m0300.txt; f00000746.txt and f00000344.txt): each leaf's first and last
 * keys still in range, one key inside each not.  A lookup of either name
 * lands in the leaf that lost it, and is looked for where the key traded
 * in belongs, the other leaf, and found: unhashed, a search for one key
 * (damage, before 3bc9a13); hashed, a search among the names of a hash
 * for the one it wants, which takes it in any order (apfs_btree_find_one;
 * damage, before: such a search could not tell a traded record from one
 * out of order).  The hashed
 * search for f00000020.txt, the untouched first record of the second leaf,
 * lands in the first (its hash sorts before the index key's full key),
 * passes over the key traded in there, which is not of that leaf's range,
 * and walks on to find it.
 */
static void test_lookup_traded_mid(void **state)
{
	apfsi_image *im;
	apfsi_fs *fs;

	(void)state;
	swapped_dir("uhmid.img", "m0200.txt", "m0300.txt", "/many", &im, &fs);
	lookup_is(fs, "/many", "m0200.txt", APFSI_OK, UH_INO(200));
	lookup_is(fs, "/many", "m0300.txt", APFSI_OK, UH_INO(300));
	lookup_is(fs, "/many", "m0250.txt", APFSI_OK, UH_INO(250));
	lookup_is(fs, "/many", "m1234.txt", APFSI_OK, UH_INO(1234));
	close_fs(im, fs);

	swapped_dir("scmid.img", "f00000746.txt", "f00000344.txt", "/d00000", &im, &fs);
	lookup_is(fs, "/d00000", "f00000746.txt", APFSI_OK, SC_INO(746));
	lookup_is(fs, "/d00000", "f00000344.txt", APFSI_OK, SC_INO(344));
	lookup_is(fs, "/d00000", "f00000020.txt", APFSI_OK, SC_INO(20));
	lookup_is(fs, "/d00000", "f00000500.txt", APFSI_OK, SC_INO(500));
	close_fs(im, fs);
}

/* The inode of the root's entry named name (found by readdir: a stat would look further). */
struct named {
	const char *name;
	uint64_t ino;
};

static int find_named(const struct apfsi_dirent *e, void *arg)
{
	struct named *n = arg;

	if (!strcmp(e->name, n->name))
		n->ino = e->ino;
	return 0;
}

static uint64_t root_entry(apfsi_fs *fs, const char *name)
{
	struct named n = { name, 0 };

	assert_int_equal(apfsi_fs_readdir(fs, APFSI_ROOT_INO, 0, find_named, &n), APFSI_OK);
	assert_true(n.ino != 0);
	return n.ino;
}

static int count_xattr(const char *name, uint64_t size, void *arg)
{
	(void)name, (void)size;
	++*(unsigned *)arg;
	return 0;
}

static int count_link(uint64_t parent, const char *name, void *arg)
{
	(void)parent, (void)name;
	++*(unsigned *)arg;
	return 0;
}

/*
 * A file's extended attribute, or a hard link's sibling link, traded into
 * another leaf (fstree_edit.py trade), in mkimage from-dir of a host tree:
 * 400 files f000 ... f399 with one xattr each, and two hard links a-link1/2
 * and z-link1/2, so the traded records' files stand at the two ends of the
 * tree.  Each file's leaf then strays outside its range: listing its
 * attributes or its names is damage, not a list one short.  (stat, the CLI's
 * and the mount's, fails before it lists: its own lookups meet the leaf.)
 */
static void test_traded_xattr_and_link(void **state)
{
	static const char *const xf[] = { "f000", "f399" }, *const lf[] = { "a-link1", "z-link1" };
	const char *t = getenv("TESTS");
	apfsi_image *im;
	apfsi_fs *fs;
	unsigned n;

	(void)state;
	if (sh("cd '%s' && mkdir host && cd host && python3 -c \"import os; "
	       "[(open('f%%03d' %% i, 'w').write('file'), os.setxattr('f%%03d' %% i, "
	       "'user.com.example.note', b'note %%03d' %% i)) for i in range(400)]; "
	       "[(open(p + '-link1', 'w').write(p), os.link(p + '-link1', p + '-link2')) "
	       "for p in 'az']\" 2>/dev/null", scratch_dir)) {
		skip();  /* no user xattrs where $TMPDIR is */
		return;
	}
	assert_int_equal(sh("cd '%s' && '%s' from-dir x0.img --dir host > /dev/null && "
			    "cp x0.img xt.img && cp x0.img lt.img && "
			    "python3 '%s/tools/fstree_edit.py' xt.img trade f000 4 0 f399 4 0 && "
			    "python3 '%s/tools/fstree_edit.py' lt.img trade a-link1 5 0 z-link1 5 0",
			    scratch_dir, getenv("MKIMAGE"), t, t), 0);
	for (int img = 0; img < 2; img++) {
		open_fs(img ? "xt.img" : "x0.img", NULL, 0, &im, &fs);
		for (int i = 0; i < 2; i++) {
			n = 0;
			assert_int_equal(apfsi_fs_listxattr(fs, root_entry(fs, xf[i]), 0,
							    count_xattr, &n),
					 img ? APFSI_ERR_CORRUPT : APFSI_OK);
			assert_int_equal(n, img ? n : 1);  /* user.com.example.note */
		}
		close_fs(im, fs);
		open_fs(img ? "lt.img" : "x0.img", NULL, 0, &im, &fs);
		for (int i = 0; i < 2; i++) {
			n = 0;
			assert_int_equal(apfsi_fs_links(fs, root_entry(fs, lf[i]), count_link, &n),
					 img ? APFSI_ERR_CORRUPT : APFSI_OK);
			assert_int_equal(n, img ? n : 2);  /* -link1 and -link2 */
		}
		close_fs(im, fs);
	}
}

/*
 * The directory iterator reads 256 entries a batch and resumes at the last
 * one's key.  With m0255.txt's and m0260.txt's slots swapped (one leaf:
 * m0246.txt ... m0332.txt), the first batch ends with m0260.txt's record; a
 * walk from that key would pass over m0255.txt ... m0259.txt.  Refused as
 * damage instead, each name handed out once before.
 */
static void test_dir_batch_unordered_leaf(void **state)
{
	const struct apfsi_dirent *e;
	static uint8_t seen[UH_MANY];
	apfsi_image *im;
	apfsi_dir *d;
	apfsi_fs *fs;
	uint64_t many;
	unsigned i;
	int ret;

	(void)state;
	many = swapped_dir("uhswap2.img", "m0255.txt", "m0260.txt", "/many", &im, &fs);
	assert_int_equal(apfsi_dir_open(fs, many, 0, &d), APFSI_OK);
	while ((ret = apfsi_dir_next(d, &e)) == APFSI_OK && e) {
		assert_int_equal(sscanf(e->name, "m%4u.txt", &i), 1);
		assert_true(i < UH_MANY && !seen[i]++);
	}
	assert_int_equal(ret, APFSI_ERR_CORRUPT);
	apfsi_dir_close(d);
	close_fs(im, fs);
}

/*
 * A scale directory through the library's iterator: each name f%08u.txt
 * in [lo, hi) and never twice (marked in seen[]), *n of them; what the
 * iterator ended with.
 */
static int iter_scale(apfsi_fs *fs, uint64_t dir, unsigned lo, unsigned hi, uint8_t *seen,
		      unsigned *n)
{
	const struct apfsi_dirent *e;
	apfsi_dir *d;
	unsigned i;
	int ret;

	*n = 0;
	assert_int_equal(apfsi_dir_open(fs, dir, 0, &d), APFSI_OK);
	while ((ret = apfsi_dir_next(d, &e)) == APFSI_OK && e) {
		assert_int_equal(sscanf(e->name, "f%8u.txt", &i), 1);
		assert_true(i >= lo && i < hi && !seen[i]++);
		(*n)++;
	}
	apfsi_dir_close(d);
	return ret;
}

/*
 * The same across two leaves, each sound by its order: in `scale --per-dir
 * 267`, /d00001's fourth leaf ends the first batch of 256 with
 * f00000415.txt, the fifth begins with f00000373.txt (that layout's leaves,
 * as mkimage lays them out).  drec_swap.py --rekey f00000415.txt keys the
 * fifth at f00000415.txt, then the two trade places: the fifth begins at
 * its key, the fourth holds f00000373.txt past its range, last.  A second
 * batch, from that key, would land in the fifth leaf past f00000415.txt
 * and pass over it (266 of 267 names were listed, no error).  The first
 * batch met the fourth leaf: the next is refused, each name handed out
 * once before.
 */
static void test_dir_batch_misplaced(void **state)
{
	static uint8_t seen[1000];
	apfsi_image *im;
	apfsi_fs *fs;
	uint64_t dir;
	unsigned n;

	(void)state;
	assert_int_equal(sh("python3 '%s/tools/drec_swap.py' '%s' --rekey f00000415.txt",
			    getenv("TESTS"), img_path("scbatch.img")), 0);
	dir = swapped_dir("scbatch.img", "f00000415.txt", "f00000373.txt", "/d00001", &im, &fs);
	assert_int_equal(iter_scale(fs, dir, 267, 534, seen, &n), APFSI_ERR_CORRUPT);
	assert_non_null(strstr(apfsi_last_message(), RESUME_REFUSED));
	assert_int_equal(n, 256);
	assert_int_equal(seen[373], 1);
	close_fs(im, fs);
}

/*
 * A damaged leaf that holds only another directory's names marks nothing
 * of this one: in `scale --per-dir 260`, /d00001's names end a leaf (with
 * /d00002's inode record after them) and /d00002's begin the next.  With
 * two of /d00001's names swapped in their leaf (drec_swap.py), a walk of
 * /d00002 from its start lands in that leaf (its 8-byte key sorts before
 * every name) and passes on: /d00002 read ten names a call, or a batch at
 * a time, lists its 260, rc 0 (its resumes were refused while a walk's
 * mark counted every leaf it entered).  /d00001's own are refused.
 */
static void test_readdir_damaged_neighbour(void **state)
{
	static struct scale_names s;
	static uint8_t seen[999];
	apfsi_image *im;
	apfsi_fs *fs;
	uint64_t dir;
	unsigned n;

	(void)state;
	dir = swapped_dir("scneigh.img", "f00000474.txt", "f00000312.txt", "/d00002", &im, &fs);
	assert_int_equal(page_scale(fs, dir, 10, &s), APFSI_OK);
	assert_int_equal(s.n, 260);
	assert_int_equal(iter_scale(fs, dir, 520, 780, seen, &n), APFSI_OK);
	assert_int_equal(n, 260);
	close_fs(im, fs);
	dir = open_dir("scneigh.img", "/d00001", &im, &fs);
	assert_int_equal(page_scale(fs, dir, 10, &s), APFSI_ERR_CORRUPT);
	assert_non_null(strstr(apfsi_last_message(), RESUME_REFUSED));
	close_fs(im, fs);
}

/*
 * `dir_leaf.py IMG DIR ARGS` (tests/tools): the block of the node it
 * names, returned; the numbers of the names below it (fmt, one %u, each
 * under cap) marked once each in in[], their count in *n.
 */
static unsigned dir_leaf_names(const char *img, const char *args, const char *fmt,
			       unsigned cap, uint8_t *in, unsigned *n)
{
	char line[256], path[1024];
	unsigned blk = 0, i;
	FILE *f;

	snprintf(path, sizeof(path), "%s.dl", img_path(img));
	assert_int_equal(sh("python3 '%s/tools/dir_leaf.py' '%s' %s > '%s'", getenv("TESTS"),
			    img_path(img), args, path), 0);
	assert_non_null(f = fopen(path, "r"));
	assert_int_equal(fscanf(f, "%u\n", &blk), 1);
	for (*n = 0; fgets(line, sizeof(line), f); (*n)++) {
		assert_int_equal(sscanf(line, fmt, &i), 1);
		assert_true(i < cap && !in[i]++);
	}
	fclose(f);
	return blk;
}

/* Block blk of img (4 KiB blocks) its checksum broken: byte 300 inverted. */
static void break_block(const char *img, unsigned blk)
{
	FILE *f;
	int c;

	assert_non_null(f = fopen(img_path(img), "r+b"));
	assert_int_equal(fseek(f, (long)blk * 4096 + 300, SEEK_SET), 0);
	c = fgetc(f);
	assert_int_equal(fseek(f, (long)blk * 4096 + 300, SEEK_SET), 0);
	fputc(c ^ 0xff, f);
	fclose(f);
}

/*
 * A leaf of /d00000 whose checksum fails, in `scale --per-dir 260` (its
 * names f00000000.txt ... f00000259.txt; the leaf, the second of the
 * directory's, and its names from tests/tools/dir_leaf.py): read ten
 * names a call, or all in one, every name of the other leaves is listed
 * once and the listing's end says APFSI_ERR_INCOMPLETE; each call of ten
 * past the leaf, the directory not ended, returns as ever (the loss rides
 * in the cookie to the end).
 */
static void test_readdir_past_unreadable(void **state)
{
	static struct scale_names s;
	static uint8_t lost[260];
	unsigned i, nlost;
	apfsi_image *im;
	apfsi_fs *fs;
	uint64_t dir;

	(void)state;
	break_block("sclost.img", dir_leaf_names("sclost.img", "d00000", "f%8u.txt", 260, lost,
						 &nlost));
	assert_true(nlost > 10 && nlost < 250);
	dir = open_dir("sclost.img", "/d00000", &im, &fs);
	for (unsigned page = 10; page <= 1000; page += 990) {
		assert_int_equal(page_scale(fs, dir, page, &s), APFSI_ERR_INCOMPLETE);
		assert_int_equal(s.n, 260 - nlost);
		for (i = 0; i < 999; i++)
			assert_int_equal(s.seen[i], i < 260 && !lost[i]);
	}
	close_fs(im, fs);
}

/*
 * One record of /d00000's (`scale --per-dir 260`), the 251st in key order,
 * whose table-of-contents slot points outside its leaf (fstree_edit.py
 * unlocate): the leaf's other keys ascend within its range.  Read ten
 * names a call (each call resuming by hash, many in that leaf) and by the
 * library's iterator (its second batch resumes there, by key): the other
 * 259 names, each once, then APFSI_ERR_INCOMPLETE.  Before, the leaf
 * counted as out of order and the first resume in it was refused (the
 * CLI's windows past about 240,000 names, the mount past 16,384).
 */
static void test_readdir_past_unlocated(void **state)
{
	static struct scale_names s;
	static uint8_t seen[999];
	apfsi_image *im;
	apfsi_fs *fs;
	uint64_t dir;
	unsigned n;

	(void)state;
	assert_int_equal(sh("python3 '%s/tools/fstree_edit.py' '%s' unlocate d00000 9 250 "
			    "> /dev/null", getenv("TESTS"), img_path("scunloc.img")), 0);
	dir = open_dir("scunloc.img", "/d00000", &im, &fs);
	assert_int_equal(page_scale(fs, dir, 10, &s), APFSI_ERR_INCOMPLETE);
	assert_int_equal(s.n, 259);
	for (unsigned i = 0; i < 999; i++)
		assert_true(i < 260 || !s.seen[i]);
	assert_int_equal(iter_scale(fs, dir, 0, 260, seen, &n), APFSI_ERR_INCOMPLETE);
	assert_int_equal(n, 259);
	assert_memory_equal(seen, s.seen, sizeof(seen));
	close_fs(im, fs);
}

/* A directory's names (fmt, one %u under cap) read limit a call, by cookie. */
struct pager {
	uint8_t *seen;
	const char *fmt;
	unsigned cap, limit, n, taken;
	uint64_t last;
};

static int page_take(const struct apfsi_dirent *e, void *arg)
{
	struct pager *p = arg;
	unsigned i;

	if (p->taken == p->limit)
		return 1;
	assert_int_equal(sscanf(e->name, p->fmt, &i), 1);
	assert_true(i < p->cap && !p->seen[i]++);  /* never the same name twice */
	p->taken++;
	p->n++;
	p->last = e->cookie;
	return 0;
}

/* The rest of dir by p's pages, each call after the first limit names: the last call's answer. */
static int page_all(apfsi_fs *fs, uint64_t dir, struct pager *p, unsigned limit)
{
	int ret;

	do {
		p->taken = 0;
		ret = apfsi_fs_readdir(fs, dir, p->last, page_take, p);
		p->limit = limit;
	} while (ret == 1);
	return ret;
}

/*
 * /d00000 of 17,000 files (a tree of three levels), the root's record for
 * the second index node above its leaves placed outside the root
 * (fstree_edit.py unlocatechild): read 77 names a call, by cookie, every
 * name but those below that node (dir_leaf.py --index), then
 * APFSI_ERR_INCOMPLETE.  The last leaf below the index node before took
 * the root's bound for its own and was kept as a walk's start, from which
 * the walk went on past the lost subtree: found in review, 9,608 names, OK.
 */
static void test_readdir_past_lost_index(void **state)
{
	static uint8_t lost[17000], seen[17000];
	struct pager p = { seen, "f%8u.txt", 17000, 77, 0, 0, 0 };
	unsigned blk, i, nlost;
	apfsi_image *im;
	apfsi_fs *fs;
	uint64_t dir;

	(void)state;
	blk = dir_leaf_names("scix.img", "d00000 2 --index", "f%8u.txt", 17000, lost, &nlost);
	assert_true(nlost > 1000 && nlost < 16000);
	assert_int_equal(sh("python3 '%s/tools/fstree_edit.py' '%s' unlocatechild %u > /dev/null",
			    getenv("TESTS"), img_path("scix.img"), blk), 0);
	dir = open_dir("scix.img", "/d00000", &im, &fs);
	assert_int_equal(page_all(fs, dir, &p, 77), APFSI_ERR_INCOMPLETE);
	assert_int_equal(p.n, 17000 - nlost);
	for (i = 0; i < 17000; i++)
		assert_int_equal(p.seen[i], !lost[i]);
	close_fs(im, fs);
}

/* The log's messages naming the bad checksum of block *arg. */
static unsigned csum_named;

static void csum_log(int level, const char *message, void *arg)
{
	char want[64];

	(void)level;
	snprintf(want, sizeof(want), "bad checksum in file-system tree at block %u",
		 *(const unsigned *)arg);
	csum_named += strstr(message, want) != NULL;
}

/*
 * Without name hashes (`unhashed`: /many's m0000.txt ... m2999.txt, its
 * second leaf's checksum broken): a call stopped at the first name past
 * that leaf kept that name's key to resume at, and the next call, from
 * there, never met the leaf: 3000 less the leaf's names, and OK.  No key
 * is kept past a loss where the cookie resumed from does not carry it:
 * that resume counts from the start, meets the leaf again, and the
 * listing ends APFSI_ERR_INCOMPLETE.  One whose cookie carries the loss
 * resumes by key: the leaf is read twice in all, not once a call (30
 * times, each call counting from the start: quadratic in the pages).
 */
static void test_readdir_unhashed_past_unreadable(void **state)
{
	static uint8_t first[3000], lost[3000], seen[3000];
	struct pager p = { seen, "m%4u.txt", 3000, 0, 0, 0, 0 };
	unsigned blk, nfirst, nlost;
	apfsi_image *im;
	apfsi_fs *fs;
	uint64_t dir;
	int ret;

	(void)state;
	dir_leaf_names("uhlost.img", "many 1", "m%4u.txt", 3000, first, &nfirst);
	blk = dir_leaf_names("uhlost.img", "many 2", "m%4u.txt", 3000, lost, &nlost);
	assert_true(nfirst > 0 && nlost > 0);
	break_block("uhlost.img", blk);
	dir = open_dir("uhlost.img", "/many", &im, &fs);
	p.limit = nfirst;  /* the first call stops at the first name past the leaf */
	csum_named = 0;
	apfsi_set_log(csum_log, APFSI_LOG_ERROR, &blk);
	ret = page_all(fs, dir, &p, 100);
	apfsi_set_log(NULL, 0, NULL);
	assert_int_equal(ret, APFSI_ERR_INCOMPLETE);
	assert_int_equal(csum_named, 2);
	assert_int_equal(p.n, 3000 - nlost);
	for (unsigned i = 0; i < 3000; i++)
		assert_int_equal(p.seen[i], !lost[i]);
	close_fs(im, fs);
}

/* /d00001 of sctrade.img read whole, f00000260.txt to f00000519.txt: what the walk said. */
static int traded_listing(const char *a, const char *b, struct scale_names *s)
{
	apfsi_image *im;
	apfsi_fs *fs;
	uint64_t dir;
	int ret;

	dir = swapped_dir("sctrade.img", a, b, "/d00001", &im, &fs);
	ret = page_scale(fs, dir, 999, s);
	for (unsigned i = 0; ret == APFSI_OK && i < 999; i++)
		assert_int_equal(s->seen[i], i >= 260 && i < 520);
	close_fs(im, fs);
	return ret;
}

/*
 * Nothing lost, many keys out of range: the index key of the leaf after
 * the one where /d00000's names end is lowered to f00000382.txt's, a
 * /d00001 name ten before that leaf's end (drec_swap.py --rekey), which
 * then holds those ten past its range.  They all belong in the next leaf,
 * looked in once: /d00000, whose walk ends in that leaf, lists its 260
 * (refused while each key sent a look of its own, at the ninth).
 */
static void lowered_key(struct scale_names *s)
{
	apfsi_image *im;
	apfsi_fs *fs;
	uint64_t dir;

	assert_int_equal(sh("python3 '%s/tools/drec_swap.py' '%s' --rekey f00000382.txt",
			    getenv("TESTS"), img_path("sctrade.img")), 0);
	dir = open_dir("sctrade.img", "/d00000", &im, &fs);
	assert_int_equal(page_scale(fs, dir, 999, s), APFSI_OK);
	for (unsigned i = 0; i < 999; i++)
		assert_int_equal(s->seen[i], i < 260);
	close_fs(im, fs);
}

/*
 * The trade of test_walk_traded_away's first case (f00000372.txt, in
 * /d00001's last leaf, with f00000747.txt, /d00002's first), then the
 * index key of /d00002's first leaf raised to its second name's,
 * f00000753.txt (drec_swap.py --raise): f00000747.txt is back inside the
 * range of the leaf it went to, which only goes out of order, and the
 * leaf holding f00000372.txt, below its range, is the next, which the
 * walk ends before.  It is looked in, as the walk ends in a leaf out of
 * order: refused, named (listed 259, rc 0, before).
 */
static void raised_trade(struct scale_names *s)
{
	apfsi_image *im;
	apfsi_fs *fs;
	uint64_t dir;

	swapped_dir("scraise.img", "f00000372.txt", "f00000747.txt", "/d00001", &im, &fs);
	close_fs(im, fs);
	assert_int_equal(sh("python3 '%s/tools/drec_swap.py' '%s' --raise f00000753.txt",
			    getenv("TESTS"), img_path("scraise.img")), 0);
	dir = open_dir("scraise.img", "/d00001", &im, &fs);
	assert_int_equal(page_scale(fs, dir, 999, s), APFSI_ERR_CORRUPT);
	assert_non_null(strstr(apfsi_last_message(), TRADED_AWAY));
	close_fs(im, fs);
}

/*
 * A single walk (no resume) that cannot see a record traded away from a
 * leaf it reads.  In `scale --per-dir 260`, /d00001's names fill four
 * leaves, its first shared with /d00000's last names, its last ending at
 * /d00002's inode record, where the walk stops; /d00002's names begin the
 * next leaf.  f00000372.txt (/d00001's, in the last leaf) traded with
 * f00000747.txt (/d00002's first): the walk ends in range at /d00002's
 * inode record and never reads the next leaf (listed 259, rc 0, before).
 * Traded back, then f00000437.txt (/d00001's, in its first leaf) with
 * f00000163.txt (/d00000's, in the leaf before): the walk begins past the
 * leaf before (259, rc 0, before).  Both refused, named.  A trade between
 * two of its own leaves, f00000379.txt with f00000448.txt (the second
 * leaf's first, the last's first), loses nothing: both are read, 260.
 */
static void test_walk_traded_away(void **state)
{
	static struct scale_names s;

	(void)state;
	assert_int_equal(traded_listing("f00000372.txt", "f00000747.txt", &s), APFSI_ERR_CORRUPT);
	assert_non_null(strstr(apfsi_last_message(), TRADED_AWAY));
	assert_int_equal(traded_listing("f00000372.txt", "f00000747.txt", &s), APFSI_OK);
	assert_int_equal(s.n, 260);
	assert_int_equal(traded_listing("f00000437.txt", "f00000163.txt", &s), APFSI_ERR_CORRUPT);
	assert_non_null(strstr(apfsi_last_message(), TRADED_AWAY));
	assert_int_equal(traded_listing("f00000437.txt", "f00000163.txt", &s), APFSI_OK);
	assert_int_equal(traded_listing("f00000379.txt", "f00000448.txt", &s), APFSI_OK);
	assert_int_equal(s.n, 260);
	assert_int_equal(traded_listing("f00000379.txt", "f00000448.txt", &s), APFSI_OK);
	lowered_key(&s);  /* on the image as made, those two traded back */
	raised_trade(&s);
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
		cmocka_unit_test(test_numbers_past_60_bits),
		cmocka_unit_test(test_readdir_unhashed),
		cmocka_unit_test(test_readdir_unordered_leaf),
		cmocka_unit_test(test_readdir_unordered_hashed),
		cmocka_unit_test(test_readdir_cross_leaf),
		cmocka_unit_test(test_readdir_miskeyed_hashed),
		cmocka_unit_test(test_lookup_traded_mid),
		cmocka_unit_test(test_dir_batch_unordered_leaf),
		cmocka_unit_test(test_dir_batch_misplaced),
		cmocka_unit_test(test_readdir_damaged_neighbour),
		cmocka_unit_test(test_readdir_past_unreadable),
		cmocka_unit_test(test_readdir_unhashed_past_unreadable),
		cmocka_unit_test(test_readdir_past_unlocated),
		cmocka_unit_test(test_readdir_past_lost_index),
		cmocka_unit_test(test_walk_traded_away),
		cmocka_unit_test(test_traded_xattr_and_link),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_usage_group),
	};

	return cmocka_run_group_tests(tests, setup, scratch_teardown);
}
