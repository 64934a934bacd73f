/* SPDX-License-Identifier: MIT */
/*
 * list_facts.c - what `list` reports of volumes, groups and partitions,
 * shared by its text (cmd_list.c) and -plist (cmd_list_plist.c) writers.
 */
#include <string.h>

#include "group.h"
#include "list.h"

uint64_t list_vol_bytes(const struct apfs_volume *v)
{
	return get_le64(v->sb.apfs_fs_alloc_count) * v->c->block_size;
}

/*
 * Hardware encryption, TSK's rule (docs/macos-boot.md §5): an encrypted
 * volume in a container without NX_CRYPTO_SW is encrypted by the
 * hardware, as are per-file keys.
 */
bool list_hw_encrypted(const struct apfs_volume *v)
{
	return apfs_volume_hw_encrypted(v) ||
	       (apfs_volume_encrypted(v) && !(get_le64(v->c->nx.nx_flags) & APFS_NX_CRYPTO_SW));
}

/* Roles in the order diskutil apfs listVolumeGroups shows them: System, then Data. */
static unsigned role_rank(const struct apfs_volume *v)
{
	uint16_t r = get_le16(v->sb.apfs_role);

	return r == APFS_VOL_ROLE_SYSTEM ? 0 : r == APFS_VOL_ROLE_DATA ? 1 : 2;
}

unsigned list_group_members(const struct cli_image *img, unsigned ci, const uint8_t g[16],
			    const struct cli_volume **out)
{
	unsigned n = 0;

	for (unsigned rank = 0; rank < 3; rank++)
		for (unsigned i = 0; i < img->nvols; i++) {
			const struct cli_volume *cv = &img->vols[i];

			if (cv->cidx == ci && cli_in_group(cv->v) && role_rank(cv->v) == rank &&
			    !memcmp(cv->v->sb.apfs_volume_group_id, g, 16))
				out[n++] = cv;
		}
	return n;
}

unsigned list_groups(const struct cli_image *img, unsigned ci,
		     uint8_t out[APFS_NX_MAX_FILE_SYSTEMS][16])
{
	unsigned n = 0;

	for (unsigned i = 0; i < img->nvols; i++) {
		const struct apfs_volume *v = img->vols[i].v;
		bool seen = false;

		if (img->vols[i].cidx != ci || !cli_in_group(v))
			continue;
		for (unsigned k = 0; k < n && !seen; k++)
			seen = !memcmp(out[k], v->sb.apfs_volume_group_id, 16);
		if (!seen && n < APFS_NX_MAX_FILE_SYSTEMS)
			memcpy(out[n++], v->sb.apfs_volume_group_id, 16);
	}
	return n;
}

const struct apfs_part *list_part_of(const struct cli_image *img, const struct apfs_container *c)
{
	for (unsigned i = 0; i < img->nparts; i++)
		if (img->parts[i].offset == c->offset)
			return &img->parts[i];
	return NULL;
}
