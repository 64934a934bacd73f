/* SPDX-License-Identifier: MIT */
/*
 * fz_group.c - the merged root of a volume group (apfs/fs_group.c): for
 * each container, every System volume in a group with the Data volume of
 * its group (unlocked when a generator password fits, else locked), the
 * firmlinks file read and applied, then the fs-tree walk with reads
 * (fuzz_walk.c) over the merged view and a walk's elsewhere question.
 * Input: a sparse image (fuzz_image.c).
 */
#include <string.h>

#include "apfs/fs.h"
#include "tests/fuzz/fuzz.h"

static const uint8_t zero_id[16];

static bool role_in_group(const struct apfs_volume *v, uint16_t role)
{
	return get_le16(v->sb.apfs_role) == role &&
	       memcmp(v->sb.apfs_volume_group_id, zero_id, 16) != 0;
}

static void merged(struct apfs_volume *sys, struct apfs_volume *data)
{
	struct apfs_fs *sfs, *dfs = NULL, *g;

	fuzz_try_unlock(data);
	if (apfs_fs_open(sys, 0, &sfs))
		return;
	if (apfs_fs_open(data, 0, &dfs))
		dfs = NULL;
	if (apfs_fs_open_group(sfs, dfs, &g))
		return;
	fuzz_walk(g, 0);
	apfs_fs_elsewhere(g, APFS_ROOT_DIR_INO_NUM, APFS_ROOT_DIR_INO_NUM, 16);
	apfs_fs_close(g);
}

static void container(struct apfs_container *c)
{
	struct apfs_volume *v[APFS_NX_MAX_FILE_SYSTEMS] = { 0 };

	for (unsigned i = 0; i < APFS_NX_MAX_FILE_SYSTEMS; i++)
		if (apfs_volume_open(c, i, &v[i]))
			v[i] = NULL;
	for (unsigned s = 0; s < APFS_NX_MAX_FILE_SYSTEMS; s++)
		for (unsigned d = 0; v[s] && d < APFS_NX_MAX_FILE_SYSTEMS; d++)
			if (v[d] && role_in_group(v[s], APFS_VOL_ROLE_SYSTEM) &&
			    role_in_group(v[d], APFS_VOL_ROLE_DATA) &&
			    !memcmp(v[s]->sb.apfs_volume_group_id, v[d]->sb.apfs_volume_group_id, 16))
				merged(v[s], v[d]);
	for (unsigned i = 0; i < APFS_NX_MAX_FILE_SYSTEMS; i++)
		if (v[i])
			apfs_volume_close(v[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct apfs_dev *dev;

	fuzz_quiet();
	dev = fuzz_image_dev(data, size);
	if (dev)
		fuzz_each_container(dev, container);
	fuzz_image_free(dev);
	return 0;
}
