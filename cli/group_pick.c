/* SPDX-License-Identifier: MIT */
/*
 * group_pick.c - whether a volume is in a volume group, and `--volume
 * group`: the System volume of the image's only group.  What volume
 * selection (image.c) needs of groups, below the group code that opens
 * them (group.c, group_root.c).
 */
#include <string.h>

#include "cmd_fs.h"
#include "group.h"

static const uint8_t zero_uuid[16];

bool cli_in_group(const struct apfs_volume *v)
{
	return memcmp(v->sb.apfs_volume_group_id, zero_uuid, 16) != 0;
}

bool cli_group_system(const struct cli_volume *cv)
{
	return cli_in_group(cv->v) && get_le16(cv->v->sb.apfs_role) == APFS_VOL_ROLE_SYSTEM;
}

/* `--volume group`: the System volume of the image's only volume group. */
int cli_select_group(const struct cli_opts *o, struct cli_image *img, struct cli_volume **out)
{
	unsigned n = 0;

	for (unsigned i = 0; i < img->nvols; i++)
		if (cli_group_system(&img->vols[i]) && n++ == 0)
			*out = &img->vols[i];
	if (n == 1)
		return 0;
	fprintf(stderr, "apfsinspect: --volume group: '%s' holds %s; choose the System volume "
		"of the group you want with --volume (number, name or UUID):\n", o->image,
		n ? "several volume groups" : "no volume group with a System volume");
	for (unsigned i = 0; i < img->nvols; i++) {
		char u[37];

		if (!cli_group_system(&img->vols[i]))
			continue;
		apfs_uuid_str(img->vols[i].v->uuid, u);
		fprintf(stderr, "  %u  %s  %s (System)\n", img->vols[i].number, u,
			cli_safe_str(img->vols[i].v->name));
	}
	return EXIT_USAGE;
}
