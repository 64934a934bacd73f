/* SPDX-License-Identifier: MIT */
/* omap.c - object maps: omap_phys_t over a physical tree of (oid, xid) -> paddr. */
#include <errno.h>
#include <stdlib.h>

#include "mk.h"

static int cmp_oid(const void *a, const void *b)
{
	const struct mk_omap_rec *x = a, *y = b;

	if (x->oid != y->oid)
		return x->oid < y->oid ? -1 : 1;
	return x->xid < y->xid ? -1 : x->xid > y->xid;
}

static int omap_tree(struct mk_image *img, struct mk_omap_rec *m, unsigned n, uint64_t *root)
{
	struct mk_tree t = { .img = img, .subtype = APFS_OBJECT_TYPE_OMAP, .physical = true,
			     .fixed = true,
			     .bt_flags = APFS_BTREE_PHYSICAL | APFS_BTREE_SEQUENTIAL_INSERT };
	struct apfs_omap_key *k = calloc(n + 1, sizeof(*k));
	struct apfs_omap_val *v = calloc(n + 1, sizeof(*v));
	struct mk_rec *r = calloc(n + 1, sizeof(*r));
	int rc = -ENOMEM;

	if (!k || !v || !r)
		goto out;
	for (unsigned i = 0; i < n; i++) {
		k[i].ok_oid = put_le64(m[i].oid);
		k[i].ok_xid = put_le64(m[i].xid);
		v[i].ov_flags = put_le32(m[i].flags);
		v[i].ov_size = put_le32(img->bs);
		v[i].ov_paddr = put_le64(m[i].paddr);
		r[i] = (struct mk_rec){ (uint8_t *)&k[i], (uint8_t *)&v[i], 16, 16 };
	}
	rc = mk_btree_build(&t, r, n, root);
out:
	free(k);
	free(v);
	free(r);
	return rc;
}

/* The omap's snapshot tree: xid -> omap_snapshot_t, one record. */
static int snap_tree(struct mk_image *img, uint64_t xid, uint64_t *root)
{
	struct mk_tree t = { .img = img, .subtype = APFS_OBJECT_TYPE_OMAP_SNAPSHOT,
			     .physical = true, .fixed = true, .ksize = 8, .vsize = 16,
			     .bt_flags = APFS_BTREE_PHYSICAL | APFS_BTREE_SEQUENTIAL_INSERT };
	uint8_t k[8], v[16] = { 0 };
	struct mk_rec r = { k, v, 8, 16 };

	st_le64(k, xid);
	return mk_btree_build(&t, &r, 1, root);
}

/* The omap_phys_t at paddr naming its tree; no snapshot tree yet. */
static struct apfs_omap_phys *omap_phys(struct mk_image *img, uint64_t paddr, uint32_t om_flags,
					uint64_t root)
{
	struct apfs_omap_phys *om = (struct apfs_omap_phys *)mk_block(img, paddr);

	om->om_flags = put_le32(om_flags);
	om->om_tree_type = put_le32(APFS_OBJ_PHYSICAL | APFS_OBJECT_TYPE_BTREE);
	om->om_snapshot_tree_type = put_le32(APFS_OBJ_PHYSICAL | APFS_OBJECT_TYPE_BTREE);
	om->om_tree_oid = put_le64(root);
	return om;
}

/**
 * mk_omap_phys() - the omap_phys_t of a volume omap whose tree (root) was
 * written already (btree_stream.c), in a new block.
 * @img: the image
 * @root: the tree's root block
 * @paddr: receives the object's block
 */
int mk_omap_phys(struct mk_image *img, uint64_t root, uint64_t *paddr)
{
	struct apfs_omap_phys *om;

	*paddr = mk_alloc(img, 1);
	if (!*paddr)
		return -ENOSPC;
	om = omap_phys(img, *paddr, 0, root);
	if (!om)
		return -ENOMEM;
	mk_obj_hdr(om, *paddr, img->xid, APFS_OBJ_PHYSICAL | APFS_OBJECT_TYPE_OMAP, 0);
	mk_obj_seal(om, img->bs);
	return 0;
}

/**
 * mk_omap_build() - write an object map.
 * @img: the image
 * @recs: mappings (sorted here by oid)
 * @n: how many
 * @om_flags: OMAP_MANUALLY_MANAGED for the container's, 0 for a volume's
 * @snap_xid: a snapshot's xid to list in the snapshot tree, or 0
 * @paddr: receives the omap_phys_t block
 */
int mk_omap_build(struct mk_image *img, struct mk_omap_rec *recs, unsigned n, uint32_t om_flags,
		  uint64_t snap_xid, uint64_t *paddr)
{
	struct apfs_omap_phys *om;
	uint64_t root, snaps = 0;
	int rc;

	*paddr = mk_alloc(img, 1);
	if (!*paddr)
		return -ENOSPC;
	qsort(recs, n, sizeof(*recs), cmp_oid);
	rc = omap_tree(img, recs, n, &root);
	if (!rc && snap_xid)
		rc = snap_tree(img, snap_xid, &snaps);
	if (rc)
		return rc;
	om = omap_phys(img, *paddr, om_flags, root);
	if (snap_xid) {
		om->om_snap_count = put_le32(1);
		om->om_snapshot_tree_oid = put_le64(snaps);
		om->om_most_recent_snap = put_le64(snap_xid);
	}
	mk_obj_hdr(om, *paddr, img->xid, APFS_OBJ_PHYSICAL | APFS_OBJECT_TYPE_OMAP, 0);
	mk_obj_seal(om, img->bs);
	return 0;
}
