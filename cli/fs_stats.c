/* SPDX-License-Identifier: MIT */
/*
 * fs_stats.c - a directory read through without keeping its names
 * (cmd_fs.h: fs_names_check_from), for the walks that print it a window at
 * a time (bodyfile, extract, ls -U): damage fails the directory before any
 * of it is printed, as when it was read whole.
 */
#include "cmd_fs.h"
#include "dirwin.h"

static int no_name(const struct apfsi_dirent *d, void *ctx)
{
	(void)d, (void)ctx;
	return 0;
}

int fs_names_check_from(apfsi_fs *fs, uint64_t dir, const struct dirwin_pos *pos)
{
	int ret = cli_api_errno(apfsi_fs_readdir(fs, dir, pos->cookie, no_name, NULL));

	/* nodes of it that could not be read: the windows that follow are shown, and fail */
	return ret == -APFS_EINCOMPLETE ? 0 : ret;
}
