/* SPDX-License-Identifier: MIT */
/*
 * seal_check.c - apfsi_volume_verify_seal, apfsi_snapshot_verify_seal: every
 * node of a sealed volume's fs tree (live, or a snapshot's) against the
 * hash its parent holds, up to the root hash (apfs_fs_seal_verify), then
 * every file's data against the hashes the tree holds for it
 * (apfs_fs_seal_data_verify; docs/macos-boot.md §4).  A node or a run of
 * data that does not match was changed after Apple sealed the volume; the
 * layer below names it (a node by block, data by file and bytes).
 */
#include <string.h>

#include "fs_int.h"

/*
 * The seal as the integrity metadata records it (snapshot xid's, or the
 * live volume's at 0): NOT_FOUND when there is none.
 */
static int read_seal(struct apfsi_volume *vol, uint64_t xid, struct apfsi_seal_check *check)
{
	struct apfs_seal s;
	int ret = xid ? apfs_snapshot_seal(vol->v, xid, &s, NULL) : apfs_volume_seal(vol->v, &s);

	if (ret == -ENOENT && xid)
		return apfsi_fail(APFSI_ERR_NOT_FOUND, "volume '%s': snapshot %llu is not sealed, "
				  "or not there", vol->v->name, (unsigned long long)xid);
	if (ret == -ENOENT)
		return apfsi_fail(APFSI_ERR_NOT_FOUND, "volume '%s' is not sealed", vol->v->name);
	if (ret)
		return apfsi_fail_errno(ret, "volume seal");
	check->hash_name = s.hash_name;
	check->broken_xid = s.broken_xid;
	check->broken = s.broken_xid || (s.flags & APFS_SEAL_BROKEN);
	return APFSI_OK;
}

/* The file data of a view whose every node was read, against its hashes. */
static int verify_data(struct apfs_fs *fs, const char *name, struct apfsi_seal_check *check)
{
	struct apfs_data_check d;
	int ret = apfs_fs_seal_data_verify(fs, &d);

	check->data_files = d.files;
	check->data_hashes = d.hashes;
	check->data_mismatched = d.mismatched;
	check->data_unchecked = d.unchecked;
	check->data_uncovered = d.uncovered;
	check->data_strays = d.strays;
	/* the nodes' verdict and the hashes checked stand; what the walk left is not checked */
	if (ret) {
		apfs_warn("volume '%s': the walk over its file data's hashes stopped (%s): the rest "
			  "is not checked", name, apfs_strerror(ret));
		check->data_unchecked++;
	}
	return 0;
}

/* The state at xid (0: live) against its seal: its tree, then its file data. */
static int verify_state(apfsi_volume *vol, uint64_t xid, struct apfsi_seal_check *check)
{
	struct apfs_fs *fs = NULL;
	int ret;

	memset(check, 0, sizeof(*check));
	if ((ret = read_seal(vol, xid, check)) || check->broken)
		return ret;
	ret = apfs_fs_open(vol->v, xid, &fs);
	if (!ret)
		ret = apfs_fs_seal_verify(fs, &check->nodes, &check->mismatched);
	if (!ret)
		ret = verify_data(fs, vol->v->name, check);
	apfs_fs_close(fs);
	if (ret == -ENOENT)
		return apfsi_fail(APFSI_ERR_NOT_FOUND, "volume '%s': its seal has no hash to check "
				  "the fs tree against", vol->v->name);
	return ret ? apfsi_fail_errno(ret, vol->v->name) : APFSI_OK;
}

int apfsi_volume_verify_seal(apfsi_volume *vol, struct apfsi_seal_check *check)
{
	apfsi_enter();
	if (check)
		memset(check, 0, sizeof(*check));
	if (!vol || !check)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_volume_verify_seal: vol and check are "
				  "required");
	return verify_state(vol, 0, check);
}

int apfsi_snapshot_verify_seal(apfsi_volume *vol, uint64_t xid, struct apfsi_seal_check *check)
{
	apfsi_enter();
	if (check)
		memset(check, 0, sizeof(*check));
	if (!vol || !check || !xid)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_snapshot_verify_seal: vol, a snapshot's "
				  "xid and check are required");
	return verify_state(vol, xid, check);
}
