/* SPDX-License-Identifier: MIT */
/*
 * dirwin_each.c - a walk's directory, a window at a time (dirwin.h): what
 * bodyfile, timeline and extract share.  Each window is as large as what
 * the levels above left of DIRWIN_BUDGET, so the walk's memory is bounded
 * by DIRWIN_BUDGET plus DIRWIN_MIN a level, not by the largest directory.
 * A directory longer than one window is first offered whole to the
 * caller's own way (bodyfile, timeline: in inode order, dirwin_by_ino), else read
 * through once, so that a damaged record fails it before anything of it is
 * used, as when it was read whole.
 */
#include <stdio.h>

#include "cmd_fs.h"
#include "dirwin.h"

bool dirwin_stdout_failed(void *ctx)
{
	(void)ctx;
	return ferror(stdout) != 0;
}

int dirwin_each(apfsi_fs *fs, uint64_t dir, const struct dirwin_walk *wk, void *ctx)
{
	struct dirwin w = { .keep_added = wk->keep_added };
	struct dirwin_pos pos = { 0 };
	size_t held, budget = *wk->held < DIRWIN_BUDGET ? DIRWIN_BUDGET - *wk->held : 0;
	int ret = dirwin_read(fs, dir, &pos, budget, &w);

	if (!ret && w.full && wk->whole) {
		dirwin_free(&w);
		if ((ret = wk->whole(ctx)) <= 0)
			return ret;
		pos = (struct dirwin_pos){ 0 };
		ret = dirwin_read(fs, dir, &pos, budget, &w);
	}
	if (!ret && w.full)
		ret = fs_names_check_from(fs, dir, &pos);
	while (!ret && w.n && !wk->stopped(ctx)) {
		held = dirwin_bytes(&w);
		*wk->held += held;
		ret = wk->window(ctx, &w);
		*wk->held -= held;
		if (!ret && w.full)
			ret = dirwin_read(fs, dir, &pos, budget, &w);
		else
			w.n = 0;
	}
	dirwin_free(&w);
	return ret ? ret : pos.incomplete && !wk->stopped(ctx) ? -APFS_EINCOMPLETE : 0;
}

int dirwin_by_ino(apfsi_fs *fs, uint64_t dir, unsigned flags, void (*begin)(void *ctx),
		  int (*entry)(void *ctx, const struct apfsi_dirent *e), void *ctx)
{
	const struct apfsi_dirent *e;
	apfsi_dir *d;
	int ret = apfsi_dir_open(fs, dir, APFSI_DIR_INODE_ORDER | flags, &d);

	/* Nothing printed yet: windows need neither the proof nor the dates' memory. */
	if (ret == APFSI_ERR_UNSUPPORTED || ret == APFSI_ERR_NOMEM)
		return 1;
	if (ret)
		return cli_api_errno(ret);
	if (begin)
		begin(ctx);
	while (!ret && !ferror(stdout) && !(ret = cli_api_errno(apfsi_dir_next(d, &e))) && e)
		ret = entry(ctx, e);
	apfsi_dir_close(d);
	return ret;
}

int dirwin_enter_each(struct walk_guard *g, apfsi_fs *fs, const char *path, const char *name,
		      uint64_t parent, uint64_t ino, int depth, const struct dirwin_walk *wk,
		      void *ctx)
{
	int ret = walk_enter(g, fs, path, name, parent, ino, depth);

	if (ret)
		return ret < 0 ? cli_exit_code(ret) : 0;
	ret = dirwin_each(fs, ino, wk, ctx);
	return ret ? fs_fail(path, ret) : 0;
}
