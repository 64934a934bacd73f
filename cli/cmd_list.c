/* SPDX-License-Identifier: MIT */
/*
 * cmd_list.c - `apfsinspect list`: containers and volumes, laid out like
 * `diskutil apfs list` (docs/users.md §2.5), plus checkpoints on request.
 */
#include <string.h>

#include "cli.h"
#include "group.h"
#include "list.h"

static const char list_help[] =
	"usage: apfsinspect list [--json | --plist] [--checkpoints] [--offset BYTES] [--xid N]\n"
	"                        [--format NAME] IMAGE\n"
	"  Show the layers opened and every APFS container in IMAGE with its volumes\n"
	"  and volume groups.\n"
	"  --checkpoints  also list the checkpoints found in each container\n"
	"  --json         machine-readable output (keys documented in README.md)\n"
	"  --plist, -plist  diskutil apfs list -plist keys (Containers[], Volumes[])\n"
	"  --offset BYTES read the container at this byte offset (no partition scan)\n"
	"  --xid N        use the checkpoint with this transaction id\n"
	"  --format NAME  the image format instead of detecting it: raw, split, e01,\n"
	"                 vmdk, vhd, qcow2, sparseimage, udif, sparsebundle\n";

static const char *yesno(bool b)
{
	return b ? "Yes" : "No";
}

static void role_str(const struct apfs_volume *v, char *buf, size_t len)
{
	uint16_t role = get_le16(v->sb.apfs_role);
	const char *name = apfs_role_name(role);

	if (!role)
		snprintf(buf, len, "No specific role");
	else if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "0x%x", role);
}

static void modified_by(const struct apfs_modified_by *m, char *buf, size_t len)
{
	/* id is a NUL-padded char[32]; a crafted one may lack the NUL. */
	snprintf(buf, len, "%.*s", APFS_MODIFIED_NAMELEN, (const char *)m->id);
}

/* The seal of a sealed volume: its hash, and whether it was broken (forensic detail). */
static void print_seal(const struct apfs_volume *v, const char *bar)
{
	struct apfs_seal s;

	if (apfs_volume_seal(v, &s))
		return;
	if (s.broken_xid)
		printf("    %s   Seal:                      %s, broken in transaction %llu\n", bar,
		       s.hash_name, (unsigned long long)s.broken_xid);
	else
		printf("    %s   Seal:                      %s, intact\n", bar, s.hash_name);
}

/* The fs tree's index-value layout, or NULL when it cannot be read (locked). */
static const char *seal_form(const struct apfs_volume *v)
{
	struct apfs_btree_desc t;
	const char *form = NULL;

	apfs_volume_fstree(v, &t);
	if (apfs_volume_encrypted(v) && !v->xts)
		return NULL;
	return apfs_btree_index_form(&t, &form) ? NULL : form;
}

static void json_seal(struct json *j, const struct apfs_volume *v)
{
	struct apfs_seal s;
	char hex[2 * sizeof(s.root_hash) + 1];

	if (apfs_volume_seal(v, &s)) {
		json_str(j, "seal", NULL);
		return;
	}
	for (unsigned i = 0; i < s.hash_len; i++)
		sprintf(hex + 2 * i, "%02x", s.root_hash[i]);
	hex[2 * s.hash_len] = '\0';
	json_obj_open(j, "seal");
	json_u64(j, "hash_type", s.hash_type);
	json_str(j, "hash", s.hash_name);
	json_str(j, "root_hash", hex);
	json_u64(j, "broken_xid", s.broken_xid);
	json_bool(j, "intact", s.broken_xid == 0 && !(s.flags & APFS_SEAL_BROKEN));
	json_str(j, "index_values", seal_form(v));
	json_obj_close(j);
}

static void print_volume(const struct cli_volume *cv, bool last)
{
	const struct apfs_volume *v = cv->v;
	const char *bar = last ? " " : "|";
	bool enc = apfs_volume_encrypted(v), hw = list_hw_encrypted(v);
	char u[37], size[32], role[32], by[40], created[40];
	uint64_t inc = get_le64(v->sb.apfs_incompatible_features);

	apfs_uuid_str(v->uuid, u);
	fmt_bytes(list_vol_bytes(v), size, sizeof(size));
	role_str(v, role, sizeof(role));
	modified_by(&v->sb.apfs_formatted_by, by, sizeof(by));
	fmt_time_ns(get_le64(v->sb.apfs_formatted_by.timestamp), created, sizeof(created));
	printf("    |\n    +-> Volume %u %s\n", cv->number, u);
	printf("    %s   ---------------------------------------------------\n", bar);
	printf("    %s   APFS Volume (Role):        %u (%s)\n", bar, cv->number, role);
	if (cli_in_group(v)) {
		apfs_uuid_str(v->sb.apfs_volume_group_id, u);
		printf("    %s   APFS Volume Group:         %s\n", bar, u);
		apfs_uuid_str(v->uuid, u);
	}
	printf("    %s   Name:                      %s (%s)\n", bar, cli_safe_str(v->name),
	       apfs_volume_case_insensitive(v) ? "Case-insensitive" : "Case-sensitive");
	printf("    %s   Capacity Consumed:         %llu B (%s)\n", bar,
	       (unsigned long long)list_vol_bytes(v), size);
	printf("    %s   Sealed:                    %s\n", bar,
	       yesno(inc & APFS_INCOMPAT_SEALED_VOLUME));
	print_seal(v, bar);
	printf("    %s   FileVault:                 %s\n", bar,
	       enc ? (v->xts ? "Yes (Unlocked)" : "Yes (Locked)") : "No");
	printf("    %s   Encrypted:                 %s\n", bar, yesno(enc && !hw));
	printf("    %s   Hardware Encrypted:        %s\n", bar, yesno(hw));
	printf("    %s   Formatted By:              %s\n", bar, cli_safe_str(by));
	printf("    %s   Created:                   %s\n", bar, created);
	printf("    %s   Files / Directories:       %llu / %llu\n", bar,
	       (unsigned long long)get_le64(v->sb.apfs_num_files),
	       (unsigned long long)get_le64(v->sb.apfs_num_directories));
	printf("    %s   Snapshots:                 %llu\n", bar,
	       (unsigned long long)get_le64(v->sb.apfs_num_snapshots));
}

/* One group as diskutil apfs listVolumeGroups lays it out (ASAHI's real output). */
static void print_group(const struct cli_image *img, unsigned ci, const uint8_t g[16], bool last)
{
	const struct cli_volume *m[APFS_NX_MAX_FILE_SYSTEMS];
	unsigned n = list_group_members(img, ci, g, m);
	const char *bar = last ? " " : "|";
	char u[37], role[32], size[32];

	apfs_uuid_str(g, u);
	printf("    |\n    +-> Volume Group %s\n", u);
	printf("    %s   =================================================\n", bar);
	for (unsigned i = 0; i < n; i++) {
		const struct apfs_volume *v = m[i]->v;

		if (i)
			printf("    %s   -------------------------------------------------\n", bar);
		role_str(v, role, sizeof(role));
		apfs_uuid_str(v->uuid, u);
		fmt_bytes(list_vol_bytes(v), size, sizeof(size));
		printf("    %s   APFS Volume (Role):        %u (%s)\n", bar, m[i]->number, role);
		printf("    %s   Name:                      %s\n", bar, cli_safe_str(v->name));
		printf("    %s   Volume UUID:               %s\n", bar, u);
		printf("    %s   Capacity Consumed:         %llu B (%s)\n", bar,
		       (unsigned long long)list_vol_bytes(v), size);
	}
}

static void print_checkpoints(const struct apfs_container *c)
{
	printf("    Checkpoints:                  %u found\n", c->ncps);
	for (unsigned i = 0; i < c->ncps; i++)
		printf("      xid %-10llu block %-8llu %s%s\n", (unsigned long long)c->cps[i].xid,
		       (unsigned long long)c->cps[i].paddr,
		       c->cps[i].valid ? "valid" : "bad checksum",
		       c->cps[i].chosen ? "  (in use)" : "");
}

static void print_container(const struct cli_image *img, unsigned ci, bool cps)
{
	const struct apfs_container *c = img->cont[ci];
	const struct apfs_part *p = list_part_of(img, c);
	uint64_t cap = c->block_count * c->block_size, used = 0;
	char u[37], s1[32], s2[32];
	unsigned nv = 0, seen = 0, ng;
	uint8_t groups[APFS_NX_MAX_FILE_SYSTEMS][16];

	for (unsigned i = 0; i < img->nvols; i++)
		if (img->vols[i].cidx == ci)
			used += list_vol_bytes(img->vols[i].v), nv++;
	apfs_uuid_str(c->nx.nx_uuid, u);
	fmt_bytes(cap, s1, sizeof(s1));
	fmt_bytes(used, s2, sizeof(s2));
	printf("|\n+-- Container %s\n", u);
	printf("    ====================================================\n");
	if (p && p->index)
		printf("    Partition:                    GPT entry %u (%s), offset %llu\n",
		       p->index, p->type, (unsigned long long)c->offset);
	else
		printf("    Offset:                       %llu\n", (unsigned long long)c->offset);
	printf("    Block Size:                   %u B\n", c->block_size);
	printf("    Block Count:                  %llu\n", (unsigned long long)c->block_count);
	printf("    Size (Capacity Ceiling):      %llu B (%s)\n", (unsigned long long)cap, s1);
	printf("    Capacity In Use By Volumes:   %llu B (%s)\n", (unsigned long long)used, s2);
	printf("    Checkpoint:                   xid %llu (block %llu)\n",
	       (unsigned long long)c->xid, (unsigned long long)c->nx_paddr);
	if (c->blocks_present < c->block_count)
		printf("    Truncated:                    Yes (%llu of %llu blocks present)\n",
		       (unsigned long long)c->blocks_present, (unsigned long long)c->block_count);
	if (cps)
		print_checkpoints(c);
	ng = list_groups(img, ci, groups);
	for (unsigned i = 0; i < img->nvols; i++)
		if (img->vols[i].cidx == ci)
			print_volume(&img->vols[i], ++seen == nv && !ng);
	for (unsigned g = 0; g < ng; g++)
		print_group(img, ci, groups[g], g + 1 == ng);
}

static void json_time(struct json *j, const char *key, uint64_t ns)
{
	char t[48];

	if (!ns) {
		json_str(j, key, NULL);
		return;
	}
	fmt_iso_ns(ns, t, sizeof(t));
	json_str(j, key, t);
}

static void json_history(struct json *j, const struct apfs_volume *v)
{
	char by[40];

	json_arr_open(j, "modified_by");
	for (int i = 0; i < APFS_MAX_HIST; i++) {
		const struct apfs_modified_by *m = &v->sb.apfs_modified_by[i];

		if (!m->id[0])
			continue;
		modified_by(m, by, sizeof(by));
		json_obj_open(j, NULL);
		json_str(j, "id", by);
		json_time(j, "time", get_le64(m->timestamp));
		json_u64(j, "last_xid", get_le64(m->last_xid));
		json_obj_close(j);
	}
	json_arr_close(j);
}

static void json_volume(struct json *j, const struct cli_volume *cv)
{
	const struct apfs_volume *v = cv->v;
	const char *role = apfs_role_name(get_le16(v->sb.apfs_role));
	uint64_t inc = get_le64(v->sb.apfs_incompatible_features);
	char by[40];

	modified_by(&v->sb.apfs_formatted_by, by, sizeof(by));
	json_obj_open(j, NULL);
	json_u64(j, "number", cv->number);
	json_u64(j, "fs_index", get_le32(v->sb.apfs_fs_index));
	json_uuid(j, "volume_uuid", v->uuid);
	json_str(j, "volume", v->name);
	json_str(j, "role", get_le16(v->sb.apfs_role) ? role : "None");
	json_u64(j, "role_value", get_le16(v->sb.apfs_role));
	json_bool(j, "case_insensitive", apfs_volume_case_insensitive(v));
	json_bool(j, "filevault", apfs_volume_encrypted(v));
	json_bool(j, "encrypted", apfs_volume_encrypted(v) && !list_hw_encrypted(v));
	json_bool(j, "hardware_encrypted", list_hw_encrypted(v));
	json_bool(j, "locked", apfs_volume_encrypted(v) && !v->xts);
	json_bool(j, "sealed", inc & APFS_INCOMPAT_SEALED_VOLUME);
	json_seal(j, v);
	json_u64(j, "fs_flags", get_le64(v->sb.apfs_fs_flags));
	json_u64(j, "incompatible_features", inc);
	json_u64(j, "capacity_consumed_bytes", list_vol_bytes(v));
	json_u64(j, "superblock_block", v->paddr);
	json_str(j, "formatted_by", by);
	json_time(j, "created", get_le64(v->sb.apfs_formatted_by.timestamp));
	json_time(j, "last_modified", get_le64(v->sb.apfs_last_mod_time));
	json_time(j, "last_unmounted", get_le64(v->sb.apfs_unmount_time));
	json_history(j, v);
	json_u64(j, "files", get_le64(v->sb.apfs_num_files));
	json_u64(j, "directories", get_le64(v->sb.apfs_num_directories));
	json_u64(j, "symlinks", get_le64(v->sb.apfs_num_symlinks));
	json_u64(j, "snapshots", get_le64(v->sb.apfs_num_snapshots));
	if (cli_in_group(v))
		json_uuid(j, "volume_group", v->sb.apfs_volume_group_id);
	else
		json_null(j, "volume_group");
	json_obj_close(j);
}

static void json_groups(struct json *j, const struct cli_image *img, unsigned ci)
{
	uint8_t g[APFS_NX_MAX_FILE_SYSTEMS][16];
	const struct cli_volume *m[APFS_NX_MAX_FILE_SYSTEMS];
	unsigned ng = list_groups(img, ci, g);

	json_arr_open(j, "volume_groups");
	for (unsigned k = 0; k < ng; k++) {
		unsigned n = list_group_members(img, ci, g[k], m);

		json_obj_open(j, NULL);
		json_uuid(j, "volume_group", g[k]);
		json_arr_open(j, "members");
		for (unsigned i = 0; i < n; i++) {
			uint16_t r = get_le16(m[i]->v->sb.apfs_role);

			json_obj_open(j, NULL);
			json_u64(j, "number", m[i]->number);
			json_uuid(j, "volume_uuid", m[i]->v->uuid);
			json_str(j, "volume", m[i]->v->name);
			json_str(j, "role", r ? apfs_role_name(r) : "None");
			json_obj_close(j);
		}
		json_arr_close(j);
		json_obj_close(j);
	}
	json_arr_close(j);
}

static void json_checkpoints(struct json *j, const struct apfs_container *c)
{
	json_arr_open(j, "checkpoints");
	for (unsigned i = 0; i < c->ncps; i++) {
		json_obj_open(j, NULL);
		json_u64(j, "xid", c->cps[i].xid);
		json_u64(j, "block", c->cps[i].paddr);
		json_bool(j, "valid", c->cps[i].valid);
		json_bool(j, "in_use", c->cps[i].chosen);
		json_obj_close(j);
	}
	json_arr_close(j);
}

static void json_container(struct json *j, const struct cli_image *img, unsigned ci)
{
	const struct apfs_container *c = img->cont[ci];
	const struct apfs_part *p = list_part_of(img, c);
	uint64_t used = 0;

	for (unsigned i = 0; i < img->nvols; i++)
		if (img->vols[i].cidx == ci)
			used += list_vol_bytes(img->vols[i].v);
	json_obj_open(j, NULL);
	json_uuid(j, "container_uuid", c->nx.nx_uuid);
	json_u64(j, "offset", c->offset);
	json_u64(j, "gpt_entry", p ? p->index : 0);
	json_str(j, "partition_type", p && p->index ? p->type : NULL);
	json_u64(j, "block_size", c->block_size);
	json_u64(j, "block_count", c->block_count);
	json_u64(j, "blocks_present", c->blocks_present);
	json_bool(j, "truncated", c->blocks_present < c->block_count);
	json_u64(j, "capacity_bytes", c->block_count * c->block_size);
	json_u64(j, "in_use_by_volumes_bytes", used);
	json_u64(j, "xid", c->xid);
	json_u64(j, "superblock_block", c->nx_paddr);
	json_bool(j, "software_crypto", get_le64(c->nx.nx_flags) & APFS_NX_CRYPTO_SW);
	json_checkpoints(j, c);
	json_arr_open(j, "volumes");
	for (unsigned i = 0; i < img->nvols; i++)
		if (img->vols[i].cidx == ci)
			json_volume(j, &img->vols[i]);
	json_arr_close(j);
	json_groups(j, img, ci);
	json_obj_close(j);
}

static void print_json(const struct cli_image *img, const char *path)
{
	struct json j;

	json_begin(&j, stdout);
	json_str(&j, "image", path);
	json_str(&j, "image_format", img->dev->ops->kind);
	json_u64(&j, "image_size", img->dev->size);
	json_arr_open(&j, "containers");
	for (unsigned i = 0; i < img->ncont; i++)
		json_container(&j, img, i);
	json_arr_close(&j);
	cli_chain_json(&j, img);
	json_end(&j);
}

int cmd_list(int argc, char **argv)
{
	struct cli_opts o;
	struct cli_image img;
	int ret = cli_parse(argc, argv, OPT_JSON, 0, 0, list_help, &o);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	if (o.json && o.plist) {
		fprintf(stderr, "apfsinspect: choose one of --plist and --json\n%s", list_help);
		return EXIT_USAGE;
	}
	ret = cli_image_open(&o, &img);
	if (ret) {
		cli_image_close(&img);
		return cli_exit_code(ret);
	}
	if (o.json) {
		print_json(&img, o.image);
	} else if (o.plist) {
		ret = list_plist(&img);
	} else {
		cli_chain_print(&img, stdout);
		printf("APFS Containers (%u found)\n", img.ncont);
		for (unsigned i = 0; i < img.ncont; i++)
			print_container(&img, i, o.checkpoints);
	}
	if (!ret)
		ret = img.partial_err;
	cli_image_close(&img);
	/* What could be read was shown; what could not was named above. */
	return cli_exit_code(ret);
}
