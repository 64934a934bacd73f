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

/* Why a seal was not checked, in words (the library's code alone says "not found"). */
static const char *seal_reason(int err)
{
	if (err == APFSI_ERR_NOT_FOUND)
		return "the seal gives no hash to check the tree against: a hash type not known, "
		       "or no root hash";
	return cli_strerror(cli_api_errno(err));
}

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
	json_str(j, "reason", err ? seal_reason(err) : NULL);
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
		       seal_reason(err));
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
enum seal_outcome { SEAL_NONE, SEAL_OK, SEAL_FAILED, SEAL_BROKEN, SEAL_UNCHECKED, SEAL_UNREAD };

/*
 * One volume: checked and matched, or with mismatches; broken (the
 * integrity metadata says so); not checked (a seal or a tree that cannot
 * be read: named, and counted, so that the verdict does not say there was
 * none); or no seal.
 */
static enum seal_outcome verify_volume(apfsi_volume *vol, const struct apfsi_volume_info *vi,
				       struct json *j)
{
	struct apfsi_seal_check c;
	int ret = apfsi_volume_verify_seal(vol, &c);

	if (ret == APFSI_ERR_NOT_FOUND && !c.hash_name)
		return SEAL_NONE;  /* not sealed */
	if (j)
		seal_json(j, vi, &c, c.broken ? "broken" : ret ? "not_checked" :
			  c.mismatched ? "failed" : "ok", ret);
	else
		seal_text(vi, &c, ret);
	return c.broken ? SEAL_BROKEN : ret ? SEAL_UNCHECKED :
	       c.mismatched ? SEAL_FAILED : SEAL_OK;
}

/*
 * A volume that cannot be read (i: its number; 0: skipped when the image
 * was opened, a damaged superblock...): whether it is sealed is not known,
 * so a seal it may have is not checked, and is counted so (found in
 * review: beside an E01's matching hashes verify said OK, exit 0).
 */
static enum seal_outcome volume_unread(unsigned i, int code, struct json *j)
{
	const char *why = cli_strerror(cli_api_errno(code));

	if (j) {
		json_obj_open(j, NULL);
		json_str(j, "volume", NULL);
		if (i)
			json_u64(j, "volume_index", i);
		json_str(j, "status", "not_checked");
		json_str(j, "reason", why);
		json_obj_close(j);
	} else if (i) {
		printf("volume %u: cannot be read (%s): a seal it may have is not checked\n", i,
		       why);
	} else {
		printf("volumes or containers skipped when the image was opened (the first: %s; "
		       "said above): a seal they may have is not checked\n", why);
	}
	return SEAL_UNREAD;
}

static void tally(struct verify_tally *t, enum seal_outcome r)
{
	t->checked += r == SEAL_OK || r == SEAL_FAILED;
	t->bad += r == SEAL_FAILED;
	t->broken += r == SEAL_BROKEN;
	t->unchecked += r == SEAL_UNCHECKED;
	t->unread += r == SEAL_UNREAD;
}

int verify_seals(apfsi_image *img, struct verify_tally *t, struct json *j)
{
	struct apfsi_volume_info vi;
	struct apfsi_image_info ii;
	apfsi_volume *vol;

	if (apfsi_image_info(img, &ii))
		return 0;
	/* containers or volumes found and skipped (an image without APFS: none) */
	if (ii.skipped)
		tally(t, volume_unread(0, ii.first_error, j));
	for (unsigned i = 0; i < ii.volumes; i++) {
		int code = apfsi_image_volume(img, i, &vol);

		if (!code)
			code = apfsi_volume_info(vol, &vi);
		tally(t, code ? volume_unread(i + 1, code, j) : verify_volume(vol, &vi, j));
	}
	return 0;
}
