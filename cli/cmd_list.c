/* SPDX-License-Identifier: MIT */
/*
 * cmd_list.c - `apfsinspect list`: containers and volumes, laid out like
 * `diskutil apfs list` (docs/users.md §2.5), plus checkpoints on request;
 * everything from libapfsinspect (list_facts.c).
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
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

static void print_volume(const struct list_vol *v, bool last)
{
	const struct apfsi_volume_info *vi = &v->info;
	const char *bar = last ? " " : "|";
	char u[37], size[32], role[32], created[40];
	struct apfsi_seal_info seal;
	char word[96];
	int sret;

	cli_uuid_str(vi->uuid, u);
	fmt_bytes(list_vol_bytes(v), size, sizeof(size));
	list_role_str(v, role, sizeof(role));
	fmt_time_ns((uint64_t)v->sb.created, created, sizeof(created));
	printf("    |\n    +-> Volume %u %s\n", vi->number, u);
	printf("    %s   ---------------------------------------------------\n", bar);
	printf("    %s   APFS Volume (Role):        %u (%s)\n", bar, vi->number, role);
	if (vi->has_group) {
		cli_uuid_str(vi->group_uuid, u);
		printf("    %s   APFS Volume Group:         %s\n", bar, u);
	}
	printf("    %s   Name:                      %s (%s)\n", bar, cli_safe_str(vi->name),
	       vi->case_insensitive ? "Case-insensitive" : "Case-sensitive");
	printf("    %s   Capacity Consumed:         %llu B (%s)\n", bar,
	       (unsigned long long)list_vol_bytes(v), size);
	sret = apfsi_volume_seal(v->h, &seal);
	printf("    %s   Sealed:                    %s\n", bar,
	       list_sealed_word(sret, &seal, word, sizeof(word)));
	if (!sret)
		list_seal_print(&seal, bar);
	printf("    %s   FileVault:                 %s\n", bar,
	       vi->encrypted ? (vi->locked ? "Yes (Locked)" : "Yes (Unlocked)") : "No");
	printf("    %s   Encrypted:                 %s\n", bar,
	       yesno(vi->encrypted && !vi->hardware_encrypted));
	printf("    %s   Hardware Encrypted:        %s\n", bar, yesno(vi->hardware_encrypted));
	printf("    %s   Formatted By:              %s\n", bar, cli_safe_str(v->sb.formatted_by));
	printf("    %s   Created:                   %s\n", bar, created);
	printf("    %s   Files / Directories:       %llu / %llu\n", bar,
	       (unsigned long long)vi->files, (unsigned long long)vi->directories);
	printf("    %s   Snapshots:                 %llu\n", bar, (unsigned long long)vi->snapshots);
	list_snapshot_seals_print(v, bar);
}

/* One group as diskutil apfs listVolumeGroups lays it out (ASAHI's real output). */
static void print_group(const struct list_image *li, unsigned ci, const uint8_t g[16],
			const struct list_vol **m, bool last)
{
	unsigned n = list_group_members(li, ci, g, m);
	const char *bar = last ? " " : "|";
	char u[37], role[32], size[32];

	cli_uuid_str(g, u);
	printf("    |\n    +-> Volume Group %s\n", u);
	printf("    %s   =================================================\n", bar);
	for (unsigned i = 0; i < n; i++) {
		if (i)
			printf("    %s   -------------------------------------------------\n", bar);
		list_role_str(m[i], role, sizeof(role));
		cli_uuid_str(m[i]->info.uuid, u);
		fmt_bytes(list_vol_bytes(m[i]), size, sizeof(size));
		printf("    %s   APFS Volume (Role):        %u (%s)\n", bar, m[i]->info.number,
		       role);
		printf("    %s   Name:                      %s\n", bar, cli_safe_str(m[i]->info.name));
		printf("    %s   Volume UUID:               %s\n", bar, u);
		printf("    %s   Capacity Consumed:         %llu B (%s)\n", bar,
		       (unsigned long long)list_vol_bytes(m[i]), size);
	}
}

static void print_checkpoints(const struct list_image *li, unsigned ci)
{
	struct apfsi_checkpoint_info cp;

	printf("    Checkpoints:                  %u found\n", li->cont[ci].checkpoints);
	for (unsigned i = 0; i < li->cont[ci].checkpoints; i++)
		if (!apfsi_container_checkpoint(li->img, ci, i, &cp))
			printf("      xid %-10llu block %-8llu %s%s\n",
			       (unsigned long long)cp.xid, (unsigned long long)cp.block,
			       cp.valid ? "valid" : "bad checksum", cp.in_use ? "  (in use)" : "");
}

/* What the volumes of container ci use, and how many there are. */
static uint64_t volumes_bytes(const struct list_image *li, unsigned ci, unsigned *nv)
{
	uint64_t used = 0;

	*nv = 0;
	for (unsigned i = 0; i < li->info.volumes; i++)
		if (li->vols[i].info.container == ci)
			used += list_vol_bytes(&li->vols[i]), ++*nv;
	return used;
}

static void print_container_head(const struct list_image *li, unsigned ci, bool cps)
{
	const struct apfsi_container_info *c = &li->cont[ci];
	uint64_t cap = c->block_count * c->block_size, used;
	unsigned nv;
	char u[37], s1[32], s2[32];

	used = volumes_bytes(li, ci, &nv);
	cli_uuid_str(c->uuid, u);
	fmt_bytes(cap, s1, sizeof(s1));
	fmt_bytes(used, s2, sizeof(s2));
	printf("|\n+-- Container %s\n", u);
	printf("    ====================================================\n");
	if (c->gpt_entry)
		printf("    Partition:                    GPT entry %u (%s), offset %llu\n",
		       c->gpt_entry, c->partition_type, (unsigned long long)c->offset);
	else
		printf("    Offset:                       %llu\n", (unsigned long long)c->offset);
	printf("    Block Size:                   %u B\n", c->block_size);
	printf("    Block Count:                  %llu\n", (unsigned long long)c->block_count);
	printf("    Size (Capacity Ceiling):      %llu B (%s)\n", (unsigned long long)cap, s1);
	printf("    Capacity In Use By Volumes:   %llu B (%s)\n", (unsigned long long)used, s2);
	printf("    Checkpoint:                   xid %llu (block %llu)\n",
	       (unsigned long long)c->xid, (unsigned long long)c->superblock_block);
	if (c->blocks_present < c->block_count)
		printf("    Truncated:                    Yes (%llu of %llu blocks present)\n",
		       (unsigned long long)c->blocks_present, (unsigned long long)c->block_count);
	if (cps)
		print_checkpoints(li, ci);
}

static int print_container(const struct list_image *li, unsigned ci, bool cps)
{
	unsigned n = li->info.volumes ? li->info.volumes : 1, nv, seen = 0, ng;
	uint8_t (*groups)[16] = calloc(n, sizeof(*groups));
	const struct list_vol **m = calloc(n, sizeof(*m));

	if (!groups || !m) {
		free(groups);
		free(m);
		return APFSI_ERR_NOMEM;
	}
	print_container_head(li, ci, cps);
	volumes_bytes(li, ci, &nv);
	ng = list_groups(li, ci, groups);
	for (unsigned i = 0; i < li->info.volumes; i++)
		if (li->vols[i].info.container == ci)
			print_volume(&li->vols[i], ++seen == nv && !ng);
	for (unsigned g = 0; g < ng; g++)
		print_group(li, ci, groups[g], m, g + 1 == ng);
	free(groups);
	free(m);
	return APFSI_OK;
}

static void json_time(struct json *j, const char *key, int64_t ns)
{
	char t[48];

	if (!ns) {
		json_str(j, key, NULL);
		return;
	}
	fmt_iso_ns((uint64_t)ns, t, sizeof(t));
	json_str(j, key, t);
}

static void json_history(struct json *j, const struct list_vol *v)
{
	struct apfsi_modified_by m;

	json_arr_open(j, "modified_by");
	for (unsigned i = 0; i < v->sb.modified_by; i++) {
		if (apfsi_volume_modified_by(v->h, i, &m))
			continue;
		json_obj_open(j, NULL);
		json_str(j, "id", m.id);
		json_time(j, "time", m.time);
		json_u64(j, "last_xid", m.last_xid);
		json_obj_close(j);
	}
	json_arr_close(j);
}

static void json_volume(struct json *j, const struct list_vol *v)
{
	const struct apfsi_volume_info *vi = &v->info;

	json_obj_open(j, NULL);
	json_u64(j, "number", vi->number);
	json_u64(j, "fs_index", v->sb.fs_index);
	json_uuid(j, "volume_uuid", vi->uuid);
	json_str(j, "volume", vi->name);
	json_str(j, "role", list_role_json(v));
	json_u64(j, "role_value", v->sb.role);
	json_bool(j, "case_insensitive", vi->case_insensitive);
	json_bool(j, "filevault", vi->encrypted);
	json_bool(j, "encrypted", vi->encrypted && !vi->hardware_encrypted);
	json_bool(j, "hardware_encrypted", vi->hardware_encrypted);
	json_bool(j, "locked", vi->locked);
	json_bool(j, "sealed", vi->sealed);
	list_volume_seal_json(j, v);
	json_u64(j, "fs_flags", v->sb.fs_flags);
	json_u64(j, "incompatible_features", v->sb.incompatible_features);
	json_u64(j, "capacity_consumed_bytes", list_vol_bytes(v));
	json_u64(j, "superblock_block", v->sb.block);
	json_str(j, "formatted_by", v->sb.formatted_by);
	json_time(j, "created", v->sb.created);
	json_time(j, "last_modified", v->sb.last_modified);
	json_time(j, "last_unmounted", v->sb.last_unmounted);
	json_history(j, v);
	json_u64(j, "files", vi->files);
	json_u64(j, "directories", vi->directories);
	json_u64(j, "symlinks", vi->symlinks);
	json_u64(j, "snapshots", vi->snapshots);
	json_u64(j, "snapshots_listed", v->snaps_listed);
	json_str(j, "snapshots_error", v->snaps_ret ? v->snaps_why : NULL);
	list_snapshot_seals_json(j, v);
	if (vi->has_group)
		json_uuid(j, "volume_group", vi->group_uuid);
	else
		json_null(j, "volume_group");
	json_obj_close(j);
}

static void json_members(struct json *j, const struct list_vol **m, unsigned n)
{
	json_arr_open(j, "members");
	for (unsigned i = 0; i < n; i++) {
		json_obj_open(j, NULL);
		json_u64(j, "number", m[i]->info.number);
		json_uuid(j, "volume_uuid", m[i]->info.uuid);
		json_str(j, "volume", m[i]->info.name);
		json_str(j, "role", list_role_json(m[i]));
		json_obj_close(j);
	}
	json_arr_close(j);
}

static int json_groups(struct json *j, const struct list_image *li, unsigned ci)
{
	unsigned n = li->info.volumes ? li->info.volumes : 1, ng;
	uint8_t (*g)[16] = calloc(n, sizeof(*g));
	const struct list_vol **m = calloc(n, sizeof(*m));

	if (!g || !m) {
		free(g);
		free(m);
		return APFSI_ERR_NOMEM;
	}
	ng = list_groups(li, ci, g);
	json_arr_open(j, "volume_groups");
	for (unsigned k = 0; k < ng; k++) {
		json_obj_open(j, NULL);
		json_uuid(j, "volume_group", g[k]);
		json_members(j, m, list_group_members(li, ci, g[k], m));
		json_obj_close(j);
	}
	json_arr_close(j);
	free(g);
	free(m);
	return APFSI_OK;
}

static void json_checkpoints(struct json *j, const struct list_image *li, unsigned ci)
{
	struct apfsi_checkpoint_info cp;

	json_arr_open(j, "checkpoints");
	for (unsigned i = 0; i < li->cont[ci].checkpoints; i++) {
		if (apfsi_container_checkpoint(li->img, ci, i, &cp))
			continue;
		json_obj_open(j, NULL);
		json_u64(j, "xid", cp.xid);
		json_u64(j, "block", cp.block);
		json_bool(j, "valid", cp.valid);
		json_bool(j, "in_use", cp.in_use);
		json_obj_close(j);
	}
	json_arr_close(j);
}

static int json_container(struct json *j, const struct list_image *li, unsigned ci)
{
	const struct apfsi_container_info *c = &li->cont[ci];
	unsigned nv;
	uint64_t used = volumes_bytes(li, ci, &nv);
	int ret;

	json_obj_open(j, NULL);
	json_uuid(j, "container_uuid", c->uuid);
	json_u64(j, "offset", c->offset);
	json_u64(j, "gpt_entry", c->gpt_entry);
	json_str(j, "partition_type", c->partition_type);
	json_u64(j, "block_size", c->block_size);
	json_u64(j, "block_count", c->block_count);
	json_u64(j, "blocks_present", c->blocks_present);
	json_bool(j, "truncated", c->blocks_present < c->block_count);
	json_u64(j, "capacity_bytes", c->block_count * c->block_size);
	json_u64(j, "in_use_by_volumes_bytes", used);
	json_u64(j, "xid", c->xid);
	json_u64(j, "superblock_block", c->superblock_block);
	json_bool(j, "software_crypto", c->software_crypto);
	json_checkpoints(j, li, ci);
	json_arr_open(j, "volumes");
	for (unsigned i = 0; i < li->info.volumes; i++)
		if (li->vols[i].info.container == ci)
			json_volume(j, &li->vols[i]);
	json_arr_close(j);
	ret = json_groups(j, li, ci);
	json_obj_close(j);
	return ret;
}

/* image_format and image_size: the innermost layer's, the disk the containers are on. */
static void json_image(struct json *j, const struct list_image *li)
{
	struct apfsi_layer_info l;

	if (li->info.layers && !apfsi_image_layer(li->img, li->info.layers - 1, &l))
		json_str(j, "image_format", l.kind);
	else
		json_str(j, "image_format", li->info.format);
	json_u64(j, "image_size", li->info.size);
}

static int print_json(const struct list_image *li, const char *path)
{
	struct json j;
	int ret = 0;

	json_begin(&j, stdout);
	json_str(&j, "image", path);
	json_image(&j, li);
	json_arr_open(&j, "containers");
	for (unsigned i = 0; i < li->info.containers; i++)
		ret = ret ? ret : json_container(&j, li, i);
	json_arr_close(&j);
	list_chain_json(&j, li);
	json_end(&j);
	return ret;
}

static int print_text(const struct list_image *li, bool cps)
{
	int ret = 0;

	list_chain_print(li, stdout);
	printf("APFS Containers (%u found)\n", li->info.containers);
	for (unsigned i = 0; i < li->info.containers && !ret; i++)
		ret = print_container(li, i, cps);
	return ret;
}

static int list_image(const struct cli_opts *o, apfsi_image *img)
{
	struct list_image li;
	int ret = list_load(img, &li);

	if (!ret)
		ret = o->json ? print_json(&li, o->image) :
		      o->plist ? list_plist(&li) : print_text(&li, o->checkpoints);
	/* A library error (> 0) is told here; list_plist's (< 0: libplist not loaded) was told. */
	if (ret > 0)
		fprintf(stderr, "apfsinspect: %s\n", apfsi_last_message()[0] ?
			apfsi_last_message() : apfsi_strerror(ret));
	/* What could be read was shown; what could not was named (the log) above. */
	if (!ret)
		ret = li.info.first_error;
	if (!ret)
		ret = list_snapshots_ret(&li);
	list_free(&li);
	return cli_api_exit(ret);
}

int cmd_list(int argc, char **argv)
{
	struct cli_opts o;
	apfsi_image *img = NULL;
	int ret = cli_parse(argc, argv, OPT_JSON, 0, 0, list_help, &o);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	if (o.json && o.plist) {
		fprintf(stderr, "apfsinspect: choose one of --plist and --json\n%s", list_help);
		return EXIT_USAGE;
	}
	ret = cli_api_open(&o, &img);
	if (!ret)
		ret = list_image(&o, img);
	apfsi_image_close(img);
	return ret;
}
