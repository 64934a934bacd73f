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

/* The errno of the first failed write to stdout that a writer noted (cli_out_note). */
static int noted;

void cli_out_note(void)
{
	if (!noted && ferror(stdout))
		noted = errno ? errno : EIO;
}

int cli_out_close(int ret)
{
	int err;

	errno = 0;
	if (!fflush(stdout) && !ferror(stdout))
		return ret;
	/*
	 * One more try names why, where the failed write left bytes behind;
	 * glibc drops a buffer it could not write, and a line written whole
	 * with its last write leaves none: then the errno a writer noted.
	 */
	err = errno ? errno : noted ? noted : EIO;
	fprintf(stderr, "apfsinspect: write error: %s\n", strerror(err));
	return EXIT_ERROR;
}
