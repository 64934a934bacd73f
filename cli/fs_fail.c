/* SPDX-License-Identifier: MIT */
/*
 * fs_fail.c - the file-system commands' error message and exit code.
 */
#include <string.h>

#include "cmd_fs.h"

int fs_fail(const char *what, int err)
{
	const char *why = err == -APFS_ECORRUPT ? "damaged file-system data (see above)" :
			  err == -ELOOP ? "not followed: a directory cycle or a directory listed "
					  "twice (see above)" :
			  err == -APFS_ELOCKED ? "on an encrypted volume that is locked (give a "
						 "credential to read it)" : strerror(-err);

	fprintf(stderr, "apfsinspect: %s: %s\n", cli_safe_str(what), why);
	return cli_exit_code(err);
}
