/* SPDX-License-Identifier: MIT */
/* ll_statfs.c - STATFS: the container's blocks and the volume's objects, read once at mount. */
#include <string.h>
#include <sys/statvfs.h>

#include "afuse.h"
#include "ll_ops.h"

void afuse_ll_statfs(fuse_req_t req, fuse_ino_t ino)
{
	const struct apfsi_fs_usage *u = &afuse_get(req)->usage;
	struct statvfs st;

	(void)ino;
	memset(&st, 0, sizeof(st));
	st.f_bsize = u->block_size;
	st.f_frsize = u->block_size;
	st.f_blocks = u->blocks;
	st.f_bfree = u->free_blocks;
	st.f_bavail = u->free_blocks;
	/* APFS allocates inodes from free space: no fixed table to run out of. */
	st.f_files = u->objects + u->free_blocks;
	st.f_ffree = u->free_blocks;
	st.f_favail = u->free_blocks;
	st.f_namemax = 255;
	fuse_reply_statfs(req, &st);
}
