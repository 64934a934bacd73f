/* SPDX-License-Identifier: MIT */
/*
 * outerr.c - output that cannot be written (a full disk, a closed pipe with
 * SIGPIPE ignored) ends the command with exit 1 and a message naming the
 * error, as coreutils' close_stdout does.  The walks (ls -R, bodyfile,
 * extract's manifest) test ferror() before each entry, so they stop at the
 * first failed write instead of walking on; a closed pipe with SIGPIPE at
 * its default ends the process by the signal, as it ends `ls` or `find`.
 */
#include <errno.h>
#include <string.h>

#include "clibase.h"

int cli_out_close(int ret)
{
	int err;

	errno = 0;
	if (!fflush(stdout) && !ferror(stdout))
		return ret;
	/* The buffer may have been dropped by an earlier failed write: one more try names why. */
	err = errno ? errno : EIO;
	fprintf(stderr, "apfsinspect: write error: %s\n", strerror(err));
	return EXIT_ERROR;
}
