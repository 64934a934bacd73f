/* SPDX-License-Identifier: MIT */
/*
 * test_btree_depth.c - apfs/btree.c walk_node's depth bound, and
 * child_hash's length bound on a sealed index value, at their edges.
 *
 * No image reaches it: node_parse refuses a root of level 12 or more
 * (mutant B05), and each child must be one level below its parent, so a
 * walk is at most 11 deep.  The bound is the last guard of the per-level
 * buffers (bufs[BTREE_MAX_DEPTH]), so it is tested here by calling the
 * static walk_node directly: this file includes btree.c, whose object then
 * stands in for the library's copy (no production code changes).
 *
 * The container holds no blocks, so a walk that passes the depth check is
 * refused by the next one (more nodes than blocks) with its own message:
 * depth 11 gets that, depth 12 the depth message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../apfs/btree.c"

#include "testutil.h"

static int walk_at(int depth)
{
	static struct apfs_container c;
	struct apfs_btree_desc t = { .c = &c, .root = 1, .what = "test tree" };
	struct walk w = { .t = &t };
	int ret;

	snprintf(c.label, sizeof(c.label), "test container");
	c.block_size = 4096;
	c.blocks_present = 0;
	log_capture();
	ret = walk_node(&w, 7, depth, depth + 1, NULL, 0);
	log_release();
	for (int i = 0; i < BTREE_MAX_DEPTH; i++)
		free(w.bufs[i]);
	return ret;
}

static void test_walk_depth_edge(void **state)
{
	(void)state;
	assert_int_equal(walk_at(BTREE_MAX_DEPTH - 1), -APFS_ECORRUPT);
	expect_log("block 7: more nodes than blocks: the tree loops");
	assert_int_equal(walk_at(BTREE_MAX_DEPTH), -APFS_ECORRUPT);
	expect_log("block 7: tree deeper than 12 levels");
}

/*
 * A sealed tree's index value is the child's oid (8 bytes) then its hash
 * (hash_len bytes, 32 for SHA-256).  8 + 32 bytes give the hash after the
 * oid; 39 are too short to hold it, and the child is not checked (NULL).
 * cli/fs_sealed reaches the short case from an image, not at the edge.
 */
static void test_child_hash_edge(void **state)
{
	static struct apfs_container c;
	struct apfs_seal seal = { .hash_len = 32 };
	struct apfs_btree_desc t = { .c = &c, .seal = &seal };
	struct walk w = { .t = &t, .hashed = true };
	uint8_t v[40] = { 0 };

	(void)state;
	assert_ptr_equal(child_hash(&w, v, 40), v + 8);
	assert_null(child_hash(&w, v, 39));
	seal.hash_len = 48;  /* SHA-384: 56 bytes */
	assert_ptr_equal(child_hash(&w, v, 56), v + 8);
	assert_null(child_hash(&w, v, 55));
	w.hashed = false;    /* an unhashed tree's values carry no hash */
	assert_null(child_hash(&w, v, 56));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_depth_edge),
		cmocka_unit_test(test_child_hash_edge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
