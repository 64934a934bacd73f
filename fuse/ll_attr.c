/* SPDX-License-Identifier: MIT */
/*
 * ll_attr.c - GETATTR: the attributes of an inode or of a file's named
 * fork, as a struct stat (stat.c), cached by the kernel for
 * AFUSE_CACHE_SECONDS since the volume never changes while mounted.
 */

#include "afuse.h"
#include "ll_ops.h"

/* The attributes of the kernel's inode ino: a library code. */
int afuse_stat_ino(struct afuse *af, fuse_ino_t ino, struct stat *st)
{
	struct apfsi_stat a;
	int ret;

	if (afuse_ino_is_fork(ino)) {
		ret = afuse_fork_stat(af, ino & ~AFUSE_FORK_BIT, &a);
		if (ret == 1)  /* no longer a file: cannot be, the image does not change */
			ret = APFSI_ERR_NOT_FOUND;
	} else {
		ret = apfsi_fs_stat(af->fs, afuse_ino_from_fuse(af, ino), &a);
	}
	if (!ret)
		afuse_fill_stat(af, &a, st);
	return ret;
}

void afuse_ll_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;
	int ret = afuse_stat_ino(afuse_get(req), ino, &st);

	(void)fi;
	if (ret)
		fuse_reply_err(req, afuse_errno(ret));
	else
		fuse_reply_attr(req, &st, AFUSE_CACHE_SECONDS);
}
