/* SPDX-License-Identifier: MIT */
/*
 * unstored.c - a file whose bytes are not all on disk, and a read gives
 * them as zeros (apfsi_file_unstored): an orphan's, a file deleted while
 * open, whose extents macOS frees as it deletes it (apfsck extents.c), or
 * a dataless file's, whose data is kept elsewhere.  cat, extract and the
 * digests of bodyfile and timeline say so on stderr, stat on a line of its
 * own, the mount's daemon where it logs (fuse/unstored.c), so that the
 * zeros are never taken for the file's bytes.
 */
#include <stdio.h>

#include "cmd_fs.h"

const char *fs_unstored_why(const struct apfsi_stat *st)
{
	return st->bsd_flags & APFSI_SF_DATALESS ? "a dataless file: its data is kept elsewhere" :
	       "deleted while open: macOS frees its extents as it deletes it";
}

void fs_unstored_note(const char *path, const struct apfsi_stat *st, uint64_t n)
{
	if (n)
		fprintf(stderr, "apfsinspect: warning: %s: %llu of its %llu bytes are not on disk (%s): "
			"they read as zeros\n", cli_safe_str(path), (unsigned long long)n,
			(unsigned long long)st->size, fs_unstored_why(st));
}
