/* SPDX-License-Identifier: MIT */
/*
 * volume.c - the volumes of an image: by index, by the selector the
 * commands' --volume takes (number, name, UUID, role, "group"), or the
 * default a command works on; and what `list` says of each.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/bytes.h"
#include "internal.h"

static const uint8_t zero_uuid[16];

static uint16_t role_of(const struct apfsi_volume *vol)
{
	return get_le16(vol->v->sb.apfs_role);
}

static bool in_group(const struct apfs_volume *v)
{
	return memcmp(v->sb.apfs_volume_group_id, zero_uuid, 16) != 0;
}

int apfsi_image_volume(apfsi_image *img, unsigned index, apfsi_volume **out)
{
	apfsi_enter();
	if (!img || !out)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_image_volume: img and out are required");
	if (index >= img->nvols)
		return apfsi_fail(APFSI_ERR_NOT_FOUND, "volume index %u: the image has %u volumes",
				  index, img->nvols);
	*out = &img->vols[index];
	return APFSI_OK;
}

/* The selector as the commands take it: number, UUID, name or role. */
static bool vol_matches(const struct apfsi_volume *vol, const char *sel)
{
	const struct apfs_volume *v = vol->v;
	const char *role = apfs_role_name(role_of(vol));
	uint8_t u[16];
	char *end;
	unsigned long n = strtoul(sel, &end, 10);

	if (*sel && !*end)
		return n == vol->number;
	if (!apfs_uuid_parse(sel, u))
		return !memcmp(u, v->uuid, 16);
	return !strcmp(sel, v->name) || (role && !strcasecmp(sel, role));
}

/* The one Data volume, else the one encrypted volume, else the only volume. */
static int pick_default(apfsi_image *img, apfsi_volume **out)
{
	struct apfsi_volume *data = NULL, *enc = NULL;
	unsigned ndata = 0, nenc = 0;

	for (unsigned i = 0; i < img->nvols; i++) {
		if (role_of(&img->vols[i]) == APFS_VOL_ROLE_DATA)
			data = &img->vols[i], ndata++;
		if (apfs_volume_encrypted(img->vols[i].v))
			enc = &img->vols[i], nenc++;
	}
	if (ndata == 1)
		*out = data;
	else if (!ndata && nenc == 1)
		*out = enc;
	else if (img->nvols == 1)
		*out = &img->vols[0];
	else
		return apfsi_fail(APFSI_ERR_AMBIGUOUS, "%u volumes and no default among them: "
				  "choose one by number, name, UUID or role", img->nvols);
	return APFSI_OK;
}

/* "group": the System volume of the image's only volume group. */
static int pick_group(apfsi_image *img, apfsi_volume **out)
{
	unsigned n = 0;

	for (unsigned i = 0; i < img->nvols; i++)
		if (in_group(img->vols[i].v) && role_of(&img->vols[i]) == APFS_VOL_ROLE_SYSTEM &&
		    n++ == 0)
			*out = &img->vols[i];
	if (n == 1)
		return APFSI_OK;
	return apfsi_fail(n ? APFSI_ERR_AMBIGUOUS : APFSI_ERR_NOT_FOUND,
			  "volume 'group': the image holds %s", n ? "several volume groups" :
			  "no volume group with a System volume");
}

int apfsi_image_select_volume(apfsi_image *img, const char *selector, apfsi_volume **out)
{
	struct apfsi_volume *hit = NULL;
	unsigned nhit = 0;

	apfsi_enter();
	if (!img || !out)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_image_select_volume: img and out are "
				  "required");
	if (!img->nvols)
		return apfsi_fail(APFSI_ERR_NOT_FOUND, "the image holds no readable volume");
	if (!selector)
		return pick_default(img, out);
	if (!*selector)
		return apfsi_fail(APFSI_ERR_INVALID, "an empty volume selector");
	if (!strcasecmp(selector, "group"))
		return pick_group(img, out);
	for (unsigned i = 0; i < img->nvols; i++)
		if (vol_matches(&img->vols[i], selector))
			hit = &img->vols[i], nhit++;
	if (nhit == 1) {
		*out = hit;
		return APFSI_OK;
	}
	/* The selector is the caller's text, not the image's: it may go in the message. */
	return apfsi_fail(nhit ? APFSI_ERR_AMBIGUOUS : APFSI_ERR_NOT_FOUND,
			  "volume '%s' matches %s volume", selector, nhit ? "more than one" : "no");
}

/*
 * Hardware encryption, TSK's rule (docs/macos-boot.md §5): an encrypted
 * volume in a container without NX_CRYPTO_SW is encrypted by the
 * hardware, as are per-file keys.
 */
static bool hw_encrypted(const struct apfs_volume *v)
{
	return apfs_volume_hw_encrypted(v) ||
	       (apfs_volume_encrypted(v) && !(get_le64(v->c->nx.nx_flags) & APFS_NX_CRYPTO_SW));
}

static void fill_counts(const struct apfs_volume *v, struct apfsi_volume_info *info)
{
	info->files = get_le64(v->sb.apfs_num_files);
	info->directories = get_le64(v->sb.apfs_num_directories);
	info->symlinks = get_le64(v->sb.apfs_num_symlinks);
	info->snapshots = get_le64(v->sb.apfs_num_snapshots);
	info->bytes_used = get_le64(v->sb.apfs_fs_alloc_count) * v->c->block_size;
	info->xid = v->xid;
}

int apfsi_volume_info(apfsi_volume *vol, struct apfsi_volume_info *info)
{
	const struct apfs_volume *v;
	const char *role;

	apfsi_enter();
	if (!vol || !info)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_volume_info: vol and info are required");
	v = vol->v;
	role = apfs_role_name(role_of(vol));
	memset(info, 0, sizeof(*info));
	info->number = vol->number;
	info->container = vol->cidx;
	info->fs_index = v->index;
	info->name = v->name;
	memcpy(info->uuid, v->uuid, 16);
	info->role = role ? role : "None";
	info->has_group = in_group(v);
	memcpy(info->group_uuid, v->sb.apfs_volume_group_id, 16);
	info->case_insensitive = apfs_volume_case_insensitive(v);
	info->encrypted = apfs_volume_encrypted(v);
	info->hardware_encrypted = hw_encrypted(v);
	info->per_file_keys = apfs_volume_hw_encrypted(v);
	info->software_crypto = get_le64(v->c->nx.nx_flags) & APFS_NX_CRYPTO_SW;
	pthread_mutex_lock(&vol->v->key_lock);
	info->locked = info->encrypted && !v->xts;
	pthread_mutex_unlock(&vol->v->key_lock);
	info->sealed = get_le64(v->sb.apfs_incompatible_features) & APFS_INCOMPAT_SEALED_VOLUME;
	fill_counts(v, info);
	return APFSI_OK;
}
