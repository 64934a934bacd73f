/* SPDX-License-Identifier: MIT */
/*
 * group_view.c - what a volume group's merged root (the Mac's root) tells
 * of its objects: firmlinks and their targets, the volume an object lives
 * on, and the directories a walk meets twice (apfs/fs_group.c does the work).
 */
#include "fs_int.h"

int apfsi_fs_is_group(const apfsi_fs *fs)
{
	return fs && apfs_fs_is_group(fs->fs);
}

int apfsi_fs_firmlink(apfsi_fs *fs, uint64_t ino, char *buf, size_t cap)
{
	int ret;

	apfsi_enter();
	if ((ret = apfsi_fs_check(fs, "apfsi_fs_firmlink")))
		return ret;
	if (!buf || !cap)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_fs_firmlink: no buffer");
	ret = apfs_fs_firmlink(fs->fs, ino, buf, cap);
	return ret ? apfsi_fail(apfsi_code(ret), "firmlink of inode %llu: %s",
				(unsigned long long)ino, apfsi_strerror(apfsi_code(ret))) : APFSI_OK;
}

/* The handle of the group's volume v (the view's own or its group's Data volume). */
static struct apfsi_volume *handle_of(struct apfsi_fs *fs, const struct apfs_volume *v)
{
	struct apfsi_volume *data;

	if (fs->vol->v == v)
		return fs->vol;
	data = apfsi_group_data(fs->vol);
	return data && data->v == v ? data : NULL;
}

int apfsi_fs_origin(apfsi_fs *fs, uint64_t ino, apfsi_volume **vol, uint64_t *vol_ino)
{
	const struct apfs_volume *v;
	uint64_t own;
	int ret;

	apfsi_enter();
	if ((ret = apfsi_fs_check(fs, "apfsi_fs_origin")))
		return ret;
	if (!vol || !vol_ino)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_fs_origin: vol and vol_ino are required");
	*vol = NULL;
	ret = apfs_fs_origin(fs->fs, ino, &v, &own);
	if (ret)
		return apfsi_fail(apfsi_code(ret), "volume of inode %llu: %s",
				  (unsigned long long)ino, apfsi_strerror(apfsi_code(ret)));
	if (!(*vol = handle_of(fs, v)))
		return apfsi_fail(APFSI_ERR_NOT_FOUND, "volume of inode %llu: not in this image",
				  (unsigned long long)ino);
	*vol_ino = own;
	return APFSI_OK;
}

int apfsi_fs_elsewhere(apfsi_fs *fs, uint64_t walk_root, uint64_t parent, uint64_t ino)
{
	return fs && apfs_fs_elsewhere(fs->fs, walk_root, parent, ino);
}
