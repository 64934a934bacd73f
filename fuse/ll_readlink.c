/* SPDX-License-Identifier: MIT */
/* ll_readlink.c - READLINK: a symbolic link's target as stored. */
#include "afuse.h"
#include "ll_ops.h"

void afuse_ll_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct afuse *af = afuse_get(req);
	char target[AFUSE_PATH_MAX];
	int ret = afuse_ino_is_fork(ino) ? APFSI_ERR_NOT_LINK :
		apfsi_fs_readlink(af->fs, afuse_ino_from_fuse(af, ino), target, sizeof(target));

	if (ret)
		fuse_reply_err(req, afuse_errno(ret));
	else
		fuse_reply_readlink(req, target);
}
