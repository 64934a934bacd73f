/* SPDX-License-Identifier: MIT */
/*
 * context.c - what every request's handler starts from: the mount's
 * state, and the errno it replies for a library code.
 */
#include <errno.h>

#include "afuse.h"

struct afuse *afuse_get(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

int afuse_errno(int code)
{
	switch (code) {
	case APFSI_OK: return 0;
	case APFSI_ERR_NOT_FOUND: return ENOENT;
	case APFSI_ERR_NOT_DIR: return ENOTDIR;
	case APFSI_ERR_IS_DIR: return EISDIR;
	case APFSI_ERR_NAME_TOO_LONG: return ENAMETOOLONG;
	case APFSI_ERR_NOMEM: return ENOMEM;
	case APFSI_ERR_INVALID:
	case APFSI_ERR_NOT_LINK: return EINVAL;
	case APFSI_ERR_UNSUPPORTED: return EOPNOTSUPP;
	/* a directory entry that is not the directory's own: a cycle */
	case APFSI_ERR_LOOP: return ELOOP;
	/* a volume group's Data volume, not unlocked */
	case APFSI_ERR_LOCKED: return EACCES;
	/* corrupt, bad checksum, truncated image, I/O: the file is unreadable */
	default: return EIO;
	}
}
