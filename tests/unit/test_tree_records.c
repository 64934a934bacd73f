/* SPDX-License-Identifier: MIT */
/*
 * test_tree_records.c - the length checks of records read out of a B-tree
 * leaf, each at its edge: the largest value that fits is read, one more is
 * refused by that check with its own message.  Each tree is one physical
 * root leaf (variable-size keys and values) built by hand in memory from
 * the layouts of Apple's reference as docs/apfs-format.md summarises them:
 * j_snap_metadata_val_t (50 bytes, then name_len bytes of name),
 * j_sibling_val_t (parent u64, name_len u16, the name), j_file_extent
 * key/value (16 + 24 bytes), fext_tree key/value (16 + 16), omap_val_t
 * (16 bytes), j_xattr_val_t and the decmpfs header and resource-fork
 * table it carries (docs/apfs-format.md §8.2), j_inode_val_t (92 bytes, then xfields), j_dir_stats_val_t
 * (32 bytes, read into 64), a symlink target against its buffer, the
 * integrity metadata's root-hash offset; and the B-tree's own limits on fixed sizes and nodes visited.
 */
#include <setjmp.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "memdev.h"
#include "tests/unit/testutil.h"
#include "apfs/fs_int.h"
#include "apfs/fs_group.h"

struct r {
	const uint8_t *k;
	uint16_t kl;
	const uint8_t *v;
	uint16_t vl;
};

/* An image of 8 blocks, a volume on it, and its fs tree at block 2. */
static struct memdev *m;
static struct apfs_container *c;
static struct apfs_volume vol = { .name = "Vol" };
static struct apfs_fs fs;

/* Blocks are rewritten between cases: the container's block cache must not keep them. */
static void cache_drop(void)
{
	apfs_cache_free(c->cache);
	apfs_cache_new(MD_BS, 64 * MD_BS, &c->cache);
}

static void obj_hdr(uint8_t *b, uint64_t oid, uint32_t type, uint32_t subtype)
{
	memset(b, 0, MD_BS);
	st_le64(b + 8, oid);
	st_le64(b + 16, 1);
	st_le32(b + 24, type | APFS_OBJ_PHYSICAL);
	st_le32(b + 28, subtype);
}

/*
 * A physical node at block bno of n records, variable-size (kvloc_t table):
 * a root (ROOT flag, btree_info_t in its last 40 bytes) or not, at level.
 */
static void node(uint64_t bno, bool root, uint16_t level, uint32_t subtype, const struct r *r,
		 unsigned n)
{
	uint8_t *b = md_block(m, bno);
	size_t toc = 56, tlen = 8 * n, keys = toc + tlen, koff = 0, voff = 0;
	size_t vend = MD_BS - (root ? 40 : 0);

	obj_hdr(b, bno, root ? APFS_OBJECT_TYPE_BTREE : APFS_OBJECT_TYPE_BTREE_NODE, subtype);
	st_le16(b + 32, (root ? APFS_BTNODE_ROOT : 0) | (level ? 0 : APFS_BTNODE_LEAF));
	st_le16(b + 34, level);
	st_le32(b + 36, n);
	st_le16(b + 42, (uint16_t)tlen);
	for (unsigned i = 0; i < n; i++) {
		voff += r[i].vl;
		st_le16(b + toc + 8 * i, (uint16_t)koff);
		st_le16(b + toc + 8 * i + 2, r[i].kl);
		st_le16(b + toc + 8 * i + 4, (uint16_t)voff);
		st_le16(b + toc + 8 * i + 6, r[i].vl);
		memcpy(b + keys + koff, r[i].k, r[i].kl);
		memcpy(b + vend - voff, r[i].v, r[i].vl);
		koff += r[i].kl;
	}
	assert_true(keys + koff <= vend - voff);
	if (root)
		st_le32(b + MD_BS - 40, APFS_BTREE_PHYSICAL);
	md_seal(b);
	cache_drop();
}

/* A physical root leaf at block bno. */
static void leaf(uint64_t bno, uint32_t subtype, const struct r *r, unsigned n)
{
	node(bno, true, 0, subtype, r, n);
}

static void leaf1(uint32_t subtype, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl)
{
	const struct r r = { k, (uint16_t)kl, v, (uint16_t)vl };

	leaf(2, subtype, &r, 1);
}


static int setup(void **state)
{
	(void)state;
	m = md_new(8);
	c = md_container(m, 8, 8);
	vol.c = c;
	fs = (struct apfs_fs){ .v = &vol, .c = c, .bs = MD_BS, .hashed = true };
	fs.tree = (struct apfs_btree_desc){ .c = c, .root = 2, .subtype = APFS_OBJECT_TYPE_FSTREE,
					    .cmp = apfs_fs_key_cmp, .what = "fs tree" };
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	md_container_free(c);
	md_free(m);
	return 0;
}

/* ---- snapshot metadata (apfs/snapshot.c) ------------------------------- */

/*
 * The snapshot record after another (an inode's, ignored by the walk) whose
 * value follows it in the node and starts with zeros: a value read one byte
 * past its end reads a 0 there, not the node's trailer.
 */
static int snaps(const uint8_t *k, size_t kl, const uint8_t *v, size_t vl, const char *msg)
{
	static const uint8_t zeros[8];
	struct apfs_snapshot *s = NULL;
	unsigned n = 0;
	uint8_t ik[8];
	int ret;

	fs_key(ik, 1, APFS_TYPE_INODE);
	leaf(2, APFS_OBJECT_TYPE_SNAPMETATREE, (const struct r[]){ { ik, 8, zeros, 8 },
		{ k, (uint16_t)kl, v, (uint16_t)vl } }, 2);
	st_le64(vol.sb.apfs_snap_meta_tree_oid.b, 2);
	log_capture();
	ret = apfs_snapshot_list(&vol, &s, &n);
	log_release();
	if (msg)
		expect_log(msg);
	else
		assert_int_equal(n, 1);
	free(s);
	return ret;
}

/*
 * MAX_SNAPSHOTS (65536) records are listed; one more is refused (the list
 * doubles from 8: 65537 would need 131072 entries).  Listing 65536 also
 * shows the walk takes a three-level tree of 1100 nodes whole.  The records, keys
 * oid 1..n and 50-byte values with no name, fill leaves of 60 under a
 * two-level index of 150 children a node: about 1100 blocks in memory.
 */
#define SNAP_PER_LEAF 60u
#define SNAP_PER_INDEX 150u

static int snap_count(unsigned n, unsigned *listed)
{
	unsigned leaves = (n + SNAP_PER_LEAF - 1) / SNAP_PER_LEAF;
	unsigned mids = (leaves + SNAP_PER_INDEX - 1) / SNAP_PER_INDEX;
	uint8_t (*k)[8] = calloc(n, 8), (*ik)[8] = calloc(leaves, 8), (*iv)[8] = calloc(leaves, 8);
	struct r *rec = calloc(n, sizeof(*rec)), *idx = calloc(leaves, sizeof(*idx));
	static uint8_t v[50], mk[SNAP_PER_INDEX][8], mv[SNAP_PER_INDEX][8];
	struct r mid[SNAP_PER_INDEX];
	struct memdev *saved_m = m, *big;
	struct apfs_container *saved_c = c, *bc;
	struct apfs_volume bv = vol;
	struct apfs_snapshot *list = NULL;
	uint64_t root = 1, first_leaf = 2 + mids;
	int ret;

	assert_true(k && ik && iv && rec && idx && mids <= SNAP_PER_INDEX);
	big = md_new((unsigned)(first_leaf + leaves));
	bc = md_container(big, first_leaf + leaves, first_leaf + leaves);
	m = big, c = bc;
	for (unsigned i = 0; i < n; i++) {
		fs_key(k[i], 1 + i, APFS_TYPE_SNAP_METADATA);
		rec[i] = (struct r){ k[i], 8, v, sizeof(v) };
	}
	for (unsigned j = 0; j < leaves; j++) {
		unsigned first = j * SNAP_PER_LEAF;

		node(first_leaf + j, false, 0, APFS_OBJECT_TYPE_SNAPMETATREE, rec + first,
		     n - first < SNAP_PER_LEAF ? n - first : SNAP_PER_LEAF);
		memcpy(ik[j], k[first], 8);
		st_le64(iv[j], first_leaf + j);
		idx[j] = (struct r){ ik[j], 8, iv[j], 8 };
	}
	for (unsigned j = 0; j < mids; j++) {
		unsigned first = j * SNAP_PER_INDEX;

		node(2 + j, false, 1, APFS_OBJECT_TYPE_SNAPMETATREE, idx + first,
		     leaves - first < SNAP_PER_INDEX ? leaves - first : SNAP_PER_INDEX);
		memcpy(mk[j], ik[first], 8);
		st_le64(mv[j], 2 + j);
		mid[j] = (struct r){ mk[j], 8, mv[j], 8 };
	}
	node(root, true, 2, APFS_OBJECT_TYPE_SNAPMETATREE, mid, mids);
	bv.c = bc;
	st_le64(bv.sb.apfs_snap_meta_tree_oid.b, root);
	*listed = 0;
	log_capture();
	ret = apfs_snapshot_list(&bv, &list, listed);
	log_release();
	free(list);
	m = saved_m, c = saved_c;
	md_container_free(bc);
	md_free(big);
	free(k), free(ik), free(iv), free(rec), free(idx);
	return ret;
}

static void test_snapshot_count_edge(void **state)
{
	unsigned n = 0;

	(void)state;
	assert_int_equal(snap_count(65536, &n), 0);
	assert_int_equal(n, 65536);
	assert_int_equal(snap_count(65537, &n), -APFS_ECORRUPT);
	/* Refused by the count (which logs nothing), not by a check of the tree's. */
	assert_string_equal(log_last(), "");
}

static void test_snapshot_metadata(void **state)
{
	static uint8_t v[50 + APFS_NAME_MAX + 8];
	uint8_t k[8];
	const char *bad = "snapshot 7: metadata record is malformed";

	(void)state;
	fs_key(k, 7, APFS_TYPE_SNAP_METADATA);
	memset(v, 'n', sizeof(v));
	st_le16(v + 48, 0);
	assert_int_equal(snaps(k, 8, v, 50, NULL), 0);
	assert_int_equal(snaps(k, 8, v, 49, bad), -APFS_ECORRUPT);
	/* name_len up to the value's end, and up to the name buffer (NUL counted). */
	st_le16(v + 48, 5);
	assert_int_equal(snaps(k, 8, v, 55, NULL), 0);
	assert_int_equal(snaps(k, 8, v, 54, bad), -APFS_ECORRUPT);
	st_le16(v + 48, APFS_NAME_MAX);
	assert_int_equal(snaps(k, 8, v, 50 + APFS_NAME_MAX, NULL), 0);
	st_le16(v + 48, APFS_NAME_MAX + 1);
	assert_int_equal(snaps(k, 8, v, 50 + APFS_NAME_MAX + 1, bad), -APFS_ECORRUPT);
	/* A key shorter than j_key_t is refused before its type is read. */
	st_le16(v + 48, 0);
	assert_int_equal(snaps(k, 7, v, 50, "a record key of 7 bytes"), -APFS_ECORRUPT);
}

/* ---- sibling links (apfs/fs_dir.c) ------------------------------------- */

static int link_seen(uint64_t parent, const char *name, void *ctx)
{
	(void)name;
	*(uint64_t *)ctx = parent;
	return 0;
}

static int links(const uint8_t *v, size_t vl, const char *msg)
{
	uint8_t k[16];
	uint64_t parent = 0;
	int ret;

	fs_key(k, 20, APFS_TYPE_SIBLING_LINK);
	st_le64(k + 8, 21);
	leaf1(APFS_OBJECT_TYPE_FSTREE, k, 16, v, vl);
	log_capture();
	ret = fs_vol_links(&fs, 20, link_seen, &parent);
	log_release();
	if (msg)
		expect_log(msg);
	else
		assert_int_equal(parent, 2);
	return ret;
}

static void test_sibling_links(void **state)
{
	static uint8_t v[10 + APFS_NAME_MAX + 8];
	const char *out = "sibling link name outside its record";

	(void)state;
	memset(v, 'n', sizeof(v));
	st_le64(v, 2);
	st_le16(v + 8, 1);
	assert_int_equal(links(v, 11, NULL), 0);
	assert_int_equal(links(v, 10, out), -APFS_ECORRUPT);  /* name_len 1, no byte for it */
	assert_int_equal(links(v, 9, "sibling link too short"), -APFS_ECORRUPT);
	st_le16(v + 8, 0);
	assert_int_equal(links(v, 11, out), -APFS_ECORRUPT);
	st_le16(v + 8, APFS_NAME_MAX);
	assert_int_equal(links(v, 10 + APFS_NAME_MAX, NULL), 0);
	st_le16(v + 8, APFS_NAME_MAX + 1);
	assert_int_equal(links(v, 10 + APFS_NAME_MAX + 1, out), -APFS_ECORRUPT);
}

/* ---- file extents (apfs/fs_read.c) ------------------------------------- */

static void ext_key(uint8_t *k, uint64_t logical)
{
	fs_key(k, 30, APFS_TYPE_FILE_EXTENT);
	st_le64(k + 8, logical);
}

static void ext_val(uint8_t *v, uint64_t len, uint64_t phys)
{
	memset(v, 0, 24);
	st_le64(v, len);
	st_le64(v + 8, phys);
}

/* The records' checks: loaded as a stream that may lack extents (the whole rule below). */
static int extents(const struct r *r, unsigned n, const char *msg)
{
	struct fs_stream s;
	int ret;

	leaf(2, APFS_OBJECT_TYPE_FSTREE, r, n);
	log_capture();
	ret = fs_stream_load_partial(&fs, 30, 1 << 20, &s);
	log_release();
	if (msg)
		expect_log(msg);
	else
		assert_int_equal(s.n, n);
	if (!ret)
		fs_stream_free(&s);
	return ret;
}

static void test_file_extents(void **state)
{
	uint8_t k[2][16], v[2][24];
	const struct r one = { k[0], 16, v[0], 24 }, two[2] = { one, { k[1], 16, v[1], 24 } };
	const char *range = "data stream 30: extent length out of range";

	(void)state;
	ext_key(k[0], 0);
	ext_val(v[0], 4096, 5);
	assert_int_equal(extents(&one, 1, NULL), 0);
	assert_int_equal(extents((const struct r[]){ { k[0], 16, v[0], 23 } }, 1,
				 "data stream 30: file extent record too short"), -APFS_ECORRUPT);
	assert_int_equal(extents((const struct r[]){ { k[0], 15, v[0], 24 } }, 1,
				 "data stream 30: file extent record too short"), -APFS_ECORRUPT);
	/* Length 0 is no extent; an extent may end at 2^64 exactly, not one past. */
	ext_val(v[0], 0, 5);
	assert_int_equal(extents(&one, 1, range), -APFS_ECORRUPT);
	ext_key(k[0], UINT64_MAX - 4096);
	ext_val(v[0], 4096, 5);
	assert_int_equal(extents(&one, 1, NULL), 0);
	ext_key(k[0], UINT64_MAX - 4095);
	assert_int_equal(extents(&one, 1, range), -APFS_ECORRUPT);
	/* The next extent may start where the previous one ends, not a byte before. */
	ext_key(k[0], 0);
	ext_key(k[1], 4096);
	ext_val(v[1], 4096, 6);
	assert_int_equal(extents(two, 2, NULL), 0);
	ext_val(v[0], 4097, 5);
	assert_int_equal(extents(two, 2, "data stream 30: extents overlap"), -APFS_ECORRUPT);
}

/*
 * Stream 30 of size (< 16 KiB) bytes over the extents r[0..n): whether
 * whole (0 or the message); a read of it all fails where it is not, the
 * bytes before the first missing one given.
 */
static int whole(const struct r *r, unsigned n, uint64_t size, const char *msg)
{
	static uint8_t b[16384];
	struct fs_stream s;
	size_t got = 0;
	int ret, rd;

	leaf(2, APFS_OBJECT_TYPE_FSTREE, r, n);
	assert_int_equal(fs_stream_load(&fs, 30, size, &s), 0);
	log_capture();
	ret = fs_stream_whole(&fs, &s);
	log_release();
	if (msg)
		expect_log(msg);
	log_capture();
	rd = fs_stream_read(&fs, &s, 0, b, size, &got);
	log_release();
	assert_int_equal(rd, ret);
	if (msg)
		expect_log(msg);
	assert_true(ret ? got < size : got == size);
	fs_stream_free(&s);
	return ret;
}

/*
 * A stream's extents run from 0, each where the last ended, up to its size
 * (apfsck): a hole is an extent of its own (phys 0); bytes below the size
 * that none holds are records lost, named by the first.  Past the size
 * they may go on (allocated, not used).
 */
static void test_file_extents_whole(void **state)
{
	uint8_t k[2][16], v[2][24];
	const struct r two[2] = { { k[0], 16, v[0], 24 }, { k[1], 16, v[1], 24 } };

	(void)state;
	ext_key(k[0], 0);
	ext_val(v[0], 4096, 5);
	ext_key(k[1], 4096);
	ext_val(v[1], 8192, 0);  /* sparse */
	assert_int_equal(whole(two, 2, 12288, NULL), 0);
	assert_int_equal(whole(two, 2, 12287, NULL), 0);
	assert_int_equal(whole(two, 2, 0, NULL), 0);
	assert_int_equal(whole(two, 2, 12289, "data stream 30: no extent holds its bytes "
			       "12288 to 12288 (of 12289"), -APFS_ECORRUPT);
	assert_int_equal(whole(two, 1, 4097, "data stream 30: no extent holds its bytes "
			       "4096 to 4096 (of 4097"), -APFS_ECORRUPT);
	assert_int_equal(whole(two, 0, 1, "data stream 30: no extent holds its bytes 0 to 0"),
			 -APFS_ECORRUPT);
	assert_int_equal(whole(&two[1], 1, 12288, "data stream 30: no extent holds its bytes "
			       "0 to 4095"), -APFS_ECORRUPT);
	ext_key(k[1], 4097);  /* a byte's gap, and the last byte past it */
	assert_int_equal(whole(two, 2, 8192, "data stream 30: no extent holds its bytes "
			       "4096 to 4096"), -APFS_ECORRUPT);
	assert_int_equal(whole(two, 2, 4096, NULL), 0);
}

/*
 * A read that lands inside a gap names it from where it begins, not from
 * where the read landed: readers in parallel, each in a piece of its own,
 * name the one gap alike.
 */
static void test_file_extents_gap_named_whole(void **state)
{
	uint8_t k[2][16], v[2][24], b[4096];
	const struct r two[2] = { { k[0], 16, v[0], 24 }, { k[1], 16, v[1], 24 } };
	struct fs_stream s;
	size_t got = 1;

	(void)state;
	ext_key(k[0], 0);
	ext_val(v[0], 4096, 5);
	ext_key(k[1], 40960);  /* bytes 4096 to 40959 in no extent */
	ext_val(v[1], 4096, 6);
	leaf(2, APFS_OBJECT_TYPE_FSTREE, two, 2);
	assert_int_equal(fs_stream_load(&fs, 30, 45056, &s), 0);
	log_capture();
	assert_int_equal(fs_stream_read(&fs, &s, 20000, b, sizeof(b), &got), -APFS_ECORRUPT);
	log_release();
	expect_log("data stream 30: no extent holds its bytes 4096 to 40959 (of 45056");
	assert_int_equal(got, 0);
	fs_stream_free(&s);
}

/*
 * A leaf out of order (damaged): a stream's extents are found wherever they
 * stand, past another object's record too (a walk from their key stopped
 * there, and the rest of the file read as a hole), put in logical order, and
 * still may not overlap.
 */
static void test_file_extents_unordered(void **state)
{
	uint8_t k[3][16], v[3][24];
	const struct r mixed[3] = { { k[1], 16, v[1], 24 }, { k[2], 8, v[2], 24 },
				    { k[0], 16, v[0], 24 } };
	struct fs_stream s;

	(void)state;
	ext_key(k[0], 0);
	ext_val(v[0], 4096, 5);
	ext_key(k[1], 4096);
	ext_val(v[1], 8192, 6);
	fs_key(k[2], 31, APFS_TYPE_INODE);
	memset(v[2], 0, sizeof(v[2]));
	leaf(2, APFS_OBJECT_TYPE_FSTREE, mixed, 3);
	assert_int_equal(fs_stream_load(&fs, 30, 12288, &s), 0);
	assert_int_equal(s.n, 2);
	assert_true(s.ext[0].logical == 0 && s.ext[0].len == 4096 && s.ext[0].phys == 5);
	assert_true(s.ext[1].logical == 4096 && s.ext[1].len == 8192 && s.ext[1].phys == 6);
	fs_stream_free(&s);
	/* in logical order, the first ends a byte past the second's start */
	ext_val(v[0], 4097, 5);
	assert_int_equal(extents(mixed, 3, "data stream 30: extents overlap"), -APFS_ECORRUPT);
}

/*
 * The file-extent tree's leaf out of order (damaged): stream 30's second
 * extent, then stream 31's, then its first: both found, in logical order.
 * A key of the stream's without its logical address is damage.
 */
static void fext_unordered(struct fs_stream *s)
{
	uint8_t k[3][16], v[3][16];
	const struct r r[3] = { { k[0], 16, v[0], 16 }, { k[1], 16, v[1], 16 },
				{ k[2], 16, v[2], 16 } };
	const uint64_t id[3] = { 30, 31, 30 }, logical[3] = { 8192, 0, 0 };

	for (int i = 0; i < 3; i++) {
		st_le64(k[i], id[i]);
		st_le64(k[i] + 8, logical[i]);
		st_le64(v[i], 8192);
		st_le64(v[i] + 8, 7 + (uint64_t)i);
	}
	leaf(3, APFS_OBJECT_TYPE_FEXT_TREE, r, 3);
	assert_int_equal(fs_stream_load(&fs, 30, 16384, s), 0);
	assert_int_equal(s->n, 2);
	assert_true(s->ext[0].logical == 0 && s->ext[0].phys == 9);
	assert_true(s->ext[1].logical == 8192 && s->ext[1].phys == 7);
	fs_stream_free(s);
	/* a key of stream 30's too short for a logical address: damage, not its extents' end */
	leaf(3, APFS_OBJECT_TYPE_FEXT_TREE, (const struct r[]){ { k[0], 8, v[0], 16 }, r[2] }, 2);
	log_capture();
	assert_int_equal(fs_stream_load(&fs, 30, 16384, s), -APFS_ECORRUPT);
	log_release();
	expect_log("data stream 30: file-extent tree record too short");
}

/* A sealed volume's file-extent tree (block 3): (private id, logical) -> (len, phys). */
static void test_fext_records(void **state)
{
	uint8_t k[16], v[16];
	const struct r r = { k, 16, v, 16 };
	struct fs_stream s;
	int ret;

	(void)state;
	st_le64(k, 30);
	st_le64(k + 8, 0);
	st_le64(v, 8192);
	st_le64(v + 8, 7);
	leaf(3, APFS_OBJECT_TYPE_FEXT_TREE, &r, 1);
	leaf(2, APFS_OBJECT_TYPE_FSTREE, NULL, 0);
	fs.sealed = true;
	fs.fext = (struct apfs_btree_desc){ .c = c, .root = 3,
					    .subtype = APFS_OBJECT_TYPE_FEXT_TREE,
					    .cmp = apfs_btree_cmp_u64_pair, .what = "fext tree" };
	assert_int_equal(fs_stream_load(&fs, 30, 8192, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.ext[0].len, 8192);
	assert_int_equal(s.ext[0].phys, 7);
	fs_stream_free(&s);
	fext_unordered(&s);
	leaf(3, APFS_OBJECT_TYPE_FEXT_TREE, (const struct r[]){ { k, 16, v, 15 } }, 1);
	log_capture();
	ret = fs_stream_load(&fs, 30, 8192, &s);
	log_release();
	fs.sealed = false;
	expect_log("data stream 30: file-extent tree record too short");
	assert_int_equal(ret, -APFS_ECORRUPT);
}

/* ---- object map values (apfs/omap.c) ----------------------------------- */

static int omap_value(size_t vl, const char *msg)
{
	uint8_t k[16], v[24] = { 0 };
	struct apfs_omap_res res;
	int ret;

	st_le64(k, 1000);
	st_le64(k + 8, 1);
	st_le32(v + 4, MD_BS);
	st_le64(v + 8, 6);
	leaf1(APFS_OBJECT_TYPE_OMAP, k, 16, v, vl);
	obj_hdr(md_block(m, 1), 1, APFS_OBJECT_TYPE_OMAP, 0);
	st_le64(md_block(m, 1) + 48, 2);
	md_seal(md_block(m, 1));
	cache_drop();
	log_capture();
	ret = apfs_omap_lookup(c, 1, 1000, 5, &res);
	log_release();
	if (msg)
		expect_log(msg);
	else
		assert_int_equal(res.paddr, 6);
	return ret;
}

static void test_omap_value(void **state)
{
	(void)state;
	assert_int_equal(omap_value(16, NULL), 0);
	assert_int_equal(omap_value(15, "object map record for oid 1000 has a 15-byte value"),
			 -APFS_ECORRUPT);
	assert_int_equal(omap_value(17, "object map record for oid 1000 has a 17-byte value"),
			 -APFS_ECORRUPT);
}

/* ---- inode and directory-stats records (apfs/fs_inode.c) --------------- */

static void test_inode_record(void **state)
{
	uint8_t k[8], v[sizeof(struct apfs_j_inode_val)] = { 0 };
	struct fs_inode in;
	int ret;

	(void)state;
	fs_key(k, 40, APFS_TYPE_INODE);
	st_le64(v, 2);  /* parent */
	leaf1(APFS_OBJECT_TYPE_FSTREE, k, 8, v, sizeof(v));
	assert_int_equal(fs_inode_get(&fs, 40, &in), 0);
	assert_int_equal(get_le64(in.raw.parent_id), 2);
	leaf1(APFS_OBJECT_TYPE_FSTREE, k, 8, v, sizeof(v) - 1);
	log_capture();
	ret = fs_inode_get(&fs, 40, &in);
	log_release();
	expect_log("inode 40: inode record shorter than j_inode_val_t");
	assert_int_equal(ret, -APFS_ECORRUPT);
}

/* An inode whose DIR_STATS_KEY field (8 bytes) names stats record 50 of vl bytes. */
static int dir_stats(size_t vl, const char *msg)
{
	static uint8_t ik[8], iv[sizeof(struct apfs_j_inode_val) + 16], sk[8], sv[72];
	const struct r r[2] = { { ik, 8, iv, sizeof(iv) }, { sk, 8, sv, (uint16_t)vl } };
	struct apfs_dir_stats ds;
	uint8_t *x = iv + sizeof(struct apfs_j_inode_val);
	int ret;

	fs_key(ik, 40, APFS_TYPE_INODE);
	fs_key(sk, 50, APFS_TYPE_DIR_STATS);
	st_le16(x, 1);      /* one field */
	st_le16(x + 2, 8);  /* 8 bytes of data */
	x[4] = APFS_INO_EXT_TYPE_DIR_STATS_KEY;
	st_le16(x + 6, 8);
	st_le64(x + 8, 50);
	for (unsigned i = 0; i < 5; i++)
		st_le64(sv + 8 * i, 100 + i);
	leaf(2, APFS_OBJECT_TYPE_FSTREE, r, 2);
	log_capture();
	ret = fs_vol_dir_stats(&fs, 40, &ds);
	log_release();
	if (msg)
		expect_log(msg);
	else
		assert_int_equal(ds.gen_count, 103);
	return ret;
}

static void test_dir_stats_record(void **state)
{
	(void)state;
	assert_int_equal(dir_stats(32, NULL), 0);
	assert_int_equal(dir_stats(31, "inode 40: directory-stats record too short"),
			 -APFS_ECORRUPT);
	/* A longer record is read up to the lookup's 64-byte buffer. */
	assert_int_equal(dir_stats(64, NULL), 0);
	assert_int_equal(dir_stats(65, "record value of 65 bytes is larger than expected (64)"),
			 -APFS_ECORRUPT);
}

/* INO_EXT_TYPE_DIR_STATS_KEY holds a key (8 bytes) or the stats (32): nothing between. */
static void test_dir_stats_field(void **state)
{
	static const uint16_t sizes[] = { 7, 8, 9, 31, 32, 33 };
	uint8_t b[64];

	(void)state;
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint16_t sz = sizes[i];
		struct fs_inode in = { .ino = 41 };
		int ret;

		memset(b, 0, sizeof(b));
		st_le16(b, 1);
		st_le16(b + 2, (uint16_t)((sz + 7) & ~7));
		b[4] = APFS_INO_EXT_TYPE_DIR_STATS_KEY;
		st_le16(b + 6, sz);
		log_capture();
		ret = fs_inode_xfields(&fs, &in, b, 8 + ((sz + 7u) & ~7u));
		log_release();
		if (sz == 8 || sz == 32) {
			assert_int_equal(ret, 0);
			assert_int_equal(in.dir_stats_len, sz);
		} else {
			assert_int_equal(ret, -APFS_ECORRUPT);
			expect_log("inode 41: directory-stats field neither 8 nor 32 bytes");
		}
	}
}

/* ---- decmpfs headers and resource forks (apfs/decmpfs.c) ---------------- */

/* An xattr record of ino: j_xattr_key_t (name with its NUL), embedded j_xattr_val_t. */
static size_t xattr_rec(uint8_t *k, uint8_t *v, uint64_t ino, const char *name,
			const uint8_t *data, size_t dlen, uint16_t *kl)
{
	size_t nl = strlen(name) + 1;

	fs_key(k, ino, APFS_TYPE_XATTR);
	st_le16(k + 8, (uint16_t)nl);
	memcpy(k + 10, name, nl);
	*kl = (uint16_t)(10 + nl);
	st_le16(v, APFS_XATTR_DATA_EMBEDDED);
	st_le16(v + 2, (uint16_t)dlen);
	memcpy(v + 4, data, dlen);
	return 4 + dlen;
}

/*
 * Inode 70 with a com.apple.decmpfs of hlen bytes (type, size) and, when
 * rsrc, a resource fork of rlen bytes; fs_decmpfs_open's result.
 */
static int decmpfs(size_t hlen, uint32_t type, uint64_t size, const uint8_t *rsrc, size_t rlen,
		   const char *msg)
{
	static uint8_t k[2][64], v[2][1024];
	uint8_t h[64] = { 0 };
	struct r r[2];
	unsigned n = 0;
	struct fs_decmpfs *d = NULL;
	int ret;

	st_le32(h, 0x636d7066u);  /* "fpmc" */
	st_le32(h + 4, type);
	st_le64(h + 8, size);
	/* Key order: "com.apple.ResourceFork" < "com.apple.decmpfs" ('R' < 'd'). */
	if (rsrc) {
		r[n].vl = (uint16_t)xattr_rec(k[n], v[n], 70, APFS_XATTR_RESOURCE_FORK, rsrc, rlen,
					       &r[n].kl);
		r[n].k = k[n], r[n].v = v[n], n++;
	}
	r[n].vl = (uint16_t)xattr_rec(k[n], v[n], 70, APFS_XATTR_DECMPFS, h, hlen, &r[n].kl);
	r[n].k = k[n], r[n].v = v[n], n++;
	leaf(2, APFS_OBJECT_TYPE_FSTREE, r, n);
	log_capture();
	ret = fs_decmpfs_open(&fs, 70, &d);
	log_release();
	fs_decmpfs_close(d);
	if (msg)
		expect_log(msg);
	else if (ret)
		fail_msg("refused: %s", log_last());
	return ret;
}

static void test_decmpfs_header(void **state)
{
	(void)state;
	assert_int_equal(decmpfs(16, 1, 0, NULL, 0, NULL), 0);
	assert_int_equal(decmpfs(15, 1, 0, NULL, 0, "com.apple.decmpfs has an impossible size"),
			 -APFS_ECORRUPT);
}

/*
 * A com.apple.decmpfs of size bytes held in a data stream (id 71), as
 * macOS stores an xattr too big to embed: its first block (block 5) holds
 * the header, the rest is a sparse extent.  fs_decmpfs_info's result.
 */
static int decmpfs_stream(uint64_t size, const char *msg)
{
	static uint8_t k[3][64], v[3][64];
	uint64_t alloced = (size + MD_BS - 1) / MD_BS * MD_BS;
	struct r r[3];
	uint32_t type = 0;
	uint64_t usize = 0;
	size_t nl = strlen(APFS_XATTR_DECMPFS) + 1;
	uint8_t *b = md_block(m, 5);
	int ret;

	memset(b, 0, MD_BS);
	st_le32(b, 0x636d7066u);  /* "fpmc" */
	st_le32(b + 4, 8);
	st_le64(b + 8, 12345);
	fs_key(k[0], 70, APFS_TYPE_XATTR);
	st_le16(k[0] + 8, (uint16_t)nl);
	memcpy(k[0] + 10, APFS_XATTR_DECMPFS, nl);
	memset(v[0], 0, sizeof(v[0]));
	st_le16(v[0], APFS_XATTR_DATA_STREAM);
	st_le16(v[0] + 2, (uint16_t)sizeof(struct apfs_j_xattr_dstream));
	st_le64(v[0] + 4, 71);     /* xattr_obj_id */
	st_le64(v[0] + 12, size);  /* dstream.size */
	st_le64(v[0] + 20, alloced);
	r[0] = (struct r){ k[0], (uint16_t)(10 + nl), v[0],
			   (uint16_t)(4 + sizeof(struct apfs_j_xattr_dstream)) };
	fs_key(k[1], 71, APFS_TYPE_FILE_EXTENT);
	st_le64(k[1] + 8, 0);
	memset(v[1], 0, 24);
	st_le64(v[1], MD_BS);
	st_le64(v[1] + 8, 5);
	r[1] = (struct r){ k[1], 16, v[1], 24 };
	fs_key(k[2], 71, APFS_TYPE_FILE_EXTENT);
	st_le64(k[2] + 8, MD_BS);
	memset(v[2], 0, 24);
	st_le64(v[2], alloced - MD_BS);
	r[2] = (struct r){ k[2], 16, v[2], 24 };
	leaf(2, APFS_OBJECT_TYPE_FSTREE, r, 3);
	log_capture();
	ret = fs_decmpfs_info(&fs, 70, &type, &usize);
	log_release();
	if (msg) {
		expect_log(msg);
	} else {
		if (ret)
			fail_msg("refused: %s", log_last());
		assert_int_equal(type, 8);
		assert_int_equal(usize, 12345);
	}
	return ret;
}

/* The whole value is read into memory: at most a compressed chunk (128 KiB) past the header. */
static void test_decmpfs_header_max(void **state)
{
	(void)state;
	assert_int_equal(decmpfs_stream((128u << 10) + 16, NULL), 0);
	assert_int_equal(decmpfs_stream((128u << 10) + 17,
					"com.apple.decmpfs has an impossible size"), -APFS_ECORRUPT);
}

/* Inline data may claim 16 MiB (then must decode to it), not a byte more. */
static void test_decmpfs_inline_size(void **state)
{
	(void)state;
	assert_int_equal(decmpfs(17, 1, 16u << 20, NULL, 0,
				 "inline data (type 1) does not decode to 16777216 bytes"),
			 -APFS_ECORRUPT);
	assert_int_equal(decmpfs(17, 1, (16u << 20) + 1, NULL, 0,
				 "inline data claims an implausible size"), -APFS_ECORRUPT);
}

/* A resource-fork file may claim 1 TiB (then needs its fork), not a byte more. */
static void test_decmpfs_rsrc_size(void **state)
{
	(void)state;
	assert_int_equal(decmpfs(16, 8, 1ull << 40, NULL, 0, "inode 70: no resource fork"),
			 -APFS_ECORRUPT);
	assert_int_equal(decmpfs(16, 8, (1ull << 40) + 1, NULL, 0,
				 "inode 70: uncompressed size beyond 1 TiB"), -APFS_ECORRUPT);
}

/* LZVN in the fork (type 8): offsets of chunk 0's start and end; the end at the fork's end. */
static void test_decmpfs_chunk_in_fork(void **state)
{
	uint8_t f[16] = { 0 };

	(void)state;
	st_le32(f, 8);
	st_le32(f + 4, 16);
	assert_int_equal(decmpfs(16, 8, 10, f, 16, NULL), 0);
	st_le32(f + 4, 17);
	assert_int_equal(decmpfs(16, 8, 10, f, 16, "inode 70: resource-fork chunk outside the fork"),
			 -APFS_ECORRUPT);
	/* A chunk's end at its start (empty) is taken; one byte before its start is not. */
	st_le32(f + 4, 8);
	assert_int_equal(decmpfs(16, 8, 10, f, 16, NULL), 0);
	st_le32(f + 4, 7);
	assert_int_equal(decmpfs(16, 8, 10, f, 16, "inode 70: resource-fork chunk outside the fork"),
			 -APFS_ECORRUPT);
	/* The table itself: 2 offsets (8 bytes) in a fork of 8 bytes, then of 7. */
	st_le32(f + 4, 8);
	assert_int_equal(decmpfs(16, 8, 10, f, 8, NULL), 0);
	assert_int_equal(decmpfs(16, 8, 10, f, 7, "a table of 1 chunks (for 10 bytes) needs 8 "
				 "bytes"), -APFS_ECORRUPT);
}

/*
 * A zlib resource fork (type 4) read to its exact end and one byte short:
 * its 16-byte header, then the chunk count at the header's data offset + 4.
 * Read whole, the fork goes on to the table-size check (a table of 1 chunk
 * needs 24 bytes); a read that comes back a byte short is refused as such.
 */
static void test_decmpfs_fork_read_edge(void **state)
{
	uint8_t f[16] = { 0 };

	(void)state;
	st_be32(f, 8);       /* data offset 8: the count at 12..15 */
	st_le32(f + 12, 1);  /* 1 chunk for 10 bytes */
	assert_int_equal(decmpfs(16, 4, 10, f, 16, "a table of 1 chunks (for 10 bytes) needs 24 "
				 "bytes"), -APFS_ECORRUPT);
	assert_int_equal(decmpfs(16, 4, 10, f, 15, "resource fork shorter than its chunk table"),
			 -APFS_ECORRUPT);
	/* The count's read: at 12..15 it fits the 16 bytes, at 13..16 it is one short. */
	st_be32(f, 9);
	assert_int_equal(decmpfs(16, 4, 10, f, 16, "resource fork shorter than its chunk table"),
			 -APFS_ECORRUPT);
}

/* ---- link targets (apfs/fs_xattr.c) -------------------------------------- */

/* Inode 80's symlink target of len bytes (its last one NUL when nul), read into cap bytes. */
static int readlink_len(size_t len, bool nul, size_t cap, char *out)
{
	static uint8_t k[64], v[1100], t[1100];
	struct r r;
	int ret;

	memset(t, 'x', len);
	if (nul && len)
		t[len - 1] = '\0';
	r.vl = (uint16_t)xattr_rec(k, v, 80, APFS_XATTR_SYMLINK, t, len, &r.kl);
	r.k = k, r.v = v;
	leaf(2, APFS_OBJECT_TYPE_FSTREE, &r, 1);
	log_capture();
	ret = fs_vol_readlink(&fs, 80, out, cap);
	log_release();
	return ret;
}

/* A target fills the caller's buffer with its NUL at most; one byte more does not fit. */
static void test_link_target(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(readlink_len(64, true, 64, out), 0);
	assert_int_equal(strlen(out), 63);
	assert_int_equal(readlink_len(65, true, 64, out), -ENAMETOOLONG);
	/* Stored without its NUL: 63 bytes fit, 64 do not. */
	assert_int_equal(readlink_len(63, false, 64, out), 0);
	assert_int_equal(strlen(out), 63);
	assert_int_equal(readlink_len(64, false, 64, out), -ENAMETOOLONG);
	assert_int_equal(readlink_len(0, false, 64, out), -APFS_ECORRUPT);
	expect_log("inode 80: extended attribute: empty link target");
}

/* ---- the seal's root hash (apfs/volume.c) -------------------------------- */

/* A sealed volume whose integrity metadata (oid 500, block 3) puts its SHA-256 at off. */
static unsigned seal_hash_len(uint32_t off)
{
	uint8_t k[16], v[16] = { 0 }, *im = md_block(m, 3);
	struct apfs_seal s;

	st_le64(k, 500);
	st_le64(k + 8, 1);
	st_le32(v + 4, MD_BS);
	st_le64(v + 8, 3);
	leaf1(APFS_OBJECT_TYPE_OMAP, k, 16, v, 16);
	obj_hdr(md_block(m, 1), 1, APFS_OBJECT_TYPE_OMAP, 0);
	st_le64(md_block(m, 1) + 48, 2);
	md_seal(md_block(m, 1));
	obj_hdr(im, 500, APFS_OBJECT_TYPE_INTEGRITY_META, 0);
	st_le32(im + APFS_IM_HASH_TYPE_OFF, APFS_HASH_SHA256);
	st_le32(im + APFS_IM_ROOT_HASH_OFFSET_OFF, off);
	memset(im + MD_BS - 32, 0xab, 32);
	md_seal(im);
	cache_drop();
	vol.omap_paddr = 1;
	vol.xid = 5;
	st_le64(vol.sb.apfs_incompatible_features.b, APFS_INCOMPAT_SEALED_VOLUME);
	st_le64(vol.sb.apfs_integrity_meta_oid.b, 500);
	assert_int_equal(apfs_volume_seal(&vol, &s), 0);
	st_le64(vol.sb.apfs_incompatible_features.b, 0);
	return s.hash_len;
}

/* The root hash lies past the header (56 bytes) and inside the block, else it is not taken. */
static void test_seal_root_hash(void **state)
{
	(void)state;
	assert_int_equal(seal_hash_len(APFS_IM_BROKEN_XID_OFF + 8), 32);
	assert_int_equal(seal_hash_len(APFS_IM_BROKEN_XID_OFF + 7), 0);
	assert_int_equal(seal_hash_len(MD_BS - 32), 32);
	assert_int_equal(seal_hash_len(MD_BS - 31), 0);
}

/* ---- parent chains (apfs/fs_dir.c) --------------------------------------- */

#define CHAIN_PER_LEAF 32u

/*
 * Inodes 100 .. 100 + n - 1, each named "a" and the child of the next, the
 * last a child of the root (2): a root index (block 1) over leaves of 32
 * inodes (blocks 2...).  The path of inode 100 is n components deep.
 */
static int chain_path_in(unsigned n, char *buf, size_t cap, bool group)
{
	static uint8_t k[4200][8], v[4200][108], ik[160][8], iv[160][8];
	static struct r rec[4200], idx[160];
	struct memdev *saved_m = m, *big;
	struct apfs_container *saved_c = c, *bc;
	struct apfs_fs f;
	unsigned leaves = (n + CHAIN_PER_LEAF - 1) / CHAIN_PER_LEAF;
	int ret;

	assert_true(n <= 4200 && leaves < 160);
	big = md_new(leaves + 2);
	bc = md_container(big, leaves + 2, leaves + 2);
	m = big, c = bc;
	for (unsigned i = 0; i < n; i++) {
		uint8_t *x = v[i] + sizeof(struct apfs_j_inode_val);

		fs_key(k[i], 100 + i, APFS_TYPE_INODE);
		memset(v[i], 0, sizeof(v[i]));
		st_le64(v[i], i + 1 < n ? 101 + i : APFS_ROOT_DIR_INO_NUM);
		st_le16(x, 1);
		st_le16(x + 2, 8);
		x[4] = APFS_INO_EXT_TYPE_NAME;
		st_le16(x + 6, 2);
		memcpy(x + 8, "a", 2);
		rec[i] = (struct r){ k[i], 8, v[i], sizeof(v[i]) };
	}
	for (unsigned j = 0; j < leaves; j++) {
		unsigned first = j * CHAIN_PER_LEAF, cnt = n - first < CHAIN_PER_LEAF ? n - first :
								  CHAIN_PER_LEAF;

		node(2 + j, false, 0, APFS_OBJECT_TYPE_FSTREE, rec + first, cnt);
		memcpy(ik[j], k[first], 8);
		st_le64(iv[j], 2 + j);
		idx[j] = (struct r){ ik[j], 8, iv[j], 8 };
	}
	node(1, true, 1, APFS_OBJECT_TYPE_FSTREE, idx, leaves);
	f = fs;
	f.c = bc;
	f.tree.c = bc;
	f.tree.root = 1;
	log_capture();
	if (group) {
		/* The same chain as the System volume of a merged root (nothing firmlinked). */
		struct fs_group g = { .sys = &f };
		struct apfs_fs view = f;

		view.grp = &g;
		ret = grp_path(&view, grp_num(G_SYS, 100), buf, cap);
	} else {
		ret = fs_vol_path(&f, 100, buf, cap);
	}
	log_release();
	m = saved_m, c = saved_c;
	md_container_free(bc);
	md_free(big);
	return ret;
}

static int chain_path(unsigned n, char *buf, size_t cap)
{
	return chain_path_in(n, buf, cap, false);
}

/* A path of 4097 components is followed to the root; 4098 are a chain that does not end. */
static void test_parent_chain_depth(void **state)
{
	static char buf[3 * 4100];

	(void)state;
	assert_int_equal(chain_path(3, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/a/a/a");
	assert_int_equal(chain_path(4097, buf, sizeof(buf)), 0);
	assert_int_equal(strlen(buf), 2 * 4097);
	assert_int_equal(chain_path(4098, buf, sizeof(buf)), -APFS_ECORRUPT);
	expect_log("parent chain does not reach the root");
}

/*
 * The merged root's path (apfs/fs_group.c grp_path) has the same limit:
 * the chain as the System volume of a group, 4097 components followed,
 * 4098 refused as corrupt (that walk names no block: no message).
 */
static void test_group_parent_chain_depth(void **state)
{
	static char buf[3 * 4100];

	(void)state;
	assert_int_equal(chain_path_in(3, buf, sizeof(buf), true), 0);
	assert_string_equal(buf, "/a/a/a");
	assert_int_equal(chain_path_in(4097, buf, sizeof(buf), true), 0);
	assert_int_equal(strlen(buf), 2 * 4097);
	assert_int_equal(chain_path_in(4098, buf, sizeof(buf), true), -APFS_ECORRUPT);
}

/* ---- an extent's physical block number (apfs/fs_read.c) ------------------ */

/* Read 16 bytes at offset 4096 (the extent's block 1) of an extent at phys. */
static int read_phys(uint64_t phys)
{
	struct fs_extent e = { 0, 8192, phys, 0 };
	const struct fs_stream st = { 31, 8192, &e, 1, 1, true };
	uint8_t buf[16];
	size_t got = 0;
	int ret;

	log_capture();
	ret = fs_stream_read(&fs, &st, 4096, buf, sizeof(buf), &got);
	log_release();
	return ret;
}

/* phys + 1 reaching 2^64 - 1 is a block number (outside the container); 2^64 wraps. */
static void test_extent_phys_wrap(void **state)
{
	(void)state;
	assert_int_equal(read_phys(UINT64_MAX - 1), -APFS_ECORRUPT);
	expect_log("file data at block 18446744073709551615 (+1) lies outside the container");
	assert_int_equal(read_phys(UINT64_MAX), -APFS_ECORRUPT);
	expect_log("extent block number overflows");
}

/* ---- the B-tree's own limits (apfs/btree.c) ---------------------------- */

static int count_visit(const void *k, size_t kl, const void *v, size_t vl, void *ctx)
{
	(void)k, (void)kl, (void)v, (void)vl;
	++*(unsigned *)ctx;
	return 0;
}

/* A fixed-size root leaf without records, bt_key_size fk and bt_val_size fv. */
static int fixed_sizes(uint32_t fk, uint32_t fv)
{
	struct apfs_btree_desc t = { .c = c, .root = 2, .subtype = APFS_OBJECT_TYPE_OMAP,
				     .cmp = apfs_btree_cmp_u64_pair, .what = "object map" };
	uint8_t *b = md_block(m, 2);
	unsigned n = 0;
	int ret;

	leaf(2, APFS_OBJECT_TYPE_OMAP, NULL, 0);
	st_le16(b + 32, APFS_BTNODE_ROOT | APFS_BTNODE_LEAF | APFS_BTNODE_FIXED_KV_SIZE);
	st_le32(b + MD_BS - 40 + 8, fk);
	st_le32(b + MD_BS - 40 + 12, fv);
	md_seal(b);
	cache_drop();
	log_capture();
	ret = apfs_btree_iterate(&t, NULL, 0, count_visit, &n);
	log_release();
	if (ret)
		expect_log("implausible fixed key/value sizes");
	return ret;
}

static void test_fixed_sizes(void **state)
{
	(void)state;
	assert_int_equal(fixed_sizes(MD_BS, MD_BS), 0);
	assert_int_equal(fixed_sizes(MD_BS + 1, 16), -APFS_ECORRUPT);
	assert_int_equal(fixed_sizes(16, MD_BS + 1), -APFS_ECORRUPT);
	assert_int_equal(fixed_sizes(0, 16), -APFS_ECORRUPT);
	assert_int_equal(fixed_sizes(1, 0), 0);
}

/*
 * Nodes visited <= blocks present: a root index (block 1) naming leaf 2
 * `refs` times, on an image of 3 blocks.  Two references: 3 visits, the
 * limit; three: 4, refused as a loop.
 */
static int revisits(unsigned refs, unsigned *seen)
{
	struct apfs_container *c3 = md_container(m, 3, 3);
	struct apfs_btree_desc t = { .c = c3, .root = 1, .subtype = APFS_OBJECT_TYPE_FSTREE,
				     .cmp = apfs_fs_key_cmp, .what = "fs tree" };
	uint8_t k[8], v[8], *b = md_block(m, 1);
	struct r r[3];
	int ret;

	fs_key(k, 60, APFS_TYPE_INODE);
	st_le64(v, 2);
	for (unsigned i = 0; i < refs; i++)
		r[i] = (struct r){ k, 8, v, 8 };
	leaf(1, APFS_OBJECT_TYPE_FSTREE, r, refs);
	st_le16(b + 32, APFS_BTNODE_ROOT);
	st_le16(b + 34, 1);
	md_seal(b);
	obj_hdr(md_block(m, 2), 2, APFS_OBJECT_TYPE_BTREE_NODE, APFS_OBJECT_TYPE_FSTREE);
	st_le16(md_block(m, 2) + 32, APFS_BTNODE_LEAF);
	md_seal(md_block(m, 2));
	*seen = 0;
	log_capture();
	ret = apfs_btree_iterate(&t, NULL, 0, count_visit, seen);
	log_release();
	if (ret)
		expect_log("more nodes than blocks: the tree loops");
	md_container_free(c3);
	return ret;
}

static void test_nodes_visited(void **state)
{
	unsigned seen;

	(void)state;
	assert_int_equal(revisits(2, &seen), 0);
	assert_int_equal(revisits(3, &seen), -APFS_ECORRUPT);
}

/*
 * A sealed file's FILE_INFO records (j_file_info_key_t: one per hashed
 * range, ordered by info_and_lba) across two leaves of a sound tree: root
 * [(5, INODE) -> 3, (7, FILE_INFO, 200) -> 4], leaves [(5, INODE), (7,
 * FILE_INFO, 100)] and [(7, FILE_INFO, 200), (8, INODE)].  Each leaf lies in
 * the range its index keys give it, so the walk finds no order broken (two
 * FILE_INFO keys compared equal made a sound leaf look out of its range).
 */
static void test_file_info_order(void **state)
{
	uint8_t k5[8], k8[8], fi100[16], fi200[16], v3[8], v4[8], v[8] = { 0 };
	const struct r idx[] = { { k5, 8, v3, 8 }, { fi200, 16, v4, 8 } };
	const struct r l3[] = { { k5, 8, v, 8 }, { fi100, 16, v, 8 } };
	const struct r l4[] = { { fi200, 16, v, 8 }, { k8, 8, v, 8 } };
	bool unordered = false;
	unsigned n = 0;

	(void)state;
	fs_key(k5, 5, APFS_TYPE_INODE);
	fs_key(k8, 8, APFS_TYPE_INODE);
	fs_key(fi100, 7, APFS_TYPE_FILE_INFO);
	st_le64(fi100 + 8, 100);
	memcpy(fi200, fi100, 8);
	st_le64(fi200 + 8, 200);
	assert_true(apfs_fs_key_cmp(fi100, 16, fi200, 16) < 0);
	assert_true(apfs_fs_key_cmp(fi200, 16, fi100, 16) > 0);
	st_le64(v3, 3);
	st_le64(v4, 4);
	node(3, false, 0, APFS_OBJECT_TYPE_FSTREE, l3, 2);
	node(4, false, 0, APFS_OBJECT_TYPE_FSTREE, l4, 2);
	node(2, true, 1, APFS_OBJECT_TYPE_FSTREE, idx, 2);
	assert_int_equal(apfs_btree_iterate_ord(&fs.tree, k5, 8, count_visit, &n, &unordered), 0);
	assert_int_equal(n, 4);
	assert_false(unordered);
}

/*
 * fs_resume.c's places: kept by (directory, cookie), found by both; never
 * under cookie 0 (the start) nor for a key longer than a record's; the
 * oldest of 33 given up for the newest (32 slots).
 */
static void test_resume_places(void **state)
{
	struct fs_resume *r = fs_resume_new();
	uint8_t key[FS_DREC_KEY_MAX + 1], got[FS_DREC_KEY_MAX];
	size_t glen = 0;

	(void)state;
	assert_non_null(r);
	memset(key, 'k', sizeof(key));
	fs_resume_put(r, 16, 5, "five", 4);
	assert_true(fs_resume_get(r, 16, 5, got, &glen));
	assert_int_equal(glen, 4);
	assert_memory_equal(got, "five", 4);
	assert_false(fs_resume_get(r, 17, 5, got, &glen));  /* another directory */
	assert_false(fs_resume_get(r, 16, 6, got, &glen));  /* another cookie */
	fs_resume_put(r, 16, 0, "zero", 4);
	assert_false(fs_resume_get(r, 16, 0, got, &glen));
	fs_resume_put(r, 18, 1, key, FS_DREC_KEY_MAX + 1);
	assert_false(fs_resume_get(r, 18, 1, got, &glen));
	fs_resume_put(r, 18, 2, key, FS_DREC_KEY_MAX);
	assert_true(fs_resume_get(r, 18, 2, got, &glen));
	assert_int_equal(glen, FS_DREC_KEY_MAX);
	for (uint64_t ck = 100; ck < 131; ck++)  /* 31 more: 33 kept in all */
		fs_resume_put(r, 19, ck, "x", 1);
	assert_false(fs_resume_get(r, 16, 5, got, &glen));  /* the oldest, given up */
	assert_true(fs_resume_get(r, 18, 2, got, &glen));
	assert_true(fs_resume_get(r, 19, 130, got, &glen));
	fs_resume_free(r);
	fs_resume_free(NULL);
	assert_false(fs_resume_get(NULL, 16, 5, got, &glen));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapshot_metadata),
		cmocka_unit_test(test_snapshot_count_edge),
		cmocka_unit_test(test_sibling_links),
		cmocka_unit_test(test_file_extents),
		cmocka_unit_test(test_file_extents_whole),
		cmocka_unit_test(test_file_extents_gap_named_whole),
		cmocka_unit_test(test_file_extents_unordered),
		cmocka_unit_test(test_fext_records),
		cmocka_unit_test(test_omap_value),
		cmocka_unit_test(test_inode_record),
		cmocka_unit_test(test_dir_stats_record),
		cmocka_unit_test(test_dir_stats_field),
		cmocka_unit_test(test_decmpfs_header),
		cmocka_unit_test(test_decmpfs_header_max),
		cmocka_unit_test(test_decmpfs_inline_size),
		cmocka_unit_test(test_decmpfs_rsrc_size),
		cmocka_unit_test(test_decmpfs_chunk_in_fork),
		cmocka_unit_test(test_decmpfs_fork_read_edge),
		cmocka_unit_test(test_link_target),
		cmocka_unit_test(test_seal_root_hash),
		cmocka_unit_test(test_parent_chain_depth),
		cmocka_unit_test(test_group_parent_chain_depth),
		cmocka_unit_test(test_extent_phys_wrap),
		cmocka_unit_test(test_fixed_sizes),
		cmocka_unit_test(test_nodes_visited),
		cmocka_unit_test(test_resume_places),
		cmocka_unit_test(test_file_info_order),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
