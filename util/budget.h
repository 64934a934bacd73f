/* SPDX-License-Identifier: MIT */
/*
 * budget.h - one process-wide budget for the memory open files hold (their
 * extent maps, decmpfs buffers), so that no image and no number of readers
 * (the FUSE daemon serves any number) can make the process grow without
 * bound: past the budget an open fails with -ENOMEM, logged, and the
 * memory of files already open is untouched.
 */
#ifndef APFS_BUDGET_H
#define APFS_BUDGET_H

#include <stddef.h>

/*
 * 128 MiB: the extent map of the most fragmented file taken (FS_MAX_EXTENTS,
 * 4 Mi extents of 32 bytes), or 8 inline-compressed files of the largest
 * size taken (16 MiB), or about 650 resource-fork-compressed files.
 */
#define APFS_OPEN_BUDGET ((size_t)128 << 20)

/* Reserve bytes for `what` (named in the log when refused): 0 or -ENOMEM. */
int apfs_budget_take(size_t bytes, const char *what);
void apfs_budget_give(size_t bytes);
/* Bytes reserved now (for tests and diagnostics). */
size_t apfs_budget_used(void);

#endif
