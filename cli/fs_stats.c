/* SPDX-License-Identifier: MIT */
/*
 * fs_stats.c - a directory read through without keeping its names
 * (cmd_fs.h: fs_names_check_from), for the walks that print it a window at
 * a time (bodyfile, extract, ls -U): damage fails the directory before any
 * of it is printed, as when it was read whole.
 */
#include "cmd_fs.h"

static int no_name(const struct apfs_dirent *d, void *ctx)
{
	(void)d, (void)ctx;
	return 0;
}

int fs_names_check_from(struct apfs_fs *fs, uint64_t dir, const struct apfs_dir_pos *pos)
{
	struct apfs_dir_pos p = *pos;

	return apfs_fs_readdir_from(fs, dir, &p, no_name, NULL);
}
