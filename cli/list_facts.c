/* SPDX-License-Identifier: MIT */
/*
 * list_facts.c - what `list` reports of containers, volumes and groups,
 * read once through libapfsinspect and shared by its text (cmd_list.c),
 * -plist (cmd_list_plist.c) and chain (chain.c) writers.
 */
#include <stdlib.h>
#include <string.h>

#include "list.h"

/*
 * Every volume's snapshot metadata tree is read (one node on a Mac), so that
 * a listing short of the volume's count is said once, in every format, and
 * ends `list` with the exit `snapshots` gives: a snapshot lost with the
 * files it alone holds is the analyst's to know (a sealed volume's are
 * listed by name; others' by count only).
 */
static void load_snapshots(struct list_vol *v)
{
	v->snaps_ret = apfsi_volume_snapshot_count(v->h, &v->snaps_listed);
	if (!v->snaps_ret)
		return;
	snprintf(v->snaps_why, sizeof(v->snaps_why), "%s", apfsi_last_message()[0] ?
		 apfsi_last_message() : apfsi_strerror(v->snaps_ret));
	/* a tree not read was logged; a shortfall is the call's own message */
	if (v->snaps_ret == APFSI_ERR_INCOMPLETE)
		fprintf(stderr, "apfsinspect: %s\n", cli_safe_str(v->snaps_why));
}

static int load_volume(apfsi_image *img, unsigned i, struct list_vol *v)
{
	int ret = apfsi_image_volume(img, i, &v->h);

	if (!ret)
		ret = apfsi_volume_info(v->h, &v->info);
	if (!ret)
		ret = apfsi_volume_superblock(v->h, &v->sb);
	if (!ret)
		load_snapshots(v);
	return ret;
}

int list_snapshots_ret(const struct list_image *li)
{
	for (unsigned i = 0; i < li->info.volumes; i++)
		if (li->vols[i].snaps_ret)
			return li->vols[i].snaps_ret;
	return APFSI_OK;
}

int list_load(apfsi_image *img, struct list_image *li)
{
	int ret;

	memset(li, 0, sizeof(*li));
	li->img = img;
	if ((ret = apfsi_image_info(img, &li->info)))
		return ret;
	li->cont = calloc(li->info.containers ? li->info.containers : 1, sizeof(*li->cont));
	li->vols = calloc(li->info.volumes ? li->info.volumes : 1, sizeof(*li->vols));
	if (!li->cont || !li->vols)
		return APFSI_ERR_NOMEM;
	for (unsigned i = 0; !ret && i < li->info.containers; i++)
		ret = apfsi_container_info(img, i, &li->cont[i]);
	for (unsigned i = 0; !ret && i < li->info.volumes; i++)
		ret = load_volume(img, i, &li->vols[i]);
	return ret;
}

void list_free(struct list_image *li)
{
	free(li->cont);
	free(li->vols);
	memset(li, 0, sizeof(*li));
}

uint64_t list_vol_bytes(const struct list_vol *v)
{
	return v->sb.alloc_blocks * v->sb.block_size;
}

/* A role value the library names ("None" is its word for no name). */
static bool role_named(const struct list_vol *v)
{
	return v->sb.role && strcmp(v->info.role, "None") != 0;
}

void list_role_str(const struct list_vol *v, char *buf, size_t len)
{
	if (!v->sb.role)
		snprintf(buf, len, "No specific role");
	else if (role_named(v))
		snprintf(buf, len, "%s", v->info.role);
	else
		snprintf(buf, len, "0x%x", v->sb.role);
}

const char *list_role_json(const struct list_vol *v)
{
	return !v->sb.role ? "None" : role_named(v) ? v->info.role : NULL;
}

/* Roles in the order diskutil apfs listVolumeGroups shows them: System, then Data. */
static unsigned role_rank(const struct list_vol *v)
{
	if (!role_named(v))
		return 2;
	return !strcmp(v->info.role, "System") ? 0 : !strcmp(v->info.role, "Data") ? 1 : 2;
}

unsigned list_group_members(const struct list_image *li, unsigned ci, const uint8_t g[16],
			    const struct list_vol **out)
{
	unsigned n = 0;

	for (unsigned rank = 0; rank < 3; rank++)
		for (unsigned i = 0; i < li->info.volumes; i++) {
			const struct list_vol *v = &li->vols[i];

			if (v->info.container == ci && v->info.has_group && role_rank(v) == rank &&
			    !memcmp(v->info.group_uuid, g, 16))
				out[n++] = v;
		}
	return n;
}

unsigned list_groups(const struct list_image *li, unsigned ci, uint8_t (*out)[16])
{
	unsigned n = 0;

	for (unsigned i = 0; i < li->info.volumes; i++) {
		const struct list_vol *v = &li->vols[i];
		bool seen = false;

		if (v->info.container != ci || !v->info.has_group)
			continue;
		for (unsigned k = 0; k < n && !seen; k++)
			seen = !memcmp(out[k], v->info.group_uuid, 16);
		if (!seen)
			memcpy(out[n++], v->info.group_uuid, 16);
	}
	return n;
}
