/* SPDX-License-Identifier: MIT */
/*
 * usersel.c - the volume whose crypto users stand for a selection
 * (usersel.h): volume groups (docs/macos-boot.md §2) are the System and
 * Data volumes of one macOS install sharing a group UUID in one container.
 */
#include <string.h>

#include "util/uuid.h"
#include "api.h"
#include "usersel.h"

static bool has_role(const struct apfsi_volume_info *vi, const char *role)
{
	return !strcmp(vi->role, role);
}

/* The i-th volume's facts; false when it cannot be described. */
static bool vol_at(apfsi_image *img, unsigned i, apfsi_volume **vol,
		   struct apfsi_volume_info *vi)
{
	return !apfsi_image_volume(img, i, vol) && !apfsi_volume_info(*vol, vi);
}

/* A group UUID that is no volume's own UUID names its Data volume (else a member). */
static apfsi_volume *by_group_uuid(apfsi_image *img, unsigned nvols, const char *sel)
{
	struct apfsi_volume_info vi;
	apfsi_volume *vol, *hit = NULL;
	uint8_t u[16];

	if (apfs_uuid_parse(sel, u))
		return NULL;
	for (unsigned i = 0; i < nvols; i++)
		if (vol_at(img, i, &vol, &vi) && !memcmp(vi.uuid, u, 16))
			return NULL;
	for (unsigned i = 0; i < nvols; i++)
		if (vol_at(img, i, &vol, &vi) && vi.has_group && !memcmp(vi.group_uuid, u, 16) &&
		    (!hit || has_role(&vi, "Data")))
			hit = vol;
	return hit;
}

/* A group's System volume -> its Data volume (same container and group); else itself. */
static apfsi_volume *users_volume(apfsi_image *img, unsigned nvols, apfsi_volume *sel)
{
	struct apfsi_volume_info s, vi;
	apfsi_volume *vol;

	if (apfsi_volume_info(sel, &s) || !has_role(&s, "System") || !s.has_group)
		return sel;
	for (unsigned i = 0; i < nvols; i++)
		if (vol_at(img, i, &vol, &vi) && vi.container == s.container && vi.has_group &&
		    has_role(&vi, "Data") && !memcmp(vi.group_uuid, s.group_uuid, 16))
			return vol;
	return sel;
}

int cli_api_select_users_volume(const struct cli_opts *o, apfsi_image *img, apfsi_volume **out)
{
	struct apfsi_image_info ii;
	apfsi_volume *g;
	int ret = apfsi_image_info(img, &ii);

	if (ret)
		return cli_api_exit(ret);
	g = o->volume ? by_group_uuid(img, ii.volumes, o->volume) : NULL;
	if (g)
		*out = g;
	else
		ret = cli_api_select_volume(o, img, out);
	if (!ret)
		*out = users_volume(img, ii.volumes, *out);
	return ret;
}
