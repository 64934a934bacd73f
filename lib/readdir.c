/* SPDX-License-Identifier: MIT */
/*
 * readdir.c - apfsi_fs_readdir: a directory's entries from a resume cookie,
 * handed to a callback with no iterator between calls, which is what a
 * FUSE readdir needs (it resumes at whatever offset the kernel gives back).
 */
#include <string.h>

#include "fs_int.h"

struct rd_ctx {
	apfsi_dirent_fn fn;
	void *arg;
	int stopped;                /* the caller's nonzero value */
	struct apfsi_dirent out;
};

static int each(const struct apfs_dirent *d, void *ctx)
{
	struct rd_ctx *r = ctx;

	memset(&r->out, 0, sizeof(r->out));
	r->out.ino = d->ino;
	r->out.type = apfsi_type_of_dt(d->type);
	r->out.date_added = (int64_t)d->date_added;
	r->out.name = d->name;
	r->out.cookie = d->next_cookie;
	r->stopped = r->fn(&r->out, r->arg);
	return r->stopped ? 1 : 0;
}

int apfsi_fs_readdir(apfsi_fs *fs, uint64_t ino, uint64_t cookie, apfsi_dirent_fn fn,
		     void *arg)
{
	struct rd_ctx r = { .fn = fn, .arg = arg };
	int ret, code;

	apfsi_enter();
	if ((ret = apfsi_fs_check(fs, "apfsi_fs_readdir")))
		return ret;
	if (!fn)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_fs_readdir: fn is required");
	ret = apfs_fs_readdir(fs->fs, ino, cookie, each, &r);
	if (r.stopped)
		return r.stopped;
	code = apfsi_code(ret < 0 ? ret : 0);
	return code ? apfsi_fail(code, "directory %llu: %s", (unsigned long long)ino,
				 apfsi_strerror(code)) : APFSI_OK;
}
