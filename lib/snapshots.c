/* SPDX-License-Identifier: MIT */
/*
 * snapshots.c - a volume's snapshots, read once on first use (the snapshot
 * metadata tree) and kept with the volume, oldest first.
 */
#include <stdlib.h>
#include <string.h>

#include "fs_int.h"

/* The list, loaded under the volume's lock the first time it is asked for. */
static int load(struct apfsi_volume *vol)
{
	int ret = 0;

	pthread_mutex_lock(&vol->lock);
	if (!vol->snaps_loaded) {
		ret = apfs_snapshot_list(vol->v, &vol->snaps, &vol->nsnaps);
		vol->snaps_loaded = !ret;
	}
	pthread_mutex_unlock(&vol->lock);
	return ret ? apfsi_fail_errno(ret, "snapshot metadata") : APFSI_OK;
}

int apfsi_volume_snapshot_count(apfsi_volume *vol, unsigned *n)
{
	char why[512];
	int ret;

	apfsi_enter();
	if (!vol || !n)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_volume_snapshot_count: vol and n are "
				  "required");
	ret = load(vol);
	*n = ret ? 0 : vol->nsnaps;
	/*
	 * Said in the call's message, not logged: the caller that lists them
	 * says it.  Its own words, not the first error loading logged (named
	 * already: a record left out), which apfsi_fail would take instead.
	 */
	if (!ret && apfs_snapshot_short(vol->v, vol->nsnaps, why, sizeof(why))) {
		apfsi_enter();
		return apfsi_fail(APFSI_ERR_INCOMPLETE, "%s", why);
	}
	return ret;
}

int apfsi_volume_snapshot(apfsi_volume *vol, unsigned i, struct apfsi_snapshot_info *info)
{
	const struct apfs_snapshot *s;
	int ret;

	apfsi_enter();
	if (!vol || !info)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_volume_snapshot: vol and info are "
				  "required");
	if ((ret = load(vol)))
		return ret;
	if (i >= vol->nsnaps)
		return apfsi_fail(APFSI_ERR_NOT_FOUND, "snapshot %u: the volume has %u", i,
				  vol->nsnaps);
	s = &vol->snaps[i];
	memset(info, 0, sizeof(*info));
	info->xid = s->xid;
	info->create_time = (int64_t)s->create_time;
	info->change_time = (int64_t)s->change_time;
	info->name = s->name;
	return APFSI_OK;
}

/* A snapshot by exact name, or by xid in decimal or 0x-hex (apfs_snapshot_find's rules). */
int apfsi_snapshot_xid(struct apfsi_volume *vol, const char *sel, uint64_t *xid)
{
	uint64_t x;
	bool by_xid = apfs_xid_parse(sel, &x);
	int ret = load(vol);

	if (ret)
		return ret;
	for (unsigned i = 0; i < vol->nsnaps; i++)
		if (!strcmp(vol->snaps[i].name, sel) || (by_xid && vol->snaps[i].xid == x)) {
			*xid = vol->snaps[i].xid;
			return APFSI_OK;
		}
	if (apfs_snapshot_counted(vol->v, vol->nsnaps))
		return apfsi_fail(APFSI_ERR_INCOMPLETE, "no snapshot '%s' among those the snapshot "
				  "metadata tree of volume '%s' holds, which lacks some it counts",
				  sel, vol->v->name);
	return apfsi_fail(APFSI_ERR_NOT_FOUND, "no snapshot '%s' on volume '%s'", sel,
			  vol->v->name);
}
