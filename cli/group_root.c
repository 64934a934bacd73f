/* SPDX-License-Identifier: MIT */
/*
 * group_root.c - volume groups for the reading commands (group.c says
 * which volumes form a group): `--volume group`, and opening
 * the Mac's root (the merged view, apfs/fs_group.c) when the System volume
 * of a group is selected.  README "Volume groups" says what the analyst
 * gets and why.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd_fs.h"
#include "credential.h"
#include "group.h"

struct cli_volume *cli_group_data(struct cli_image *img, const struct cli_volume *cv)
{
	return cli_group_member(img, cv, APFS_VOL_ROLE_DATA);
}

/*
 * The Data volume unlocked with the credential given; with none (and no
 * terminal to ask on) it stays locked, and the view says so where it
 * matters.  A credential that fails is an error, as for the Data volume.
 */
static int unlock_data(const struct cli_opts *o, struct cli_volume *data)
{
	struct apfsi_unlock_result res;
	struct cli_cred cr;
	int ret;

	if (!apfs_volume_encrypted(data->v) || data->v->xts)
		return 0;
	ret = cli_cred_get(o, true, &cr);
	if (!ret && cr.kind == CRED_NONE)
		fprintf(stderr, "apfsinspect: the Data volume '%s' of this group is encrypted and "
			"no credential was given: its directories show as locked\n",
			cli_safe_str(data->v->name));
	else if (!ret)
		ret = cli_unlock(o, data, &cr, NULL, &res);
	cli_cred_wipe(&cr);
	return ret;
}

/* The System volume's tree the Mac boots: --snapshot, else its boot snapshot, else live. */
static int system_xid(const struct cli_opts *o, struct fs_session *s, uint64_t *xid)
{
	struct apfs_snapshot snap;
	int ret;

	*xid = 0;
	if (o->snapshot)
		return fs_pick_snapshot(o, s, xid);
	ret = apfs_group_boot_snapshot(s->cv->v, &snap);
	if (ret == -ENOENT)
		fprintf(stderr, "apfsinspect: the System volume '%s' has no boot snapshot "
			"(com.apple.os.update-...): its live tree is shown\n",
			cli_safe_str(s->cv->v->name));
	else if (ret)
		return fs_fail("snapshot metadata", ret);
	else
		*xid = snap.xid;
	return 0;
}

int cli_group_open(const struct cli_opts *o, struct fs_session *s, struct cli_volume *data)
{
	struct apfs_fs *sys = NULL, *dfs = NULL;
	uint64_t xid;
	int ret = unlock_data(o, data);

	if (!ret)
		ret = system_xid(o, s, &xid);
	if (ret)
		return ret;
	ret = apfs_fs_open(s->cv->v, xid, &sys);
	if (ret)
		return fs_fail(s->cv->v->name, ret);
	if (!apfs_volume_encrypted(data->v) || data->v->xts) {
		ret = apfs_fs_open(data->v, 0, &dfs);
		if (ret) {
			apfs_fs_close(sys);
			return fs_fail(data->v->name, ret);
		}
	}
	ret = apfs_fs_open_group(sys, dfs, &s->fs);
	return ret ? fs_fail("volume group", ret) : 0;
}

int cli_group_session(const struct cli_opts *o, struct fs_session *s)
{
	struct cli_volume *data;

	if (!cli_group_system(s->cv) || o->no_firmlinks)
		return -1;
	data = cli_group_data(&s->img, s->cv);
	if (data)
		return cli_group_open(o, s, data);
	fprintf(stderr, "apfsinspect: the Data volume of the group of '%s' is missing or did not "
		"open: the System volume alone is shown\n",
		cli_safe_str(s->cv->v->name));
	return -1;
}
