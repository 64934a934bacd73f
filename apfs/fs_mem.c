/* SPDX-License-Identifier: MIT */
/* fs_mem.c - a walk's memory lent from the block cache (fs_mem.h). */
#include "apfs/fs_mem.h"
#include "cache.h"
#include "fs_int.h"

void apfs_fs_mem_lend(struct apfs_fs *fs, size_t bytes)
{
	if (fs && fs->c->cache && bytes)
		apfs_cache_lend(fs->c->cache, bytes);
}

bool apfs_fs_mem_repay(struct apfs_fs *fs, size_t bytes)
{
	return fs && fs->c->cache && bytes && apfs_cache_repay(fs->c->cache, bytes);
}
