/* SPDX-License-Identifier: MIT */
/*
 * test_libdiff.c - the public calls for what changed between two views and
 * for a sealed volume's seal (include/apfsinspect.h): apfsi_fs_diff,
 * apfsi_fs_links, apfsi_diff_field_name, apfsi_volume_verify_seal.
 *
 * The facts are the generator's, written down in testdata/README.md, not
 * taken from our output: `snapshot-diff`'s table (which inode changes how
 * between snapshot `before` and the live tree; the attribute values whose
 * SHA-256 is computed here with OpenSSL; every file's data in new blocks,
 * so a cap below a file's size judges it by its extents and finds it
 * changed), its encrypted twin (password `diff`: the same changes), and
 * `sealed`'s fs tree of 237 nodes at 4 KiB blocks (58 at 16 KiB: README), in which
 * one byte of the directory record of f2999.txt changed makes exactly one
 * node not match (tests/cli/fs_sealed.sh changes the same byte), as does
 * the root hash changed in the integrity metadata; a seal the metadata
 * says is broken (a transaction, or the flag) is not checked.  The layers
 * of an image are read back as the file holds them (fread), and an image
 * with no APFS opens with APFSI_OPEN_WITHOUT_APFS only.
 */
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "apfsinspect.h"

#include "libtest.h"

/* sealed.img with one byte of f2999.txt's directory record changed (as fs_sealed.sh does). */
static int tamper(void)
{
	return sh("python3 -c 'import sys; d = bytearray(open(sys.argv[1], \"rb\").read()); "
		  "o = d.find(b\"f2999.txt\\0\"); assert o > 0; d[o + 8] = ord(\"u\"); "
		  "open(sys.argv[2], \"wb\").write(d)' '%s/sealed.img' '%s/sealed-bad.img'",
		  scratch_dir, scratch_dir);
}

static int setup(void **state)
{
	(void)state;
	if (scratch_setup("libdiff", "snapshot-diff sd.img", "snapshot-diff-encrypted sde.img",
			  "sealed sealed.img", "sealed sealed16.img --block-size 16384",
			  "basic basic.img", "group-firmlinks gf.img",
			  "snapshot-many sm.img --unencrypted", "snapshot orph.img", NULL))
		return -1;
	if (tamper())
		return -1;
	/*
	 * The live tree's leaf after the one that holds /d050/renamed.txt's
	 * inode record dropped from the index node above it (tests/cli/diff_gap.sh
	 * says how); its records listed in sm.leaf by our own parser.
	 */
	if (sh("cd '%s' && python3 \"$TESTS/tools/ino_leaf.py\" sm.img renamed.txt > sm.leaf && "
	       "python3 \"$TESTS/tools/index_slots.py\" sm.img \"above:$(cut -d' ' -f1 sm.leaf | "
	       "head -1)\" \"drop:$(cut -d' ' -f2 sm.leaf | head -1):0\" > /dev/null", scratch_dir))
		return -1;
	/*
	 * /keep.txt (inode 17, testdata/README.md `snapshot`) and /new.txt (20, only in
	 * the live tree) made orphans there: each entry moved into the private
	 * directory, each link count 0.
	 */
	if (sh("cd '%s' && D=\"$TESTS/tools/drec_move.py\" && I=\"$TESTS/tools/inode_field.py\" && "
	       "python3 \"$D\" orph.img keep.txt 3 && python3 \"$I\" orph.img 17 nchildren 0 && "
	       "python3 \"$D\" orph.img new.txt 3 && python3 \"$I\" orph.img 20 nchildren 0",
	       scratch_dir))
		return -1;
	/* Its integrity metadata edited (checksum made right again), and a disk with no APFS. */
	return sh("cd '%s' && T=\"$TESTS/tools/seal_edit.py\" && "
		  "\"$T\" sealed.img broken.img broken-xid=77 && "
		  "\"$T\" sealed.img brokenflag.img broken-flag && "
		  "\"$T\" sealed.img badroot.img root-hash && "
		  "head -c 1048576 /dev/zero > zeros.img", scratch_dir) ? -1 : 0;
}

/* ---- what the callback saw ---------------------------------------------- */

#define MAXC 64
#define FIELD(f) (1u << APFSI_DIFF_##f)

struct seen_xattr {
	char change;
	char name[64];
	uint64_t size_before, size_after;
	bool hashed_before, hashed_after;
	uint8_t before[32], after[32];
};

struct seen {
	char change;
	uint64_t ino;
	uint32_t fields;
	bool by_extents;
	uint64_t lost, orphan;
	int64_t added_before, added_after;
	struct seen_xattr xa[4];
	size_t nxa;
};

struct changes {
	struct seen c[MAXC];
	unsigned n;
	int stop;  /* returned by the callback (0: go on) */
};

static int collect(const struct apfsi_diff *d, void *arg)
{
	struct changes *ch = arg;
	struct seen *s;

	assert_true(ch->n < MAXC);
	s = &ch->c[ch->n++];
	s->change = d->change, s->ino = d->ino, s->fields = d->fields;
	s->by_extents = d->content_by_extents;
	s->lost = d->may_be_lost, s->orphan = d->orphan;
	s->added_before = d->added_before, s->added_after = d->added_after;
	assert_true(d->nxattrs <= 4);
	assert_true(!d->nxattrs || d->xattrs);
	s->nxa = d->nxattrs;
	for (size_t i = 0; i < d->nxattrs; i++) {
		const struct apfsi_diff_xattr *x = &d->xattrs[i];

		s->xa[i].change = x->change;
		snprintf(s->xa[i].name, sizeof(s->xa[i].name), "%s", x->name);
		s->xa[i].size_before = x->size_before, s->xa[i].size_after = x->size_after;
		s->xa[i].hashed_before = x->hashed_before, s->xa[i].hashed_after = x->hashed_after;
		memcpy(s->xa[i].before, x->sha256_before, 32);
		memcpy(s->xa[i].after, x->sha256_after, 32);
	}
	return ch->stop;
}

static const struct seen *find(const struct changes *ch, uint64_t ino)
{
	for (unsigned i = 0; i < ch->n; i++)
		if (ch->c[i].ino == ino)
			return &ch->c[i];
	return NULL;
}

static void sha256(const char *s, uint8_t out[32])
{
	unsigned len = 0;

	assert_int_equal(EVP_Digest(s, strlen(s), out, &len, EVP_sha256(), NULL), 1);
	assert_int_equal(len, 32);
}

/* ---- opening ------------------------------------------------------------ */

struct views {
	apfsi_image *img;
	apfsi_volume *vol;
	apfsi_fs *before, *after;
};

static void open_views(const char *img, const char *a, const char *b, struct views *v)
{
	assert_int_equal(apfsi_image_open(img_path(img), NULL, &v->img), APFSI_OK);
	assert_int_equal(apfsi_image_select_volume(v->img, NULL, &v->vol), APFSI_OK);
	assert_int_equal(apfsi_fs_open(v->vol, a, APFSI_FS_NO_FIRMLINKS, &v->before), APFSI_OK);
	assert_int_equal(apfsi_fs_open(v->vol, b, APFSI_FS_NO_FIRMLINKS, &v->after), APFSI_OK);
}

static void close_views(struct views *v)
{
	apfsi_fs_close(v->before);
	apfsi_fs_close(v->after);
	apfsi_image_close(v->img);
}

/* ---- snapshot-diff: README's table -------------------------------------- */

static void expect_path(apfsi_fs *fs, uint64_t ino, const char *want)
{
	char p[256];

	assert_int_equal(apfsi_fs_path(fs, ino, p, sizeof(p)), APFSI_OK);
	assert_string_equal(p, want);
}

static const struct seen_xattr *xattr(const struct seen *s, const char *name)
{
	for (size_t i = 0; i < s->nxa; i++)
		if (!strcmp(s->xa[i].name, name))
			return &s->xa[i];
	return NULL;
}

/* Inode 21's attributes: keep kept, change changed, drop gone, new added; by their values. */
static void expect_xattrs(const struct seen *s)
{
	const struct seen_xattr *x;
	uint8_t h[32];

	assert_int_equal(s->fields, FIELD(XATTR));
	assert_int_equal(s->nxa, 3);
	assert_null(xattr(s, "com.example.keep"));
	assert_non_null(x = xattr(s, "com.example.change"));
	assert_int_equal(x->change, '~');
	assert_int_equal(x->size_before, strlen("old value"));
	assert_int_equal(x->size_after, strlen("new value"));
	assert_true(x->hashed_before && x->hashed_after);
	sha256("old value", h);
	assert_memory_equal(x->before, h, 32);
	sha256("new value", h);
	assert_memory_equal(x->after, h, 32);
	assert_non_null(x = xattr(s, "com.example.drop"));
	assert_int_equal(x->change, '-');
	assert_int_equal(x->size_before, 4);
	assert_true(x->hashed_before && !x->hashed_after);
	sha256("drop", h);
	assert_memory_equal(x->before, h, 32);
	assert_non_null(x = xattr(s, "com.example.new"));
	assert_int_equal(x->change, '+');
	assert_int_equal(x->size_after, 3);
	assert_true(!x->hashed_before && x->hashed_after);
	sha256("new", h);
	assert_memory_equal(x->after, h, 32);
}

#define DAY2_NS (INT64_C(1767312000) * 1000000000)  /* 2026-01-02 00:00:00 UTC */

/* The table of snapshot-diff, row by row: change, fields. */
static void expect_table(const struct changes *ch)
{
	static const struct { uint64_t ino; char change; uint32_t fields; } want[] = {
		{ 2, 'M', FIELD(NLINK) },            /* the root: 12 children to 14 */
		{ 17, 'M', FIELD(CONTENT) },         /* version 1 -> version 2, same size */
		{ 18, 'M', FIELD(SIZE) | FIELD(CONTENT) },
		{ 19, 'M', FIELD(MODE) },
		{ 20, 'M', FIELD(UID) },
		{ 22, 'M', FIELD(PATH) },
		{ 23, 'M', FIELD(NLINK) },           /* /dir: 1 child to 0 */
		{ 24, 'M', FIELD(PATH) | FIELD(ADDED) },
		{ 25, 'D', 0 },
		{ 26, 'M', FIELD(MTIME) | FIELD(CTIME) },
		{ 27, 'M', FIELD(LINKS) },           /* sibling 29 renamed */
		{ 31, 'A', 0 },
		{ 32, 'A', 0 },
	};
	const struct seen *s;

	/* 14 rows: those above and 21 (its attributes); 16 (same bytes) is not one. */
	assert_int_equal(ch->n, sizeof(want) / sizeof(want[0]) + 1);
	for (unsigned i = 1; i < ch->n; i++)
		assert_true(ch->c[i - 1].ino < ch->c[i].ino);  /* in inode order */
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_non_null(s = find(ch, want[i].ino));
		assert_int_equal(s->change, want[i].change);
		if (want[i].change == 'M')
			assert_int_equal(s->fields, want[i].fields);
	}
	assert_null(find(ch, 16));
	expect_xattrs(find(ch, 21));
	s = find(ch, 24);
	assert_int_equal(s->added_after, DAY2_NS);
	assert_true(s->added_before != DAY2_NS);
}

struct link_names {
	char name[4][64];
	uint64_t parent[4];
	unsigned n;
};

static int one_link(uint64_t parent, const char *name, void *arg)
{
	struct link_names *l = arg;

	assert_true(l->n < 4);
	l->parent[l->n] = parent;
	snprintf(l->name[l->n++], sizeof(l->name[0]), "%s", name);
	return 0;
}

static bool has_link(const struct link_names *l, const char *name)
{
	for (unsigned i = 0; i < l->n; i++)
		if (!strcmp(l->name[i], name) && l->parent[i] == APFSI_ROOT_INO)
			return true;
	return false;
}

/* Inode 27's names in each view: hard-a and hard-b, then hard-a and hard-c. */
static void expect_links(struct views *v)
{
	struct link_names l;

	memset(&l, 0, sizeof(l));
	assert_int_equal(apfsi_fs_links(v->before, 27, one_link, &l), APFSI_OK);
	assert_int_equal(l.n, 2);
	assert_true(has_link(&l, "hard-a.txt") && has_link(&l, "hard-b.txt"));
	memset(&l, 0, sizeof(l));
	assert_int_equal(apfsi_fs_links(v->after, 27, one_link, &l), APFSI_OK);
	assert_int_equal(l.n, 2);
	assert_true(has_link(&l, "hard-a.txt") && has_link(&l, "hard-c.txt"));
}

static void test_diff_table(void **state)
{
	static struct changes ch;
	struct views v;

	(void)state;
	memset(&ch, 0, sizeof(ch));
	open_views("sd.img", "before", NULL, &v);
	assert_int_equal(apfsi_fs_diff(v.before, v.after, 0, collect, &ch), APFSI_OK);
	expect_table(&ch);
	expect_path(v.before, 25, "/gone.txt");
	expect_path(v.after, 31, "/added.txt");
	expect_path(v.before, 22, "/old-name.txt");
	expect_path(v.after, 22, "/new-name.txt");
	expect_path(v.before, 24, "/dir/moved.txt");
	expect_path(v.after, 24, "/moved.txt");
	expect_links(&v);
	close_views(&v);
}

/* The snapshot by its xid (2) is the same view; a view against itself differs in nothing. */
static void test_diff_xid_and_self(void **state)
{
	static struct changes ch;
	struct views v;

	(void)state;
	memset(&ch, 0, sizeof(ch));
	open_views("sd.img", "2", NULL, &v);
	assert_int_equal(apfsi_fs_diff(v.before, v.after, 0, collect, &ch), APFSI_OK);
	expect_table(&ch);
	close_views(&v);
	memset(&ch, 0, sizeof(ch));
	open_views("sd.img", "before", "2", &v);
	assert_int_equal(apfsi_fs_diff(v.before, v.after, 0, collect, &ch), APFSI_OK);
	assert_int_equal(ch.n, 0);
	close_views(&v);
}

/*
 * A cap of 4 bytes: same.txt (5 bytes, same bytes in new blocks) is judged
 * by its extents and found changed, and says so; edit.txt (10 bytes) too.
 */
static void test_diff_cap(void **state)
{
	static struct changes ch;
	const struct seen *s;
	struct views v;

	(void)state;
	memset(&ch, 0, sizeof(ch));
	open_views("sd.img", "before", NULL, &v);
	assert_int_equal(apfsi_fs_diff(v.before, v.after, 4, collect, &ch), APFSI_OK);
	assert_non_null(s = find(&ch, 16));
	assert_int_equal(s->fields, FIELD(CONTENT));
	assert_true(s->by_extents);
	assert_non_null(s = find(&ch, 17));
	assert_true(s->by_extents);
	/* Without a cap both were read: 16 is no change, 17 one read from its bytes. */
	memset(&ch, 0, sizeof(ch));
	assert_int_equal(apfsi_fs_diff(v.before, v.after, 0, collect, &ch), APFSI_OK);
	assert_false(find(&ch, 17)->by_extents);
	close_views(&v);
}

/* The inode records the dropped leaf held (sm.leaf: "OID TYPE" lines after the first). */
static unsigned leaf_inodes(void)
{
	FILE *f = fopen(img_path("sm.leaf"), "r");
	unsigned long long oid;
	unsigned type, n = 0;
	char first[64];

	assert_non_null(f);
	assert_non_null(fgets(first, sizeof(first), f));
	while (fscanf(f, "%llu %u", &oid, &type) == 2)
		n += type == 3;
	fclose(f);
	return n;
}

/*
 * The live tree lost a leaf of file inodes: diffed from the snapshot
 * (its view after) or to it (its view before: the library takes either
 * order), every change found is given and the diff is INCOMPLETE; the
 * leaf's inodes come out as removed, or as added, each marked as one whose
 * inode record the live tree may have lost (its entry there names it);
 * /d001/f01000.txt, removed indeed (testdata/README.md), is not marked.
 */
static void gap_counted(const struct changes *ch, char change, unsigned want_marked)
{
	unsigned n = 0, marked = 0;

	for (unsigned i = 0; i < ch->n; i++) {
		if (ch->c[i].change != change)
			continue;
		n++;
		marked += ch->c[i].lost == APFSI_DIFF_LOST_INODE;
		assert_true(ch->c[i].lost == APFSI_DIFF_LOST_INODE ||
			    ch->c[i].lost == APFSI_DIFF_LOST_NONE);
	}
	assert_int_equal(n, want_marked + 1);
	assert_int_equal(marked, want_marked);
}

static void test_diff_gap_either_view(void **state)
{
	static struct changes ch;
	unsigned lost = leaf_inodes();
	struct views v;

	(void)state;
	assert_true(lost > 10);
	memset(&ch, 0, sizeof(ch));
	open_views("sm.img", "before", NULL, &v);
	assert_int_equal(apfsi_fs_diff(v.before, v.after, 0, collect, &ch), APFSI_ERR_INCOMPLETE);
	gap_counted(&ch, 'D', lost);
	close_views(&v);
	memset(&ch, 0, sizeof(ch));
	open_views("sm.img", NULL, "before", &v);
	assert_int_equal(apfsi_fs_diff(v.before, v.after, 0, collect, &ch), APFSI_ERR_INCOMPLETE);
	gap_counted(&ch, 'A', lost);
	close_views(&v);
}

/*
 * An orphan (an entry of the private directory names it) said so of the
 * view it is one in: 17 changed in both ('M'), 20 only in that view (new).
 */
static void orphan_in(const char *a, const char *b, uint64_t want, char new)
{
	static struct changes ch;
	struct views v;
	unsigned n = 0;

	memset(&ch, 0, sizeof(ch));
	open_views("orph.img", a, b, &v);
	assert_int_equal(apfsi_fs_diff(v.before, v.after, 0, collect, &ch), APFSI_OK);
	for (unsigned i = 0; i < ch.n; i++) {
		bool orphan = ch.c[i].ino == 17 || ch.c[i].ino == 20;

		n += orphan;
		assert_int_equal(ch.c[i].orphan, orphan ? want : 0);
		if (ch.c[i].ino == 20)
			assert_int_equal(ch.c[i].change, new);
	}
	assert_int_equal(n, 2);
	close_views(&v);
}

static void test_diff_orphan(void **state)
{
	(void)state;
	orphan_in("before", NULL, APFSI_DIFF_ORPHAN_AFTER, 'A');
	orphan_in(NULL, "before", APFSI_DIFF_ORPHAN_BEFORE, 'D');
}

/* A nonzero return stops the walk and comes back; bad arguments are refused. */
static void test_diff_stop_and_errors(void **state)
{
	static struct changes ch;
	struct views v;
	apfsi_volume *other;
	apfsi_fs *merged, *fs2;

	(void)state;
	memset(&ch, 0, sizeof(ch));
	ch.stop = 77;
	open_views("sd.img", "before", NULL, &v);
	assert_int_equal(apfsi_fs_diff(v.before, v.after, 0, collect, &ch), 77);
	assert_int_equal(ch.n, 1);
	assert_int_equal(apfsi_fs_diff(NULL, v.after, 0, collect, &ch), APFSI_ERR_INVALID);
	assert_int_equal(apfsi_fs_diff(v.before, v.after, 0, NULL, &ch), APFSI_ERR_INVALID);
	assert_int_equal(apfsi_fs_links(v.after, 27, NULL, NULL), APFSI_ERR_INVALID);
	assert_int_equal(apfsi_fs_links(NULL, 27, one_link, NULL), APFSI_ERR_INVALID);
	assert_int_not_equal(apfsi_fs_links(v.after, 25, one_link, NULL), APFSI_OK); /* removed */
	close_views(&v);
	/* group-firmlinks: views of System and Data, and System's merged root, are refused. */
	assert_int_equal(apfsi_image_open(img_path("gf.img"), NULL, &v.img), APFSI_OK);
	assert_int_equal(apfsi_image_select_volume(v.img, "System", &v.vol), APFSI_OK);
	assert_int_equal(apfsi_image_select_volume(v.img, "Data", &other), APFSI_OK);
	assert_int_equal(apfsi_fs_open(v.vol, NULL, APFSI_FS_NO_FIRMLINKS, &fs2), APFSI_OK);
	assert_int_equal(apfsi_fs_open(other, NULL, APFSI_FS_NO_FIRMLINKS, &v.after), APFSI_OK);
	assert_int_equal(apfsi_fs_diff(fs2, v.after, 0, collect, &ch), APFSI_ERR_INVALID);
	assert_int_equal(apfsi_fs_open(v.vol, NULL, 0, &merged), APFSI_OK);
	assert_int_equal(apfsi_fs_diff(fs2, merged, 0, collect, &ch), APFSI_ERR_INVALID);
	assert_true(strstr(apfsi_last_message(), "merged root") != NULL);
	assert_int_equal(ch.n, 1);  /* nothing more was called */
	apfsi_fs_close(merged);
	apfsi_fs_close(fs2);
	v.before = NULL;
	close_views(&v);
}

/* Encrypted twin: locked, no view; unlocked with its password, the same table. */
static void test_diff_encrypted(void **state)
{
	static struct changes ch;
	struct apfsi_unlock_result res;
	struct views v = { 0 };

	(void)state;
	memset(&ch, 0, sizeof(ch));
	assert_int_equal(apfsi_image_open(img_path("sde.img"), NULL, &v.img), APFSI_OK);
	assert_int_equal(apfsi_image_select_volume(v.img, NULL, &v.vol), APFSI_OK);
	assert_int_equal(apfsi_fs_open(v.vol, "before", APFSI_FS_NO_FIRMLINKS, &v.before),
			 APFSI_ERR_LOCKED);
	assert_int_equal(apfsi_volume_unlock(v.vol, APFSI_CRED_PASSWORD, "diff", 4, NULL, &res),
			 APFSI_OK);
	assert_int_equal(apfsi_fs_open(v.vol, "before", APFSI_FS_NO_FIRMLINKS, &v.before),
			 APFSI_OK);
	assert_int_equal(apfsi_fs_open(v.vol, NULL, APFSI_FS_NO_FIRMLINKS, &v.after), APFSI_OK);
	assert_int_equal(apfsi_fs_diff(v.before, v.after, 0, collect, &ch), APFSI_OK);
	expect_table(&ch);
	close_views(&v);
}

static void test_field_names(void **state)
{
	static const char *const want[] = { "path", "type", "mode", "uid", "gid", "flags",
					    "nlink", "links", "size", "created", "modified",
					    "changed", "accessed", "added", "content", "xattrs" };
	unsigned n = 0;

	(void)state;
	while (apfsi_diff_field_name(n))
		n++;
	assert_int_equal(n, APFSI_DIFF_XATTR + 1);
	/* stat --json's keys (README "stat"), which `diff --help` lists */
	for (unsigned f = APFSI_DIFF_TYPE; f < APFSI_DIFF_XATTR; f++)
		assert_string_equal(apfsi_diff_field_name(f), want[f]);
	assert_null(apfsi_diff_field_name(1000));
	assert_null(apfsi_diff_lost_name(APFSI_DIFF_LOST_NONE));
	assert_string_equal(apfsi_diff_lost_name(APFSI_DIFF_LOST_INODE), "inode_record");
	assert_string_equal(apfsi_diff_lost_name(APFSI_DIFF_LOST_ENTRY), "directory_entries");
	assert_string_equal(apfsi_diff_lost_name(APFSI_DIFF_LOST_ABOVE), "directory_above");
	assert_string_equal(apfsi_diff_lost_name(APFSI_DIFF_LOST_NAME), "directory_entry");
	assert_string_equal(apfsi_diff_lost_name(APFSI_DIFF_LOST_EXTENTS), "file_extents");
	assert_string_equal(apfsi_diff_lost_name(APFSI_DIFF_LOST_LINKS), "sibling_links");
	assert_null(apfsi_diff_lost_name(APFSI_DIFF_LOST_LINKS + 1));
}

/* ---- the seal ----------------------------------------------------------- */

static void verify(const char *img, int want, uint64_t nodes, uint64_t bad)
{
	struct apfsi_seal_check c;
	apfsi_image *im;
	apfsi_volume *vol;

	assert_int_equal(apfsi_image_open(img_path(img), NULL, &im), APFSI_OK);
	assert_int_equal(apfsi_image_select_volume(im, NULL, &vol), APFSI_OK);
	assert_int_equal(apfsi_volume_verify_seal(vol, &c), want);
	if (want == APFSI_OK) {
		assert_string_equal(c.hash_name, "SHA-256");  /* im_hash_type 1 (README) */
		assert_false(c.broken);
		assert_int_equal(c.nodes, nodes);
		assert_int_equal(c.mismatched, bad);
	} else {
		assert_null(c.hash_name);
	}
	assert_int_equal(apfsi_volume_verify_seal(vol, NULL), APFSI_ERR_INVALID);
	apfsi_image_close(im);
}

static void test_seal(void **state)
{
	(void)state;
	verify("sealed.img", APFSI_OK, 237, 0);
	verify("sealed16.img", APFSI_OK, 58, 0);
	verify("sealed-bad.img", APFSI_OK, 237, 1);
	verify("badroot.img", APFSI_OK, 237, 1);
	verify("basic.img", APFSI_ERR_NOT_FOUND, 0, 0);  /* not sealed */
	assert_int_equal(apfsi_volume_verify_seal(NULL, NULL), APFSI_ERR_INVALID);
}

/* A broken seal is a verdict of its own: no node read. */
static void broken(const char *img, uint64_t xid)
{
	struct apfsi_seal_check c;
	apfsi_image *im;
	apfsi_volume *vol;

	assert_int_equal(apfsi_image_open(img_path(img), NULL, &im), APFSI_OK);
	assert_int_equal(apfsi_image_select_volume(im, NULL, &vol), APFSI_OK);
	assert_int_equal(apfsi_volume_verify_seal(vol, &c), APFSI_OK);
	assert_true(c.broken);
	assert_int_equal(c.broken_xid, xid);
	assert_int_equal(c.nodes, 0);
	assert_int_equal(c.mismatched, 0);
	apfsi_image_close(im);
}

static void test_seal_broken(void **state)
{
	(void)state;
	broken("broken.img", 77);
	broken("brokenflag.img", 0);
}

/* Layer 0 of a raw image is the file: bytes read back as fread reads them. */
static void test_layer_read(void **state)
{
	static uint8_t got[8192], want[8192];
	static const uint64_t offs[] = { 0, 4096, 32768 + 17, (64u << 20) - 8192 };
	struct apfsi_layer_info li;
	apfsi_image *im;
	size_t n;
	FILE *f;

	(void)state;
	assert_int_equal(apfsi_image_open(img_path("sealed.img"), NULL, &im), APFSI_OK);
	assert_int_equal(apfsi_image_layer(im, 0, &li), APFSI_OK);
	assert_int_equal(li.size, 64u << 20);  /* the 64 MiB container, raw */
	assert_non_null(f = fopen(img_path("sealed.img"), "rb"));
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		assert_int_equal(fseek(f, (long)offs[i], SEEK_SET), 0);
		assert_int_equal(fread(want, 1, sizeof(want), f), sizeof(want));
		assert_int_equal(apfsi_image_layer_read(im, 0, offs[i], got, sizeof(got), &n),
				 APFSI_OK);
		assert_int_equal(n, sizeof(got));
		assert_memory_equal(got, want, sizeof(want));
	}
	fclose(f);
	/* At the end: short, then nothing. */
	assert_int_equal(apfsi_image_layer_read(im, 0, li.size - 100, got, sizeof(got), &n), APFSI_OK);
	assert_int_equal(n, 100);
	assert_int_equal(apfsi_image_layer_read(im, 0, li.size, got, sizeof(got), &n), APFSI_OK);
	assert_int_equal(n, 0);
	assert_int_equal(apfsi_image_layer_read(im, 0, UINT64_MAX, got, sizeof(got), &n), APFSI_OK);
	assert_int_equal(n, 0);
	assert_int_equal(apfsi_image_layer_read(im, 1, 0, got, sizeof(got), &n),
			 APFSI_ERR_NOT_FOUND);
	assert_int_equal(apfsi_image_layer_read(im, 0, 0, NULL, 1, &n), APFSI_ERR_INVALID);
	assert_int_equal(apfsi_image_layer_read(NULL, 0, 0, got, 1, &n), APFSI_ERR_INVALID);
	apfsi_image_close(im);
}

/* A megabyte of zeros holds no APFS: refused, unless asked for the layers alone. */
static void test_without_apfs(void **state)
{
	struct apfsi_open_options o = { .flags = APFSI_OPEN_WITHOUT_APFS };
	struct apfsi_image_info ii;
	struct apfsi_layer_info li;
	static uint8_t buf[4096], zero[4096];
	apfsi_image *im;
	struct apfsi_open_options plain = { .format = NULL };
	apfsi_volume *vol;
	size_t n;

	(void)state;

	assert_int_equal(apfsi_image_open(img_path("zeros.img"), NULL, &im), APFSI_ERR_NOT_APFS);
	assert_null(im);
	assert_int_equal(apfsi_image_open(img_path("zeros.img"), &plain, &im), APFSI_ERR_NOT_APFS);
	assert_int_equal(apfsi_image_open(img_path("zeros.img"), &o, &im), APFSI_OK);
	assert_int_equal(apfsi_image_info(im, &ii), APFSI_OK);
	assert_int_equal(ii.containers, 0);
	assert_int_equal(ii.volumes, 0);
	assert_int_equal(ii.first_error, APFSI_ERR_NOT_APFS);
	assert_int_equal(ii.layers, 1);
	assert_int_equal(apfsi_image_layer(im, 0, &li), APFSI_OK);
	assert_string_equal(li.kind, "raw");
	assert_int_equal(li.size, 1u << 20);
	memset(buf, 0xaa, sizeof(buf));
	assert_int_equal(apfsi_image_layer_read(im, 0, 5000, buf, sizeof(buf), &n), APFSI_OK);
	assert_int_equal(n, sizeof(buf));
	assert_memory_equal(buf, zero, sizeof(buf));
	assert_int_not_equal(apfsi_image_select_volume(im, NULL, &vol), APFSI_OK);
	assert_int_equal(apfsi_image_volume(im, 0, &vol), APFSI_ERR_NOT_FOUND);
	apfsi_image_close(im);
	/* An image with APFS opens as ever with the flag; unknown flags are refused. */
	assert_int_equal(apfsi_image_open(img_path("sealed.img"), &o, &im), APFSI_OK);
	assert_int_equal(apfsi_image_info(im, &ii), APFSI_OK);
	assert_int_equal(ii.volumes, 1);
	apfsi_image_close(im);
	o.flags = 1u << 7;
	assert_int_equal(apfsi_image_open(img_path("sealed.img"), &o, &im), APFSI_ERR_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff_table),
		cmocka_unit_test(test_diff_xid_and_self),
		cmocka_unit_test(test_diff_cap),
		cmocka_unit_test(test_diff_gap_either_view),
		cmocka_unit_test(test_diff_orphan),
		cmocka_unit_test(test_diff_stop_and_errors),
		cmocka_unit_test(test_diff_encrypted),
		cmocka_unit_test(test_field_names),
		cmocka_unit_test(test_seal),
		cmocka_unit_test(test_seal_broken),
		cmocka_unit_test(test_layer_read),
		cmocka_unit_test(test_without_apfs),
	};

	return cmocka_run_group_tests(tests, setup, scratch_teardown);
}
