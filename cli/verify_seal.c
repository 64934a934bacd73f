/* SPDX-License-Identifier: MIT */
/*
 * verify_seal.c - `verify`'s second half: the seal of every sealed volume
 * (a System volume of macOS 11+): each node of its fs tree hashed and
 * compared with what its parent holds, up to the root hash the integrity
 * metadata holds (docs/macos-boot.md §4; apfsi_volume_verify_seal does the
 * work).  A node that does not match was changed after Apple sealed the
 * volume; the library names it by block.  A client of apfsinspect.h only.
 */
#include <string.h>

#include "api_fs.h"
#include "verify.h"

/* --json: the volume's seal as one object of the "seals" array. */
static void seal_json(struct json *j, const struct apfsi_volume_info *vi,
		      const struct apfsi_seal_check *c, const char *status, int err)
{
	json_obj_open(j, NULL);
	json_str(j, "volume", vi->name);
	json_uuid(j, "volume_uuid", vi->uuid);
	json_str(j, "hash", c->hash_name);
	json_str(j, "status", status);
	if (c->broken_xid)
		json_u64(j, "broken_xid", c->broken_xid);
	json_str(j, "reason", err ? cli_strerror(cli_api_errno(err)) : NULL);
	json_u64(j, "nodes", err || c->broken ? 0 : c->nodes);
	json_u64(j, "nodes_mismatched", err || c->broken ? 0 : c->mismatched);
	json_obj_close(j);
}

static void seal_text(const struct apfsi_volume_info *vi, const struct apfsi_seal_check *c,
		      int err)
{
	if (c->broken)
		printf("seal of volume '%s': broken in transaction %llu (the integrity metadata "
		       "says so): its nodes are not checked\n", cli_safe_str(vi->name),
		       (unsigned long long)c->broken_xid);
	else if (err)
		printf("seal of volume '%s': not checked (%s)\n", cli_safe_str(vi->name),
		       cli_strerror(cli_api_errno(err)));
	else if (c->mismatched)
		printf("seal of volume '%s' (%s): FAILED: %llu of %llu fs-tree nodes do not "
		       "match their hash (named above)\n", cli_safe_str(vi->name), c->hash_name,
		       (unsigned long long)c->mismatched, (unsigned long long)c->nodes);
	else
		printf("seal of volume '%s' (%s): OK: all %llu fs-tree nodes match, up to the "
		       "root hash\n", cli_safe_str(vi->name), c->hash_name,
		       (unsigned long long)c->nodes);
}

/* What one volume's seal came to. */
enum seal_outcome { SEAL_NONE, SEAL_OK, SEAL_FAILED, SEAL_UNCHECKED };

/*
 * One volume: checked and matched, or with mismatches; not checked (a
 * seal broken, or one or a tree that cannot be read: named, and counted,
 * so that the verdict does not say there was none); or no seal.
 */
static enum seal_outcome verify_volume(apfsi_volume *vol, struct json *j)
{
	struct apfsi_volume_info vi;
	struct apfsi_seal_check c;
	int ret;

	if (apfsi_volume_info(vol, &vi))
		return SEAL_NONE;
	ret = apfsi_volume_verify_seal(vol, &c);
	if (ret == APFSI_ERR_NOT_FOUND && !c.hash_name)
		return SEAL_NONE;  /* not sealed */
	if (j)
		seal_json(j, &vi, &c, c.broken ? "broken" : ret ? "not_checked" :
			  c.mismatched ? "failed" : "ok", ret);
	else
		seal_text(&vi, &c, ret);
	return ret || c.broken ? SEAL_UNCHECKED : c.mismatched ? SEAL_FAILED : SEAL_OK;
}

int verify_seals(apfsi_image *img, struct verify_tally *t, struct json *j)
{
	struct apfsi_image_info ii;
	apfsi_volume *vol;

	if (apfsi_image_info(img, &ii))
		return 0;
	for (unsigned i = 0; i < ii.volumes; i++) {
		enum seal_outcome r = apfsi_image_volume(img, i, &vol) ? SEAL_NONE :
				      verify_volume(vol, j);

		t->checked += r == SEAL_OK || r == SEAL_FAILED;
		t->bad += r == SEAL_FAILED;
		t->unchecked += r == SEAL_UNCHECKED;
	}
	return 0;
}
