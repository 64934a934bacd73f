/* SPDX-License-Identifier: MIT */
/*
 * fs_stats.c - a directory's entries stat'ed a window at a time, in inode
 * order (cmd_fs.h: struct fs_stats), for the walks that print every
 * entry's attributes (bodyfile, ls -l, extract).
 */
#include <stdlib.h>

#include "cmd_fs.h"

int fs_stats_read(struct apfs_fs *fs, const struct fs_names *nm, size_t from,
		  struct fs_stats *sb)
{
	size_t n = nm->n - from < FS_STATS_WINDOW ? nm->n - from : FS_STATS_WINDOW;

	sb->n = 0;
	if (n > sb->cap) {
		free(sb->st);
		free(sb->err);
		sb->st = malloc(n * sizeof(*sb->st));
		sb->err = malloc(n * sizeof(*sb->err));
		sb->cap = sb->st && sb->err ? n : 0;
		if (!sb->cap)
			return -ENOMEM;
	}
	if (!n)
		return 0;
	sb->n = n;
	return apfs_fs_stat_many(fs, n, &nm->e[from].ino, sizeof(nm->e[0]), sb->st, sb->err);
}

void fs_stats_free(struct fs_stats *sb)
{
	free(sb->st);
	free(sb->err);
	*sb = (struct fs_stats){ 0 };
}
