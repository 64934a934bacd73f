/* SPDX-License-Identifier: MIT */
/*
 * cmd_list_plist.c - `list -plist`: the keys of `diskutil apfs list -plist`
 * that fleet, kolide and osquery read (docs/users.md §2.6), from the image.
 * An image has no /dev nodes: DeviceIdentifier is the volume's number as
 * --volume takes it, ContainerReference "container N"; APFSVolumeGroupID
 * is the key `diskutil info -plist` uses (docs/macos-boot.md §2).
 */
#include <stdlib.h>
#include <string.h>

#include "util/plist_dl.h"
#include "group.h"
#include "list.h"

static void set_str(plist_t d, const char *key, const char *val)
{
	char *e = cli_esc_dup(val, "");

	if (e)
		plist_dict_set_item(d, key, plist_new_string(e));
	free(e);
}

static void set_uuid(plist_t d, const char *key, const uint8_t u[16])
{
	char s[37];

	apfs_uuid_str(u, s);
	plist_dict_set_item(d, key, plist_new_string(s));
}

static void set_uint(plist_t d, const char *key, uint64_t v)
{
	plist_dict_set_item(d, key, plist_new_uint(v));
}

static void set_bool(plist_t d, const char *key, bool v)
{
	plist_dict_set_item(d, key, plist_new_bool(v));
}

static plist_t roles(const struct apfs_volume *v)
{
	uint16_t r = get_le16(v->sb.apfs_role);
	plist_t a = plist_new_array();
	char hex[16];

	if (r && apfs_role_name(r)) {
		plist_array_append_item(a, plist_new_string(apfs_role_name(r)));
	} else if (r) {
		snprintf(hex, sizeof(hex), "0x%x", r);
		plist_array_append_item(a, plist_new_string(hex));
	}
	return a;
}

static plist_t volume(const struct cli_volume *cv)
{
	const struct apfs_volume *v = cv->v;
	uint64_t bs = v->c->block_size;
	plist_t d = plist_new_dict();
	bool enc = apfs_volume_encrypted(v);
	char num[16];

	snprintf(num, sizeof(num), "%u", cv->number);
	set_uuid(d, "APFSVolumeUUID", v->uuid);
	set_uint(d, "CapacityInUse", list_vol_bytes(v));
	set_uint(d, "CapacityQuota", get_le64(v->sb.apfs_fs_quota_block_count) * bs);
	set_uint(d, "CapacityReserve", get_le64(v->sb.apfs_fs_reserve_block_count) * bs);
	/* Encryption rolling in progress: a non-zero encryption-rolling state object. */
	set_bool(d, "CryptoMigrationOn", get_le64(v->sb.apfs_er_state_oid) != 0);
	set_str(d, "DeviceIdentifier", num);
	set_bool(d, "Encryption", enc);
	set_bool(d, "FileVault", enc && !list_hw_encrypted(v));
	set_bool(d, "Locked", enc && !v->xts);
	set_str(d, "Name", v->name);
	plist_dict_set_item(d, "Roles", roles(v));
	if (cli_in_group(v))
		set_uuid(d, "APFSVolumeGroupID", v->sb.apfs_volume_group_id);
	return d;
}

static plist_t store(const struct cli_image *img, const struct apfs_container *c, char *id,
		     size_t idlen)
{
	const struct apfs_part *p = list_part_of(img, c);
	plist_t d = plist_new_dict();

	if (p && p->index)
		snprintf(id, idlen, "GPT entry %u", p->index);
	else
		snprintf(id, idlen, "offset %llu", (unsigned long long)c->offset);
	set_str(d, "DeviceIdentifier", id);
	set_uint(d, "Size", c->block_count * c->block_size);
	return d;
}

static plist_t container(const struct cli_image *img, unsigned ci)
{
	const struct apfs_container *c = img->cont[ci];
	uint64_t cap = c->block_count * c->block_size, used = 0;
	plist_t d = plist_new_dict(), vols = plist_new_array(), stores = plist_new_array();
	static const uint8_t zero[16];
	char ref[32], id[48];

	for (unsigned i = 0; i < img->nvols; i++)
		if (img->vols[i].cidx == ci) {
			used += list_vol_bytes(img->vols[i].v);
			plist_array_append_item(vols, volume(&img->vols[i]));
		}
	snprintf(ref, sizeof(ref), "container %u", ci + 1);
	set_uuid(d, "APFSContainerUUID", c->nx.nx_uuid);
	set_uint(d, "CapacityCeiling", cap);
	/* Not read from the space manager: the ceiling less what the volumes use. */
	set_uint(d, "CapacityFree", used < cap ? cap - used : 0);
	set_str(d, "ContainerReference", ref);
	plist_array_append_item(stores, store(img, c, id, sizeof(id)));
	set_str(d, "DesignatedPhysicalStore", id);
	set_bool(d, "Fusion", memcmp(c->nx.nx_fusion_uuid, zero, 16) != 0);
	plist_dict_set_item(d, "PhysicalStores", stores);
	plist_dict_set_item(d, "Volumes", vols);
	return d;
}

int list_plist(const struct cli_image *img)
{
	plist_t root, arr;
	char *xml = NULL;
	uint32_t len = 0;
	int ret = plist_dl_load(NULL, "list -plist");

	if (ret)
		return ret;
	root = plist_new_dict();
	arr = plist_new_array();
	for (unsigned i = 0; i < img->ncont; i++)
		plist_array_append_item(arr, container(img, i));
	plist_dict_set_item(root, "Containers", arr);
	plist_to_xml(root, &xml, &len);
	plist_free(root);
	if (!xml)
		return -ENOMEM;
	fwrite(xml, 1, len, stdout);
	free(xml);
	return 0;
}
