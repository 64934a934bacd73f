/* SPDX-License-Identifier: MIT */
/*
 * runs.c - where a file's bytes lie: apfsi_file_span (data or hole, for a
 * sparse copy bounded by the blocks the image holds), apfsi_file_readable
 * (how far a read from 0 gets) and the on-disk runs
 * of a file's data or an xattr's value (DFXML byte_runs).
 */
#include <string.h>

#include "fs_int.h"

void apfsi_file_span(const apfsi_file *f, uint64_t off, int *hole, uint64_t *len)
{
	bool h = false;
	uint64_t n = 0;

	if (f && f->f)
		apfs_file_span(f->f, off, &h, &n);
	else if (f && off < f->size)
		n = f->size - off;  /* a fork: data throughout */
	if (hole)
		*hole = h;
	if (len)
		*len = n;
}

uint64_t apfsi_file_readable(const apfsi_file *f)
{
	if (!f)
		return 0;
	return f->f ? apfs_file_readable(f->f) : f->size;
}

uint64_t apfsi_file_unstored(const apfsi_file *f)
{
	return f && f->f ? apfs_file_unstored(f->f) : 0;
}

struct run_ctx {
	apfsi_run_fn fn;
	void *arg;
	int stopped;                /* the caller's nonzero value */
};

static int each(const struct apfs_byte_run *r, void *ctx)
{
	struct run_ctx *c = ctx;
	struct apfsi_byte_run out;

	memset(&out, 0, sizeof(out));
	out.file_offset = r->file_offset, out.len = r->len;
	out.fs_offset = r->fs_offset, out.img_offset = r->img_offset;
	out.encrypted = r->encrypted;
	c->stopped = c->fn(&out, c->arg);
	return c->stopped ? 1 : 0;
}

/* The walk's result: the caller's value, else OK or the failure named. */
static int runs_result(const struct run_ctx *c, int ret, const char *what, uint64_t ino)
{
	if (c->stopped)
		return c->stopped;
	return ret < 0 ? apfsi_fail(apfsi_code(ret), "%s of inode %llu: %s", what,
				    (unsigned long long)ino, apfsi_strerror(apfsi_code(ret)))
		       : APFSI_OK;
}

int apfsi_file_runs(apfsi_file *f, apfsi_run_fn fn, void *arg, enum apfsi_runs_kind *kind)
{
	struct run_ctx c = { .fn = fn, .arg = arg };
	unsigned k = APFS_RUNS_DATA;
	int ret;

	apfsi_enter();
	if (!f || !f->f || !fn || !kind)
		return apfsi_fail(APFSI_ERR_INVALID,
				  "apfsi_file_runs: a file's data (not a fork), fn and kind are required");
	ret = apfs_file_runs(f->f, each, &c, &k);
	*kind = k == APFS_RUNS_RSRC ? APFSI_RUNS_RSRC :
		k == APFS_RUNS_INLINE ? APFSI_RUNS_INLINE : APFSI_RUNS_DATA;
	return runs_result(&c, ret, "byte runs", f->ino);
}

int apfsi_fs_xattr_runs(apfsi_fs *fs, uint64_t ino, const char *name, apfsi_run_fn fn,
			void *arg, int *resident)
{
	struct run_ctx c = { .fn = fn, .arg = arg };
	bool res = false;
	int ret;

	apfsi_enter();
	if ((ret = apfsi_fs_check(fs, "apfsi_fs_xattr_runs")))
		return ret;
	if (!name || !fn || !resident)
		return apfsi_fail(APFSI_ERR_INVALID,
				  "apfsi_fs_xattr_runs: name, fn and resident are required");
	ret = apfs_fs_xattr_runs(fs->fs, ino, name, each, &c, &res);
	*resident = res;
	/* ENODATA: no such attribute (a truncated image's code is another). */
	if (ret == -ENODATA && !c.stopped)
		return apfsi_fail(APFSI_ERR_NOT_FOUND, "attribute '%s' of inode %llu: %s", name,
				  (unsigned long long)ino, apfsi_strerror(APFSI_ERR_NOT_FOUND));
	return runs_result(&c, ret, "byte runs of an extended attribute", ino);
}
