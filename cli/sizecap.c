/* SPDX-License-Identifier: MIT */
/*
 * sizecap.c - the plausibility cap on a file's logical size, for the
 * commands whose work grows with it (cat, extract, bodyfile --md5): a size
 * an image claims costs time even where it holds no blocks (a hole still
 * has to be hashed or written out), so a claim beyond the cap is reported
 * and skipped unless --max-file-size says otherwise.
 */
#include <stdlib.h>

#include "cmd_fs.h"

/*
 * The plausibility cap on a file's logical size (README "Hostile images").
 * A dense file cannot be larger than its container; a sparse one can (a VM
 * disk or Docker.raw sized beyond the Mac's disk), but hashing its holes
 * costs time in proportion to the size claimed.  Four times the container
 * leaves room for every sparse file an honest Mac holds; the 64 GiB floor
 * covers small images of big disks' files (and the generator's 5 GiB
 * sparse file in a 16 MiB container) while bounding a lie such as 2^50
 * bytes to about a minute of hashing.
 */
#define CAP_FLOOR (64ull << 30)
#define CAP_TIMES 4

uint64_t fs_size_cap(const struct cli_opts *o, struct apfs_fs *fs)
{
	uint64_t bytes = apfs_fs_container_bytes(fs);

	if (o->max_file_size_set)
		return o->max_file_size ? o->max_file_size : UINT64_MAX;
	if (bytes > UINT64_MAX / CAP_TIMES)
		return UINT64_MAX;
	return bytes * CAP_TIMES > CAP_FLOOR ? bytes * CAP_TIMES : CAP_FLOOR;
}

int fs_over_cap(const char *path, const struct apfs_stat *st, uint64_t cap)
{
	if (st->size <= cap)
		return 0;
	fprintf(stderr, "apfsinspect: %s: logical size %llu bytes is beyond the plausibility cap "
		"of %llu bytes (inode %llu, %llu bytes allocated): skipped; --max-file-size "
		"SIZE|none overrides\n", cli_safe_str(path), (unsigned long long)st->size,
		(unsigned long long)cap, (unsigned long long)st->ino,
		(unsigned long long)st->alloced);
	return EXIT_ERROR;
}
