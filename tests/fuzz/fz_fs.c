/* SPDX-License-Identifier: MIT */
/*
 * fz_fs.c - the fs-tree walk with reads: every directory listed, every inode stat'ed and looked up by name, every xattr and file read (fuzz_walk.c), on every volume, unlocked when a generator password fits.
 * Input: a sparse image (fuzz_image.c).
 */
#include "apfs/fs.h"
#include "tests/fuzz/fuzz.h"

static void volume(struct apfs_volume *v)
{
	struct apfs_fs *fs;

	fuzz_try_unlock(v);
	if (apfs_fs_open(v, 0, &fs) == 0) {
		fuzz_walk(fs, 0);
		apfs_fs_close(fs);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_image_volumes(data, size, volume);
	return 0;
}
