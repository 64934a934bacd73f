/* SPDX-License-Identifier: MIT */
/* omap.c - object map lookups: virtual oid -> newest physical block <= xid. */
#include <stdlib.h>
#include <string.h>

#include "apfs.h"
#include "btree_int.h"

struct omap_find {
	uint64_t oid, max_xid;
	struct apfs_omap_res *res;
	bool kept;   /* res holds a record */
	bool found;  /* ... which is not deleted */
	struct apfs_container *c;
};

/* A record of the oid's whose key or value has the wrong size (n bytes). */
static int omap_record_bad(const struct omap_find *f, const char *what, size_t n)
{
	apfs_err("%s: object map record for oid %llu has a %zu-byte %s", f->c->label,
		 (unsigned long long)f->oid, n, what);
	return -APFS_ECORRUPT;
}

/*
 * The oid's records, in (oid, xid) order in a sound leaf, anywhere in one
 * out of order: keep the newest with xid <= max (not the last met, which in
 * a damaged leaf may be older than one met before).
 */
static int omap_visit(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct omap_find *f = arg;
	uint64_t xid;

	if (kl < 8 || ld_le64(k) != f->oid)
		return 1;
	/* the oid's, but not an (oid, xid) pair: damage, not the end of its versions */
	if (kl != 16)
		return omap_record_bad(f, "key", kl);
	xid = ld_le64((const uint8_t *)k + 8);
	if (f->kept && xid == f->res->xid) {
		apfs_err("%s: object map: two records for oid %llu at xid %llu", f->c->label,
			 (unsigned long long)f->oid, (unsigned long long)xid);
		return -APFS_ECORRUPT;
	}
	if (xid > f->max_xid || (f->kept && xid < f->res->xid))
		return 0;
	if (vl != sizeof(struct apfs_omap_val))
		return omap_record_bad(f, "value", vl);
	f->res->flags = ld_le32(v);
	f->res->paddr = ld_le64((const uint8_t *)v + 8);
	f->res->xid = xid;
	f->kept = true;
	f->found = !(f->res->flags & APFS_OMAP_VAL_DELETED);
	return 0;
}

/*
 * The root of the tree of the omap_phys_t at omap_paddr: read once per
 * thread and remembered (btree_cursor.c), since every lookup needs it.
 */
static int omap_tree_root(struct apfs_container *c, uint64_t omap_paddr, uint64_t *root)
{
	uint8_t *blk;
	int ret;

	if (btree_omap_root_get(c, omap_paddr, root))
		return 0;
	blk = malloc(c->block_size);
	if (!blk)
		return -ENOMEM;
	ret = apfs_read_object(c, omap_paddr, NULL, APFS_OBJECT_TYPE_OMAP, blk, "object map");
	if (!ret) {
		*root = ld_le64(blk + offsetof(struct apfs_omap_phys, om_tree_oid));
		btree_omap_root_put(c, omap_paddr, *root);
	}
	free(blk);
	return ret;
}

int apfs_omap_lookup(struct apfs_container *c, uint64_t omap_paddr, uint64_t oid,
		     uint64_t max_xid, struct apfs_omap_res *res)
{
	uint8_t key[8];
	struct omap_find f = { .oid = oid, .max_xid = max_xid, .res = res, .c = c };
	struct apfs_btree_desc t = {
		.c = c, .subtype = APFS_OBJECT_TYPE_OMAP, .cmp = apfs_btree_cmp_u64_pair, .what = "object map",
	};
	int ret = omap_tree_root(c, omap_paddr, &t.root);

	if (!ret) {
		/* every record of the oid's, whatever its xid (a key prefix) */
		st_le64(key, oid);
		ret = apfs_btree_find(&t, key, sizeof(key), true, omap_visit, &f);
	}
	if (!ret && !f.found) {
		apfs_err("%s: object %llu (xid <= %llu) is not in the object map at block %llu",
			 c->label, (unsigned long long)oid, (unsigned long long)max_xid,
			 (unsigned long long)omap_paddr);
		ret = -APFS_ECORRUPT;
	}
	return ret;
}
