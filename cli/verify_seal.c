/* SPDX-License-Identifier: MIT */
/*
 * verify_seal.c - `verify`'s second half: the seal of every sealed volume
 * (a System volume of macOS 11+): each node of its fs tree hashed and
 * compared with what its parent holds, up to the root hash the integrity
 * metadata holds (docs/macos-boot.md §4).  A node that does not match was
 * changed after Apple sealed the volume; it is named by block.
 */
#include "cli.h"
#include "apfs/fs.h"

/* --json: the volume's seal as one object of the "seals" array. */
static void seal_json(struct json *j, const struct apfs_volume *v, const struct apfs_seal *s,
		      const char *status, int err, uint64_t nodes, uint64_t bad)
{
	json_obj_open(j, NULL);
	json_str(j, "volume", v->name);
	json_uuid(j, "volume_uuid", v->uuid);
	json_str(j, "hash", s->hash_name);
	json_str(j, "status", status);
	if (s->broken_xid)
		json_u64(j, "broken_xid", s->broken_xid);
	json_str(j, "reason", err ? strerror(-err) : NULL);
	json_u64(j, "nodes", nodes);
	json_u64(j, "nodes_mismatched", bad);
	json_obj_close(j);
}

/* One volume: 1 checked and matched, 2 checked with mismatches, 0 not checked. */
static int verify_volume(struct cli_volume *cv, struct json *j)
{
	struct apfs_volume *v = cv->v;
	struct apfs_seal s;
	struct apfs_fs *fs = NULL;
	uint64_t nodes = 0, bad = 0;
	int ret;

	if (apfs_volume_seal(v, &s))
		return 0;
	if (s.broken_xid || (s.flags & APFS_SEAL_BROKEN)) {
		if (j) {
			seal_json(j, v, &s, "broken", 0, 0, 0);
			return 0;
		}
		printf("seal of volume '%s': broken in transaction %llu (the integrity metadata "
		       "says so): its nodes are not checked\n", cli_safe_str(v->name),
		       (unsigned long long)s.broken_xid);
		return 0;
	}
	ret = apfs_fs_open(v, 0, &fs);
	if (!ret)
		ret = apfs_fs_seal_verify(fs, &nodes, &bad);
	apfs_fs_close(fs);
	if (ret && j)
		seal_json(j, v, &s, "not_checked", ret, 0, 0);
	else if (j)
		seal_json(j, v, &s, bad ? "failed" : "ok", 0, nodes, bad);
	if (j)
		return ret ? 0 : bad ? 2 : 1;
	if (ret) {
		printf("seal of volume '%s': not checked (%s)\n", cli_safe_str(v->name),
		       strerror(-ret));
		return 0;
	}
	if (bad)
		printf("seal of volume '%s' (%s): FAILED: %llu of %llu fs-tree nodes do not "
		       "match their hash (named above)\n", cli_safe_str(v->name), s.hash_name,
		       (unsigned long long)bad, (unsigned long long)nodes);
	else
		printf("seal of volume '%s' (%s): OK: all %llu fs-tree nodes match, up to the "
		       "root hash\n", cli_safe_str(v->name), s.hash_name,
		       (unsigned long long)nodes);
	return bad ? 2 : 1;
}

int verify_seals(struct cli_image *img, unsigned *checked, unsigned *bad, struct json *j)
{
	for (unsigned i = 0; i < img->nvols; i++) {
		int r = verify_volume(&img->vols[i], j);

		*checked += r != 0;
		*bad += r == 2;
	}
	return 0;
}
