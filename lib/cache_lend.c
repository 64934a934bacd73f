/* SPDX-License-Identifier: MIT */
/*
 * cache_lend.c - apfsi_fs_cache_lend/repay: a caller's walk memory lent
 * from the file system's block-cache budget (apfs/fs_mem.h), so that a
 * window of a huge directory's names and the cached blocks share one budget.
 */
#include "apfs/fs_mem.h"
#include "fs_int.h"

void apfsi_fs_cache_lend(apfsi_fs *fs, size_t bytes)
{
	if (fs && bytes)
		apfs_fs_mem_lend(fs->fs, bytes);
}

int apfsi_fs_cache_repay(apfsi_fs *fs, size_t bytes)
{
	return fs && bytes && apfs_fs_mem_repay(fs->fs, bytes);
}
