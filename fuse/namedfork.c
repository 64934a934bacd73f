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
#include <string.h>
#include <sys/stat.h>

#include "afuse.h"

#define FORK_SUFFIX ":rsrc"

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
static int fork_size(struct apfs_fs *fs, uint64_t ino, uint64_t *size)
{
	size_t got;
	int ret = apfs_fs_getxattr(fs, ino, APFS_XATTR_RESOURCE_FORK, 0, NULL, 0, &got, size);

	if (ret == -ENODATA) {
		*size = 0;
		return 0;
	}
	return ret;
}

int afuse_fork_stat(const char *base, struct apfs_stat *a, uint64_t *ino)
{
	struct apfs_fs *fs = afuse_get()->fs;
	int ret = afuse_resolve(base, ino);

	if (!ret)
		ret = apfs_fs_stat(fs, *ino, a);
	/* Only a file has a named fork; below a directory, "..namedfork" is a name. */
	if (!ret && !S_ISREG(a->mode))
		return 1;
	if (!ret)
		ret = fork_size(fs, *ino, &a->size);
	return ret;
}

int afuse_fork_read(uint64_t ino, char *buf, size_t size, off_t off)
{
	size_t got = 0;
	int ret;

	if (off < 0)
		return -EINVAL;
	ret = apfs_fs_getxattr(afuse_get()->fs, ino, APFS_XATTR_RESOURCE_FORK, (uint64_t)off,
			       buf, size, &got, NULL);
	if (ret == -ENODATA)
		return 0;
	return ret ? afuse_errno(ret) : (int)got;
}
