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
 * user.apfs.added (the entry a path to the inode ends in: a hard link's
 * first name).  Like the hidden names they are read by name only, never listed, so
 * the listing stays the image's own and copying tools do not copy them; they
 * stand in front of an image xattr of the same name (none on a real Mac:
 * macOS names have no "user." namespace).
 *
 * A resource fork (namedfork.c) has no attributes of its own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "afuse.h"

/* Linux's XATTR_SIZE_MAX and XATTR_LIST_MAX (linux/limits.h). */
#define AFUSE_XATTR_SIZE_MAX 65536
#define AFUSE_XATTR_LIST_MAX 65536

#define AFUSE_XATTR_CRTIME "user.apfs.crtime"
#define AFUSE_XATTR_ADDED "user.apfs.added"

/* The attribute that holds a file's resource fork (and some compressed files' data). */
#define AFUSE_XATTR_RSRC "com.apple.ResourceFork"

/*
 * A path for date_added: Linux's XATTR_SIZE_MAX-sized, far past PATH_MAX;
 * an inode deeper than that has its date read as ENAMETOOLONG.
 */
#define AFUSE_ADDED_PATH_MAX 65536

/* The date added of inode ino, from its directory entry (0: none, the root's). */
static int date_added(apfsi_fs *fs, uint64_t ino, int64_t *added)
{
	char *path = malloc(AFUSE_ADDED_PATH_MAX), name[AFUSE_PATH_MAX + 1];
	struct apfsi_dirent d;
	int ret = path ? apfsi_fs_path(fs, ino, path, AFUSE_ADDED_PATH_MAX) : APFSI_ERR_NOMEM;

	if (!ret)
		ret = apfsi_fs_lookup(fs, path, &d, name, sizeof(name));
	free(path);
	/* A path that leads elsewhere (a damaged or colliding name) gives no date, not another's. */
	if (!ret && d.ino != ino)
		ret = APFSI_ERR_NOT_FOUND;
	*added = ret ? 0 : d.date_added;
	return ret;
}

/* The time an xattr of ours names (ns since 1970), of inode ino: 0 or a negative errno. */
static int our_time(apfsi_fs *fs, uint64_t ino, const char *name, uint64_t *ns)
{
	struct apfsi_stat st;
	int64_t added;
	int ret;

	*ns = 0;
	/* the date added lives in the directory entry: the root's has none */
	if (!strcmp(name, AFUSE_XATTR_ADDED)) {
		/* an inode whose entry cannot be found again has no date to give, not an error */
		if ((ret = date_added(fs, ino, &added)))
			return ret == APFSI_ERR_NOMEM ? -ENOMEM : -ENODATA;
		*ns = (uint64_t)added;
		return added ? 0 : -ENODATA;
	}
	if ((ret = apfsi_fs_stat(fs, ino, &st)))
		return -afuse_errno(ret);
	*ns = (uint64_t)st.crtime;
	return 0;
}

/* user.apfs.crtime, user.apfs.added: a time as text, with getxattr's size protocol. */
static int time_xattr(apfsi_fs *fs, uint64_t ino, const char *name, char *buf, size_t size)
{
	char text[32];
	uint64_t ns;
	int n, ret = our_time(fs, ino, name, &ns);

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

/* The value's length (size 0) or the value into buf: its length or a negative errno. */
static int get_value(apfsi_fs *fs, uint64_t ino, const char *name, char *buf, size_t size)
{
	size_t got = 0;
	uint64_t full = 0;
	int ret;

	if (!strcmp(name, AFUSE_XATTR_CRTIME) || !strcmp(name, AFUSE_XATTR_ADDED))
		return time_xattr(fs, ino, name, buf, size);
	ret = apfsi_fs_getxattr(fs, ino, name, 0, size ? buf : NULL, size, &got, &full);
	if (ret == APFSI_ERR_NOT_FOUND)
		return -ENODATA;
	if (ret)
		return -afuse_errno(ret);
	if (full > AFUSE_XATTR_SIZE_MAX)
		return -E2BIG;
	if (!size)
		return (int)full;
	if (full > size)
		return -ERANGE;
	return got == full ? (int)got : -EIO;
}

/* GETXATTR's and LISTXATTR's reply: n (a negative errno, or a length, or bytes of buf). */
static void reply_xattr(fuse_req_t req, int n, const char *buf, size_t size)
{
	if (n < 0)
		fuse_reply_err(req, -n);
	else if (!size)
		fuse_reply_xattr(req, (size_t)n);
	else
		fuse_reply_buf(req, buf, (size_t)n);
}

void afuse_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	struct afuse *af = afuse_get(req);
	char *buf = size ? malloc(size) : NULL;
	int n;

	if (size && !buf)
		n = -ENOMEM;
	else if (afuse_ino_is_fork(ino))
		n = -ENODATA;
	else
		n = get_value(af->fs, afuse_ino_from_fuse(af, ino), name, buf, size);
	reply_xattr(req, n, buf, size);
	free(buf);
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

/* The list's length (size 0) or the list into buf: its length or a negative errno. */
static int list_names(apfsi_fs *fs, uint64_t ino, char *buf, size_t size)
{
	struct list_ctx l = { .buf = size ? buf : NULL, .size = size };
	struct apfsi_stat st;
	int ret;

	ret = apfsi_fs_stat(fs, ino, &st);
	if (!ret) {
		l.hide_rsrc = rsrc_compressed(st.compression);
		ret = apfsi_fs_listxattr(fs, ino, 0, list_one, &l);
	}
	/* list_one's own stops: errnos, negative, never one of the library's codes */
	if (ret == -ERANGE || ret == -E2BIG)
		return ret;
	if (ret)
		return -afuse_errno(ret);
	return (int)l.used;
}

void afuse_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	struct afuse *af = afuse_get(req);
	char *buf = size ? malloc(size) : NULL;
	int n;

	if (size && !buf)
		n = -ENOMEM;
	else if (afuse_ino_is_fork(ino))
		n = 0;
	else
		n = list_names(af->fs, afuse_ino_from_fuse(af, ino), buf, size);
	reply_xattr(req, n, buf, size);
	free(buf);
}
