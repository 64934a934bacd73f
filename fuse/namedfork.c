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
 *
 * Its node id is the file's number with AFUSE_FORK_BIT (ino.c), so the
 * fork needs no table either; its st_ino is the file's own.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "afuse.h"

#define FORK_SUFFIX ":rsrc"
#define FORK_XATTR "com.apple.ResourceFork"

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

int afuse_fork_stat(struct afuse *af, uint64_t ino, struct apfsi_stat *a)
{
	int ret = apfsi_fs_stat(af->fs, ino, a);

	/* Only a file has a named fork. */
	if (!ret && !S_ISREG(a->mode))
		return 1;
	if (!ret)
		ret = fork_size(af->fs, a->ino, &a->size);
	a->nlink = 1;
	return ret;
}

int afuse_fork_lookup(struct afuse *af, uint64_t dir, const char *name, struct stat *st)
{
	size_t n = strlen(name), s = strlen(FORK_SUFFIX);
	char base[AFUSE_PATH_MAX + 1], stored[AFUSE_PATH_MAX + 1];
	struct apfsi_dirent d;
	struct apfsi_stat a;
	int ret;

	if (n <= s || strcmp(name + n - s, FORK_SUFFIX) || n - s >= sizeof(base))
		return 1;
	memcpy(base, name, n - s);
	base[n - s] = '\0';
	/* ".:rsrc", "..:rsrc": no file's fork, as for any other name not there */
	if (afuse_bad_name(base))
		return 1;
	ret = apfsi_fs_lookup_at(af->fs, dir, base, &d, stored, sizeof(stored));
	/* the file's number with the fork bit must stay its own (ino.c) */
	if (!ret && !afuse_ino_ok(d.ino))
		ret = APFSI_ERR_CORRUPT;
	if (!ret)
		ret = afuse_fork_stat(af, d.ino, &a);
	if (!ret)
		afuse_fill_stat(af, &a, st);
	return ret;
}

int afuse_fork_read(struct afuse *af, uint64_t ino, char *buf, size_t size, off_t off)
{
	size_t got = 0;
	int ret;

	if (off < 0)
		return -EINVAL;
	ret = apfsi_fs_getxattr(af->fs, ino, FORK_XATTR, (uint64_t)off, buf, size, &got, NULL);
	if (ret == APFSI_ERR_NOT_FOUND)
		return 0;
	return ret ? -afuse_errno(ret) : (int)got;
}
