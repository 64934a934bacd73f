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

	cli_uuid_str(u, s);
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

/* The role's name, its value in hex when it has none, nothing for no role. */
static plist_t roles(const struct list_vol *v)
{
	plist_t a = plist_new_array();
	const char *name = list_role_json(v);
	char hex[16];

	if (v->sb.role && name) {
		plist_array_append_item(a, plist_new_string(name));
	} else if (v->sb.role) {
		snprintf(hex, sizeof(hex), "0x%x", v->sb.role);
		plist_array_append_item(a, plist_new_string(hex));
	}
	return a;
}

static plist_t volume(const struct list_vol *v)
{
	const struct apfsi_volume_info *vi = &v->info;
	uint64_t bs = v->sb.block_size;
	plist_t d = plist_new_dict();
	char num[16];

	snprintf(num, sizeof(num), "%u", vi->number);
	set_uuid(d, "APFSVolumeUUID", vi->uuid);
	set_uint(d, "CapacityInUse", list_vol_bytes(v));
	set_uint(d, "CapacityQuota", v->sb.quota_blocks * bs);
	set_uint(d, "CapacityReserve", v->sb.reserve_blocks * bs);
	/* Encryption rolling in progress: a non-zero encryption-rolling state object. */
	set_bool(d, "CryptoMigrationOn", v->sb.encryption_rolling);
	set_str(d, "DeviceIdentifier", num);
	set_bool(d, "Encryption", vi->encrypted);
	set_bool(d, "FileVault", vi->encrypted && !vi->hardware_encrypted);
	set_bool(d, "Locked", vi->locked);
	set_str(d, "Name", vi->name);
	plist_dict_set_item(d, "Roles", roles(v));
	if (vi->has_group)
		set_uuid(d, "APFSVolumeGroupID", vi->group_uuid);
	return d;
}

static plist_t store(const struct apfsi_container_info *c, char *id, size_t idlen)
{
	plist_t d = plist_new_dict();

	if (c->gpt_entry)
		snprintf(id, idlen, "GPT entry %u", c->gpt_entry);
	else
		snprintf(id, idlen, "offset %llu", (unsigned long long)c->offset);
	set_str(d, "DeviceIdentifier", id);
	set_uint(d, "Size", c->block_count * c->block_size);
	return d;
}

static plist_t container(const struct list_image *li, unsigned ci)
{
	const struct apfsi_container_info *c = &li->cont[ci];
	uint64_t cap = c->block_count * c->block_size, used = 0;
	plist_t d = plist_new_dict(), vols = plist_new_array(), stores = plist_new_array();
	char ref[32], id[48];

	for (unsigned i = 0; i < li->info.volumes; i++)
		if (li->vols[i].info.container == ci) {
			used += list_vol_bytes(&li->vols[i]);
			plist_array_append_item(vols, volume(&li->vols[i]));
		}
	snprintf(ref, sizeof(ref), "container %u", ci + 1);
	set_uuid(d, "APFSContainerUUID", c->uuid);
	set_uint(d, "CapacityCeiling", cap);
	/* Not read from the space manager: the ceiling less what the volumes use. */
	set_uint(d, "CapacityFree", used < cap ? cap - used : 0);
	set_str(d, "ContainerReference", ref);
	plist_array_append_item(stores, store(c, id, sizeof(id)));
	set_str(d, "DesignatedPhysicalStore", id);
	set_bool(d, "Fusion", c->fusion);
	plist_dict_set_item(d, "PhysicalStores", stores);
	plist_dict_set_item(d, "Volumes", vols);
	return d;
}

int list_plist(const struct list_image *li)
{
	plist_t root, arr;
	char *xml = NULL;
	uint32_t len = 0;
	int ret = plist_dl_load(NULL, "list -plist");

	if (ret)
		return ret;
	root = plist_new_dict();
	arr = plist_new_array();
	for (unsigned i = 0; i < li->info.containers; i++)
		plist_array_append_item(arr, container(li, i));
	plist_dict_set_item(root, "Containers", arr);
	plist_to_xml(root, &xml, &len);
	plist_free(root);
	if (!xml)
		return APFSI_ERR_NOMEM;
	fwrite(xml, 1, len, stdout);
	free(xml);
	return 0;
}
