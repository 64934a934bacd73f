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

/* Whose seal: the live tree's (snap NULL) or a snapshot's. */
struct seal_of {
	const struct apfsi_volume_info *vi;
	const struct apfsi_snapshot_info *snap;
};

/* --json: the seal as one object of the "seals" array. */
static void seal_json(struct json *j, const struct seal_of *o, const struct apfsi_seal_check *c,
		      const char *status, int err)
{
	json_obj_open(j, NULL);
	json_str(j, "volume", o->vi->name);
	json_uuid(j, "volume_uuid", o->vi->uuid);
	json_str(j, "snapshot", o->snap ? o->snap->name : NULL);
	if (o->snap)
		json_u64(j, "snapshot_xid", o->snap->xid);
	json_str(j, "hash", c->hash_name);
	json_str(j, "status", status);
	if (c->broken_xid)
		json_u64(j, "broken_xid", c->broken_xid);
	json_str(j, "reason", err ? seal_reason(err) : NULL);
	json_u64(j, "nodes", err || c->broken ? 0 : c->nodes);
	json_u64(j, "nodes_mismatched", err || c->broken ? 0 : c->mismatched);
	json_u64(j, "data_files", c->data_files);
	json_u64(j, "data_hashes", c->data_hashes);
	json_u64(j, "data_mismatched", c->data_mismatched);
	json_u64(j, "data_unchecked", c->data_unchecked);
	json_u64(j, "data_uncovered", c->data_uncovered);
	json_u64(j, "data_strays", c->data_strays);
	json_obj_close(j);
}

/* "seal of volume 'V'" or "seal of snapshot 'S' of volume 'V'": names escaped. */
static void seal_subject(const struct seal_of *o)
{
	if (o->snap)
		printf("seal of snapshot '%s' of volume '%s'", cli_safe_str(o->snap->name),
		       cli_safe_str(o->vi->name));
	else
		printf("seal of volume '%s'", cli_safe_str(o->vi->name));
}

/*
 * The file data's line, once every node was read: "  file data: OK: all N
 * hashes of M files match", FAILED, or some not checked; then what no hash
 * covers (not vouched for by the seal) and hash records of no file (the
 * hashes still all match, but not "OK").
 */
static void data_text(const struct apfsi_seal_check *c)
{
	uint64_t n = c->data_hashes, f = c->data_files;

	printf("  file data: ");
	if (c->data_mismatched)
		printf("FAILED: %llu of %llu hash%s (of %llu file%s) do not match (said above)",
		       (unsigned long long)c->data_mismatched, (unsigned long long)n,
		       n == 1 ? "" : "es", (unsigned long long)f, f == 1 ? "" : "s");
	else if (n)
		printf("%s%llu hash%s of %llu file%s match%s",
		       c->data_unchecked ? "" : c->data_uncovered || c->data_strays ? "all " :
		       "OK: all ", (unsigned long long)n, n == 1 ? "" : "es", (unsigned long long)f,
		       f == 1 ? "" : "s", n == 1 ? "es" : "");
	else
		printf("no hash checked");
	if (c->data_unchecked)
		printf("; %llu not checked (said above)", (unsigned long long)c->data_unchecked);
	if (c->data_uncovered)
		printf("; %llu file%s with data %s no hashes covering all of it: the seal does not "
		       "vouch for it", (unsigned long long)c->data_uncovered,
		       c->data_uncovered == 1 ? "" : "s", c->data_uncovered == 1 ? "has" : "have");
	if (c->data_strays)
		printf("; %llu hash record%s to no file", (unsigned long long)c->data_strays,
		       c->data_strays == 1 ? " belongs" : "s belong");
	printf("\n");
}

static void seal_text(const struct seal_of *o, const struct apfsi_seal_check *c, int err)
{
	seal_subject(o);
	if (c->broken)
		printf(": broken in transaction %llu (the integrity metadata says so): its nodes "
		       "are not checked\n", (unsigned long long)c->broken_xid);
	else if (err)
		printf(": not checked (%s)\n", seal_reason(err));
	else if (c->mismatched)
		printf(" (%s): FAILED: %llu of %llu fs-tree nodes do not match their hash (named "
		       "above)\n", c->hash_name, (unsigned long long)c->mismatched,
		       (unsigned long long)c->nodes);
	else
		printf(" (%s): OK: all %llu fs-tree nodes match, up to the root hash\n",
		       c->hash_name, (unsigned long long)c->nodes);
	if (!c->broken && !err)
		data_text(c);
}

/* What one seal came to. */
enum seal_outcome {
	SEAL_NONE, SEAL_OK, SEAL_FAILED, SEAL_BROKEN, SEAL_UNCHECKED, SEAL_UNREAD,
	SEAL_CAPPED,  /* a snapshot's, past the volume's first SNAPSHOT_SEALS_WALKED */
	SEAL_PARTIAL, /* every node and every data hash checked matched; not every hash was checked */
};

/* Checked: every node read (whatever some hashes came to). */
static bool seal_checked(enum seal_outcome r)
{
	return r == SEAL_OK || r == SEAL_FAILED || r == SEAL_PARTIAL;
}

/*
 * One seal, given what checking it returned: checked and matched, or with
 * mismatches; broken (the integrity metadata says so); not checked (a seal
 * or a tree that cannot be read: named, and counted, so that the verdict
 * does not say there was none); or no seal.
 */
static enum seal_outcome seal_report(const struct seal_of *o, const struct apfsi_seal_check *c,
				     int ret, struct json *j)
{
	enum seal_outcome r = c->broken ? SEAL_BROKEN : ret ? SEAL_UNCHECKED :
			      c->mismatched || c->data_mismatched ? SEAL_FAILED :
			      c->data_unchecked ? SEAL_PARTIAL : SEAL_OK;
	static const char *const status[] = {
		[SEAL_OK] = "ok", [SEAL_FAILED] = "failed", [SEAL_BROKEN] = "broken",
		[SEAL_UNCHECKED] = "not_checked", [SEAL_PARTIAL] = "incomplete",
	};

	if (ret == APFSI_ERR_NOT_FOUND && !c->hash_name)
		return SEAL_NONE;  /* not sealed */
	if (j)
		seal_json(j, o, c, status[r], ret);
	else
		seal_text(o, c, ret);
	return r;
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
	t->checked += seal_checked(r);
	t->bad += r == SEAL_FAILED;
	t->partial += r == SEAL_PARTIAL;
	t->broken += r == SEAL_BROKEN;
	t->unchecked += r == SEAL_UNCHECKED;
	t->unread += r == SEAL_UNREAD;
}

/*
 * A snapshot of a sealed volume with no seal of its own: nothing to check
 * it against, said (macOS seals each update snapshot it boots from; one
 * that is not sealed was made otherwise).
 */
static void snapshot_unsealed(const struct seal_of *o, struct json *j)
{
	if (j) {
		json_obj_open(j, NULL);
		json_str(j, "volume", o->vi->name);
		json_uuid(j, "volume_uuid", o->vi->uuid);
		json_str(j, "snapshot", o->snap->name);
		json_u64(j, "snapshot_xid", o->snap->xid);
		json_str(j, "status", "not_sealed");
		json_obj_close(j);
		return;
	}
	printf("snapshot '%s' of volume '%s': not sealed: nothing to check it against\n",
	       cli_safe_str(o->snap->name), cli_safe_str(o->vi->name));
}

/*
 * A line on snapshots of a volume as a whole, "snapshots of volume 'V':
 * TEXT", or its JSON object: not checked, for reason.
 */
static void snapshots_note(const struct apfsi_volume_info *vi, const char *text,
			   const char *reason, struct json *j)
{
	if (!j) {
		printf("snapshots of volume '%s': %s\n", cli_safe_str(vi->name), text);
		return;
	}
	json_obj_open(j, NULL);
	json_str(j, "volume", vi->name);
	json_uuid(j, "volume_uuid", vi->uuid);
	json_str(j, "snapshot", NULL);
	json_str(j, "status", "not_checked");
	json_str(j, "reason", reason);
	json_obj_close(j);
}

/* Snapshots of a sealed volume not found (records lost, said above): a seal they have too. */
static enum seal_outcome snapshots_unread(const struct apfsi_volume_info *vi, int code,
					  struct json *j)
{
	const char *why = cli_strerror(cli_api_errno(code));
	char text[256];

	snprintf(text, sizeof(text), "not all found (%s; said above): a seal they may have is "
		 "not checked", why);
	snapshots_note(vi, text, why, j);
	return SEAL_UNREAD;
}

/*
 * How many snapshots' trees one volume has walked against their seals: a
 * Mac's System volume has one or two, and each walk reads the whole tree,
 * so an image that claims thousands (65,536 at most) would cost hours.
 * Seals past the cap are counted and named as not checked.
 */
#define SNAPSHOT_SEALS_WALKED 64

/* Sealed snapshots past the cap: not walked, said, counted (INCOMPLETE). */
static void snapshots_capped(const struct apfsi_volume_info *vi, unsigned n,
			     struct verify_tally *t, struct json *j)
{
	char why[128];

	snprintf(why, sizeof(why), "%u more snapshots with a seal (or signs of one), past the "
		 "first %u, not checked", n, SNAPSHOT_SEALS_WALKED);
	t->capped += n;
	snapshots_note(vi, why, why, j);
}

/*
 * One snapshot's seal, walked while the volume is under the cap; past it,
 * SEAL_CAPPED if it has one (its integrity metadata read, its tree not).
 */
static enum seal_outcome verify_snapshot(apfsi_volume *vol, const struct seal_of *o,
					 bool sealed, unsigned walked, struct json *j)
{
	struct apfsi_seal_check c;
	struct apfsi_seal_info si;
	enum seal_outcome r = SEAL_NONE;

	if (walked < SNAPSHOT_SEALS_WALKED)
		r = seal_report(o, &c, apfsi_snapshot_verify_seal(vol, o->snap->xid, &c), j);
	else if (apfsi_snapshot_seal(vol, o->snap->xid, &si) != APFSI_ERR_NOT_FOUND)
		return SEAL_CAPPED;
	if (r == SEAL_NONE && sealed)
		snapshot_unsealed(o, j);
	return r;
}

/*
 * The seal of each snapshot of vol (sealed: whether its live tree is), in
 * *t.  A snapshot of a sealed volume with no seal of its own is counted
 * as not checked: clearing one flag of its superblock copy would otherwise
 * turn a tree that fails its seal into OK.  True when every snapshot was
 * found and its seal checked.
 */
static bool verify_snapshots(apfsi_volume *vol, const struct apfsi_volume_info *vi, bool sealed,
			     struct verify_tally *t, struct json *j)
{
	struct apfsi_snapshot_info si;
	struct seal_of o = { vi, &si };
	unsigned n = 0, walked = 0, checked = 0, capped = 0;
	int code = apfsi_volume_snapshot_count(vol, &n);

	/* the shortfall in the library's words ("said above" below; other errors were logged) */
	if (code == APFSI_ERR_INCOMPLETE && sealed)
		fprintf(stderr, "apfsinspect: %s\n", cli_safe_str(apfsi_last_message()));
	for (unsigned i = 0; i < n; i++) {
		enum seal_outcome r;

		if (apfsi_volume_snapshot(vol, i, &si))
			continue;
		r = verify_snapshot(vol, &o, sealed, walked, j);
		capped += r == SEAL_CAPPED;
		checked += seal_checked(r);
		/* a walk that stopped at damage may have read most of the tree too */
		walked += seal_checked(r) || r == SEAL_UNCHECKED;
		t->unsealed += r == SEAL_NONE && sealed;
		tally(t, r);
	}
	if (capped)
		snapshots_capped(vi, capped, t, j);
	if (code && sealed)
		tally(t, snapshots_unread(vi, code, j));
	return !code && n && checked == n;
}

/*
 * A volume: its live seal, then its snapshots'.  A live seal the integrity
 * metadata marks broken is what a Mac shows once an update is staged: it
 * boots from a sealed snapshot (docs/macos-boot.md §4).  Where every
 * snapshot's seal was checked, the broken live one is counted apart and
 * does not leave the verdict incomplete.
 */
static void verify_volume(apfsi_volume *vol, const struct apfsi_volume_info *vi,
			  struct verify_tally *t, struct json *j)
{
	struct seal_of o = { vi, NULL };
	struct apfsi_seal_check c;
	enum seal_outcome live = seal_report(&o, &c, apfsi_volume_verify_seal(vol, &c), j);
	bool snaps = verify_snapshots(vol, vi, live != SEAL_NONE, t, j);

	if (live == SEAL_BROKEN && snaps)
		t->superseded++;
	else
		tally(t, live);
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
		if (code)
			tally(t, volume_unread(i + 1, code, j));
		else
			verify_volume(vol, &vi, t, j);
	}
	return 0;
}
