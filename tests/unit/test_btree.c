/*
 * test_btree.c - the B-tree reader and object maps on hand-built nodes
 * (layouts from Apple's reference as summarised in docs/apfs-format.md
 * §1.5), every corruption check, and Fletcher-64 against Apple's own
 * checksums in a real image.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include "memdev.h"
#include "tests/unit/testutil.h"

struct rec { uint64_t k1, k2, v; };

/*
 * Write a fixed-kv omap node: 16-byte keys (oid, xid), 16-byte leaf values
 * (flags, size, paddr) or 8-byte child oids in index nodes.
 */
static void mk_omap_node(uint8_t *b, uint64_t oid, bool root, uint16_t level,
			 const struct rec *r, unsigned n)
{
	size_t toc = 56, tlen = 4 * n, keys = toc + tlen;
	size_t vend = MD_BS - (root ? 40 : 0), vsz = level ? 8 : 16;

	memset(b, 0, MD_BS);
	st_le64(b + 8, oid);
	st_le64(b + 16, 1);
	st_le32(b + 24, (root ? APFS_OBJECT_TYPE_BTREE : APFS_OBJECT_TYPE_BTREE_NODE) |
			APFS_OBJ_PHYSICAL);
	st_le32(b + 28, APFS_OBJECT_TYPE_OMAP);
	st_le16(b + 32, (root ? APFS_BTNODE_ROOT : 0) | (level ? 0 : APFS_BTNODE_LEAF) |
			APFS_BTNODE_FIXED_KV_SIZE);
	st_le16(b + 34, level);
	st_le32(b + 36, n);
	st_le16(b + 40, 0);
	st_le16(b + 42, (uint16_t)tlen);
	for (unsigned i = 0; i < n; i++) {
		st_le16(b + toc + 4 * i, (uint16_t)(16 * i));
		st_le16(b + toc + 4 * i + 2, (uint16_t)(vsz * (i + 1)));
		st_le64(b + keys + 16 * i, r[i].k1);
		st_le64(b + keys + 16 * i + 8, r[i].k2);
		if (level) {
			st_le64(b + vend - vsz * (i + 1), r[i].v);
		} else {
			st_le32(b + vend - vsz * (i + 1), 0);
			st_le32(b + vend - vsz * (i + 1) + 4, MD_BS);
			st_le64(b + vend - vsz * (i + 1) + 8, r[i].v);
		}
	}
	if (root) {
		st_le32(b + MD_BS - 40 + 8, 16);   /* bt_key_size */
		st_le32(b + MD_BS - 40 + 12, 16);  /* bt_val_size */
	}
	md_seal(b);
}

static void mk_omap_phys(uint8_t *b, uint64_t paddr, uint64_t tree)
{
	memset(b, 0, MD_BS);
	st_le64(b + 8, paddr);
	st_le32(b + 24, APFS_OBJECT_TYPE_OMAP | APFS_OBJ_PHYSICAL);
	st_le64(b + 48, tree);
	md_seal(b);
}

struct fx {
	struct memdev *m;
	struct apfs_container *c;
};

/* Blocks: 1 omap_phys, 2 root (index), 3 and 4 leaves. */
static int setup(void **state)
{
	static struct fx f;
	const struct rec root[] = { { 100, 1, 3 }, { 300, 1, 4 } };
	const struct rec l1[] = { { 100, 1, 1000 }, { 100, 5, 1005 }, { 200, 2, 2000 } };
	const struct rec l2[] = { { 300, 1, 3000 }, { 400, 9, 4009 } };

	f.m = md_new(16);
	f.c = md_container(f.m, 16, 16);
	mk_omap_phys(md_block(f.m, 1), 1, 2);
	mk_omap_node(md_block(f.m, 2), 2, true, 1, root, 2);
	mk_omap_node(md_block(f.m, 3), 3, false, 0, l1, 3);
	mk_omap_node(md_block(f.m, 4), 4, false, 0, l2, 2);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	md_container_free(f->c);
	md_free(f->m);
	return 0;
}

static void test_omap_newest_le_xid(void **state)
{
	struct fx *f = *state;
	struct apfs_omap_res r;

	assert_int_equal(apfs_omap_lookup(f->c, 1, 100, 10, &r), 0);
	assert_int_equal(r.paddr, 1005);
	assert_int_equal(r.xid, 5);
	assert_int_equal(apfs_omap_lookup(f->c, 1, 100, 4, &r), 0);
	assert_int_equal(r.paddr, 1000);
	assert_int_equal(apfs_omap_lookup(f->c, 1, 400, 9, &r), 0);
	assert_int_equal(r.paddr, 4009);
	assert_int_equal(apfs_omap_lookup(f->c, 1, 300, 100, &r), 0);
	assert_int_equal(r.paddr, 3000);
}

/* Leaf bno (3: under index key 100; 4: under 300) rewritten with records r, the cache renewed. */
static void set_leaf(struct fx *f, uint64_t bno, const struct rec *r, unsigned n)
{
	mk_omap_node(md_block(f->m, bno), bno, false, 0, r, n);
	apfs_cache_free(f->c->cache);
	apfs_cache_new(MD_BS, 64 * MD_BS, &f->c->cache);
}

/* The root (block 2: index records r, leaves 3 and 4) rewritten, the cache renewed. */
static void set_root(struct fx *f, const struct rec *r)
{
	mk_omap_node(md_block(f->m, 2), 2, true, 1, r, 2);
	apfs_cache_free(f->c->cache);
	apfs_cache_new(MD_BS, 64 * MD_BS, &f->c->cache);
}

/*
 * Leaf 3 out of order (damaged): oid 100's versions stand apart, oid 200's
 * between them, the older first or the newer.  The newest with xid <= max
 * is found wherever it stands, not the last met before another oid's record
 * (an older version of the object, read as if current), nor "not in the
 * object map".  Two records of one version are damage.
 */
static void test_omap_leaf_out_of_order(void **state)
{
	struct fx *f = *state;
	const struct rec orders[2][3] = {
		{ { 100, 1, 1000 }, { 200, 2, 2000 }, { 100, 5, 1005 } },
		{ { 100, 5, 1005 }, { 200, 2, 2000 }, { 100, 1, 1000 } } };
	const struct rec twins[] = { { 100, 5, 1005 }, { 100, 5, 1006 }, { 200, 2, 2000 } };
	struct apfs_omap_res r;

	for (int i = 0; i < 2; i++) {
		set_leaf(f, 3, orders[i], 3);
		assert_int_equal(apfs_omap_lookup(f->c, 1, 100, 10, &r), 0);
		assert_int_equal(r.paddr, 1005);
		assert_int_equal(apfs_omap_lookup(f->c, 1, 100, 4, &r), 0);
		assert_int_equal(r.paddr, 1000);
		assert_int_equal(apfs_omap_lookup(f->c, 1, 200, 9, &r), 0);
		assert_int_equal(r.paddr, 2000);
	}
	/* two records for one version: which is the object cannot be told */
	set_leaf(f, 3, twins, 3);
	log_capture();
	assert_int_equal(apfs_omap_lookup(f->c, 1, 100, 10, &r), -APFS_ECORRUPT);
	log_release();
	expect_log("object map: two records for oid 100 at xid 5");
}

/* Leaf 3 as setup wrote it, even after a failed assertion (the other tests share it). */
static int restore_leaf3(void **state)
{
	const struct rec l1[] = { { 100, 1, 1000 }, { 100, 5, 1005 }, { 200, 2, 2000 } };

	set_leaf(*state, 3, l1, 3);
	return 0;
}

static void test_omap_missing(void **state)
{
	struct fx *f = *state;
	struct apfs_omap_res r;

	assert_int_equal(apfs_omap_lookup(f->c, 1, 150, 10, &r), -APFS_ECORRUPT);
	assert_int_equal(apfs_omap_lookup(f->c, 1, 400, 8, &r), -APFS_ECORRUPT);
	assert_int_equal(apfs_omap_lookup(f->c, 1, 99, 8, &r), -APFS_ECORRUPT);
}

static int omap_cmp16(const void *a, size_t al, const void *b, size_t bl)
{
	(void)al;
	(void)bl;
	return (ld_le64(a) > ld_le64(b)) - (ld_le64(a) < ld_le64(b));
}

static int count_visit(const void *k, size_t kl, const void *v, size_t vl, void *ctx)
{
	uint64_t *last = ctx;

	(void)kl;
	(void)v;
	(void)vl;
	/* Records must come in key order across leaves. */
	assert_true(ld_le64(k) >= last[1]);
	last[1] = ld_le64(k);
	last[0]++;
	return 0;
}

static void test_iterate_all_in_order(void **state)
{
	struct fx *f = *state;
	struct apfs_btree_desc t = { .c = f->c, .root = 2, .subtype = APFS_OBJECT_TYPE_OMAP,
				     .cmp = omap_cmp16, .what = "test tree" };
	uint64_t seen[2] = { 0, 0 };

	assert_int_equal(apfs_btree_iterate(&t, NULL, 0, count_visit, seen), 0);
	assert_int_equal(seen[0], 5);
}

static int count_only(const void *k, size_t kl, const void *v, size_t vl, void *ctx)
{
	(void)k, (void)kl, (void)v, (void)vl;
	(*(uint64_t *)ctx)++;
	return 0;
}

/*
 * A leaf whose keys fall below its index key (leaf 4, under 300, holding
 * 250 or 120), each leaf's keys still ascending.  A walk that lands in it
 * is told the order breaks (apfs_btree_iterate_ord); one that comes to it
 * from an earlier leaf and meets a record below where it stands (120, on a
 * walk from 150) is refused as damage rather than pass over that record,
 * also where the root is out of order (a third record, 50, names leaf 4
 * again) so that leaf 4's range is not known.
 */
static void test_leaf_below_its_range(void **state)
{
	struct fx *f = *state;
	struct apfs_btree_desc t = { .c = f->c, .root = 2, .subtype = APFS_OBJECT_TYPE_OMAP,
				     .cmp = omap_cmp16, .what = "test tree" };
	const struct rec l250[] = { { 250, 1, 2501 }, { 400, 9, 4009 } };
	const struct rec l120[] = { { 120, 1, 1201 }, { 400, 9, 4009 } };
	const struct rec l2[] = { { 300, 1, 3000 }, { 400, 9, 4009 } };
	const struct rec root[] = { { 100, 1, 3 }, { 300, 1, 4 } };
	const struct rec root3[] = { { 100, 1, 3 }, { 300, 1, 4 }, { 50, 1, 4 } };
	bool unordered = false;
	uint8_t key[16] = { 0 };
	uint64_t n = 0;

	set_leaf(f, 4, l250, 2);
	st_le64(key, 300);
	assert_int_equal(apfs_btree_iterate_ord(&t, key, sizeof(key), count_only, &n, &unordered),
			 0);
	assert_true(unordered);
	assert_int_equal(n, 1);  /* (400, 9): 250 sorts before the walk's key */
	set_leaf(f, 4, l120, 2);
	st_le64(key, 150);
	n = 0;
	log_capture();
	assert_int_equal(apfs_btree_iterate(&t, key, sizeof(key), count_only, &n), -APFS_ECORRUPT);
	log_release();
	expect_log("a record sorts before where the walk stands");
	assert_int_equal(n, 1);  /* (200, 2) only */
	mk_omap_node(md_block(f->m, 2), 2, true, 1, root3, 3);
	set_leaf(f, 4, l120, 2);
	n = 0;
	log_capture();
	assert_int_equal(apfs_btree_iterate_ord(&t, key, sizeof(key), count_only, &n, &unordered),
			 -APFS_ECORRUPT);
	log_release();
	expect_log("a record sorts before where the walk stands");
	mk_omap_node(md_block(f->m, 2), 2, true, 1, root, 2);
	set_leaf(f, 4, l2, 2);
}

/* apfs_btree_lookup of oid in t (omap keys: oid, xid 0). */
static int lookup_oid(const struct apfs_btree_desc *t, uint64_t oid)
{
	uint8_t key[16] = { 0 }, val[16];
	size_t vl;

	st_le64(key, oid);
	return apfs_btree_lookup(t, key, sizeof(key), val, sizeof(val), &vl);
}

/* A walk's first record: lookups of oid 150 and 200 inside it, on the same tree (no cursor). */
struct nested {
	const struct apfs_btree_desc *t;
	int ret[2];
};

static int nested_lookups(const void *k, size_t kl, const void *v, size_t vl, void *ctx)
{
	struct nested *nl = ctx;

	(void)k, (void)kl, (void)v, (void)vl;
	nl->ret[0] = lookup_oid(nl->t, 150);
	nl->ret[1] = lookup_oid(nl->t, 200);
	return 1;
}

/*
 * Lookups past a leaf whose keys stray outside its range, found nothing:
 * leaf 3 (under 100, up to 300) holding 350, a key of leaf 4's range, and
 * leaf 4 (from 300) holding 250.  A record a lookup passes there is found;
 * one it misses is named damage, whether the search meets a larger key in
 * the next leaf, which is in order (200), or the tree ends (350 under a
 * leaf 4 of 250 and 300).  A record only moved into the leaf before, its
 * own leaf sound (350 in leaf 3, leaf 4 of 300 and 400), stays unseen.
 * The same from inside a walk of the tree, where the lookups go without
 * the thread's cursor (its ranges and order memo their own).
 */
static void test_lookup_past_stray_leaf(void **state)
{
	struct fx *f = *state;
	struct apfs_btree_desc t = { .c = f->c, .root = 2, .subtype = APFS_OBJECT_TYPE_OMAP,
				     .cmp = omap_cmp16, .what = "test tree" };
	const struct rec l350[] = { { 100, 1, 1000 }, { 150, 1, 1501 }, { 350, 1, 3501 } };
	const struct rec l1[] = { { 100, 1, 1000 }, { 100, 5, 1005 }, { 200, 2, 2000 } };
	const struct rec l250[] = { { 250, 1, 2501 }, { 300, 1, 3000 } };
	const struct rec l2[] = { { 300, 1, 3000 }, { 400, 9, 4009 } };
	struct nested nl = { &t, { 1, 1 } };

	mk_omap_node(md_block(f->m, 3), 3, false, 0, l350, 3);
	set_leaf(f, 4, l2, 2);
	assert_int_equal(lookup_oid(&t, 150), 0);
	log_capture();
	assert_int_equal(lookup_oid(&t, 200), -APFS_ECORRUPT);
	log_release();
	expect_log("a search passed a node whose keys stray outside its parent's range");
	assert_int_equal(lookup_oid(&t, 350), -ENOENT);
	assert_int_equal(lookup_oid(&t, 500), -ENOENT);
	log_capture();
	assert_int_equal(apfs_btree_iterate(&t, NULL, 0, nested_lookups, &nl), 0);
	log_release();
	expect_log("a search passed a node whose keys stray outside its parent's range");
	assert_int_equal(nl.ret[0], 0);
	assert_int_equal(nl.ret[1], -APFS_ECORRUPT);
	mk_omap_node(md_block(f->m, 3), 3, false, 0, l1, 3);
	set_leaf(f, 4, l250, 2);
	assert_int_equal(lookup_oid(&t, 250), 0);
	assert_int_equal(lookup_oid(&t, 300), 0);
	log_capture();
	assert_int_equal(lookup_oid(&t, 350), -APFS_ECORRUPT);
	log_release();
	expect_log("a search passed a node whose keys stray outside its parent's range");
	assert_int_equal(lookup_oid(&t, 200), 0);
	set_leaf(f, 4, l2, 2);
}

/*
 * A leaf whose keys lie in its range but whose first is not its parent's
 * key for it (in a sound tree it is, as apfsck checks: "index key absent
 * from child node"): leaf 4 under key 300 beginning at 350, or at oid 300's
 * version 5 under (300, 1).  The leaf is named once, as such; a search that
 * lands there for a key before its first and finds nothing cannot say
 * "absent" (the keys between may stand in another node): damage.  What
 * the leaf holds is found, and what sorts past its first is vouched for,
 * as is what sorts before its key (a search gone on from leaf 3).  A walk
 * from a key between is damage too.  The leftmost child is not judged so:
 * a key 0 below its first leaves no node before to hold the keys between.
 */
static void test_leaf_miskeyed(void **state)
{
	struct fx *f = *state;
	struct apfs_btree_desc t = { .c = f->c, .root = 2, .subtype = APFS_OBJECT_TYPE_OMAP,
				     .cmp = omap_cmp16, .what = "test tree" };
	const struct rec l350[] = { { 350, 1, 3501 }, { 400, 9, 4009 } };
	const struct rec l305[] = { { 300, 5, 3005 }, { 400, 9, 4009 } };
	const struct rec l2[] = { { 300, 1, 3000 }, { 400, 9, 4009 } };
	const struct rec root[] = { { 100, 1, 3 }, { 300, 1, 4 } };
	const struct rec low0[] = { { 50, 1, 3 }, { 300, 1, 4 } };
	const struct rec low4[] = { { 100, 1, 3 }, { 250, 1, 4 } };
	struct apfs_omap_res r;
	uint64_t seen[2] = { 0 }, n = 0;
	uint8_t key[16] = { 0 };

	for (unsigned i = 0; i < APFS_DISORDER_NAMED; i++)  /* as new: earlier tests named leaf 4 */
		f->c->disorder_named[i] = 0;
	set_leaf(f, 4, l350, 2);
	/* a walk whose messages are muted names nothing, and leaves the naming to the next */
	log_capture();
	apfs_log_mute(true);
	assert_int_equal(apfs_btree_iterate(&t, NULL, 0, count_visit, (uint64_t[2]){ 0, 0 }), 0);
	apfs_log_mute(false);
	assert_string_equal(log_last(), "");
	assert_int_equal(apfs_btree_iterate(&t, NULL, 0, count_visit, seen), 0);
	assert_true(seen[0] == 5);  /* 100, 100, 200; 350, 400 */
	expect_log("test tree: B-tree node at block 4: keys beginning at a key other than the one "
		   "its parent node at block 2 gives it (damage)");
	assert_int_equal(lookup_oid(&t, 320), -APFS_ECORRUPT);
	expect_log("B-tree node at block 4: a search passed a node whose first key is not its "
		   "parent's key for it");
	log_last()[0] = '\0';
	assert_int_equal(lookup_oid(&t, 350), 0);
	assert_int_equal(lookup_oid(&t, 400), 0);
	assert_int_equal(lookup_oid(&t, 500), -ENOENT);  /* past its first: absent indeed */
	assert_int_equal(lookup_oid(&t, 250), -ENOENT);  /* leaf 3's, gone on into leaf 4 */
	assert_string_equal(log_last(), "");  /* named once */
	/* a walk from a key of the gap: what it wants may stand in leaf 3 */
	st_le64(key, 320);
	assert_int_equal(apfs_btree_iterate(&t, key, sizeof(key), count_only, &n), -APFS_ECORRUPT);
	expect_log("B-tree node at block 4: a walk began in a node whose first key is not its "
		   "parent's key for it");
	st_le64(key, 350);
	n = 0;
	assert_int_equal(apfs_btree_iterate(&t, key, sizeof(key), count_only, &n), 0);
	assert_true(n == 2);
	log_release();
	/* the leftmost child, below a key 0 lower than its first: no node before, not judged */
	set_leaf(f, 4, l2, 2);
	set_root(f, low0);
	log_capture();
	assert_int_equal(lookup_oid(&t, 70), -ENOENT);
	assert_int_equal(apfs_btree_iterate(&t, NULL, 0, count_visit, (uint64_t[2]){ 0, 0 }), 0);
	assert_string_equal(log_last(), "");
	log_release();
	set_root(f, root);
	/*
	 * Oid 300 beginning at version 5 under key (300, 1): a search for every
	 * version of oid 300 sorts before that key, so it begins in leaf 3, where
	 * the older would stand, and is vouched for.  Under (250, 1) it lands in
	 * leaf 4 itself: the older versions may stand in leaf 3, damage.
	 */
	set_leaf(f, 4, l305, 2);
	assert_int_equal(apfs_omap_lookup(f->c, 1, 300, 7, &r), 0);
	assert_int_equal(r.paddr, 3005);
	set_root(f, low4);
	log_capture();
	assert_int_equal(apfs_omap_lookup(f->c, 1, 300, 7, &r), -APFS_ECORRUPT);
	expect_log("a search passed a node whose first key is not its parent's key for it");
	log_release();
	assert_int_equal(apfs_omap_lookup(f->c, 1, 400, 9, &r), 0);
	assert_int_equal(r.paddr, 4009);
	set_root(f, root);
	set_leaf(f, 4, l2, 2);
}

/* The cache renewed after a block was changed in place. */
static void renew_cache(struct fx *f)
{
	apfs_cache_free(f->c->cache);
	apfs_cache_new(MD_BS, 64 * MD_BS, &f->c->cache);
}

/* apfs_btree_lookup of key (k1, k2) in t. */
static int lookup_pair(const struct apfs_btree_desc *t, uint64_t k1, uint64_t k2)
{
	uint8_t key[16], val[16];
	size_t vl;

	st_le64(key, k1);
	st_le64(key + 8, k2);
	return apfs_btree_lookup(t, key, sizeof(key), val, sizeof(val), &vl);
}

/* apfs_btree_iterate_past from the start: records visited, *lost filled (end as given). */
static uint64_t walk_past(const struct apfs_btree_desc *t, struct apfs_btree_lost *lost)
{
	uint64_t n = 0;
	bool unordered;

	assert_int_equal(apfs_btree_iterate_past(t, NULL, 0, count_only, &n, &unordered, lost), 0);
	return n;
}

/*
 * A listing come on from leaf 3 to leaf 4, which begins at 350 under key
 * 300 (as where the child before it was lost and the index records moved
 * down over its record): keys 300 to 350 were never read, so the walk
 * counts leaf 4 (before: nothing counted, the walk "whole"), unless leaf
 * 3 reached into the gap (key 300 lowered: its records stand there, and
 * were given).  A walk whose end is at or before 300 ends there,
 * uncounted; one that begins in leaf 4 past the gap wants none of it.
 */
static void test_walk_past_miskeyed(void **state)
{
	struct fx *f = *state;
	struct apfs_btree_desc t = { .c = f->c, .root = 2, .subtype = APFS_OBJECT_TYPE_OMAP,
				     .cmp = omap_cmp16, .what = "test tree" };
	struct apfs_btree_lost lost = { 0 };
	uint8_t key[16] = { 0 };
	uint64_t n = 0;
	bool unordered;

	log_capture();
	set_leaf(f, 4, (const struct rec[]){ { 350, 1, 3501 }, { 400, 9, 4009 } }, 2);
	assert_true(walk_past(&t, &lost) == 5);
	assert_true(lost.leaves == 1 && lost.first == 4);
	st_le64(key, 320);  /* an end in the gap */
	lost = (struct apfs_btree_lost){ .end = key, .endlen = sizeof(key) };
	assert_true(walk_past(&t, &lost) == 5);
	assert_true(lost.leaves == 1 && lost.first == 4);
	st_le64(key, 300);  /* an end at the gap's start: none of the walk's */
	lost = (struct apfs_btree_lost){ .end = key, .endlen = sizeof(key) };
	assert_true(walk_past(&t, &lost) == 3);
	assert_true(lost.leaves == 0);
	/* leaf 3 reaching into the gap (320, past its range: key 300 lowered): not counted */
	set_leaf(f, 3, (const struct rec[]){ { 100, 1, 1000 }, { 200, 2, 2000 }, { 320, 1, 3201 } },
		 3);
	lost = (struct apfs_btree_lost){ 0 };
	assert_true(walk_past(&t, &lost) == 5);
	assert_true(lost.leaves == 0);
	set_leaf(f, 3, (const struct rec[]){ { 100, 1, 1000 }, { 100, 5, 1005 }, { 200, 2, 2000 } },
		 3);
	st_le64(key, 350);  /* a walk from leaf 4's first key */
	lost = (struct apfs_btree_lost){ 0 };
	assert_int_equal(apfs_btree_iterate_past(&t, key, sizeof(key), count_only, &n, &unordered,
						 &lost), 0);
	assert_true(n == 2 && lost.leaves == 0);
	log_release();
	set_leaf(f, 4, (const struct rec[]){ { 300, 1, 3000 }, { 400, 9, 4009 } }, 2);
}

/*
 * Leaves 4 and 5 (under 300 and 500) both broken, a walk that wants no
 * key from 300 on (its end): leaf 4, past that end, ends it as the next
 * key past its wants would, uncounted, and leaf 5 is never read (going on
 * named every later bad leaf: a bad object-map leaf gave 114 lines for
 * one `ls /`).  Without an end both are counted.
 */
static void test_walk_past_end_ends(void **state)
{
	struct fx *f = *state;
	struct apfs_btree_desc t = { .c = f->c, .root = 2, .subtype = APFS_OBJECT_TYPE_OMAP,
				     .cmp = omap_cmp16, .what = "test tree" };
	const struct rec root3[] = { { 100, 1, 3 }, { 300, 1, 4 }, { 500, 1, 5 } };
	const struct rec l5[] = { { 500, 1, 5000 } };
	struct apfs_btree_lost lost = { 0 };
	uint8_t end[16] = { 0 };

	log_capture();
	mk_omap_node(md_block(f->m, 2), 2, true, 1, root3, 3);
	mk_omap_node(md_block(f->m, 5), 5, false, 0, l5, 1);
	md_block(f->m, 4)[200] ^= 0xff;
	md_block(f->m, 5)[200] ^= 0xff;
	renew_cache(f);
	st_le64(end, 300);
	lost.end = end;
	lost.endlen = sizeof(end);
	assert_true(walk_past(&t, &lost) == 3);
	assert_true(lost.leaves == 0);
	expect_log("bad checksum in test tree at block 4");
	lost.end = NULL;
	assert_true(walk_past(&t, &lost) == 3);
	assert_true(lost.leaves == 2 && lost.first == 4);
	expect_log("bad checksum in test tree at block 5");
	log_release();
	set_root(f, (const struct rec[]){ { 100, 1, 3 }, { 300, 1, 4 } });
	set_leaf(f, 4, (const struct rec[]){ { 300, 1, 3000 }, { 400, 9, 4009 } }, 2);
}

/*
 * A record of the root (an index node) whose place lies outside the node:
 * a walk for a listing names it, counts the child it named as lost (its
 * block not known), and goes on with the other child (before, the walk
 * failed whole); apfs_btree_iterate still fails.  A lookup finds what the
 * other child holds (before, every lookup past the record failed), and
 * one that goes on into the lost child fails as damage; so does 150,
 * absent from leaf 3, which ends before the lost second child: where that
 * child begins is not known, and leaf 3's 200 may have been traded in
 * (stop_before_lost).  A walk from a key past that child's range (the
 * first record lost, the walk from 350, past the second's 300) does not
 * count it: leaf 4 gives 400 only.
 */
static void test_walk_past_index_record(void **state)
{
	struct fx *f = *state;
	struct apfs_btree_desc t = { .c = f->c, .root = 2, .subtype = APFS_OBJECT_TYPE_OMAP,
				     .cmp = omap_cmp16, .what = "test tree" };
	const struct rec root[] = { { 100, 1, 3 }, { 300, 1, 4 } };
	struct apfs_btree_lost lost = { 0 };
	uint8_t key[16] = { 0 };
	bool unordered;
	uint64_t n = 0;

	log_capture();
	for (unsigned gone = 0; gone < 2; gone++) {
		set_root(f, root);
		st_le16(md_block(f->m, 2) + 56 + 4 * gone, 0xf000);
		md_seal(md_block(f->m, 2));
		renew_cache(f);
		log_last()[0] = '\0';
		lost = (struct apfs_btree_lost){ 0 };
		assert_true(walk_past(&t, &lost) == (gone ? 3 : 2));
		expect_log("test tree: B-tree node at block 2: key outside the node");
		assert_true(lost.leaves == 1 && lost.first == 0);
		n = 0;
		assert_int_equal(apfs_btree_iterate(&t, NULL, 0, count_only, &n), -APFS_ECORRUPT);
		/* a search in the child it can read; one that goes on past it, into the lost one, fails */
		assert_int_equal(lookup_pair(&t, 100, 1), gone ? 0 : -APFS_ECORRUPT);
		assert_int_equal(lookup_pair(&t, 150, 1), -APFS_ECORRUPT);
		assert_int_equal(lookup_pair(&t, 400, 9), gone ? -APFS_ECORRUPT : 0);
	}
	/* the first record lost, the walk from 350: leaf 4 alone (its key, 300, below 350) */
	set_root(f, root);
	st_le16(md_block(f->m, 2) + 56, 0xf000);
	md_seal(md_block(f->m, 2));
	renew_cache(f);
	st_le64(key, 350);
	lost = (struct apfs_btree_lost){ 0 };
	n = 0;
	assert_int_equal(apfs_btree_iterate_past(&t, key, sizeof(key), count_only, &n, &unordered,
						 &lost), 0);
	assert_true(n == 1 && lost.leaves == 0);
	assert_false(unordered);  /* leaf 4's range known: the root's keys, where found, ascend */
	log_release();
	set_root(f, root);
}

/*
 * The root out of order.  Its two records only swapped (stored 300 first,
 * then 100), each child holding keys from its own key to the next: sorted
 * in the walk's copy, the node serves as a sound one (named once as out of
 * order).  A walk from 150 takes leaf 3's 200 and leaf 4's two records;
 * each key is found, one absent is absent (ENOENT).  Before, the walk
 * began at leaf 3 by stored place and never read leaf 4 (a directory of
 * 260 listed 183 names), and any key not found there was damage.
 */
static void test_walk_index_swapped(void **state)
{
	struct fx *f = *state;
	struct apfs_btree_desc t = { .c = f->c, .root = 2, .subtype = APFS_OBJECT_TYPE_OMAP,
				     .cmp = apfs_btree_cmp_u64_pair, .what = "test tree" };
	struct apfs_btree_lost lost = { 0 };
	uint8_t key[16] = { 0 };
	bool unordered;
	uint64_t n = 0;

	restore_leaf3(state);  /* as new: earlier tests leave leaf 3 damaged, the root named */
	set_leaf(f, 4, (const struct rec[]){ { 300, 1, 3000 }, { 400, 9, 4009 } }, 2);
	for (unsigned i = 0; i < APFS_DISORDER_NAMED; i++)
		f->c->disorder_named[i] = 0;
	log_capture();
	set_root(f, (const struct rec[]){ { 300, 1, 4 }, { 100, 1, 3 } });
	st_le64(key, 150);
	assert_int_equal(apfs_btree_iterate_past(&t, key, sizeof(key), count_only, &n, &unordered,
						 &lost), 0);
	assert_true(n == 3 && lost.leaves == 0);
	expect_log("B-tree node at block 2: keys out of order (damage): its records are taken in "
		   "key order");
	assert_int_equal(lookup_pair(&t, 400, 9), 0);
	assert_int_equal(lookup_pair(&t, 200, 2), 0);
	assert_int_equal(lookup_pair(&t, 100, 5), 0);
	assert_int_equal(lookup_pair(&t, 150, 1), -ENOENT);
	assert_int_equal(lookup_pair(&t, 500, 1), -ENOENT);
	/* the container's budget of children read to judge such nodes spent: as before the sort */
	renew_cache(f);  /* a new cache: new cursors, their memos empty */
	f->c->sort_reads = f->c->blocks_present;
	n = 0;
	assert_int_equal(apfs_btree_iterate_past(&t, key, sizeof(key), count_only, &n, &unordered,
						 &lost), 0);
	assert_true(n == 1 && lost.leaves == 1 && lost.first == 2);
	f->c->sort_reads = 0;
	/* two equal keys: no order of them is sound, so the node is not vouched for */
	set_root(f, (const struct rec[]){ { 100, 1, 3 }, { 100, 1, 4 } });
	n = 0;
	lost = (struct apfs_btree_lost){ 0 };
	assert_int_equal(apfs_btree_iterate_past(&t, key, sizeof(key), count_only, &n, &unordered,
						 &lost), 0);
	assert_true(n == 2 && lost.leaves == 1 && lost.first == 2);  /* leaf 4's, by stored place */
	log_release();
	set_root(f, (const struct rec[]){ { 100, 1, 3 }, { 300, 1, 4 } });
}

/*
 * The root out of order in a way sorting does not mend: leaf 4's key
 * lowered to 50 (stored 100, then 50), so that sorted, leaf 4 would hold
 * keys past its range [50, 100).  A walk from 150 begins at leaf 4 (the
 * last record at or below 150 by stored place), never reads leaf 3, and
 * no order of the children serves every such damage (a key raised:
 * sorted, they would pass its child by), so the node is not vouched for:
 * a listing counts it (before, nothing said: a directory listed short,
 * exit 0); a search that does not find its key there fails as damage
 * (200 stands in leaf 3), one that does finds it.  Likewise the swapped
 * root with a third record that cannot be located: counted too.
 */
static void test_walk_index_out_of_order(void **state)
{
	struct fx *f = *state;
	struct apfs_btree_desc t = { .c = f->c, .root = 2, .subtype = APFS_OBJECT_TYPE_OMAP,
				     .cmp = omap_cmp16, .what = "test tree" };
	struct apfs_btree_lost lost = { 0 };
	uint8_t key[16] = { 0 };
	bool unordered;
	uint64_t n = 0;

	log_capture();
	set_root(f, (const struct rec[]){ { 100, 1, 3 }, { 50, 1, 4 } });
	st_le64(key, 150);
	assert_int_equal(apfs_btree_iterate_past(&t, key, sizeof(key), count_only, &n, &unordered,
						 &lost), 0);
	assert_true(n == 2 && lost.leaves == 1 && lost.first == 2);
	assert_int_equal(lookup_pair(&t, 200, 2), -APFS_ECORRUPT);
	expect_log("a search passed an index node whose keys are out of order");
	assert_int_equal(lookup_pair(&t, 400, 9), 0);
	mk_omap_node(md_block(f->m, 2), 2, true, 1,
		     (const struct rec[]){ { 300, 1, 4 }, { 100, 1, 3 }, { 500, 1, 4 } }, 3);
	st_le16(md_block(f->m, 2) + 56 + 4 * 2, 0xf000);
	md_seal(md_block(f->m, 2));
	renew_cache(f);
	n = 0;
	lost = (struct apfs_btree_lost){ 0 };
	assert_int_equal(apfs_btree_iterate_past(&t, key, sizeof(key), count_only, &n, &unordered,
						 &lost), 0);
	assert_true(n == 1 && lost.leaves == 2 && lost.first == 2);
	log_release();
	set_root(f, (const struct rec[]){ { 100, 1, 3 }, { 300, 1, 4 } });
}

/* A walk's visitor noting whether each record of leaf 3's range came from a leaf called out of order. */
struct order_seen {
	const bool *unordered;
	unsigned in3, flagged;
};

static int note_order(const void *k, size_t kl, const void *v, size_t vl, void *ctx)
{
	struct order_seen *o = ctx;

	(void)kl, (void)v, (void)vl;
	if (ld_le64(k) < 300 || ld_le64(k) == 350) {
		o->in3++;
		o->flagged += *o->unordered;
	}
	return 0;
}

/* Leaf 3 set to r (3 records), its record `lost` placed outside the node; a walk's order_seen. */
static struct order_seen walk_lacking(struct fx *f, const struct apfs_btree_desc *t,
				      const struct rec *r, unsigned lost)
{
	struct apfs_btree_lost gone = { 0 };
	bool unordered = false;
	struct order_seen o = { .unordered = &unordered };

	set_leaf(f, 3, r, 3);
	st_le16(md_block(f->m, 3) + 56 + 4 * lost, 0xf000);
	md_seal(md_block(f->m, 3));
	renew_cache(f);
	assert_int_equal(apfs_btree_iterate_past(t, NULL, 0, note_order, &o, &unordered, &gone), 0);
	assert_true(gone.leaves == 1 && gone.first == 3);
	return o;
}

/*
 * A leaf whose one fault is a record that cannot be located (its other
 * keys ascend, inside the range its parent gives it) is not called out of
 * order (apfs_btree_iterate_past's unordered): a listing resumed by key
 * in it meets what it holds as in a sound leaf (before, every resume of a
 * paged listing there was refused).  With its other keys out of order, or
 * one of them at or past the next leaf's index key (300), it still is.
 */
static void test_walk_lacking_order(void **state)
{
	struct fx *f = *state;
	struct apfs_btree_desc t = { .c = f->c, .root = 2, .subtype = APFS_OBJECT_TYPE_OMAP,
				     .cmp = omap_cmp16, .what = "test tree" };
	const struct rec sound[] = { { 100, 1, 1000 }, { 150, 1, 1500 }, { 200, 2, 2000 } };
	const struct rec turned[] = { { 200, 2, 2000 }, { 150, 1, 1500 }, { 100, 1, 1000 } };
	const struct rec past[] = { { 100, 1, 1000 }, { 150, 1, 1500 }, { 350, 1, 3500 } };
	struct order_seen o;

	log_capture();
	o = walk_lacking(f, &t, sound, 1);
	assert_true(o.in3 == 2 && o.flagged == 0);
	o = walk_lacking(f, &t, sound, 0);  /* the first lost: 150 is not its index key, 100 */
	assert_true(o.in3 == 2 && o.flagged == 0);
	o = walk_lacking(f, &t, turned, 1);
	assert_true(o.in3 == 2 && o.flagged == 2);
	o = walk_lacking(f, &t, past, 0);
	assert_true(o.in3 == 2 && o.flagged == 2);
	log_release();
	set_leaf(f, 3, (const struct rec[]){ { 100, 1, 1000 }, { 100, 5, 1005 }, { 200, 2, 2000 } },
		 3);
}

/*
 * apfs_btree_iterate_past, for listings that show what they can read: leaf
 * 3 whose checksum fails is named and gone past, leaf 4's records all
 * visited, and counted (its range begins below any end: the tree's
 * first); apfs_btree_iterate still fails.  Leaf 4 broken, under index key
 * 300 (the tree compares oids): not counted for an end of 300, none of its
 * range wanted; counted for 301.  A record of leaf 4 that cannot be located: the
 * others visited, the leaf counted once; a lookup finds a record beside it
 * (before, the leaf failed every lookup), and of one it does not find, the
 * lost record may be it: damage.
 */
static void test_walk_past_unreadable(void **state)
{
	struct fx *f = *state;
	struct apfs_btree_desc t = { .c = f->c, .root = 2, .subtype = APFS_OBJECT_TYPE_OMAP,
				     .cmp = omap_cmp16, .what = "test tree" };
	const struct rec l1[] = { { 100, 1, 1000 }, { 100, 5, 1005 }, { 200, 2, 2000 } };
	const struct rec l2[] = { { 300, 1, 3000 }, { 400, 9, 4009 } };
	const struct rec l150[] = { { 100, 1, 1000 }, { 150, 1, 1500 }, { 200, 2, 2000 } };
	struct apfs_btree_lost lost = { 0 };
	uint8_t end[16] = { 0 };
	uint64_t n = 0;

	log_capture();
	md_block(f->m, 3)[200] ^= 0xff;
	renew_cache(f);
	assert_int_equal(apfs_btree_iterate(&t, NULL, 0, count_only, &n), -APFS_EBADCSUM);
	log_last()[0] = '\0';
	assert_true(walk_past(&t, &lost) == 2);
	expect_log("bad checksum in test tree at block 3");
	assert_true(lost.leaves == 1 && lost.first == 3);
	st_le64(end, 50);
	lost.end = end;
	lost.endlen = sizeof(end);
	assert_true(walk_past(&t, &lost) == 2);
	assert_true(lost.leaves == 1 && lost.first == 3);
	set_leaf(f, 3, l1, 3);

	md_block(f->m, 4)[200] ^= 0xff;
	renew_cache(f);
	st_le64(end, 300);
	assert_true(walk_past(&t, &lost) == 3);
	assert_true(lost.leaves == 0 && lost.first == 0);
	st_le64(end, 301);
	assert_true(walk_past(&t, &lost) == 3);
	assert_true(lost.leaves == 1 && lost.first == 4);
	set_leaf(f, 4, l2, 2);

	st_le16(md_block(f->m, 4) + 56, 0xf000);  /* record 0's key offset: past the node */
	md_seal(md_block(f->m, 4));
	renew_cache(f);
	lost.end = NULL;
	log_last()[0] = '\0';
	assert_true(walk_past(&t, &lost) == 4);  /* 100, 100, 200; 400 */
	expect_log("test tree: B-tree node at block 4: key outside the node");
	assert_true(lost.leaves == 1 && lost.first == 4);
	n = 0;
	assert_int_equal(apfs_btree_iterate(&t, NULL, 0, count_only, &n), -APFS_ECORRUPT);
	log_last()[0] = '\0';
	assert_int_equal(lookup_pair(&t, 400, 9), 0);
	assert_string_equal(log_last(), "");
	assert_int_equal(lookup_pair(&t, 300, 1), -APFS_ECORRUPT);
	expect_log("test tree: B-tree node at block 4: key outside the node");
	assert_int_equal(lookup_pair(&t, 350, 1), -APFS_ECORRUPT);
	set_leaf(f, 4, l2, 2);
	/* leaf 3 of 100, 150, 200, the middle one lost: a lookup of it, or of 170, is damage */
	set_leaf(f, 3, l150, 3);
	st_le16(md_block(f->m, 3) + 56 + 4, 0xf000);
	md_seal(md_block(f->m, 3));
	renew_cache(f);
	log_last()[0] = '\0';
	assert_int_equal(lookup_pair(&t, 100, 1), 0);
	assert_int_equal(lookup_pair(&t, 200, 2), 0);
	assert_string_equal(log_last(), "");
	assert_int_equal(lookup_pair(&t, 150, 1), -APFS_ECORRUPT);
	expect_log("test tree: B-tree node at block 3: key outside the node");
	assert_int_equal(lookup_pair(&t, 170, 1), -APFS_ECORRUPT);
	/* the root out of order: leaf 3's range not known, so not judged as straying */
	set_root(f, (const struct rec[]){ { 300, 1, 4 }, { 100, 1, 3 } });
	set_leaf(f, 3, l150, 3);
	st_le16(md_block(f->m, 3) + 56 + 4, 0xf000);
	md_seal(md_block(f->m, 3));
	renew_cache(f);
	assert_int_equal(lookup_pair(&t, 200, 2), 0);
	assert_int_equal(lookup_pair(&t, 170, 1), -APFS_ECORRUPT);
	expect_log("test tree: B-tree node at block 3: key outside the node");
	set_root(f, (const struct rec[]){ { 100, 1, 3 }, { 300, 1, 4 } });
	log_release();
	set_leaf(f, 3, l1, 3);
}

/*
 * Records traded round three leaves, under a root of three (100, 300,
 * 500): leaf 3 holding 350 (leaf 4's), leaf 4 only 550 and 560 (leaf
 * 5's), and leaf 5 200 (leaf 3's).  A lookup of 200 lands in leaf 3, does
 * not find it there, and looks where what leaf 3 holds of others' ranges
 * belongs: leaf 4, which strays too, so where its own belong, leaf 5,
 * where 200 stands: found.  A lookup of 250 meets, in those leaves, as
 * many records of leaf 3's range as leaf 3 holds of others' (one): all
 * that was traded is seen, and the search goes on past leaf 3; but leaf 4
 * holds no key of its own to end it, and leaf 5 is one too far: damage,
 * as before (a record moved, not traded, may stand on).  With 200 gone from leaf 5,
 * what leaf 3 lost is nowhere seen: damage, and the search goes one leaf
 * past leaf 3 at most, not reading leaf 5 (a tree whose every leaf strays
 * must not make each lookup read them all).
 */
static void test_lookup_hops_once(void **state)
{
	struct fx *f = *state;
	struct apfs_btree_desc t = { .c = f->c, .root = 2, .subtype = APFS_OBJECT_TYPE_OMAP,
				     .cmp = omap_cmp16, .what = "test tree" };
	const struct rec root3[] = { { 100, 1, 3 }, { 300, 1, 4 }, { 500, 1, 5 } };
	const struct rec root[] = { { 100, 1, 3 }, { 300, 1, 4 } };
	const struct rec l350[] = { { 100, 1, 1000 }, { 150, 1, 1501 }, { 350, 1, 3501 } };
	const struct rec l1[] = { { 100, 1, 1000 }, { 100, 5, 1005 }, { 200, 2, 2000 } };
	const struct rec l550[] = { { 550, 1, 5501 }, { 560, 1, 5601 } };
	const struct rec l200[] = { { 200, 1, 2001 }, { 500, 1, 5001 }, { 600, 1, 6001 } };
	const struct rec l5[] = { { 500, 1, 5001 }, { 600, 1, 6001 } };
	const struct rec l2[] = { { 300, 1, 3000 }, { 400, 9, 4009 } };
	struct apfs_omap_res r;

	mk_omap_node(md_block(f->m, 2), 2, true, 1, root3, 3);
	mk_omap_node(md_block(f->m, 3), 3, false, 0, l350, 3);
	mk_omap_node(md_block(f->m, 5), 5, false, 0, l200, 3);
	set_leaf(f, 4, l550, 2);
	log_capture();
	assert_int_equal(lookup_oid(&t, 200), 0);
	assert_int_equal(lookup_oid(&t, 250), -APFS_ECORRUPT);
	assert_int_equal(apfs_omap_lookup(f->c, 1, 200, 1, &r), -APFS_ECORRUPT);  /* a prefix search */
	assert_int_equal(lookup_oid(&t, 600), 0);
	log_release();
	mk_omap_node(md_block(f->m, 5), 5, false, 0, l5, 2);
	set_leaf(f, 4, l550, 2);
	log_capture();
	assert_int_equal(lookup_oid(&t, 200), -APFS_ECORRUPT);
	log_release();
	expect_log("a search passed a node whose keys stray outside its parent's range");
	mk_omap_node(md_block(f->m, 2), 2, true, 1, root, 2);
	mk_omap_node(md_block(f->m, 3), 3, false, 0, l1, 3);
	set_leaf(f, 4, l2, 2);
}

/* Four leaves under the root (100: 3, 300: 4, 500: 5, 700: 6); put back as setup made them. */
static void four_leaves(struct fx *f, const struct rec *l3, unsigned n3, const struct rec *l4,
			unsigned n4, const struct rec *l5, unsigned n5, const struct rec *l6,
			unsigned n6)
{
	const struct rec root4[] = { { 100, 1, 3 }, { 300, 1, 4 }, { 500, 1, 5 }, { 700, 1, 6 } };

	mk_omap_node(md_block(f->m, 2), 2, true, 1, root4, 4);
	mk_omap_node(md_block(f->m, 3), 3, false, 0, l3, n3);
	mk_omap_node(md_block(f->m, 4), 4, false, 0, l4, n4);
	mk_omap_node(md_block(f->m, 5), 5, false, 0, l5, n5);
	set_leaf(f, 6, l6, n6);
}

static void two_leaves_again(struct fx *f)
{
	const struct rec root[] = { { 100, 1, 3 }, { 300, 1, 4 } };
	const struct rec l1[] = { { 100, 1, 1000 }, { 100, 5, 1005 }, { 200, 2, 2000 } };
	const struct rec l2[] = { { 300, 1, 3000 }, { 400, 9, 4009 } };

	mk_omap_node(md_block(f->m, 2), 2, true, 1, root, 2);
	mk_omap_node(md_block(f->m, 3), 3, false, 0, l1, 3);
	set_leaf(f, 4, l2, 2);
}

/* A search's visitor that goes on at an equal key, counting them (ctx: count, oid). */
static int count_equal(const void *k, size_t kl, const void *v, size_t vl, void *ctx)
{
	uint64_t *c = ctx;

	(void)kl, (void)v, (void)vl;
	if (ld_le64(k) != c[1])
		return 1;
	c[0]++;
	return 0;
}

/*
 * A lookup in a leaf that strays, found where a sound leaf's search goes
 * on: leaf 4 (300 to 500) traded 310 for leaf 3's 250, which leaf 3 holds
 * as leaf 4's one key of another's range: what it traded is all seen, and
 * the search goes on as from a sound leaf.  450, moved out of leaf 4 into
 * leaf 5 with nothing traded for it, is found there (the search ended at
 * leaf 4, "none", in a review of the first version).  And a record found
 * where a key traded in belongs is given once, though the visitor goes on
 * (leaf 4 holding 550 and 560, leaf 5 450): the search ends there, where
 * walking on into leaf 5 gave it again.  A search that walks on from a
 * sound leaf into one that strays, its range apart from what is sought,
 * does not hold that leaf's losses against it: 450, absent from a sound
 * leaf 4, not found; 560, of leaf 5's range, damage (leaf 5 holds 800,
 * leaf 6's, and leaf 6 none of its range).  Such leaves still count for
 * the one leaf a search may go on past one that strays: leaves 4 and 5
 * holding only 900 and 950 (leaf 6's), a search for 250 from sound leaf 3
 * meets no end in either, and is damage at leaf 5, not a walk through
 * every such leaf of a hostile tree to "none".
 */
static void test_lookup_walks_on(void **state)
{
	struct fx *f = *state;
	struct apfs_btree_desc t = { .c = f->c, .root = 2, .subtype = APFS_OBJECT_TYPE_OMAP,
				     .cmp = omap_cmp16, .what = "test tree" };
	const struct rec l3[] = { { 100, 1, 1 }, { 120, 1, 1 }, { 310, 1, 1 } };
	const struct rec l4[] = { { 250, 1, 1 }, { 320, 1, 1 }, { 330, 1, 1 } };
	const struct rec l5[] = { { 450, 1, 1 }, { 500, 1, 1 }, { 600, 1, 1 } };
	const struct rec l6[] = { { 700, 1, 1 }, { 800, 1, 1 } };
	const struct rec l3b[] = { { 100, 1, 1 }, { 120, 1, 1 } };
	const struct rec l4b[] = { { 300, 1, 1 }, { 550, 1, 1 }, { 560, 1, 1 } };
	const struct rec l4c[] = { { 300, 1, 1 }, { 320, 1, 1 } };
	const struct rec l5c[] = { { 500, 1, 1 }, { 550, 1, 1 }, { 800, 1, 1 } };
	const struct rec l6c[] = { { 700, 1, 1 }, { 900, 1, 1 } };
	const struct rec l4d[] = { { 900, 1, 1 } }, l5d[] = { { 950, 1, 1 } };
	const struct rec l6d[] = { { 700, 1, 1 }, { 710, 1, 1 } };
	uint64_t c[2] = { 0, 450 };
	uint8_t key[16] = { 0 };

	four_leaves(f, l3, 3, l4, 3, l5, 3, l6, 2);
	log_capture();
	assert_int_equal(lookup_oid(&t, 450), 0);
	assert_int_equal(lookup_oid(&t, 310), 0);
	assert_int_equal(lookup_oid(&t, 340), -ENOENT);
	four_leaves(f, l3b, 2, l4b, 3, l5, 3, l6, 2);
	st_le64(key, 450);
	assert_int_equal(apfs_btree_find(&t, key, sizeof(key), false, count_equal, c), 0);
	assert_int_equal(c[0], 1);
	four_leaves(f, l3b, 2, l4c, 2, l5c, 3, l6c, 2);
	assert_int_equal(lookup_oid(&t, 450), -ENOENT);
	assert_int_equal(lookup_oid(&t, 560), -APFS_ECORRUPT);
	four_leaves(f, l3b, 2, l4d, 1, l5d, 1, l6d, 2);
	assert_int_equal(lookup_oid(&t, 250), -APFS_ECORRUPT);
	log_release();
	expect_log("B-tree node at block 4: a search went on past this node, whose keys stray");
	two_leaves_again(f);
}

/* A prefix search's visitor that wants one xid of an oid (ctx: oid, xid, found, declined). */
static int take_xid(const void *k, size_t kl, const void *v, size_t vl, void *ctx)
{
	uint64_t *c = ctx;

	(void)kl, (void)v, (void)vl;
	if (ld_le64(k) != c[0])
		return 1;
	if (ld_le64((const uint8_t *)k + 8) != c[1]) {
		c[3]++;
		return 0;
	}
	c[2] = 1;
	return 1;
}

/*
 * apfs_btree_find_one, a search for one record of a prefix (a name among
 * those of its hash): leaf 3 (100 to 300) traded oid 250's two records
 * for leaf 5's 510 and 530.  The search for 250's xid 2 lands in leaf 3,
 * looks where 510 belongs, declines xid 1 there and takes xid 2.  One for
 * xid 3 declines both, sees all that leaf 3 traded, and says none, not
 * damage, at leaf 4's 300.  apfs_btree_find, whose visitor may care for
 * the order (an object map's versions), still calls it damage.
 */
static void test_find_one_traded(void **state)
{
	struct fx *f = *state;
	struct apfs_btree_desc t = { .c = f->c, .root = 2, .subtype = APFS_OBJECT_TYPE_OMAP,
				     .cmp = apfs_btree_cmp_u64_pair, .what = "test tree" };
	const struct rec l3[] = { { 100, 1, 1 }, { 510, 1, 1 }, { 530, 1, 1 } };
	const struct rec l4[] = { { 300, 1, 1 }, { 320, 1, 1 } };
	const struct rec l5[] = { { 250, 1, 1 }, { 250, 2, 1 }, { 520, 1, 1 } };
	const struct rec l6[] = { { 700, 1, 1 } };
	uint64_t two[4] = { 250, 2, 0, 0 }, three[4] = { 250, 3, 0, 0 };
	uint8_t key[8];

	st_le64(key, 250);
	four_leaves(f, l3, 3, l4, 2, l5, 3, l6, 1);
	log_capture();
	assert_int_equal(apfs_btree_find_one(&t, key, sizeof(key), true, take_xid, two), 0);
	assert_int_equal(two[2], 1);
	assert_int_equal(two[3], 1);
	assert_int_equal(apfs_btree_find_one(&t, key, sizeof(key), true, take_xid, three), 0);
	assert_int_equal(three[2], 0);
	assert_int_equal(three[3], 2);
	two[2] = two[3] = 0;
	assert_int_equal(apfs_btree_find(&t, key, sizeof(key), true, take_xid, two), -APFS_ECORRUPT);
	log_release();
	expect_log("a search passed a node whose keys stray outside its parent's range");
	two_leaves_again(f);
}

/* A walk that stops at the first oid at or past stop, counting the records before. */
struct stop_at {
	uint64_t stop, n;
};

static int stop_visit(const void *k, size_t kl, const void *v, size_t vl, void *ctx)
{
	struct stop_at *s = ctx;

	(void)kl, (void)v, (void)vl;
	if (ld_le64(k) >= s->stop)
		return 1;
	s->n++;
	return 0;
}

/*
 * What a walk's last leaf may have lost, looked for in a leaf whose range
 * its index does not tell.  Three levels: root 10 (100: index 11, 500:
 * index 12); index 11 (100: leaf 13, 300: leaf 14); index 12 out of order
 * (500: leaf 15, 800, 700), so leaf 15's range is unknown.  Leaf 14 holds
 * nine keys past its end (500 to 580); a walk from the start stops at 400,
 * in leaf 14, and what leaf 14 lost of [300, 400) is looked for where
 * those nine belong: leaf 15, each time, looked in once (nine looks were
 * refused as "too many" before).  Leaf 15 holding 350: traded, named.
 * Each key still costs a descent, at most TRADE_DESCENTS (16), and the
 * walk ending in leaf 14, which strays, one more for the next leaf (at
 * its upper bound, 500): fifteen such keys are looked for, sixteen
 * refused, named.
 */
static void test_lost_in_unbounded_leaf(void **state)
{
	struct fx *f = *state;
	struct apfs_btree_desc t = { .c = f->c, .root = 10, .subtype = APFS_OBJECT_TYPE_OMAP,
				     .cmp = omap_cmp16, .what = "test tree" };
	const struct rec root[] = { { 100, 1, 11 }, { 500, 1, 12 } };
	const struct rec ia[] = { { 100, 1, 13 }, { 300, 1, 14 } };
	const struct rec ib[] = { { 500, 1, 15 }, { 800, 1, 13 }, { 700, 1, 14 } };
	const struct rec l13[] = { { 100, 1, 1001 }, { 200, 1, 2001 } };
	struct rec l14[20] = { { 300, 1, 3001 }, { 310, 1, 3101 }, { 400, 1, 4001 } };
	const struct rec l15[] = { { 520, 2, 5202 }, { 530, 2, 5302 } };
	const struct rec l15t[] = { { 350, 1, 3501 }, { 530, 2, 5302 } };
	struct stop_at s = { 400, 0 };

	for (unsigned i = 3; i < 20; i++)
		l14[i] = (struct rec){ 500 + 10 * (i - 3), 1, 5000 + i };
	mk_omap_node(md_block(f->m, 10), 10, true, 2, root, 2);
	mk_omap_node(md_block(f->m, 11), 11, false, 1, ia, 2);
	mk_omap_node(md_block(f->m, 12), 12, false, 1, ib, 3);
	mk_omap_node(md_block(f->m, 13), 13, false, 0, l13, 2);
	mk_omap_node(md_block(f->m, 14), 14, false, 0, l14, 3 + 16);
	set_leaf(f, 15, l15, 2);
	log_capture();
	assert_int_equal(apfs_btree_iterate(&t, NULL, 0, stop_visit, &s), -APFS_ECORRUPT);
	log_release();
	expect_log("B-tree node at block 14: a walk took records from this node whose keys belong "
		   "in too many other nodes");
	mk_omap_node(md_block(f->m, 14), 14, false, 0, l14, 3 + 15);
	set_leaf(f, 15, l15, 2);
	s.n = 0;
	assert_int_equal(apfs_btree_iterate(&t, NULL, 0, stop_visit, &s), 0);
	assert_int_equal(s.n, 4);
	mk_omap_node(md_block(f->m, 14), 14, false, 0, l14, 3 + 9);
	set_leaf(f, 15, l15, 2);
	s.n = 0;
	assert_int_equal(apfs_btree_iterate(&t, NULL, 0, stop_visit, &s), 0);
	assert_int_equal(s.n, 4);
	set_leaf(f, 15, l15t, 2);
	s.n = 0;
	log_capture();
	assert_int_equal(apfs_btree_iterate(&t, NULL, 0, stop_visit, &s), -APFS_ECORRUPT);
	log_release();
	expect_log("B-tree node at block 15 holds a record from the range of the node at block 14");
}

/* Corrupt block b with fn, reseal, expect err from a lookup of oid 100. */
static void expect_corrupt(struct fx *f, uint64_t b, void (*fn)(uint8_t *), int err)
{
	uint8_t saved[MD_BS];
	struct apfs_omap_res r;

	memcpy(saved, md_block(f->m, b), MD_BS);
	fn(md_block(f->m, b));
	apfs_cache_free(f->c->cache);
	apfs_cache_new(MD_BS, 64 * MD_BS, &f->c->cache);
	assert_int_equal(apfs_omap_lookup(f->c, 1, 100, 10, &r), err);
	memcpy(md_block(f->m, b), saved, MD_BS);
	apfs_cache_free(f->c->cache);
	apfs_cache_new(MD_BS, 64 * MD_BS, &f->c->cache);
}

static void c_nkeys(uint8_t *b) { st_le32(b + 36, 5000); md_seal(b); }
static void c_toc(uint8_t *b) { st_le16(b + 40, 4090); md_seal(b); }
static void c_key_off(uint8_t *b) { st_le16(b + 56, 4000); md_seal(b); }
static void c_val_off(uint8_t *b) { st_le16(b + 58, 4095); md_seal(b); }
static void c_cksum(uint8_t *b) { b[100] ^= 1; }
static void c_self_loop(uint8_t *b) { st_le64(b + MD_BS - 40 - 8, 2); md_seal(b); }
static void c_level(uint8_t *b) { st_le16(b + 34, 3); md_seal(b); }
static void c_deep(uint8_t *b) { st_le16(b + 34, 13); md_seal(b); }
static void c_leafflag(uint8_t *b) { st_le16(b + 32, APFS_BTNODE_FIXED_KV_SIZE); md_seal(b); }
static void c_oid(uint8_t *b) { st_le64(b + 8, 77); md_seal(b); }
static void c_subtype(uint8_t *b) { st_le32(b + 28, APFS_OBJECT_TYPE_FSTREE); md_seal(b); }
static void c_type(uint8_t *b) { st_le32(b + 24, APFS_OBJECT_TYPE_FS); md_seal(b); }
static void c_child_far(uint8_t *b) { st_le64(b + MD_BS - 40 - 8, 1ull << 40); md_seal(b); }
static void c_fixed_size(uint8_t *b) { st_le32(b + MD_BS - 40 + 8, 0); md_seal(b); }
static void c_noroot(uint8_t *b) { st_le16(b + 32, APFS_BTNODE_FIXED_KV_SIZE); md_seal(b); }

/* The same, and the rejection must be the one whose message is msg. */
static void expect_corrupt_msg(struct fx *f, uint64_t b, void (*fn)(uint8_t *), const char *msg)
{
	log_capture();
	expect_corrupt(f, b, fn, -APFS_ECORRUPT);
	log_release();
	expect_log(msg);
}

/*
 * Each bounds check at its edge (leaf 3: a fixed-size node of 3 records, a
 * 12-byte table of contents at 56, keys from 68, values up to 4096): one
 * past the edge is refused by that check, with its own message, not by a
 * later one (a check loosened by one would pass it on).
 */
static void e_nkeys(uint8_t *b) { st_le32(b + 36, 4); md_seal(b); }  /* toc holds 3 */
static void e_toc_over(uint8_t *b) { st_le16(b + 42, 4096 - 56 + 1); md_seal(b); }
static void e_toc_edge(uint8_t *b) { st_le16(b + 42, 4096 - 56); md_seal(b); }
static void e_key_off(uint8_t *b) { st_le16(b + 56, 4096 - 68 - 16 + 1); md_seal(b); }
static void e_val_off(uint8_t *b) { st_le16(b + 58, 15); md_seal(b); }  /* value: 16 bytes */
static void e_depth(uint8_t *b) { st_le16(b + 34, 12); md_seal(b); }

static void test_bounds_edges(void **state)
{
	struct fx *f = *state;

	expect_corrupt_msg(f, 3, e_nkeys, "more records than the table of contents holds");
	expect_corrupt_msg(f, 3, e_toc_over, "table of contents overruns the node");
	/* At the edge the table fits, and the first key is the one outside. */
	expect_corrupt_msg(f, 3, e_toc_edge, "key outside the node");
	expect_corrupt_msg(f, 3, e_key_off, "key outside the node");
	expect_corrupt_msg(f, 3, e_val_off, "value outside the node");
	expect_corrupt_msg(f, 2, e_depth, "tree deeper than 12 levels");
}

static void test_corruptions(void **state)
{
	struct fx *f = *state;

	expect_corrupt(f, 3, c_nkeys, -APFS_ECORRUPT);
	expect_corrupt(f, 3, c_toc, -APFS_ECORRUPT);
	expect_corrupt(f, 3, c_key_off, -APFS_ECORRUPT);
	expect_corrupt(f, 3, c_val_off, -APFS_ECORRUPT);
	expect_corrupt(f, 3, c_cksum, -APFS_EBADCSUM);
	expect_corrupt(f, 2, c_self_loop, -APFS_ECORRUPT);  /* a child that is its parent */
	expect_corrupt(f, 3, c_level, -APFS_ECORRUPT);
	expect_corrupt(f, 2, c_deep, -APFS_ECORRUPT);
	expect_corrupt(f, 3, c_leafflag, -APFS_ECORRUPT);
	expect_corrupt(f, 3, c_oid, -APFS_ECORRUPT);
	expect_corrupt(f, 3, c_subtype, -APFS_ECORRUPT);
	expect_corrupt(f, 3, c_type, -APFS_ECORRUPT);
	expect_corrupt(f, 2, c_child_far, -APFS_ECORRUPT);
	expect_corrupt(f, 2, c_fixed_size, -APFS_ECORRUPT);
	expect_corrupt(f, 2, c_noroot, -APFS_ECORRUPT);
}

/*
 * A hashed tree (a sealed volume's fs tree, reduced to physical nodes):
 * variable-size nodes, the root's bt_flags HASHED.  Index values are
 * either macOS's 8 + 32 bytes with child oids relative to the root's, or
 * the reference's 8 + 64 bytes with absolute oids (docs/macos-boot.md §4).
 * Blocks: 2 root, 3 and 4 leaves of 16-byte keys and 8-byte values.
 */
/* The root's bt_flags: a hashed tree unless a test says otherwise. */
static uint32_t var_root_flags = APFS_BTREE_PHYSICAL | APFS_BTREE_HASHED;

static void mk_var_node(uint8_t *b, uint64_t oid, bool root, uint16_t level,
			const uint64_t *keys, const uint8_t *const *vals, const uint16_t *vlens,
			unsigned n)
{
	size_t toc = 56, tlen = 8 * 8, keyarea = toc + tlen, vend = MD_BS - (root ? 40 : 0);
	size_t voff = 0;

	memset(b, 0, MD_BS);
	st_le64(b + 8, oid);
	st_le64(b + 16, 1);
	st_le32(b + 24, (root ? APFS_OBJECT_TYPE_BTREE : APFS_OBJECT_TYPE_BTREE_NODE) |
			APFS_OBJ_PHYSICAL);
	st_le32(b + 28, APFS_OBJECT_TYPE_FSTREE);
	st_le16(b + 32, (root ? APFS_BTNODE_ROOT : 0) | (level ? 0 : APFS_BTNODE_LEAF));
	st_le16(b + 34, level);
	st_le32(b + 36, n);
	st_le16(b + 42, (uint16_t)tlen);
	for (unsigned i = 0; i < n; i++) {
		voff += vlens[i];
		st_le16(b + toc + 8 * i, (uint16_t)(16 * i));
		st_le16(b + toc + 8 * i + 2, 16);
		st_le16(b + toc + 8 * i + 4, (uint16_t)voff);
		st_le16(b + toc + 8 * i + 6, vlens[i]);
		st_le64(b + keyarea + 16 * i, keys[i]);
		memcpy(b + vend - voff, vals[i], vlens[i]);
	}
	if (root)
		st_le32(b + MD_BS - 40, var_root_flags);
	md_seal(b);
}

/* Root 2 over leaves 3 and 4, index values of vlen[0] and vlen[1] bytes. */
static int hashed_tree_count(const uint16_t vlen[2])
{
	struct memdev *m = md_new(8);
	struct apfs_container *c = md_container(m, 8, 8);
	struct apfs_btree_desc t = { .c = c, .root = 2, .subtype = APFS_OBJECT_TYPE_FSTREE,
				     .cmp = omap_cmp16, .what = "hashed tree" };
	uint8_t iv[2][80] = { { 0 } }, lv[8] = { 0 };
	const uint8_t *ivals[2] = { iv[0], iv[1] }, *lvals[2] = { lv, lv };
	const uint64_t ikeys[2] = { 100, 300 }, l1[2] = { 100, 200 }, l2[2] = { 300, 400 };
	const uint16_t lvl[2] = { 8, 8 };
	uint64_t seen[2] = { 0, 0 };
	int ret;

	for (int i = 0; i < 2; i++) /* child 3 + i: relative to root 2, or absolute */
		st_le64(iv[i], vlen[i] == 72 || !(var_root_flags & APFS_BTREE_HASHED) ? 3u + i
										    : 1u + i);
	mk_var_node(md_block(m, 2), 2, true, 1, ikeys, ivals, vlen, 2);
	mk_var_node(md_block(m, 3), 3, false, 0, l1, lvals, lvl, 2);
	mk_var_node(md_block(m, 4), 4, false, 0, l2, lvals, lvl, 2);
	ret = apfs_btree_iterate(&t, NULL, 0, count_visit, seen);
	md_container_free(c);
	md_free(m);
	return ret ? ret : (int)seen[0];
}

static void test_hashed_index_forms(void **state)
{
	(void)state;
	/* macOS: 8 + SHA-256, relative child oids. */
	assert_int_equal(hashed_tree_count((const uint16_t[2]){ 40, 40 }), 4);
	/* Apple's reference: 8 + 64, absolute child oids. */
	assert_int_equal(hashed_tree_count((const uint16_t[2]){ 72, 72 }), 4);
	/* One tree in two layouts, a value with no hash, one past 72 bytes: corrupt. */
	assert_int_equal(hashed_tree_count((const uint16_t[2]){ 40, 72 }), -APFS_ECORRUPT);
	assert_int_equal(hashed_tree_count((const uint16_t[2]){ 8, 8 }), -APFS_ECORRUPT);
	assert_int_equal(hashed_tree_count((const uint16_t[2]){ 40, 71 + 1 + 8 }), -APFS_ECORRUPT);
}

/*
 * A hashed index value holds the child oid and some hash: 9 bytes is the
 * least (relative oids, as any length but 72), 8 has no hash; 72 is the
 * most, 73 is refused (after a 40-byte value, so not for mixing layouts).
 * A tree that is not hashed holds the child oid alone: 8 bytes, not 9.
 */
static void test_index_value_edges(void **state)
{
	(void)state;
	assert_int_equal(hashed_tree_count((const uint16_t[2]){ 9, 9 }), 4);
	log_capture();
	assert_int_equal(hashed_tree_count((const uint16_t[2]){ 8, 9 }), -APFS_ECORRUPT);
	expect_log("index record without a child pointer");
	assert_int_equal(hashed_tree_count((const uint16_t[2]){ 40, 72 }), -APFS_ECORRUPT);
	expect_log("hashed index values of two layouts in one tree");
	assert_int_equal(hashed_tree_count((const uint16_t[2]){ 40, 73 }), -APFS_ECORRUPT);
	expect_log("index record without a child pointer");
	var_root_flags = APFS_BTREE_PHYSICAL;
	assert_int_equal(hashed_tree_count((const uint16_t[2]){ 8, 8 }), 4);
	assert_int_equal(hashed_tree_count((const uint16_t[2]){ 8, 9 }), -APFS_ECORRUPT);
	expect_log("index record without a child pointer");
	assert_int_equal(hashed_tree_count((const uint16_t[2]){ 7, 8 }), -APFS_ECORRUPT);
	expect_log("index record without a child pointer");
	var_root_flags = APFS_BTREE_PHYSICAL | APFS_BTREE_HASHED;
	log_release();
}

static void test_truncated_block(void **state)
{
	struct fx *f = *state;
	struct apfs_omap_res r;

	f->c->blocks_present = 3;  /* leaves 3 and 4 are cut off */
	assert_int_equal(apfs_omap_lookup(f->c, 1, 300, 10, &r), -APFS_ETRUNC);
	f->c->blocks_present = 16;
}

/* Fletcher-64 against Apple's checksums: every object in a real image. */

/*
 * Lookups and iterations that start from the thread's kept path
 * (btree_cursor.c) must find what a walk from the root finds, in any order
 * and across leaf and index boundaries.  A 3-level tree: root (block 2) ->
 * index nodes 3 and 4 -> leaves 5-8, three oids each (10, 20, ... 120,
 * xid 1, paddr oid * 10): the expected values follow from the layout.
 */
static struct apfs_container *mk_three_levels(struct memdev *m)
{
	const struct rec root[] = { { 10, 1, 3 }, { 70, 1, 4 } };
	const struct rec i3[] = { { 10, 1, 5 }, { 40, 1, 6 } };
	const struct rec i4[] = { { 70, 1, 7 }, { 100, 1, 8 } };
	struct rec leaf[3];

	mk_omap_phys(md_block(m, 1), 1, 2);
	mk_omap_node(md_block(m, 2), 2, true, 2, root, 2);
	mk_omap_node(md_block(m, 3), 3, false, 1, i3, 2);
	mk_omap_node(md_block(m, 4), 4, false, 1, i4, 2);
	for (unsigned b = 5; b <= 8; b++) {
		for (unsigned j = 0; j < 3; j++) {
			uint64_t oid = 10 * (3 * (b - 5) + j + 1);

			leaf[j] = (struct rec){ oid, 1, oid * 10 };
		}
		mk_omap_node(md_block(m, b), b, false, 0, leaf, 3);
	}
	return md_container(m, 16, 16);
}

static void expect_paddr(struct apfs_container *c, uint64_t oid, int ret, uint64_t paddr)
{
	struct apfs_omap_res r = { 0 };

	assert_int_equal(apfs_omap_lookup(c, 1, oid, 5, &r), ret);
	if (!ret)
		assert_int_equal(r.paddr, paddr);
}

/*
 * An index node that begins past its key: the root's key for index node 4
 * lowered from (70, 1) to (65, 1).  Node 4 keeps its children's ranges, so
 * its first leaf (7, from oid 70) begins past its range too: a search for
 * oid 66 lands there and is damage (before, node 4 was read as out of
 * order, its leaves unjudged, and oid 66 "not in the object map").  Oid 60
 * (leaf 6, the search going on into leaf 7) and 80 are found; every
 * version of oid 70, whose older ones would sort in the gap, cannot be told.
 */
static void test_index_miskeyed(void **state)
{
	const struct rec root[] = { { 10, 1, 3 }, { 65, 1, 4 } };
	struct memdev *m = md_new(16);
	struct apfs_container *c = mk_three_levels(m);

	(void)state;
	mk_omap_node(md_block(m, 2), 2, true, 2, root, 2);  /* nothing read yet: no cache */
	log_capture();
	expect_paddr(c, 66, -APFS_ECORRUPT, 0);
	expect_log("B-tree node at block 7: a search passed a node whose first key is not its "
		   "parent's key for it");
	log_release();
	expect_paddr(c, 60, 0, 600);
	expect_paddr(c, 80, 0, 800);
	expect_paddr(c, 70, -APFS_ECORRUPT, 0);  /* an older version of 70 may stand in the gap */
	md_container_free(c);
	md_free(m);
}

static void test_cursor_lookup_orders(void **state)
{
	struct memdev *m = md_new(16);
	struct apfs_container *c = mk_three_levels(m);
	const uint64_t jumps[] = { 60, 70, 30, 120, 10, 90, 40, 100, 50, 20, 110, 80 };

	(void)state;
	for (uint64_t o = 10; o <= 120; o += 10)  /* forward */
		expect_paddr(c, o, 0, o * 10);
	for (uint64_t o = 120; o >= 10; o -= 10)  /* backward */
		expect_paddr(c, o, 0, o * 10);
	for (unsigned i = 0; i < 12; i++)         /* across subtrees */
		expect_paddr(c, jumps[i], 0, jumps[i] * 10);
	/* Between leaves, below the first, past the last: not there. */
	expect_paddr(c, 65, -APFS_ECORRUPT, 0);
	expect_paddr(c, 5, -APFS_ECORRUPT, 0);
	expect_paddr(c, 125, -APFS_ECORRUPT, 0);
	expect_paddr(c, 70, 0, 700);
	md_container_free(c);
	md_free(m);
}

struct seen { uint64_t n, last; };

static int in_order(const void *k, size_t kl, const void *v, size_t vl, void *ctx)
{
	struct seen *s = ctx;

	(void)kl, (void)v, (void)vl;
	assert_true(ld_le64(k) > s->last);
	s->last = ld_le64(k);
	s->n++;
	return 0;
}

/* Iterate from oid from, after a lookup of warm has left the path there. */
static uint64_t count_from(struct apfs_container *c, uint64_t warm, uint64_t from)
{
	struct apfs_btree_desc t = { .c = c, .root = 2, .subtype = APFS_OBJECT_TYPE_OMAP,
				     .cmp = apfs_btree_cmp_u64_pair, .what = "test tree" };
	struct seen s = { 0, 0 };
	uint8_t key[16];

	expect_paddr(c, warm, 0, warm * 10);
	st_le64(key, from);
	st_le64(key + 8, 0);
	assert_int_equal(apfs_btree_iterate(&t, key, sizeof(key), in_order, &s), 0);
	return s.n;
}

static void test_cursor_iterate_on(void **state)
{
	struct memdev *m = md_new(16);
	struct apfs_container *c = mk_three_levels(m);

	(void)state;
	/* From inside a leaf to the end: 12 records from 10, 11 from 20, ... */
	assert_int_equal(count_from(c, 20, 20), 11);
	assert_int_equal(count_from(c, 50, 50), 8);
	assert_int_equal(count_from(c, 30, 30), 10);  /* leaf end, then the other index node */
	assert_int_equal(count_from(c, 120, 10), 12); /* kept path at the far end */
	assert_int_equal(count_from(c, 10, 65), 6);   /* between leaves */
	assert_int_equal(count_from(c, 110, 125), 0);
	md_container_free(c);
	md_free(m);
}

/* A new cache (the tests' way of saying the blocks changed) drops the kept path. */
static void test_cursor_follows_cache(void **state)
{
	struct memdev *m = md_new(16);
	struct apfs_container *c = mk_three_levels(m);
	struct rec leaf[3] = { { 40, 1, 999 }, { 50, 1, 500 }, { 60, 1, 600 } };

	(void)state;
	expect_paddr(c, 40, 0, 400);
	mk_omap_node(md_block(m, 6), 6, false, 0, leaf, 3);
	apfs_cache_free(c->cache);
	apfs_cache_new(MD_BS, 64 * MD_BS, &c->cache);
	expect_paddr(c, 40, 0, 999);
	apfs_btree_cursors_drop(c);
	md_container_free(c);
	md_free(m);
}

static void test_fletcher_real_image(void **state)
{
	const char *dir = getenv("IMAGES");
	char path[4096];
	uint8_t blk[MD_BS];
	unsigned ok = 0;
	FILE *fp;

	(void)state;
	if (!dir) {
		printf("# IMAGES is not set: no real image to check against\n");
		skip();
	}
	snprintf(path, sizeof(path), "%s/dfvfs-apfs.raw", dir);
	fp = fopen(path, "rb");
	if (!fp) {
		printf("# %s not found\n", path);
		skip();
	}
	while (fread(blk, 1, MD_BS, fp) == MD_BS) {
		uint64_t stored = ld_le64(blk);

		if (stored && stored != ~0ull && apfs_fletcher64(blk, MD_BS) == stored)
			ok++;
	}
	fclose(fp);
	/* pstat/fsapfsinfo read this image: its superblocks, omaps and trees
	 * (dozens of objects) carry checksums Apple computed. */
	assert_true(ok >= 20);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	assert_int_equal(fread(blk, 1, MD_BS, fp), MD_BS);
	fclose(fp);
	assert_true(apfs_obj_cksum_ok(blk, MD_BS));
	blk[200] ^= 0x40;
	assert_false(apfs_obj_cksum_ok(blk, MD_BS));
}

static void test_cksum_rejects_zero_and_ones(void **state)
{
	uint8_t blk[MD_BS];

	(void)state;
	memset(blk, 0, sizeof(blk));
	assert_false(apfs_obj_cksum_ok(blk, MD_BS));
	memset(blk, 0xff, sizeof(blk));
	assert_false(apfs_obj_cksum_ok(blk, MD_BS));
	assert_false(apfs_obj_cksum_ok(blk, 10));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_omap_newest_le_xid),
		cmocka_unit_test_teardown(test_omap_leaf_out_of_order, restore_leaf3),
		cmocka_unit_test(test_omap_missing),
		cmocka_unit_test(test_iterate_all_in_order),
		cmocka_unit_test(test_leaf_below_its_range),
		cmocka_unit_test(test_lookup_past_stray_leaf),
		cmocka_unit_test(test_lookup_hops_once),
		cmocka_unit_test(test_lost_in_unbounded_leaf),
		cmocka_unit_test(test_lookup_walks_on),
		cmocka_unit_test(test_find_one_traded),
		cmocka_unit_test(test_leaf_miskeyed),
		cmocka_unit_test(test_walk_past_miskeyed),
		cmocka_unit_test(test_walk_past_unreadable),
		cmocka_unit_test(test_walk_lacking_order),
		cmocka_unit_test(test_walk_past_end_ends),
		cmocka_unit_test(test_walk_past_index_record),
		cmocka_unit_test(test_walk_index_swapped),
		cmocka_unit_test(test_walk_index_out_of_order),
		cmocka_unit_test(test_corruptions),
		cmocka_unit_test(test_bounds_edges),
		cmocka_unit_test(test_truncated_block),
		cmocka_unit_test(test_hashed_index_forms),
		cmocka_unit_test(test_index_value_edges),
		cmocka_unit_test(test_index_miskeyed),
		cmocka_unit_test(test_cursor_lookup_orders),
		cmocka_unit_test(test_cursor_iterate_on),
		cmocka_unit_test(test_cursor_follows_cache),
		cmocka_unit_test(test_fletcher_real_image),
		cmocka_unit_test(test_cksum_rejects_zero_and_ones),
	};

	apfs_log_set_level(-1);
	return cmocka_run_group_tests(tests, setup, teardown);
}
