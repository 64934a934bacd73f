/* SPDX-License-Identifier: MIT */
/*
 * xattr.c - extended attributes through FUSE, with Linux's size protocol:
 * size 0 asks for the length; a buffer too small gets ERANGE; values and
 * lists beyond the kernel's limits get E2BIG, as getxattr(2) documents.
 *
 * Names are APFS's own ("com.apple.ResourceFork", "com.example.note"):
 * FUSE accepts names outside Linux's user./trusted. namespaces, so
 * `getfattr -d -m - FILE` shows them.  Like macOS, the listing hides
 * com.apple.decmpfs and com.apple.fs.* (the library's default) and, for a
 * file compressed into its resource fork, com.apple.ResourceFork too (it
 * holds the compressed chunks, not a fork of the user's).  Asking for one by
 * its exact name still reads it, which an analyst may want.
 *
 * The creation time, which stat(2) through FUSE cannot carry (libfuse 3
 * has no statx), reads as the xattr user.apfs.crtime: decimal seconds since
 * 1970 UTC, '.', nine digits of nanoseconds ("1767225601.100000001"), no
 * newline; the date added (from the directory entry) likewise as
 * user.apfs.added.  Like the hidden names they are read by name only, never listed, so
 * the listing stays the image's own and copying tools do not copy them; they
 * stand in front of an image xattr of the same name (none on a real Mac:
 * macOS names have no "user." namespace).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "afuse.h"

/* Linux's XATTR_SIZE_MAX and XATTR_LIST_MAX (linux/limits.h). */
#define AFUSE_XATTR_SIZE_MAX 65536
#define AFUSE_XATTR_LIST_MAX 65536

#define AFUSE_XATTR_CRTIME "user.apfs.crtime"
#define AFUSE_XATTR_ADDED "user.apfs.added"

/* The attribute that holds a file's resource fork (and some compressed files' data). */
#define AFUSE_XATTR_RSRC "com.apple.ResourceFork"

/* The time an xattr of ours names (ns since 1970), from the entry of path: an errno. */
static int our_time(const char *path, const char *name, uint64_t *ns)
{
	struct apfsi_stat st;
	int ret = apfsi_fs_stat_path(afuse_get()->fs, path, &st);

	*ns = 0;
	if (ret)
		return afuse_errno(ret);
	/* the date added lives in the directory entry: the root's has none */
	if (!strcmp(name, AFUSE_XATTR_ADDED)) {
		*ns = (uint64_t)st.added;
		return st.added ? 0 : -ENODATA;
	}
	*ns = (uint64_t)st.crtime;
	return 0;
}

/* user.apfs.crtime, user.apfs.added: a time as text, with getxattr's size protocol. */
static int time_xattr(const char *path, const char *name, char *buf, size_t size)
{
	char text[32];
	uint64_t ns;
	int n, ret = our_time(path, name, &ns);

	if (ret)
		return ret;
	n = snprintf(text, sizeof(text), "%llu.%09u", (unsigned long long)(ns / 1000000000u),
		     (unsigned)(ns % 1000000000u));
	if (!size)
		return n;
	if ((size_t)n > size)
		return -ERANGE;
	memcpy(buf, text, (size_t)n);
	return n;
}

int afuse_getxattr(const char *path, const char *name, char *buf, size_t size)
{
	apfsi_fs *fs = afuse_get()->fs;
	struct apfsi_stat st;
	size_t got = 0;
	uint64_t full = 0;
	int ret;

	if (!strcmp(name, AFUSE_XATTR_CRTIME) || !strcmp(name, AFUSE_XATTR_ADDED))
		return time_xattr(path, name, buf, size);
	ret = apfsi_fs_stat_path(fs, path, &st);
	if (ret)
		return afuse_errno(ret);
	ret = apfsi_fs_getxattr(fs, st.ino, name, 0, size ? buf : NULL, size, &got, &full);
	if (ret == APFSI_ERR_NOT_FOUND)
		return -ENODATA;
	if (ret)
		return afuse_errno(ret);
	if (full > AFUSE_XATTR_SIZE_MAX)
		return -E2BIG;
	if (!size)
		return (int)full;
	if (full > size)
		return -ERANGE;
	return got == full ? (int)got : -EIO;
}

struct list_ctx {
	char *buf;     /* NULL: count only */
	size_t size;
	size_t used;
	bool hide_rsrc;
};

/*
 * decmpfs types whose compressed data lives in the resource fork: zlib 4,
 * lzvn 8, uncompressed 10, lzfse 12, lzbitmap 14 (apfs-format.md §8.2; the
 * public stat's compression is the type as stored).
 */
static bool rsrc_compressed(uint32_t type)
{
	switch (type) {
	case 4: case 8: case 10: case 12: case 14:
		return true;
	default:
		return false;
	}
}

static int list_one(const char *name, uint64_t vsize, void *arg)
{
	struct list_ctx *l = arg;
	size_t len = strlen(name) + 1;

	(void)vsize;
	if (l->hide_rsrc && !strcmp(name, AFUSE_XATTR_RSRC))
		return 0;
	if (len > AFUSE_XATTR_LIST_MAX - l->used)
		return -E2BIG;
	if (l->buf) {
		if (len > l->size - l->used)
			return -ERANGE;
		memcpy(l->buf + l->used, name, len);
	}
	l->used += len;
	return 0;
}

int afuse_listxattr(const char *path, char *buf, size_t size)
{
	struct list_ctx l = { .buf = size ? buf : NULL, .size = size };
	apfsi_fs *fs = afuse_get()->fs;
	struct apfsi_stat st;
	int ret;

	ret = apfsi_fs_stat_path(fs, path, &st);
	if (!ret) {
		l.hide_rsrc = rsrc_compressed(st.compression);
		ret = apfsi_fs_listxattr(fs, st.ino, 0, list_one, &l);
	}
	/* list_one's own stops: errnos, negative, never one of the library's codes */
	if (ret == -ERANGE || ret == -E2BIG)
		return ret;
	if (ret)
		return afuse_errno(ret);
	return (int)l.used;
}
