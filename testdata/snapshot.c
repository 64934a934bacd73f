/* SPDX-License-Identifier: MIT */
/*
 * snapshot.c - the snapshot-metadata tree of a volume with one snapshot:
 * a SNAP_METADATA record keyed by the snapshot's xid and a SNAP_NAME record
 * (key obj_id all ones) that maps the name back to the xid.
 */
#include <errno.h>

#include "mk.h"

#define SNAP_NAME_OID APFS_OBJ_ID_MASK

static uint64_t jkey(uint64_t oid, unsigned type)
{
	return (oid & APFS_OBJ_ID_MASK) | (uint64_t)type << APFS_OBJ_TYPE_SHIFT;
}

/**
 * mk_snap_meta_tree() - write the snapshot-metadata tree for snapshot s.
 * @img: the image
 * @s: the snapshot
 * @root: receives the tree's root block
 */
int mk_snap_meta_tree(struct mk_image *img, const struct mk_snap *s, uint64_t *root)
{
	struct mk_tree t = { .img = img, .subtype = APFS_OBJECT_TYPE_SNAPMETATREE,
			     .physical = true, .bt_flags = APFS_BTREE_PHYSICAL | APFS_BTREE_KV_NONALIGNED |
							   APFS_BTREE_SEQUENTIAL_INSERT };
	size_t nl = strlen(s->name) + 1;
	uint8_t mk[8], mv[sizeof(struct apfs_j_snap_metadata_val) + MK_SNAP_NAME_MAX];
	uint8_t nk[10 + MK_SNAP_NAME_MAX], nv[8];
	struct apfs_j_snap_metadata_val *m = (struct apfs_j_snap_metadata_val *)mv;
	struct mk_rec r[2];

	memset(mv, 0, sizeof(mv));
	st_le64(mk, jkey(s->xid, APFS_TYPE_SNAP_METADATA));
	m->extentref_tree_oid = put_le64(s->extentref);
	m->sblock_oid = put_le64(s->sb_paddr);
	m->inum = put_le64(s->inum);
	m->create_time = put_le64(MK_TIME);
	m->change_time = put_le64(MK_TIME);
	m->extentref_tree_type = put_le32(APFS_OBJ_PHYSICAL | APFS_OBJECT_TYPE_BTREE);
	m->name_len = put_le16((uint16_t)nl);
	memcpy(mv + sizeof(*m), s->name, nl);
	st_le64(nk, jkey(SNAP_NAME_OID, APFS_TYPE_SNAP_NAME));
	st_le16(nk + 8, (uint16_t)nl);
	memcpy(nk + 10, s->name, nl);
	st_le64(nv, s->xid);
	r[0] = (struct mk_rec){ mk, mv, 8, (uint16_t)(sizeof(*m) + nl) };
	r[1] = (struct mk_rec){ nk, nv, (uint16_t)(10 + nl), 8 };
	return mk_btree_build(&t, r, 2, root);
}
