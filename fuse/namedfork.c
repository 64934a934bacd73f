/* SPDX-License-Identifier: MIT */
/*
 * namedfork.c - a file's resource fork in the mount: `NAME:rsrc`, a
 * read-only regular file holding the value of the xattr
 * com.apple.ResourceFork (empty when there is none, as macOS's
 * NAME/..namedfork/rsrc is).
 *
 * Not macOS's own spelling: Linux walks a path only through directories
 * (link_path_walk fails with ENOTDIR at a regular file before FUSE is
 * asked), so no Linux mount can serve NAME/..namedfork/rsrc.  A suffix, as
 * hfsfuse's rsrc_ext option does, is what a Linux mount can offer.  The
 * name is never listed, only looked up; an entry of the image that really
 * is called NAME:rsrc comes first.  The fork is read as stored: for a file
 * compressed into its resource fork, the compressed chunks (macOS hides
 * those; an analyst may want them).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "afuse.h"

#define FORK_SUFFIX ":rsrc"
#define FORK_XATTR "com.apple.ResourceFork"

bool afuse_fork_base(const char *path, char *base, size_t cap)
{
	size_t n = strlen(path), s = strlen(FORK_SUFFIX);

	if (n <= s || strcmp(path + n - s, FORK_SUFFIX) || n - s >= cap)
		return false;
	memcpy(base, path, n - s);
	base[n - s] = '\0';
	return true;
}

/* The fork's size: 0 when the file has none. */
static int fork_size(apfsi_fs *fs, uint64_t ino, uint64_t *size)
{
	int ret = apfsi_fs_getxattr(fs, ino, FORK_XATTR, 0, NULL, 0, NULL, size);

	if (ret == APFSI_ERR_NOT_FOUND) {
		*size = 0;
		return APFSI_OK;
	}
	return ret;
}

int afuse_fork_stat(const char *base, struct apfsi_stat *a)
{
	apfsi_fs *fs = afuse_get()->fs;
	int ret = apfsi_fs_stat_path(fs, base, a);

	/* Only a file has a named fork; below a directory, "..namedfork" is a name. */
	if (!ret && !S_ISREG(a->mode))
		return 1;
	if (!ret)
		ret = fork_size(fs, a->ino, &a->size);
	return ret;
}

int afuse_fork_read(uint64_t ino, char *buf, size_t size, off_t off)
{
	size_t got = 0;
	int ret;

	if (off < 0)
		return -EINVAL;
	ret = apfsi_fs_getxattr(afuse_get()->fs, ino, FORK_XATTR, (uint64_t)off, buf, size, &got,
				NULL);
	if (ret == APFSI_ERR_NOT_FOUND)
		return 0;
	return ret ? afuse_errno(ret) : (int)got;
}
