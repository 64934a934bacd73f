/* SPDX-License-Identifier: MIT */
/*
 * fs_mem.h - memory a walk holds beside the volume's block cache, lent
 * from the cache's budget (cache.h: apfs_cache_lend), so that the walk's
 * windows and the cached blocks share one budget instead of adding up.
 */
#ifndef APFS_FS_MEM_H
#define APFS_FS_MEM_H

#include <stdbool.h>
#include <stddef.h>

#include "apfs/fs.h"

void apfs_fs_mem_lend(struct apfs_fs *fs, size_t bytes);
/* true if the cache grew back: the caller may return its freed memory first. */
bool apfs_fs_mem_repay(struct apfs_fs *fs, size_t bytes);

#endif
