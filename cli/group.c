/* SPDX-License-Identifier: MIT */
/* group.c - volume groups and the volumes that stand for them (group.h). */
#include <string.h>

#include "group.h"

struct cli_volume *cli_group_member(struct cli_image *img, const struct cli_volume *cv,
				    uint16_t role)
{
	if (!cli_in_group(cv->v))
		return NULL;
	for (unsigned i = 0; i < img->nvols; i++) {
		struct cli_volume *o = &img->vols[i];

		if (o->cidx == cv->cidx && get_le16(o->v->sb.apfs_role) == role &&
		    !memcmp(o->v->sb.apfs_volume_group_id, cv->v->sb.apfs_volume_group_id, 16))
			return o;
	}
	return NULL;
}

struct cli_volume *cli_users_volume(struct cli_image *img, struct cli_volume *cv)
{
	struct cli_volume *data;

	if (get_le16(cv->v->sb.apfs_role) != APFS_VOL_ROLE_SYSTEM)
		return cv;
	data = cli_group_member(img, cv, APFS_VOL_ROLE_DATA);
	return data ? data : cv;
}

/* A group UUID that is no volume's own UUID names its Data volume. */
static struct cli_volume *by_group_uuid(struct cli_image *img, const char *sel)
{
	struct cli_volume *hit = NULL;
	uint8_t u[16];

	if (apfs_uuid_parse(sel, u))
		return NULL;
	for (unsigned i = 0; i < img->nvols; i++)
		if (!memcmp(img->vols[i].v->uuid, u, 16))
			return NULL;
	for (unsigned i = 0; i < img->nvols; i++) {
		struct cli_volume *cv = &img->vols[i];

		if (!memcmp(cv->v->sb.apfs_volume_group_id, u, 16) && cli_in_group(cv->v) &&
		    (!hit || get_le16(cv->v->sb.apfs_role) == APFS_VOL_ROLE_DATA))
			hit = cv;
	}
	return hit;
}

int cli_select_users_volume(const struct cli_opts *o, struct cli_image *img,
			    struct cli_volume **out)
{
	struct cli_volume *g = o->volume ? by_group_uuid(img, o->volume) : NULL;
	int ret = 0;

	if (g)
		*out = g;
	else
		ret = cli_select_volume(o, img, out);
	if (!ret)
		*out = cli_users_volume(img, *out);
	return ret;
}
