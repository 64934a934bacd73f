/* SPDX-License-Identifier: MIT */
/*
 * list_seal.c - `list`'s seals: a sealed volume's and each of its
 * snapshots' (macOS 11+ boots from a sealed snapshot of the System volume;
 * once an update is staged the live seal shows "Broken": docs/macos-boot.md
 * §4, docs/users.md §2.5 "Snapshot Sealed").  Text in diskutil's layout,
 * with the hash and the transaction that broke it as forensic detail.
 */
#include "api_fs.h"
#include "list.h"

/*
 * What diskutil's "Sealed:" says, given what reading the seal returned:
 * "Yes" (intact), "Broken", "No" (none), or "unknown (why)" where the
 * superblock shows a seal that could not be read (named on stderr).
 */
const char *list_sealed_word(int ret, const struct apfsi_seal_info *s, char *buf, size_t len)
{
	if (ret == APFSI_ERR_NOT_FOUND)
		return "No";
	if (ret) {
		snprintf(buf, len, "unknown (%s)", cli_strerror(cli_api_errno(ret)));
		return buf;
	}
	return s->intact ? "Yes" : "Broken";
}

/* "SHA-256, intact", "SHA-256, broken in transaction 3" or "SHA-256, broken". */
static void seal_words(const struct apfsi_seal_info *s, char *buf, size_t len)
{
	if (s->intact)
		snprintf(buf, len, "%s, intact", s->hash_name);
	else if (s->broken_xid)
		snprintf(buf, len, "%s, broken in transaction %llu", s->hash_name,
			 (unsigned long long)s->broken_xid);
	else
		snprintf(buf, len, "%s, broken", s->hash_name);
}

void list_seal_print(const struct apfsi_seal_info *s, const char *bar)
{
	char w[96];

	seal_words(s, w, sizeof(w));
	printf("    %s   Seal:                      %s\n", bar, w);
}

/* One snapshot of a sealed volume: its name, xid and whether its state is sealed. */
static void snapshot_print(apfsi_volume *vol, const struct apfsi_snapshot_info *si,
			   const char *bar)
{
	struct apfsi_seal_info s;
	int ret = apfsi_snapshot_seal(vol, si->xid, &s);
	char w[96];

	printf("    %s   |\n", bar);
	printf("    %s   Snapshot Name:             %s\n", bar, cli_safe_str(si->name));
	printf("    %s   Snapshot XID:              %llu\n", bar, (unsigned long long)si->xid);
	printf("    %s   Snapshot Sealed:           %s\n", bar, list_sealed_word(ret, &s, w, sizeof(w)));
	if (ret)
		return;
	seal_words(&s, w, sizeof(w));
	printf("    %s   Snapshot Seal:             %s\n", bar, w);
}

void list_snapshot_seals_print(const struct list_vol *v, const char *bar)
{
	struct apfsi_snapshot_info si;
	unsigned n = v->info.sealed ? v->snaps_listed : 0;

	/* found short: each found is given (the shortfall was named by list_load) */
	for (unsigned i = 0; i < n; i++)
		if (!apfsi_volume_snapshot(v->h, i, &si))
			snapshot_print(v->h, &si, bar);
}

static void list_seal_json(struct json *j, const char *key, const struct apfsi_seal_info *s)
{
	char hex[2 * sizeof(s->root_hash) + 1];

	cli_hex(hex, s->root_hash, s->hash_len < sizeof(s->root_hash) ? s->hash_len :
		sizeof(s->root_hash));
	json_obj_open(j, key);
	json_u64(j, "hash_type", s->hash_type);
	json_str(j, "hash", s->hash_name);
	json_str(j, "root_hash", hex);
	json_u64(j, "broken_xid", s->broken_xid);
	json_bool(j, "intact", s->intact);
	json_str(j, "index_values", s->index_values);
	json_obj_close(j);
}

void list_snapshot_seals_json(struct json *j, const struct list_vol *v)
{
	struct apfsi_snapshot_info si;
	struct apfsi_seal_info s;
	unsigned n = v->info.sealed ? v->snaps_listed : 0;

	json_arr_open(j, "snapshot_seals");
	for (unsigned i = 0; i < n; i++) {
		int ret;

		if (apfsi_volume_snapshot(v->h, i, &si))
			continue;
		ret = apfsi_snapshot_seal(v->h, si.xid, &s);
		json_obj_open(j, NULL);
		json_str(j, "snapshot", si.name);
		json_u64(j, "snapshot_xid", si.xid);
		if (ret)
			json_null(j, "seal");
		else
			list_seal_json(j, "seal", &s);
		json_str(j, "error", ret && ret != APFSI_ERR_NOT_FOUND ?
			 cli_strerror(cli_api_errno(ret)) : NULL);
		json_obj_close(j);
	}
	json_arr_close(j);
}

void list_volume_seal_json(struct json *j, const struct list_vol *v)
{
	struct apfsi_seal_info s;
	int ret = apfsi_volume_seal(v->h, &s);

	if (ret)
		json_str(j, "seal", NULL);
	else
		list_seal_json(j, "seal", &s);
	/* a superblock that shows a seal that could not be read (named on stderr) */
	json_str(j, "seal_error", ret && ret != APFSI_ERR_NOT_FOUND ?
		 cli_strerror(cli_api_errno(ret)) : NULL);
}
