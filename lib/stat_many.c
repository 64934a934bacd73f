/* SPDX-License-Identifier: MIT */
/*
 * stat_many.c - apfsi_fs_stat_many and apfsi_fs_dir_stats: a directory's
 * children read in inode order (apfs_fs_stat_each), which touches each
 * fs-tree leaf of their inodes once, and the statistics macOS keeps for it.
 */
#include <string.h>

#include "fs_int.h"

struct many_ctx {
	apfsi_stat_fn fn;
	void *arg;
	struct apfsi_stat st;
};

static void each(void *ctx, size_t i, const struct apfs_stat *st, int err)
{
	struct many_ctx *m = ctx;

	if (err) {
		m->fn(i, NULL, apfsi_code(err), m->arg);
		return;
	}
	apfsi_stat_from(st, &m->st);
	m->fn(i, &m->st, APFSI_OK, m->arg);
}

int apfsi_fs_stat_many(apfsi_fs *fs, size_t n, const uint64_t *ino, size_t stride,
		       apfsi_stat_fn fn, void *arg)
{
	struct many_ctx m = { .fn = fn, .arg = arg };
	int ret;

	apfsi_enter();
	if ((ret = apfsi_fs_check(fs, "apfsi_fs_stat_many")))
		return ret;
	/* The numbers are read as uint64_t: aligned, each stride bytes on. */
	if (!fn || (n && (!ino || (uintptr_t)ino % _Alignof(uint64_t) || stride < sizeof(*ino) ||
			  stride % _Alignof(uint64_t))))
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_fs_stat_many: fn, an aligned ino and a "
				  "stride of a multiple of 8 are required");
	ret = apfs_fs_stat_each(fs->fs, n, ino, stride, each, &m);
	return ret ? apfsi_fail_errno(ret, "stat of a directory's entries") : APFSI_OK;
}

int apfsi_fs_dir_stats(apfsi_fs *fs, uint64_t ino, struct apfsi_dir_stats *ds)
{
	struct apfs_dir_stats in;
	int ret;

	apfsi_enter();
	if ((ret = apfsi_fs_check(fs, "apfsi_fs_dir_stats")))
		return ret;
	if (!ds)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_fs_dir_stats: ds is required");
	memset(ds, 0, sizeof(*ds));
	ret = apfs_fs_dir_stats(fs->fs, ino, &in);
	if (ret)
		return apfsi_fail(apfsi_code(ret), "directory statistics of inode %llu: %s",
				  (unsigned long long)ino, apfsi_strerror(apfsi_code(ret)));
	ds->num_children = in.num_children, ds->total_size = in.total_size;
	ds->chained_key = in.chained_key, ds->gen_count = in.gen_count;
	ds->key = in.key, ds->origin = in.origin;
	return APFSI_OK;
}
