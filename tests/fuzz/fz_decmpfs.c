/* SPDX-License-Identifier: MIT */
/*
 * fz_decmpfs.c - decmpfs headers, chunk tables and chunks as files are read: the walk of fz_fs.c reading only compressed files (seeds: the compression scenario).
 * Input: a sparse image (fuzz_image.c).
 */
#include "apfs/fs.h"
#include "tests/fuzz/fuzz.h"

static void volume(struct apfs_volume *v)
{
	struct apfs_fs *fs;

	fuzz_try_unlock(v);
	if (apfs_fs_open(v, 0, &fs) == 0) {
		fuzz_walk(fs, FUZZ_WALK_COMPRESSED);
		apfs_fs_close(fs);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_image_volumes(data, size, volume);
	return 0;
}
