/* SPDX-License-Identifier: MIT */
/*
 * fs_usage.c - apfsi_fs_usage: the figures statfs(2) of a mount shows,
 * from the superblocks (no walk): the container's size and what its
 * volumes allocate, the volume's object counts.
 */
#include <string.h>

#include "util/bytes.h"
#include "fs_int.h"

static uint64_t objects_of(const struct apfs_volume *v)
{
	return get_le64(v->sb.apfs_num_files) + get_le64(v->sb.apfs_num_directories) +
	       get_le64(v->sb.apfs_num_symlinks) + get_le64(v->sb.apfs_num_other_fsobjects);
}

int apfsi_fs_usage(apfsi_fs *fs, struct apfsi_fs_usage *usage)
{
	const struct apfsi_image *img;
	const struct apfs_container *c;
	struct apfsi_volume *data;
	uint64_t used = 0;
	int ret;

	apfsi_enter();
	if ((ret = apfsi_fs_check(fs, "apfsi_fs_usage")))
		return ret;
	if (!usage)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_fs_usage: usage is required");
	img = fs->vol->img;
	c = fs->vol->v->c;
	/* Free: the container's blocks less what its volumes allocate (no spaceman walk). */
	for (unsigned i = 0; i < img->nvols; i++)
		if (img->vols[i].cidx == fs->vol->cidx)
			used += get_le64(img->vols[i].v->sb.apfs_fs_alloc_count);
	memset(usage, 0, sizeof(*usage));
	usage->block_size = c->block_size;
	usage->blocks = c->block_count;
	usage->free_blocks = used < c->block_count ? c->block_count - used : 0;
	usage->objects = objects_of(fs->vol->v);
	/* The Mac's root of a group shows the Data volume's objects too. */
	if (apfs_fs_is_group(fs->fs) && (data = apfsi_group_data(fs->vol)))
		usage->objects += objects_of(data->v);
	return APFSI_OK;
}
