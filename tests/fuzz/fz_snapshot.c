/* SPDX-License-Identifier: MIT */
/*
 * fz_snapshot.c - snapshots and seals: the snapshot metadata tree listed,
 * each snapshot found by name, its seal read, opened as a view, its tree
 * and file data checked against that seal and walked (fuzz_walk.c),
 * the seal read, the file-extent tree of a sealed volume iterated and its
 * live tree walked (headerless nodes, extents from the fext tree) and its
 * file data held to its hashes.  The
 * sealed seed is this target's alone: its 267 entries would slow fz_fs.
 * Input: a sparse image (fuzz_image.c).
 */
#include <stdlib.h>

#include "apfs/fs.h"
#include "tests/fuzz/fuzz.h"

static int count(const void *key, size_t klen, const void *val, size_t vlen, void *ctx)
{
	(void)key;
	(void)klen;
	(void)val;
	(void)vlen;
	return ++*(unsigned *)ctx > 4096;
}

static void seal(struct apfs_volume *v)
{
	struct apfs_seal s;
	struct apfs_btree_desc t;
	struct apfs_data_check d;
	struct apfs_fs *fs;
	uint8_t key[16] = { 0 };
	unsigned n = 0;

	if (apfs_volume_seal(v, &s))
		return;
	if (apfs_volume_fexttree(v, &t))
		apfs_btree_iterate(&t, key, sizeof(key), count, &n);
	if (apfs_fs_open(v, 0, &fs) == 0) {
		apfs_fs_seal_data_verify(fs, &d);
		fuzz_walk(fs, 0);
		apfs_fs_close(fs);
	}
}

static void volume(struct apfs_volume *v)
{
	struct apfs_snapshot *snaps = NULL, found;
	struct apfs_fs *fs;
	unsigned n = 0;

	seal(v);
	if (apfs_snapshot_list(v, &snaps, &n))
		return;
	for (unsigned i = 0; i < n && i < 8; i++) {
		struct apfs_seal s;
		struct apfs_data_check d;
		uint64_t nodes, bad;

		apfs_snapshot_find(v, snaps[i].name, &found);
		apfs_snapshot_seal(v, snaps[i].xid, &s, NULL);
		if (apfs_fs_open(v, snaps[i].xid, &fs) == 0) {
			apfs_fs_seal_verify(fs, &nodes, &bad);
			apfs_fs_seal_data_verify(fs, &d);
			fuzz_walk(fs, 0);
			apfs_fs_close(fs);
		}
	}
	free(snaps);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_image_volumes(data, size, volume);
	return 0;
}
