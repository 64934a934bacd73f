/* SPDX-License-Identifier: MIT */
/*
 * btree_int.h - internals of the B-tree reader shared by btree.c and
 * btree_cursor.c: a parsed node, and the per-thread cursor that keeps the
 * path of the last walk so that the next lookup nearby starts from there.
 */
#ifndef APFS_BTREE_INT_H
#define APFS_BTREE_INT_H

#include "apfs.h"

/* Apple's trees are a handful of levels deep; 12 is the kernel's cap. */
#define BTREE_MAX_DEPTH 12
#define BTREE_ORDERED_MEMO 4096

struct node {
	const uint8_t *blk;
	uint32_t bs;
	uint16_t flags, level;
	uint32_t nkeys;
	size_t toc;       /* byte offset of the table of contents */
	size_t keys;      /* start of the key area */
	size_t vals_end;  /* end of the value area */
	uint32_t fk, fv;  /* fixed key/value sizes (FIXED_KV_SIZE trees) */
	/*
	 * Every record lies inside the node and the keys strictly ascend:
	 * searched by halves.  Otherwise (a damaged node) records are read
	 * one by one from the first, so that the damage is met, and named,
	 * exactly where a scan meets it.
	 */
	bool ordered;
	bool sorted;      /* ordered only as read sorted (btree.c index_sort): damage all the same */
	/*
	 * Its keys stand outside the range its parent gives it (known where
	 * ranges are kept: a cursor, or a walk that asks for order): a record
	 * of its neighbour's is here, or one of its own there, so a key it
	 * lacks may still be in the tree.  Or (miskeyed) its keys lie in that
	 * range but its first is not the range's start, its parent's key for
	 * it (a sound tree's always is, as apfsck checks): the keys between
	 * may stand in the node before.
	 */
	bool strayed;
	bool miskeyed;
	/*
	 * Not ordered only for records whose place lies outside the node:
	 * every other key ascends within the range its parent gives it
	 * (node_lacking).  A walk resumed by key in it meets what it holds as
	 * in an ordered node; what it lost no walk reads, and each counts.
	 */
	bool lacking;
	/* strayed: it holds a key below its range (below) or at or past its end (above) */
	bool below, above;
	const uint8_t *least;  /* miskeyed: its least key (in blk), where what it holds begins */
	size_t leastl;
};

/*
 * One node of the cursor's path, with the range of keys its subtree
 * holds: [lo, hi), each pointing into the parent's buffer (which stays
 * as long as this level does); NULL is unbounded.  bounded false: the
 * range is unknown (a neighbour record was damaged): never a start.
 */
struct cur_level {
	uint8_t *buf;
	struct node n;
	uint64_t bno;
	const uint8_t *lo, *hi;
	size_t lol, hil;
	bool bounded;
	/*
	 * hi is a later key than the next record's of the parent, which could
	 * not be located (child_bounds): the subtree of that record, lost,
	 * lies between.  Never a start: a walk on from hi would pass it by.
	 */
	bool past_lost;
};

/* What makes two descriptors the same tree, read the same way. */
struct tree_id {
	/* cid: apfs_cache_id of the container's cache, 0 (none) never kept */
	uint64_t cid, root, omap, xid, xts;
	uint32_t subtype;
	apfs_key_cmp cmp;
	bool cmp_guessed;  /* a guess's walk judges no order (index_sort): its nodes are not kept for others */
	const void *seal;
};

struct btree_cursor {
	struct tree_id id;
	uint32_t bs;             /* size of every level's buffer */
	bool busy;               /* a walk uses it: a nested walk goes without */
	int depth;               /* levels 0..depth-1 hold the last path walked */
	uint32_t fk, fv;         /* from the root's btree_info_t */
	bool hashed;
	int form;                /* enum hashed_form of btree.c */
	uint64_t stamp;          /* last use, for replacement */
	struct cur_level lv[BTREE_MAX_DEPTH];
	/*
	 * Blocks of this tree already found ordered, by block (+1; 0 empty),
	 * direct-mapped: a leaf read again (walks of a directory larger than
	 * the block cache) is not checked record by record again.
	 */
	uint64_t ordered[BTREE_ORDERED_MEMO];
};

/*
 * The calling thread's cursor for tree t, marked busy; NULL when all of
 * the thread's cursors are busy or memory is short (walk without one).
 */
struct btree_cursor *btree_cursor_get(const struct apfs_btree_desc *t);
void btree_cursor_put(struct btree_cursor *cur);
/*
 * The thread's cursor for t's memo of nodes found in order (ordered[]),
 * busy or not; NULL for none.  A walk nested in another of the same tree
 * goes without the cursor but need not check the order of the same nodes
 * again (same thread: no lock).
 */
uint64_t *btree_order_memo(const struct apfs_btree_desc *t);

/* The calling thread's memo of omap_phys_t -> its tree's root block. */
bool btree_omap_root_get(const struct apfs_container *c, uint64_t omap_paddr, uint64_t *root);
void btree_omap_root_put(const struct apfs_container *c, uint64_t omap_paddr, uint64_t root);

#endif
