/* SPDX-License-Identifier: MIT */
/*
 * fs_diff_lost.c - whether an inode one view lacks may be lost from it
 * rather than removed (or not yet made).  A tree whose index node lost a
 * child stays in order and in range, and a leaf holds a run of objects'
 * records: their inode records, and the entries of the directories among
 * them.  So the view that lost them still shows signs near each: an entry
 * naming an inode it does not hold, or a directory holding fewer entries
 * than its inode counts (fs_diff_scan.c counts both for the run).  Each
 * 'A' or 'D' is held to those signs, so that a file the tree lost is not
 * given as one removed with nothing on its line to say otherwise (found in
 * review: 3,207 files "D" where one child of the live tree's root was
 * dropped; every one of them read as a deletion).
 */
#include <stdlib.h>

#include "fs_diff_int.h"

static int u64_cmp(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return (a > b) - (a < b);
}

/* s holds entries of dir and not its inode record. */
static bool dir_inode_unheld(const struct dscan *s, uint64_t dir)
{
	return s->nnodir && bsearch(&dir, s->nodir, s->nnodir, sizeof(dir), u64_cmp);
}

/* lost_memo: not asked; asked and not yet answered (a loop of parents); answered. */
enum { MEMO_NONE, MEMO_ASKING, MEMO_ANSWER };

/*
 * What o itself says of in, which it lacks: its entry there naming it (or
 * it is the root or the private directory, which every tree holds, their
 * entries in directory 1, which has no inode: found in review, a lost
 * first leaf left them unmarked); the directory that held it (as h has it)
 * there and short; or that directory's entries there and not its inode.
 * -1 where o has nothing of that directory: then what holds for the
 * directory holds for in.
 */
static int own_sign(const struct dscan *o, const struct dscan_ino *in)
{
	const struct dscan_ino *p = dscan_ino_find(o, in->parent);

	if (dscan_unheld(o, in->oid) || in->oid == APFS_ROOT_DIR_INO_NUM ||
	    in->oid == APFS_PRIV_DIR_INO_NUM)
		return APFS_DIFF_LOST_INODE;
	if (p)
		return dscan_dir_short(p) ? APFS_DIFF_LOST_ENTRY : APFS_DIFF_LOST_NONE;
	if (dir_inode_unheld(o, in->parent))
		return APFS_DIFF_LOST_ABOVE;
	return -1;
}

/*
 * Up the parents h gives, to the first directory o holds (or an answer
 * found before), each inode on the way answered once: the work of a whole
 * diff is one step per inode of h.  Parents that loop end it with NONE.
 */
enum apfs_diff_lost dscan_lost_why(const struct dscan *o, struct dscan *h,
				   struct dscan_ino *in)
{
	enum apfs_diff_lost top = APFS_DIFF_LOST_NONE;
	struct dscan_ino *at = in;
	int sign;

	while (at && at->lost_memo == MEMO_NONE) {
		at->lost_memo = MEMO_ASKING;
		if ((sign = own_sign(o, at)) >= 0) {
			top = (enum apfs_diff_lost)sign;
			break;
		}
		at = dscan_ino_find(h, at->parent);
	}
	if (at && at->lost_memo >= MEMO_ANSWER)
		top = (enum apfs_diff_lost)(at->lost_memo - MEMO_ANSWER);
	/* the one that answered keeps its own answer; those below it are ABOVE (or NONE) */
	for (struct dscan_ino *c = in; c && c->lost_memo == MEMO_ASKING;
	     c = dscan_ino_find(h, c->parent)) {
		enum apfs_diff_lost why = c == at || top == APFS_DIFF_LOST_NONE ? top :
					  APFS_DIFF_LOST_ABOVE;

		c->lost_memo = (uint8_t)(MEMO_ANSWER + why);
	}
	return (enum apfs_diff_lost)(in->lost_memo - MEMO_ANSWER);
}
