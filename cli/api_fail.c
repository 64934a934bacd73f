/* SPDX-License-Identifier: MIT */
/*
 * api_fail.c - the file-system commands' error message and exit code
 * ("apfsinspect: WHAT: WHY", README "Exit codes"), for an errno from below
 * and for a library code (taken back to the errno the words were chosen by).
 */
#include <string.h>

#include "api_fs.h"
#include "util/err.h"

int cli_api_errno(int code)
{
	if (code < 0)  /* a callback's own -errno, handed back through the library */
		return code;
	switch (code) {
	case APFSI_OK: return 0;
	case APFSI_ERR_NOMEM: return -ENOMEM;
	case APFSI_ERR_TRUNCATED: return -APFS_ETRUNC;
	case APFSI_ERR_CORRUPT: return -APFS_ECORRUPT;
	case APFSI_ERR_NOT_APFS: return -APFS_ENOTAPFS;
	case APFSI_ERR_UNSUPPORTED: return -ENOTSUP;
	case APFSI_ERR_INVALID: return -EINVAL;
	case APFSI_ERR_NOT_FOUND: return -ENOENT;
	case APFSI_ERR_NOT_DIR: return -ENOTDIR;
	case APFSI_ERR_IS_DIR: return -EISDIR;
	case APFSI_ERR_LOOP: return -ELOOP;
	case APFSI_ERR_NAME_TOO_LONG: return -ENAMETOOLONG;
	case APFSI_ERR_LOCKED: return -APFS_ELOCKED;
	case APFSI_ERR_WRONG_CREDENTIAL: return -APFS_EREJECTED;
	case APFSI_ERR_HW_BOUND: return -APFS_EHWBOUND;
	case APFSI_ERR_NOT_LINK: return -EINVAL;
	case APFSI_ERR_CANCELLED: return -ECANCELED;
	case APFSI_ERR_INCOMPLETE: return -APFS_EINCOMPLETE;
	default: return -EIO;
	}
}

const char *cli_strerror(int err)
{
	return apfs_strerror(err);
}

int cli_errno(int e)
{
	return -apfs_os_errno(e);
}

int fs_fail(const char *what, int err)
{
	const char *why = err == -APFS_ECORRUPT ? "damaged file-system data (see above)" :
			  err == -ELOOP ? "not followed: a directory cycle or a directory listed "
					  "twice (see above)" :
			  err == -APFS_ELOCKED ? "on an encrypted volume that is locked (give a "
						 "credential to read it)" :
			  err == -APFS_EINCOMPLETE ? "entries may be missing (see above)" :
			  err == -APFS_ETRUNC ? "past the end of a truncated image (see above)" :
			  apfs_strerror(err);

	fprintf(stderr, "apfsinspect: %s: %s\n", cli_safe_str(what), why);
	return cli_exit_code(err);
}

int cli_api_fail(const char *what, int code)
{
	return fs_fail(what, cli_api_errno(code));
}
