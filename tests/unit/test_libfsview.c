/* SPDX-License-Identifier: MIT */
/*
 * test_libfsview.c - the public calls the reading commands take instead of
 * apfs/ (include/apfsinspect.h): apfsi_fs_lookup, apfsi_fs_stat_many,
 * apfsi_fs_dir_stats, apfsi_file_span, apfsi_file_runs, apfsi_fs_xattr_runs,
 * the merged root's apfsi_fs_is_group/firmlink/origin/elsewhere and
 * apfsi_fs_cache_lend/repay.  Expected values come from testdata/README.md
 * (the small tree, `dir-stats`, `large`, `huge-file`, `compression`,
 * `macos-boot`), and byte runs are checked against the image file itself,
 * read with pread(2) at each run's img_offset.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "apfsinspect.h"

#include "libtest_fs.h"

/* README: "All timestamps are 2026-01-01T00:00:00Z". */
#define T2026 (INT64_C(1767225600) * 1000000000)
#define MIB (UINT64_C(1) << 20)
#define GIB (UINT64_C(1) << 30)
#define BS 4096u  /* the generator's default block size */
#define MAXE 64

static int setup(void **state)
{
	(void)state;
	return scratch_setup("libfsview", "basic basic.img", "dir-stats stats.img",
			     "large large.img", "huge-file huge.img", "compression cmp.img",
			     /* plain Data volume: the merged root needs no unlock */
			     "macos-boot mb.img --unencrypted", "basic gpt.img --gpt", "demo demo.img",
			     NULL);
}

static uint64_t ino_of(apfsi_fs *fs, const char *path)
{
	struct apfsi_stat st;

	assert_int_equal(apfsi_fs_stat_path(fs, path, &st), APFSI_OK);
	return st.ino;
}

/* ---- lookup ------------------------------------------------------------- */

static void expect_lookup(apfsi_fs *fs, const char *path, const char *stored,
			  enum apfsi_file_type type)
{
	struct apfsi_dirent d;
	char name[256];

	assert_int_equal(apfsi_fs_lookup(fs, path, &d, name, sizeof(name)), APFSI_OK);
	assert_ptr_equal(d.name, name);
	assert_string_equal(name, stored);
	assert_int_equal(d.type, type);
	assert_int_equal(d.ino, ino_of(fs, path));
}

static void test_lookup(void **state)
{
	struct apfsi_dirent d;
	apfsi_image *im;
	apfsi_fs *fs;
	char name[256];

	(void)state;
	open_fs("basic.img", NULL, 0, &im, &fs);
	expect_lookup(fs, "/", "/", APFSI_TYPE_DIR);
	assert_int_equal(ino_of(fs, "/"), APFSI_ROOT_INO);
	expect_lookup(fs, "/hello.txt", "hello.txt", APFSI_TYPE_FILE);
	expect_lookup(fs, "/dir", "dir", APFSI_TYPE_DIR);
	expect_lookup(fs, "/dir/sub/deep.txt", "deep.txt", APFSI_TYPE_FILE);
	expect_lookup(fs, "/link", "link", APFSI_TYPE_SYMLINK);
	/* The directory record's date_added: every timestamp is 2026-01-01. */
	assert_int_equal(apfsi_fs_lookup(fs, "/hello.txt", &d, name, sizeof(name)), APFSI_OK);
	assert_int_equal(d.date_added, T2026);
	/* `basic` is case-insensitive, its names hashed NFD + case-folded: other
	 * spellings find the entry and give the name as stored (Café.txt in NFC). */
	expect_lookup(fs, "/HELLO.TXT", "hello.txt", APFSI_TYPE_FILE);
	expect_lookup(fs, "/Dir/SUB/Deep.Txt", "deep.txt", APFSI_TYPE_FILE);
	expect_lookup(fs, "/Cafe\xcc\x81.txt", "Caf\xc3\xa9.txt", APFSI_TYPE_FILE);
	expect_lookup(fs, "/CAFE\xcc\x81.TXT", "Caf\xc3\xa9.txt", APFSI_TYPE_FILE);
	assert_int_equal(ino_of(fs, "/CAFE\xcc\x81.TXT"), ino_of(fs, "/Caf\xc3\xa9.txt"));
	apfsi_fs_close(fs);
	apfsi_image_close(im);
}

static void test_lookup_errors(void **state)
{
	struct apfsi_dirent d;
	apfsi_image *im;
	apfsi_fs *fs;
	char name[256];

	(void)state;
	open_fs("basic.img", NULL, 0, &im, &fs);
	assert_int_equal(apfsi_fs_lookup(fs, "/nope", &d, name, sizeof(name)), APFSI_ERR_NOT_FOUND);
	assert_int_equal(apfsi_fs_lookup(fs, "/dir/nope", &d, name, sizeof(name)),
			 APFSI_ERR_NOT_FOUND);
	/* "hello.txt" is 9 bytes: 10 hold it with its NUL, 9 do not. */
	assert_int_equal(apfsi_fs_lookup(fs, "/hello.txt", &d, name, 9), APFSI_ERR_NAME_TOO_LONG);
	assert_int_equal(apfsi_fs_lookup(fs, "/hello.txt", &d, name, 10), APFSI_OK);
	assert_string_equal(name, "hello.txt");
	assert_int_equal(apfsi_fs_lookup(fs, "/", &d, name, 1), APFSI_ERR_NAME_TOO_LONG);
	assert_int_equal(apfsi_fs_lookup(fs, "/", &d, name, 2), APFSI_OK);
	assert_string_equal(name, "/");
	assert_int_equal(apfsi_fs_lookup(NULL, "/", &d, name, sizeof(name)), APFSI_ERR_INVALID);
	assert_int_equal(apfsi_fs_lookup(fs, NULL, &d, name, sizeof(name)), APFSI_ERR_INVALID);
	assert_int_equal(apfsi_fs_lookup(fs, "/", NULL, name, sizeof(name)), APFSI_ERR_INVALID);
	assert_int_equal(apfsi_fs_lookup(fs, "/", &d, NULL, sizeof(name)), APFSI_ERR_INVALID);
	assert_int_equal(apfsi_fs_lookup(fs, "/", &d, name, 0), APFSI_ERR_INVALID);
	apfsi_fs_close(fs);
	apfsi_image_close(im);
}

/* ---- stat_many ---------------------------------------------------------- */

/* A caller's own records holding inode numbers: what the stride is for. */
struct rec {
	char name[256];
	uint64_t ino;
	uint32_t tag;
};

struct many {
	struct rec r[MAXE];
	size_t n;
	unsigned calls[MAXE];
	int err[MAXE];
	bool got_st[MAXE];
	struct apfsi_stat st[MAXE];
	size_t order[MAXE];  /* the indexes in the order the callbacks came */
	size_t ncalls;
};

static int add_entry(const struct apfsi_dirent *e, void *arg)
{
	struct many *m = arg;

	if (m->n >= MAXE)
		return 1;
	snprintf(m->r[m->n].name, sizeof(m->r[0].name), "%s", e->name);
	m->r[m->n++].ino = e->ino;
	return 0;
}

/* No asserts here: a longjmp out of the library's walk would leak its array. */
static void keep(size_t i, const struct apfsi_stat *st, int error, void *arg)
{
	struct many *m = arg;

	if (m->ncalls < MAXE)
		m->order[m->ncalls] = i;
	m->ncalls++;
	if (i >= MAXE)
		return;
	m->calls[i]++;
	m->err[i] = error;
	m->got_st[i] = st != NULL;
	if (st)
		m->st[i] = *st;
}

static void same_stat(const struct apfsi_stat *a, const struct apfsi_stat *b)
{
	assert_int_equal(a->ino, b->ino);
	assert_int_equal(a->parent, b->parent);
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->mode, b->mode);
	assert_int_equal(a->uid, b->uid);
	assert_int_equal(a->gid, b->gid);
	assert_int_equal(a->nlink, b->nlink);
	assert_int_equal(a->size, b->size);
	assert_int_equal(a->allocated, b->allocated);
	assert_int_equal(a->crtime, b->crtime);
	assert_int_equal(a->mtime, b->mtime);
	assert_int_equal(a->ctime, b->ctime);
	assert_int_equal(a->atime, b->atime);
	assert_int_equal(a->added, b->added);
	assert_int_equal(a->bsd_flags, b->bsd_flags);
	assert_int_equal(a->compression, b->compression);
	assert_int_equal(a->flags, b->flags);
}

static const struct rec *rec_named(const struct many *m, const char *name, size_t *i)
{
	for (*i = 0; *i < m->n; (*i)++)
		if (!strcmp(m->r[*i].name, name))
			return &m->r[*i];
	fail_msg("no entry %s", name);
	return NULL;
}

/* What README's small tree says of a few entries. */
static void readme_facts(const struct many *m)
{
	size_t i;

	rec_named(m, "hello.txt", &i);
	assert_int_equal(m->st[i].size, 13);
	assert_int_equal(m->st[i].type, APFSI_TYPE_FILE);
	rec_named(m, "Caf\xc3\xa9.txt", &i);
	assert_int_equal(m->st[i].size, 6);           /* "café\n" */
	rec_named(m, "empty.txt", &i);
	assert_int_equal(m->st[i].size, 0);
	rec_named(m, "multi.bin", &i);
	assert_int_equal(m->st[i].size, 5 * BS + 100);
	rec_named(m, "hardlink-a.txt", &i);
	assert_int_equal(m->st[i].nlink, 2);          /* and /dir/hardlink-b.txt */
	assert_int_equal(m->st[i].size, 7);           /* "linked\n" */
	rec_named(m, "link", &i);
	assert_int_equal(m->st[i].type, APFSI_TYPE_SYMLINK);
	rec_named(m, "dir", &i);
	assert_int_equal(m->st[i].type, APFSI_TYPE_DIR);
	assert_int_equal(m->st[i].mtime, T2026);
}

static void test_stat_many(void **state)
{
	static struct many m;
	struct apfsi_stat st;
	apfsi_image *im;
	apfsi_fs *fs;
	size_t real, hello;

	(void)state;
	open_fs("basic.img", NULL, 0, &im, &fs);
	memset(&m, 0, sizeof(m));
	assert_int_equal(apfsi_fs_readdir(fs, APFSI_ROOT_INO, 0, add_entry, &m), APFSI_OK);
	assert_int_equal(m.n, 7);  /* README: the small tree's 6 + hardlink-a.txt */
	real = m.n;
	/* A number no inode has, and one inode twice: every place gets its call. */
	m.r[m.n++].ino = 0x7fffffff;
	rec_named(&m, "hello.txt", &hello);
	m.r[m.n++].ino = m.r[hello].ino;
	assert_int_equal(apfsi_fs_stat_many(fs, m.n, &m.r[0].ino, sizeof(m.r[0]), keep, &m),
			 APFSI_OK);
	assert_int_equal(m.ncalls, m.n);
	for (size_t i = 0; i < m.n; i++)
		assert_int_equal(m.calls[i], 1);
	/* "read in inode-number order" */
	for (size_t k = 1; k < m.ncalls; k++)
		assert_true(m.r[m.order[k - 1]].ino <= m.r[m.order[k]].ino);
	for (size_t i = 0; i < m.n; i++) {
		if (i == real) {
			assert_false(m.got_st[i]);
			assert_int_equal(m.err[i], APFSI_ERR_NOT_FOUND);
			continue;
		}
		assert_true(m.got_st[i]);
		assert_int_equal(m.err[i], APFSI_OK);
		assert_int_equal(apfsi_fs_stat(fs, m.r[i].ino, &st), APFSI_OK);
		same_stat(&m.st[i], &st);
		assert_int_equal(m.st[i].ino, m.r[i].ino);
		assert_int_equal(m.st[i].crtime, T2026);
	}
	readme_facts(&m);
	apfsi_fs_close(fs);
	apfsi_image_close(im);
}

static void test_stat_many_args(void **state)
{
	static struct many m;
	uint64_t one = APFSI_ROOT_INO;
	apfsi_image *im;
	apfsi_fs *fs;

	(void)state;
	open_fs("basic.img", NULL, 0, &im, &fs);
	memset(&m, 0, sizeof(m));
	assert_int_equal(apfsi_fs_stat_many(fs, 0, NULL, 0, keep, &m), APFSI_OK);
	assert_int_equal(apfsi_fs_stat_many(fs, 0, &one, sizeof(one), keep, &m), APFSI_OK);
	assert_int_equal(m.ncalls, 0);
	assert_int_equal(apfsi_fs_stat_many(NULL, 1, &one, sizeof(one), keep, &m),
			 APFSI_ERR_INVALID);
	assert_int_equal(apfsi_fs_stat_many(fs, 1, &one, sizeof(one), NULL, &m), APFSI_ERR_INVALID);
	assert_int_equal(apfsi_fs_stat_many(fs, 1, NULL, sizeof(one), keep, &m), APFSI_ERR_INVALID);
	assert_int_equal(apfsi_fs_stat_many(fs, 1, &one, 4, keep, &m), APFSI_ERR_INVALID);
	assert_int_equal(m.ncalls, 0);
	/* One inode, stride exactly 8: the root, a directory. */
	assert_int_equal(apfsi_fs_stat_many(fs, 1, &one, sizeof(one), keep, &m), APFSI_OK);
	assert_int_equal(m.ncalls, 1);
	assert_true(m.got_st[0]);
	assert_int_equal(m.st[0].ino, APFSI_ROOT_INO);
	assert_int_equal(m.st[0].type, APFSI_TYPE_DIR);
	apfsi_fs_close(fs);
	apfsi_image_close(im);
}

/* ---- dir_stats ---------------------------------------------------------- */

static void test_dir_stats(void **state)
{
	struct apfsi_dir_stats ds, sub;
	apfsi_image *im;
	apfsi_fs *fs;

	(void)state;
	open_fs("stats.img", NULL, 0, &im, &fs);
	/* README `dir-stats`: 4 entries below /dir, 7 + 7 + 5 = 19 bytes, gen_count 1. */
	assert_int_equal(apfsi_fs_dir_stats(fs, ino_of(fs, "/dir"), &ds), APFSI_OK);
	assert_int_equal(ds.num_children, 4);
	assert_int_equal(ds.total_size, 19);
	assert_int_equal(ds.gen_count, 1);
	assert_int_equal(ds.origin, 1);
	assert_int_not_equal(ds.key, 0);  /* "its 8-byte DIR_STATS_KEY field naming a record" */
	/* /dir/sub is a member: the same key, not the origin. */
	assert_int_equal(apfsi_fs_dir_stats(fs, ino_of(fs, "/dir/sub"), &sub), APFSI_OK);
	assert_int_equal(sub.key, ds.key);
	assert_int_equal(sub.origin, 0);
	assert_int_equal(apfsi_fs_dir_stats(fs, ino_of(fs, "/dir/nested.txt"), &ds),
			 APFSI_ERR_NOT_FOUND);
	assert_int_equal(apfsi_fs_dir_stats(fs, ino_of(fs, "/dir"), NULL), APFSI_ERR_INVALID);
	assert_int_equal(apfsi_fs_dir_stats(NULL, APFSI_ROOT_INO, &ds), APFSI_ERR_INVALID);
	close_fs(im, fs);
	/* `basic` keeps none ("Not in `basic`"). */
	open_fs("basic.img", NULL, 0, &im, &fs);
	assert_int_equal(apfsi_fs_dir_stats(fs, ino_of(fs, "/dir"), &ds), APFSI_ERR_NOT_FOUND);
	assert_int_equal(apfsi_fs_dir_stats(fs, ino_of(fs, "/hello.txt"), &ds),
			 APFSI_ERR_NOT_FOUND);
	assert_int_equal(apfsi_fs_dir_stats(fs, 0x7fffffff, &ds), APFSI_ERR_NOT_FOUND);
	close_fs(im, fs);
}

/* ---- file_span ---------------------------------------------------------- */

/* hole -1: either (at the end, where only len 0 is promised). */
static void expect_span(apfsi_file *f, uint64_t off, int hole, uint64_t len)
{
	int h = -1;
	uint64_t n = UINT64_MAX;

	apfsi_file_span(f, off, &h, &n);
	assert_true(h == 0 || h == 1);
	if (hole >= 0)
		assert_int_equal(h, hole);
	assert_int_equal(n, len);
}

static apfsi_file *open_path(apfsi_fs *fs, const char *path)
{
	apfsi_file *f;

	assert_int_equal(apfsi_file_open(fs, ino_of(fs, path), &f), APFSI_OK);
	return f;
}

static void test_span_sparse(void **state)
{
	apfsi_image *im;
	apfsi_fs *fs;
	apfsi_file *f;

	(void)state;
	open_fs("large.img", NULL, 0, &im, &fs);
	/* /holey.bin: block 0 `A`, a sparse extent, the last block `Z` (64 MiB). */
	f = open_path(fs, "/holey.bin");
	expect_span(f, 0, 0, BS);
	expect_span(f, 100, 0, BS - 100);
	expect_span(f, BS, 1, 64 * MIB - 2 * BS);
	expect_span(f, 32 * MIB, 1, 32 * MIB - BS);
	expect_span(f, 64 * MIB - BS, 0, BS);
	expect_span(f, 64 * MIB - 1, 0, 1);
	expect_span(f, 64 * MIB, -1, 0);
	expect_span(f, 100 * MIB, -1, 0);
	apfsi_file_close(f);
	/* /sparse-1g.bin: one sparse extent, 1 GiB. */
	f = open_path(fs, "/sparse-1g.bin");
	expect_span(f, 0, 1, GIB);
	expect_span(f, GIB, -1, 0);
	apfsi_file_close(f);
	close_fs(im, fs);
	/* /big-tail.bin: a 5 GiB sparse extent, then one block (offsets past 2^32). */
	open_fs("huge.img", NULL, 0, &im, &fs);
	f = open_path(fs, "/big-tail.bin");
	expect_span(f, 0, 1, 5 * GIB);
	expect_span(f, 5 * GIB, 0, BS);
	expect_span(f, 5 * GIB + BS, -1, 0);
	apfsi_file_close(f);
	close_fs(im, fs);
}

/* Spans from 0 cover the whole size, each > 0; returns the data bytes. */
static uint64_t walk_spans(apfsi_file *f)
{
	uint64_t off = 0, data = 0, len;
	int hole;

	while (off < apfsi_file_size(f)) {
		apfsi_file_span(f, off, &hole, &len);
		assert_true(len > 0 && len <= apfsi_file_size(f) - off);
		data += hole ? 0 : len;
		off += len;
	}
	return data;
}

static void test_span_data(void **state)
{
	apfsi_image *im;
	apfsi_fs *fs;
	apfsi_file *f;
	int hole;
	uint64_t len;

	(void)state;
	open_fs("large.img", NULL, 0, &im, &fs);
	f = open_path(fs, "/data-8m.bin");  /* 8 MiB of data in 8 extents */
	assert_int_equal(walk_spans(f), 8 * MIB);
	apfsi_file_close(f);
	f = open_path(fs, "/holey.bin");
	assert_int_equal(walk_spans(f), 2 * BS);
	apfsi_file_close(f);
	close_fs(im, fs);
	/* A compressed file is data throughout (README `compression`: 200000, 3000 bytes). */
	open_fs("cmp.img", "Compressed", 0, &im, &fs);
	f = open_path(fs, "/zlib-rsrc.txt");
	expect_span(f, 0, 0, 200000);
	expect_span(f, 1000, 0, 199000);
	expect_span(f, 200000, -1, 0);
	apfsi_file_close(f);
	f = open_path(fs, "/lzvn-xattr.txt");
	expect_span(f, 0, 0, 3000);
	apfsi_file_close(f);
	assert_int_equal(apfsi_file_open_fork(fs, ino_of(fs, "/zlib-rsrc.txt"), "rsrc", &f),
			 APFSI_OK);
	expect_span(f, 0, 0, apfsi_file_size(f));
	apfsi_file_close(f);
	close_fs(im, fs);
	/* No file: nothing, and NULL outputs are allowed. */
	hole = 7, len = 7;
	apfsi_file_span(NULL, 0, &hole, &len);
	assert_int_equal(hole, 0);
	assert_int_equal(len, 0);
	apfsi_file_span(NULL, 0, NULL, NULL);
}

/* ---- byte runs ---------------------------------------------------------- */

struct runs {
	struct apfsi_byte_run r[MAXE];
	size_t n;
	int stop;  /* returned by the callback (0: go on) */
};

static int add_run(const struct apfsi_byte_run *run, void *arg)
{
	struct runs *rs = arg;

	if (rs->n < MAXE)
		rs->r[rs->n] = *run;
	rs->n++;
	return rs->stop;
}

static enum apfsi_runs_kind file_runs(apfsi_fs *fs, const char *path, struct runs *rs)
{
	enum apfsi_runs_kind kind = (enum apfsi_runs_kind)99;
	apfsi_file *f = open_path(fs, path);

	memset(rs, 0, sizeof(*rs));
	assert_int_equal(apfsi_file_runs(f, add_run, rs, &kind), APFSI_OK);
	apfsi_file_close(f);
	assert_true(rs->n <= MAXE);
	return kind;
}

/* In stream order, not overlapping, inside size, plain; returns the bytes they cover. */
static uint64_t check_order(const struct runs *rs, uint64_t size)
{
	uint64_t end = 0, sum = 0;

	for (size_t i = 0; i < rs->n; i++) {
		const struct apfsi_byte_run *r = &rs->r[i];

		assert_true(r->len > 0);
		assert_true(r->file_offset >= end);
		assert_true(r->file_offset + r->len <= size);
		assert_int_equal(r->encrypted, 0);
		assert_int_equal(r->fs_offset % BS, 0);
		end = r->file_offset + r->len;
		sum += r->len;
	}
	return sum;
}

/* The bytes of one run, read from the image file itself (malloc'd). */
static unsigned char *image_bytes(const char *img, const struct apfsi_byte_run *r)
{
	unsigned char *b = malloc(r->len ? r->len : 1);
	int fd = open(img_path(img), O_RDONLY);

	assert_non_null(b);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, b, r->len, (off_t)r->img_offset), (ssize_t)r->len);
	close(fd);
	return b;
}

/* Each run's image bytes are the file's bytes there (apfsi_file_pread). */
static void runs_match_pread(apfsi_fs *fs, const char *img, const char *path,
			     const struct runs *rs)
{
	apfsi_file *f = open_path(fs, path);

	for (size_t i = 0; i < rs->n; i++) {
		unsigned char *want = image_bytes(img, &rs->r[i]), *got = malloc(rs->r[i].len);
		size_t n = 0;

		assert_non_null(got);
		assert_int_equal(apfsi_file_pread(f, rs->r[i].file_offset, got, rs->r[i].len, &n),
				 APFSI_OK);
		assert_int_equal(n, rs->r[i].len);
		assert_memory_equal(got, want, n);
		free(want);
		free(got);
	}
	apfsi_file_close(f);
}

static void all_bytes(const unsigned char *b, size_t len, unsigned char c)
{
	for (size_t i = 0; i < len; i++)
		assert_int_equal(b[i], c);
}

static void read_hello(apfsi_fs *fs)
{
	apfsi_file *f = open_path(fs, "/hello.txt");
	char buf[32];
	size_t n = 0;

	assert_int_equal(apfsi_file_pread(f, 0, buf, sizeof(buf), &n), APFSI_OK);
	assert_int_equal(n, 13);
	assert_memory_equal(buf, "hello, world\n", 13);
	apfsi_file_close(f);
}

static void test_runs_basic(void **state)
{
	static struct runs rs;
	unsigned char *b;
	apfsi_image *im;
	apfsi_fs *fs;

	(void)state;
	open_fs("basic.img", NULL, 0, &im, &fs);
	assert_int_equal(file_runs(fs, "/hello.txt", &rs), APFSI_RUNS_DATA);
	assert_int_equal(rs.n, 1);
	assert_int_equal(check_order(&rs, 13), 13);
	b = image_bytes("basic.img", &rs.r[0]);
	assert_memory_equal(b, "hello, world\n", 13);
	free(b);
	runs_match_pread(fs, "basic.img", "/hello.txt", &rs);
	/* /multi.bin: 5 blocks + 100 bytes in 3 extents, no holes. */
	assert_int_equal(file_runs(fs, "/multi.bin", &rs), APFSI_RUNS_DATA);
	assert_int_equal(rs.n, 3);
	assert_int_equal(check_order(&rs, 5 * BS + 100), 5 * BS + 100);
	runs_match_pread(fs, "basic.img", "/multi.bin", &rs);
	/* /empty.txt: no data stream, no runs. */
	assert_int_equal(file_runs(fs, "/empty.txt", &rs), APFSI_RUNS_DATA);
	assert_int_equal(rs.n, 0);
	close_fs(im, fs);
}

/* README `--gpt`: the container at byte 20480 of the disk; img_offset counts from the disk. */
static void test_runs_gpt(void **state)
{
	static struct runs rs;
	unsigned char *b;
	apfsi_image *im;
	apfsi_fs *fs;

	(void)state;
	open_fs("gpt.img", NULL, 0, &im, &fs);
	assert_int_equal(file_runs(fs, "/hello.txt", &rs), APFSI_RUNS_DATA);
	assert_int_equal(rs.n, 1);
	assert_int_equal(rs.r[0].img_offset, rs.r[0].fs_offset + 20480);
	b = image_bytes("gpt.img", &rs.r[0]);
	assert_memory_equal(b, "hello, world\n", 13);
	free(b);
	close_fs(im, fs);
}

/* README `demo`: encrypted, password `demo`: the runs hold ciphertext and say so. */
static void test_runs_encrypted(void **state)
{
	static struct runs rs;
	struct apfsi_unlock_result res;
	unsigned char *b;
	apfsi_volume *vol;
	apfsi_image *im;
	apfsi_fs *fs;

	(void)state;
	assert_int_equal(apfsi_image_open(img_path("demo.img"), NULL, &im), APFSI_OK);
	assert_int_equal(apfsi_image_select_volume(im, "Demo", &vol), APFSI_OK);
	assert_int_equal(apfsi_volume_unlock(vol, APFSI_CRED_PASSWORD, "demo", 4, NULL, &res),
			 APFSI_OK);
	assert_int_equal(apfsi_fs_open(vol, NULL, 0, &fs), APFSI_OK);
	assert_int_equal(file_runs(fs, "/hello.txt", &rs), APFSI_RUNS_DATA);
	assert_int_equal(rs.n, 1);
	assert_int_equal(rs.r[0].encrypted, 1);
	assert_int_equal(rs.r[0].len, 13);
	b = image_bytes("demo.img", &rs.r[0]);
	assert_memory_not_equal(b, "hello, world\n", 13);
	free(b);
	read_hello(fs);  /* the file itself reads as plain text */
	close_fs(im, fs);
}

static void test_runs_sparse(void **state)
{
	static struct runs rs;
	unsigned char *b;
	apfsi_image *im;
	apfsi_fs *fs;

	(void)state;
	open_fs("large.img", NULL, 0, &im, &fs);
	/* /holey.bin: the hole has no run; block 0 all `A`, the last block all `Z`. */
	assert_int_equal(file_runs(fs, "/holey.bin", &rs), APFSI_RUNS_DATA);
	assert_int_equal(rs.n, 2);
	assert_int_equal(check_order(&rs, 64 * MIB), 2 * BS);
	assert_int_equal(rs.r[0].file_offset, 0);
	assert_int_equal(rs.r[1].file_offset, 64 * MIB - BS);
	b = image_bytes("large.img", &rs.r[0]);
	all_bytes(b, BS, 'A');
	free(b);
	b = image_bytes("large.img", &rs.r[1]);
	all_bytes(b, BS, 'Z');
	free(b);
	runs_match_pread(fs, "large.img", "/holey.bin", &rs);
	assert_int_equal(file_runs(fs, "/sparse-1g.bin", &rs), APFSI_RUNS_DATA);
	assert_int_equal(rs.n, 0);
	assert_int_equal(file_runs(fs, "/data-8m.bin", &rs), APFSI_RUNS_DATA);
	assert_int_equal(check_order(&rs, 8 * MIB), 8 * MIB);
	runs_match_pread(fs, "large.img", "/data-8m.bin", &rs);
	close_fs(im, fs);
	/* /big-tail.bin: one run, 4096 `T` at offset 5 GiB. */
	open_fs("huge.img", NULL, 0, &im, &fs);
	assert_int_equal(file_runs(fs, "/big-tail.bin", &rs), APFSI_RUNS_DATA);
	assert_int_equal(rs.n, 1);
	assert_int_equal(rs.r[0].file_offset, 5 * GIB);
	assert_int_equal(rs.r[0].len, BS);
	b = image_bytes("huge.img", &rs.r[0]);
	all_bytes(b, BS, 'T');
	free(b);
	close_fs(im, fs);
}

/* A resource fork's value, whole, through apfsi_fs_getxattr (malloc'd). */
static unsigned char *xattr_value(apfsi_fs *fs, uint64_t ino, const char *name, uint64_t *size)
{
	unsigned char *v;
	size_t got = 0;

	assert_int_equal(apfsi_fs_getxattr(fs, ino, name, 0, NULL, 0, NULL, size), APFSI_OK);
	assert_non_null(v = malloc(*size ? *size : 1));
	assert_int_equal(apfsi_fs_getxattr(fs, ino, name, 0, v, *size, &got, NULL), APFSI_OK);
	assert_int_equal(got, *size);
	return v;
}

/* The runs' image bytes are the value's bytes at their offsets, and cover it all. */
static void runs_match_value(const struct runs *rs, const unsigned char *v, uint64_t size)
{
	assert_true(rs->n > 0);
	assert_int_equal(check_order(rs, size), size);
	for (size_t i = 0; i < rs->n; i++) {
		unsigned char *b = image_bytes("cmp.img", &rs->r[i]);

		assert_memory_equal(b, v + rs->r[i].file_offset, rs->r[i].len);
		free(b);
	}
}

static void test_runs_compressed(void **state)
{
	static const char *const rsrc[] = { "/zlib-rsrc.txt", "/lzvn-rsrc.txt" };
	static struct runs rs;
	apfsi_image *im;
	apfsi_fs *fs;
	uint64_t size;

	(void)state;
	open_fs("cmp.img", "Compressed", 0, &im, &fs);
	for (size_t k = 0; k < 2; k++) {
		/* The runs are the resource fork's, which holds the compressed chunks. */
		unsigned char *v = xattr_value(fs, ino_of(fs, rsrc[k]), "com.apple.ResourceFork",
					       &size);

		assert_int_equal(file_runs(fs, rsrc[k], &rs), APFSI_RUNS_RSRC);
		runs_match_value(&rs, v, size);
		free(v);
	}
	assert_int_equal(file_runs(fs, "/zlib-xattr.txt", &rs), APFSI_RUNS_INLINE);
	assert_int_equal(rs.n, 0);
	assert_int_equal(file_runs(fs, "/lzvn-xattr.txt", &rs), APFSI_RUNS_INLINE);
	assert_int_equal(rs.n, 0);
	close_fs(im, fs);
}

static void test_runs_args(void **state)
{
	static struct runs rs;
	enum apfsi_runs_kind kind;
	apfsi_image *im;
	apfsi_fs *fs;
	apfsi_file *f;

	(void)state;
	open_fs("basic.img", NULL, 0, &im, &fs);
	f = open_path(fs, "/multi.bin");
	/* A nonzero return stops the walk at once and comes back. */
	memset(&rs, 0, sizeof(rs));
	rs.stop = 42;
	assert_int_equal(apfsi_file_runs(f, add_run, &rs, &kind), 42);
	assert_int_equal(rs.n, 1);
	rs.stop = -3;
	rs.n = 0;
	assert_int_equal(apfsi_file_runs(f, add_run, &rs, &kind), -3);
	assert_int_equal(rs.n, 1);
	assert_int_equal(apfsi_file_runs(f, NULL, &rs, &kind), APFSI_ERR_INVALID);
	assert_int_equal(apfsi_file_runs(f, add_run, &rs, NULL), APFSI_ERR_INVALID);
	assert_int_equal(apfsi_file_runs(NULL, add_run, &rs, &kind), APFSI_ERR_INVALID);
	apfsi_file_close(f);
	close_fs(im, fs);
	/* A fork handle: not for apfsi_file_runs. */
	open_fs("cmp.img", "Compressed", 0, &im, &fs);
	assert_int_equal(apfsi_file_open_fork(fs, ino_of(fs, "/zlib-rsrc.txt"), "rsrc", &f),
			 APFSI_OK);
	rs.stop = 0;
	rs.n = 0;
	assert_int_equal(apfsi_file_runs(f, add_run, &rs, &kind), APFSI_ERR_INVALID);
	assert_int_equal(rs.n, 0);
	apfsi_file_close(f);
	close_fs(im, fs);
}

/* ---- xattr_runs --------------------------------------------------------- */

static void test_xattr_runs(void **state)
{
	static struct runs rs;
	unsigned char *v;
	apfsi_image *im;
	apfsi_fs *fs;
	uint64_t ino, size;
	int resident = -1;

	(void)state;
	open_fs("basic.img", NULL, 0, &im, &fs);
	/* com.example.note = "xattr value": small, in the fs tree. */
	ino = ino_of(fs, "/hello.txt");
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(apfsi_fs_xattr_runs(fs, ino, "com.example.note", add_run, &rs, &resident),
			 APFSI_OK);
	assert_int_equal(resident, 1);
	assert_int_equal(rs.n, 0);
	v = xattr_value(fs, ino, "com.example.note", &size);
	assert_int_equal(size, 11);
	assert_memory_equal(v, "xattr value", 11);
	free(v);
	/* No such attribute: NOT_FOUND, as the header promises (-ENODATA inside). */
	assert_int_equal(apfsi_fs_xattr_runs(fs, ino, "com.example.none", add_run, &rs, &resident),
			 APFSI_ERR_NOT_FOUND);
	assert_int_equal(apfsi_fs_xattr_runs(fs, 0x7fffffff, "com.example.note", add_run, &rs,
					     &resident), APFSI_ERR_NOT_FOUND);
	assert_int_equal(apfsi_fs_xattr_runs(fs, ino, NULL, add_run, &rs, &resident),
			 APFSI_ERR_INVALID);
	assert_int_equal(apfsi_fs_xattr_runs(fs, ino, "com.example.note", NULL, &rs, &resident),
			 APFSI_ERR_INVALID);
	assert_int_equal(apfsi_fs_xattr_runs(fs, ino, "com.example.note", add_run, &rs, NULL),
			 APFSI_ERR_INVALID);
	assert_int_equal(apfsi_fs_xattr_runs(NULL, ino, "com.example.note", add_run, &rs,
					     &resident), APFSI_ERR_INVALID);
	assert_int_equal(rs.n, 0);
	close_fs(im, fs);
}

static void test_xattr_runs_fork(void **state)
{
	static struct runs rs, frs;
	unsigned char *v;
	apfsi_image *im;
	apfsi_fs *fs;
	uint64_t ino, size;
	int resident = -1;

	(void)state;
	open_fs("cmp.img", "Compressed", 0, &im, &fs);
	ino = ino_of(fs, "/zlib-rsrc.txt");
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(apfsi_fs_xattr_runs(fs, ino, "com.apple.ResourceFork", add_run, &rs,
					     &resident), APFSI_OK);
	assert_int_equal(resident, 0);
	v = xattr_value(fs, ino, "com.apple.ResourceFork", &size);
	runs_match_value(&rs, v, size);
	free(v);
	/* The file's own runs (RSRC) are the same ones. */
	assert_int_equal(file_runs(fs, "/zlib-rsrc.txt", &frs), APFSI_RUNS_RSRC);
	assert_int_equal(frs.n, rs.n);
	assert_memory_equal(frs.r, rs.r, rs.n * sizeof(rs.r[0]));
	/* A stop value comes back. */
	memset(&rs, 0, sizeof(rs));
	rs.stop = 9;
	assert_int_equal(apfsi_fs_xattr_runs(fs, ino, "com.apple.ResourceFork", add_run, &rs,
					     &resident), 9);
	assert_int_equal(rs.n, 1);
	close_fs(im, fs);
}

/* ---- volume group ------------------------------------------------------- */

static void expect_firmlink(apfsi_fs *fs, const char *path, const char *target)
{
	struct apfsi_stat st;
	char buf[256];

	assert_int_equal(apfsi_fs_stat_path(fs, path, &st), APFSI_OK);
	assert_true(st.flags & APFSI_STAT_FIRMLINK);
	assert_int_equal(apfsi_fs_firmlink(fs, st.ino, buf, sizeof(buf)), APFSI_OK);
	assert_string_equal(buf, target);
}

static void expect_no_firmlink(apfsi_fs *fs, const char *path)
{
	struct apfsi_stat st;
	char buf[256];

	assert_int_equal(apfsi_fs_stat_path(fs, path, &st), APFSI_OK);
	assert_false(st.flags & APFSI_STAT_FIRMLINK);
	assert_int_equal(apfsi_fs_firmlink(fs, st.ino, buf, sizeof(buf)), APFSI_ERR_NOT_FOUND);
}

static void test_group_firmlinks(void **state)
{
	apfsi_image *im;
	apfsi_fs *fs;
	char buf[256];

	(void)state;
	open_fs("mb.img", "System", 0, &im, &fs);
	assert_int_equal(apfsi_fs_is_group(fs), 1);
	/* README `macos-boot`: the firmlinks' targets, relative to the Data root. */
	expect_firmlink(fs, "/Users", "Users");
	expect_firmlink(fs, "/Applications", "Applications");
	expect_firmlink(fs, "/System/Library/Caches", "System/Library/Caches");
	expect_firmlink(fs, "/usr/local", "usr/local");
	expect_no_firmlink(fs, "/System");
	expect_no_firmlink(fs, "/Users/Shared");
	expect_no_firmlink(fs, "/System/Volumes/Data");
	expect_no_firmlink(fs, "/");
	assert_int_equal(apfsi_fs_firmlink(fs, ino_of(fs, "/Users"), buf, 5),
			 APFSI_ERR_NAME_TOO_LONG);
	assert_int_equal(apfsi_fs_firmlink(fs, ino_of(fs, "/Users"), NULL, 5), APFSI_ERR_INVALID);
	assert_int_equal(apfsi_fs_firmlink(NULL, 2, buf, sizeof(buf)), APFSI_ERR_INVALID);
	close_fs(im, fs);
	/* System alone: its own empty directory with the xattr (value `Users`). */
	open_fs("mb.img", "System", APFSI_FS_NO_FIRMLINKS, &im, &fs);
	assert_int_equal(apfsi_fs_is_group(fs), 0);
	expect_firmlink(fs, "/Users", "Users");
	expect_no_firmlink(fs, "/System");
	close_fs(im, fs);
	open_fs("basic.img", NULL, 0, &im, &fs);
	assert_int_equal(apfsi_fs_is_group(fs), 0);
	expect_no_firmlink(fs, "/dir");
	close_fs(im, fs);
	assert_int_equal(apfsi_fs_is_group(NULL), 0);
}

/* The volume path lives on, by role and name, and its own number there. */
static uint64_t origin_on(apfsi_fs *fs, const char *path, const char *role, const char *name)
{
	struct apfsi_volume_info vi;
	apfsi_volume *vol = NULL;
	uint64_t own = 0;

	assert_int_equal(apfsi_fs_origin(fs, ino_of(fs, path), &vol, &own), APFSI_OK);
	assert_non_null(vol);
	assert_int_equal(apfsi_volume_info(vol, &vi), APFSI_OK);
	assert_string_equal(vi.role, role);
	assert_string_equal(vi.name, name);
	return own;
}

/* The number volume sel itself gives path (a view of that volume alone). */
static uint64_t own_ino(apfsi_image *im, const char *sel, const char *path)
{
	apfsi_volume *vol;
	apfsi_fs *one;
	uint64_t ino;

	assert_int_equal(apfsi_image_select_volume(im, sel, &vol), APFSI_OK);
	assert_int_equal(apfsi_fs_open(vol, NULL, APFSI_FS_NO_FIRMLINKS, &one), APFSI_OK);
	ino = ino_of(one, path);
	apfsi_fs_close(one);
	return ino;
}

static void test_group_origin(void **state)
{
	static const char sys[] = "Macintosh HD", data[] = "Macintosh HD - Data";
	apfsi_volume *vol, *got;
	apfsi_image *im;
	apfsi_fs *fs;
	uint64_t own, ino;

	(void)state;
	open_fs("mb.img", "System", 0, &im, &fs);
	own = origin_on(fs, "/Users", "Data", data);
	assert_int_equal(own, own_ino(im, "Data", "/Users"));
	own = origin_on(fs, "/Users/Shared", "Data", data);
	assert_int_equal(own, own_ino(im, "Data", "/Users/Shared"));
	assert_int_equal(origin_on(fs, "/System/Volumes/Data", "Data", data), APFSI_ROOT_INO);
	/* System numbers its own objects from 0x0FFFFFFF00000010 up. */
	own = origin_on(fs, "/System", "System", sys);
	assert_true(own >= UINT64_C(0x0FFFFFFF00000010));
	assert_int_equal(own, own_ino(im, "System", "/System"));
	assert_int_equal(origin_on(fs, "/", "System", sys), APFSI_ROOT_INO);
	assert_int_not_equal(apfsi_fs_origin(fs, UINT64_C(0x7fffffff) | (UINT64_C(5) << 60), &got,
					     &own), APFSI_OK);
	assert_int_equal(apfsi_fs_origin(fs, 2, NULL, &own), APFSI_ERR_INVALID);
	assert_int_equal(apfsi_fs_origin(fs, 2, &got, NULL), APFSI_ERR_INVALID);
	assert_int_equal(apfsi_fs_origin(NULL, 2, &got, &own), APFSI_ERR_INVALID);
	close_fs(im, fs);
	/* One volume: the view's own volume and number. */
	assert_int_equal(apfsi_image_open(img_path("basic.img"), NULL, &im), APFSI_OK);
	assert_int_equal(apfsi_image_select_volume(im, NULL, &vol), APFSI_OK);
	assert_int_equal(apfsi_fs_open(vol, NULL, 0, &fs), APFSI_OK);
	ino = ino_of(fs, "/hello.txt");
	assert_int_equal(apfsi_fs_origin(fs, ino, &got, &own), APFSI_OK);
	assert_ptr_equal(got, vol);
	assert_int_equal(own, ino);
	close_fs(im, fs);
}

static void test_group_elsewhere(void **state)
{
	uint64_t users, dataroot, caches, dsyslib, shared;
	apfsi_image *im;
	apfsi_fs *fs;

	(void)state;
	open_fs("mb.img", "System", 0, &im, &fs);
	users = ino_of(fs, "/Users");
	dataroot = ino_of(fs, "/System/Volumes/Data");
	/* One Data directory, listed under its firmlink and under the Data root. */
	assert_int_equal(ino_of(fs, "/System/Volumes/Data/Users"), users);
	/* A walk from / meets it twice: under /System/Volumes/Data it is elsewhere. */
	assert_int_equal(apfsi_fs_elsewhere(fs, APFSI_ROOT_INO, dataroot, users), 1);
	assert_int_equal(apfsi_fs_elsewhere(fs, APFSI_ROOT_INO, APFSI_ROOT_INO, users), 0);
	/* A walk of the Data root alone meets it once. */
	assert_int_equal(apfsi_fs_elsewhere(fs, dataroot, dataroot, users), 0);
	/* A nested firmlink: /System/Library/Caches. */
	caches = ino_of(fs, "/System/Library/Caches");
	dsyslib = ino_of(fs, "/System/Volumes/Data/System/Library");
	assert_int_equal(ino_of(fs, "/System/Volumes/Data/System/Library/Caches"), caches);
	assert_int_equal(apfsi_fs_elsewhere(fs, APFSI_ROOT_INO, dsyslib, caches), 1);
	assert_int_equal(apfsi_fs_elsewhere(fs, APFSI_ROOT_INO, ino_of(fs, "/System/Library"),
					    caches), 0);
	/* A Data directory with no firmlink has one place. */
	shared = ino_of(fs, "/Users/Shared");
	assert_int_equal(apfsi_fs_elsewhere(fs, APFSI_ROOT_INO, users, shared), 0);
	assert_int_equal(apfsi_fs_elsewhere(NULL, APFSI_ROOT_INO, dataroot, users), 0);
	close_fs(im, fs);
	open_fs("basic.img", NULL, 0, &im, &fs);
	assert_int_equal(apfsi_fs_elsewhere(fs, APFSI_ROOT_INO, APFSI_ROOT_INO,
					    ino_of(fs, "/dir")), 0);
	close_fs(im, fs);
}

/* ---- cache lend / repay ------------------------------------------------- */

static void test_cache_lend(void **state)
{
	apfsi_image *im;
	apfsi_fs *fs;

	(void)state;
	apfsi_fs_cache_lend(NULL, 4096);
	assert_int_equal(apfsi_fs_cache_repay(NULL, 4096), 0);
	open_fs("basic.img", NULL, 0, &im, &fs);
	/* Nothing lent: the cache is whole and cannot grow. */
	assert_int_equal(apfsi_fs_cache_repay(fs, 4096), 0);
	apfsi_fs_cache_lend(fs, 0);
	assert_int_equal(apfsi_fs_cache_repay(fs, 0), 0);
	/* apfs/cache.c: a started eighth of the budget costs a way; all repaid, it grows back. */
	apfsi_fs_cache_lend(fs, 1);
	read_hello(fs);
	assert_int_equal(apfsi_fs_cache_repay(fs, 1), 1);
	/* Far past the budget: two ways stay; a part repaid keeps them, the rest regrows. */
	apfsi_fs_cache_lend(fs, SIZE_MAX / 2);
	read_hello(fs);
	assert_int_equal(apfsi_fs_cache_repay(fs, 1), 0);
	assert_int_equal(apfsi_fs_cache_repay(fs, SIZE_MAX / 2 - 1), 1);
	/* More repaid than lent: stays whole. */
	assert_int_equal(apfsi_fs_cache_repay(fs, 1 << 20), 0);
	read_hello(fs);
	close_fs(im, fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_lookup_errors),
		cmocka_unit_test(test_stat_many),
		cmocka_unit_test(test_stat_many_args),
		cmocka_unit_test(test_dir_stats),
		cmocka_unit_test(test_span_sparse),
		cmocka_unit_test(test_span_data),
		cmocka_unit_test(test_runs_basic),
		cmocka_unit_test(test_runs_gpt),
		cmocka_unit_test(test_runs_encrypted),
		cmocka_unit_test(test_runs_sparse),
		cmocka_unit_test(test_runs_compressed),
		cmocka_unit_test(test_runs_args),
		cmocka_unit_test(test_xattr_runs),
		cmocka_unit_test(test_xattr_runs_fork),
		cmocka_unit_test(test_group_firmlinks),
		cmocka_unit_test(test_group_origin),
		cmocka_unit_test(test_group_elsewhere),
		cmocka_unit_test(test_cache_lend),
	};

	return cmocka_run_group_tests(tests, setup, scratch_teardown);
}
