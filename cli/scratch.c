/* SPDX-License-Identifier: MIT */
/*
 * scratch.c - the scratch stream (clibase.h): what one entry of a listing
 * writes to memory before it is known whole (DFXML's byte runs) or laid
 * out (a JSON line), in one stream kept for the whole listing.  glibc's
 * open_memstream zeroes a new buffer each time, which was 27 % of a DFXML
 * walk's instructions and 12 % of a JSON-lines one's (20,000 files,
 * callgrind).
 */
#include <errno.h>
#include <stdio_ext.h>
#include <stdlib.h>

#include "clibase.h"

static _Thread_local struct scratch {
	FILE *m;
	char *buf;
	size_t len;
} mem;

FILE *cli_scratch_begin(void)
{
	if (!mem.m) {
		if (!(mem.m = open_memstream(&mem.buf, &mem.len)))
			return NULL;
		/* one thread writes it: no lock per character (glibc) */
		__fsetlocking(mem.m, FSETLOCKING_BYCALLER);
	}
	clearerr(mem.m);  /* an entry that failed before (out of memory) fails no later one */
	return fseeko(mem.m, 0, SEEK_SET) ? NULL : mem.m;
}

int cli_scratch_end(const char **out, size_t *len)
{
	off_t n;

	if (fflush(mem.m) || (n = ftello(mem.m)) < 0)
		return -ENOMEM;
	*out = mem.buf;
	*len = (size_t)n;
	return 0;
}

void cli_scratch_free(void)
{
	if (mem.m)
		fclose(mem.m);
	free(mem.buf);
	mem = (struct scratch){ 0 };
}
