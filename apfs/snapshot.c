/* SPDX-License-Identifier: MIT */
/*
 * snapshot.c - volume snapshots: the snapshot-metadata tree (physical,
 * never encrypted) holds one j_snap_metadata record per snapshot, keyed by
 * its xid, naming the snapshot's own volume superblock.  A view at a
 * snapshot reads that superblock's fs tree through the volume omap with
 * the snapshot's xid as the maximum.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs_int.h"

#define SNAP_META_HDR 50 /* j_snap_metadata_val_t before the name */
#define MAX_SNAPSHOTS 65536

static void snap_tree(struct apfs_volume *v, struct apfs_btree_desc *t)
{
	*t = (struct apfs_btree_desc){
		.c = v->c,
		.root = get_le64(v->sb.apfs_snap_meta_tree_oid),
		.subtype = APFS_OBJECT_TYPE_SNAPMETATREE,
		.cmp = apfs_fs_key_cmp,
		.what = "snapshot metadata tree",
	};
}

static int snap_parse(struct apfs_volume *v, uint64_t xid, const uint8_t *val, size_t vl,
		      struct apfs_snapshot *s)
{
	uint16_t nl;

	if (vl < SNAP_META_HDR)
		goto bad;
	nl = ld_le16(val + 48);
	if (nl > vl - SNAP_META_HDR || nl > sizeof(s->name))
		goto bad;
	memset(s, 0, sizeof(*s));
	s->xid = xid;
	s->sblock_oid = ld_le64(val + 8);
	s->create_time = ld_le64(val + 16);
	s->change_time = ld_le64(val + 24);
	s->flags = ld_le32(val + 44);
	memcpy(s->name, val + SNAP_META_HDR, nl);
	s->name[nl ? nl - 1 : 0] = '\0';
	return 0;
bad:
	apfs_err("%s: volume '%s': snapshot %llu: metadata record is malformed", v->c->label,
		 v->name, (unsigned long long)xid);
	return -APFS_ECORRUPT;
}

struct sl_ctx {
	struct apfs_volume *v;
	struct apfs_snapshot *arr;
	unsigned n, cap;
};

static int sl_visit(const void *k, size_t kl, const void *val, size_t vl, void *arg)
{
	struct sl_ctx *l = arg;

	if (kl < 8) {  /* a j_key_t at least, before its type is read */
		apfs_err("%s: volume '%s': snapshot metadata tree: a record key of %zu bytes",
			 l->v->c->label, l->v->name, kl);
		return -APFS_ECORRUPT;
	}
	if (fs_key_type(k) != APFS_TYPE_SNAP_METADATA)
		return 0;
	/*
	 * xid 0 is no transaction, and a view at 0 is the live tree
	 * (apfs_fs_open): the record is named and left out, the others kept;
	 * the volume's count then says one is missing.
	 */
	if (!fs_key_oid(k)) {
		apfs_err("%s: volume '%s': snapshot metadata tree: a snapshot record of transaction "
			 "0, which no transaction is: left out", l->v->c->label, l->v->name);
		l->v->snap_left_out = true;
		return 0;
	}
	if (l->n == l->cap) {
		unsigned nc = l->cap ? l->cap * 2 : 8;
		struct apfs_snapshot *na;

		if (nc > MAX_SNAPSHOTS)
			return -APFS_ECORRUPT;
		na = realloc(l->arr, nc * sizeof(*na));
		if (!na)
			return -ENOMEM;
		l->arr = na;
		l->cap = nc;
	}
	return snap_parse(l->v, fs_key_oid(k), val, vl, &l->arr[l->n++]);
}

/**
 * apfs_snapshot_list - the snapshots of a volume (see fs.h)
 */
int apfs_snapshot_list(struct apfs_volume *v, struct apfs_snapshot **out, unsigned *n)
{
	struct sl_ctx l = { .v = v };
	struct apfs_btree_desc t;
	int ret;

	*out = NULL;
	*n = 0;
	if (!get_le64(v->sb.apfs_snap_meta_tree_oid))
		return 0;
	snap_tree(v, &t);
	ret = apfs_btree_iterate(&t, NULL, 0, sl_visit, &l);
	if (ret) {
		free(l.arr);
		return ret;
	}
	*out = l.arr;
	*n = l.n;
	return 0;
}

/*
 * The volume counts its snapshots (apfs_num_snapshots).  A snapshot tree
 * of more than one node that lost a child stays in order and in range:
 * the walk meets nothing, and a snapshot, with the files it alone still
 * holds, would go unlisted.  More found than counted says nothing: none
 * is missing.
 */
bool apfs_snapshot_short(const struct apfs_volume *v, unsigned n, char *why, size_t cap)
{
	uint64_t counted = get_le64(v->sb.apfs_num_snapshots);

	if (v->snap_left_out) {
		snprintf(why, cap, "%s: volume '%s': snapshot metadata tree: a record of it was left "
			 "out (named above): snapshots may be missing", v->c->label, v->name);
		return true;
	}
	if (n >= counted)
		return false;
	snprintf(why, cap, "%s: volume '%s': snapshot metadata tree: the volume counts %llu "
		 "snapshot%s, the tree holds %u: snapshots may be missing (or the count is wrong)",
		 v->c->label, v->name, (unsigned long long)counted, counted == 1 ? "" : "s", n);
	return true;
}

int apfs_snapshot_counted(struct apfs_volume *v, unsigned n)
{
	char why[512];

	if (!apfs_snapshot_short(v, n, why, sizeof(why)))
		return 0;
	apfs_err("%s", why);
	return -APFS_EINCOMPLETE;
}

/* The value of one digit in base 10 or 16, or -1. */
static int digit_of(char c, unsigned base)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (base == 16 && c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (base == 16 && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool apfs_xid_parse(const char *sel, uint64_t *xid)
{
	unsigned base = sel[0] == '0' && (sel[1] == 'x' || sel[1] == 'X') ? 16 : 10;
	const char *p = base == 16 ? sel + 2 : sel;
	uint64_t x = 0;
	int d;

	if (!*p)
		return false;
	for (; *p; p++) {
		if ((d = digit_of(*p, base)) < 0 || x > (UINT64_MAX - (unsigned)d) / base)
			return false;
		x = x * base + (unsigned)d;
	}
	*xid = x;
	return true;
}

/**
 * apfs_snapshot_find - a snapshot by name or xid (see fs.h)
 */
int apfs_snapshot_find(struct apfs_volume *v, const char *sel, struct apfs_snapshot *out)
{
	struct apfs_snapshot *arr;
	unsigned n;
	uint64_t xid;
	bool by_xid = apfs_xid_parse(sel, &xid);
	int ret = apfs_snapshot_list(v, &arr, &n);

	if (ret)
		return ret;
	ret = -ENOENT;
	for (unsigned i = 0; i < n && ret; i++)
		if (!strcmp(arr[i].name, sel) || (by_xid && arr[i].xid == xid)) {
			*out = arr[i];
			ret = 0;
		}
	free(arr);
	if (ret && apfs_snapshot_counted(v, n))
		ret = -APFS_EINCOMPLETE;
	return ret;
}

/* The volume superblock snapshot xid was taken with (its copy, physical). */
int apfs_snapshot_sb(struct apfs_volume *v, uint64_t xid, struct apfs_superblock *sb)
{
	struct apfs_btree_desc st;
	struct apfs_snapshot s;
	uint8_t key[8], val[SNAP_META_HDR + APFS_NAME_MAX];
	uint8_t *blk;
	size_t vl;
	int ret;

	if (!get_le64(v->sb.apfs_snap_meta_tree_oid) || !xid)
		return -ENOENT;
	snap_tree(v, &st);
	fs_key(key, xid, APFS_TYPE_SNAP_METADATA);
	ret = apfs_btree_lookup(&st, key, sizeof(key), val, sizeof(val), &vl);
	if (!ret)
		ret = snap_parse(v, xid, val, vl, &s);
	if (ret)
		return ret;
	blk = malloc(v->c->block_size);
	if (!blk)
		return -ENOMEM;
	ret = apfs_read_object(v->c, s.sblock_oid, NULL, APFS_OBJECT_TYPE_FS, blk,
			       "snapshot volume superblock");
	if (!ret && get_le32(((struct apfs_superblock *)blk)->apfs_magic) != APFS_MAGIC) {
		apfs_err("%s: snapshot %llu: superblock lacks the APSB magic", v->c->label,
			 (unsigned long long)xid);
		ret = -APFS_ECORRUPT;
	}
	if (!ret)
		memcpy(sb, blk, sizeof(*sb));
	free(blk);
	return ret;
}

int apfs_snapshot_seal(struct apfs_volume *v, uint64_t xid, struct apfs_seal *s, uint64_t *root)
{
	struct apfs_superblock sb;
	int ret = apfs_snapshot_sb(v, xid, &sb);

	memset(s, 0, sizeof(*s));
	if (root)
		*root = ret ? 0 : get_le64(sb.apfs_root_tree_oid);
	return ret ? ret : apfs_seal_signs(v, &sb, xid, apfs_sb_seal(v, &sb, xid, s));
}
