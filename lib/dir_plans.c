/* SPDX-License-Identifier: MIT */
/*
 * dir_plans.c - the verdicts of APFSI_DIR_INODE_ORDER on the last few
 * directories asked about, per file system: the plan reads a directory's
 * records and its children's range through (apfs/fs_byino.c), which a FUSE
 * mount would otherwise pay on every listing of the same directory.  The
 * image is read-only, so a verdict never goes stale while the file system
 * is open.  Errors (no memory, a damaged directory) are not kept: they are
 * met and reported again.
 */
#include "internal.h"

#define PLAN_SLOTS (sizeof(((struct apfsi_fs *)0)->plans) / sizeof(struct apfsi_dir_plan))

static bool recall(struct apfsi_fs *fs, uint64_t dir, struct apfs_byino *out, int *ret)
{
	bool found = false;

	pthread_mutex_lock(&fs->plans_lock);
	for (size_t i = 0; i < PLAN_SLOTS && !found; i++) {
		struct apfsi_dir_plan *p = &fs->plans[i];

		if (p->used && p->dir == dir) {
			*out = p->plan;
			*ret = p->ret;
			p->used = ++fs->plans_clock;
			found = true;
		}
	}
	pthread_mutex_unlock(&fs->plans_lock);
	return found;
}

/* Into the slot asked about least recently (an empty one first). */
static void keep(struct apfsi_fs *fs, uint64_t dir, const struct apfs_byino *plan, int ret)
{
	struct apfsi_dir_plan *v;

	pthread_mutex_lock(&fs->plans_lock);
	v = &fs->plans[0];
	for (size_t i = 1; i < PLAN_SLOTS; i++)
		if (fs->plans[i].used < v->used)
			v = &fs->plans[i];
	*v = (struct apfsi_dir_plan){ dir, ++fs->plans_clock, ret, *plan };
	pthread_mutex_unlock(&fs->plans_lock);
}

int apfsi_dir_plan(struct apfsi_fs *fs, uint64_t dir, struct apfs_byino *out)
{
	int ret;

	if (recall(fs, dir, out, &ret))
		return ret;
	ret = apfs_fs_byino_plan(fs->fs, dir, out);
	if (!ret || ret == -ENOTSUP)
		keep(fs, dir, out, ret);
	return ret;
}
