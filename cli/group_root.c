/* SPDX-License-Identifier: MIT */
/*
 * group_root.c - a volume group's System volume in the file-system session:
 * the Mac's root (the library's merged view, apfsi_fs_open), with the Data
 * volume unlocked by the credential given (locked without one: its
 * directories show as locked).  README "Volume groups"
 * says what the analyst gets and why.
 */
#include <string.h>

#include "cmd_fs.h"
#include "session_int.h"

/* The Data volume of sys's group (same container and group), or NULL. */
static apfsi_volume *group_data(apfsi_image *img, const struct apfsi_volume_info *sys)
{
	struct apfsi_volume_info vi;
	apfsi_volume *vol;

	for (unsigned i = 0; !apfsi_image_volume(img, i, &vol); i++)
		if (!apfsi_volume_info(vol, &vi) && vi.has_group && vi.container == sys->container &&
		    !memcmp(vi.group_uuid, sys->group_uuid, 16) && !strcmp(vi.role, "Data"))
			return vol;
	return NULL;
}

/*
 * The Data volume unlocked with the credential given; with none (and no
 * terminal to ask on) it stays locked.  A credential that fails is an
 * error, as for the Data volume itself.
 */
static int unlock_data(const struct cli_opts *o, apfsi_volume *data)
{
	struct apfsi_volume_info vi;
	struct cli_cred cr;
	int ret;

	if (apfsi_volume_info(data, &vi) || !vi.locked)
		return 0;
	ret = cli_cred_get(o, true, &cr);
	if (!ret && cr.kind == CRED_NONE)
		fprintf(stderr, "apfsinspect: the Data volume '%s' of this group is encrypted and "
			"no credential was given: its directories show as locked\n",
			cli_safe_str(vi.name));
	else if (!ret)
		ret = fs_unlock_volume(o, data, &cr);
	cli_cred_wipe(&cr);
	return ret;
}

int fs_group_session(const struct cli_opts *o, struct fs_session *s)
{
	struct apfsi_volume_info vi;
	apfsi_volume *data;
	int ret;

	if (o->no_firmlinks || apfsi_volume_info(s->vol, &vi) || !cli_group_system(&vi))
		return -1;
	data = group_data(s->img, &vi);
	if (!data) {
		fprintf(stderr, "apfsinspect: the Data volume of the group of '%s' is missing or "
			"did not open: the System volume alone is shown\n", cli_safe_str(vi.name));
		return -1;
	}
	ret = unlock_data(o, data);
	return ret ? ret : fs_open_view(o, s, 0);
}
