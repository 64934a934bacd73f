/* SPDX-License-Identifier: MIT */
/*
 * sizecap.c - the plausibility cap on a file's logical size, for the
 * commands whose work grows with it (cat, extract, bodyfile --md5): a size
 * an image claims costs time even where it holds no blocks (a hole still
 * has to be hashed or written out), so a claim beyond the cap is reported
 * and skipped unless --max-file-size says otherwise.
 */
#include <stdlib.h>

#include "api_fs.h"
#include "cmd_fs.h"

/* The cap itself is api_sizecap.c's cli_size_cap, shared with the commands on the library. */
uint64_t fs_size_cap(const struct cli_opts *o, apfsi_fs *fs)
{
	struct apfsi_fs_usage u;

	/* As cli_api_size_cap: an unreadable size counts as the largest. */
	if (apfsi_fs_usage(fs, &u))
		return cli_size_cap(o, UINT64_MAX);
	return cli_size_cap_blocks(o, u.blocks, u.block_size);
}

int fs_over_cap(const char *path, const struct apfsi_stat *st, uint64_t cap)
{
	if (st->size <= cap)
		return 0;
	fprintf(stderr, "apfsinspect: %s: logical size %llu bytes is beyond the plausibility cap "
		"of %llu bytes (inode %llu, %llu bytes allocated): skipped; --max-file-size "
		"SIZE|none overrides\n", cli_safe_str(path), (unsigned long long)st->size,
		(unsigned long long)cap, (unsigned long long)st->ino,
		(unsigned long long)st->allocated);
	return EXIT_ERROR;
}
