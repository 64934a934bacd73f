/* SPDX-License-Identifier: MIT */
/*
 * fz_container.c - partitions, container open (checkpoint choice), and
 * volume listing as `apfsinspect list` reads it: every volume slot, its
 * flags, role and seal.  Input: a sparse image (fuzz_image.c).
 */
#include "apfs/fs.h"
#include "tests/fuzz/fuzz.h"

static void volume(struct apfs_volume *v)
{
	struct apfs_seal s;

	apfs_volume_encrypted(v);
	apfs_volume_hw_encrypted(v);
	apfs_volume_case_insensitive(v);
	apfs_role_name(get_le16(v->sb.apfs_role));
	apfs_volume_seal(v, &s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_image_volumes(data, size, volume);
	return 0;
}
