/* SPDX-License-Identifier: MIT */
/*
 * fs.c - opening a view of a volume's file system, live or at a snapshot.
 * The view only holds the fs-tree descriptor, so it is immutable and safe
 * to share between threads.
 */
#include <stdlib.h>

#include "fs_int.h"

static bool vol_incompat(const struct apfs_volume *v, uint64_t bit)
{
	return (get_le64(v->sb.apfs_incompatible_features) & bit) != 0;
}

/**
 * apfs_fs_open - open a read-only view of a volume (see fs.h)
 */
int apfs_fs_open(struct apfs_volume *v, uint64_t snap_xid, struct apfs_fs **out)
{
	struct apfs_fs *fs;
	int ret = 0;

	if (apfs_volume_encrypted(v) && !v->xts) {
		apfs_err("volume '%s' is encrypted and locked", v->name);
		return -APFS_ELOCKED;
	}
	fs = calloc(1, sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	fs->v = v;
	fs->c = v->c;
	fs->bs = v->c->block_size;
	fs->ci = vol_incompat(v, APFS_INCOMPAT_CASE_INSENSITIVE);
	fs->hashed = fs->ci || vol_incompat(v, APFS_INCOMPAT_NORMALIZATION_INSENSITIVE);
	fs->snap_xid = snap_xid;
	apfs_volume_fstree(v, &fs->tree);
	if (snap_xid)
		ret = fs_snap_tree(v, snap_xid, &fs->tree);
	fs->tree.cmp = fs->hashed ? apfs_fs_key_cmp : fs_key_cmp_plain;
	if (ret) {
		free(fs);
		return ret;
	}
	*out = fs;
	return 0;
}

void apfs_fs_close(struct apfs_fs *fs)
{
	free(fs);
}

bool apfs_fs_case_insensitive(const struct apfs_fs *fs)
{
	return fs->ci;
}

bool apfs_fs_norm_insensitive(const struct apfs_fs *fs)
{
	return fs->hashed;
}
