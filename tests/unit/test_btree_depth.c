/* SPDX-License-Identifier: MIT */
/*
 * test_btree_depth.c - apfs/btree.c walk_node's depth bound, at its edge.
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_depth_edge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
