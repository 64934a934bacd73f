/* SPDX-License-Identifier: MIT */
/*
 * xattr.c - an inode's extended attributes: their names and sizes, and
 * their values (embedded in the fs tree or in a data stream of their own).
 */
#include <string.h>

#include "fs_int.h"

struct list_ctx {
	apfsi_xattr_fn fn;
	void *arg;
	int stopped;      /* the caller's nonzero value */
};

static int each(const char *name, uint64_t size, void *ctx)
{
	struct list_ctx *l = ctx;

	l->stopped = l->fn(name, size, l->arg);
	return l->stopped ? 1 : 0;
}

/* What a listing that returned ret gives the caller: fn's nonzero, or its code. */
static int list_result(const struct list_ctx *l, int ret, uint64_t ino)
{
	int code;

	if (l->stopped)
		return l->stopped;
	code = apfsi_code(ret < 0 ? ret : 0);
	return code ? apfsi_fail(code, "attributes of inode %llu: %s", (unsigned long long)ino,
				 apfsi_strerror(code)) : APFSI_OK;
}

int apfsi_fs_listxattr(apfsi_fs *fs, uint64_t ino, unsigned flags, apfsi_xattr_fn fn, void *arg)
{
	struct list_ctx l = { fn, arg, 0 };
	int ret;

	apfsi_enter();
	if ((ret = apfsi_fs_check(fs, "apfsi_fs_listxattr")))
		return ret;
	if (!fn || (flags & ~(unsigned)APFSI_XATTR_HIDDEN))
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_fs_listxattr: fn required, flags 0x%x",
				  flags);
	ret = apfs_fs_listxattr(fs->fs, ino, flags & APFSI_XATTR_HIDDEN ? APFS_LIST_HIDDEN : 0,
				each, &l);
	return list_result(&l, ret, ino);
}

int apfsi_fs_xattrs_missing(apfsi_fs *fs, uint64_t ino, apfsi_xattr_fn fn, void *arg)
{
	struct list_ctx l = { fn, arg, 0 };
	int ret;

	apfsi_enter();
	if ((ret = apfsi_fs_check(fs, "apfsi_fs_xattrs_missing")))
		return ret;
	if (!fn)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_fs_xattrs_missing: fn required");
	ret = apfs_fs_listxattr(fs->fs, ino, APFS_LIST_MISSING, each, &l);
	return list_result(&l, ret, ino);
}

int apfsi_fs_getxattr(apfsi_fs *fs, uint64_t ino, const char *name, uint64_t off, void *buf,
		      size_t len, size_t *got, uint64_t *size)
{
	size_t n = 0;
	int ret, code;

	apfsi_enter();
	if ((ret = apfsi_fs_check(fs, "apfsi_fs_getxattr")))
		return ret;
	if (!name || (!buf && len))
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_fs_getxattr: name and buf are required");
	ret = apfs_fs_getxattr(fs->fs, ino, name, off, buf, len, &n, size);
	if (got)
		*got = n;  /* with an error, the bytes before it (every byte is evidence) */
	if (!ret)
		return APFSI_OK;
	/* ENODATA: no such attribute (a truncated image's code is another). */
	code = ret == -ENODATA ? APFSI_ERR_NOT_FOUND : apfsi_code(ret);
	return apfsi_fail(code, "attribute '%s' of inode %llu: %s", name,
			  (unsigned long long)ino, apfsi_strerror(code));
}
