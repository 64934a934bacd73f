/* SPDX-License-Identifier: MIT */
/*
 * fs_stats.c - a directory's entries stat'ed a window at a time, in inode
 * order (cmd_fs.h: struct fs_stats), for the walks that print every
 * entry's attributes (bodyfile, ls -l, extract).
 */
#include <stdlib.h>
#include <string.h>

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

struct names_upto {
	struct fs_names *nm;
	size_t max;
};

/* One more name, until max: then 1, and the entry is the next call's first. */
static int add_upto(const struct apfs_dirent *d, void *ctx)
{
	struct names_upto *u = ctx;
	struct fs_names *nm = u->nm;

	if (nm->n >= u->max)
		return 1;
	return fs_names_add(d, nm);
}

int fs_names_read_from(struct apfs_fs *fs, uint64_t dir, struct apfs_dir_pos *pos, size_t max,
		       struct fs_names *nm)
{
	struct names_upto u = { nm, max };

	return apfs_fs_readdir_from(fs, dir, pos, add_upto, &u);
}

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
